/**
 * Contracts of the feature server (Feast-compatible) and the registry, shared by the
 * API (validation, OpenAPI) and the console (typed client).
 */
import { Type, type Static } from '@sinclair/typebox';
import { SMS_ID_MAX_LENGTH, SmsIdString } from './ids';

export const FeatureValueType = Type.Union([
  Type.Literal('Float32'),
  Type.Literal('Float64'),
  Type.Literal('Int64'),
  Type.Literal('String'),
  Type.Literal('Array(Int64)'),
]);
export type FeatureValueType = Static<typeof FeatureValueType>;

export type FeatureValue = number | string | number[] | null;

export const FeatureStatus = Type.Union([Type.Literal('PRESENT'), Type.Literal('NOT_FOUND'), Type.Literal('OUTSIDE_MAX_AGE'), Type.Literal('NULL_VALUE')]);
export type FeatureStatus = Static<typeof FeatureStatus>;

const EntityKey = SmsIdString;

export const GetOnlineFeaturesRequest = Type.Object(
  {
    entities: Type.Record(Type.String({ maxLength: 100 }), Type.Array(EntityKey, { minItems: 1, maxItems: 10000 })),
    features: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 200 }), { minItems: 1, maxItems: 500 })),
    feature_service: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    full_feature_names: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type GetOnlineFeaturesRequest = Static<typeof GetOnlineFeaturesRequest>;

export const OnlineFeatureResult = Type.Object({
  values: Type.Array(Type.Any()),
  statuses: Type.Array(FeatureStatus),
  event_timestamps: Type.Array(Type.String()),
});
export const GetOnlineFeaturesResponse = Type.Object({
  metadata: Type.Object({ feature_names: Type.Array(Type.String()) }),
  results: Type.Array(OnlineFeatureResult),
});
export type GetOnlineFeaturesResponse = Static<typeof GetOnlineFeaturesResponse>;

export const PushTarget = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('online_and_offline')]);
export type PushTarget = Static<typeof PushTarget>;

/** rows of one POST /push */
export const PUSH_MAX_ROWS = 100_000;
/**
 * The body limit of that route, above the server's default (1 MiB held about 40,000 labels and
 * 5,000 rows of features v2): room for PUSH_MAX_ROWS rows of features v2 (about 230 bytes each).
 */
export const PUSH_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

export const PushRequest = Type.Object(
  {
    push_source_name: Type.String({ minLength: 1, maxLength: 200 }),
    df: Type.Record(Type.String({ maxLength: 200 }), Type.Array(Type.Any(), { maxItems: PUSH_MAX_ROWS })),
    to: Type.Optional(PushTarget),
  },
  { additionalProperties: false },
);
export type PushRequest = Static<typeof PushRequest>;

/** POST /get-historical-features: point-in-time correct rows, streamed (NDJSON or CSV) or as a Parquet file */
/** entity rows of one POST /get-historical-features (more: `entities: "all"`, or several requests) */
export const HISTORICAL_MAX_ENTITIES = 100_000;
/**
 * The body limit of that route, above the server's default (1 MiB held 89,000 short ids): room for
 * HISTORICAL_MAX_ENTITIES ids of the longest length, each with an event_timestamp of 64 characters.
 */
export const HISTORICAL_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

export const HistoricalFormat = Type.Union([Type.Literal('ndjson'), Type.Literal('csv'), Type.Literal('parquet')]);
export type HistoricalFormat = Static<typeof HistoricalFormat>;
export const GetHistoricalFeaturesRequest = Type.Object(
  {
    entities: Type.Union(
      [
        Type.Literal('all'),
        Type.Record(
          Type.String({ maxLength: 100 }),
          Type.Array(Type.String({ minLength: 1, maxLength: SMS_ID_MAX_LENGTH }), { minItems: 1, maxItems: HISTORICAL_MAX_ENTITIES }),
          {
            description: 'the join key (a list of ids) and, unless "at" is given, event_timestamp (a list of the same length)',
          },
        ),
      ],
      { description: '"all" (every key the sources hold) or the entity rows as columns' },
    ),
    at: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the time of every entity row (default now for "all")' })),
    features: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 200 }), { minItems: 1, maxItems: 500 })),
    feature_service: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    full_feature_names: Type.Optional(Type.Boolean()),
    format: Type.Optional(HistoricalFormat),
    raw: Type.Optional(
      Type.Boolean({
        description:
          "csv: texts as stored, formulas included (for tools that read the file back); by default a text a spreadsheet would run as a formula gets a leading '",
      }),
    ),
  },
  { additionalProperties: false },
);
export type GetHistoricalFeaturesRequest = Static<typeof GetHistoricalFeaturesRequest>;

