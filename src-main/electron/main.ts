/**
 * The Electron main process: one window showing the console, over the engines and the local API
 * of `spamops serve`, which run in a plain Node child process (see engine-process.ts for why).
 * The console is served by the API itself (same origin: the API's origin checks and the CSP need
 * no exception); in development it comes from the Vite dev server.
 */
import { app, BrowserWindow, Menu, dialog, screen, session, shell, type Rectangle } from 'electron';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoot, defaultDataDir, installToken, loadConfig } from '../config';
import { writeFileAtomic } from '../platform';
import { startEngineProcess, type EngineProcess } from './engine-process';

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const devUrl = process.env.ELECTRON_RENDERER_URL;

let engineProcess: EngineProcess | undefined;
let quitting = false;
let win: BrowserWindow | undefined;

// The same data dir headless `spamops serve` uses by default.
app.setName('SpamOps');
app.setPath('userData', defaultDataDir());

/* ---------------- window bounds, remembered in the data dir ---------------- */

type WindowState = Partial<Rectangle> & { width: number; height: number; maximized?: boolean };

function readWindowState(file: string): WindowState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as WindowState;
    if (s.width >= 400 && s.height >= 300) {
      const r = { x: s.x ?? 0, y: s.y ?? 0, width: s.width, height: s.height };
      const visible = screen
        .getAllDisplays()
        .some(({ workArea: a }) => r.x < a.x + a.width && r.x + r.width > a.x && r.y < a.y + a.height && r.y + r.height > a.y);
      return visible ? s : { width: s.width, height: s.height, maximized: s.maximized };
    }
  } catch {
    // first start or unreadable: defaults
  }
  return { width: 1280, height: 820 };
}

function saveWindowState(file: string, w: BrowserWindow): void {
  try {
    // atomic: a crash mid-write must not leave a half file that resets the window next time
    writeFileAtomic(file, JSON.stringify({ ...w.getNormalBounds(), maximized: w.isMaximized() }));
  } catch {
    // not worth failing a quit over
  }
}

/* ---------------- start ---------------- */

async function start(): Promise<void> {
  const config = loadConfig({ dataDir: process.env.SPAMOPS_DATA_DIR ?? app.getPath('userData') });
  mkdirSync(config.dataDir, { recursive: true });
  // the token of this install, created before the engines start so both read the same file
  const token = installToken(config);
  const env: NodeJS.ProcessEnv = { ...process.env, SPAMOPS_DATA_DIR: config.dataDir };
  // the dev renderer is another origin: allow it (for this run only)
  if (devUrl) env.SPAMOPS_CORS_ORIGINS = [...config.server.corsOrigins, new URL(devUrl).origin].join(',');

  // the same start as headless `serve`; the first model versions train while the window opens
  engineProcess = await startEngineProcess({ root: appRoot(), dataDir: config.dataDir, env, onLog: (s) => process.stderr.write(`${s}\n`) });
  const engines = engineProcess;
  void engines.exited.then((code) => {
    if (quitting || engineProcess !== engines) return;
    engineProcess = undefined;
    // code 0: stopped by a signal (Ctrl-C on the terminal reaches the whole process group)
    if (code !== 0)
      dialog.showErrorBox(
        'SpamOps engines stopped',
        `The engines process exited (code ${code}). Its log is on the terminal that started SpamOps; the app will close.`,
      );
    app.quit();
  });
  const apiBase = engineProcess.url;
  process.stdout.write(`SpamOps API listening on ${apiBase} (data dir ${config.dataDir}, engines pid ${engineProcess.pid})\n`);

  const connect = ["'self'", apiBase];
  if (devUrl) connect.push(new URL(devUrl).origin, new URL(devUrl).origin.replace(/^http/, 'ws'));
  const csp = ["default-src 'self'", `connect-src ${connect.join(' ')}`, "img-src 'self' data:", "style-src 'self' 'unsafe-inline'", "script-src 'self'"].join(
    '; ',
  );
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });

  const openDocs = () => void shell.openExternal(`${apiBase}/docs`);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { label: 'File', submenu: [{ role: 'quit' }] },
      { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }] },
      { label: 'Help', submenu: [{ label: 'API docs', click: openDocs }] },
    ]),
  );

  const stateFile = join(config.dataDir, 'window-state.json');
  const state = readWindowState(stateFile);
  win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: 640,
    minHeight: 480,
    title: 'SpamOps',
    show: false,
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      additionalArguments: [`--spamops-api=${apiBase}`, `--spamops-token=${token}`],
    },
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  win.on('close', () => win && saveWindowState(stateFile, win));
  win.on('closed', () => (win = undefined));

  // The window shows the console only: other pages (API docs, links) open in the browser.
  const appUrl = devUrl ?? `${apiBase}/`;
  const external = (url: string) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
  };
  win.webContents.setWindowOpenHandler(({ url }) => {
    external(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    const u = new URL(url);
    if (u.origin !== new URL(appUrl).origin || u.pathname.startsWith('/docs')) {
      e.preventDefault();
      external(url);
    }
  });
  await win.loadURL(appUrl);
}

/* ---------------- lifecycle ---------------- */

async function shutdown(): Promise<void> {
  quitting = true;
  const p = engineProcess;
  engineProcess = undefined;
  await p?.stop().catch((err: Error) => process.stderr.write(`stopping the engines: ${err.message}\n`));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (e) => {
    if (!engineProcess) return;
    e.preventDefault();
    void shutdown().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch(async (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      dialog.showErrorBox('SpamOps could not start', err.message);
      await shutdown();
      app.exit(1);
    });
}
