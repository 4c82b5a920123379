/**
 * The storage layer: one small async interface per concern. The engines above only know
 * these interfaces; which backend serves them (SQLite or Cassandra) is chosen at the edge,
 * in `openStorage`.
 */
import type { FeatureValue } from '../../src-shared/featurestore';

/** The latest feature values of one entity in one feature view. */
export interface OnlineRow {
  entityKey: string;
  values: Record<string, FeatureValue>;
  /** epoch milliseconds */
  eventTs: number;
  createdTs: number;
}

export interface OnlineStore {
  /** create the view's table if needed (called by `apply`) */
  ensureView(view: string): Promise<void>;
  /** drop the view's table and rows (called by `apply` when a view is removed) */
  dropView(view: string): Promise<void>;
  /**
   * Upsert rows; a row older than what is stored (by event time, then created time) is
   * ignored, so replays and out-of-order pushes never move the online store back in time.
   */
  writeBatch(view: string, rows: OnlineRow[]): Promise<void>;
  /** one entry per key, in order; undefined when absent */
  read(view: string, keys: string[]): Promise<(OnlineRow | undefined)[]>;
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

export interface UserDataStore {
  /** rejects with DuplicateKeyError when (user_id, sms_id) exists */
  insert(msg: SmsMessage): Promise<void>;
  /** newest first (by the TimeUUID's time) */
  listByUser(userId: string, limit?: number): Promise<SmsMessage[]>;
  get(userId: string, smsId: string): Promise<SmsMessage | undefined>;
  listUsers(): Promise<string[]>;
}

/** A labelled message of the data warehouse (`raw_data` imported). */
export interface LabelledMessage {
  sms_id: string;
  text: string;
  label: string;
  /** where it came from: file name and format */
  origin: string;
}

export interface LabelledMessageStore {
  /**
   * Rows whose sms_id exists already (or repeats within the batch) are not written, never
   * overwritten, and are returned; the other rows are written.
   */
  insertMany(rows: LabelledMessage[]): Promise<{ inserted: number; duplicates: string[] }>;
  all(): Promise<LabelledMessage[]>;
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
 * JSON documents by collection and id: training runs, model versions, aliases, monitoring
 * records. Small, read whole; listing returns a collection's documents by id.
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
}

export interface PredictionStore {
  appendMany(rows: PredictionRecord[]): Promise<void>;
  /** the newest records of a model, at most `limit`, newer than sinceMs (and older than beforeMs); newest first */
  recent(model: string, sinceMs: number, limit: number, beforeMs?: number): Promise<PredictionRecord[]>;
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
  documents: DocumentStore;
  predictions: PredictionStore;
  close(): Promise<void>;
}

export class DuplicateKeyError extends Error {
  constructor(readonly key: string) {
    super(`duplicate key: ${key} exists already and is not overwritten`);
    this.name = 'DuplicateKeyError';
  }
}
