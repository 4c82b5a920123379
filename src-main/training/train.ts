/**
 * One training job, start to artifacts: data from the feature store, the model trained on the
 * chosen backend, held-out metrics, reference statistics, artifacts in a staging folder.
 * Runs inside the training worker (see worker.ts); callable directly in tests.
 */
import { join } from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import type { TokenizerSource } from '../features';
import type { BackendName, BatchMetrics, DataSnapshot, EpochMetrics, EvalMetrics, ModelName, RunRecord } from '../../src-shared/training';
import { loadTrainingSet, splitColumns, tokenRows, type TrainingDataSource } from './dataset';
import { MODEL_SPECS, LABELS } from '../../src-shared/model-specs';
import type { BuiltinModel } from '../../src-shared/training';
import { RandomForest, type ForestOptions } from './forest';
import { trainLstm, type LstmTrainHooks, type LstmTrainResult } from './lstm-trainer';
import { trainLstmTfjs, tryTfjsNode } from './tfjs-trainer';
import { fusedKernelAvailable } from './fused-lstm';
import { trainThreads } from './lstm-shards';
import { evaluate } from './metrics';
import { numericReference, tokenReference, type FeatureReference } from './reference';
import { writeForestArtifacts, writeLstmArtifacts } from './artifacts';
import { FEATURES_V1 } from '../features';
import { writeFileAtomic } from '../platform';
import { stagingDirFor } from '../models';

export interface TrainJob {
  runId: string;
  model: ModelName;
  base: BuiltinModel;
  params: RunRecord['params'];
  backend: BackendName;
}

export interface TrainHooks {
  onData?(d: DataSnapshot): void;
  onBackend?(b: string): void;
  onBatch?: LstmTrainHooks['onBatch'];
  onEpoch?: LstmTrainHooks['onEpoch'];
  cancelled?(): boolean;
}

export interface TrainOutcome {
  backend: string;
  data: DataSnapshot;
  history: { epochs: EpochMetrics[]; batches: BatchMetrics[] };
  metrics: EvalMetrics;
  stagingDir: string;
  artifacts: string[];
  inputShape: number[];
}

/**
 * Threads for a fused-kernel run: helpers cost a start (~1 s under tsx) and a few copies per
 * step, so only runs of more than ~20 GFLOP (v3 on the full dataset: ~310; v2: ~1) get them.
 */
/** a v1 run's parameters as the forest's options, for `nFeatures` feature columns */
export function forestOptions(p: RunRecord['params'], nFeatures: number): ForestOptions {
  return { nEstimators: p.nEstimators!, maxDepth: p.maxDepth!, maxFeatures: Math.min(p.maxFeatures!, nFeatures), minSamplesSplit: 2, seed: p.seed };
}

function lstmThreads(rows: number, seqLen: number, p: RunRecord['params'], configured?: number): number {
  const H = p.lstmUnits!;
  const D = p.embeddingDim!;
  const flops = 2 * 3 * rows * seqLen * 4 * H * (D + H) * p.epochs!; // 2 flops a MAC; forward + backward ~ 3x forward
  return flops > 2e10 ? trainThreads(configured) : 1;
}

/** What a training job reads (the feature store, the warehouse, the tokenizer) and where it writes. */
export interface TrainJobDeps extends TrainingDataSource {
  tokenizers: TokenizerSource;
  /** the data dir's models folder: artifacts are staged in `.staging/<run>` there */
  modelsDir: string;
  /** LSTM training settings from the configuration (threads per step; the experimental recurrent dropout) */
  lstm?: { threads?: number; recurrentDropout?: boolean };
}

async function chooseLstmBackend(requested: BackendName): Promise<'fused-wasm' | 'tfjs-node' | 'tfjs-cpu' | 'tfjs-wasm'> {
  if (requested === 'js-forest')
    throw new Error('backend js-forest trains random forests (v1) only; the LSTM models use auto, fused-wasm, tfjs-node or tfjs-cpu');
  if (requested !== 'auto') return requested;
  if (await tryTfjsNode()) return 'tfjs-node';
  return fusedKernelAvailable() ? 'fused-wasm' : 'tfjs-cpu';
}

