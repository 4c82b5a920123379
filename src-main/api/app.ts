/**
 * The one Fastify app: `spamops serve` starts this (also as the desktop app's engine process). It only
 * composes plugins; each route group owns its schemas.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import pino from 'pino';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Engines } from '../engines';
import { HttpError, installErrorHandler } from './errors';
import type { ApiErrorBody } from '../../src-shared/errors';
import { installSecurity } from './security';
import { jsonDepthError } from './json-depth';
import { unicodeError, utf8Text } from './body-text';
import { healthRoutes } from './health';
import { checkRoutes } from './check';
import { dataRoutes } from './data';
import { EventStreams } from './event-stream';
import { limitConnections } from './server';
import { featureServerRoutes } from './featureserver';
import { registryRoutes } from './registry';
import { trainingRoutes } from './training';
import { servingRoutes } from './serving';
import { HotRoutes } from './hot-routes';
import { AJV_CUSTOM_OPTIONS, keepTickShape } from '../platform';
import { userDataRoutes } from './userdata';
import { ingestionRoutes } from './ingestion';
import { feedbackRoutes } from './feedback';
import { monitoringRoutes } from './monitoring';

export interface AppOptions {
  /** built console (renderer) to serve at `/`, when running headless */
  consoleDir?: string;
  logger?: boolean;
  /** serving's hot routes answered in front of Fastify (hot-routes.ts); true unless false */
  hotRoutes?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** every request's way in, on every port: the hot routes, then Fastify (`routing`) */
    serveRequest: (req: IncomingMessage, res: ServerResponse) => void;
  }
}

/** what Node's HTTP parser refused, said for the operator (its codes: llhttp's HPE_*) */
const CLIENT_ERRORS: Record<string, string> = {
  HPE_UNEXPECTED_CONTENT_LENGTH: 'the request has two Content-Length headers, or Content-Length with Transfer-Encoding',
  HPE_INVALID_CONTENT_LENGTH: "the request's Content-Length is not a number",
  HPE_HEADER_OVERFLOW: "the request's headers are larger than the server takes",
  HPE_INVALID_METHOD: 'the request line names no HTTP method',
  HPE_INVALID_TRANSFER_ENCODING: "the request's Transfer-Encoding is not chunked",
};

