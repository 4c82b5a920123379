/** Contracts of the training engine and the model registry, shared by the API and the console. */
import { Type, type Static } from '@sinclair/typebox';
import { SMS_ID_MAX_LENGTH } from './ids';
import { PageLimit } from './paging';

/** the story's three generations; other model ids (e.g. the seed 002's "tc-01") build on one of them */
export const MODEL_NAMES = ['v1', 'v2', 'v3'] as const;
export type BuiltinModel = (typeof MODEL_NAMES)[number];
export type ModelName = string;
export const MODEL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$';
/** an alias: a lower-case letter, then up to 39 lower-case letters, digits, - or _ */
export const ALIAS_PATTERN = '^[a-z][a-z0-9_-]{0,39}$';

/** what is wrong with an alias name, or '' (the console says it beside the field) */
export function aliasProblem(alias: string): string {
  if (alias === '') return 'Name the alias, e.g. production';
  if (!new RegExp(ALIAS_PATTERN).test(alias)) return `"${alias}" is not an alias name: a lower-case letter, then up to 39 lower-case letters, digits, - or _`;
  return '';
}
export const BaseModel = Type.Union([Type.Literal('v1'), Type.Literal('v2'), Type.Literal('v3')]);

export const RunStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type RunStatus = Static<typeof RunStatus>;
export const BackendName = Type.Union([
  Type.Literal('auto'),
  Type.Literal('fused-native'),
  Type.Literal('fused-wasm'),
  Type.Literal('tfjs-node'),
  Type.Literal('tfjs-wasm'),
  Type.Literal('tfjs-cpu'),
  Type.Literal('js-forest'),
]);
export type BackendName = Static<typeof BackendName>;

/** Every hyperparameter of a run; what a model does not use it ignores. The descriptions are the console's hints and the CLI's help. */
export const TrainParams = Type.Object(
  {
    featureService: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'training data (feature service)' })),
    timeFreeze: Type.Optional(Type.String({ minLength: 4, maxLength: 40, description: 'point-in-time of the training set' })),
    /** restrict the training entities to these ids (e.g. the SMS part only) */
    entityIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: SMS_ID_MAX_LENGTH }), { maxItems: 200000, description: 'only these entity ids' }),
    ),
    /** ids added to the training entities after the others are chosen (a retrain's feedback labels) */
    extraEntityIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: SMS_ID_MAX_LENGTH }), { maxItems: 200000, description: 'ids added to the training entities' }),
    ),
    /** restrict to ids matching this regular expression */
    entityIdPattern: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'only ids matching this regular expression' })),
    testSize: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: "held-out share (split 'random' only)" })),
    split: Type.Optional(
      Type.Union([Type.Literal('evaluation-set'), Type.Literal('random')], {
        description: 'held-out rows: the shared evaluation set (default; every version is evaluated on it) or a seeded random share (testSize)',
      }),
    ),
    trainOnEvaluation: Type.Optional(Type.Boolean({ description: 'also train on the evaluation set (its metrics then flatter the version)' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'split and init seed' })),
    // random forest (v1)
    nEstimators: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'trees' })),
    maxDepth: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'tree depth' })),
    maxFeatures: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'features per split' })),
    // LSTM (v2, v3)
    embeddingDim: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: 'embedding size' })),
    spatialDropout: Type.Optional(Type.Number({ minimum: 0, maximum: 0.95, description: 'dropout of whole embedding channels' })),
    lstmUnits: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: 'LSTM units' })),
    dropout: Type.Optional(Type.Number({ minimum: 0, maximum: 0.95, description: 'input dropout of the LSTM' })),
    recurrentDropout: Type.Optional(Type.Number({ minimum: 0, maximum: 0.95, description: 'recurrent dropout (recorded; Keras 2 does not apply it)' })),
    epochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'passes over the data' })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096, description: 'rows per step' })),
    learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10, description: 'Adam step size' })),
  },
  { additionalProperties: false },
);
export type TrainParams = Static<typeof TrainParams>;

/** a run's name (free text) and tags (short lower-case words): given at start, editable later */
export const RUN_NAME_MAX = 80;
export const RUN_TAGS_MAX = 10;
export const RunName = Type.String({ maxLength: RUN_NAME_MAX, description: 'a name of at most 80 characters' });
export const RunTag = Type.String({ pattern: '^[a-z0-9._-]{1,32}$', description: 'a tag: 1 to 32 of a-z, 0-9, ".", "_" or "-"' });
export const RunTags = Type.Array(RunTag, { maxItems: RUN_TAGS_MAX, description: 'at most 10 tags' });

