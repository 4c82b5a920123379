/** The inbox: the Inbox API's pipeline with its durable outbox, v2 backfills, the seed's sample inbox. */
export { InboxPipeline } from './pipeline';
export type { InboxDeps, IngestResult } from './pipeline';
export { V2Backfill, V2_PUSH_SOURCE, V2_VIEW } from './backfill';
export type { BackfillDeps } from './backfill';
export { loadSampleInbox } from './sample';
