#!/usr/bin/env bash
# Rebuilds lstm.wasm from lstm.c. Needs clang and wasm-ld (Debian: clang-14 lld-14).
# The .wasm is committed, so a fresh clone needs neither.
set -euo pipefail
cd "$(dirname "$0")"
CLANG=$(command -v clang-14 || command -v clang)
LD=$(command -v wasm-ld-14 || command -v wasm-ld)
"$CLANG" --target=wasm32 -O3 -msimd128 -ffast-math -fno-builtin -nostdlib -c lstm.c -o /tmp/spamops-lstm.o
"$LD" --no-entry --export-dynamic --initial-memory=2097152 --max-memory=1073741824 -o lstm.wasm /tmp/spamops-lstm.o
ls -l lstm.wasm
