/**
 * The one Fastify app: `spamops serve` starts this (also as the desktop app's engine process). It only
 * composes plugins; each route group owns its schemas.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import type { Engines } from '../engines';
import { installErrorHandler } from './errors';
import { installSecurity } from './security';
import { healthRoutes } from './health';
import { featureServerRoutes } from './featureserver';
import { registryRoutes } from './registry';
import { trainingRoutes } from './training';
import { servingRoutes } from './serving';
import { userDataRoutes } from './userdata';
import { ingestionRoutes } from './ingestion';
import { feedbackRoutes } from './feedback';
import { monitoringRoutes } from './monitoring';

export interface AppOptions {
  /** built console (renderer) to serve at `/`, when running headless */
  consoleDir?: string;
  logger?: boolean;
}

export async function buildApp(engines: Engines, opts: AppOptions = {}): Promise<FastifyInstance> {
  const cfg = engines.config.server;
  const app = Fastify({
    logger: opts.logger ? { level: 'warn' } : false,
    bodyLimit: cfg.bodyLimitBytes,
    trustProxy: cfg.trustedProxies.length ? cfg.trustedProxies : false,
    // Strict bodies: no silent type coercion, no dropped fields; one error is enough to answer.
    // verbose: a failed check carries its schema, whose description names what was expected
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, verbose: true } },
    routerOptions: { maxParamLength: 500 },
  });
  // The seed's DELETE sends "Content-Type: application/json" with no body: an empty body is no
  // body there; for POST it stays an error. Fastify's own parser guards against proto poisoning.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).length === 0 && (req.method === 'DELETE' || req.method === 'GET')) return done(null, undefined);
    jsonParser(req, body as string, done);
  });
  // Bodies are JSON; plain text is refused with 415 rather than guessed at.
  app.removeContentTypeParser('text/plain');
  // curl -d (the seed's commands) sends x-www-form-urlencoded: read such a body as JSON.
  // Cross-site forms cannot abuse this: requests from browser origins not configured are refused.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      const err = e as Error & { statusCode?: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
  installErrorHandler(app);
  installSecurity(app, cfg);

  await app.register(swagger, {
    openapi: {
      info: { title: 'SpamOps local API', version: '0.1.0', description: 'Feature store, model serving, inbox and monitoring of the SpamOps console.' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { engines });
  await app.register(featureServerRoutes, { engines });
  await app.register(registryRoutes, { engines });
  await app.register(trainingRoutes, { engines });
  await app.register(servingRoutes, { engines });
  await app.register(userDataRoutes, { engines });
  await app.register(ingestionRoutes, { engines });
  await app.register(feedbackRoutes, { engines });
  await app.register(monitoringRoutes, { engines });

  if (opts.consoleDir && existsSync(opts.consoleDir)) {
    await app.register(fastifyStatic, { root: opts.consoleDir, prefix: '/', index: ['index.html'], wildcard: false });
  }
  return app;
}
