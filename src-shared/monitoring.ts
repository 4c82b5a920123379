/** Contracts of the monitoring engine: drift reports, alerts, settings, retraining, the simulator. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EvalMetrics, MODEL_ID_PATTERN, Metric } from './training';
import { PageLimit } from './paging';

const ModelId = Type.String({ pattern: MODEL_ID_PATTERN, description: 'a model id (1-40 letters, digits, ".", "_" or "-")' });

export const StatTestName = Type.Union([
  Type.Literal('ks'),
  Type.Literal('wasserstein_normed'),
  Type.Literal('z_test'),
  Type.Literal('jensen_shannon'),
  Type.Literal('chi_square'),
  Type.Literal('fisher_exact'),
]);
export type StatTestName = Static<typeof StatTestName>;
/** without a setting, a report needs this many predictions in its window for a verdict */
export const DEFAULT_MIN_WINDOW = 200;

export const FeatureDrift = Type.Object({
  feature: Type.String(),
  kind: Type.Union([Type.Literal('numeric'), Type.Literal('binary'), Type.Literal('tokens')]),
  test: StatTestName,
  /** what the test is run on: the feature's values, or (token ids) one number per message */
  sampleUnit: Type.Optional(Type.String()),
  /** why this test: the automatic rule that chose it, or the operator's setting */
  reason: Type.Optional(Type.String()),
  /** 'auto' (Evidently's rule) or 'setting' (an operator's per-feature choice) */
  chosenBy: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('setting')])),
  /** which number decides drift: the p-value (below the threshold) or the statistic (at or above it); PSI is context only */
  decidedBy: Type.Optional(Type.Union([Type.Literal('p_value'), Type.Literal('statistic')])),
  statistic: Type.Number(),
  pValue: Type.Optional(Type.Number()),
  threshold: Type.Number(),
  drifted: Type.Boolean(),
  psi: Type.Number(),
  /** for the charts: bin labels and the shares of each side */
  bins: Type.Array(Type.String()),
  reference: Type.Array(Type.Number()),
  current: Type.Array(Type.Number()),
  /** token ids: the tokens whose share rose (gained) and fell (lost) most, reference -> current */
  gained: Type.Optional(Type.Array(Type.Object({ token: Type.String(), reference: Type.Number(), current: Type.Number() }))),
  lost: Type.Optional(Type.Array(Type.Object({ token: Type.String(), reference: Type.Number(), current: Type.Number() }))),
  /**
   * the dataset-drift rule's own test of this feature (KS for numbers and the per-message token
   * statistic, Fisher's exact for binary features), its p-value, Holm's adjusted p-value across the
   * report's features, and whether it rejects at the family-wise level (DriftReport.rule)
   */
  datasetTest: Type.Optional(Type.Object({ test: StatTestName, pValue: Type.Number(), adjustedPValue: Type.Number(), drifted: Type.Boolean() })),
});
export type FeatureDrift = Static<typeof FeatureDrift>;

