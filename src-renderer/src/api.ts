/**
 * The console's only way to the engines: the local HTTP API, typed by src-shared's contracts.
 * The base URL and token come from the Electron preload, else the page's own origin.
 */
import type { ApiErrorBody } from '../../src-shared/errors';
import type {
  EntityDef,
  FeatureServiceDef,
  GetOnlineFeaturesRequest,
  GetOnlineFeaturesResponse,
  MaterializeResponse,
  OfflinePreview,
  RegistrySnapshot,
  SourceInfo,
  ViewInfo,
} from '../../src-shared/featurestore';
import type { DeletedAnswer, ModelEntry, ModelVersion, RunEvent, RunRecord, StartRunRequest } from '../../src-shared/training';
import type { Alert, DriftReport, MonitorSettings } from '../../src-shared/monitoring';
import type { CallLogRow, PredictionAnswer, ServingStatsAnswer } from '../../src-shared/serving';
import type { InboxAnswer, Sms } from '../../src-shared/userdata';
import type { FeedbackAnswer, FeedbackBody } from '../../src-shared/feedback';
import type { HealthAnswer } from '../../src-shared/health';
import type { DataSummary, ImportEvent, ImportJob } from '../../src-shared/data';
import type { DeadLetter, IngestionStats, RetryAnswer } from '../../src-shared/ingestion';

export type { Alert, DriftReport, FeatureDrift, MonitorSettings, StatTestName } from '../../src-shared/monitoring';
/** a drift report's window (last `size`, or from/to) and reference (training rows, or an earlier window) */
export interface DriftChoice {
  size?: number;
  from?: string;
  to?: string;
  reference?: 'training' | 'window';
  referenceFrom?: string;
  referenceTo?: string;
}
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
} from '../../src-shared/training';
export type {
  GetOnlineFeaturesResponse,
  MaterializeResponse,
  RegistrySnapshot,
  FeatureStatus,
  OfflinePreview,
  SourceInfo,
  ViewInfo,
} from '../../src-shared/featurestore';
export type { CallLogRow, LatencyBucket, PredictionAnswer, ServingStatsAnswer } from '../../src-shared/serving';
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

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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

const q = encodeURIComponent;