const TAG_PATTERN = /^[a-z0-9._-]{1,32}$/;
/**
 * A run's name and tags checked as the schema checks them, for callers outside the API (the CLI's
 * --name and --tag, the engine): the first problem, naming the field, or undefined.
 */
export function runLabelsProblem(o: { name?: string; tags?: string[] }): { field: string; message: string } | undefined {
  if (o.name !== undefined && o.name.length > RUN_NAME_MAX)
    return { field: 'name', message: `name: expected at most ${RUN_NAME_MAX} characters, got ${o.name.length}` };
  if (o.tags) {
    if (o.tags.length > RUN_TAGS_MAX) return { field: 'tags', message: `tags: expected at most ${RUN_TAGS_MAX} tags, got ${o.tags.length}` };
    const i = o.tags.findIndex((t) => !TAG_PATTERN.test(t));
    if (i >= 0) return { field: `tags.${i}`, message: `tags.${i}: expected a tag of 1 to 32 of a-z, 0-9, ".", "_" or "-", got ${JSON.stringify(o.tags[i])}` };
  }
  return undefined;
}

export const StartRunRequest = Type.Object(
  {
    /** what people call the run ("more trees"); empty or absent: none */
    name: Type.Optional(RunName),
    tags: Type.Optional(RunTags),
    /** v1, v2, v3, or a model id of your own (then `base` says which generation it is) */
    model: Type.String({ pattern: MODEL_ID_PATTERN }),
    base: Type.Optional(BaseModel),
    params: Type.Optional(TrainParams),
    backend: Type.Optional(BackendName),
    /** register the trained version and point this alias at it (e.g. "production") */
    alias: Type.Optional(Type.String({ pattern: ALIAS_PATTERN })),
    /** a free text of what the run is for */
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type StartRunRequest = Static<typeof StartRunRequest>;

/**
 * A metric: a number, NaN where it does not apply (a forest has no loss), which JSON writes as
 * null. An open schema, so that the answer keeps writing null where a number schema would refuse NaN.
 */
export const Metric = Type.Unsafe<number>({ description: 'a number, or null where it does not apply' });
export const EpochMetrics = Type.Object({
  epoch: Type.Integer(),
  loss: Metric,
  accuracy: Metric,
  val_loss: Metric,
  val_accuracy: Metric,
  seconds: Type.Number(),
});
export type EpochMetrics = Static<typeof EpochMetrics>;
export const BatchMetrics = Type.Object({ epoch: Type.Integer(), batch: Type.Integer(), loss: Metric, accuracy: Metric });
export type BatchMetrics = Static<typeof BatchMetrics>;

const Pair = Type.Tuple([Type.Number(), Type.Number()]);
export const EvalMetrics = Type.Object({
  accuracy: Metric,
  precision: Metric,
  recall: Metric,
  f1: Metric,
  rocAuc: Metric,
  /** [[tn, fp], [fn, tp]] with spam as the positive class */
  confusion: Type.Tuple([Pair, Pair]),
  support: Type.Object({ ham: Type.Number(), spam: Type.Number() }),
});
export type EvalMetrics = Static<typeof EvalMetrics>;

const HamSpam = Type.Object({ ham: Type.Number(), spam: Type.Number() });
export const DataSnapshot = Type.Object({
  featureService: Type.String(),
  timeFreeze: Type.String(),
  entities: Type.Number(),
  /** rows whose features or label were missing at the time freeze, left out */
  dropped: Type.Number(),
  classBalance: HamSpam,
  trainRows: Type.Number(),
  testRows: Type.Number(),
  /** sha256 of the rows' ids and labels, in training order: the same data gives the same checksum */
  checksum: Type.Optional(Type.String()),
  registryVersion: Type.Number(),
  /** which rows the held-out metrics come from: the shared evaluation set, or a random split */
  evaluation: Type.Optional(
    Type.Object({
      set: Type.String(),
      messages: Type.Number(),
      /** the version was also trained on these rows (asked for, or a random split) */
      trainedOn: Type.Boolean(),
      /** why the shared set was not used, when it was not */
      note: Type.Optional(Type.String()),
    }),
  ),
});
export type DataSnapshot = Static<typeof DataSnapshot>;

/** a run's parameters: what was asked, with the data, split and seed always filled in */
export const RunParams = Type.Object({
  ...TrainParams.properties,
  featureService: Type.String(),
  timeFreeze: Type.String(),
  testSize: Type.Number(),
  seed: Type.Number(),
});
export const RunProgress = Type.Object({
  epoch: Type.Number(),
  epochs: Type.Number(),
  batch: Type.Number(),
  batches: Type.Number(),
  etaSeconds: Type.Optional(Type.Number()),
});

export const RunRecord = Type.Object({
  id: Type.String(),
  model: Type.String(),
  /** the generation the model is built as (its own name for v1, v2, v3) */
  base: BaseModel,
  status: RunStatus,
  params: RunParams,
  backendRequested: BackendName,
  backend: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  alias: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  createdAt: Type.String(),
  startedAt: Type.Optional(Type.String()),
  finishedAt: Type.Optional(Type.String()),
  durationMs: Type.Optional(Type.Number()),
  data: Type.Optional(DataSnapshot),
  /** lists leave the batches out and count them (batchCount); `?full=true` and one run carry them */
  history: Type.Object({ epochs: Type.Array(EpochMetrics), batches: Type.Array(BatchMetrics), batchCount: Type.Optional(Type.Integer()) }),
  metrics: Type.Optional(EvalMetrics),
  progress: Type.Optional(RunProgress),
  error: Type.Optional(Type.String()),
  /** the registered version and its artifacts */
  version: Type.Optional(Type.String()),
  artifacts: Type.Optional(Type.Array(Type.String())),
  /** the weights came out byte for byte those of this version: no new version was registered */
  duplicateOf: Type.Optional(Type.String()),
  rerunOf: Type.Optional(Type.String()),
  /**
   * a rerun's data beside the run it repeats: the same rows and labels (same checksum), or not,
   * and why it may differ (the data is read again at the same time freeze, so rows imported
   * since with earlier event times are in it)
   */
  rerunData: Type.Optional(Type.Object({ same: Type.Boolean(), detail: Type.String() })),
  /** the process that runs (or queued) it: another process leaves it alone while that one lives */
  owner: Type.Optional(Type.Object({ pid: Type.Integer(), host: Type.String(), start: Type.Optional(Type.Number()) })),
});
export type RunRecord = Static<typeof RunRecord>;

export const TrainEvent = Type.Union([
  Type.Object({
    type: Type.Literal('status'),
    runId: Type.String(),
    status: RunStatus,
    error: Type.Optional(Type.String()),
    backend: Type.Optional(Type.String()),
  }),
  Type.Object({ type: Type.Literal('data'), runId: Type.String(), data: DataSnapshot }),
  Type.Object({ type: Type.Literal('batch'), runId: Type.String(), batch: BatchMetrics, progress: RunProgress }),
  Type.Object({ type: Type.Literal('epoch'), runId: Type.String(), epoch: EpochMetrics, progress: RunProgress }),
  Type.Object({ type: Type.Literal('done'), runId: Type.String(), record: RunRecord }),
]);
export type TrainEvent = Static<typeof TrainEvent>;

/** how a decision threshold was chosen on the version's PR curve */
export const ThresholdRule = Type.Union([
  Type.Object({ by: Type.Literal('precision'), target: Type.Number({ exclusiveMinimum: 0, maximum: 1 }) }),
  Type.Object({ by: Type.Literal('recall'), target: Type.Number({ exclusiveMinimum: 0, maximum: 1 }) }),
  Type.Object({ by: Type.Literal('f1') }),
  Type.Object({ by: Type.Literal('fixed'), threshold: Type.Number({ minimum: 0, maximum: 1 }) }),
]);

/** A version's decision threshold: a message is spam when its spam score is >= value. Versions without one use 0.5. */
export const VersionThreshold = Type.Object({
  value: Type.Number(),
  rule: ThresholdRule,
  setAt: Type.String(),
  note: Type.Optional(Type.String()),
  /** the evaluation set it was chosen on and what it gives there */
  set: Type.String(),
  messages: Type.Number(),
  precision: Type.Number(),
  recall: Type.Number(),
  f1: Type.Number(),
});
export type VersionThreshold = Static<typeof VersionThreshold>;

export const DEFAULT_THRESHOLD = 0.5;

/** which code trained a version: package.json's version and the git commit (null when git could not tell) */
export const CodeVersion = Type.Object({ version: Type.String(), commit: Type.Union([Type.String(), Type.Null()]) });
export type CodeVersion = Static<typeof CodeVersion>;

/** an import job whose data was in a version's training set (finished before its run started) */
export const LineageImport = Type.Object({
  id: Type.String(),
  source: Type.String(),
  /** when it ended (absent: it was still under way when the run started) */
  finishedAt: Type.Optional(Type.String()),
  inserted: Type.Number(),
  /**
   * as the run started: succeeded (all its rows are in), running (its rows stored by the time the
   * run read the warehouse are in), failed (it stopped partway: the rows it stored are in)
   */
  status: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('running'), Type.Literal('failed')])),
});
export type LineageImport = Static<typeof LineageImport>;