export const MaterializeRequest = Type.Object(
  {
    start_ts: Type.String({ minLength: 1, maxLength: 64 }),
    end_ts: Type.String({ minLength: 1, maxLength: 64 }),
    feature_views: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type MaterializeRequest = Static<typeof MaterializeRequest>;

export const MaterializeIncrementalRequest = Type.Object(
  {
    end_ts: Type.String({ minLength: 1, maxLength: 64 }),
    feature_views: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type MaterializeIncrementalRequest = Static<typeof MaterializeIncrementalRequest>;

export const MaterializeViewResult = Type.Object({
  feature_view: Type.String(),
  start_ts: Type.String(),
  end_ts: Type.String(),
  rows_written: Type.Integer(),
  entities: Type.Integer(),
});
export const MaterializeResponse = Type.Object({ views: Type.Array(MaterializeViewResult), duration_ms: Type.Number() });
export type MaterializeResponse = Static<typeof MaterializeResponse>;

/* ---------- registry objects (what `apply` stores) ---------- */

const Tags = Type.Record(Type.String(), Type.String());
export const EntityDef = Type.Object({
  name: Type.String(),
  joinKeys: Type.Array(Type.String()),
  valueType: FeatureValueType,
  description: Type.String(),
});
export type EntityDef = Static<typeof EntityDef>;
export const FileSourceDef = Type.Object({
  kind: Type.Literal('file'),
  name: Type.String(),
  /** folder under the offline store holding the source's Parquet part files */
  path: Type.String(),
  timestampField: Type.String(),
  createdTimestampColumn: Type.String(),
  description: Type.String(),
});
export type FileSourceDef = Static<typeof FileSourceDef>;
export const PushSourceDef = Type.Object({ kind: Type.Literal('push'), name: Type.String(), batchSource: Type.String(), description: Type.String() });
export type PushSourceDef = Static<typeof PushSourceDef>;
export const DataSourceDef = Type.Union([FileSourceDef, PushSourceDef]);
export type DataSourceDef = Static<typeof DataSourceDef>;

export const FieldDef = Type.Object({
  name: Type.String(),
  dtype: FeatureValueType,
  description: Type.String(),
  /** fixed length for Array fields, checked on push */
  length: Type.Optional(Type.Integer()),
});
export type FieldDef = Static<typeof FieldDef>;
export const FeatureViewDef = Type.Object({
  name: Type.String(),
  entities: Type.Array(Type.String()),
  schema: Type.Array(FieldDef),
  source: Type.String(),
  /** seconds; 0 means no limit, as in Feast */
  ttlSeconds: Type.Number(),
  online: Type.Boolean(),
  tags: Tags,
  description: Type.String(),
});
export type FeatureViewDef = Static<typeof FeatureViewDef>;
export const FeatureServiceDef = Type.Object({
  name: Type.String(),
  features: Type.Array(Type.Object({ view: Type.String(), features: Type.Optional(Type.Array(Type.String())) })),
  description: Type.String(),
  tags: Tags,
});
export type FeatureServiceDef = Static<typeof FeatureServiceDef>;
export const RegistryDefinitions = Type.Object({
  project: Type.String(),
  entities: Type.Array(EntityDef),
  sources: Type.Array(DataSourceDef),
  featureViews: Type.Array(FeatureViewDef),
  featureServices: Type.Array(FeatureServiceDef),
});
export type RegistryDefinitions = Static<typeof RegistryDefinitions>;
export const DiffKind = Type.Union([Type.Literal('entity'), Type.Literal('data_source'), Type.Literal('feature_view'), Type.Literal('feature_service')]);
export type DiffKind = Static<typeof DiffKind>;
export const RegistryDiffEntry = Type.Object({
  kind: DiffKind,
  name: Type.String(),
  change: Type.Union([Type.Literal('added'), Type.Literal('changed'), Type.Literal('removed')]),
  /** for changed objects: the dotted paths that differ, with before and after */
  fields: Type.Optional(Type.Array(Type.Object({ path: Type.String(), before: Type.Unknown(), after: Type.Unknown() }))),
});
export type RegistryDiffEntry = Static<typeof RegistryDiffEntry>;
export const RegistryDiff = Type.Object({ entries: Type.Array(RegistryDiffEntry) });
export type RegistryDiff = Static<typeof RegistryDiff>;
export const RegistrySnapshot = Type.Object({
  version: Type.Integer(),
  appliedAt: Type.String(),
  stage: Type.String(),
  definitions: RegistryDefinitions,
  diff: RegistryDiff,
});
export type RegistrySnapshot = Static<typeof RegistrySnapshot>;

/* ---------- registry and offline routes (read-only, for the console and discovery) ---------- */

export const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
export type NameParam = Static<typeof NameParam>;
/** json (default) or csv: the same answer as a CSV file (formula cells escaped) */
export const ExportFormatParam = Type.Union([Type.Literal('json'), Type.Literal('csv')]);
/** an ISO 8601 UTC time, as the API writes them */
const IsoTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:?\\d{2})?$',
  description: 'an ISO 8601 time (2021-05-01T00:00:00Z)',
});
export const PreviewQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'rows per page, 1 to 1000 (default 50)' })),
    offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: 'rows to skip (a whole number)' })),
    cursor: Type.Optional(Type.String({ pattern: '^o[0-9]{1,9}$', description: 'the next_cursor of the previous page' })),
    sort: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a column of the source, entity_key, event_timestamp or created_timestamp' })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'entity ids starting with it' })),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the label column equal to it (sources with a label column)' })),
    from: Type.Optional(IsoTime),
    to: Type.Optional(IsoTime),
    columns: Type.Optional(Type.String({ pattern: '^[^,]{1,200}(,[^,]{1,200}){0,499}$', description: 'comma-separated columns of the source' })),
    format: Type.Optional(ExportFormatParam),
  },
  { additionalProperties: false },
);
export type PreviewQuery = Static<typeof PreviewQuery>;

