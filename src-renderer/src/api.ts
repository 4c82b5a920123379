/**
 * The console's only way to the engines: the local HTTP API, derived from the route declarations
 * in src-shared/routes (method, path and answer type of every call come from there; no path or
 * result type is written here). The base URL and token come from the Electron preload, else the
 * page's own origin.
 */
import type { ApiErrorBody } from '../../src-shared/errors';
import { routes } from '../../src-shared/routes';
import { pathOf, type AnswerOf, type BodyOf, type ParamsOf, type QueryOf, type RouteDeclaration } from '../../src-shared/routes/define';
import type { GetOnlineFeaturesRequest, PreviewQuery } from '../../src-shared/featurestore';
import type { AliasBody, PromotionQuery, RunEvent, RunLabelsBody, StartRunRequest, ThresholdBody, VersionSearchQuery } from '../../src-shared/training';
import type { FeedbackBody } from '../../src-shared/feedback';
import type { ImportEvent } from '../../src-shared/data';

import type { CheckBody, DriftReportFileQuery, ModelQuery, SettingsBody, SimulateBody } from '../../src-shared/monitoring';
export type { RetrainDecision, Simulation } from '../../src-shared/monitoring';

export type { Alert, DriftReport, DriftReportSummary, FeatureDrift, FeatureHistograms, MonitorSettings, StatTestName } from '../../src-shared/monitoring';
/** a drift report's window (last `size`, or from/to) and reference (training rows, or an earlier window) */
export interface DriftChoice {
  size?: number;
  from?: string;
  to?: string;
  reference?: 'training' | 'window';
  referenceFrom?: string;
  referenceTo?: string;
}
/** the choice without its empty parts */
const chosen = (c: DriftChoice) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== ''));
export type {
  RunRecord,
  ModelVersion,
  ModelEntry,
  RunEvent,
  TrainEvent,
  EpochMetrics,
  BatchMetrics,
  StartRunRequest,
  TrainParams,
  ThresholdBody,
  VersionEvaluation,
  VersionThreshold,
  AliasMove,
  PromotionCheck,
  VersionComparison,
  VersionSearchHit,
  VersionSearchQuery,
} from '../../src-shared/training';
export type {
  GetOnlineFeaturesResponse,
  MaterializeResponse,
  RegistrySnapshot,
  FeatureStatus,
  FeatureStatistics,
  FeatureViewStatistics,
  FeatureServiceStatistics,
  MessageContext,
  MessageContextAnswer,
  OfflinePreview,
  SourceInfo,
  ViewInfo,
} from '../../src-shared/featurestore';
export type { CallLogRow, LatencyBucket, PredictionAnswer, ServingStatsAnswer, VersionPredictionAnswer } from '../../src-shared/serving';
export type { InboxAnswer, Sms } from '../../src-shared/userdata';
export type { FeedbackBody } from '../../src-shared/feedback';
export type { HealthAnswer } from '../../src-shared/health';
export type { DataSummary, ImportEvent, ImportJob, ImportStep } from '../../src-shared/data';
export type { ConsumerStats, DeadLetter, IngestionStats, RetryAnswer } from '../../src-shared/ingestion';

export const apiBase = (window.spamops?.apiBase ?? window.location.origin).replace(/\/$/, '');
const token = window.spamops?.token;

/** An answer of the API that is not 2xx (or no answer at all: status 0), with its error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ApiErrorBody>,
  ) {
    super(body.detail ?? body.error ?? `HTTP ${status}`);
  }
}

/** a 404 from the router itself: the route does not exist (yet) on this API */
export const isMissingRoute = (e: unknown): boolean => e instanceof ApiError && e.status === 404 && (!e.body.detail || e.body.detail.startsWith('no route'));
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
export const statusOf = (e: unknown): number | undefined => (e instanceof ApiError ? e.status : undefined);

const authHeaders = (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiBase + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { error: 'unreachable', detail: `The local API at ${apiBase} does not answer (${errorText(e)}). Is \`spamops serve\` running?` });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    if (!res.ok) throw new ApiError(res.status, { error: 'http_error', detail: `HTTP ${res.status}: ${text.slice(0, 200)}` });
    throw new ApiError(res.status, { error: 'bad_response', detail: `${method} ${path} answered something that is not JSON` });
  }
  if (!res.ok) throw new ApiError(res.status, (json && typeof json === 'object' ? json : { detail: `HTTP ${res.status}` }) as Partial<ApiErrorBody>);
  return json as T;
}

