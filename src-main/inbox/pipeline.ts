/**
 * The inbox pipeline (the seed's Inbox API): store a new message, then answer once its v2 features
 * are pushed to the online and offline store. Nothing is lost between those steps: storing the
 * message records its change in the same transaction (change data capture), and the feature step
 * takes every change from the log (or from the stream) until its push succeeded, also after a crash
 * or a restart. So the answer can be truthful: "pushed" when the feature step got there within
 * ANSWER_WITHIN_MS, else "stored, features on their way" with the reason (a failed push, the stream
 * unreachable, a backlog); never "failed" for a message that is stored.
 */
import type { DocumentStore, SmsMessage, UserDataStore } from '../storage';
import { newTimeUuid } from '../platform';
import type { FeatureStep } from './feature-step';

/** how long the answer waits for the feature step before saying "stored, features pending" */
const ANSWER_WITHIN_MS = 5000;
/** where the previous version's outbox kept messages whose push was pending */
const LEGACY_OUTBOX = 'inbox_outbox';

export interface IngestResult {
  sms_id: string;
  pushed: boolean;
  error?: string;
}

/** What the pipeline stores into, and whom it waits for. */
export interface InboxDeps {
  users: Pick<UserDataStore, 'insert' | 'insertMany'>;
  step: Pick<FeatureStep, 'waitFor'>;
  /** the documents where an earlier version kept its outbox: replayed once on start */
  legacyOutbox?: DocumentStore;
}

export class InboxPipeline {
  /** messages to store in the next group commit, with their callers */
  private queued: { message: SmsMessage; resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly deps: InboxDeps) {}

  /**
   * Group commit: the messages of the requests that arrive in the same turn of the event loop are
   * stored in one transaction (one WAL commit, one change-log notification, and so one feature-step
   * batch), each caller answered once it is durable. A failed write fails each of them.
   */
  private store(message: SmsMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.queued.length === 0) setImmediate(() => void this.commit());
      this.queued.push({ message, resolve, reject });
    });
  }

  private async commit(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    try {
      const outcomes = await this.deps.users.insertMany(batch.map((q) => q.message));
      for (const [i, q] of batch.entries())
        if (outcomes[i] === 'inserted' || outcomes[i] === 'present') q.resolve();
        else q.reject(new Error(`message ${q.message.user_id}/${q.message.sms_id} not stored: ${outcomes[i]}`));
    } catch (e) {
      for (const q of batch) q.reject(e);
    }
  }

  /** stores the message (durable once this resolves) and waits a little for its features */
  async ingest(recipient: string, sender: string, text: string): Promise<IngestResult> {
    const message: SmsMessage = { user_id: recipient, sms_id: newTimeUuid(), sender_id: sender, sms_text: text };
    // waiting starts before the write: the feature step may get there before insert() returns
    const wait = this.deps.step.waitFor(message.sms_id, ANSWER_WITHIN_MS);
    try {
      await this.store(message);
    } catch (e) {
      wait.cancel();
      throw e;
    }
    const error = await wait.done;
    return { sms_id: message.sms_id, pushed: !error, error };
  }

  /**
   * Stores what an earlier version's outbox still held (messages whose push was pending when it
   * stopped); storing records their changes, and the feature step takes them from there.
   */
  async start(): Promise<{ replayed: number }> {
    const docs = this.deps.legacyOutbox;
    if (!docs) return { replayed: 0 };
    const entries = await docs.list(LEGACY_OUTBOX);
    if (entries.length === 0) return { replayed: 0 };
    const messages = entries.map((d) => (JSON.parse(d.json) as { message: SmsMessage }).message);
    await this.deps.users.insertMany(messages);
    for (const d of entries) await docs.delete(LEGACY_OUTBOX, d.id);
    return { replayed: entries.length };
  }
}
