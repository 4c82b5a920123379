#!/usr/bin/env node
/**
 * `npm start`: the desktop app when the Electron binary is installed, otherwise the same console
 * headless (`spamops serve --auto-bootstrap`, opened in a browser). Builds `out/` when it is
 * missing or older than the sources. Extra arguments go to the app:
 *   npm start -- --port 8010 --data-dir /tmp/x
 * Set SPAMOPS_TRY_ELECTRON_INSTALL=1 to try downloading a missing Electron binary once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2).filter((a) => a !== '--');
const say = (s) => process.stderr.write(`[start] ${s}\n`);

/** the Electron executable, or undefined when its binary was never downloaded */
function electronBinary() {
  try {
    const p = require('electron'); // the package exports the executable's path; throws when missing
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

function newest(paths) {
  let t = 0;
  const walk = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules' && !e.startsWith('.')) walk(join(p, e));
    } else t = Math.max(t, st.mtimeMs);
  };
  for (const p of paths) walk(join(ROOT, p));
  return t;
}

/** true when an output is missing or older than the newest of its sources */
function stale(outputs, sources) {
  let oldest = Infinity;
  for (const o of outputs) {
    const f = join(ROOT, o);
    if (!existsSync(f)) return true;
    oldest = Math.min(oldest, statSync(f).mtimeMs);
  }
  return oldest < newest(sources);
}

const CONFIG_FILES = ['electron.vite.config.ts', 'package.json'];
const RENDERER = { out: ['out/renderer/index.html'], src: ['src-renderer', 'src-shared', ...CONFIG_FILES] };
const ALL = { out: ['out/main/index.js', 'out/preload/index.cjs', ...RENDERER.out], src: ['src-main', ...RENDERER.src] };

/** runs electron-vite's own bin with this Node (no npx round trip) */
function electronVite(...a) {
  let bin;
  try {
    bin = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  } catch {
    bin = undefined;
  }
  return bin && existsSync(bin)
    ? spawnSync(process.execPath, [bin, ...a], { cwd: ROOT, stdio: 'inherit' })
    : spawnSync('npx', ['electron-vite', ...a], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
}

/** the renderer alone with Vite, the same settings as electron.vite.config.ts's renderer */
async function viteRendererBuild() {
  const { build } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  await build({
    configFile: false,
    root: join(ROOT, 'src-renderer'),
    base: './',
    plugins: [react()],
    build: { outDir: join(ROOT, 'out', 'renderer'), emptyOutDir: true, minify: true },
  });
}

/** runs a child in its own process group, forwards signals to the group, exits with its code */
function run(cmd, cmdArgs, env = process.env) {
  const detached = process.platform !== 'win32';
  const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit', env, detached });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      try {
        if (detached) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // already gone
      }
    });
  }
  child.on('error', (e) => {
    say(`cannot start ${cmd}: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1)));
}

let electron = electronBinary();
if (!electron && process.env.SPAMOPS_TRY_ELECTRON_INSTALL === '1') {
  say('Electron binary missing: trying node node_modules/electron/install.js (60 s at most)');
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron', 'install.js')], { cwd: ROOT, stdio: 'inherit', timeout: 60_000 });
  electron = electronBinary();
  if (!electron) say('Electron could not be installed; going on headless');
}

if (electron) {
  if (stale(ALL.out, ALL.src)) {
    say('building out/ (electron-vite build)');
    const r = electronVite('build');
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  // The desktop app reads its settings from the environment: map the CLI flags onto it.
  const { values } = parseArgs({ args, strict: false, options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } } });
  // the engines run in a child under this very Node (native addons are built for it, not for Electron)
  const env = { ...process.env, SPAMOPS_NODE: process.execPath };
  if (typeof values.port === 'string') env.SPAMOPS_PORT = values.port;
  if (typeof values.host === 'string') env.SPAMOPS_HOST = values.host;
  if (typeof values['data-dir'] === 'string') env.SPAMOPS_DATA_DIR = values['data-dir'];
  say(`starting the desktop app (${electron})`);
  const bin = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  run(process.execPath, [bin, 'preview', '--skipBuild'], env);
} else {
  say('Electron binary not available (node_modules/electron/dist): running the console HEADLESS.');
  if (stale(RENDERER.out, RENDERER.src)) {
    say('building the console (electron-vite build)');
    const r = electronVite('build');
    if (r.status !== 0) {
      say('electron-vite build failed: building the renderer alone with Vite');
      try {
        await viteRendererBuild();
      } catch (e) {
        say(`the console could not be built (${e.message}); the API still starts`);
      }
    }
  }
  say('Open the "Console:" URL printed below in a browser; Ctrl-C stops the server.');
  run(process.execPath, [join(ROOT, 'bin', 'spamops.mjs'), 'serve', '--auto-bootstrap', ...args]);
}
