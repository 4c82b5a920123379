/**
 * The inbox: the Inbox API's pipeline, the feature step every stored message reaches through the
 * change log, the embedded ingestion (and the face the stream's implements), v2 backfills, the
 * seed's sample inbox.
 */
export { InboxPipeline } from './pipeline';
export type { InboxDeps, IngestResult } from './pipeline';
export { FeatureStep } from './feature-step';
export type { FeatureStepDeps, FeatureWait } from './feature-step';
export { ChangeFollower } from './change-follower';
export type { ChangeLog, FollowerOptions } from './change-follower';
export { EmbeddedIngestion, IngestionError, pendingOf } from './ingestion';
export { offlineFollower, OFFLINE_CURSOR, FEATURES_CURSOR, STREAM_RELAY_CURSOR } from './offline-follower';
export type { OfflineFollowerDeps } from './offline-follower';
export type { Ingestion, EmbeddedIngestionDeps, PendingChange } from './ingestion';
export { V2Backfill, V2_PUSH_SOURCE, V2_VIEW } from './backfill';
export type { BackfillDeps } from './backfill';
export { loadSampleInbox } from './sample';
export { messageContexts } from './message-context';
export type { MessageContextStores } from './message-context';
