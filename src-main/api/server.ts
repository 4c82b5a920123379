/** Listening: the main port and, in compatibility mode, the seed story's service ports. */
import type { FastifyInstance } from 'fastify';
import http from 'node:http';
import type { ServerConfig } from '../config';

export const COMPAT_PORTS = [8111, 8222, 6566, 8999];

/** the timeouts and the connection cap of a port (the main one and each compatibility port) */
export function limitConnections(server: http.Server, cfg: ServerConfig): void {
  server.headersTimeout = cfg.headersTimeoutMs;
  server.requestTimeout = cfg.requestTimeoutMs;
  server.keepAliveTimeout = cfg.keepAliveTimeoutMs;
  server.maxConnections = cfg.maxConnections;
}

export interface Listening {
  urls: string[];
  close(): Promise<void>;
}

/** why the main port could not be opened, naming the setting to change (the bare EADDRINUSE or getaddrinfo ENOTFOUND named none) */
function listenError(e: unknown, cfg: ServerConfig): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `cannot listen on ${cfg.host}:${cfg.port}`;
  if (code === 'EADDRINUSE')
    return new Error(
      `${where}: the port is in use by another program: choose another with --port or SPAMOPS_PORT (server.port in config.json), or stop that program`,
    );
  if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN')
    return new Error(
      `${where}: ${cfg.host} is not an address of this machine (${code}): set --host or SPAMOPS_HOST (server.host in config.json) to one, e.g. 127.0.0.1`,
    );
  if (code === 'EACCES') return new Error(`${where}: not allowed to open this port (below 1024 needs privileges): choose another with --port or SPAMOPS_PORT`);
  return e as Error;
}

export async function listen(app: FastifyInstance, cfg: ServerConfig): Promise<Listening> {
  try {
    await app.listen({ host: cfg.host, port: cfg.port });
  } catch (e) {
    throw listenError(e, cfg);
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  const urls = [`http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}`];
  const extra: http.Server[] = [];
  if (cfg.compatPorts) {
    for (const p of COMPAT_PORTS) {
      // The same request handler behind more ports: one app, many doors.
      const s = http.createServer({ connectionsCheckingInterval: Math.min(5000, Math.max(250, Math.floor(cfg.requestTimeoutMs / 4))) }, (req, res) =>
        app.serveRequest(req, res),
      );
      limitConnections(s, cfg);
      await new Promise<void>((resolve, reject) => {
        s.once('error', (e) => reject(new Error(`cannot listen on ${cfg.host}:${p} (compatibility port): ${e.message}`)));
        s.listen(p, cfg.host, () => resolve());
      });
      extra.push(s);
      urls.push(`http://${cfg.host}:${p}`);
    }
  }
  return {
    urls,
    close: async () => {
      await Promise.all(extra.map((s) => new Promise((r) => s.close(() => r(undefined)))));
      await app.close();
    },
  };
}
