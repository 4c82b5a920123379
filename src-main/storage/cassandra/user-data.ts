/** The users' inboxes (the seed's `smss_by_users`, one partition per user, newest first). */
import cassandra from 'cassandra-driver';
import type { types } from 'cassandra-driver';
import type { SmsMessage, UserDataStore } from '../types';
import { DuplicateKeyError } from '../types';
import { isTimeUuid } from '../../platform';
import { type Cql, byCodeUnit, str } from './cql';
import type { Row } from './cql';

const { TimeUuid } = cassandra.types;

export class CassandraUserData implements UserDataStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
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