/** a 95 % confidence interval of a proportion (Wilson score) */
export const Interval95 = Type.Object({ low: Type.Number(), high: Type.Number() });
export type Interval95 = Static<typeof Interval95>;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const DriftReport = Type.Object({
  id: Type.String(),
  at: Type.String(),
  model: Type.String(),
  version: Type.String(),
  window: Type.Object({
    from: Type.Union([Type.String(), Type.Null()]),
    to: Type.Union([Type.String(), Type.Null()]),
    n: Type.Integer(),
    /** how it was chosen: the last `size` predictions, or those of a time range */
    selection: Type.Optional(Type.String()),
  }),
  referenceRows: Type.Integer(),
  /**
   * a check of the traffic up to now against the training rows: the only kind that raises alerts
   * (false: a chosen window, a time range with an end of its own or against an earlier window; absent in
   * reports stored before it was kept: live)
   */
  live: Type.Optional(Type.Boolean()),
  /** 'collecting' below the minimum window (no verdict, no alert), else 'ok' or 'drift' */
  status: Type.Optional(Type.Union([Type.Literal('collecting'), Type.Literal('ok'), Type.Literal('drift')])),
  /** the minimum window (predictions) for a verdict; `collecting: n of minWindow` below it */
  minWindow: Type.Optional(Type.Integer()),
  /** e.g. "collecting: 12 of 200 predictions" */
  statusText: Type.Optional(Type.String()),
  /** what the window is compared with: the version's training rows, or an earlier window of live traffic */
  reference: Type.Optional(
    Type.Object({
      kind: Type.Union([Type.Literal('training'), Type.Literal('window')]),
      rows: Type.Integer(),
      from: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      to: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      description: Type.String(),
    }),
  ),
  features: Type.Array(FeatureDrift),
  /** the share of features past their own test's threshold (context when the rule is 'holm') */
  driftShare: Type.Number(),
  datasetDrift: Type.Boolean(),
  /**
   * what decides datasetDrift: 'holm' (the default: some feature's datasetTest rejects after Holm's
   * correction at family-wise `alpha`) or 'share' (an operator's drift.datasetDriftShare: at least
   * that share of features past their own thresholds)
   */
  rule: Type.Optional(
    Type.Object({
      kind: Type.Union([Type.Literal('holm'), Type.Literal('share')]),
      alpha: Type.Optional(Type.Number()),
      share: Type.Optional(Type.Number()),
      description: Type.String(),
    }),
  ),
  prediction: Type.Object({
    referenceSpamShare: Type.Number(),
    currentSpamShare: Type.Number(),
    pValue: Type.Number(),
    drifted: Type.Boolean(),
    /** the sample sizes behind the two shares, and their 95 % Wilson intervals (null without a sample) */
    referenceN: Type.Optional(Type.Integer()),
    currentN: Type.Optional(Type.Integer()),
    referenceCi95: Type.Optional(Nullable(Interval95)),
    currentCi95: Type.Optional(Nullable(Interval95)),
  }),
  quality: Type.Optional(
    Type.Object({
      n: Type.Integer(),
      accuracy: Type.Number(),
      precision: Type.Number(),
      recall: Type.Number(),
      f1: Type.Number(),
      /** 95 % Wilson intervals, each over its own denominator: labelled (accuracy), predicted spam (precision), true spam (recall) */
      ci95: Type.Optional(
        Type.Object({
          accuracy: Nullable(Interval95),
          precision: Nullable(Interval95),
          recall: Nullable(Interval95),
          precisionN: Type.Integer(),
          recallN: Type.Integer(),
        }),
      ),
    }),
  ),
});
export type DriftReport = Static<typeof DriftReport>;
/** the history leaves the charts' bins out */
export const DriftReportSummary = Type.Object({
  ...DriftReport.properties,
  features: Type.Array(Type.Omit(FeatureDrift, ['bins', 'reference', 'current', 'gained', 'lost'])),
});
export type DriftReportSummary = Static<typeof DriftReportSummary>;

/** a feature's histogram in each of the last N stored drift windows, beside the reference's */
export const FeatureHistograms = Type.Object({
  model: Type.String(),
  /** the version whose training reference is drawn (the model's current one) */
  version: Type.String(),
  feature: Type.String(),
  kind: Type.Union([Type.Literal('numeric'), Type.Literal('binary'), Type.Literal('tokens')]),
  /** how the bins were made (the drift report's own binning for numbers) */
  binning: Type.String(),
  /** what a window's counts count: predictions, or (token ids) token positions */
  unit: Type.String(),
  bins: Type.Array(Type.String()),
  reference: Type.Object({ description: Type.String(), rows: Type.Integer(), shares: Type.Array(Type.Number()) }),
  /** oldest first, one per stored report: the window it judged, counted again from the recorded predictions */
  windows: Type.Array(
    Type.Object({
      reportId: Type.String(),
      /** when the report was made */
      at: Type.String(),
      version: Type.String(),
      from: Type.Union([Type.String(), Type.Null()]),
      to: Type.Union([Type.String(), Type.Null()]),
      /** predictions of the window found again */
      n: Type.Integer(),
      status: Type.Union([Type.Literal('collecting'), Type.Literal('ok'), Type.Literal('drift')]),
      /** the feature's own verdict in that report (absent while collecting) */
      drifted: Type.Optional(Type.Boolean()),
      total: Type.Integer(),
      counts: Type.Array(Type.Integer()),
      shares: Type.Array(Type.Number()),
    }),
  ),
});
export type FeatureHistograms = Static<typeof FeatureHistograms>;