/**
 * Where a version came from, recorded at registration (versions registered before have none): the
 * tokenizer's fingerprint (LSTMs; null for a family without one), the feature service and registry
 * version the training set was read through, the import jobs its data came from, the code.
 */
export const VersionLineage = Type.Object({
  tokenizerFingerprint: Type.Union([Type.String(), Type.Null()]),
  featureService: Type.String(),
  registryVersion: Type.Number(),
  imports: Type.Array(LineageImport),
  code: CodeVersion,
});
export type VersionLineage = Static<typeof VersionLineage>;

/** the run a version came from, as it is now (its name and tags may change after registration) */
export const VersionRun = Type.Object({ id: Type.String(), name: Type.Optional(Type.String()), tags: Type.Array(Type.String()) });
export type VersionRun = Static<typeof VersionRun>;

export const ModelVersion = Type.Object({
  name: Type.String(),
  base: BaseModel,
  version: Type.String(),
  runId: Type.String(),
  createdAt: Type.String(),
  kind: Type.Union([Type.Literal('random-forest'), Type.Literal('lstm')]),
  featureExtractor: Type.String(),
  featureService: Type.String(),
  inputShape: Type.Array(Type.Number()),
  labels: Type.Array(Type.String()),
  metrics: EvalMetrics,
  params: RunParams,
  backend: Type.String(),
  data: DataSnapshot,
  /** the artifacts' folder; stored relative to the models dir (`v3/2`), answered absolute */
  dir: Type.String(),
  /** sha256 of each artifact file, recorded at registration and checked when the version loads */
  checksums: Type.Optional(Type.Record(Type.String(), Type.String())),
  aliases: Type.Array(Type.String()),
  /** the decision threshold serving uses (absent: 0.5) */
  threshold: Type.Optional(VersionThreshold),
  /** every threshold set on the version, oldest first: the registry's events of it */
  thresholdHistory: Type.Optional(Type.Array(VersionThreshold)),
  lineage: Type.Optional(VersionLineage),
  /** answered, not stored: the run's name and tags now (absent when the run record is gone) */
  run: Type.Optional(VersionRun),
});
export type ModelVersion = Static<typeof ModelVersion>;