export async function runTrainJob(deps: TrainJobDeps, job: TrainJob, hooks: TrainHooks = {}): Promise<TrainOutcome> {
  const spec = MODEL_SPECS[job.base];
  const p = job.params;
  // the LSTMs keep the ids: their drift reference reads the training texts
  const data = await loadTrainingSet(deps, p, { keepIds: spec.kind !== 'random-forest' });
  hooks.onData?.(data.snapshot);
  const staging = stagingDirFor(deps.modelsDir, job.runId);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const yTest = Array.from(data.test, (i) => data.labels[i]);
  let backend: string;
  let history: TrainOutcome['history'] = { epochs: [], batches: [] };
  let scores: ArrayLike<number>;
  let artifacts: string[];
  let reference: Record<string, FeatureReference>;
  let inputShape: number[];

  if (spec.kind === 'random-forest') {
    if (job.backend !== 'auto' && job.backend !== 'js-forest')
      throw new Error(`backend ${job.backend} trains the LSTM models; v1 is a random forest (backend js-forest)`);
    backend = 'js-forest';
    hooks.onBackend?.(backend);
    const t0 = performance.now();
    // typed columns built once (train and test rows apart): the forest, its scores and the
    // reference statistics read them without an object per row
    const { train: trainCols, test: testCols } = splitColumns(data);
    const yTrain = Uint8Array.from(data.train, (i) => data.labels[i]);
    const forest = RandomForest.trainColumns(trainCols, yTrain, 2, forestOptions(p, FEATURES_V1.length));
    if (hooks.cancelled?.()) throw new Error('cancelled');
    const trainScores = forest.predictColumns(trainCols, 1);
    scores = forest.predictColumns(testCols, 1);
    const tr = evaluate(yTrain, trainScores);
    const te = evaluate(yTest, scores);
    history.epochs.push({ epoch: 1, loss: NaN, accuracy: tr.accuracy, val_loss: NaN, val_accuracy: te.accuracy, seconds: (performance.now() - t0) / 1000 });
    hooks.onEpoch?.(history.epochs[0], { epoch: 1, epochs: 1, batch: 1, batches: 1, etaSeconds: 0 });
    artifacts = writeForestArtifacts(staging, forest.json);
    reference = Object.fromEntries(FEATURES_V1.map((f, j) => [f, numericReference(trainCols[j])]));
    inputShape = [FEATURES_V1.length];
  } else {
    const chosen = await chooseLstmBackend(job.backend);
    const threads = chosen === 'fused-wasm' ? lstmThreads(data.train.length, data.width, p, deps.lstm?.threads) : 1;
    backend = threads > 1 ? `${chosen} (${threads} threads)` : chosen;
    hooks.onBackend?.(backend);
    const tokenizer = deps.tokenizers.get();
    const vocab = tokenizer.state.settings.MAX_NUM_WORDS;
    const args = [tokenRows(data), data.labels, data.train, data.test, p, vocab, hooks] as const;
    const r: LstmTrainResult =
      chosen === 'fused-wasm' ? trainLstm(...args, threads, { recurrentDropout: deps.lstm?.recurrentDropout }) : await trainLstmTfjs(chosen, ...args);
    history = { epochs: r.epochs, batches: r.batches };
    scores = r.testScores;
    artifacts = await writeLstmArtifacts(staging, r.shape, r.weights, {
      spatialDropout: p.spatialDropout!,
      dropout: p.dropout!,
      recurrentDropout: p.recurrentDropout!,
    });
    // the tokenizer the model was trained with travels with it: serving encodes with this copy,
    // whatever the data dir's tokenizer becomes later (a refit, a lost file)
    tokenizer.save(staging);
    rmSync(join(staging, 'settings.json'), { force: true });
    artifacts.push('tokenizer.json');
    const trainRows = tokenRows(data, data.train);
    // what drift checks compare: token shares, message length in known tokens, unknown-word rate
    // (the rate on the texts of the first 100,000 training rows: a sample past that size)
    const ids = data.ids!;
    const texts = (await deps.labelled.get(Array.from(data.train.subarray(0, 100_000), (i) => ids[i]))).map((m) => m?.text);
    reference = {
      features: tokenReference(trainRows, vocab),
      length: numericReference(trainRows.map((r) => r.filter((t) => t > 0).length)),
      oov_rate: numericReference(texts.filter((t): t is string => t !== undefined).map((t) => tokenizer.outOfVocabularyRate(t))),
    };
    inputShape = [r.shape.seqLen];
  }
  const metrics = evaluate(yTest, scores);
  writeFileAtomic(join(staging, 'reference.json'), JSON.stringify({ labels: LABELS, features: reference }));
  artifacts.push('reference.json');
  return { backend, data: data.snapshot, history, metrics, stagingDir: staging, artifacts, inputShape };
}