export const Alert = Type.Object({
  id: Type.String(),
  at: Type.String(),
  model: Type.String(),
  version: Type.String(),
  kind: Type.Union([Type.Literal('dataset_drift'), Type.Literal('quality')]),
  message: Type.String(),
  numbers: Type.Record(Type.String(), Type.Number()),
  reportId: Type.String(),
  acknowledged: Type.Boolean(),
  acknowledgedAt: Type.Optional(Type.String()),
  /** the operator's note when acknowledging (what was done, why it is fine) */
  acknowledgedNote: Type.Optional(Type.String()),
  webhook: Type.Optional(Type.Object({ url: Type.String(), status: Type.Union([Type.Number(), Type.String()]), at: Type.String() })),
  /** a retrain started from this alert, and once decided, its decision: both versions scored on the same evaluation set */
  retrain: Type.Optional(
    Type.Object({
      runId: Type.String(),
      status: Type.Union([Type.Literal('running'), Type.Literal('decided'), Type.Literal('failed')]),
      decisionId: Type.Optional(Type.String()),
      promoted: Type.Optional(Type.Boolean()),
      reason: Type.Optional(Type.String()),
      champion: Type.Optional(Type.Object({ version: Type.String(), f1: Type.Optional(Type.Number()) })),
      challenger: Type.Optional(Type.Object({ version: Type.String(), f1: Type.Optional(Type.Number()) })),
      evaluationSet: Type.Optional(Type.String()),
      error: Type.Optional(Type.String()),
    }),
  ),
});
export type Alert = Static<typeof Alert>;
/** POST /monitoring/alerts/{id}/ack: an optional note (a call without a body acknowledges without one) */
export const AckBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
export type AckBody = Static<typeof AckBody>;
/** what happened to the webhook's test payload */
export const WebhookTestAnswer = Type.Object({
  url: Type.String(),
  delivered: Type.Boolean({ description: 'the receiver answered 2xx' }),
  status: Type.Optional(Type.Integer({ description: "the receiver's HTTP status" })),
  error: Type.Optional(Type.String({ description: 'why nothing was delivered (refused, timed out, ...) or what the receiver answered' })),
});
export type WebhookTestAnswer = Static<typeof WebhookTestAnswer>;

/* ---------- routes ---------- */

const Instant = (what: string) =>
  Type.String({
    pattern: '^([0-9]{1,15}|[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?)$',
    description: `${what}: epoch milliseconds or an ISO 8601 date/time`,
  });
/** the window and reference of a drift report (query parameters of GET /monitoring/drift, fields of POST /monitoring/check) */
const WindowChoice = {
  from: Type.Optional(Instant('the window starts at')),
  to: Type.Optional(Instant('the window ends before')),
  reference: Type.Optional(
    Type.Union([Type.Literal('training'), Type.Literal('window')], {
      description:
        "'training' (the version's training rows, the default) or 'window' (an earlier window of live traffic: referenceFrom/referenceTo/referenceSize)",
    }),
  ),
  referenceFrom: Type.Optional(Instant('the reference window starts at')),
  referenceTo: Type.Optional(Instant('the reference window ends before')),
  referenceSize: Type.Optional(Type.String({ pattern: '^(100000|[1-9][0-9]{0,4})$', description: 'at most this many predictions in the reference window' })),
};

