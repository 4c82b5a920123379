/**
 * The Cassandra backend (Apache Cassandra, ScyllaDB-compatible CQL, or Astra DB through a
 * secure-connect bundle). Same semantics as the SQLite backend; where CQL cannot express a
 * rule directly (keep-the-newer-row, never-overwrite), lightweight transactions do it.
 */
import cassandra from 'cassandra-driver';
import type { Client, QueryOptions, types } from 'cassandra-driver';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { CassandraSettings } from '../index';
import type {
  CallLog,
  CallLogEntry,
  DocumentStore,
  PredictionRecord,
  PredictionStore,
  LabelledMessage,
  LabelledMessageStore,
  OnlineRow,
  OnlineStore,
  PredictionCache,
  RegistryStore,
  SmsMessage,
  Storage,
  UserDataStore,
} from '../types';
import { DuplicateKeyError } from '../types';
import { isTimeUuid } from '../../platform/timeuuid';

type Row = types.Row;
type ResultSet = types.ResultSet;
type Params = unknown[];

const { TimeUuid, Long, responseErrorCodes: RC } = cassandra.types;
const PROJECT = 'spamops';
/** a few seconds: an unreachable cluster should fail the start quickly, not hang it */
const CONNECT_TIMEOUT_MS = 3000;
/** the socket-level read timeout covers the handshake and metadata queries: short as well */
const HANDSHAKE_TIMEOUT_MS = 5000;
/** what queries get, through the default execution profile */
const READ_TIMEOUT_MS = 12_000;
/** COUNT(*) scans the table; give it longer than a point query */
const SCAN_TIMEOUT_MS = 120_000;
const PAGE_SIZE = 500;
const CONCURRENCY = 64;