/** GET /registry: the latest snapshot, or version 0 before the first apply */
export const RegistryAnswer = Type.Union([RegistrySnapshot, Type.Object({ version: Type.Literal(0), definitions: Type.Null() })]);
/** GET /registry/data-sources: file sources with their columns and part count */
export const SourceInfo = Type.Union([
  Type.Object({ ...FileSourceDef.properties, parts: Type.Optional(Type.Integer()), columns: Type.Optional(Type.Array(FieldDef)) }),
  PushSourceDef,
]);
export type SourceInfo = DataSourceDef & { parts?: number; columns?: FieldDef[] };
/** GET /registry/feature-views: views with their online rows and watermark */
export const ViewInfo = Type.Object({
  ...FeatureViewDef.properties,
  online_rows: Type.Integer(),
  materialized_until: Type.Union([Type.String(), Type.Null()]),
});
export type ViewInfo = Static<typeof ViewInfo>;
/** GET /offline/{source}/preview: the newest rows of a file source (their columns are the source's fields) */
export const OfflinePreview = Type.Object({
  source: Type.String(),
  total_rows: Type.Integer(),
  parts: Type.Integer(),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  /** rows that pass the filters (total_rows without filters) */
  matched_rows: Type.Optional(Type.Integer()),
  offset: Type.Optional(Type.Integer()),
  limit: Type.Optional(Type.Integer()),
  /** the cursor of the next page, null on the last page */
  next_cursor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  columns: Type.Optional(Type.Array(Type.String())),
});
export type OfflinePreview = Static<typeof OfflinePreview>;
export const MaterializationRecord = Type.Object({
  view: Type.String(),
  startTs: Type.String(),
  endTs: Type.String(),
  rows: Type.Integer(),
  at: Type.String(),
  incremental: Type.Boolean(),
});
export type MaterializationRecord = Static<typeof MaterializationRecord>;
/** POST /push answers with what was written */
export const PushAnswer = Type.Object({ status: Type.Literal('ok'), rows: Type.Integer(), feature_views: Type.Array(Type.String()), to: PushTarget });
export type PushAnswer = Static<typeof PushAnswer>;
/** POST /get-historical-features, NDJSON: one row per entity row, its join key, event_timestamp and the features */
export const HistoricalRow = Type.Record(Type.String(), Type.Unknown(), {
  description: 'NDJSON (default): one object per line; CSV: a header line then one line per row; parquet: a file (application/vnd.apache.parquet)',
});