export const ModelQuery = Type.Object(
  {
    model: Type.Optional(ModelId),
    size: Type.Optional(Type.String({ pattern: '^(100000|[1-9][0-9]{0,4})$', description: 'a window of 1 to 100000 predictions' })),
    hours: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
    ...WindowChoice,
  },
  { additionalProperties: false },
);
export type ModelQuery = Static<typeof ModelQuery>;
/** GET /monitoring/drift/report: the same window and reference, and the file's format */
export const DriftReportFileQuery = Type.Object(
  {
    ...ModelQuery.properties,
    format: Type.Optional(
      Type.Union([Type.Literal('html'), Type.Literal('json')], { description: 'html (default): one self-contained page; json: the report' }),
    ),
  },
  { additionalProperties: false },
);
export type DriftReportFileQuery = Static<typeof DriftReportFileQuery>;
/** a page of recorded predictions, newest first; `before` is the `at` (epoch ms) of the last one seen */
export const PredictionsQuery = Type.Object(
  {
    model: Type.Optional(ModelId),
    size: Type.Optional(PageLimit),
    hours: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'epoch milliseconds' })),
    before_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description: "with `before`: the last record's id, so the next page starts right after it (records of one millisecond are many)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type PredictionsQuery = Static<typeof PredictionsQuery>;
/** the stored reports of a model: the newest `limit` (default 100), oldest first (a time series) */
export const HistoryQuery = Type.Object({ model: Type.Optional(ModelId), limit: Type.Optional(PageLimit) }, { additionalProperties: false });
export type HistoryQuery = Static<typeof HistoryQuery>;
export const CheckBody = Type.Object(
  {
    model: ModelId,
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    hours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100000 })),
    ...WindowChoice,
    referenceSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  },
  { additionalProperties: false },
);
export type CheckBody = Static<typeof CheckBody>;
export const HistogramsParams = Type.Object({
  model: ModelId,
  feature: Type.String({ minLength: 1, maxLength: 100, description: 'a drift feature of the model (cap_r, token_ids, ...)' }),
});
export type HistogramsParams = Static<typeof HistogramsParams>;
export const HistogramsQuery = Type.Object(
  { windows: Type.Optional(Type.String({ pattern: '^([1-9]|[1-4][0-9]|50)$', description: 'the last 1 to 50 stored drift windows (default 8)' })) },
  { additionalProperties: false },
);
export type HistogramsQuery = Static<typeof HistogramsQuery>;
export const AlertIdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export type AlertIdParam = Static<typeof AlertIdParam>;

export const SimulateBody = Type.Object(
  {
    idPattern: Type.String({ minLength: 1, maxLength: 200 }),
    count: Type.Integer({ minimum: 1, maximum: 100000 }),
    rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000 })),
    labelDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
    recipient: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    labelShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
export type SimulateBody = Static<typeof SimulateBody>;

export const SimulationRequest = Type.Object({
  /** which warehouse messages: ids matching this pattern, in id order */
  idPattern: Type.String(),
  count: Type.Number(),
  /** messages per second */
  rate: Type.Number(),
  labelDelayMs: Type.Number(),
  recipient: Type.String(),
  /** share of the replayed messages that get a feedback label (0 to 1) */
  labelShare: Type.Number(),
});
export type SimulationRequest = Static<typeof SimulationRequest>;
export const Simulation = Type.Object({
  ...SimulationRequest.properties,
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('stopped'), Type.Literal('failed')]),
  sent: Type.Number(),
  labelled: Type.Number(),
  startedAt: Type.String(),
  error: Type.Optional(Type.String()),
});
export type Simulation = Static<typeof Simulation>;

export const SimulationIdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) });
export type SimulationIdParam = Static<typeof SimulationIdParam>;

