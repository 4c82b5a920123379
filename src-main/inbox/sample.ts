/** The seed story's sample inbox (users fiona and max), loaded once into the user data store. */
import { readFileSync } from 'node:fs';
import type { SmsMessage, UserDataStore } from '../storage';
import { DuplicateKeyError } from '../storage';
import { isTimeUuid } from '../platform';

export async function loadSampleInbox(users: UserDataStore, path: string): Promise<{ inserted: number; present: number }> {
  let msgs: SmsMessage[];
  try {
    msgs = JSON.parse(readFileSync(path, 'utf8')) as SmsMessage[];
  } catch (e) {
    throw new Error(`cannot read the sample inbox ${path}: ${(e as Error).message}`);
  }
  let inserted = 0;
  let present = 0;
  for (const [i, m] of msgs.entries()) {
    if (!m || typeof m.user_id !== 'string' || typeof m.sender_id !== 'string' || typeof m.sms_text !== 'string' || !isTimeUuid(String(m.sms_id)))
      throw new Error(`${path}: entry ${i} needs user_id, sender_id, sms_text and a TimeUUID sms_id`);
    try {
      await users.insert({ user_id: m.user_id, sms_id: m.sms_id, sender_id: m.sender_id, sms_text: m.sms_text });
      inserted += 1;
    } catch (e) {
      if (!(e instanceof DuplicateKeyError)) throw e;
      present += 1;
    }
  }
  return { inserted, present };
}
