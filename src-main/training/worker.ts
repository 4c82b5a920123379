/**
 * The training worker: one thread per run, so that the thread serving requests never trains.
 * It opens its own engines on the same data dir, runs the job and reports progress by message;
 * the run manager (runs.ts) sets a shared flag to cancel.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AppConfig } from '../config';
import { openEngines } from '../engines';
import { runTrainJob, type TrainJob } from './train';

export interface WorkerInput {
  config: AppConfig;
  job: TrainJob;
  cancelFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'backend'; backend: string }
  | { type: 'data'; data: import('../../src-shared/training').DataSnapshot }
  | { type: 'batch'; batch: import('../../src-shared/training').BatchMetrics; progress: import('../../src-shared/training').RunRecord['progress'] }
  | { type: 'epoch'; epoch: import('../../src-shared/training').EpochMetrics; progress: import('../../src-shared/training').RunRecord['progress'] }
  | { type: 'done'; outcome: import('./train').TrainOutcome }
  | { type: 'error'; message: string; cancelled: boolean };

async function main(): Promise<void> {
  const { config, job, cancelFlag } = workerData as WorkerInput;
  const flag = new Int32Array(cancelFlag);
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  const engines = await openEngines(config);
  try {
    const outcome = await runTrainJob(engines, job, {
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
    await engines.close();
  }
}

void main();
