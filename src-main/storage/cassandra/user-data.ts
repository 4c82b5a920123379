/**
 * The users' inboxes (the seed's `smss_by_users`, one partition per user, newest first) and their
 * change log (`sms_changes`, one partition per hour, TimeUUID order).
 *
 * A message and its change are written in one logged batch: both apply or neither does. A batch
 * cannot carry the lightweight transaction that refused overwrites before (conditional batches
 * stay within one partition), so the key is read first: two writers racing with different
 * messages under the same new key could both win, the later one staying. Keys are fresh TimeUUIDs
 * or derived from the message's origin (same origin, same content), so such a race needs a client
 * that reuses keys for different messages.
 *
 * An sms_id is held by one user at most (it is the feature store's entity key): the first insert
 * claims it in `sms_id_holders` with a lightweight transaction (IF NOT EXISTS), before the batch. A
 * claim whose batch then failed stays with that user, who is the only one who can reuse it.
 *
 * Consumers read changes older than SETTLE_MS only: a writer whose clock runs a little behind, or
 * whose batch is still in flight, cannot land behind a position a consumer has already passed.
 */
import cassandra from 'cassandra-driver';
import type { types } from 'cassandra-driver';
import type { InsertOutcome, SmsChange, SmsMessage, UserDataStore } from '../types';
import { DuplicateKeyError, SmsIdTakenError } from '../types';
import { isTimeUuid, newTimeUuid, timeOfTimeUuid } from '../../platform';
import { ChangeListeners } from '../change-listeners';
import { CHANGE_LOG_TTL_SECONDS } from './schema';
import { type Cql, byCodeUnit, CONCURRENCY, forEachLimit, num, str } from './cql';
import type { Row } from './cql';

const { TimeUuid } = cassandra.types;
const HOUR_MS = 3_600_000;
/** changes younger than this are not read yet (clock skew between writers, batches in flight) */
const SETTLE_MS = 3000;

const bucketOf = (ms: number) => Math.floor(ms / HOUR_MS);

/** a position: `<hour bucket>:<change TimeUUID>`, or `<bucket>:` for the start of a bucket */
interface Position {
  bucket: number;
  id?: string;
}

function parsePosition(s: string): Position {
  const m = /^(\d+):([0-9a-fA-F-]*)$/.exec(s);
  if (!m || (m[2] && !isTimeUuid(m[2]))) throw new Error(`change log position "${s}": expected <hour bucket>:<TimeUUID> (a Cassandra change log position)`);
  return { bucket: Number(m[1]), id: m[2] || undefined };
}
const formatPosition = (p: Position) => `${p.bucket}:${p.id ?? ''}`;

/** the 60-bit time of a TimeUUID, for ordering within a bucket */
const ticksOf = (id: string) => BigInt(`0x${id.slice(15, 18)}${id.slice(9, 13)}${id.slice(0, 8)}`);
function comparePositions(a: Position, b: Position): number {
  if (a.bucket !== b.bucket) return a.bucket - b.bucket;
  if (!a.id || !b.id) return a.id ? 1 : b.id ? -1 : 0;
  const d = ticksOf(a.id) - ticksOf(b.id);
  return d < 0n ? -1 : d > 0n ? 1 : byCodeUnit(a.id, b.id);
}

export class CassandraUserData implements UserDataStore {
  private readonly listeners = new ChangeListeners();

  constructor(
    private readonly cql: Cql,
    private readonly table: string,
    private readonly changes: string,
    private readonly cursors: string,
    private readonly holders: string,
  ) {}
  private toMsg = (r: Row): SmsMessage => ({
    user_id: str(r, 'user_id'),
    sms_id: (r.get('sms_id') as types.TimeUuid).toString(),
    sender_id: str(r, 'sender_id'),
    sms_text: str(r, 'sms_text'),
  });

