/**
 * Model serving over HTTP, one router per served version as in the seed (`/model/{v}/…`), plus the
 * text-classification service's `/prediction`. The routes only parse and answer: the cache, the
 * call log and the recording of predictions are serving's (`serving/endpoints.ts`). The caller is
 * the client address (X-Forwarded-For only from trusted proxies).
 */
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { Readable } from 'node:stream';
import type { Engines } from '../engines';
import { ServingEndpoints } from '../serving';
import { serving as routes } from '../../src-shared/routes/serving';
import { HttpError } from './errors';
import { jsonDepthError } from './json-depth';
import { unicodeError, utf8Text } from './body-text';
import { serve, type RouteExtras } from './declare';
import type { HotHandler, HotRoutes } from './hot-routes';
import { rowsCsv } from '../featurestore';
import type { CallLogRow } from '../../src-shared/serving';

const CALL_LOG_COLUMNS = ['called_at', 'caller_id', 'endpoint', 'version', 'input_json'];

declare module 'fastify' {
  interface FastifyRequest {
    /** when a timed serving route took the request (performance.now()); 0 on the other routes */
    servedFrom: number;
  }
}

/** a served version's statistics name (short); an unknown one answered 404 and is counted under it, capped in length */
function versionOf(params: { version?: unknown } | undefined, body: { model_id?: unknown } | undefined): string {
  const version = typeof params?.version === 'string' ? params.version : typeof body?.model_id === 'string' ? body.model_id : '';
  return version.slice(0, 40);
}

