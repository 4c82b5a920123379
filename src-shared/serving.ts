/** Contracts of model serving (`/model/{v}/…`, the seed 002's `/prediction`, `/serving/stats`). */
import { Type, type Static } from '@sinclair/typebox';

export const ServedVersionParam = Type.Object({ version: Type.String({ minLength: 1, maxLength: 100 }) });
export type ServedVersionParam = Static<typeof ServedVersionParam>;

const Flags = { echo_input: Type.Optional(Type.Boolean()), skip_cache: Type.Optional(Type.Boolean()) };
export const TextBody = Type.Object({ text: Type.String({ maxLength: 20000 }), ...Flags }, { additionalProperties: false });
export type TextBody = Static<typeof TextBody>;
export const FeaturesBody = Type.Object(
  // element types are checked by the model (422 with the index), not by the schema (400)
  { features: Type.Array(Type.Any(), { maxItems: 1000 }), ...Flags },
  { additionalProperties: false },
);
export type FeaturesBody = Static<typeof FeaturesBody>;

export const PredictionAnswer = Type.Object({
  prediction: Type.Object({ ham: Type.Number(), spam: Type.Number() }),
  top: Type.Object({ label: Type.String(), value: Type.Number() }),
  from_cache: Type.Boolean(),
  input: Type.Optional(Type.Any()),
});
export type PredictionAnswer = Static<typeof PredictionAnswer>;
export const FeaturesAnswer = Type.Object({ features: Type.Array(Type.Number()), from_cache: Type.Boolean(), input: Type.Optional(Type.Any()) });
export type FeaturesAnswer = Static<typeof FeaturesAnswer>;

/** "Try it" against any registered version: POST /models/{name}/versions/{version}/text_to_prediction */
export const VersionRefParam = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'the model id (v1, v2, v3, or one of your own)' }),
  version: Type.String({ minLength: 1, maxLength: 100, description: 'a version number ("2") or an alias ("production", "challenger")' }),
});
export type VersionRefParam = Static<typeof VersionRefParam>;
export const VersionPredictionAnswer = Type.Composite([
  PredictionAnswer,
  Type.Object({
    model: Type.String(),
    version: Type.String({ description: 'the version number that answered' }),
    asked: Type.String({ description: 'the version or alias asked for' }),
    aliases: Type.Array(Type.String(), { description: "the answering version's aliases" }),
    threshold: Type.Union([Type.Number(), Type.Null()], { description: 'its decision threshold (null: spam outscoring ham)' }),
  }),
]);
export type VersionPredictionAnswer = Static<typeof VersionPredictionAnswer>;

/** the caller's call log as a file: GET /serving/call-log */
export const CallLogQuery = Type.Object(
  {
    version: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'a model id: its calls, "Try it" calls of its versions included (absent: every model)' }),
    ),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);
export type CallLogQuery = Static<typeof CallLogQuery>;

export const CallLogRow = Type.Object({
  caller_id: Type.String(),
  called_at: Type.String(),
  endpoint: Type.String(),
  version: Type.String(),
  input_json: Type.String(),
});
export type CallLogRow = Static<typeof CallLogRow>;

/** the text-classification service of seed 002 */
export const PredictionRequest = Type.Object(
  {
    model_id: Type.String({ minLength: 1, maxLength: 100 }),
    text: Type.String({ maxLength: 20000 }),
    n_top: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })),
  },
  { additionalProperties: false },
);
export type PredictionRequest = Static<typeof PredictionRequest>;
export const PredictionQuery = Type.Object(
  {
    model_id: Type.Optional(Type.String({ maxLength: 100 })),
    text: Type.Optional(Type.String({ maxLength: 20000 })),
    n_top: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}$' })),
  },
  { additionalProperties: false },
);
export type PredictionQuery = Static<typeof PredictionQuery>;
export const TopPredictionsAnswer = Type.Object({
  model_id: Type.String(),
  version: Type.String(),
  text: Type.String(),
  predictions: Type.Array(Type.Object({ label: Type.String(), score: Type.Number() })),
});
export type TopPredictionsAnswer = Static<typeof TopPredictionsAnswer>;

export const LatencyBucket = Type.Object({
  t: Type.String({ description: 'the start of the 10-second bucket (ISO 8601)' }),
  count: Type.Integer(),
  p50_ms: Type.Number(),
  p95_ms: Type.Number(),
  p99_ms: Type.Optional(Type.Number()),
  max_ms: Type.Number(),
});
export type LatencyBucket = Static<typeof LatencyBucket>;
export const ServingStatsAnswer = Type.Object({
  served: Type.Array(
    Type.Object({
      name: Type.String(),
      version: Type.Union([Type.String(), Type.Null()]),
      aliases: Type.Array(Type.String()),
      loaded: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  cache: Type.Object({ hits: Type.Integer(), misses: Type.Integer(), hit_rate: Type.Number() }),
  requests: Type.Object({ total: Type.Integer(), by_endpoint: Type.Record(Type.String(), Type.Integer()) }),
  latency: Type.Array(LatencyBucket),
  bucket_seconds: Type.Optional(Type.Integer()),
  window_start: Type.Optional(Type.String({ description: 'the first bucket of the window asked for' })),
  series: Type.Optional(
    Type.Array(
      Type.Object({
        route: Type.String({ description: 'the endpoint: text_to_prediction, features_to_prediction, text_to_features, prediction' }),
        version: Type.String({ description: 'the served name the request named (v1, v2, v3), or the model_id of /prediction; "" when none' }),
        latency: Type.Array(LatencyBucket, { description: 'buckets with requests only: a missing bucket is a gap' }),
      }),
    ),
  ),
});
export const ServingStatsQuery = Type.Object(
  {
    window: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,4}[smh]$', description: 'the last minutes or hours to answer (5m, 1h; at most 1h, the time kept)' }),
    ),
  },
  { additionalProperties: false },
);
export type ServingStatsQuery = Static<typeof ServingStatsQuery>;
export type ServingStatsAnswer = Static<typeof ServingStatsAnswer>;