  async insert(m: SmsMessage): Promise<boolean> {
    const [outcome] = await this.insertMany([m]);
    if (outcome === 'conflict') throw new DuplicateKeyError(`${m.user_id}/${m.sms_id}`);
    if (outcome === 'taken') throw new SmsIdTakenError(m.sms_id, (await this.holderOf(m.sms_id)) ?? '?');
    return outcome === 'inserted';
  }
  async insertMany(msgs: SmsMessage[]): Promise<InsertOutcome[]> {
    const outcomes: InsertOutcome[] = new Array(msgs.length);
    await forEachLimit([...msgs.keys()], CONCURRENCY, async (i) => {
      outcomes[i] = await this.insertOne(msgs[i]);
    });
    if (outcomes.includes('inserted')) this.listeners.notify();
    return outcomes;
  }
  private async holderOf(smsId: string): Promise<string | undefined> {
    const r = (await this.cql.run(`SELECT user_id FROM ${this.holders} WHERE sms_id = ?`, [TimeUuid.fromString(smsId)])).first();
    return r ? str(r, 'user_id') : undefined;
  }
  private async insertOne(m: SmsMessage): Promise<InsertOutcome> {
    const claim = await this.cql.run(`INSERT INTO ${this.holders} (sms_id, user_id) VALUES (?, ?) IF NOT EXISTS`, [TimeUuid.fromString(m.sms_id), m.user_id]);
    if (!claim.wasApplied() && str(claim.first(), 'user_id') !== m.user_id) return 'taken';
    const there = await this.get(m.user_id, m.sms_id);
    if (there) return there.sender_id === m.sender_id && there.sms_text === m.sms_text ? 'present' : 'conflict';
    const changeId = newTimeUuid();
    const sms = TimeUuid.fromString(m.sms_id);
    await this.cql.batch([
      { query: `INSERT INTO ${this.table} (user_id, sms_id, sender_id, sms_text) VALUES (?, ?, ?, ?)`, params: [m.user_id, sms, m.sender_id, m.sms_text] },
      {
        query: `INSERT INTO ${this.changes} (bucket, change_id, user_id, sms_id, sender_id, sms_text) VALUES (?, ?, ?, ?, ?, ?)`,
        params: [
          cassandra.types.Long.fromNumber(bucketOf(timeOfTimeUuid(changeId).getTime())),
          TimeUuid.fromString(changeId),
          m.user_id,
          sms,
          m.sender_id,
          m.sms_text,
        ],
      },
    ]);
    return 'inserted';
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
  async findBySmsId(smsIds: string[]): Promise<(SmsMessage | undefined)[]> {
    // the holders table names the one user of an sms_id; then the message under that user
    return Promise.all(
      smsIds.map(async (id) => {
        if (!isTimeUuid(id)) return undefined;
        const user = await this.holderOf(id);
        return user === undefined ? undefined : this.get(user, id);
      }),
    );
  }
  async *scanAll(batchSize = 1000): AsyncGenerator<SmsMessage[]> {
    let batch: SmsMessage[] = [];
    for await (const r of this.cql.paged(`SELECT user_id, sms_id, sender_id, sms_text FROM ${this.table}`, [], batchSize)) {
      batch.push(this.toMsg(r));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  async listUsers(): Promise<string[]> {
    const users: string[] = [];
    for await (const r of this.cql.paged(`SELECT DISTINCT user_id FROM ${this.table}`, [])) users.push(str(r, 'user_id'));
    return users.sort(byCodeUnit);
  }

  /**
   * Settled changes after `after`, bucket by bucket up to the hour of (now - SETTLE_MS). Buckets
   * read to their end are passed for good, so `next` moves past empty hours too.
   */
  private async scan(after: string | undefined, limit: number, columns: string, through?: Position): Promise<{ rows: Row[]; next?: Position }> {
    const settled = Date.now() - SETTLE_MS;
    const start = after ? parsePosition(after) : { bucket: bucketOf(Date.now() - CHANGE_LOG_TTL_SECONDS * 1000) };
    const last = Math.min(bucketOf(settled), through?.bucket ?? Number.POSITIVE_INFINITY);
    const upTo = TimeUuid.max(new Date(settled), 9999); // the newest TimeUUID of that millisecond
    const rows: Row[] = [];
    let next: Position | undefined;
    for (let b = start.bucket; b <= last && rows.length < limit; b++) {
      const from = b === start.bucket && start.id ? TimeUuid.fromString(start.id) : TimeUuid.min(new Date(b * HOUR_MS), 0);
      const until = through && b === through.bucket && through.id ? TimeUuid.fromString(through.id) : upTo;
      const op = b === start.bucket && start.id ? '>' : '>=';
      const want = limit - rows.length;
      const rs = await this.cql.run(
        `SELECT ${columns} FROM ${this.changes} WHERE bucket = ? AND change_id ${op} ? AND change_id <= ? LIMIT ?`,
        [cassandra.types.Long.fromNumber(b), from, until, want],
        { fetchSize: want },
      );
      rows.push(...rs.rows);
      if (rs.rows.length) next = { bucket: b, id: (rs.rows[rs.rows.length - 1].get('change_id') as types.TimeUuid).toString() };
      // a bucket read to its end before the settled hour is complete: the next read starts after it
      if (rs.rows.length < want && b < last) next = { bucket: b + 1 };
    }
    return { rows, next };
  }

  async changesAfter(after: string | undefined, limit: number, through?: string): Promise<{ changes: SmsChange[]; next: string | undefined }> {
    const { rows, next } = await this.scan(
      after,
      limit,
      'bucket, change_id, user_id, sms_id, sender_id, sms_text',
      through === undefined ? undefined : parsePosition(through),
    );
    const changes = rows.map((r) => {
      const id = (r.get('change_id') as types.TimeUuid).toString();
      return { seq: formatPosition({ bucket: num(r, 'bucket'), id }), at: timeOfTimeUuid(id).getTime(), message: this.toMsg(r) };
    });
    return { changes, next: next && formatPosition(next) };
  }
  async countChangesAfter(after: string | undefined, cap: number): Promise<number> {
    return (await this.scan(after, cap, 'change_id')).rows.length;
  }
  async getCursor(name: string): Promise<string | undefined> {
    const r = (await this.cql.run(`SELECT seq FROM ${this.cursors} WHERE name = ?`, [name])).first();
    return r ? str(r, 'seq') : undefined;
  }
  async setCursor(name: string, seq: string): Promise<void> {
    const target = parsePosition(seq);
    const now = await this.getCursor(name);
    // one consumer per cursor: read-compare-write is enough to keep a late writer from moving it back
    if (now && comparePositions(parsePosition(now), target) >= 0) return;
    await this.cql.run(`INSERT INTO ${this.cursors} (name, seq) VALUES (?, ?)`, [name, formatPosition(target)]);
  }
  async pruneChanges(through: string, beforeMs: number): Promise<number> {
    const until = parsePosition(through);
    const cutoff: Position = { bucket: bucketOf(beforeMs), id: TimeUuid.max(new Date(beforeMs - 1), 9999).toString() };
    const end = comparePositions(until, cutoff) <= 0 ? until : cutoff;
    const { rows } = await this.scan(undefined, 1_000_000, 'bucket, change_id', end);
    await this.cql.many(
      `DELETE FROM ${this.changes} WHERE bucket = ? AND change_id = ?`,
      rows.map((r) => [r.get('bucket'), r.get('change_id')]),
    );
    return rows.length;
  }
  onChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }
}
