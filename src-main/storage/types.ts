/**
 * The storage layer: one small async interface per concern. The engines above only know
 * these interfaces; which backend serves them (SQLite or Cassandra) is chosen at the edge,
 * in `openStorage`.
 */
import type { FeatureValue } from '../../src-shared/featurestore';
import type { FeedbackRecord } from '../../src-shared/feedback';
import type { ModelVersion, RunRecord } from '../../src-shared/training';
import type { ImportJob } from '../../src-shared/data';
import type { Alert, DriftReport, RetrainDecision } from '../../src-shared/monitoring';

/** The latest feature values of one entity in one feature view. */
export interface OnlineRow {
  entityKey: string;
  values: Record<string, FeatureValue>;
  /** epoch milliseconds */
  eventTs: number;
  createdTs: number;
}

export interface OnlineStore {
  /** create the view's table if needed (called by `apply`); `ttlSeconds`: the view's ttl (0: none), for stores that expire rows */
  ensureView(view: string, o?: { ttlSeconds?: number }): Promise<void>;
  /** drop the view's table and rows (called by `apply` when a view is removed) */
  dropView(view: string): Promise<void>;
  /**
   * Upsert rows; a row older than what is stored (by event time, then created time) is
   * ignored, so replays and out-of-order pushes never move the online store back in time.
   */
  writeBatch(view: string, rows: OnlineRow[]): Promise<void>;
  /** one entry per key, in order; undefined when absent */
  read(view: string, keys: string[]): Promise<(OnlineRow | undefined)[]>;
  /**
   * the same for several views at once (a feature service's lookup), where the store answers them
   * in one round (SQLite: point lookups in one read transaction; Redis: one pipeline); absent,
   * `read` is called per view
   */
  readViews?(views: string[], keys: string[]): Promise<Map<string, (OnlineRow | undefined)[]>>;
  /**
   * the same at once, `rows[i]` for `views[i]`, where the store reads synchronously (SQLite): a
   * lookup answered without a turn of the event loop (FeatureStore.getOnlineFeaturesNow)
   */
  readViewsNow?(views: string[], keys: string[]): (OnlineRow | undefined)[][];
  /**
   * a value that changes whenever the stored rows may have, by any writer, this process's or
   * another's; undefined where the store cannot tell at once (FeatureStore.onlineMoment)
   */
  changeMark?(): number | undefined;
  count(view: string): Promise<number>;
}

/** A message in a user's inbox (Cassandra table `smss_by_users`). */
export interface SmsMessage {
  user_id: string;
  /** a version-1 TimeUUID; the send date is derived from it */
  sms_id: string;
  sender_id: string;
  sms_text: string;
}

/**
 * One row of the change log: a message as it was stored, in commit order. Written by the store
 * itself in the same transaction as the message (change data capture), so that every door into
 * the inboxes (the APIs, the CLI, imports, the stream) produces one without remembering to.
 */
export interface SmsChange {
  /** the change's position: opaque to callers, increasing in commit order */
  seq: string;
  /** epoch milliseconds when the change was recorded */
  at: number;
  message: SmsMessage;
}

/**
 * What storing one message did: written (and its change recorded), there already, another message
 * of the same user holds its key (`conflict`), or another user holds its sms_id (`taken`: the id is
 * the feature store's entity key, so it is unique across every inbox).
 */
export type InsertOutcome = 'inserted' | 'present' | 'conflict' | 'taken';

export interface UserDataStore {
  /**
   * Stores the message and records its change, in one transaction. Resolves true when written,
   * false when this very message is there already (nothing recorded: storing is idempotent);
   * rejects with DuplicateKeyError when another message holds (user_id, sms_id), and with
   * SmsIdTakenError when another user holds the sms_id.
   */
  insert(msg: SmsMessage): Promise<boolean>;
  /** several messages in one transaction; one outcome per message, in order */
  insertMany(msgs: SmsMessage[]): Promise<InsertOutcome[]>;
  /** newest first (by the TimeUUID's time) */
  listByUser(userId: string, limit?: number): Promise<SmsMessage[]>;
  get(userId: string, smsId: string): Promise<SmsMessage | undefined>;
  /** the message of each sms_id, whoever holds it (an sms_id is held by one user at most), in order; undefined when none */
  findBySmsId(smsIds: string[]): Promise<(SmsMessage | undefined)[]>;
  listUsers(): Promise<string[]>;
  /** every message, in batches, in bounded memory (for `spamops check`) */
  scanAll(batchSize?: number): AsyncGenerator<SmsMessage[]>;

