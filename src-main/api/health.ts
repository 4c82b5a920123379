/** `/health` (200 once the engines are ready, with what they run on) and `/local/info` (loopback callers only). */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { HealthAnswer, LocalInfoAnswer } from '../../src-shared/health';
import { isLoopbackAddress } from './security';
import { HttpError } from './errors';

export const healthRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: '200 once the engines are ready (with the stream state when it is on)', response: { 200: HealthAnswer } } },
    async (): Promise<HealthAnswer> => {
      const snap = await engines.features.registry.current();
      return {
        status: 'ok',
        storage: { backend: engines.storage.backend, location: engines.storage.location },
        registry_version: snap?.version ?? 0,
        bootstrapped: snap !== undefined,
        // the stream's state: SpamOps serves while NATS is down, and says so here
        ingestion: engines.ingestion.health(),
      };
    },
  );

  // What the console shows about this install; the token only to local callers.
  app.get(
    '/local/info',
    { schema: { tags: ['health'], summary: 'Data dir, storage and the API token (loopback callers only)', response: { 200: LocalInfoAnswer } } },
    async (req): Promise<LocalInfoAnswer> => {
      if (!isLoopbackAddress(req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? ''))
        throw new HttpError(403, 'forbidden', 'only local callers may read this');
      const c = engines.config;
      return { data_dir: c.dataDir, storage: engines.storage.location, token: c.server.token ?? null, listening: { host: c.server.host, port: c.server.port } };
    },
  );
};
