/** The preload: hands the console the local API's address (and token) from the main process. */
import { contextBridge } from 'electron';

const arg = (name: string): string | undefined => {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
};

contextBridge.exposeInMainWorld('spamops', { apiBase: arg('spamops-api'), token: arg('spamops-token') });