/* ---------- feature statistics (GET /registry/feature-views/{name}/statistics) ---------- */

const Num = Type.Union([Type.Number(), Type.Null()]);
export const HistogramBin = Type.Object({
  lo: Type.Number({ description: 'lower edge (a bin per value: the value)' }),
  hi: Type.Number({ description: 'upper edge (the last bin includes it)' }),
  count: Type.Number(),
});
export type HistogramBin = Static<typeof HistogramBin>;
export const CategoryBin = Type.Object({ label: Type.String(), count: Type.Number() });
export const TopValue = Type.Object({ value: Type.String(), count: Type.Number() });
export type TopValue = Static<typeof TopValue>;
export const NumericSummary = Type.Object({
  present: Type.Number({ description: 'values that are not missing' }),
  min: Num,
  max: Num,
  mean: Num,
  std: Type.Union([Type.Number(), Type.Null()], { description: 'sample standard deviation' }),
  distinct: Type.Number(),
  percentiles: Type.Array(Type.Object({ p: Type.Number(), value: Num }), { description: 'exact, linear interpolation (numpy default)' }),
});
export type NumericSummary = Static<typeof NumericSummary>;
const StatBase = {
  name: Type.String(),
  dtype: FeatureValueType,
  count: Type.Number({ description: 'rows of the source' }),
  missing: Type.Number({ description: 'rows without a value (an empty token list counts as missing)' }),
  missing_share: Type.Number({ minimum: 0, maximum: 1 }),
};
export const NumericFeatureStatistics = Type.Composite([
  Type.Object({ ...StatBase, kind: Type.Literal('numeric'), histogram: Type.Array(HistogramBin) }),
  NumericSummary,
]);
export const CategoricalFeatureStatistics = Type.Object({
  ...StatBase,
  kind: Type.Literal('categorical'),
  distinct: Type.Number(),
  top: Type.Array(TopValue),
  histogram: Type.Array(CategoryBin),
});
export const ListFeatureStatistics = Type.Object({
  ...StatBase,
  kind: Type.Literal('list'),
  length: NumericSummary,
  histogram: Type.Array(HistogramBin, { description: 'of the list lengths' }),
  tokens: Type.Composite([NumericSummary, Type.Object({ top: Type.Array(TopValue), histogram: Type.Array(HistogramBin) })], {
    description: 'the token ids of every list, pooled',
  }),
});
export const FeatureStatistics = Type.Union([NumericFeatureStatistics, CategoricalFeatureStatistics, ListFeatureStatistics]);
export type FeatureStatistics = Static<typeof FeatureStatistics>;
export const FeatureViewStatistics = Type.Object({
  view: Type.String(),
  source: Type.String(),
  join_key: Type.String(),
  rows: Type.Number(),
  entities: Type.Number({ description: 'distinct entity keys' }),
  parts: Type.Number(),
  first_event: Type.Union([Type.String(), Type.Null()]),
  last_event: Type.Union([Type.String(), Type.Null()]),
  computed_at: Type.String(),
  state: Type.String({ description: 'the offline-source state the statistics were computed on (parts and materialization watermark)' }),
  cached: Type.Boolean(),
  features: Type.Array(FeatureStatistics),
});
export type FeatureViewStatistics = Static<typeof FeatureViewStatistics>;
export const StatisticsQuery = Type.Object(
  {
    refresh: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'recompute even if cached' })),
    format: Type.Optional(ExportFormatParam),
  },
  { additionalProperties: false },
);
export type StatisticsQuery = Static<typeof StatisticsQuery>;