/* ---------- one parameter at a time: the console's form and the CLI's --param, from the schema above ---------- */

export type TrainParamKey = keyof typeof TrainParams.properties;
export const TRAIN_PARAM_KEYS = Object.keys(TrainParams.properties) as TrainParamKey[];

interface ParamSchema {
  type?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
}

const paramSchema = (key: string): ParamSchema | undefined => (TrainParams.properties as Record<string, ParamSchema>)[key];

/** the allowed range of a numeric parameter, as people write it: "1–1024", "(0, 1)" */
export function paramRange(key: string): string | undefined {
  const s = paramSchema(key);
  if (!s || (s.type !== 'number' && s.type !== 'integer')) return undefined;
  const lo = s.exclusiveMinimum !== undefined ? `(${s.exclusiveMinimum}` : `[${s.minimum ?? '-∞'}`;
  const hi = s.exclusiveMaximum !== undefined ? `${s.exclusiveMaximum})` : `${s.maximum ?? '∞'}]`;
  return `${s.type === 'integer' ? 'an integer' : 'a number'} in ${lo}, ${hi}`;
}

/** the hint shown beside a parameter: what it is and its range */
export function paramHint(key: string): string {
  const s = paramSchema(key);
  if (!s) return '';
  const range = paramRange(key);
  return range ? `${s.description ?? key}: ${range}` : (s.description ?? key);
}

/**
 * A parameter typed by a person (a form field, `--param k=v`), checked against the schema:
 * the value, or an error naming the parameter and what was expected.
 */
