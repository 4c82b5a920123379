/**
 * The Electron main process: the same engines and local API as `spamops serve`, plus one window
 * showing the console. The console is served by the API itself (same origin: the API's origin
 * checks and the CSP need no exception); in development it comes from the Vite dev server.
 */
import { app, BrowserWindow, Menu, dialog, screen, session, shell, type Rectangle } from 'electron';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir, loadConfig } from '../config';
import type { Engines } from '../engines';
import { buildApp, listen, type Listening } from '../api';
import { startEngines } from '../pipeline/start';

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const devUrl = process.env.ELECTRON_RENDERER_URL;

let engines: Engines | undefined;
let server: Listening | undefined;
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
      const visible = screen.getAllDisplays().some(({ workArea: a }) => r.x < a.x + a.width && r.x + r.width > a.x && r.y < a.y + a.height && r.y + r.height > a.y);
      return visible ? s : { width: s.width, height: s.height, maximized: s.maximized };
    }
  } catch {
    // first start or unreadable: defaults
  }
  return { width: 1280, height: 820 };
}

function saveWindowState(file: string, w: BrowserWindow): void {
  try {
    writeFileSync(file, JSON.stringify({ ...w.getNormalBounds(), maximized: w.isMaximized() }));
  } catch {
    // not worth failing a quit over
  }
}

/* ---------------- start ---------------- */

async function start(): Promise<void> {
  const config = loadConfig({ dataDir: process.env.SPAMOPS_DATA_DIR ?? app.getPath('userData') });
  mkdirSync(config.dataDir, { recursive: true });
  // the dev renderer is another origin: allow it (in this process's config only)
  if (devUrl) config.server.corsOrigins = [...config.server.corsOrigins, new URL(devUrl).origin];

  // the same start as headless `serve`; the first model versions train while the window opens
  engines = await startEngines(config, { autoBootstrap: true, log: (s) => process.stderr.write(`${s}\n`) });
  const consoleDir = join(here, '..', 'renderer');
  server = await listen(await buildApp(engines, { consoleDir, logger: true }), config.server);
  const apiBase = server.urls[0];
  process.stdout.write(`SpamOps API listening on ${server.urls.join(', ')} (data dir ${config.dataDir}, storage ${engines.storage.backend})\n`);

  const connect = ["'self'", apiBase];
  if (devUrl) connect.push(new URL(devUrl).origin, new URL(devUrl).origin.replace(/^http/, 'ws'));
  const csp = ["default-src 'self'", `connect-src ${connect.join(' ')}`, "img-src 'self' data:", "style-src 'self' 'unsafe-inline'", "script-src 'self'"].join('; ');
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
      additionalArguments: [`--spamops-api=${apiBase}`, ...(config.server.token ? [`--spamops-token=${config.server.token}`] : [])],
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
  const [s, e] = [server, engines];
  server = engines = undefined;
  await s?.close().catch((err: Error) => process.stderr.write(`closing the API: ${err.message}\n`));
  await e?.close().catch((err: Error) => process.stderr.write(`closing the engines: ${err.message}\n`));
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
    if (!server && !engines) return;
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