export const servingRoutes: FastifyPluginAsync<{ engines: Engines; log: FastifyBaseLogger; hot?: HotRoutes }> = async (app, { engines, log, hot }) => {
  const endpoints = new ServingEndpoints({
    served: engines.serving,
    callLog: engines.storage.callLog,
    models: engines.models,
    recordServed: (m, p) => engines.monitor.recorder.recordServed(m, p),
    warn: (e) => log.warn(e),
    batching: engines.config.batching,
    ...(engines.config.batching.offThread ? { offThread: (m, rows) => engines.servingThread.predict(m, rows) } : {}),
  });
  app.addHook('onClose', endpoints.flushCallLog);
  /**
   * A serving route's hooks, counting each response under the route's endpoint name: its latency
   * from the route taking the request to the answer serialized, about to be written, and the
   * version asked for. Hooks per route, so no request has to look up which route it took
   * (Fastify builds that answer as a new object each time). A request refused before the route
   * took it (a Host not served) is not counted.
   */
  app.decorateRequest('servedFrom', 0);
  const timed = (endpoint: string): RouteExtras => ({
    onRequest(req, _reply, done) {
      req.servedFrom = performance.now();
      done();
    },
    onSend(req, _reply, payload, done) {
      if (req.servedFrom !== 0)
        endpoints.stats.record(
          endpoint,
          performance.now() - req.servedFrom,
          Date.now(),
          versionOf(req.params as { version?: unknown }, (req.body ?? req.query) as { model_id?: unknown }),
        );
      done(null, payload);
    },
  });
  /** the same count for an answer of the hot door (hot-routes.ts) */
  const counted =
    (endpoint: string) =>
    (req: { params: { version: string } }, ms: number): void =>
      endpoints.stats.record(endpoint, ms, Date.now(), versionOf(req.params, undefined));

  serve(app, routes.stats, async (req) => {
    const w = req.query.window;
    const windowMs = w ? Number(w.slice(0, -1)) * { s: 1000, m: 60_000, h: 3_600_000 }[w.slice(-1) as 's' | 'm' | 'h'] : undefined;
    return endpoints.statsAnswer(windowMs);
  });
  // the model routes, each through Fastify and through the hot door (same handler, same count)
  const textToFeatures: HotHandler<typeof routes.textToFeatures> = (req) => endpoints.textToFeatures(req.params.version, req.body.text, req.body, req.ip);
  const featuresToPrediction: HotHandler<typeof routes.featuresToPrediction> = (req) =>
    endpoints.featuresToPrediction(req.params.version, req.body.features, req.body, req.ip);
  const textToPrediction: HotHandler<typeof routes.textToPrediction> = (req) => endpoints.predictText(req.params.version, req.body.text, req.body, req.ip);
  serve(app, routes.textToFeatures, timed('text_to_features'), textToFeatures);
  serve(app, routes.featuresToPrediction, timed('features_to_prediction'), featuresToPrediction);
  serve(app, routes.textToPrediction, timed('text_to_prediction'), textToPrediction);
  hot?.add(routes.textToFeatures, textToFeatures, { answered: counted('text_to_features') });
  hot?.add(routes.featuresToPrediction, featuresToPrediction, { answered: counted('features_to_prediction') });
  hot?.add(routes.textToPrediction, textToPrediction, { answered: counted('text_to_prediction') });
  serve(app, routes.callLog, timed('recent_call_log'), async (req, reply) => {
    endpoints.checkServed(req.params.version);
    const rows = endpoints.recentCalls(req.params.version, req.ip);
    // a large log is streamed row by row instead of being gathered first
    async function* json() {
      yield '[';
      let first = true;
      for await (const r of rows) {
        yield `${first ? '' : ','}${JSON.stringify(r)}`;
        first = false;
      }
      yield ']';
    }
    return reply.type('application/json').send(Readable.from(json()));
  });

  serve(app, routes.versionPrediction, async (req) => endpoints.predictWithVersion(req.params.name, req.params.version, req.body.text, req.body, req.ip));
  serve(app, routes.callLogFile, async (req, reply) => {
    const version = req.query.version;
    if (version !== undefined) endpoints.checkServed(version);
    // at most 10,000 short rows: gathered, then written as JSON or CSV
    const all: CallLogRow[] = [];
    for await (const r of endpoints.recentCalls(version, req.ip, { withTried: true })) all.push(r);
    if (req.query.format !== 'csv') return all;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="call-log${version ? `-${version}` : ''}.csv"`)
      .send(rowsCsv(CALL_LOG_COLUMNS, all));
  });

  serve(app, routes.predict, timed('prediction'), async (req) => endpoints.topPredictions(req.body.model_id, req.body.text, req.body.n_top ?? 1, true));
  serve(app, routes.predictGet, timed('prediction'), async (req) => {
    let src: Record<string, unknown> = { ...req.query };
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > 0) {
      if (len > 100_000) throw new HttpError(413, 'payload_too_large', 'request body too large: GET /prediction takes at most 100,000 bytes');
      // as every body: JSON (curl -d's form type read as JSON), strict UTF-8, no lone surrogate; a
      // text/plain body and "\ud800" were taken here alone
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type && type !== 'application/json' && type !== 'application/x-www-form-urlencoded')
        throw new HttpError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', `unsupported content type "${type}": send application/json`);
      const chunks: Buffer[] = [];
      for await (const c of req.raw) chunks.push(c as Buffer);
      const text = utf8Text(Buffer.concat(chunks));
      if (text instanceof HttpError) throw text;
      const tooDeep = jsonDepthError(text);
      if (tooDeep) throw tooDeep;
      try {
        src = JSON.parse(text) as Record<string, unknown>;
      } catch (e) {
        throw new HttpError(400, 'bad_request', `malformed JSON: ${(e as Error).message}`);
      }
      if (!src || typeof src !== 'object' || Array.isArray(src))
        throw new HttpError(400, 'validation_error', 'body: expected a JSON object {model_id, text, n_top?}');
      const lone = unicodeError(text, src);
      if (lone) throw lone;
    }
    const { model_id, text } = src;
    const n = src.n_top === undefined ? 1 : Number(src.n_top);
    if (typeof model_id !== 'string' || !model_id) throw new HttpError(400, 'validation_error', 'model_id is required: v1, v2 or v3', { field: 'model_id' });
    if (typeof text !== 'string') throw new HttpError(400, 'validation_error', 'text is required: the text to classify', { field: 'text' });
    if (!Number.isInteger(n) || n < 1) throw new HttpError(400, 'validation_error', 'n_top: expected a positive integer', { field: 'n_top' });
    return endpoints.topPredictions(model_id, text, n, false);
  });
};