export const api = {
  health: () => call<HealthAnswer>('GET', '/health'),

  // inbox
  messages: (user: string) => call<Sms[]>('GET', `/sms/${q(user)}`),
  send: (recipient_id: string, sender_id: string, sms_text: string) => call<InboxAnswer>('POST', '/sms', { recipient_id, sender_id, sms_text }),
  feedback: (body: FeedbackBody) => call<FeedbackAnswer>('POST', '/feedback', body),

  // ingestion: the feature step's intake (change log or stream) and the stream's dead letters
  ingestionStats: () => call<IngestionStats>('GET', '/ingestion/stats'),
  deadLetters: (limit = 50) => call<DeadLetter[]>('GET', `/ingestion/dead-letters?limit=${limit}`),
  retryDeadLetter: (seq: number) => call<RetryAnswer>('POST', `/ingestion/dead-letters/${seq}/retry`, {}),

  // serving
  textToPrediction: (v: string, text: string) => call<PredictionAnswer>('POST', `/model/${q(v)}/text_to_prediction`, { text }),
  featuresToPrediction: (v: string, features: unknown[]) => call<PredictionAnswer>('POST', `/model/${q(v)}/features_to_prediction`, { features }),
  callLog: (v: string) => call<CallLogRow[]>('GET', `/model/${q(v)}/recent_call_log`),
  servingStats: () => call<ServingStatsAnswer>('GET', '/serving/stats'),

  // feature store
  onlineFeatures: (body: GetOnlineFeaturesRequest) => call<GetOnlineFeaturesResponse>('POST', '/get-online-features', body),
  entities: () => call<EntityDef[]>('GET', '/registry/entities'),
  sources: () => call<SourceInfo[]>('GET', '/registry/data-sources'),
  views: () => call<ViewInfo[]>('GET', '/registry/feature-views'),
  services: () => call<FeatureServiceDef[]>('GET', '/registry/feature-services'),
  history: () => call<RegistrySnapshot[]>('GET', '/registry/history'),
  preview: (source: string, limit = 50) => call<OfflinePreview>('GET', `/offline/${q(source)}/preview?limit=${limit}`),
  materialize: (start_ts: string, end_ts: string) => call<MaterializeResponse>('POST', '/materialize', { start_ts, end_ts }),
  materializeIncremental: (end_ts: string) => call<MaterializeResponse>('POST', '/materialize-incremental', { end_ts }),

  // training and the model registry
  runs: () => call<RunRecord[]>('GET', '/runs'),
  run: (id: string) => call<RunRecord>('GET', `/runs/${q(id)}`),
  startRun: (req: StartRunRequest) => call<RunRecord>('POST', '/runs', req),
  cancelRun: (id: string) => call<RunRecord>('POST', `/runs/${q(id)}/cancel`),
  models: () => call<ModelEntry[]>('GET', '/models'),
  setAlias: (name: string, alias: string, version: string) => call<ModelVersion>('POST', `/models/${q(name)}/aliases`, { alias, version }),
  deleteVersion: (name: string, version: string, force = false) =>
    call<DeletedAnswer>('DELETE', `/models/${q(name)}/versions/${q(version)}${force ? '?force=true' : ''}`),

  // monitoring
  drift: (model: string, c: DriftChoice = {}) =>
    call<DriftReport>(
      'GET',
      `/monitoring/drift?${new URLSearchParams({
        model,
        ...Object.fromEntries(
          Object.entries(c)
            .filter(([, v]) => v !== undefined && v !== '')
            .map(([k, v]) => [k, String(v)]),
        ),
      })}`,
    ),
  check: (model: string, c: DriftChoice = {}) =>
    call<DriftReport>('POST', '/monitoring/check', { model, ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== '')) }),
  monitorSettings: () => call<MonitorSettings>('GET', '/monitoring/settings'),
  saveMonitorSettings: (patch: Partial<MonitorSettings>) => call<MonitorSettings>('PUT', '/monitoring/settings', patch),
  driftHistory: (model: string) => call<DriftReport[]>('GET', `/monitoring/drift/history?model=${q(model)}`),
  alerts: () => call<Alert[]>('GET', '/monitoring/alerts'),
  ack: (id: string) => call<Alert>('POST', `/monitoring/alerts/${q(id)}/ack`, {}),

  // data
  dataSummary: () => call<DataSummary>('GET', '/data/summary'),
  imports: () => call<ImportJob[]>('GET', '/data/imports'),
  importUci: (which: 'sms' | 'youtube' | 'all') => call<ImportJob>('POST', '/data/imports/uci', { which }),
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
  const url = `${apiBase}${path}`;
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
  watchEvents<RunEvent>(`/runs/${q(id)}/events`, RUN_EVENT_TYPES, 'this run', on, onError);

/**
 * Every run's status, epochs and end (GET /runs-events), wherever it started: the console, a
 * retrain, the Data pane, a CLI beside the server. Batches are left out (each run's own stream has them).
 */
export const watchAllRuns = (on: (e: RunEvent) => void, onError?: (message: string) => void) =>
  watchEvents<RunEvent>('/runs-events', ['status', 'epoch', 'done'], 'the runs', on, onError, false);

/** Live steps of a data import (GET /data/imports/{id}/events). */
export const watchImport = (id: string, on: (e: ImportEvent) => void, onError?: (message: string) => void) =>
  watchEvents<ImportEvent>(`/data/imports/${q(id)}/events`, ['job', 'done'], 'this import', on, onError);

/** Uploads a dataset file (multipart/form-data): the import job, or the API's error. */
export async function uploadDataset(file: File): Promise<ImportJob> {
  const form = new FormData();
  form.append('file', file, file.name);
  let res: Response;
  try {
    res = await fetch(`${apiBase}/data/imports`, { method: 'POST', headers: { accept: 'application/json', ...authHeaders() }, body: form });
  } catch (e) {
    throw new ApiError(0, { error: 'unreachable', detail: `The local API at ${apiBase} does not answer (${errorText(e)}).` });
  }
  const json = (await res.json().catch(() => ({}))) as ImportJob & Partial<ApiErrorBody>;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}
