/** Operator feedback, one column per field. */
import type Database from 'better-sqlite3';
import { DuplicateKeyError, type FeedbackRecord, type FeedbackStore } from '../types';

type DB = Database.Database;

const COLUMNS = ['id', 'at', 'sms_id', 'true_label', 'caller', 'user_id', 'predicted_label', 'model_version', 'architecture', 'note', 'source_id'] as const;
const SELECT = `SELECT ${COLUMNS.join(', ')} FROM feedback`;

/** a row as a statement: absent optional fields are left out, as they were in the documents */
export function feedbackOf(row: Record<string, unknown>): FeedbackRecord {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined)) as unknown as FeedbackRecord;
}

export function feedbackRow(f: FeedbackRecord): unknown[] {
  const r = f as unknown as Record<string, unknown>;
  return COLUMNS.map((c) => (r[c] === undefined ? null : r[c]));
}

export const INSERT_FEEDBACK = `INSERT INTO feedback (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;

export class SqliteFeedback implements FeedbackStore {
  constructor(private readonly db: DB) {}
  async append(f: FeedbackRecord): Promise<void> {
    try {
      this.db.prepare(INSERT_FEEDBACK).run(...feedbackRow(f));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new DuplicateKeyError(`feedback ${f.id}`);
      throw e;
    }
  }
  async page(o: { limit: number; before?: string }): Promise<FeedbackRecord[]> {
    const rows =
      o.before === undefined
        ? this.db.prepare(`${SELECT} ORDER BY id DESC LIMIT ?`).all(o.limit)
        : this.db.prepare(`${SELECT} WHERE id < ? ORDER BY id DESC LIMIT ?`).all(o.before, o.limit);
    return (rows as Record<string, unknown>[]).map(feedbackOf);
  }
  async all(): Promise<FeedbackRecord[]> {
    return (this.db.prepare(`${SELECT} ORDER BY id`).all() as Record<string, unknown>[]).map(feedbackOf);
  }
  async count(): Promise<number> {
    return this.db.prepare('SELECT COUNT(*) FROM feedback').pluck().get() as number;
  }
}
