/**
 * The users' inboxes (the seed's `smss_by_users`), newest first by the TimeUUID's time, and their
 * change log: each stored message adds a row to `sms_changes` in the same transaction.
 */
import type Database from 'better-sqlite3';
import { preparedOnce } from './statements';
import type { InsertOutcome, SmsChange, SmsMessage, UserDataStore } from '../types';
import { DuplicateKeyError, SmsIdTakenError } from '../types';
import { timeOfTimeUuid } from '../../platform';
import { ChangeListeners } from '../change-listeners';

type DB = Database.Database;
type ChangeRow = { seq: number; at: number; user_id: string; sms_id: string; sender_id: string; sms_text: string };

const position = (after: string | undefined): number => {
  if (after === undefined) return 0;
  const n = Number(after);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`change log position "${after}": expected a SQLite sequence number (a non-negative integer)`);
  return n;
};

export class SqliteUserData implements UserDataStore {
  /** statements prepared once (statements.ts) */
  private readonly stmt: ReturnType<typeof preparedOnce>;

  private readonly listeners = new ChangeListeners();
  private readonly insertRow;
  private readonly selectRow;
  private readonly insertChange;
  private readonly holderOf;
  private readonly writeMany;

  constructor(db: DB) {
    this.stmt = preparedOnce(db);
    this.insertRow = db.prepare(
      'INSERT INTO smss_by_users (user_id, sms_id, sent_at, sender_id, sms_text) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, sms_id) DO NOTHING',
    );
    this.selectRow = db.prepare('SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users WHERE user_id = ? AND sms_id = ?');
    this.insertChange = db.prepare('INSERT INTO sms_changes (at, user_id, sms_id) VALUES (?, ?, ?)');
    this.holderOf = db.prepare('SELECT user_id FROM smss_by_users WHERE sms_id = ? AND user_id != ? LIMIT 1').pluck();
    this.writeMany = db.transaction((msgs: SmsMessage[]): InsertOutcome[] => {
      const now = Date.now();
      return msgs.map((m) => {
        // in the write transaction: no other writer can take the id between this read and the insert
        if (this.holderOf.get(m.sms_id, m.user_id) !== undefined) return 'taken';
        if (this.insertRow.run(m.user_id, m.sms_id, timeOfTimeUuid(m.sms_id).getTime(), m.sender_id, m.sms_text).changes === 1) {
          this.insertChange.run(now, m.user_id, m.sms_id);
          return 'inserted';
        }
        const there = this.selectRow.get(m.user_id, m.sms_id) as SmsMessage;
        return there.sender_id === m.sender_id && there.sms_text === m.sms_text ? 'present' : 'conflict';
      });
    });
  }

  async insert(m: SmsMessage): Promise<boolean> {
    const [outcome] = await this.insertMany([m]);
    if (outcome === 'conflict') throw new DuplicateKeyError(`${m.user_id}/${m.sms_id}`);
    if (outcome === 'taken') throw new SmsIdTakenError(m.sms_id, String(this.holderOf.get(m.sms_id, m.user_id)));
    return outcome === 'inserted';
  }
  async insertMany(msgs: SmsMessage[]): Promise<InsertOutcome[]> {
    if (msgs.length === 0) return [];
    const outcomes = this.writeMany(msgs);
    if (outcomes.includes('inserted')) this.listeners.notify();
    return outcomes;
  }
  async listByUser(userId: string, limit = 1000): Promise<SmsMessage[]> {
    return this.stmt('SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users WHERE user_id = ? ORDER BY sent_at DESC, sms_id DESC LIMIT ?').all(
      userId,
      limit,
    ) as SmsMessage[];
  }
  async get(userId: string, smsId: string): Promise<SmsMessage | undefined> {
    return this.selectRow.get(userId, smsId) as SmsMessage | undefined;
  }
  async findBySmsId(smsIds: string[]): Promise<(SmsMessage | undefined)[]> {
    const byId = this.stmt('SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users WHERE sms_id = ? LIMIT 1');
    return smsIds.map((id) => byId.get(id) as SmsMessage | undefined);
  }
  async listUsers(): Promise<string[]> {
    return (this.stmt('SELECT DISTINCT user_id FROM smss_by_users ORDER BY user_id').all() as { user_id: string }[]).map((r) => r.user_id);
  }

  async *scanAll(batchSize = 1000): AsyncGenerator<SmsMessage[]> {
    const page = this.stmt('SELECT rowid AS r, user_id, sms_id, sender_id, sms_text FROM smss_by_users WHERE rowid > ? ORDER BY rowid LIMIT ?');
    let after = 0;
    for (;;) {
      const rows = page.all(after, batchSize) as (SmsMessage & { r: number })[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].r;
      yield rows.map(({ r: _, ...m }) => m);
    }
  }

  async changesAfter(after: string | undefined, limit: number, through?: string): Promise<{ changes: SmsChange[]; next: string | undefined }> {
    const rows = this.stmt(
      `SELECT c.seq, c.at, m.user_id, m.sms_id, m.sender_id, m.sms_text FROM sms_changes c
         JOIN smss_by_users m ON m.user_id = c.user_id AND m.sms_id = c.sms_id WHERE c.seq > ? AND c.seq <= ? ORDER BY c.seq LIMIT ?`,
    ).all(position(after), through === undefined ? Number.MAX_SAFE_INTEGER : position(through), limit) as ChangeRow[];
    const changes = rows.map((r) => ({
      seq: String(r.seq),
      at: r.at,
      message: { user_id: r.user_id, sms_id: r.sms_id, sender_id: r.sender_id, sms_text: r.sms_text },
    }));
    return { changes, next: changes.length ? changes[changes.length - 1].seq : undefined };
  }
  async countChangesAfter(after: string | undefined, cap: number): Promise<number> {
    return (this.stmt('SELECT COUNT(*) AS n FROM (SELECT 1 FROM sms_changes WHERE seq > ? LIMIT ?)').get(position(after), cap) as { n: number }).n;
  }
  async getCursor(name: string): Promise<string | undefined> {
    const r = this.stmt('SELECT seq FROM sms_change_cursors WHERE name = ?').get(name) as { seq: number } | undefined;
    return r ? String(r.seq) : undefined;
  }
  async setCursor(name: string, seq: string): Promise<void> {
    this.stmt('INSERT INTO sms_change_cursors (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = max(seq, excluded.seq)').run(
      name,
      position(seq),
    );
  }
  async pruneChanges(through: string, beforeMs: number): Promise<number> {
    return this.stmt('DELETE FROM sms_changes WHERE seq <= ? AND at < ?').run(position(through), beforeMs).changes;
  }
  onChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }
}
