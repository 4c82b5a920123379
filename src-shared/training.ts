/** Contracts of the training engine and the model registry, shared by the API and the console. */
import { Type, type Static } from '@sinclair/typebox';

/** the story's three generations; other model ids (e.g. the seed 002's "tc-01") build on one of them */
export const MODEL_NAMES = ['v1', 'v2', 'v3'] as const;
export type BuiltinModel = (typeof MODEL_NAMES)[number];
export type ModelName = string;
export const MODEL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$';
export const BaseModel = Type.Union([Type.Literal('v1'), Type.Literal('v2'), Type.Literal('v3')]);

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type BackendName = 'auto' | 'fused-wasm' | 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu' | 'js-forest';

/** Every hyperparameter of a run; what a model does not use it ignores. */
export const TrainParams = Type.Object(
  {
    featureService: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    timeFreeze: Type.Optional(Type.String({ minLength: 4, maxLength: 40 })),
    /** restrict the training entities to these ids (e.g. the SMS part only) */
    entityIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200000 })),
    /** restrict to ids matching this regular expression */
    entityIdPattern: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    testSize: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    // random forest (v1)
    nEstimators: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    maxDepth: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    maxFeatures: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    // LSTM (v2, v3)
    embeddingDim: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    spatialDropout: Type.Optional(Type.Number({ minimum: 0, maximum: 0.95 })),
    lstmUnits: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    dropout: Type.Optional(Type.Number({ minimum: 0, maximum: 0.95 })),
    recurrentDropout: Type.Optional(Type.Number({ minimum: 0, maximum: 0.95 })),
    epochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
    learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
  },
  { additionalProperties: false },
);
export type TrainParams = Static<typeof TrainParams>;

export const StartRunRequest = Type.Object(
  {
    /** v1, v2, v3, or a model id of your own (then `base` says which generation it is) */
    model: Type.String({ pattern: MODEL_ID_PATTERN }),
    base: Type.Optional(BaseModel),
    params: Type.Optional(TrainParams),
    backend: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('fused-wasm'), Type.Literal('tfjs-node'), Type.Literal('tfjs-wasm'), Type.Literal('tfjs-cpu'), Type.Literal('js-forest')]),
    ),
    /** register the trained version and point this alias at it (e.g. "production") */
    alias: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' })),
    /** a free text of what the run is for */
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type StartRunRequest = Static<typeof StartRunRequest>;

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  seconds: number;
}
export interface BatchMetrics {
  epoch: number;
  batch: number;
  loss: number;
  accuracy: number;
}

export interface EvalMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  /** [[tn, fp], [fn, tp]] with spam as the positive class */
  confusion: [[number, number], [number, number]];
  support: { ham: number; spam: number };
}

export interface DataSnapshot {
  featureService: string;
  timeFreeze: string;
  entities: number;
  /** rows whose features or label were missing at the time freeze, left out */
  dropped: number;
  classBalance: { ham: number; spam: number };
  trainRows: number;
  testRows: number;
  registryVersion: number;
}

export interface RunRecord {
  id: string;
  model: ModelName;
  /** the generation the model is built as (its own name for v1, v2, v3) */
  base: BuiltinModel;
  status: RunStatus;
  params: Required<Pick<TrainParams, 'featureService' | 'timeFreeze' | 'testSize' | 'seed'>> & TrainParams;
  backendRequested: BackendName;
  backend?: string;
  note?: string;
  alias?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  data?: DataSnapshot;
  history: { epochs: EpochMetrics[]; batches: BatchMetrics[] };
  metrics?: EvalMetrics;
  progress?: { epoch: number; epochs: number; batch: number; batches: number; etaSeconds?: number };
  error?: string;
  /** the registered version and its artifacts */
  version?: string;
  artifacts?: string[];
  rerunOf?: string;
}

export type TrainEvent =
  | { type: 'status'; runId: string; status: RunStatus; error?: string; backend?: string }
  | { type: 'data'; runId: string; data: DataSnapshot }
  | { type: 'batch'; runId: string; batch: BatchMetrics; progress: NonNullable<RunRecord['progress']> }
  | { type: 'epoch'; runId: string; epoch: EpochMetrics; progress: NonNullable<RunRecord['progress']> }
  | { type: 'done'; runId: string; record: RunRecord };

export interface ModelVersion {
  name: ModelName;
  base: BuiltinModel;
  version: string;
  runId: string;
  createdAt: string;
  kind: 'random-forest' | 'lstm';
  featureExtractor: string;
  featureService: string;
  inputShape: number[];
  labels: string[];
  metrics: EvalMetrics;
  params: RunRecord['params'];
  backend: string;
  data: DataSnapshot;
  dir: string;
  aliases: string[];
}
