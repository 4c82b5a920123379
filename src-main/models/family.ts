/**
 * A model family, in the manner of MLflow's flavors: everything that differs between a random
 * forest and an LSTM (training, saving, loading, batch prediction, the training reference, the
 * drift features) behind one interface. Training, serving and monitoring call these; only the
 * family registry (families.ts) names the families.
 */
import type { KerasTokenizer, TokenizerSource } from '../features';
import type { PredictionRecord } from '../storage';
import type { BackendName, BatchMetrics, EpochMetrics, ModelName, ModelVersion, RunRecord } from '../../src-shared/training';
import type { FeatureReference, NumericReference, TokenReference } from './reference';
import type { TrainingSet } from './training-set';

export interface Prediction {
  ham: number;
  spam: number;
}

/** Input that has the wrong shape for the model: answered with 422. */
export class FeatureVectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureVectorError';
  }
}

/** A registered version, loaded and ready to answer. */
export interface ServedModel {
  name: ModelName;
  version: string;
  info: ModelVersion;
  featureLength: number;
  textToFeatures(text: string): number[];
  /** checks length and values; throws FeatureVectorError */
  checkFeatures(features: unknown): number[];
  predict(rows: number[][]): Prediction[];
  /** share of the text's words the model's tokenizer does not know; undefined for models without one */
  outOfVocabularyRate(text: string): number | undefined;
  /**
   * Whether the model's features of every text are `tokenizer.encode(text)` (and its unknown-word
   * rate the tokenizer's): the inbox's verdicts then score the rows the feature step encoded
   * rather than encoding each text twice more. Absent: never.
   */
  encodesLike?(tokenizer: KerasTokenizer): boolean;
  /** whether a batch is worth a helper thread (OffThreadPredictor); such a family supplies openPredictor */
  readonly offThread: boolean;
  /**
   * whether one predict call over many rows costs much less than one call per row, with each row's
   * answer independent of the others (serving's MicroBatcher gathers concurrent requests for it)
   */
  readonly batchable: boolean;
}

/** Batch prediction from a version's folder alone, rows already encoded: what a helper thread runs. */
export interface BatchPredictor {
  /** values per row */
  width: number;
  /** `rows` rows of `width` values, row-major; answers ham and spam probabilities, two per row */
  predict(values: Int32Array, rows: number): Float32Array;
}

export interface ProgressPoint {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  etaSeconds?: number;
}

/** What a family reports while it trains, and how it learns that the run was cancelled. */
export interface TrainProgress {
  onBackend?(backend: string): void;
  onBatch?(b: BatchMetrics, progress: ProgressPoint): void;
  onEpoch?(e: EpochMetrics, progress: ProgressPoint): void;
  cancelled?(): boolean;
}

/** What a family trains from and where it saves. */
export interface TrainInput {
  data: TrainingSet;
  params: RunRecord['params'];
  backend: BackendName;
  /** the staging folder: the family saves its artifacts here */
  dir: string;
  tokenizers: TokenizerSource;
  /** the texts of labelled messages by id (undefined where unknown): for references over texts */
  texts(ids: string[]): Promise<(string | undefined)[]>;
  /** family settings from the configuration (the LSTM's threads per step, its recurrent dropout) */
  settings?: { threads?: number; recurrentDropout?: boolean };
}

export interface TrainedModel {
  /** the backend that trained it, as the run shows it */
  backend: string;
  history: { epochs: EpochMetrics[]; batches: BatchMetrics[] };
  /** spam probability of each test row, in `data.test` order */
  testScores: ArrayLike<number>;
  /** the files saved in the staging folder */
  artifacts: string[];
  /** what drift checks compare served inputs with, per feature */
  reference: Record<string, FeatureReference>;
  inputShape: number[];
}

/** One feature's values to compare with its reference; monitoring chooses the statistical test. */
export type DriftInput =
  | { feature: string; kind: 'numeric' | 'binary'; reference: NumericReference; current: number[] }
  | { feature: string; kind: 'tokens'; reference: TokenReference; rows: number[][] };

/**
 * How a family's per-feature results make dataset drift, calibrated on its features by
 * bench/drift.ts: 'holm', when some feature's p-value, adjusted by Holm across the features, is at
 * most `alpha`; 'share', when at least `share` of the features are past their own thresholds.
 */
export type DatasetDriftRule = { kind: 'holm'; alpha: number } | { kind: 'share'; share: number };

export interface ModelFamily {
  /** the name recorded in each version (`ModelVersion.kind`) and model spec */
  kind: string;
  /** whether its training set keeps the rows' ids (a reference over the training texts) */
  keepsIds: boolean;
  /**
   * whether its versions encode text with the data dir's tokenizer as fitted when they trained (a
   * copy kept beside each, tokenizer.json): a refit of the tokenizer is checked against them
   */
  usesTokenizer: boolean;
  /** refuses, by name, parameters known bad before a run starts (throws InputError) */
  checkParams?(params: RunRecord['params']): void;
  /** what computes this family's training and predictions here, for /health (the LSTM kernel's build, and why not the native one) */
  runtime?(): string;
  /** trains on the set's train rows, scores its test rows, saves the artifacts into `input.dir` */
  train(input: TrainInput, progress: TrainProgress): Promise<TrainedModel>;
  /** a registered version's artifacts (checksums already verified), ready to answer */
  load(version: ModelVersion, tokenizers: TokenizerSource): ServedModel;
  /** batch prediction from a version's folder alone, for a helper thread (families whose models say offThread) */
  openPredictor?(dir: string): BatchPredictor;
  /** the drift features: which features, their values computed from the predictions' inputs */
  driftInputs(reference: Record<string, FeatureReference>, records: PredictionRecord[]): DriftInput[];
  /**
   * an earlier window of live traffic as a reference, in the form of this family's training
   * reference (the features driftInputs reads); `training` is the version's training reference
   */
  windowReference(training: Record<string, FeatureReference>, records: PredictionRecord[]): Record<string, FeatureReference>;
  /** its dataset-drift rule, calibrated by bench/drift.ts; an operator's drift.datasetDriftShare or drift.datasetDriftAlpha overrides it */
  datasetDriftRule: DatasetDriftRule;
}
