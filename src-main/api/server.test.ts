/**
 * The main port that cannot be opened says which setting to change (it said the bare
 * `listen EADDRINUSE` and `getaddrinfo ENOTFOUND`): real sockets on loopback.
 */
import { createServer } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { tempDir } from '../testing/fixtures';
import { listen } from './server';

describe('listening', () => {
  it('names --port when the port is taken, and --host when the host is no address here', async () => {
    const t = tempDir('spamops-listen-');
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const cfg = loadConfig({ dataDir: t.dir }, {}).server;
      const app = Fastify();
      await expect(listen(app, { ...cfg, port })).rejects.toThrow(
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another program: choose another with --port or SPAMOPS_PORT`),
      );
      await app.close();
      const other = Fastify();
      await expect(listen(other, { ...cfg, host: '999.1.1.1', port: 0 })).rejects.toThrow(
        /cannot listen on 999\.1\.1\.1:0: 999\.1\.1\.1 is not an address of this machine \(\w+\): set --host or SPAMOPS_HOST/,
      );
      await other.close();
    } finally {
      taken.close();
      t.remove();
    }
  });
});
