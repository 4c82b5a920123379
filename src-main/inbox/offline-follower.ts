/**
 * The offline half of the feature step, group-committed. Writing a Parquet part costs the same
 * for 7 rows as for 5,000 (the part, its fsync, the manifest under its lock: about 15 ms here),
 * so the inbox's answer waits for the online push only, and this follower writes the offline rows
 * of everything the feature step handed on, once per gathering (a quarter of a second), as one
 * part. It reads the same change log, behind the feature step's cursor (with the stream on, behind
 * the relay's: the stream's feature step then pushes online only too); its position is recorded
 * in the offline store's manifest by the same write that publishes the part, so a crash at any
 * point neither loses rows nor writes them twice, and two processes never both write a batch.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ROWS_PER_TURN } from '../platform';
import type { SmsMessage } from '../storage';
import type { FeatureStore } from '../featurestore';
import type { TokenizerSource } from '../features';
import { ChangeFollower, type ChangeLog } from './change-follower';
import { V2_PUSH_SOURCE, v2PushColumns } from './backfill';

/** the offline follower's cursor in the change log, and its mark in the offline store */
export const OFFLINE_CURSOR = 'offline-features';
/** the cursor of the feature step, which the offline follower stays behind (embedded) */
export const FEATURES_CURSOR = 'features';
/** the cursor of the stream's relay, which the offline follower stays behind (the stream on) */
export const STREAM_RELAY_CURSOR = 'stream-relay';
/** how long a wake waits to gather what arrives meanwhile into the same part */
const GATHER_MS = 250;
const BATCH = 5000;

export interface OfflineFollowerDeps {
  changes: ChangeLog;
  features: Pick<FeatureStore, 'push' | 'pushMark'>;
  tokenizers: TokenizerSource;
  gatherMs?: number;
  /** the cursor it stays behind: the feature step's (embedded, the default) or the stream's relay */
  follows?: string;
}

export function offlineFollower(deps: OfflineFollowerDeps): ChangeFollower {
  return new ChangeFollower(deps.changes, {
    cursor: OFFLINE_CURSOR,
    follows: deps.follows ?? FEATURES_CURSOR,
    batch: BATCH,
    gatherMs: deps.gatherMs ?? GATHER_MS,
    pollMs: 1000,
    // the manifest's mark is ahead of the cursor when a crash came between the two
    position: async (stored) => (await deps.features.pushMark(V2_PUSH_SOURCE, OFFLINE_CURSOR)) ?? stored,
    handle: async (changes, after, next) => {
      const messages = [...new Map(changes.map((c) => [c.message.sms_id, c.message] as [string, SmsMessage])).values()];
      const tokenizer = deps.tokenizers.get();
      const features: number[][] = [];
      for (const [i, m] of messages.entries()) {
        // a gathering under load (1,500 messages) encoded in slices: requests answered in between
        if (i > 0 && i % ROWS_PER_TURN === 0) await nextTurn();
        features.push(tokenizer.encode(m.sms_text));
      }
      const r = await deps.features.push(V2_PUSH_SOURCE, v2PushColumns(messages, features), 'offline', {
        mark: { name: OFFLINE_CURSOR, after, through: next ?? changes[changes.length - 1].seq },
      });
      return r.published === false ? 'moved' : undefined;
    },
  });
}
