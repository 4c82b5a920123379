/**
 * The monitoring engine: served predictions are recorded; a check compares a window of them
 * with the model's training reference (drift, prediction drift, quality from feedback), keeps
 * the report for the time series, and raises an alert when dataset drift turns true or quality
 * drops below its threshold (listed, sent to a webhook, acknowledged by an operator).
 */
import { randomBytes } from 'node:crypto';
import type { AlertStore, DocumentStore, DriftReportStore, PredictionStore } from '../storage';
import type { ModelRegistry } from '../models';
import { PredictionRecorder } from './recorder';
import { datasetDriftFeatures, type DriftReport } from './drift';
import type { DriftRunner, DriftWindow } from './drift-window';
import type { Alert, FeatureHistograms, MonitorSettings } from '../../src-shared/monitoring';
import type { Retrainer } from './retrain';

/** What the monitoring engine reads and keeps, and whom it asks to retrain. */
export interface MonitorDeps {
  /** where the saved settings are */
  documents: DocumentStore;
  reports: DriftReportStore;
  alerts: AlertStore;
  predictions: PredictionStore;
  models: Pick<ModelRegistry, 'resolve'>;
  /** the model ids serving answers for: checked on schedule */
  servedNames: readonly string[];
  retrainer: Pick<Retrainer, 'start'>;
  /** where drift windows are computed (a worker thread) */
  drift: Pick<DriftRunner, 'compute' | 'histograms' | 'stop'>;
  /** the defaults from the configuration (webhook, retraining); saved settings override them */
  defaults?: Partial<Pick<MonitorSettings, 'webhookUrl' | 'retrainOnAlert' | 'retrainEveryHours'>>;
}

/** the window of a check: the last `size` predictions of the last `hours`, or a time range; and its reference */
export interface CheckWindow {
  size?: number;
  hours?: number;
  /** epoch ms: the window starts at `fromMs` and ends before `toMs` */
  fromMs?: number;
  toMs?: number;
  /** an earlier window of live traffic as the reference (default: the training rows) */
  reference?: { fromMs?: number; toMs?: number; size?: number };
}

/** the stored reports looked through for the latest live one (checks of chosen windows between are passed over) */
const PREVIOUS_LOOKBACK = 50;

const iso = (ms?: number) => (ms === undefined ? '-' : new Date(ms).toISOString());

/** a check's window in the drift runner's terms, with the words that say how it was chosen */
export function windowOf(w: CheckWindow, s: Pick<MonitorSettings, 'windowSize' | 'windowHours'>): Omit<DriftWindow, 'version' | 'options'> {
  const ranged = w.fromMs !== undefined || w.toMs !== undefined;
  const size = w.size ?? (ranged ? 100_000 : s.windowSize);
  const sinceMs = w.fromMs !== undefined ? w.fromMs - 1 : Date.now() - (w.hours ?? s.windowHours) * 3_600_000;
  const selection = ranged
    ? `predictions from ${w.fromMs !== undefined ? iso(w.fromMs) : `the last ${w.hours ?? s.windowHours} h`} to ${w.toMs !== undefined ? iso(w.toMs) : 'now'} (at most ${size})`
    : `the last ${size} predictions of the last ${w.hours ?? s.windowHours} h`;
  return {
    sinceMs,
    size,
    untilMs: w.toMs,
    selection,
    ...(w.reference ? { reference: { sinceMs: (w.reference.fromMs ?? 1) - 1, untilMs: w.reference.toMs, size: w.reference.size ?? 100_000 } } : {}),
  };
}

/** a second acknowledgement with another note: the first stands */
export class AlreadyAcknowledgedError extends Error {
  constructor(readonly alert: Alert) {
    super(
      `alert ${alert.id} was acknowledged at ${alert.acknowledgedAt ?? 'an earlier time'}${alert.acknowledgedNote ? ` with the note "${alert.acknowledgedNote}"` : ' without a note'}; that acknowledgement stands`,
    );
  }
}

