/**
 * The seed's `push_v2_features_to_store`: push the v2 features of users' messages through
 * the push source, to the online and offline store, for messages that lack them.
 */
import type { Engines } from '../engines';
import { timeOfTimeUuid } from '../platform/timeuuid';
import { isoUtc } from '../featurestore';

export const V2_PUSH_SOURCE = 'smss2_push';
export const V2_VIEW = 'sms_features2';

export async function backfillV2Features(engines: Engines, users: string[], opts: { all?: boolean } = {}): Promise<{ users: number; pushed: number; present: number }> {
  const tokenizer = engines.tokenizer();
  const targets = users.length ? users : await engines.storage.users.listUsers();
  let pushed = 0;
  let present = 0;
  for (const user of targets) {
    const msgs = await engines.storage.users.listByUser(user, 100000);
    if (msgs.length === 0) continue;
    const have = opts.all ? [] : await engines.storage.online.read(V2_VIEW, msgs.map((m) => m.sms_id));
    const missing = msgs.filter((_, i) => !have[i]);
    present += msgs.length - missing.length;
    if (missing.length === 0) continue;
    await engines.features.push(
      V2_PUSH_SOURCE,
      {
        sms_id: missing.map((m) => m.sms_id),
        event_timestamp: missing.map((m) => isoUtc(timeOfTimeUuid(m.sms_id).getTime())),
        features: missing.map((m) => tokenizer.encode(m.sms_text)),
      },
      'online_and_offline',
    );
    pushed += missing.length;
  }
  return { users: targets.length, pushed, present };
}