  /**
   * The change log after position `after` (from its start when undefined), oldest first, at most
   * `limit` changes; `next` is where the following read starts (the last change's seq, or further
   * when the backend skipped empty stretches), undefined when nothing was read. `through`: only
   * changes at or before that position (a consumer that follows another consumer's cursor).
   */
  changesAfter(after: string | undefined, limit: number, through?: string): Promise<{ changes: SmsChange[]; next: string | undefined }>;
  /** how many changes follow `after`, counted up to `cap` */
  countChangesAfter(after: string | undefined, cap: number): Promise<number>;
  /** a consumer's durable position in the change log (undefined: it has read nothing) */
  getCursor(name: string): Promise<string | undefined>;
  /** moves the consumer's position forward; a position behind the stored one is ignored */
  setCursor(name: string, seq: string): Promise<void>;
  /** drops changes at or before `through` recorded before `beforeMs`; resolves how many went */
  pruneChanges(through: string, beforeMs: number): Promise<number>;
  /** `listener` runs after this process committed new changes (so a consumer wakes at once instead of at its next poll) */
  onChange(listener: () => void): () => void;
}

/** A labelled message of the data warehouse (`raw_data` imported). */
export interface LabelledMessage {
  sms_id: string;
  text: string;
  label: string;
  /** where it came from: file name and format */
  origin: string;
}

/** what insertMany did with a batch: ids not written, by whether they hold the same message */
export interface LabelledInsert {
  inserted: number;
  /** ids that hold this very text and label already */
  duplicates: string[];
  /** ids that hold another text or label: the row was not written */
  conflicts: string[];
}

export interface LabelledMessageStore {
  /**
   * Rows whose sms_id exists already (or repeats within the batch) are not written, never
   * overwritten, and are returned: as `duplicates` when the id holds the same text and label, as
   * `conflicts` when it holds another message; the other rows are written.
   */
  insertMany(rows: LabelledMessage[]): Promise<LabelledInsert>;
  all(): Promise<LabelledMessage[]>;
  /**
   * Every message, in batches, in bounded memory. `ordered`: in insertion order (SQLite always
   * reads so; Cassandra holds its partitions in token order, and sorts only when asked, in memory).
   */
  scan(o?: { batchSize?: number; ordered?: boolean }): AsyncGenerator<LabelledMessage[]>;
  /** every sms_id, in batches, in insertion order on SQLite (token order on Cassandra) */
  scanIds(batchSize?: number): AsyncGenerator<string[]>;
  get(ids: string[]): Promise<(LabelledMessage | undefined)[]>;
  count(): Promise<number>;
  /** messages per label (ham, spam) */
  countByLabel(): Promise<Record<string, number>>;
}

export interface PredictionCache {
  get(endpoint: string, version: string, inputKey: string): Promise<string | undefined>;
  set(endpoint: string, version: string, inputKey: string, output: string): Promise<void>;
  /** forget every entry of the version (its model changed) */
  invalidateVersion(version: string): Promise<void>;
}

export interface CallLogEntry {
  caller_id: string;
  /** epoch milliseconds */
  called_at: number;
  endpoint: string;
  version: string;
  input_json: string;
}

export interface CallLog {
  append(entry: CallLogEntry, ttlSeconds: number): Promise<void>;
  /** several entries in one write (serving batches its log) */
  appendMany(entries: CallLogEntry[], ttlSeconds: number): Promise<void>;
  /** the caller's entries newer than sinceMs and not expired, newest first */
  recent(callerId: string, sinceMs: number): AsyncIterable<CallLogEntry>;
}