export class Monitor {
  readonly recorder: PredictionRecorder;
  settings: MonitorSettings;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: MonitorDeps) {
    this.recorder = new PredictionRecorder(deps.predictions);
    this.settings = {
      windowSize: 1000,
      windowHours: 24,
      qualityThreshold: 0.8,
      minLabelled: 20,
      webhookUrl: deps.defaults?.webhookUrl,
      drift: {},
      retrainOnAlert: deps.defaults?.retrainOnAlert ?? false,
      retrainEveryHours: deps.defaults?.retrainEveryHours ?? 0,
      retrainMargin: 0.01,
    };
  }

  /** settings saved by an operator (PUT /monitoring/settings) override the defaults */
  async loadSettings(): Promise<MonitorSettings> {
    const saved = await this.deps.documents.get('settings', 'monitoring');
    if (saved) this.settings = { ...this.settings, ...(JSON.parse(saved) as Partial<MonitorSettings>) };
    return this.settings;
  }

  async saveSettings(patch: Partial<MonitorSettings>): Promise<MonitorSettings> {
    this.settings = { ...this.settings, ...patch, drift: { ...this.settings.drift, ...(patch.drift ?? {}) } };
    await this.deps.documents.put('settings', 'monitoring', JSON.stringify(this.settings));
    return this.settings;
  }

  /** checks every served model every `intervalMs` */
  schedule(intervalMs = 15 * 60_000): void {
    this.timer = setInterval(() => {
      for (const m of this.deps.servedNames) void this.check(m).catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
    if (this.settings.retrainEveryHours > 0) {
      this.retrainTimer = setInterval(() => {
        for (const m of this.deps.servedNames)
          void this.deps.retrainer.start(m, { trigger: 'schedule', margin: this.settings.retrainMargin }).catch(() => undefined);
      }, this.settings.retrainEveryHours * 3_600_000);
      this.retrainTimer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.retrainTimer) clearInterval(this.retrainTimer);
    void this.deps.drift.stop();
  }

  private retrainTimer: NodeJS.Timeout | undefined;

  /**
   * A drift report of the model's current version over the latest window; stored and alerted on.
   * A check of a chosen window (a time range with an end of its own, or against an earlier window
   * of live traffic instead of the training rows) is stored for the time series but raises no alert and
   * is not the report an alert's start is judged from: a look at last week's drift would
   * otherwise raise an alert about the past, or hide (or raise anew) the one about now.
   */
  async check(model: string, window: CheckWindow = {}, store = true): Promise<DriftReport> {
    await this.recorder.flush();
    const version = await this.deps.models.resolve(model);
    if (!version) throw new Error(`model ${model} has no trained version to monitor`);
    const live = window.toMs === undefined && window.reference === undefined;
    const report: DriftReport = {
      ...(await this.deps.drift.compute({ version, options: this.settings.drift, ...windowOf(window, this.settings) })),
      live,
    };
    if (!store) return report;
    // an alert is raised once a condition starts: the model's previous live report counts only if
    // it is of the same version (a new version that drifts, or answers badly, is told of anew; it
    // was told of once per model, and a promoted version's drift raised nothing)
    const latest = live ? (await this.history(model, PREVIOUS_LOOKBACK)).reverse().find((r) => r.live !== false) : undefined;
    const previous = latest?.version === report.version ? latest : undefined;
    await this.deps.reports.put(report);
    if (!live) return report;
    if (report.status !== 'collecting' && report.datasetDrift && !previous?.datasetDrift)
      await this.alert(
        report,
        'dataset_drift',
        `dataset drift on ${model} v${version.version}: ${datasetDriftFeatures(report).join(', ')} drifted (${report.rule?.kind === 'holm' ? `Holm-adjusted p <= ${report.rule.alpha}; ` : ''}${(report.driftShare * 100).toFixed(0)} % of features past their own thresholds)`,
        {
          driftShare: report.driftShare,
          window: report.window.n,
        },
      );
    const q = report.quality;
    if (
      q &&
      q.n >= this.settings.minLabelled &&
      q.accuracy < this.settings.qualityThreshold &&
      // the previous report told of low quality only if it had enough labels to say so
      !(previous?.quality && previous.quality.n >= this.settings.minLabelled && previous.quality.accuracy < this.settings.qualityThreshold)
    )
      await this.alert(
        report,
        'quality',
        `quality of ${model} v${version.version} dropped: accuracy ${q.accuracy.toFixed(3)} on ${q.n} labelled predictions (threshold ${this.settings.qualityThreshold})`,
        {
          accuracy: q.accuracy,
          f1: q.f1,
          labelled: q.n,
        },
      );
    return report;
  }

  /**
   * A feature's histogram in each of the model's last `windows` stored reports' windows, beside the
   * current version's training reference (histograms.ts); UnknownFeatureError for a feature the
   * model's family does not monitor.
   */
  async featureHistograms(model: string, feature: string, windows = 8): Promise<FeatureHistograms> {
    await this.recorder.flush();
    const version = await this.deps.models.resolve(model);
    if (!version) throw new Error(`model ${model} has no trained version to monitor`);
    const reports = (await this.history(model, windows)).map(({ id, at, version, window, status, datasetDrift, features }) => ({
      id,
      at,
      version,
      window,
      status,
      datasetDrift,
      // only what the histograms read of each feature: its name and verdict
      features: features.map((f) => ({ ...f, bins: [], reference: [], current: [], gained: undefined, lost: undefined })),
    }));
    return this.deps.drift.histograms({ version, feature, reports });
  }

  /** the newest `limit` stored reports (of a model), oldest first: a time series */
  async history(model?: string, limit = 100): Promise<DriftReport[]> {
    // report ids are `<model>:<time>`: a model's reports are one id range, in time order
    const page = await this.deps.reports.recent({ limit, model });
    return page.filter((r) => !model || r.model === model).sort((a, b) => (a.at < b.at ? -1 : 1));
  }

  /** a page of alerts, newest first (ids start with their time) */
  async alerts(o: { limit?: number; before?: string } = {}): Promise<Alert[]> {
    return this.deps.alerts.page({ limit: o.limit ?? 100, before: o.before });
  }

  alertById(id: string): Promise<Alert | undefined> {
    return this.deps.alerts.get(id);
  }

  /**
   * The alert acknowledged, with the operator's note; undefined for an unknown alert. The first
   * acknowledgement stands (a second overwrote its time and note without a word): the same again
   * is answered as it is, another note is an AlreadyAcknowledgedError.
   */
  async acknowledge(id: string, note?: string): Promise<Alert | undefined> {
    const stored = await this.deps.alerts.get(id);
    if (!stored) return undefined;
    const said = note?.trim() || undefined;
    if (stored.acknowledged) {
      if (said && said !== stored.acknowledgedNote) throw new AlreadyAcknowledgedError(stored);
      return stored;
    }
    const a: Alert = { ...stored, acknowledged: true, acknowledgedAt: new Date().toISOString(), ...(said ? { acknowledgedNote: said } : {}) };
    await this.deps.alerts.put(a);
    return a;
  }

  /**
   * A retrain answering an alert: started at once, the alert showing it running and then its
   * decision (champion kept or replaced, both scored on the same evaluation set). Resolves the
   * run and the alert as it is now; undefined for an unknown alert.
   */
  async retrainFromAlert(id: string, margin?: number): Promise<{ runId: string; alert: Alert } | undefined> {
    const stored = await this.deps.alerts.get(id);
    if (!stored) return undefined;
    const { run, decision } = await this.deps.retrainer.start(stored.model, { trigger: 'alert', margin: margin ?? this.settings.retrainMargin });
    const running: Alert = { ...stored, retrain: { runId: run.id, status: 'running' } };
    await this.deps.alerts.put(running);
    const settle = async (retrain: NonNullable<Alert['retrain']>) => {
      const now = (await this.deps.alerts.get(id)) ?? running;
      await this.deps.alerts.put({ ...now, retrain });
    };
    void decision
      .then(
        (d) =>
          settle({
            runId: run.id,
            status: 'decided',
            decisionId: d.id,
            promoted: d.promoted,
            reason: d.reason,
            champion: { version: d.champion.version, ...(d.champion.metrics?.f1 === undefined ? {} : { f1: d.champion.metrics.f1 }) },
            ...(d.challenger
              ? { challenger: { version: d.challenger.version, ...(d.challenger.metrics?.f1 === undefined ? {} : { f1: d.challenger.metrics.f1 }) } }
              : {}),
            ...(d.evaluationSet ? { evaluationSet: `${d.evaluationSet.set} (${d.evaluationSet.messages} messages)` } : {}),
          }),
        (e: unknown) => settle({ runId: run.id, status: 'failed', error: (e as Error).message }),
      )
      .catch(() => undefined);
    return { runId: run.id, alert: running };
  }

  /** sends the webhook a test payload (an alert's shape, `test: true`); says what happened */
  async testWebhook(): Promise<{ url: string; delivered: boolean; status?: number; error?: string } | undefined> {
    const url = this.settings.webhookUrl;
    if (!url) return undefined;
    const at = new Date().toISOString();
    const payload: Alert & { source: string; test: true } = {
      source: 'spamops',
      test: true,
      id: `test-${at.replace(/[-:.TZ]/g, '')}`,
      at,
      model: 'test',
      version: '0',
      kind: 'dataset_drift',
      message: 'a test of the webhook from SpamOps: no drift happened',
      numbers: {},
      reportId: 'test',
      acknowledged: false,
    };
    const r = await postWebhook(url, payload);
    return typeof r.status === 'number'
      ? { url, delivered: r.status >= 200 && r.status < 300, status: r.status, ...(r.status >= 300 ? { error: `the receiver answered ${r.status}` } : {}) }
      : { url, delivered: false, error: r.status };
  }

  private async alert(report: DriftReport, kind: Alert['kind'], message: string, numbers: Record<string, number>): Promise<void> {
    const a: Alert = {
      id: `${report.at.replace(/[-:.TZ]/g, '')}-${randomBytes(3).toString('hex')}`,
      at: report.at,
      model: report.model,
      version: report.version,
      kind,
      message,
      numbers,
      reportId: report.id,
      acknowledged: false,
    };
    // stored before the webhook is sent (up to 3 s): a process stopped meanwhile loses no alert
    // (the next check sees the drift already reported and raises none)
    await this.deps.alerts.put(a);
    const url = this.settings.webhookUrl;
    if (url) {
      const r = await postWebhook(url, { source: 'spamops', ...a });
      const now = (await this.deps.alerts.get(a.id)) ?? a;
      await this.deps.alerts.put({ ...now, webhook: { url, status: r.status, at: new Date().toISOString() } });
    }
    // the retrain shows on its alert (running, then its decision or why it failed), as one an operator starts
    if (this.settings.retrainOnAlert) void this.retrainFromAlert(a.id).catch((e: unknown) => this.retrainNotStarted(a.id, e));
  }

  /** a retrain asked for by an alert that could not start: the alert says why */
  private async retrainNotStarted(id: string, e: unknown): Promise<void> {
    const now = await this.deps.alerts.get(id).catch(() => undefined);
    if (now && !now.retrain)
      await this.deps.alerts.put({ ...now, retrain: { runId: '', status: 'failed', error: (e as Error).message } }).catch(() => undefined);
  }
}

/** POSTs a payload to a webhook within 3 s: the receiver's status, or why there was none */
async function postWebhook(url: string, payload: object): Promise<{ status: number | string }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(3000),
    });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { status: `failed: ${(e as Error).message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}` };
  }
}