export const RetrainBody = Type.Object(
  {
    model: ModelId,
    margin: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
    /** the alert this retrain answers: its decision is shown beside it */
    alertId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type RetrainBody = Static<typeof RetrainBody>;
export const RetrainAnswer = Type.Object({ model: Type.String(), challenger_run: Type.String(), decisions: Type.String() });
export type RetrainAnswer = Static<typeof RetrainAnswer>;
export const RetrainDecision = Type.Object({
  id: Type.String(),
  at: Type.String(),
  model: Type.String(),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('alert'), Type.Literal('schedule')]),
  metric: Type.Literal('f1'),
  margin: Type.Number(),
  champion: Type.Object({ version: Type.String(), metrics: Type.Optional(EvalMetrics) }),
  challenger: Type.Optional(Type.Object({ version: Type.String(), runId: Type.String(), metrics: Type.Optional(EvalMetrics) })),
  heldOutRows: Type.Optional(Type.Number()),
  /** the set both were judged on (the shared evaluation set), and whether the champion had trained on some of it */
  evaluationSet: Type.Optional(
    Type.Object({ set: Type.String(), messages: Type.Number(), championTrainedOn: Type.Union([Type.Boolean(), Type.Literal('unknown')]) }),
  ),
  feedbackLabels: Type.Number(),
  promoted: Type.Boolean(),
  reason: Type.String(),
});
export type RetrainDecision = Static<typeof RetrainDecision>;

export const DriftOptions = Type.Object(
  {
    /** per feature: the p-value (tests) or distance (metrics) that marks drift */
    thresholds: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Number({ minimum: 0, maximum: 10 }))),
    /** share of drifting features that makes the dataset drift (instead of the default rule, Holm's correction) */
    datasetDriftShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    /** the default rule's family-wise level: dataset drift when a feature's Holm-adjusted p-value is at most this (0.01) */
    datasetDriftAlpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.5 })),
    /** per feature: the test to use instead of the automatic choice */
    tests: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), StatTestName)),
    /** below this many predictions in the window a report is 'collecting' (default 200) */
    minWindow: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    /** per model id: its own minimum window */
    minWindowByModel: Type.Optional(Type.Record(Type.String({ pattern: MODEL_ID_PATTERN }), Type.Integer({ minimum: 1, maximum: 100000 }))),
  },
  { additionalProperties: false },
);
export type DriftOptions = Static<typeof DriftOptions>;

export const SettingsBody = Type.Object(
  {
    windowSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    windowHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100000 })),
    qualityThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    minLabelled: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    webhookUrl: Type.Optional(Type.Union([Type.String({ pattern: '^https?://', maxLength: 500 }), Type.Null()])),
    drift: Type.Optional(DriftOptions),
    retrainOnAlert: Type.Optional(Type.Boolean()),
    retrainEveryHours: Type.Optional(Type.Number({ minimum: 0, maximum: 10000 })),
    retrainMargin: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
  },
  { additionalProperties: false },
);
export type SettingsBody = Static<typeof SettingsBody>;

export const MonitorSettings = Type.Object({
  windowSize: Type.Number(),
  windowHours: Type.Number(),
  qualityThreshold: Type.Number(),
  minLabelled: Type.Number(),
  webhookUrl: Type.Optional(Type.String()),
  drift: DriftOptions,
  /** train and evaluate a challenger when an alert fires */
  retrainOnAlert: Type.Boolean(),
  /** also every N hours (0: never) */
  retrainEveryHours: Type.Number(),
  retrainMargin: Type.Number(),
});
export type MonitorSettings = Static<typeof MonitorSettings>;

/** a recorded prediction, as GET /monitoring/predictions lists it */
export const RecordedPrediction = Type.Object({
  id: Type.String(),
  /** epoch milliseconds */
  at: Type.Number(),
  model: Type.String(),
  version: Type.String(),
  endpoint: Type.String(),
  features: Type.Array(Type.Number()),
  spam: Metric,
  label: Type.String(),
  caller: Type.String(),
  sms_id: Type.Optional(Type.String()),
  oov: Type.Optional(Metric),
});
export type RecordedPrediction = Static<typeof RecordedPrediction>;