/* ---------- a feature service's training-set statistics (GET /registry/feature-services/{name}/statistics) ---------- */
export const FeatureServiceStatistics = Type.Object({
  service: Type.String(),
  at: Type.String({ description: 'the time of every entity row of the training set (ISO 8601)' }),
  join_key: Type.String(),
  views: Type.Array(Type.String(), { description: 'the feature views the service reads' }),
  rows: Type.Number({ description: "entity rows of the training set: every key the views' sources hold" }),
  entities: Type.Number({ description: 'distinct entity keys' }),
  computed_at: Type.String(),
  features: Type.Array(FeatureStatistics, { description: 'each feature as the point-in-time join saw it at `at` (no row then: missing)' }),
});
export type FeatureServiceStatistics = Static<typeof FeatureServiceStatistics>;
export const ServiceStatisticsQuery = Type.Object(
  {
    at: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the time of the training set, e.g. 2021-09-02T00:00:00Z (default now)' })),
    format: Type.Optional(ExportFormatParam),
  },
  { additionalProperties: false },
);
export type ServiceStatisticsQuery = Static<typeof ServiceStatisticsQuery>;

/* ---------- the messages behind entity ids (GET /online/messages) ---------- */
/** ids of one GET /online/messages */
export const MESSAGE_CONTEXT_MAX_IDS = 100;
export const MessageContextQuery = Type.Object(
  {
    ids: Type.String({
      minLength: 1,
      maxLength: MESSAGE_CONTEXT_MAX_IDS * (SMS_ID_MAX_LENGTH + 1),
      description: `comma-separated sms_ids, 1 to ${MESSAGE_CONTEXT_MAX_IDS}`,
    }),
  },
  { additionalProperties: false },
);
export type MessageContextQuery = Static<typeof MessageContextQuery>;
const NullableString = Type.Union([Type.String(), Type.Null()]);
export const MessageContext = Type.Object({
  sms_id: Type.String(),
  found_in: Type.Array(Type.Union([Type.Literal('inbox'), Type.Literal('warehouse')]), { description: 'where the message was found (none: unknown)' }),
  text: NullableString,
  user_id: Type.Union([Type.String(), Type.Null()], { description: "the inbox's owner (inbox messages only)" }),
  sender_id: NullableString,
  sent_at: Type.Union([Type.String(), Type.Null()], { description: 'the send time, from the TimeUUID sms_id (ISO 8601)' }),
  label: Type.Union([Type.String(), Type.Null()], { description: "the warehouse's label (spam, ham)" }),
  origin: Type.Union([Type.String(), Type.Null()], { description: 'the file a warehouse message was imported from' }),
  reasons: Type.Object(
    { text: Type.Optional(Type.String()), user_id: Type.Optional(Type.String()), sent_at: Type.Optional(Type.String()) },
    { description: 'why a field is null' },
  ),
});
export type MessageContext = Static<typeof MessageContext>;
export const MessageContextAnswer = Type.Object({ messages: Type.Array(MessageContext, { description: 'one per id asked, in order' }) });
export type MessageContextAnswer = Static<typeof MessageContextAnswer>;

/* ---------- entity ids suggested from the store (GET /online/ids) ---------- */
export const EntityIdsQuery = Type.Object(
  {
    prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'ids starting with it (sorted); absent: the most recent ids' })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'at most this many, 1 to 100 (default 20)' })),
  },
  { additionalProperties: false },
);
export type EntityIdsQuery = Static<typeof EntityIdsQuery>;
export const EntityIdsAnswer = Type.Object({
  source: Type.String({ description: 'the offline source the ids come from' }),
  ids: Type.Array(Type.String()),
});
export type EntityIdsAnswer = Static<typeof EntityIdsAnswer>;