export async function openCassandraStorage(settings: CassandraSettings): Promise<Storage> {
  const ks = settings.keyspace;
  if (!/^[A-Za-z0-9_]{1,48}$/.test(ks ?? '')) {
    throw new Error(`invalid Cassandra keyspace name "${ks}": use 1-48 letters, digits or _ — check CASSANDRA_KEYSPACE`);
  }
  const bundle = settings.secureConnectBundle;
  if (!bundle && settings.contactPoints.length === 0) {
    throw new Error('no Cassandra contact points configured — set CASSANDRA_CONTACT_POINTS (or an Astra secure-connect bundle)');
  }
  const where = bundle
    ? `Astra DB (bundle ${bundle}, keyspace ${ks})`
    : `${settings.contactPoints.map(withPort).join(',')} (keyspace ${ks})`;

  // Astra authenticates with client id + secret, or the literal user 'token' + an AstraCS token.
  const username = settings.username || (bundle && settings.password ? 'token' : undefined);
  const authProvider = username && settings.password ? new cassandra.auth.PlainTextAuthProvider(username, settings.password) : undefined;
  const client = new cassandra.Client({
    ...(bundle
      ? { cloud: { secureConnectBundle: bundle } }
      : { contactPoints: settings.contactPoints, localDataCenter: settings.localDataCenter }),
    authProvider,
    socketOptions: { connectTimeout: CONNECT_TIMEOUT_MS, readTimeout: HANDSHAKE_TIMEOUT_MS },
    profiles: [new cassandra.ExecutionProfile('default', { readTimeout: READ_TIMEOUT_MS })],
  });
  const cql = new Cql(client, where, !!bundle);

  try {
    await client.connect();
    // Astra keyspaces are made in its console; a plain cluster gets a single-replica one.
    if (!bundle) {
      await cql.ddl(`CREATE KEYSPACE IF NOT EXISTS "${ks}" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    }
    for (const stmt of schema(`"${ks}"`, settings.callLogTtlSeconds ?? 3600)) await cql.ddl(stmt);
  } catch (e) {
    await client.shutdown().catch(() => undefined);
    throw e instanceof CassandraError ? e : new CassandraError(explain(e, where, !!bundle), e);
  }

  const t = (name: string) => `"${ks}".${name}`;
  return {
    backend: 'cassandra',
    location: bundle ? `cassandra://astra:${basename(bundle)}/${ks}` : `cassandra://${settings.contactPoints.join(',')}/${ks}`,
    online: new CassandraOnlineStore(cql, t),
    users: new CassandraUserData(cql, t('smss_by_users')),
    labelled: new CassandraLabelled(cql, t('labelled_sms')),
    cache: new CassandraCache(cql, t('model_serving_api_cache'), t('model_serving_api_cache_keys')),
    callLog: new CassandraCallLog(cql, t('spam_calls_log')),
    registry: new CassandraRegistry(cql, t('registry_snapshots'), t('spamops_meta')),
    documents: new CassandraDocuments(cql, t('spamops_documents')),
    predictions: new CassandraPredictions(cql, t('served_predictions')),
    close: () => client.shutdown(),
  };
}

function schema(ks: string, callLogTtl: number): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${ks}.smss_by_users (user_id text, sms_id timeuuid, sender_id text, sms_text text,
      PRIMARY KEY ((user_id), sms_id)) WITH CLUSTERING ORDER BY (sms_id DESC)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.model_serving_api_cache (version text, endpoint text, input_key text, output text,
      PRIMARY KEY ((version, endpoint), input_key))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.model_serving_api_cache_keys (version text, endpoint text, PRIMARY KEY ((version), endpoint))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.spam_calls_log (caller_id text, called_at timestamp, call_id timeuuid, endpoint text,
      version text, input_json text, PRIMARY KEY ((caller_id), called_at, call_id))
      WITH CLUSTERING ORDER BY (called_at DESC, call_id DESC) AND default_time_to_live = ${Math.max(1, Math.floor(callLogTtl))}`,
    `CREATE TABLE IF NOT EXISTS ${ks}.labelled_sms (sms_id text PRIMARY KEY, "text" text, label text, origin text, seq bigint)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.registry_snapshots (project text, version int, "json" text, applied_at timestamp,
      PRIMARY KEY ((project), version))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.spamops_meta ("key" text PRIMARY KEY, "value" text)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.served_predictions (model text, at timestamp, id text, version text, endpoint text,
      features text, spam double, label text, caller text, sms_id text, oov double,
      PRIMARY KEY ((model), at, id)) WITH CLUSTERING ORDER BY (at DESC, id DESC)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.spamops_documents (collection text, id text, "json" text, updated_at timestamp,
      PRIMARY KEY ((collection), id))`,
  ];
}

/** Feast names a view's table after the view; CQL names are [a-z0-9_]{1,48}, so lossy names get a hash. */
export function onlineTableName(view: string): string {
  const clean = view.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (clean === view && clean.length <= 41) return `online_${clean}`;
  return `online_${clean.slice(0, 31)}_${createHash('sha1').update(view).digest('hex').slice(0, 8)}`;
}

// ---------------------------------------------------------------- driver plumbing and errors

class CassandraError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'CassandraError';
  }
}

function withPort(cp: string): string {
  return /:\d+$/.test(cp) ? cp : `${cp}:9042`;
}

/** Turn a driver error into a sentence that says what to check. */
function explain(e: unknown, where: string, astra: boolean): string {
  const err = e as Error & { code?: number | string; innerErrors?: Record<string, Error> };
  const reach = astra ? 'check CASSANDRA_SECURE_CONNECT_BUNDLE and the network' : 'check CASSANDRA_CONTACT_POINTS and that Cassandra is running';
  if (e instanceof cassandra.errors.NoHostAvailableError) {
    const inner = Object.entries(err.innerErrors ?? {});
    const auth = inner.find(([, ie]) => ie instanceof cassandra.errors.AuthenticationError);
    if (auth) return `Cassandra at ${where} refused the credentials: ${auth[1].message} — check CASSANDRA_USERNAME / CASSANDRA_PASSWORD`;
    const reasons = inner.length ? inner.map(([h, ie]) => `${h}: ${ie.message}`).join('; ') : err.message;
    return `cannot reach Cassandra at ${where}: ${reasons} — ${reach}`;
  }
  if (e instanceof cassandra.errors.AuthenticationError || err.code === RC.badCredentials) {
    return `Cassandra at ${where} refused the credentials: ${err.message} — check CASSANDRA_USERNAME / CASSANDRA_PASSWORD`;
  }
  if (e instanceof cassandra.errors.OperationTimedOutError) {
    return `Cassandra at ${where} did not answer in time: ${err.message} — the cluster may be down or overloaded; ${reach}`;
  }
  if (e instanceof cassandra.errors.ArgumentError && /localDataCenter/i.test(err.message)) {
    return `Cassandra at ${where}: ${err.message} — check CASSANDRA_LOCAL_DC`;
  }
  if (err.code === 'ENOENT' || err.code === 'EACCES') {
    return `cannot read the Astra secure-connect bundle: ${err.message} — check CASSANDRA_SECURE_CONNECT_BUNDLE`;
  }
  if (err.code === RC.unauthorized) return `Cassandra at ${where} denied the operation: ${err.message} — grant the user rights on the keyspace`;
  if (err.code === RC.invalid && /keyspace/i.test(err.message) && /(not exist|unknown|non-existing)/i.test(err.message)) {
    return `the keyspace does not exist at ${where}: ${err.message} — create it${astra ? ' in the Astra console' : ''} or check CASSANDRA_KEYSPACE`;
  }
  if (err.code === RC.unavailableException || err.code === RC.readTimeout || err.code === RC.writeTimeout || err.code === RC.overloaded) {
    return `Cassandra at ${where} has not enough healthy replicas right now: ${err.message} — check the cluster (nodetool status)`;
  }
  return `Cassandra at ${where}: ${err?.message ?? String(e)}`;
}

function isMissingTable(e: unknown): boolean {
  const err = ((e as { cause?: unknown })?.cause ?? e) as { code?: number; message?: string };
  return err?.code === RC.invalid && /unconfigured table|table .* does not exist/i.test(err.message ?? '');
}

/** Every statement goes through here: prepared, with errors explained. */
class Cql {
  constructor(readonly client: Client, private readonly where: string, private readonly astra: boolean) {}
  fail(e: unknown): CassandraError {
    return e instanceof CassandraError ? e : new CassandraError(explain(e, this.where, this.astra), e);
  }
  async run(query: string, params: Params = [], options: QueryOptions = {}): Promise<ResultSet> {
    try {
      return await this.client.execute(query, params, { prepare: true, ...options });
    } catch (e) {
      throw this.fail(e);
    }
  }
  /** schema statements carry names, not values, so they are not prepared */
  async ddl(query: string): Promise<void> {
    try {
      await this.client.execute(query);
    } catch (e) {
      throw this.fail(e);
    }
  }
  /** one statement per params row, up to CONCURRENCY in flight; results in input order */
  async many(query: string, rows: Params[]): Promise<ResultSet[]> {
    if (rows.length === 0) return [];
    try {
      const r = await cassandra.concurrent.executeConcurrent(this.client, query, rows, { collectResults: true, concurrencyLevel: CONCURRENCY });
      return r.resultItems as ResultSet[];
    } catch (e) {
      throw this.fail(e);
    }
  }
  /** rows one page at a time: the next page is fetched only when the consumer gets there */
  async *paged(query: string, params: Params, fetchSize = PAGE_SIZE): AsyncGenerator<Row> {
    let pageState: string | undefined;
    do {
      const rs = await this.run(query, params, { fetchSize, pageState });
      yield* rs.rows;
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  }
}

const str = (r: Row, c: string): string => r.get(c) as string;
const ms = (r: Row, c: string): number => (r.get(c) as Date).getTime();
const num = (r: Row, c: string): number => {
  const v: unknown = r.get(c); // int columns are numbers; bigint and COUNT(*) are Long
  return v instanceof Long ? v.toNumber() : Number(v);
};
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ---------------------------------------------------------------- the stores

/** the SQLite rule: newer event wins; on equal events, the same-or-newer creation wins */
const isNewer = (ev: number, cr: number, oldEv: number, oldCr: number): boolean => ev > oldEv || (ev === oldEv && cr >= oldCr);

class CassandraOnlineStore implements OnlineStore {
  constructor(private readonly cql: Cql, private readonly t: (name: string) => string) {}
  async ensureView(view: string): Promise<void> {
    await this.cql.ddl(`CREATE TABLE IF NOT EXISTS ${this.t(onlineTableName(view))}
      (entity_key text PRIMARY KEY, values_json text, event_ts timestamp, created_ts timestamp)`);
  }
  async dropView(view: string): Promise<void> {
    await this.cql.ddl(`DROP TABLE IF EXISTS ${this.t(onlineTableName(view))}`);
  }
  async writeBatch(view: string, rows: OnlineRow[]): Promise<void> {
    // Collapse repeats of a key first (later wins ties, as in SQLite's sequential upserts).
    const winners = new Map<string, OnlineRow>();
    for (const r of rows) {
      const w = winners.get(r.entityKey);
      const ev = new Date(r.eventTs).getTime(), cr = new Date(r.createdTs).getTime();
      if (!w || isNewer(ev, cr, w.eventTs, w.createdTs)) winners.set(r.entityKey, { ...r, eventTs: ev, createdTs: cr });
    }
    const table = this.t(onlineTableName(view));
    const write = () => forEachLimit([...winners.values()], CONCURRENCY, (r) => this.upsertNewer(table, r));
    try {
      await write();
    } catch (e) {
      // SQLite accepts writes to a view never ensured; match it by creating the table once.
      if (!isMissingTable(e)) throw e;
      await this.ensureView(view);
      await write();
    }
  }
  /** compare-and-set loop: insert if absent, else overwrite only while what we saw is still there */
  private async upsertNewer(table: string, r: OnlineRow): Promise<void> {
    const values = [JSON.stringify(r.values), new Date(r.eventTs), new Date(r.createdTs)];
    const insert = () =>
      this.cql.run(`INSERT INTO ${table} (values_json, event_ts, created_ts, entity_key) VALUES (?, ?, ?, ?) IF NOT EXISTS`, [...values, r.entityKey]);
    let rs = await insert();
    for (let attempt = 0; attempt < 50; attempt++) {
      if (rs.wasApplied()) return;
      // A refused LWT returns the current values; none means the row vanished meanwhile.
      const cur = rs.first();
      if (!cur || cur.get('event_ts') == null) {
        rs = await insert();
        continue;
      }
      const oldEv = ms(cur, 'event_ts'), oldCr = ms(cur, 'created_ts');
      if (!isNewer(r.eventTs, r.createdTs, oldEv, oldCr)) return; // stored row is newer: ignore ours
      rs = await this.cql.run(
        `UPDATE ${table} SET values_json = ?, event_ts = ?, created_ts = ? WHERE entity_key = ? IF event_ts = ? AND created_ts = ?`,
        [...values, r.entityKey, new Date(oldEv), new Date(oldCr)],
      );
    }
    throw new CassandraError(`online store: too much contention writing ${r.entityKey} in ${table}; retry the push`, undefined);
  }
  async read(view: string, keys: string[]): Promise<(OnlineRow | undefined)[]> {
    try {
      const q = `SELECT entity_key, values_json, event_ts, created_ts FROM ${this.t(onlineTableName(view))} WHERE entity_key = ?`;
      const results = await this.cql.many(q, keys.map((k) => [k]));
      return results.map((rs) => {
        const r = rs.first();
        return r ? { entityKey: str(r, 'entity_key'), values: JSON.parse(str(r, 'values_json')), eventTs: ms(r, 'event_ts'), createdTs: ms(r, 'created_ts') } : undefined;
      });
    } catch (e) {
      if (isMissingTable(e)) return keys.map(() => undefined);
      throw e;
    }
  }
  async count(view: string): Promise<number> {
    try {
      const rs = await this.cql.run(`SELECT COUNT(*) AS n FROM ${this.t(onlineTableName(view))}`, [], { readTimeout: SCAN_TIMEOUT_MS });
      return num(rs.first(), 'n');
    } catch (e) {
      if (isMissingTable(e)) return 0;
      throw e;
    }
  }
}

class CassandraUserData implements UserDataStore {
  constructor(private readonly cql: Cql, private readonly table: string) {}
  private toMsg = (r: Row): SmsMessage => ({
    user_id: str(r, 'user_id'),
    sms_id: (r.get('sms_id') as types.TimeUuid).toString(),
    sender_id: str(r, 'sender_id'),
    sms_text: str(r, 'sms_text'),
  });
  async insert(m: SmsMessage): Promise<void> {
    const rs = await this.cql.run(`INSERT INTO ${this.table} (user_id, sms_id, sender_id, sms_text) VALUES (?, ?, ?, ?) IF NOT EXISTS`, [
      m.user_id,
      TimeUuid.fromString(m.sms_id),
      m.sender_id,
      m.sms_text,
    ]);
    if (!rs.wasApplied()) throw new DuplicateKeyError(`${m.user_id}/${m.sms_id}`);
  }
  async listByUser(userId: string, limit = 1000): Promise<SmsMessage[]> {
    // The clustering order (sms_id DESC) is TimeUUID time order: newest first without sorting.
    const rs = await this.cql.run(`SELECT user_id, sms_id, sender_id, sms_text FROM ${this.table} WHERE user_id = ? LIMIT ?`, [userId, limit], {
      fetchSize: Math.max(1, limit),
    });
    return rs.rows.map(this.toMsg);
  }
  async get(userId: string, smsId: string): Promise<SmsMessage | undefined> {
    if (!isTimeUuid(smsId)) return undefined; // cannot exist; SQLite would simply find nothing
    const rs = await this.cql.run(`SELECT user_id, sms_id, sender_id, sms_text FROM ${this.table} WHERE user_id = ? AND sms_id = ?`, [
      userId,
      TimeUuid.fromString(smsId),
    ]);
    const r = rs.first();
    return r ? this.toMsg(r) : undefined;
  }
  async listUsers(): Promise<string[]> {
    const users: string[] = [];
    for await (const r of this.cql.paged(`SELECT DISTINCT user_id FROM ${this.table}`, [])) users.push(str(r, 'user_id'));
    return users.sort(byCodeUnit);
  }
}

class CassandraLabelled implements LabelledMessageStore {
  private nextSeq = 0;
  constructor(private readonly cql: Cql, private readonly table: string) {}
  async insertMany(rows: LabelledMessage[]): Promise<{ inserted: number; duplicates: string[] }> {
    // seq orders all(): microseconds since the epoch, kept increasing in this process; a
    // MAX(seq) query would scan the whole table on every import.
    const base = Math.max(Date.now() * 1000, this.nextSeq);
    const seen = new Set<string>();
    const fresh: { row: LabelledMessage; index: number }[] = [];
    rows.forEach((row, index) => {
      if (!seen.has(row.sms_id)) fresh.push({ row, index });
      seen.add(row.sms_id);
    });
    this.nextSeq = base + fresh.length;
    // IF NOT EXISTS: an existing sms_id is reported, never overwritten.
    const results = await this.cql.many(
      `INSERT INTO ${this.table} (sms_id, "text", label, origin, seq) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS`,
      fresh.map(({ row }, i) => [row.sms_id, row.text, row.label, row.origin, Long.fromNumber(base + i)]),
    );
    const written = new Set<number>();
    results.forEach((rs, i) => rs.wasApplied() && written.add(fresh[i].index));
    const duplicates = rows.filter((_, i) => !written.has(i)).map((r) => r.sms_id);
    return { inserted: written.size, duplicates };
  }
  async all(): Promise<LabelledMessage[]> {
    const rows: (LabelledMessage & { seq: number })[] = [];
    for await (const r of this.cql.paged(`SELECT sms_id, "text", label, origin, seq FROM ${this.table}`, [])) {
      rows.push({ sms_id: str(r, 'sms_id'), text: str(r, 'text'), label: str(r, 'label'), origin: str(r, 'origin'), seq: num(r, 'seq') });
    }
    // Partitions come back in token order; insertion order is seq's.
    return rows.sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...m }) => m);
  }
  async get(ids: string[]): Promise<(LabelledMessage | undefined)[]> {
    const results = await this.cql.many(`SELECT sms_id, "text", label, origin FROM ${this.table} WHERE sms_id = ?`, ids.map((id) => [id]));
    return results.map((rs) => {
      const r = rs.first();
      return r ? { sms_id: str(r, 'sms_id'), text: str(r, 'text'), label: str(r, 'label'), origin: str(r, 'origin') } : undefined;
    });
  }
  async count(): Promise<number> {
    return num((await this.cql.run(`SELECT COUNT(*) AS n FROM ${this.table}`, [], { readTimeout: SCAN_TIMEOUT_MS })).first(), 'n');
  }
}

class CassandraCache implements PredictionCache {
  constructor(private readonly cql: Cql, private readonly table: string, private readonly keys: string) {}
  async get(endpoint: string, version: string, inputKey: string): Promise<string | undefined> {
    const rs = await this.cql.run(`SELECT output FROM ${this.table} WHERE version = ? AND endpoint = ? AND input_key = ?`, [version, endpoint, inputKey]);
    return rs.first()?.get('output') ?? undefined;
  }
  async set(endpoint: string, version: string, inputKey: string, output: string): Promise<void> {
    // Logged batch: an entry never exists without the (version, endpoint) row invalidation needs.
    try {
      await this.cql.client.batch(
        [
          { query: `INSERT INTO ${this.keys} (version, endpoint) VALUES (?, ?)`, params: [version, endpoint] },
          { query: `INSERT INTO ${this.table} (version, endpoint, input_key, output) VALUES (?, ?, ?, ?)`, params: [version, endpoint, inputKey, output] },
        ],
        { prepare: true, logged: true },
      );
    } catch (e) {
      throw this.cql.fail(e);
    }
  }
  async invalidateVersion(version: string): Promise<void> {
    const rs = await this.cql.run(`SELECT endpoint FROM ${this.keys} WHERE version = ?`, [version]);
    const endpoints = rs.rows.map((r) => str(r, 'endpoint'));
    // Drop each endpoint's partition, then its key row (not the whole version: a concurrent set keeps its row).
    await this.cql.many(`DELETE FROM ${this.table} WHERE version = ? AND endpoint = ?`, endpoints.map((e) => [version, e]));
    await this.cql.many(`DELETE FROM ${this.keys} WHERE version = ? AND endpoint = ?`, endpoints.map((e) => [version, e]));
  }
}

class CassandraCallLog implements CallLog {
  constructor(private readonly cql: Cql, private readonly table: string) {}
  async append(e: CallLogEntry, ttlSeconds: number): Promise<void> {
    // SQLite expires at called_at + ttl; Cassandra's TTL counts from the write, so pass what remains.
    // A TTL of 0 would mean "forever", so an entry already expired is simply not written.
    const remaining = Math.ceil((e.called_at + ttlSeconds * 1000 - Date.now()) / 1000);
    if (remaining <= 0) return;
    await this.cql.run(
      `INSERT INTO ${this.table} (caller_id, called_at, call_id, endpoint, version, input_json) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?`,
      [e.caller_id, new Date(e.called_at), TimeUuid.now(), e.endpoint, e.version, e.input_json, Math.min(remaining, 630_720_000)],
    );
  }
  async appendMany(entries: CallLogEntry[], ttlSeconds: number): Promise<void> {
    for (const e of entries) await this.append(e, ttlSeconds);
  }
  async *recent(callerId: string, sinceMs: number): AsyncIterable<CallLogEntry> {
    // Clustering order is (called_at DESC, call_id DESC): newest first, ties in reverse write order.
    const q = `SELECT caller_id, called_at, endpoint, version, input_json FROM ${this.table} WHERE caller_id = ? AND called_at > ?`;
    for await (const r of this.cql.paged(q, [callerId, new Date(sinceMs)], 100)) {
      yield { caller_id: str(r, 'caller_id'), called_at: ms(r, 'called_at'), endpoint: str(r, 'endpoint'), version: str(r, 'version'), input_json: str(r, 'input_json') };
    }
  }
}

class CassandraRegistry implements RegistryStore {
  constructor(private readonly cql: Cql, private readonly table: string, private readonly meta: string) {}
  async latest(): Promise<{ version: number; json: string } | undefined> {
    const rs = await this.cql.run(`SELECT version, "json" FROM ${this.table} WHERE project = ? ORDER BY version DESC LIMIT 1`, [PROJECT]);
    const r = rs.first();
    return r ? { version: num(r, 'version'), json: str(r, 'json') } : undefined;
  }
  async append(json: string): Promise<number> {
    // IF NOT EXISTS claims the version: two concurrent applies cannot both write version n.
    for (let attempt = 0; attempt < 50; attempt++) {
      const v = ((await this.latest())?.version ?? 0) + 1;
      const rs = await this.cql.run(`INSERT INTO ${this.table} (project, version, "json", applied_at) VALUES (?, ?, ?, ?) IF NOT EXISTS`, [
        PROJECT,
        v,
        json,
        new Date(),
      ]);
      if (rs.wasApplied()) return v;
    }
    throw new CassandraError('registry: could not claim a new snapshot version (too many concurrent applies); retry', undefined);
  }
  async history(): Promise<{ version: number; json: string }[]> {
    const out: { version: number; json: string }[] = [];
    for await (const r of this.cql.paged(`SELECT version, "json" FROM ${this.table} WHERE project = ?`, [PROJECT], 100)) {
      out.push({ version: num(r, 'version'), json: str(r, 'json') });
    }
    return out; // clustering order: version ascending
  }
  async getMeta(key: string): Promise<string | undefined> {
    const rs = await this.cql.run(`SELECT "value" FROM ${this.meta} WHERE "key" = ?`, [key]);
    return rs.first()?.get('value') ?? undefined;
  }
  async setMeta(key: string, value: string): Promise<void> {
    await this.cql.run(`INSERT INTO ${this.meta} ("key", "value") VALUES (?, ?)`, [key, value]);
  }
}

class CassandraDocuments implements DocumentStore {
  constructor(private readonly cql: Cql, private readonly table: string) {}
  async put(collection: string, id: string, json: string): Promise<void> {
    await this.cql.run(`INSERT INTO ${this.table} (collection, id, "json", updated_at) VALUES (?, ?, ?, ?)`, [collection, id, json, new Date()]);
  }
  async get(collection: string, id: string): Promise<string | undefined> {
    const rs = await this.cql.run(`SELECT "json" FROM ${this.table} WHERE collection = ? AND id = ?`, [collection, id]);
    return rs.first()?.get('json') ?? undefined;
  }
  async list(collection: string): Promise<{ id: string; json: string }[]> {
    const out: { id: string; json: string }[] = [];
    for await (const r of this.cql.paged(`SELECT id, "json" FROM ${this.table} WHERE collection = ?`, [collection])) out.push({ id: str(r, 'id'), json: str(r, 'json') });
    return out; // clustering order: id ascending, as SQLite's ORDER BY id
  }
  async delete(collection: string, id: string): Promise<void> {
    await this.cql.run(`DELETE FROM ${this.table} WHERE collection = ? AND id = ?`, [collection, id]);
  }
}

/** One partition per model, newest first. Pruning walks each model's partition (bounded by maxRows). */
class CassandraPredictions implements PredictionStore {
  constructor(private readonly cql: Cql, private readonly table: string) {}
  async appendMany(rows: PredictionRecord[]): Promise<void> {
    await this.cql.many(
      `INSERT INTO ${this.table} (model, at, id, version, endpoint, features, spam, label, caller, sms_id, oov) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      rows.map((r) => [r.model, new Date(r.at), r.id, r.version, r.endpoint, JSON.stringify(r.features), r.spam, r.label, r.caller, r.sms_id ?? null, r.oov ?? null]),
    );
  }
  private static row(r: Row): PredictionRecord {
    const smsId = r.get('sms_id') as string | null;
    const oov = r.get('oov') as number | null;
    return {
      id: str(r, 'id'),
      at: ms(r, 'at'),
      model: str(r, 'model'),
      version: str(r, 'version'),
      endpoint: str(r, 'endpoint'),
      features: JSON.parse(str(r, 'features')) as number[],
      spam: Number(r.get('spam')),
      label: str(r, 'label'),
      caller: str(r, 'caller'),
      ...(smsId ? { sms_id: smsId } : {}),
      ...(oov !== null && oov !== undefined ? { oov: Number(oov) } : {}),
    };
  }
  async recent(model: string, sinceMs: number, limit: number): Promise<PredictionRecord[]> {
    const out: PredictionRecord[] = [];
    for await (const r of this.cql.paged(`SELECT * FROM ${this.table} WHERE model = ? AND at > ?`, [model, new Date(sinceMs)])) {
      out.push(CassandraPredictions.row(r));
      if (out.length >= limit) break;
    }
    return out;
  }
  private async models(): Promise<string[]> {
    const seen = new Set<string>();
    for await (const r of this.cql.paged(`SELECT DISTINCT model FROM ${this.table}`, [])) seen.add(str(r, 'model'));
    return [...seen];
  }
  async count(model?: string): Promise<number> {
    let n = 0;
    for (const m of model ? [model] : await this.models()) n += num((await this.cql.run(`SELECT COUNT(*) AS n FROM ${this.table} WHERE model = ?`, [m], { readTimeout: 120_000 })).first()!, 'n');
    return n;
  }
  async prune(beforeMs: number, maxRows: number): Promise<number> {
    let n = 0;
    for (const m of await this.models()) {
      await this.cql.run(`DELETE FROM ${this.table} WHERE model = ? AND at < ?`, [m, new Date(beforeMs)]);
      let kept = 0;
      for await (const r of this.cql.paged(`SELECT at, id FROM ${this.table} WHERE model = ?`, [m])) {
        if (++kept > maxRows) {
          await this.cql.run(`DELETE FROM ${this.table} WHERE model = ? AND at = ? AND id = ?`, [m, r.get('at'), str(r, 'id')]);
          n++;
        }
      }
    }
    return n;
  }
}