/**
 * A request Node's HTTP parser refused (a second Content-Length, a bad chunk, headers too large)
 * or one that timed out, answered in the API's error shape: Fastify's default answered
 * {"error":"Bad Request","message":"Client Error"}, naming nothing.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = timeout ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body: ApiErrorBody = timeout
    ? {
        error: 'request_timeout',
        detail: 'the request did not arrive whole in time (server.headersTimeoutMs for its headers, server.requestTimeoutMs for all of it)',
      }
    : { error: 'bad_request', detail: `malformed HTTP request: ${CLIENT_ERRORS[err.code ?? ''] ?? err.message}${err.code ? ` (${err.code})` : ''}` };
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

export async function buildApp(engines: Engines, opts: AppOptions = {}): Promise<FastifyInstance> {
  // every request takes several ticks: their entries' shape must outlive full collections (tick-shape.ts)
  keepTickShape();
  const cfg = engines.config.server;
  // The log (warnings and errors, one JSON line each on stdout) is ours, not Fastify's: given a
  // logger, Fastify makes each request a child logger and listens for the end of each response
  // to log it at info level, which this log never shows. With serving's former onResponse hook
  // (which had it listen too), that was about 4 % of the serving thread's time on a cached
  // answer (perf, the thread's samples). Nor is it given as a child logger factory: Fastify then
  // checks each request's logger for its seven methods (an array and a closure a request: about
  // 1.4 % of a cached answer's serving-thread samples). Each request is handed this one logger in
  // the first hook; an error's line names its request.
  const log = opts.logger ? pino({ level: 'warn' }) : undefined;
  const app = Fastify({
    logger: false,
    bodyLimit: cfg.bodyLimitBytes,
    // no request may hold a connection for ever: stalled headers or bodies get 408 and are closed
    requestTimeout: cfg.requestTimeoutMs,
    keepAliveTimeout: cfg.keepAliveTimeoutMs,
    // Node checks those timeouts on this period (30 s by default): often enough for short ones
    http: { connectionsCheckingInterval: Math.min(5000, Math.max(250, Math.floor(cfg.requestTimeoutMs / 4))) },
    trustProxy: cfg.trustedProxies.length ? cfg.trustedProxies : false,
    // Strict bodies: no silent type coercion, no dropped fields; one error is enough to answer.
    // verbose: a failed check carries its schema, whose description names what was expected
    ajv: { customOptions: AJV_CUSTOM_OPTIONS },
    routerOptions: { maxParamLength: 500 },
    // errors of the router itself (a URL that is not valid UTF-8, ...) in the API's error shape too
    frameworkErrors: (error, _req, reply) => {
      const body: ApiErrorBody = { error: 'bad_request', detail: `${error.message}: the URL must be valid percent-encoded UTF-8` };
      (reply as FastifyReply).status(400).send(body);
    },
    clientErrorHandler: answerClientError,
  });
  // The seed's DELETE sends "Content-Type: application/json" with no body: an empty body is no
  // body there; for POST it stays an error. Fastify's own parser guards against proto poisoning.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  /**
   * JSON by Fastify's parser, which refuses "__proto__" and "constructor.prototype" keys but says
   * "Body is not valid JSON" of them too: JSON that parses is told as the key it holds.
   */
  const parseJson = (req: FastifyRequest, text: string, done: (err: Error | null, value: unknown) => void) =>
    jsonParser(req, text, (err, value) => {
      if (!err) return done(unicodeError(text, value), value);
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      done(
        parses
          ? new HttpError(
              400,
              'validation_error',
              'body: holds a "__proto__" or "constructor" "prototype" key, refused (it could change every object): remove it',
              {
                field: 'body',
              },
            )
          : err,
        undefined,
      );
    });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    if ((body as Buffer).length === 0 && (req.method === 'DELETE' || req.method === 'GET')) return done(null, undefined);
    const text = utf8Text(body as Buffer);
    if (text instanceof HttpError) return done(text, undefined);
    const tooDeep = jsonDepthError(text);
    if (tooDeep) return done(tooDeep, undefined);
    parseJson(req, text, done);
  });
  // Bodies are JSON; plain text is refused with 415 rather than guessed at.
  app.removeContentTypeParser('text/plain');
  // curl -d (the seed's commands) sends x-www-form-urlencoded: read such a body as JSON.
  // Cross-site forms cannot abuse this: requests from browser origins not configured are refused.
  // The same parser as JSON's: a "__proto__" or "constructor" key is refused here too (JSON.parse took it).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req, body, done) => {
    const text = utf8Text(body as Buffer);
    if (text instanceof HttpError) return done(text, undefined);
    const tooDeep = jsonDepthError(text);
    if (tooDeep) return done(tooDeep, undefined);
    parseJson(req, text, done);
  });
  limitConnections(app.server, cfg);
  if (log) logEveryRequestTo(app, log);
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
  await app.register(checkRoutes, { engines });
  const hot = opts.hotRoutes === false ? undefined : new HotRoutes(cfg, log ?? app.log);
  await app.register(featureServerRoutes, { engines, ...(hot ? { hot } : {}) });
  await app.register(registryRoutes, { engines });
  const streams = new EventStreams(cfg.maxEventStreams);
  await app.register(trainingRoutes, { engines, streams });
  await app.register(dataRoutes, { engines, streams });
  await app.register(servingRoutes, { engines, log: log ?? app.log, ...(hot ? { hot } : {}) });
  await app.register(userDataRoutes, { engines });
  await app.register(ingestionRoutes, { engines });
  await app.register(feedbackRoutes, { engines });
  await app.register(monitoringRoutes, { engines });

  if (opts.consoleDir && existsSync(opts.consoleDir)) {
    await app.register(fastifyStatic, { root: opts.consoleDir, prefix: '/', index: ['index.html'], wildcard: false });
  }
  app.decorate('serveRequest', hot ? hot.install(app) : app.routing);
  return app;
}

/**
 * Every request's log, and its reply's, is `log`: set in the first hook, before anything a request
 * does can log (Fastify's own warnings, a reply sent twice, go through the reply's log).
 */
function logEveryRequestTo(app: FastifyInstance, log: FastifyBaseLogger): void {
  app.addHook('onRequest', (req, reply, done) => {
    req.log = log;
    reply.log = log;
    done();
  });
}
