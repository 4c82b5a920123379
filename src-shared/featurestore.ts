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

export const PushRequest = Type.Object(
  {
    push_source_name: Type.String({ minLength: 1, maxLength: 200 }),
    df: Type.Record(Type.String({ maxLength: 200 }), Type.Array(Type.Any(), { maxItems: 100000 })),
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

export interface EntityDef {
  name: string;
  joinKeys: string[];
  valueType: FeatureValueType;
  description: string;
}
export interface FileSourceDef {
  kind: 'file';
  name: string;
  /** folder under the offline store holding the source's Parquet part files */
  path: string;
  timestampField: string;
  createdTimestampColumn: string;
  description: string;
}
export interface PushSourceDef {
  kind: 'push';
  name: string;
  batchSource: string;
  description: string;
}
export type DataSourceDef = FileSourceDef | PushSourceDef;

export interface FieldDef {
  name: string;
  dtype: FeatureValueType;
  description: string;
  /** fixed length for Array fields, checked on push */
  length?: number;
}
export interface FeatureViewDef {
  name: string;
  entities: string[];
  schema: FieldDef[];
  source: string;
  /** seconds; 0 means no limit, as in Feast */
  ttlSeconds: number;
  online: boolean;
  tags: Record<string, string>;
  description: string;
}
export interface FeatureServiceDef {
  name: string;
  features: { view: string; features?: string[] }[];
  description: string;
  tags: Record<string, string>;
}
export interface RegistryDefinitions {
  project: string;
  entities: EntityDef[];
  sources: DataSourceDef[];
  featureViews: FeatureViewDef[];
  featureServices: FeatureServiceDef[];
}
export interface RegistrySnapshot {
  version: number;
  appliedAt: string;
  stage: string;
  definitions: RegistryDefinitions;
  diff: RegistryDiff;
}
export type DiffKind = 'entity' | 'data_source' | 'feature_view' | 'feature_service';
export interface RegistryDiffEntry {
  kind: DiffKind;
  name: string;
  change: 'added' | 'changed' | 'removed';
  /** for changed objects: the dotted paths that differ, with before and after */
  fields?: { path: string; before: unknown; after: unknown }[];
}
export interface RegistryDiff {
  entries: RegistryDiffEntry[];
}

/* ---------- registry and offline routes (read-only, for the console and discovery) ---------- */

export const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
export type NameParam = Static<typeof NameParam>;
export const PreviewQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })) }, { additionalProperties: false });
export type PreviewQuery = Static<typeof PreviewQuery>;

/** GET /registry/data-sources: file sources with their columns and part count */
export type SourceInfo = DataSourceDef & { parts?: number; columns?: FieldDef[] };
/** GET /registry/feature-views: views with their online rows and watermark */
export type ViewInfo = FeatureViewDef & { online_rows: number; materialized_until: string | null };
/** GET /offline/{source}/preview: the newest rows of a file source */
export interface OfflinePreview {
  source: string;
  total_rows: number;
  parts: number;
  rows: Record<string, unknown>[];
}
export interface MaterializationRecord {
  view: string;
  startTs: string;
  endTs: string;
  rows: number;
  at: string;
  incremental: boolean;
}
/** POST /push answers with what was written */
export interface PushAnswer {
  status: 'ok';
  rows: number;
  feature_views: string[];
  to: PushTarget;
}
