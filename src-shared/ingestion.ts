/**
 * Contracts of the ingestion routes: how stored messages reach the feature step (the embedded change
 * log, or NATS JetStream when the stream is on), its throughput and lag, and the stream's dead letters.
 */
import { Type, type Static } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String | typeof Type.Integer | typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

/** one consumer: the stream's entry point (sms.incoming) or the feature step */
export const ConsumerStats = Type.Object({
  processed: Type.Integer({ description: 'messages handled since the server started' }),
  per_second: Type.Number({ description: 'mean over the last complete seconds (10 s window)' }),
  pending: Nullable(Type.Integer({ description: 'waiting to be delivered: the consumer lag' })),
  ack_pending: Nullable(Type.Integer({ description: 'delivered, not acknowledged yet' })),
  redelivered: Type.Integer({ description: 'deliveries beyond the first since the server started' }),
  failures: Type.Integer({ description: 'failed attempts since the server started' }),
  last_error: Nullable(Type.String()),
});
export type ConsumerStats = Static<typeof ConsumerStats>;

export const StreamState = Type.Object({
  servers: Type.String({ description: 'the NATS servers, comma-separated' }),
  subject: Type.String({ description: 'where outside actors publish new messages' }),
  changes_subject: Type.String({ description: 'where the change events of the user-data store go' }),
  dead_letter_subject: Type.String(),
  max_deliver: Type.Integer(),
  connected: Type.Boolean(),
  reason: Nullable(Type.String({ description: 'why the stream is unavailable' })),
  since: Type.String({ description: 'when the connection state last changed (ISO 8601)' }),
});
export type StreamState = Static<typeof StreamState>;

/** GET /ingestion/stats */
export const IngestionStats = Type.Object({
  mode: Type.Union([Type.Literal('embedded'), Type.Literal('stream')]),
  stream: Type.Union([StreamState, Type.Null()]),
  change_log: Type.Object({
    consumer: Type.String({ description: 'who reads the change log: the feature step (embedded) or the relay to the stream' }),
    pending: Type.Integer({ description: 'changes recorded and not handed on yet (counted up to 100,000)' }),
    last_error: Nullable(Type.String()),
  }),
  incoming: Type.Union([ConsumerStats, Type.Null()], { description: 'the stream entry point (null when the stream is off)' }),
  features: ConsumerStats,
  offline: Type.Optional(
    Type.Union(
      [
        Type.Object({
          pending: Type.Integer({
            description: 'changes whose offline rows are not written yet (up to 100,000): behind the feature step (embedded) or the relay (stream)',
          }),
          last_error: Nullable(Type.String()),
        }),
        Type.Null(),
      ],
      {
        description:
          'the offline rows, group-committed from the change log behind the feature step (embedded) or the relay (stream); null: the step writes them itself',
      },
    ),
  ),
  dead_letters: Nullable(Type.Integer({ description: 'messages in the dead-letter subject (null when the stream is off or unreachable)' })),
});
export type IngestionStats = Static<typeof IngestionStats>;

/** what /health says of ingestion */
export const IngestionHealth = Type.Object({
  mode: Type.Union([Type.Literal('embedded'), Type.Literal('stream')]),
  stream: Type.Union([Type.Literal('off'), Type.Literal('connected'), Type.Literal('unavailable')]),
  reason: Nullable(Type.String()),
  /** the feature step failing on the changes it takes, attempt after attempt (the messages wait in the change log) */
  featuresFailing: Type.Optional(Type.Object({ attempts: Type.Integer(), error: Type.String() })),
});
export type IngestionHealth = Static<typeof IngestionHealth>;

/** a message the stream gave up on, kept in the dead-letter subject with why */
export const DeadLetter = Type.Object({
  seq: Type.Integer({ description: 'its sequence in the dead-letter stream' }),
  subject: Type.String({ description: 'the subject it came from' }),
  reason: Type.String(),
  deliveries: Type.Integer(),
  failed_at: Type.String(),
  origin_seq: Nullable(Type.Integer()),
  data: Type.String({ description: 'the payload as text (the first 2,000 characters)' }),
  retryable: Type.Boolean({
    description:
      'false for a message that can never be stored as it is (not valid, or its id held by another message): Retry refuses it; publish a corrected one',
  }),
});
export type DeadLetter = Static<typeof DeadLetter>;

export const DeadLettersQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'an integer from 0 to 999' })) },
  { additionalProperties: false },
);
export type DeadLettersQuery = Static<typeof DeadLettersQuery>;
export const DeadLetterParam = Type.Object({ seq: Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'a dead letter sequence number' }) });
export type DeadLetterParam = Static<typeof DeadLetterParam>;

/** POST /ingestion/dead-letters/{seq}/retry */
export const RetryAnswer = Type.Object({
  seq: Type.Integer({ description: 'the dead letter, now removed' }),
  to: Type.String({ description: 'the subject it was published to again' }),
  new_seq: Type.Integer({ description: 'its new sequence there' }),
});
export type RetryAnswer = Static<typeof RetryAnswer>;
