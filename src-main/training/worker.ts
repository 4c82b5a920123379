/**
 * The training worker: one thread per run, so that the thread serving requests never trains.
 * It opens what a job reads on its own (the same storage, offline store and tokenizer as the
 * process that started it), runs the job and reports progress by message; the run queue
 * (runs.ts) sets a shared flag to cancel.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StorageSettings } from '../storage';
import { openStorage } from '../storage';
import { FeatureStore } from '../featurestore';
import { TokenizerStore } from '../features';
import type { BatchMetrics, DataSnapshot, EpochMetrics, RunRecord } from '../../src-shared/training';
import { runTrainJob, type TrainJob, type TrainOutcome } from './train';

/** Where a worker finds what the job reads: plain data, copied into the thread. */
export interface TrainingWorkerSettings {
  storage: StorageSettings;
  offlineDir: string;
  /** DuckDB's memory limit and threads in the worker */
  offlineEngine?: { memoryLimit: string; threads: number };
  modelsDir: string;
  trainingIdsPath?: string;
  /** LSTM training settings from the configuration */
  lstm?: { threads?: number; recurrentDropout?: boolean };
}

export interface WorkerInput {
  settings: TrainingWorkerSettings;
  job: TrainJob;
  cancelFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'backend'; backend: string }
  | { type: 'data'; data: DataSnapshot }
  | { type: 'batch'; batch: BatchMetrics; progress: RunRecord['progress'] }
  | { type: 'epoch'; epoch: EpochMetrics; progress: RunRecord['progress'] }
  | { type: 'done'; outcome: TrainOutcome }
  | { type: 'error'; message: string; cancelled: boolean };

async function main(): Promise<void> {
  const { settings, job, cancelFlag } = workerData as WorkerInput;
  const flag = new Int32Array(cancelFlag);
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  const storage = await openStorage(settings.storage);
  const features = new FeatureStore(storage, settings.offlineDir, settings.offlineEngine);
  try {
    const deps = {
      features,
      labelled: storage.labelled,
      tokenizers: TokenizerStore.inModelsDir(settings.modelsDir),
      modelsDir: settings.modelsDir,
      trainingIdsPath: settings.trainingIdsPath,
      lstm: settings.lstm,
    };
    const outcome = await runTrainJob(deps, job, {
      onBackend: (backend) => post({ type: 'backend', backend }),
      onData: (data) => post({ type: 'data', data }),
      onBatch: (batch, progress) => post({ type: 'batch', batch, progress }),
      onEpoch: (epoch, progress) => post({ type: 'epoch', epoch, progress }),
      cancelled: () => Atomics.load(flag, 0) === 1,
    });
    post({ type: 'done', outcome });
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', message: err?.message || String(e), cancelled: Atomics.load(flag, 0) === 1 });
  } finally {
    features.close();
    await storage.close();
  }
}

void main();