/** Registry snapshots (JSON) in apply order, plus small bookkeeping values. */
export interface RegistryStore {
  latest(): Promise<{ version: number; json: string } | undefined>;
  /** appends the snapshot as version latest+1 and returns that version */
  append(json: string): Promise<number>;
  history(): Promise<{ version: number; json: string }[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}

/**
 * JSON documents by collection and id: the monitoring settings, and what an earlier version left
 * (the inbox's outbox); runs, model versions, feedback, import jobs, drift reports, alerts and
 * retrain decisions have typed stores of their own.
 * Small, read whole; listing returns a collection's documents by id.
 */
export interface DocumentStore {
  put(collection: string, id: string, json: string): Promise<void>;
  get(collection: string, id: string): Promise<string | undefined>;
  list(collection: string): Promise<{ id: string; json: string }[]>;
  /**
   * At most `limit` documents in id order (`desc`: from the largest id down), only ids starting
   * with `prefix`, only ids after `after` (asc) or before `before` (desc): one page of a
   * collection that may be large (feedback, alerts, drift reports; their ids start with a time).
   */
  page(collection: string, o: DocumentPage): Promise<{ id: string; json: string }[]>;
  delete(collection: string, id: string): Promise<void>;
  /** the documents written at or after `sinceMs` (by this process or another: a guest CLI's training runs) */
  changedSince(collection: string, sinceMs: number): Promise<{ id: string; json: string; updatedAt: number }[]>;
}

export interface DocumentPage {
  limit: number;
  order?: 'asc' | 'desc';
  prefix?: string;
  /** asc: ids greater than this */
  after?: string;
  /** desc: ids smaller than this */
  before?: string;
}

/**
 * Training runs (what MLflow's tracking store keeps): one record per run, replaced as it
 * progresses. `changedSince` reads what any process wrote, so runs trained beside the server show.
 */
export interface RunStore {
  /** insert or replace the run's record (its `updatedAt` becomes now) */
  put(run: RunRecord): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  /** every run, by id (ids start with their creation time: oldest first) */
  list(): Promise<RunRecord[]>;
  /** the runs written at or after `sinceMs` (by this process or another), oldest write first */
  changedSince(sinceMs: number): Promise<{ run: RunRecord; updatedAt: number }[]>;
  delete(id: string): Promise<void>;
}

/** A version as stored: what the registry answers, without the aliases (kept apart, with their history). */
export type StoredModelVersion = Omit<ModelVersion, 'aliases'>;

/** Where an alias points now. */
export interface ModelAlias {
  name: string;
  alias: string;
  version: string;
}

/** One move of an alias: set (`to`), moved (`from` → `to`) or removed (no `to`); every move is kept. */
export interface AliasMove {
  name: string;
  alias: string;
  /** epoch milliseconds */
  at: number;
  /** the version it pointed at before (none: newly set) */
  from?: string;
  /** the version it points at after (none: removed) */
  to?: string;
  note?: string;
}

/** Model versions and their aliases (MLflow's model registry store). */
export interface ModelVersionStore {
  /** insert or replace a version */
  put(v: StoredModelVersion): Promise<void>;
  /** a number finds the version whatever its leading zeros (`01` is version `1`) */
  get(name: string, version: string): Promise<StoredModelVersion | undefined>;
  /** by name, then version number ascending; only `name`'s when given */
  list(name?: string): Promise<StoredModelVersion[]>;
  /** removes the version (its aliases are the caller's to move first) */
  delete(name: string, version: string): Promise<void>;
  /** the version the alias points at, undefined when not set */
  alias(name: string, alias: string): Promise<string | undefined>;
  /** every alias set now, by name then alias; only `name`'s when given */
  aliases(name?: string): Promise<ModelAlias[]>;
  /**
   * Points the alias at `to` (undefined: removes it) and records the move in its history, in one
   * write; resolves the move (a move to where it points already is recorded too: someone said so).
   * Removing an alias that is not set changes nothing, records nothing and resolves undefined.
   * With `expect`, only while the alias points at that version (null: while it is not set): else
   * AliasMovedError, nothing written. A move decided on what the alias held (a guarded promotion,
   * a retrain's champion, a rollback) so never undoes one made meanwhile.
   */
  moveAlias(name: string, alias: string, to: string | undefined, o?: AliasMoveOptions): Promise<AliasMove | undefined>;
  /** the alias moves of a model, oldest first; only `alias`'s when given */
  aliasHistory(name: string, alias?: string): Promise<AliasMove[]>;
}

export type { FeedbackRecord } from '../../src-shared/feedback';
export type { ImportJob } from '../../src-shared/data';
export type { Alert, DriftReport, RetrainDecision } from '../../src-shared/monitoring';

/** Retraining decisions, champion against challenger, with their numbers. Ids start with their time. */
export interface RetrainDecisionStore {
  /** insert or replace */
  put(d: RetrainDecision): Promise<void>;
  /** at most `limit` decisions newest first, only ids before `before` */
  page(o: { limit: number; before?: string }): Promise<RetrainDecision[]>;
}

/** Drift reports, the monitoring time series. Ids are `<model>:<time>`: a model's reports are one id range, in time order. */
export interface DriftReportStore {
  /** insert or replace */
  put(report: DriftReport): Promise<void>;
  /** at most `limit` reports by id descending: a model's newest first when `model` is given (every model's otherwise, as ids sort) */
  recent(o: { limit: number; model?: string }): Promise<DriftReport[]>;
}

/** Monitoring alerts. Ids start with their time. */
export interface AlertStore {
  /** insert or replace (acknowledging rewrites the alert) */
  put(alert: Alert): Promise<void>;
  get(id: string): Promise<Alert | undefined>;
  /** at most `limit` alerts newest first, only ids before `before` */
  page(o: { limit: number; before?: string }): Promise<Alert[]>;
}

/** Data import jobs (files or the UCI download into the warehouse): one record per job, replaced as it ends. Ids start with their time. */
export interface ImportJobStore {
  /** insert or replace the job's record */
  put(job: ImportJob): Promise<void>;
  get(id: string): Promise<ImportJob | undefined>;
  /** at most `limit` jobs, newest first (by id) */
  page(o: { limit: number; before?: string }): Promise<ImportJob[]>;
}

/** Operator feedback: the true label of a message. Ids start with their time (`20240101120000000-ab12cd`). */
export interface FeedbackStore {
  /** stores a statement; an id stored already is refused with DuplicateKeyError (statements are never rewritten) */
  append(f: FeedbackRecord): Promise<void>;
  /** at most `limit` statements newest first, only ids before `before` */
  page(o: { limit: number; before?: string }): Promise<FeedbackRecord[]>;
  /** every statement, oldest first (so that, read in order, the newest about a message wins) */
  all(): Promise<FeedbackRecord[]>;
  count(): Promise<number>;
}

/** A served prediction, kept for monitoring (beyond the call log's hour). */
export interface PredictionRecord {
  id: string;
  /** epoch milliseconds */
  at: number;
  model: string;
  version: string;
  /** text_to_prediction, features_to_prediction, inbox, ... */
  endpoint: string;
  features: number[];
  /** probability of spam */
  spam: number;
  label: string;
  caller: string;
  /** the message, when known (inbox, or when the caller sent text) */
  sms_id?: string;
  /** share of the text's words the tokenizer does not know (v2 features, when the text is known) */
  oov?: number;
  /**
   * `features` as JSON, when the recorder has it already (a cached answer's text note keeps it):
   * a store that keeps the JSON text may take it as it is
   */
  featuresJson?: string;
}

export interface PredictionStore {
  appendMany(rows: PredictionRecord[]): Promise<void>;
  /** the newest records of a model, at most `limit`, newer than sinceMs (and older than beforeMs); newest first */
  /**
   * newest first (by time, then id); `beforeMs`: older than that, or with `beforeId` as well, after
   * the record (beforeMs, beforeId) in that order (a page's last record: many share a millisecond)
   */
  recent(model: string, sinceMs: number, limit: number, beforeMs?: number, beforeId?: string): Promise<PredictionRecord[]>;
  count(model?: string): Promise<number>;
  /** drops records older than beforeMs, then the oldest beyond maxRows; returns how many went */
  prune(beforeMs: number, maxRows: number): Promise<number>;
}

export interface Storage {
  readonly backend: 'sqlite' | 'cassandra';
  /** where it lives, for people: a file path or contact points + keyspace */
  readonly location: string;
  online: OnlineStore;
  users: UserDataStore;
  labelled: LabelledMessageStore;
  cache: PredictionCache;
  callLog: CallLog;
  registry: RegistryStore;
  runs: RunStore;
  models: ModelVersionStore;
  feedback: FeedbackStore;
  imports: ImportJobStore;
  reports: DriftReportStore;
  alerts: AlertStore;
  decisions: RetrainDecisionStore;
  documents: DocumentStore;
  predictions: PredictionStore;
  /** which backend serves each concern (`sqlite`, `cassandra`, `redis`), as configured */
  backends?: Partial<Record<StorageConcern, string>>;
  /** what cannot answer now (a store on another server that is unreachable), for /health; empty when all can */
  problems(): StorageProblem[];
  /**
   * Whether another connection has held the store's write lock past the wait allowed (SQLite:
   * another program's transaction on the file), from what the last calls met: it never waits.
   */
  busy?(): StorageBusy | undefined;
  close(): Promise<void>;
}

/**
 * What may be stored apart (Feast chooses its online and offline stores, MLflow its tracking and
 * registry stores): each names its backend in the configuration, the `default` one serves the rest.
 * online: `online`; offline: `labelled` (the warehouse the offline store's parquet comes from) and `imports`;
 * registry: `registry` (feature registry snapshots and meta); runs: `runs`; models: `models`;
 * users: `users` (the inboxes and their change log); serving: `cache`, `callLog`, `predictions`;
 * monitoring: `feedback`, `reports`, `alerts`, `decisions`, `documents`.
 */
export const STORAGE_CONCERNS = ['online', 'offline', 'registry', 'runs', 'models', 'users', 'serving', 'monitoring'] as const;
export type StorageConcern = (typeof STORAGE_CONCERNS)[number];

/** the stores of a Storage, by field */
export type StoreField =
  | 'online'
  | 'users'
  | 'labelled'
  | 'imports'
  | 'cache'
  | 'callLog'
  | 'registry'
  | 'runs'
  | 'models'
  | 'feedback'
  | 'reports'
  | 'alerts'
  | 'decisions'
  | 'documents'
  | 'predictions';
export type Stores = Pick<Storage, StoreField>;

/** a backend once open: the stores it has, and its health */
export interface OpenedBackend {
  /** where it lives, for people */
  location: string;
  stores: Partial<Stores>;
  problems(): StorageProblem[];
  busy?(): StorageBusy | undefined;
  close(): Promise<void>;
}

export interface BackendContext {
  /** the store that keeps this data dir's bookkeeping (the registry concern's): ids for what lives on a shared service */
  registry: RegistryStore;
  /** the concerns this backend is opened for */
  concerns: StorageConcern[];
}

export interface StorageProblem {
  /** which store: "online store", ... */
  component: string;
  detail: string;
  remedy: string;
}

/** the store locked by another connection: since when, and where */
export interface StorageBusy {
  /** epoch milliseconds of the first call that met the lock in this spell */
  since: number;
  location: string;
}

/**
 * A call refused because another connection held the store's write lock longer than the wait
 * allowed (nothing was written): a passing state, so try again later. The API answers 503 with
 * Retry-After; the stream delivers the message again later.
 */
/** an alias move's note and time, and the version the alias must still point at (null: not set) */
export interface AliasMoveOptions {
  note?: string;
  at?: number;
  expect?: string | null;
}

/** a conditional alias move refused: the alias no longer points where the caller saw it (nothing was written) */
export class AliasMovedError extends Error {
  constructor(
    readonly model: string,
    readonly alias: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(
      `${model}: alias ${alias} moved to ${actual === null ? 'no version' : `version ${actual}`} since it was read (it was ${expected === null ? 'not set' : `version ${expected}`}); nothing was changed: look again and decide anew`,
    );
    this.name = 'AliasMovedError';
  }
}

export class StorageBusyError extends Error {
  constructor(
    readonly location: string,
    readonly waitedMs: number,
    readonly retryAfterSeconds: number,
    cause: string,
  ) {
    super(
      `storage busy: ${location} is locked by another connection (${cause}); waited ${(waitedMs / 1000).toFixed(1)} s, nothing was written: try again in a few seconds`,
    );
    this.name = 'StorageBusyError';
  }
}

export class DuplicateKeyError extends Error {
  constructor(readonly key: string) {
    super(`duplicate key: ${key} exists already and is not overwritten`);
    this.name = 'DuplicateKeyError';
  }
}

/** Another user's message holds this sms_id: the id is the feature store's entity key, unique across every inbox. */
export class SmsIdTakenError extends Error {
  constructor(
    readonly smsId: string,
    readonly holder: string,
  ) {
    // the holder is kept for operators (CLI, check) and left out of the message an API caller reads
    super(`sms_id ${smsId} is held by another user's message; an sms_id is the feature store's entity key and unique across every inbox`);
    this.name = 'SmsIdTakenError';
  }
}

/** A store on another server cannot answer now (it is down or unreachable); the API answers 503 naming it. */
export class OnlineStoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly location: string,
  ) {
    super(message);
    this.name = 'OnlineStoreUnavailableError';
  }
}