export function parseTrainParam(key: string, raw: string): { value: string | number } | { error: string } {
  const s = paramSchema(key);
  if (!s || key === 'entityIds' || key === 'extraEntityIds')
    return { error: `unknown parameter "${key}"; known: ${TRAIN_PARAM_KEYS.filter((k) => k !== 'entityIds' && k !== 'extraEntityIds').join(', ')}` };
  if (s.type === 'string') {
    if (raw.length < (s.minLength ?? 0) || raw.length > (s.maxLength ?? Infinity))
      return { error: `${key}: expected ${s.minLength ?? 0} to ${s.maxLength} characters, got ${raw.length}` };
    return { value: raw };
  }
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  const range = paramRange(key) ?? 'a number';
  const bad = () => ({ error: `${key}: expected ${range}, got "${raw}"` });
  if (!Number.isFinite(n)) return bad();
  if (s.type === 'integer' && !Number.isInteger(n)) return bad();
  if (s.minimum !== undefined && n < s.minimum) return bad();
  if (s.maximum !== undefined && n > s.maximum) return bad();
  if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum) return bad();
  if (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum) return bad();
  return { value: n };
}

/* ---------- routes of the training engine and the model registry ---------- */

const Alias = Type.String({ pattern: ALIAS_PATTERN, description: 'an alias: lower-case letters, digits, - or _' });
const VersionNumber = Type.String({ pattern: '^[0-9]{1,6}$', description: 'a version number' });
export const ModelId = Type.String({ pattern: MODEL_ID_PATTERN, description: 'a model id: 1-40 letters, digits, ".", "_" or "-"' });
export const RunIdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export type RunIdParam = Static<typeof RunIdParam>;
export const ModelParam = Type.Object({ name: ModelId });
export type ModelParam = Static<typeof ModelParam>;
export const ModelVersionParam = Type.Object({ name: ModelId, version: VersionNumber });

/** POST /models/{name}/versions/{version}/threshold: exactly one way to choose */
export const ThresholdBody = Type.Object(
  {
    precision: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'the lowest threshold reaching this precision' })),
    recall: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'the highest threshold reaching this recall' })),
    f1: Type.Optional(Type.Literal(true, { description: 'the threshold of the best F1' })),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'this threshold' })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ThresholdBody = Static<typeof ThresholdBody>;

const AtThreshold = Type.Object({
  threshold: Type.Number(),
  precision: Type.Number(),
  recall: Type.Number(),
  f1: Type.Number(),
  accuracy: Type.Number(),
  /** [[tn, fp], [fn, tp]], spam positive */
  confusion: Type.Array(Type.Array(Type.Number())),
});