/** what a call of a declared route sends: its path parameters, query and body, typed by the declaration */
type Input<R extends RouteDeclaration> = (ParamsOf<R> extends undefined ? { params?: undefined } : { params: ParamsOf<R> }) &
  (QueryOf<R> extends undefined ? { query?: undefined } : { query?: QueryOf<R> }) &
  (BodyOf<R> extends undefined ? { body?: undefined } : { body: BodyOf<R> });

/** the URL of a declared route (for event streams and downloads) */
export function urlOf<R extends RouteDeclaration>(r: R, input?: { params?: ParamsOf<R>; query?: QueryOf<R> }): string {
  const path = pathOf(r.url, input?.params as Record<string, string> | undefined);
  const query = Object.entries((input?.query ?? {}) as Record<string, string | number | undefined>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return query ? `${path}?${query}` : path;
}

/** calls a declared route: method, path and answer type all come from its declaration in src-shared/routes */
export function call<R extends RouteDeclaration>(r: R, ...[input]: Record<never, never> extends Input<R> ? [Input<R>?] : [Input<R>]): Promise<AnswerOf<R>> {
  return request<AnswerOf<R>>(r.method, urlOf(r, input), input?.body);
}

export const api = {
  health: () => call(routes.health.health),

  // inbox
  messages: (user_id: string, limit?: number) =>
    call(routes.userData.messages, { params: { user_id }, query: limit === undefined ? {} : { limit: String(limit) } }),
  send: (recipient_id: string, sender_id: string, sms_text: string) => call(routes.inbox.ingest, { body: { recipient_id, sender_id, sms_text } }),
  feedback: (body: FeedbackBody) => call(routes.feedback.record, { body }),

  // ingestion: the feature step's intake (change log or stream) and the stream's dead letters
  ingestionStats: () => call(routes.ingestion.stats),
  deadLetters: (limit = 50) => call(routes.ingestion.deadLetters, { query: { limit: String(limit) } }),
  retryDeadLetter: (seq: number) => call(routes.ingestion.retry, { params: { seq: String(seq) } }),

  // serving
  textToPrediction: (version: string, text: string) => call(routes.serving.textToPrediction, { params: { version }, body: { text } }),
  featuresToPrediction: (version: string, features: unknown[]) => call(routes.serving.featuresToPrediction, { params: { version }, body: { features } }),
  callLog: (version: string) => call(routes.serving.callLog, { params: { version } }),
  /** the caller's calls of a model id, its tried versions' included (`v3@2`) */
  callLogFile: (version: string) => call(routes.serving.callLogFile, { query: { version } }),
  /** "Try it" against any registered version: a number or an alias */
  versionPrediction: (name: string, version: string, text: string) => call(routes.serving.versionPrediction, { params: { name, version }, body: { text } }),
  servingStats: (window?: string) => call(routes.serving.stats, { query: window ? { window } : {} }),

  // feature store
  onlineFeatures: (body: GetOnlineFeaturesRequest) => call(routes.featureServer.onlineFeatures, { body }),
  entities: () => call(routes.registry.entities),
  sources: () => call(routes.registry.sources),
  views: () => call(routes.registry.views),
  services: () => call(routes.registry.services),
  history: () => call(routes.registry.history),
  preview: (name: string, limit = 50) => call(routes.registry.preview, { params: { name }, query: { limit: String(limit) } }),
  /** a page of the offline browser: offset, sort, order, prefix, label, from, to, columns (absent or empty: left out) */
  browse: (name: string, params: Record<string, string | number | undefined>) =>
    call(routes.registry.preview, {
      params: { name },
      query: Object.fromEntries(
        Object.entries(params)
          .filter(([, v]) => v !== undefined && v !== '')
          .map(([k, v]) => [k, String(v)]),
      ) as PreviewQuery,
    }),
  entityIds: (prefix: string) => call(routes.registry.onlineIds, { query: { ...(prefix ? { prefix } : {}), limit: '20' } }),
  messageContexts: (ids: string[]) => call(routes.registry.messages, { query: { ids: ids.join(',') } }),
  serviceStatistics: (service: string, at?: string) => call(routes.registry.serviceStatistics, { params: { name: service }, query: at ? { at } : {} }),
  statistics: (view: string, refresh = false) => call(routes.registry.statistics, { params: { name: view }, query: refresh ? { refresh: 'true' } : {} }),
  /** a CSV export of a route that takes format=csv (the API escapes formula cells), saved by the browser */
  downloadCsv: (path: string, params: Record<string, string | number | undefined>, file: string) => downloadCsv(path, params, file),
  materialize: (start_ts: string, end_ts: string) => call(routes.featureServer.materialize, { body: { start_ts, end_ts } }),
  materializeIncremental: (end_ts: string) => call(routes.featureServer.materializeIncremental, { body: { end_ts } }),

  // training and the model registry
  runs: () => call(routes.runs.list),
  run: (id: string) => call(routes.runs.get, { params: { id } }),
  startRun: (body: StartRunRequest) => call(routes.runs.start, { body }),
  cancelRun: (id: string) => call(routes.runs.cancel, { params: { id } }),
  labelRun: (id: string, body: RunLabelsBody) => call(routes.runs.labels, { params: { id }, body }),
  searchVersions: (query: VersionSearchQuery) => call(routes.models.search, { query }),
  compareVersions: (name: string, versions: string[]) => call(routes.models.compare, { params: { name }, query: { versions: versions.join(',') } }),
  models: () => call(routes.models.list),
  setAlias: (name: string, alias: string, version: string, o: Omit<AliasBody, 'alias' | 'version'> = {}) =>
    call(routes.models.setAlias, { params: { name }, body: { alias, version, ...o } }),
  promotionCheck: (name: string, version: string, query: PromotionQuery) => call(routes.models.promotionCheck, { params: { name, version }, query }),
  aliasHistory: (name: string) => call(routes.models.aliasHistory, { params: { name } }),
  rollback: (name: string, alias: string, note?: string) => call(routes.models.rollback, { params: { name, alias }, body: note ? { note } : {} }),
  evaluation: (name: string, version: string) => call(routes.models.evaluation, { params: { name, version } }),
  setThreshold: (name: string, version: string, body: ThresholdBody) => call(routes.models.setThreshold, { params: { name, version }, body }),
  deleteVersion: (name: string, version: string, force = false) =>
    call(routes.models.deleteVersion, { params: { name, version }, query: force ? { force: 'true' } : {} }),

  // monitoring
  drift: (model: string, c: DriftChoice = {}) =>
    call(routes.monitoring.drift, { query: { model, ...Object.fromEntries(Object.entries(chosen(c)).map(([k, v]) => [k, String(v)])) } as ModelQuery }),
  /** the report of the same window and reference as a file: one self-contained HTML page, or JSON */
  downloadDriftReport: (model: string, c: DriftChoice, format: 'html' | 'json') =>
    downloadFile(
      urlOf(routes.monitoring.driftReportFile, {
        query: { model, format, ...Object.fromEntries(Object.entries(chosen(c)).map(([k, v]) => [k, String(v)])) } as DriftReportFileQuery,
      }),
      format === 'html' ? 'text/html' : 'application/json',
      `drift-${model}-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`,
    ),
  check: (model: string, c: DriftChoice = {}) => call(routes.monitoring.check, { body: { model, ...chosen(c) } as CheckBody }),
  monitorSettings: () => call(routes.monitoring.settings),
  saveMonitorSettings: (patch: SettingsBody) => call(routes.monitoring.saveSettings, { body: patch }),
  driftHistory: (model: string) => call(routes.monitoring.history, { query: { model } }),
  featureHistograms: (model: string, feature: string, windows = 8) =>
    call(routes.monitoring.histograms, { params: { model, feature }, query: { windows: String(windows) } }),
  alerts: () => call(routes.monitoring.alerts),
  simulate: (body: SimulateBody) => call(routes.monitoring.simulate, { body }),
  simulations: () => call(routes.monitoring.simulations),
  stopSimulation: (id: string) => call(routes.monitoring.stopSimulation, { params: { id } }),
  retrain: (model: string, margin?: number, alertId?: string) =>
    call(routes.monitoring.retrain, { body: { model, ...(margin === undefined ? {} : { margin }), ...(alertId === undefined ? {} : { alertId }) } }),
  testWebhook: () => call(routes.monitoring.testWebhook),
  decisions: () => call(routes.monitoring.decisions),
  ack: (id: string, note?: string) => call(routes.monitoring.ack, { params: { id }, body: note ? { note } : {} }),

  // data
  dataSummary: () => call(routes.data.summary),
  imports: () => call(routes.data.imports),
  importUci: (which: 'sms' | 'youtube' | 'all') => call(routes.data.uci, { body: { which } }),
};

const RUN_EVENT_TYPES = ['snapshot', 'status', 'data', 'batch', 'epoch', 'done'];

/**
 * A stream of Server-Sent Events of the API, `done` ending it. EventSource cannot send an
 * Authorization header, so with a token the stream is read through fetch instead. Returns a
 * function that stops listening.
 */
function watchEvents<E extends { type: string }>(
  path: string,
  types: string[],
  what: string,
  on: (e: E) => void,
  onError?: (message: string) => void,
  /** a `done` event ends the stream (one run's, one import's); false: it goes on (every run's) */
  endsOnDone = true,
): () => void {
  const url = apiBase + path;
  let ended = false;
  const deliver = (data: string) => {
    try {
      const e = JSON.parse(data) as E;
      if (e.type === 'done' && endsOnDone) ended = true;
      on(e);
    } catch {
      /* a malformed event is skipped */
    }
  };
  if (!token) {
    const es = new EventSource(url);
    for (const t of types) es.addEventListener(t, (m) => deliver((m as MessageEvent<string>).data));
    es.onerror = () => {
      es.close();
      if (!ended) onError?.(`the live stream of ${what} was interrupted; refresh to see its state`);
    };
    const stop = () => es.close();
    if (endsOnDone) es.addEventListener('done', stop);
    return stop;
  }
  const ctrl = new AbortController();
  void (async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...authHeaders() }, signal: ctrl.signal });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (data) deliver(data);
        }
      }
      if (!ended && !ctrl.signal.aborted) onError?.(`the live stream of ${what} ended before it did (server restarted?)`);
    } catch (e) {
      if (!ctrl.signal.aborted && !ended) onError?.(`the live stream of ${what} failed: ${errorText(e)}`);
    }
  })();
  return () => ctrl.abort();
}

