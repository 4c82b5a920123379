/// <reference types="vite/client" />

/** What the Electron preload exposes; absent when the console is opened in a browser. */
interface SpamOpsBridge {
  readonly apiBase?: string;
  readonly token?: string;
}

interface Window {
  readonly spamops?: SpamOpsBridge;
}
