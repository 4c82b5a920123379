#!/usr/bin/env node
/**
 * `npm install` (postinstall) and `npm run build-native`: builds the native addons with node-gyp,
 * the one npm ships, against the headers of the Node that runs it (npm's `nodedir` setting, else
 * the headers installed beside Node, else node-gyp's own download):
 * - the LSTM kernel (src-main/models/lstm/kernel/native); without it the WebAssembly build of the
 *   same kernel runs;
 * - the WAL watch (src-main/storage/sqlite/native): whether a SQLite file changed, read from its
 *   wal-index header; without it the online store asks SQLite (`PRAGMA data_version`).
 * It never fails the install: where there is no C compiler or no headers, it says so in one line
 * per addon and the fallback runs. SPAMOPS_SKIP_NATIVE=1 skips both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const ADDONS = [
  {
    label: 'native kernel',
    dir: join(ROOT, 'src-main', 'models', 'lstm', 'kernel', 'native'),
    file: 'spamops_lstm.node',
    fallback: 'the WebAssembly kernel will run',
  },
  {
    label: 'WAL watch',
    dir: join(ROOT, 'src-main', 'storage', 'sqlite', 'native'),
    file: 'spamops_wal_watch.node',
    fallback: 'the online store asks SQLite whether the file changed',
  },
];
const say = (label, s) => process.stderr.write(`[${label}] ${s}\n`);

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
  for (const a of ADDONS) say(a.label, `skipped (SPAMOPS_SKIP_NATIVE=1): ${a.fallback}`);
  process.exit(0);
}
const gyp = nodeGyp();
if (!gyp) {
  for (const a of ADDONS) say(a.label, `node-gyp not found: ${a.fallback}`);
  process.exit(0);
}
const dir = nodeDir();
for (const a of ADDONS) {
  const args = [gyp, 'rebuild', '--directory', a.dir, ...(dir ? [`--nodedir=${dir}`] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 180_000 });
  const built = join(a.dir, 'build', 'Release', a.file);
  if (r.status === 0 && existsSync(built)) {
    say(a.label, `built (${built.slice(ROOT.length + 1)})`);
  } else {
    const why = `${r.stderr ?? ''}${r.stdout ?? ''}`
      .split('\n')
      .filter((l) => /error|ERR!/i.test(l))
      .slice(0, 3)
      .join(' | ');
    say(a.label, `not built, ${a.fallback} (${r.error?.message ?? (why || `exit ${r.status}`)})`);
  }
}
