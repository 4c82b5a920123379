/**
 * The feature step (the seed's chapter 4 "function"): v2 features of stored messages, pushed through
 * the push source to the online store in one push per batch (the offline rows are group-committed
 * from the change log by the offline follower: offline-follower.ts), then their verdicts recorded
 * (`onPushed`). Every door into the inboxes reaches it the same way: the store records a
 * change with each message, and the change log (embedded) or the change stream (NATS) hands the
 * changes here in batches.
 *
 * A change may arrive twice (a crash between the push and the consumer's cursor or acknowledgement,
 * a redelivery): a message whose features are in the online store already is not pushed again, so
 * a repeat costs one lookup, not a second offline row; its verdict is asked for again (stored once:
 * its id is the message's and the model's), since the crash may have come before it was stored
 * (a message whose features the backfill pushed gets its verdict this way too).
 * A batch is done, and the cursor or acknowledgement moves past it, once its verdicts are stored
 * (`stored`): a verdict still on its way when the process was killed was lost for good (a hostile
 * probe: 2 of 304 messages after a kill -9 under load).
 */
import type { OnlineStore, SmsMessage } from '../storage';
import { RateMeter } from '../platform';
import type { FeatureStore } from '../featurestore';
import type { EncodedBatch, TokenizerSource } from '../features';
import { V2_PUSH_SOURCE, V2_VIEW, v2PushColumns } from './backfill';

/** What the step reads (the online store, to skip what is there), pushes through, and encodes with. */
export interface FeatureStepDeps {
  features: Pick<FeatureStore, 'push'>;
  online: Pick<OnlineStore, 'read'>;
  tokenizers: TokenizerSource;
  /**
   * called with the messages of each push once it succeeded, and their encodings (`encoded.texts[i]`
   * is message i's, by `encoded.tokenizer`; absent for messages found featured already): the
   * monitoring engine records verdicts, and resolves once they are stored
   */
  onPushed?: (messages: SmsMessage[], encoded: EncodedBatch | undefined) => Promise<void> | void;
  /**
   * Where a push goes: both stores (default), or the online store only when an offline follower
   * group-commits the offline rows from the same change log (both ingestions do: embedded behind
   * the feature step, stream behind the relay).
   */
  to?: 'online' | 'online_and_offline';
}

/** someone waiting for a message's features (the Inbox API's answer) */
export interface FeatureWait {
  /** undefined once the features are pushed; else why not (yet) */
  done: Promise<string | undefined>;
  cancel(): void;
}

export class FeatureStep {
  /** messages handled (pushed or found present), per second over 10 s */
  readonly meter = new RateMeter();
  failures = 0;
  lastError: string | undefined;
  private readonly waiters = new Map<string, Set<(error: string | undefined) => void>>();

  constructor(private readonly deps: FeatureStepDeps) {}

  /**
   * Pushes the features of the messages that lack them; rejects (nothing pushed) when the push
   * fails. Resolves once pushed; `stored` resolves once the batch's verdicts are stored too (it
   * never rejects: a verdict not stored is monitoring's loss, and the features are pushed). The
   * caller moves its cursor, or acknowledges, after `stored`; a stream consumer takes its next
   * batch meanwhile (the verdicts are computed on a helper thread: waiting for them before the
   * next push cost the stream bench about a tenth).
   */
  async process(messages: SmsMessage[]): Promise<{ pushed: number; present: number; stored: Promise<void> }> {
    const unique = [...new Map(messages.map((m) => [m.sms_id, m])).values()];
    if (unique.length === 0) return { pushed: 0, present: 0, stored: Promise.resolve() };
    const ids = unique.map((m) => m.sms_id);
    let missing: SmsMessage[];
    let present: SmsMessage[];
    let encoded: EncodedBatch | undefined;
    try {
      const have = await this.deps.online.read(V2_VIEW, ids);
      missing = unique.filter((_, i) => !have[i]);
      present = unique.filter((_, i) => have[i]);
      if (missing.length) {
        const tokenizer = this.deps.tokenizers.get();
        encoded = { tokenizer, texts: missing.map((m) => tokenizer.encodeNoted(m.sms_text)) };
        await this.deps.features.push(
          V2_PUSH_SOURCE,
          v2PushColumns(
            missing,
            encoded.texts.map((e) => e.ids),
          ),
          this.deps.to ?? 'online_and_offline',
        );
      }
    } catch (e) {
      const reason = (e as Error).message;
      this.failures += 1;
      this.lastError = reason;
      this.fail(ids, `the feature push failed: ${reason}`);
      throw e;
    }
    this.lastError = undefined;
    this.meter.add(unique.length);
    // the features are there: whoever waits for them is answered now, the verdicts follow
    for (const id of ids) this.settle(id, undefined);
    const stored = (async () => {
      await Promise.all([encoded && this.deps.onPushed?.(missing, encoded), present.length ? this.deps.onPushed?.(present, undefined) : undefined]);
    })().catch(() => undefined); // recording verdicts is monitoring's business; the features are pushed
    return { pushed: missing.length, present: present.length, stored };
  }

  /** waits for a message's features, at most `timeoutMs`; register before storing the message */
  waitFor(smsId: string, timeoutMs: number): FeatureWait {
    let resolve!: (error: string | undefined) => void;
    const done = new Promise<string | undefined>((r) => {
      resolve = r;
    });
    const set = this.waiters.get(smsId) ?? new Set();
    this.waiters.set(smsId, set);
    const finish = (error: string | undefined) => {
      clearTimeout(timer);
      set.delete(finish);
      if (set.size === 0 && this.waiters.get(smsId) === set) this.waiters.delete(smsId);
      resolve(error);
    };
    const timer = setTimeout(() => finish(`the feature step has not reached it within ${timeoutMs / 1000} s`), timeoutMs);
    timer.unref();
    set.add(finish);
    return { done, cancel: () => finish('cancelled') };
  }

  /** tells those waiting for these messages why their features are late (they stay on their way) */
  fail(smsIds: string[], reason: string): void {
    for (const id of smsIds) this.settle(id, reason);
  }

  private settle(smsId: string, error: string | undefined): void {
    const set = this.waiters.get(smsId);
    if (set) for (const finish of [...set]) finish(error);
  }
}