/** Live progress of a run (GET /runs/{id}/events). */
export const watchRun = (id: string, on: (e: RunEvent) => void, onError?: (message: string) => void) =>
  watchEvents<RunEvent>(urlOf(routes.runs.events, { params: { id } }), RUN_EVENT_TYPES, 'this run', on, onError);

/**
 * Every run's status, epochs and end (GET /runs-events), wherever it started: the console, a
 * retrain, the Data pane, a CLI beside the server. Batches are left out (each run's own stream has them).
 */
export const watchAllRuns = (on: (e: RunEvent) => void, onError?: (message: string) => void) =>
  watchEvents<RunEvent>(urlOf(routes.runs.allEvents), ['status', 'epoch', 'done'], 'the runs', on, onError, false);

/** Live steps of a data import (GET /data/imports/{id}/events). */
export const watchImport = (id: string, on: (e: ImportEvent) => void, onError?: (message: string) => void) =>
  watchEvents<ImportEvent>(urlOf(routes.data.events, { params: { id } }), ['job', 'done'], 'this import', on, onError);

/** Uploads a dataset file (multipart/form-data): the import job, or the API's error. */
export async function uploadDataset(file: File): Promise<AnswerOf<typeof routes.data.upload>> {
  const form = new FormData();
  form.append('file', file, file.name);
  let res: Response;
  try {
    res = await fetch(apiBase + urlOf(routes.data.upload), { method: 'POST', headers: { accept: 'application/json', ...authHeaders() }, body: form });
  } catch (e) {
    throw new ApiError(0, { error: 'unreachable', detail: `The local API at ${apiBase} does not answer (${errorText(e)}).` });
  }
  const json = (await res.json().catch(() => ({}))) as AnswerOf<typeof routes.data.upload> & Partial<ApiErrorBody>;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

/** `?a=1&b=x` of the parameters that are set (empty strings left out) */
export function queryString(params: Record<string, string | number | undefined>): string {
  const p = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '');
  return p.length ? `?${p.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}` : '';
}

function downloadCsv(path: string, params: Record<string, string | number | undefined>, file: string): Promise<void> {
  return downloadFile(`${path}${queryString({ ...params, format: 'csv' })}`, 'text/csv', file);
}

/** fetches a file the API makes (with the console's token) and hands it to the browser as a download */
async function downloadFile(pathAndQuery: string, type: string, file: string): Promise<void> {
  const res = await fetch(`${apiBase}${pathAndQuery}`, { headers: { accept: type, ...authHeaders() } });
  const text = await res.text();
  if (!res.ok) {
    let body: Partial<ApiErrorBody> = { detail: `HTTP ${res.status}` };
    try {
      body = JSON.parse(text) as Partial<ApiErrorBody>;
    } catch {
      // not JSON: the status says it
    }
    throw new ApiError(res.status, body);
  }
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
