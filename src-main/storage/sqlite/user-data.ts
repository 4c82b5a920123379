/** The users' inboxes (the seed's `smss_by_users`), newest first by the TimeUUID's time. */
import type Database from 'better-sqlite3';
import type { SmsMessage, UserDataStore } from '../types';
import { DuplicateKeyError } from '../types';
import { timeOfTimeUuid } from '../../platform';

type DB = Database.Database;

export class SqliteUserData implements UserDataStore {
  constructor(private readonly db: DB) {}
  async insert(m: SmsMessage): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO smss_by_users (user_id, sms_id, sent_at, sender_id, sms_text) VALUES (?, ?, ?, ?, ?)')
        .run(m.user_id, m.sms_id, timeOfTimeUuid(m.sms_id).getTime(), m.sender_id, m.sms_text);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new DuplicateKeyError(`${m.user_id}/${m.sms_id}`);
      throw e;
    }
  }
  async listByUser(userId: string, limit = 1000): Promise<SmsMessage[]> {
    return this.db
      .prepare('SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users WHERE user_id = ? ORDER BY sent_at DESC, sms_id DESC LIMIT ?')
      .all(userId, limit) as SmsMessage[];
  }
  async get(userId: string, smsId: string): Promise<SmsMessage | undefined> {
    return this.db.prepare('SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users WHERE user_id = ? AND sms_id = ?').get(userId, smsId) as
      | SmsMessage
      | undefined;
  }
  async listUsers(): Promise<string[]> {
    return (this.db.prepare('SELECT DISTINCT user_id FROM smss_by_users ORDER BY user_id').all() as { user_id: string }[]).map((r) => r.user_id);
  }
}
