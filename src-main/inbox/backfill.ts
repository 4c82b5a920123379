/**
 * The seed's `push_v2_features_to_store`: push the v2 features of users' messages through
 * the push source, to the online and offline store, for messages that lack them.
 */
import type { OnlineStore, SmsMessage, UserDataStore } from '../storage';
import { timeOfTimeUuid } from '../platform';
import type { FeatureStore } from '../featurestore';
import type { TokenizerSource } from '../features';

export const V2_PUSH_SOURCE = 'smss2_push';
export const V2_VIEW = 'sms_features2';

/**
 * The push source's columns for these messages and their v2 features (`features[i]`, the
 * tokenizer's encoding of message i): the id, the event time (the TimeUUID's, as a Date: the push
 * reads a string back through a pattern, a cost per message for nothing), the features. The
 * feature step, the offline follower and the backfill push the same rows.
 */
export function v2PushColumns(messages: SmsMessage[], features: number[][]): Record<string, unknown[]> {
  return {
    sms_id: messages.map((m) => m.sms_id),
    event_timestamp: messages.map((m) => timeOfTimeUuid(m.sms_id)),
    features,
  };
}

/** What a backfill reads (inboxes, the online store) and writes through (the push source). */
export interface BackfillDeps {
  users: UserDataStore;
  online: Pick<OnlineStore, 'read'>;
  features: Pick<FeatureStore, 'push'>;
  tokenizers: TokenizerSource;
}

export class V2Backfill {
  constructor(private readonly deps: BackfillDeps) {}
  /**
   * the users' messages (all users when none is named) that lack v2 features, pushed; `all` pushes
   * every message again; `to: 'online'` leaves the offline rows to the offline follower (messages
   * whose changes are still in the change log: it writes each once)
   */
  run(users: string[], opts: { all?: boolean; to?: 'online' | 'online_and_offline' } = {}): Promise<{ users: number; pushed: number; present: number }> {
    return backfillV2Features(this.deps, users, opts);
  }
}

async function backfillV2Features(
  deps: BackfillDeps,
  users: string[],
  opts: { all?: boolean; to?: 'online' | 'online_and_offline' } = {},
): Promise<{ users: number; pushed: number; present: number }> {
  const tokenizer = deps.tokenizers.get();
  const targets = users.length ? users : await deps.users.listUsers();
  let pushed = 0;
  let present = 0;
  for (const user of targets) {
    const msgs = await deps.users.listByUser(user, 100000);
    if (msgs.length === 0) continue;
    const have = opts.all
      ? []
      : await deps.online.read(
          V2_VIEW,
          msgs.map((m) => m.sms_id),
        );
    const missing = msgs.filter((_, i) => !have[i]);
    present += msgs.length - missing.length;
    if (missing.length === 0) continue;
    await deps.features.push(
      V2_PUSH_SOURCE,
      v2PushColumns(
        missing,
        missing.map((m) => tokenizer.encode(m.sms_text)),
      ),
      opts.to ?? 'online_and_offline',
    );
    pushed += missing.length;
  }
  return { users: targets.length, pushed, present };
}
