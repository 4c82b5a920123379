/**
 * Model serving, one router per served version as in the seed (`/model/{v}/…`), plus the
 * text-classification service's `/prediction`. Cache and call log are written after the
 * response is sent; the caller is the client address (X-Forwarded-For only from trusted proxies).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { Engines } from '../engines';
import { FeatureVectorError, NoModelYetError, NotServedError, ServingStats, top, type Prediction, type ServedModel } from '../serving';
import { HttpError } from './errors';
import { jsonDepthError } from './json-depth';
import type { CallLogEntry } from '../storage';
import {
  FeaturesAnswer,
  FeaturesBody,
  PredictionAnswer,
  PredictionQuery,
  PredictionRequest,
  ServedVersionParam,
  ServingStatsAnswer,
  ServingStatsQuery,
  TextBody,
  TopPredictionsAnswer,
} from '../../src-shared/serving';

const CALL_LOG_TTL_SECONDS = 3600;
const CALL_LOG_MAX_ROWS = 10_000;

type Endpoint = 'text_to_features' | 'features_to_prediction' | 'text_to_prediction';

export const servingRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const served = engines.serving;
  const cache = engines.serving.cache;
  const tags = ['model serving'];
  const stats = new ServingStats();

  // latency of every serving request, from arrival to the response being sent
  app.addHook('onResponse', async (req, reply) => {
    const url = req.routeOptions.url ?? '';
    if (url.startsWith('/model/') || url === '/prediction') {
      const params = req.params as { version?: unknown } | undefined;
      const body = (req.body ?? req.query) as { model_id?: unknown } | undefined;
      const version = typeof params?.version === 'string' ? params.version : typeof body?.model_id === 'string' ? body.model_id : '';
      // a version is a served name (short); an unknown one answered 404 and is counted under it, capped in length
      stats.record(url.split('/').pop() ?? url, reply.elapsedTime, Date.now(), version.slice(0, 40));
    }
  });
  app.get(
    '/serving/stats',
    {
      schema: {
        tags,
        summary: 'Served versions, cache hit rate, request counts and latency per 10 s (in all and per route and version) over the last hour or ?window=',
        querystring: ServingStatsQuery,
        response: { 200: ServingStatsAnswer },
      },
    },
    async (req: FastifyRequest<{ Querystring: ServingStatsQuery }>): Promise<ServingStatsAnswer> => {
      const w = req.query.window;
      const windowMs = w ? Number(w.slice(0, -1)) * { s: 1000, m: 60_000, h: 3_600_000 }[w.slice(-1) as 's' | 'm' | 'h'] : undefined;
      const served = await Promise.all(
        engines.serving.names.map(async (name) => {
          const v = await engines.models.resolve(name, engines.serving.alias);
          return { name, version: v?.version ?? null, aliases: v?.aliases ?? [], loaded: engines.serving.current(name)?.version ?? null };
        }),
      );
      return { served, ...stats.snapshot({ windowMs }) };
    },
  );

  const model = async (version: string): Promise<ServedModel> => {
    try {
      return await served.get(version);
    } catch (e) {
      if (e instanceof NotServedError) throw new HttpError(404, 'not_found', e.message, { known: e.served });
      if (e instanceof NoModelYetError) throw new HttpError(503, 'model_not_trained', e.message);
      throw e;
    }
  };

  /** the call log is written in batches, after the responses */
  let callLogBuffer: CallLogEntry[] = [];
  const flushCallLog = async () => {
    const entries = callLogBuffer;
    callLogBuffer = [];
    if (entries.length) await engines.storage.callLog.appendMany(entries, CALL_LOG_TTL_SECONDS).catch((e) => app.log.warn(e));
  };
  app.addHook('onClose', flushCallLog);

  /** after the response: cache write and call log, so the caller does not wait for them */
  const afterResponse = (req: FastifyRequest, version: string, endpoint: Endpoint, inputKey: string, output: string | undefined, input: unknown) => {
    if (callLogBuffer.length === 0) setTimeout(() => void flushCallLog(), 20);
    callLogBuffer.push({ caller_id: req.ip, called_at: Date.now(), endpoint, version, input_json: JSON.stringify(input) });
    if (output !== undefined) setImmediate(() => void cache.set(endpoint, version, inputKey, output).catch((e) => req.log.warn(e)));
  };

  const answer = async <T extends object>(
    req: FastifyRequest,
    version: string,
    endpoint: Endpoint,
    input: unknown,
    body: { echo_input?: boolean; skip_cache?: boolean },
    compute: (m: ServedModel) => T,
  ): Promise<T & { from_cache: boolean; input?: unknown }> => {
    const m = await model(version);
    const key = JSON.stringify(input);
    const echo = body.echo_input ? { input } : {};
    if (!body.skip_cache) {
      const hit = await cache.get(endpoint, version, key);
      if (hit !== undefined) {
        stats.hits++;
        afterResponse(req, version, endpoint, key, undefined, input);
        return { ...(JSON.parse(hit) as T), from_cache: true, ...echo };
      }
    }
    if (!body.skip_cache) stats.misses++;
    let out: T;
    try {
      out = compute(m);
    } catch (e) {
      if (e instanceof FeatureVectorError) throw new HttpError(422, 'unprocessable_features', e.message, { field: 'body.features' });
      throw e;
    }
    afterResponse(req, version, endpoint, key, JSON.stringify(out), input);
    return { ...out, from_cache: false, ...echo };
  };

  /** every served prediction goes to the monitoring engine (an in-memory append) */
  const record = (req: FastifyRequest, name: string, endpoint: string, features: number[] | undefined, spam: number, text?: string) => {
    const m = served.current(name);
    if (!m) return;
    engines.monitor.recorder.recordServed(m, { endpoint, caller: req.ip, features: features ?? m.textToFeatures(text ?? ''), spam, text });
  };

  const predictionOf = (p: Prediction) => ({ prediction: { ham: p.ham, spam: p.spam }, top: top(p) });

  app.post<{ Params: ServedVersionParam; Body: TextBody }>(
    '/model/:version/text_to_features',
    { schema: { tags, summary: 'Text to the feature vector of the version', params: ServedVersionParam, body: TextBody, response: { 200: FeaturesAnswer } } },
    async (req) => answer(req, req.params.version, 'text_to_features', req.body.text, req.body, (m) => ({ features: m.textToFeatures(req.body.text) })),
  );
  app.post<{ Params: ServedVersionParam; Body: FeaturesBody }>(
    '/model/:version/features_to_prediction',
    {
      schema: {
        tags,
        summary: 'Feature vector to ham/spam probabilities',
        params: ServedVersionParam,
        body: FeaturesBody,
        response: { 200: PredictionAnswer },
      },
    },
    async (req) => {
      const r = await answer(req, req.params.version, 'features_to_prediction', req.body.features, req.body, (m) =>
        predictionOf(m.predict([m.checkFeatures(req.body.features)])[0]),
      );
      record(req, req.params.version, 'features_to_prediction', req.body.features as number[], r.prediction.spam);
      return r;
    },
  );
  app.post<{ Params: ServedVersionParam; Body: TextBody }>(
    '/model/:version/text_to_prediction',
    { schema: { tags, summary: 'Text to ham/spam probabilities', params: ServedVersionParam, body: TextBody, response: { 200: PredictionAnswer } } },
    async (req) => {
      const r = await answer(req, req.params.version, 'text_to_prediction', req.body.text, req.body, (m) =>
        predictionOf(m.predict([m.textToFeatures(req.body.text)])[0]),
      );
      record(req, req.params.version, 'text_to_prediction', undefined, r.prediction.spam, req.body.text);
      return r;
    },
  );
  app.get<{ Params: ServedVersionParam }>(
    '/model/:version/recent_call_log',
    { schema: { tags, summary: "The caller's calls of the last hour, newest first (streamed; CallLogRow[])", params: ServedVersionParam } },
    async (req, reply: FastifyReply) => {
      if (!served.isServed(req.params.version))
        throw new HttpError(404, 'not_found', `model version "${req.params.version}" is not served here; served: ${served.names.join(', ')}`, {
          known: [...served.names],
        });
      await flushCallLog(); // the caller's latest calls are part of the answer
      const rows = engines.storage.callLog.recent(req.ip, Date.now() - CALL_LOG_TTL_SECONDS * 1000);
      const version = req.params.version;
      // a large log is streamed row by row instead of being gathered first
      async function* json() {
        yield '[';
        let first = true;
        let n = 0;
        for await (const r of rows) {
          if (r.version !== version) continue;
          if (++n > CALL_LOG_MAX_ROWS) break; // bounded like every list: the newest 10,000
          yield `${first ? '' : ','}${JSON.stringify({ caller_id: r.caller_id, called_at: new Date(r.called_at).toISOString(), endpoint: r.endpoint, version: r.version, input_json: r.input_json })}`;
          first = false;
        }
        yield ']';
      }
      reply.type('application/json');
      return reply.send(Readable.from(json()));
    },
  );

  /* ---------- the text-classification service (seed 002): /prediction with n_top ---------- */
  /** `record`: POST only. A GET never changes state: any web page can send one (`<img src>`) */
  const predictTop = async (modelId: string, text: string, nTop: number, record: boolean): Promise<TopPredictionsAnswer> => {
    let m: ServedModel;
    try {
      m = await served.getAny(modelId);
    } catch (e) {
      if (e instanceof NoModelYetError)
        throw new HttpError(404, 'not_found', `no model "${modelId}" is registered; models: ${(await engines.models.names()).join(', ')}`, {
          known: await engines.models.names(),
        });
      throw e;
    }
    const features = m.textToFeatures(text);
    const p = m.predict([features])[0];
    const ranked = [
      { label: 'ham', score: p.ham },
      { label: 'spam', score: p.spam },
    ].sort((a, b) => b.score - a.score);
    if (record) engines.monitor.recorder.recordServed(m, { endpoint: 'prediction', caller: 'api', features, spam: p.spam, text });
    return { model_id: modelId, version: m.version, text, predictions: ranked.slice(0, nTop) };
  };
  app.post<{ Body: PredictionRequest }>(
    '/prediction',
    { schema: { tags, summary: 'Top-n labels of a text with their scores', body: PredictionRequest, response: { 200: TopPredictionsAnswer } } },
    async (req) => predictTop(req.body.model_id, req.body.text, req.body.n_top ?? 1, true),
  );
  // The seed sends GET with a JSON body (curl -X GET -d ...); query parameters work too.
  app.get<{ Querystring: PredictionQuery }>(
    '/prediction',
    {
      schema: {
        tags,
        summary: 'As POST /prediction, but not recorded for monitoring (a GET changes nothing); the JSON body of a GET, or ?model_id=&text=&n_top=',
        querystring: PredictionQuery,
        response: { 200: TopPredictionsAnswer },
      },
    },
    async (req) => {
      let src: Record<string, unknown> = { ...req.query };
      const len = Number(req.headers['content-length'] ?? 0);
      if (len > 0) {
        if (len > 100_000) throw new HttpError(413, 'payload_too_large', 'request body too large: GET /prediction takes at most 100,000 bytes');
        const chunks: Buffer[] = [];
        for await (const c of req.raw) chunks.push(c as Buffer);
        const text = Buffer.concat(chunks).toString('utf8');
        const tooDeep = jsonDepthError(text);
        if (tooDeep) throw tooDeep;
        try {
          src = JSON.parse(text) as Record<string, unknown>;
        } catch (e) {
          throw new HttpError(400, 'bad_request', `malformed JSON: ${(e as Error).message}`);
        }
        if (!src || typeof src !== 'object' || Array.isArray(src))
          throw new HttpError(400, 'validation_error', 'body: expected a JSON object {model_id, text, n_top?}');
      }
      const { model_id, text } = src;
      const n = src.n_top === undefined ? 1 : Number(src.n_top);
      if (typeof model_id !== 'string' || !model_id) throw new HttpError(400, 'validation_error', 'model_id is required: v1, v2 or v3', { field: 'model_id' });
      if (typeof text !== 'string') throw new HttpError(400, 'validation_error', 'text is required: the text to classify', { field: 'text' });
      if (!Number.isInteger(n) || n < 1) throw new HttpError(400, 'validation_error', 'n_top: expected a positive integer', { field: 'n_top' });
      return predictTop(model_id, text, n, false);
    },
  );
};