/** A version on the shared evaluation set: its PR and ROC curves and its numbers at its threshold. */
export const VersionEvaluation = Type.Object({
  name: Type.String(),
  version: Type.String(),
  set: Type.String(),
  messages: Type.Number(),
  spam: Type.Number(),
  /** trained on some of these messages: true, false, or 'unknown' (registered before the set) */
  trainedOn: Type.Union([Type.Boolean(), Type.Literal('unknown')]),
  averagePrecision: Type.Number(),
  rocAuc: Type.Number(),
  /** at the version's threshold (0.5 when none was set) */
  atThreshold: AtThreshold,
  /** at 0.5, the threshold of versions without one */
  atDefault: AtThreshold,
  /** the PR curve (at most 200 points, thresholds ascending) and the ROC curve (its corners, at most 200) */
  pr: Type.Object({ precision: Type.Array(Type.Number()), recall: Type.Array(Type.Number()), thresholds: Type.Array(Type.Number()) }),
  roc: Type.Object({ fpr: Type.Array(Type.Number()), tpr: Type.Array(Type.Number()) }),
  threshold: Type.Optional(VersionThreshold),
});
export type VersionEvaluation = Static<typeof VersionEvaluation>;
export type ModelVersionParam = Static<typeof ModelVersionParam>;
export const AliasBody = Type.Object(
  {
    alias: Alias,
    version: VersionNumber,
    /** why: kept in the alias's history */
    note: Type.Optional(Type.String({ maxLength: 500 })),
    /**
     * a guarded promotion: compare the candidate with the alias's holder on the shared evaluation
     * set by this metric (at each one's threshold) and refuse (409 worse_than_holder) when it is worse, unless confirm
     */
    guard: Type.Optional(Type.Union([Type.Literal('f1'), Type.Literal('averagePrecision'), Type.Literal('rocAuc'), Type.Literal('accuracy')])),
    confirm: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AliasBody = Static<typeof AliasBody>;
export const AliasParam = Type.Object({ name: ModelId, alias: Type.String({ maxLength: 40 }) });
export type AliasParam = Static<typeof AliasParam>;
/** one move of an alias: when, from which version, to which, why */
export const AliasMove = Type.Object({
  name: Type.String(),
  alias: Type.String(),
  at: Type.String(),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.Union([Type.String(), Type.Null()]),
  note: Type.Optional(Type.String()),
});
export type AliasMove = Static<typeof AliasMove>;
export const AliasHistoryQuery = Type.Object({ alias: Type.Optional(Alias) }, { additionalProperties: false });
export type AliasHistoryQuery = Static<typeof AliasHistoryQuery>;
export const RollbackBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export type RollbackBody = Static<typeof RollbackBody>;

/** a candidate beside the alias's holder on the shared evaluation set */
/** whether a version was trained on some of the evaluation set's messages ('unknown': registered before the set) */
const TrainedOn = Type.Union([Type.Boolean(), Type.Literal('unknown')], { description: 'trained on messages of the evaluation set' });
export const PromotionCheck = Type.Object({
  name: Type.String(),
  alias: Type.String(),
  metric: Type.String(),
  candidate: Type.Object({ version: Type.String(), value: Type.Number(), trainedOn: Type.Optional(TrainedOn) }),
  holder: Type.Union([Type.Object({ version: Type.String(), value: Type.Number(), trainedOn: Type.Optional(TrainedOn) }), Type.Null()]),
  worse: Type.Boolean(),
  /** the candidate was trained on the evaluation set: its value flatters it (a promotion then asks to confirm) */
  flattered: Type.Optional(Type.Boolean()),
  set: Type.String(),
  messages: Type.Number(),
});
export type PromotionCheck = Static<typeof PromotionCheck>;
export const PromotionQuery = Type.Object(
  {
    alias: Type.Optional(Alias),
    metric: Type.Optional(Type.Union([Type.Literal('f1'), Type.Literal('averagePrecision'), Type.Literal('rocAuc'), Type.Literal('accuracy')])),
  },
  { additionalProperties: false },
);
export type PromotionQuery = Static<typeof PromotionQuery>;

/** POST /runs/{id}/labels: a new name (empty: none) and the tags: all of them, or some added and removed */
export const RunLabelsBody = Type.Object(
  {
    name: Type.Optional(RunName),
    tags: Type.Optional(RunTags),
    add: Type.Optional(RunTags),
    remove: Type.Optional(Type.Array(RunTag, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type RunLabelsBody = Static<typeof RunLabelsBody>;

/** the metrics a version is judged by on the shared evaluation set (precision, recall, F1, accuracy at its threshold) */
export const EvaluationMetricName = Type.Union([
  Type.Literal('accuracy'),
  Type.Literal('precision'),
  Type.Literal('recall'),
  Type.Literal('f1'),
  Type.Literal('averagePrecision'),
  Type.Literal('rocAuc'),
]);
export type EvaluationMetricName = Static<typeof EvaluationMetricName>;

/** GET /model-versions: the registry searched; every filter optional, all given must hold */
export const VersionSearchQuery = Type.Object(
  {
    model: Type.Optional(ModelId),
    alias: Type.Optional(Alias),
    tag: Type.Optional(RunTag),
    /** with min: only versions whose metric on the shared evaluation set is at least min */
    metric: Type.Optional(EvaluationMetricName),
    min: Type.Optional(Type.String({ pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?|\\.[0-9]+)$', description: 'a number from 0 to 1' })),
  },
  { additionalProperties: false },
);
export type VersionSearchQuery = Static<typeof VersionSearchQuery>;
export const VersionSearchHit = Type.Object({
  ...ModelVersion.properties,
  /** the filter's metric on the shared evaluation set, when one was asked */
  evaluated: Type.Optional(Type.Object({ metric: Type.String(), value: Type.Number(), set: Type.String(), messages: Type.Number() })),
});
export type VersionSearchHit = Static<typeof VersionSearchHit>;

/** GET /models/{name}/compare?versions=1,2: two to four versions */
export const CompareQuery = Type.Object(
  { versions: Type.String({ pattern: '^[0-9]{1,6}(,[0-9]{1,6}){1,3}$', description: '2 to 4 version numbers, comma-separated (1,2,3)' }) },
  { additionalProperties: false },
);
export type CompareQuery = Static<typeof CompareQuery>;
const ParamValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
/** versions side by side: parameters (those that differ marked), metrics on the shared evaluation set, PR curves, their runs' curves */
export const VersionComparison = Type.Object({
  name: Type.String(),
  set: Type.String(),
  messages: Type.Number(),
  versions: Type.Array(
    Type.Object({
      version: Type.String(),
      createdAt: Type.String(),
      aliases: Type.Array(Type.String()),
      run: VersionRun,
      /** on the shared evaluation set; precision, recall, F1 and accuracy at the version's threshold */
      metrics: Type.Object({
        accuracy: Type.Number(),
        precision: Type.Number(),
        recall: Type.Number(),
        f1: Type.Number(),
        averagePrecision: Type.Number(),
        rocAuc: Type.Number(),
        threshold: Type.Number(),
      }),
      pr: Type.Object({ precision: Type.Array(Type.Number()), recall: Type.Array(Type.Number()) }),
      /** its run's epochs (loss and accuracy); empty when the run record is gone */
      epochs: Type.Array(EpochMetrics),
    }),
  ),
  /** every parameter of any of them, one value per version (null: not set), `differs` when they are not all equal */
  params: Type.Array(Type.Object({ key: Type.String(), values: Type.Array(ParamValue), differs: Type.Boolean() })),
});
export type VersionComparison = Static<typeof VersionComparison>;

/** the parameters of several runs side by side: every key any has (entity id lists left out), one value each, marked when they differ */
export function diffParams(all: Record<string, unknown>[]): VersionComparison['params'] {
  const skip = new Set(['entityIds', 'extraEntityIds']);
  const keys = [...new Set(all.flatMap((p) => Object.keys(p)))].filter((k) => !skip.has(k)).sort();
  const value = (x: unknown): string | number | boolean | null =>
    x === undefined || x === null ? null : typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' ? x : JSON.stringify(x);
  return keys.map((key) => {
    const values = all.map((p) => value(p[key]));
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });
}

export const ForceQuery = Type.Object({ force: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) }, { additionalProperties: false });
export type ForceQuery = Static<typeof ForceQuery>;
export const RunsQuery = Type.Object(
  { full: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])), limit: Type.Optional(PageLimit) },
  { additionalProperties: false },
);
export type RunsQuery = Static<typeof RunsQuery>;

/** The seed's model-management request: {id, force_update} plus our model and parameters. */
export const ModelsPost = Type.Object(
  {
    id: Type.Optional(ModelId),
    model: Type.Optional(ModelId),
    force_update: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('True'), Type.Literal('False'), Type.Literal('true'), Type.Literal('false')])),
    /** for a model id of your own: the generation to build it as (default v3) */
    base: Type.Optional(BaseModel),
    params: Type.Optional(TrainParams),
    alias: Type.Optional(Alias),
  },
  // the seed's requests carry s3bucket and training_object: accepted, not used (the data comes from the feature store)
  { additionalProperties: true },
);
export type ModelsPost = Static<typeof ModelsPost>;
export const ModelsPostAnswer = Type.Object({
  status: Type.Literal('queued'),
  model_id: Type.String(),
  run_id: Type.String(),
  job_id: Type.String(),
  events: Type.String(),
});
export type ModelsPostAnswer = Static<typeof ModelsPostAnswer>;

/** GET /models: one entry per model id, with its versions and latest run */
export const ModelEntry = Type.Object({
  id: Type.String(),
  base: Type.String(),
  served_version: Type.Union([Type.String(), Type.Null()]),
  versions: Type.Array(ModelVersion),
  latest_run: Type.Union([RunRecord, Type.Null()]),
});
export type ModelEntry = Static<typeof ModelEntry>;
export const DeletedAnswer = Type.Object({ deleted: Type.Array(Type.String()) });
export type DeletedAnswer = Static<typeof DeletedAnswer>;
export const RemovedAnswer = Type.Object({ removed: Type.String() });
export type RemovedAnswer = Static<typeof RemovedAnswer>;
/** what streams on GET /runs/{id}/events: the record first, then the run's events */
export const RunEvent = Type.Union([TrainEvent, Type.Object({ type: Type.Literal('snapshot'), runId: Type.String(), record: RunRecord })]);
export type RunEvent = Static<typeof RunEvent>;
