#!/usr/bin/env node
/**
 * `npm install` (postinstall) and `npm run build-native`: builds the native LSTM kernel
 * (src-main/models/lstm/kernel/native) with node-gyp, the one npm ships, against the headers of
 * the Node that runs it (npm's `nodedir` setting, else the headers installed beside Node, else
 * node-gyp's own download). It never fails the install: where there is no C compiler or no
 * headers, it says so in one line and the WebAssembly build of the same kernel runs instead.
 * SPAMOPS_SKIP_NATIVE=1 skips it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DIR = join(ROOT, 'src-main', 'models', 'lstm', 'kernel', 'native');
const say = (s) => process.stderr.write(`[native kernel] ${s}\n`);

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

/** where Node's own headers are (node_api.h), so that node-gyp need not download them */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

if (process.env.SPAMOPS_SKIP_NATIVE === '1') {
  say('skipped (SPAMOPS_SKIP_NATIVE=1): the WebAssembly kernel will run');
  process.exit(0);
}
const gyp = nodeGyp();
if (!gyp) {
  say('node-gyp not found: the WebAssembly kernel will run');
  process.exit(0);
}
const dir = nodeDir();
const args = [gyp, 'rebuild', '--directory', DIR, ...(dir ? [`--nodedir=${dir}`] : [])];
const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 180_000 });
if (r.status === 0 && existsSync(join(DIR, 'build', 'Release', 'spamops_lstm.node'))) {
  say('built (src-main/models/lstm/kernel/native/build/Release/spamops_lstm.node)');
} else {
  const why = `${r.stderr ?? ''}${r.stdout ?? ''}`
    .split('\n')
    .filter((l) => /error|ERR!/i.test(l))
    .slice(0, 3)
    .join(' | ');
  say(`not built, the WebAssembly kernel will run instead (${r.error?.message ?? why ?? `exit ${r.status}`})`);
}
