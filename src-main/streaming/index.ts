/**
 * The stream (NATS JetStream): the seed's chapter 4 built. Loaded only when the stream is on
 * (SPAMOPS_STREAM_URL, `serve --stream`): engines.ts imports it dynamically, so the embedded
 * default never loads a NATS module.
 */
export { openStreamIngestion, StreamIngestion } from './ingestion';
export type { StreamIngestionDeps } from './ingestion';
export { streamNameFor } from './settings';
export type { StreamSettings } from './settings';
