/**
 * The console's only way to the engines: the local HTTP API, typed by src-shared's contracts.
 * The base URL and token come from the Electron preload, else the page's own origin.
 */
import type { ApiErrorBody } from '../../src-shared/errors';
import type { GetOnlineFeaturesResponse, RegistrySnapshot, FeatureViewDef, FeatureServiceDef, EntityDef, DataSourceDef, MaterializeResponse } from '../../src-shared/featurestore';
import type { RunRecord, ModelVersion, StartRunRequest, TrainEvent } from '../../src-shared/training';
import type { Alert, DriftReport } from '../../src-shared/monitoring';
export type { Alert, DriftReport, FeatureDrift } from '../../src-shared/monitoring';

export const apiBase = window.spamops?.apiBase ?? window.location.origin;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ApiErrorBody>,
  ) {
    super(body.detail ?? body.error ?? `HTTP ${status}`);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (window.spamops?.token) headers.authorization = `Bearer ${window.spamops.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiBase + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { error: 'unreachable', detail: `the local API at ${apiBase} does not answer (${(e as Error).message})` });
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new ApiError(res.status, (json ?? {}) as Partial<ApiErrorBody>);
  return json as T;
}

export interface Sms {
  user_id: string;
  sms_id: string;
  sender_id: string;
  sms_text: string;
  date_sent: string;
}
export interface PredictionOut {
  prediction: { ham: number; spam: number };
  top: { label: string; value: number };
  from_cache: boolean;
}
export interface ModelEntry {
  id: string;
  base: string;
  served_version: string | null;
  versions: ModelVersion[];
  latest_run: RunRecord | null;
}
export interface Health {
  status: string;
  storage: { backend: string; location: string };
  registry_version: number;
  bootstrapped: boolean;
}
export interface CallLogRow {
  called_at: string;
  endpoint: string;
  version: string;
  input_json: string;
}
export interface ServingStats {
  served: { name: string; version: string | null; aliases: string[]; loaded: string | null }[];
  cache: { hits: number; misses: number; hit_rate: number };
  requests: { total: number; by_endpoint: Record<string, number> };
  latency: { t: string; count: number; p50_ms: number; p95_ms: number; max_ms: number }[];
}
export const api = {
  health: () => call<Health>('GET', '/health'),
  messages: (user: string) => call<Sms[]>('GET', `/sms/${encodeURIComponent(user)}`),
  send: (recipient_id: string, sender_id: string, sms_text: string) => call<{ success: boolean; reason: string; sms_id: string }>('POST', '/sms', { recipient_id, sender_id, sms_text }),
  textToPrediction: (v: string, text: string) => call<PredictionOut>('POST', `/model/${v}/text_to_prediction`, { text }),
  featuresToPrediction: (v: string, features: number[]) => call<PredictionOut>('POST', `/model/${v}/features_to_prediction`, { features }),
  onlineFeatures: (body: { entities: { sms_id: string[] }; feature_service?: string; features?: string[] }) => call<GetOnlineFeaturesResponse>('POST', '/get-online-features', body),
  feedback: (body: Record<string, unknown>) => call<{ id: string }>('POST', '/feedback', body),
  registry: () => call<RegistrySnapshot>('GET', '/registry'),
  entities: () => call<EntityDef[]>('GET', '/registry/entities'),
  sources: () => call<(DataSourceDef & { parts?: number })[]>('GET', '/registry/data-sources'),
  views: () => call<(FeatureViewDef & { online_rows: number; materialized_until: string | null })[]>('GET', '/registry/feature-views'),
  services: () => call<FeatureServiceDef[]>('GET', '/registry/feature-services'),
  history: () => call<RegistrySnapshot[]>('GET', '/registry/history'),
  preview: (source: string) => call<{ total_rows: number; parts: number; rows: Record<string, unknown>[] }>('GET', `/offline/${encodeURIComponent(source)}/preview?limit=20`),
  materialize: (start_ts: string, end_ts: string) => call<MaterializeResponse>('POST', '/materialize', { start_ts, end_ts }),
  materializeIncremental: (end_ts: string) => call<MaterializeResponse>('POST', '/materialize-incremental', { end_ts }),
  runs: () => call<RunRecord[]>('GET', '/runs'),
  run: (id: string) => call<RunRecord>('GET', `/runs/${id}`),
  startRun: (req: StartRunRequest) => call<RunRecord>('POST', '/runs', req),
  cancelRun: (id: string) => call<RunRecord>('POST', `/runs/${id}/cancel`),
  models: () => call<ModelEntry[]>('GET', '/models'),
  setAlias: (name: string, alias: string, version: string) => call<ModelVersion>('POST', `/models/${name}/aliases`, { alias, version }),
  deleteVersion: (name: string, version: string, force = false) => call<unknown>('DELETE', `/models/${name}/versions/${version}${force ? '?force=true' : ''}`),
  callLog: (v: string) => call<CallLogRow[]>('GET', `/model/${v}/recent_call_log`),
  servingStats: () => call<ServingStats>('GET', '/serving/stats'),
  drift: (model: string) => call<DriftReport>('GET', `/monitoring/drift?model=${encodeURIComponent(model)}`),
  check: (model: string) => call<DriftReport>('POST', '/monitoring/check', { model }),
  driftHistory: (model: string) => call<DriftReport[]>('GET', `/monitoring/drift/history?model=${encodeURIComponent(model)}`),
  alerts: () => call<Alert[]>('GET', '/monitoring/alerts'),
  ack: (id: string) => call<Alert>('POST', `/monitoring/alerts/${id}/ack`, {}),
};

/** live progress of a run (Server-Sent Events); returns a function that stops listening */
export function watchRun(id: string, on: (e: TrainEvent | { type: 'snapshot'; record: RunRecord }) => void): () => void {
  const es = new EventSource(`${apiBase}/runs/${id}/events`);
  for (const t of ['snapshot', 'status', 'data', 'batch', 'epoch', 'done']) es.addEventListener(t, (m) => on(JSON.parse((m as MessageEvent).data)));
  es.addEventListener('done', () => es.close());
  es.onerror = () => es.close();
  return () => es.close();
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
