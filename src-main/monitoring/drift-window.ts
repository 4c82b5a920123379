/**
 * One drift computation: the window of recorded predictions of a model's version against its
 * training reference, joined with feedback labels. Reading the window and the statistics are the
 * heavy part (a 100,000-prediction window is seconds of work), so a worker thread does it
 * (drift-worker.ts, through DriftRunner); without one it runs here (tests, the CLI).
 */
import { join } from 'node:path';
import { tsxWorker, readJsonArtifact, ArtifactError } from '../platform';
import { modelRemedy, type FeatureReference } from '../models';
import type { FeedbackStore, PredictionStore, StorageSettings } from '../storage';
import type { ModelVersion } from '../../src-shared/training';
import type { DriftOptions, DriftReport, FeatureHistograms } from '../../src-shared/monitoring';
import { computeDrift, windowReference, type ReferenceChoice } from './drift';
import { featureHistograms, UnknownFeatureError, type HistogramJob } from './histograms';
import type { Worker } from 'node:worker_threads';

export interface DriftWindow {
  version: ModelVersion;
  sinceMs: number;
  size: number;
  options: DriftOptions;
  /** the window ends before this time (epoch ms); default: now */
  untilMs?: number;
  /** how the window was chosen, for the report ("last 1000 predictions", a time range) */
  selection?: string;
  /** an earlier window of live traffic as the reference, instead of the training rows */
  reference?: { sinceMs: number; untilMs?: number; size: number };
}

export interface DriftSources {
  predictions: Pick<PredictionStore, 'recent'>;
  feedback: Pick<FeedbackStore, 'all'>;
}

/** the newest statement about each message (oldest first, so the newest wins) */
async function feedbackLabels(feedback: DriftSources['feedback']): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const f of await feedback.all()) {
    m.set(f.sms_id, f.true_label);
  }
  return m;
}

/** a version's training reference (reference.json), or an ArtifactError naming the file */
function trainingReference(v: ModelVersion): Record<string, FeatureReference> {
  const file = join(v.dir, 'reference.json');
  const reference = readJsonArtifact<{ features?: Record<string, FeatureReference> }>(file, modelRemedy(v.dir)).features;
  if (!reference || typeof reference !== 'object') throw new ArtifactError(file, 'no "features" statistics', modelRemedy(v.dir));
  return reference;
}

/** a feature's histograms over the stored windows (histograms.ts), against the version's training reference */
export async function computeHistograms(src: Pick<DriftSources, 'predictions'>, job: Omit<HistogramJob, 'reference'>): Promise<FeatureHistograms> {
  return featureHistograms(src.predictions, { ...job, reference: trainingReference(job.version) });
}

export async function computeWindow(src: DriftSources, w: DriftWindow): Promise<DriftReport> {
  const v = w.version;
  const reference = trainingReference(v);
  const records = (await src.predictions.recent(v.name, w.sinceMs, w.size, w.untilMs)).filter((r) => r.version === v.version);
  const labels = await feedbackLabels(src.feedback);
  if (!w.reference) return computeDrift(v, reference, records, labels, w.options, { kind: 'training', rows: v.data.trainRows }, w.selection);
  const refRecords = (await src.predictions.recent(v.name, w.reference.sinceMs, w.reference.size, w.reference.untilMs)).filter((r) => r.version === v.version);
  const choice: ReferenceChoice = {
    kind: 'window',
    rows: refRecords.length,
    from: refRecords.length ? new Date(refRecords[refRecords.length - 1].at).toISOString() : null,
    to: refRecords.length ? new Date(refRecords[0].at).toISOString() : null,
    predicted: { spam: refRecords.filter((r) => r.label === 'spam').length, n: refRecords.length },
  };
  return computeDrift(v, windowReference(v, reference, refRecords), records, labels, w.options, choice, w.selection);
}

/** what the worker is asked: a report over a window, or a feature's histograms over stored windows */
export type DriftJob = { window: DriftWindow } | { histograms: Omit<HistogramJob, 'reference'> };
type Reply = {
  id: number;
  report?: DriftReport;
  histograms?: FeatureHistograms;
  error?: { message: string; file?: string; problem?: string; remedy?: string; feature?: string; known?: string[] };
};

/** drift computations on a worker thread of their own, one at a time, so that serving never waits on them */
export class DriftRunner {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  /** without storage settings (an in-memory store), computations run in this thread */
  constructor(
    private readonly storage: StorageSettings | undefined,
    private readonly local: DriftSources,
  ) {}

  private get inThread(): boolean {
    return !this.storage || (this.storage.backend === 'sqlite' && this.storage.path === ':memory:');
  }

  private ask(job: DriftJob): Promise<Reply> {
    const id = ++this.seq;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.start().postMessage({ id, ...job });
    });
  }

  async compute(w: DriftWindow): Promise<DriftReport> {
    if (this.inThread) return computeWindow(this.local, w);
    return (await this.ask({ window: w })).report!;
  }

  /** a feature's histograms over stored windows: reading them back is as heavy as a check, so on the worker too */
  async histograms(job: Omit<HistogramJob, 'reference'>): Promise<FeatureHistograms> {
    if (this.inThread) return computeHistograms(this.local, job);
    return (await this.ask({ histograms: job })).histograms!;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = tsxWorker(new URL('./drift-worker.ts', import.meta.url), { workerData: { storage: this.storage } });
    worker.unref();
    worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.report || m.histograms) p.resolve(m);
      else if (m.error?.feature && m.error.known) p.reject(new UnknownFeatureError(m.error.feature, m.error.known));
      else if (m.error?.file && m.error.problem && m.error.remedy) p.reject(new ArtifactError(m.error.file, m.error.problem, m.error.remedy));
      else p.reject(new Error(m.error?.message ?? 'the drift worker failed'));
    });
    const fail = (e: Error) => {
      for (const p of this.pending.values()) p.reject(new Error(`the drift worker stopped: ${e.message}`));
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
