/**
 * One training job, start to artifacts: data from the feature store, the model trained by its
 * family (see models/), held-out metrics, the family's reference statistics, artifacts in a
 * staging folder. Runs inside the training worker (see worker.ts); callable directly in tests.
 */
import { join } from 'node:path';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { KerasTokenizer, type TokenizerSource } from '../features';
import type { BackendName, BatchMetrics, DataSnapshot, EpochMetrics, EvalMetrics, ModelName, RunRecord } from '../../src-shared/training';
import { loadTrainingSet, type TrainingDataSource } from './dataset';
import { MODEL_SPECS, LABELS } from '../../src-shared/model-specs';
import type { BuiltinModel } from '../../src-shared/training';
import { evaluate, familyOf, stagingDirFor, type TrainProgress } from '../models';
import { writeFileAtomic } from '../platform';

export interface TrainJob {
  runId: string;
  model: ModelName;
  base: BuiltinModel;
  params: RunRecord['params'];
  backend: BackendName;
}

export interface TrainHooks extends TrainProgress {
  onData?(d: DataSnapshot): void;
}

export interface TrainOutcome {
  backend: string;
  data: DataSnapshot;
  history: { epochs: EpochMetrics[]; batches: BatchMetrics[] };
  metrics: EvalMetrics;
  stagingDir: string;
  artifacts: string[];
  inputShape: number[];
  /** the fingerprint of the tokenizer the model encodes with (families without one: null) */
  tokenizerFingerprint: string | null;
}

/** What a training job reads (the feature store, the warehouse, the tokenizer) and where it writes. */
export interface TrainJobDeps extends TrainingDataSource {
  tokenizers: TokenizerSource;
  /** the data dir's models folder: artifacts are staged in `.staging/<run>` there */
  modelsDir: string;
  /** LSTM training settings from the configuration (threads per step; the experimental recurrent dropout) */
  lstm?: { threads?: number; recurrentDropout?: boolean };
}

export async function runTrainJob(deps: TrainJobDeps, job: TrainJob, hooks: TrainHooks = {}): Promise<TrainOutcome> {
  const family = familyOf(MODEL_SPECS[job.base].kind);
  const p = job.params;
  const data = await loadTrainingSet(deps, p, { keepIds: family.keepsIds });
  hooks.onData?.(data.snapshot);
  const staging = stagingDirFor(deps.modelsDir, job.runId);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const yTest = Array.from(data.test, (i) => data.labels[i]);
  const trained = await family.train(
    {
      data,
      params: p,
      backend: job.backend,
      dir: staging,
      tokenizers: deps.tokenizers,
      texts: async (ids) => (await deps.labelled.get(ids)).map((m) => m?.text),
      settings: deps.lstm,
    },
    hooks,
  );
  const metrics = evaluate(yTest, trained.testScores);
  const artifacts = [...trained.artifacts];
  writeFileAtomic(join(staging, 'reference.json'), JSON.stringify({ labels: LABELS, features: trained.reference }));
  artifacts.push('reference.json');
  return {
    backend: trained.backend,
    data: data.snapshot,
    history: trained.history,
    metrics,
    stagingDir: staging,
    artifacts,
    inputShape: trained.inputShape,
    tokenizerFingerprint: tokenizerFingerprint(family.usesTokenizer, staging, deps.tokenizers),
  };
}

/** the copy of the tokenizer saved beside the model when there is one, else the data dir's (read when the family uses one) */
function tokenizerFingerprint(usesTokenizer: boolean, staging: string, tokenizers: TokenizerSource): string | null {
  if (existsSync(join(staging, 'tokenizer.json'))) return KerasTokenizer.load(staging).fingerprint();
  return usesTokenizer ? tokenizers.get().fingerprint() : null;
}
