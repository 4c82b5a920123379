/**
 * The seed story's sample inbox (users fiona and max), loaded once into the user data store; each
 * message stored records its change, so the feature step gives it features like any other.
 */
import { readFileSync } from 'node:fs';
import type { SmsMessage, UserDataStore } from '../storage';
import { isTimeUuid } from '../platform';

export async function loadSampleInbox(users: Pick<UserDataStore, 'insertMany'>, path: string): Promise<{ inserted: number; present: number }> {
  let msgs: SmsMessage[];
  try {
    msgs = JSON.parse(readFileSync(path, 'utf8')) as SmsMessage[];
  } catch (e) {
    throw new Error(`cannot read the sample inbox ${path}: ${(e as Error).message}`);
  }
  for (const [i, m] of msgs.entries()) {
    if (!m || typeof m.user_id !== 'string' || typeof m.sender_id !== 'string' || typeof m.sms_text !== 'string' || !isTimeUuid(String(m.sms_id)))
      throw new Error(`${path}: entry ${i} needs user_id, sender_id, sms_text and a TimeUUID sms_id`);
  }
  const outcomes = await users.insertMany(msgs.map((m) => ({ user_id: m.user_id, sms_id: m.sms_id, sender_id: m.sender_id, sms_text: m.sms_text })));
  const conflict = outcomes.findIndex((o) => o === 'conflict' || o === 'taken');
  if (conflict >= 0)
    throw new Error(
      `${path}: entry ${conflict}: ${msgs[conflict].user_id}/${msgs[conflict].sms_id}: ${outcomes[conflict] === 'taken' ? "another user's message holds this sms_id" : 'holds another message already'}`,
    );
  const inserted = outcomes.filter((o) => o === 'inserted').length;
  return { inserted, present: outcomes.length - inserted };
}
