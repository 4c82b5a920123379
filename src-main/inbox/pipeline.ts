/**
 * The inbox pipeline (the seed's Inbox API): store a new message, compute its v2 features and
 * push them through the push source to the online and offline store. Nothing is lost between
 * those steps: the message is first written to a durable outbox (storage documents), then to
 * the user's inbox, then pushed; the outbox entry is removed only after the push succeeded.
 * A failed push (store down, process killed) is retried from the outbox, also after a restart.
 * Concurrent messages are pushed together: while one push is under way, the messages that
 * arrive wait for the next one (up to BATCH), so a lone message goes out at once and a burst
 * costs one Parquet part and one online transaction per batch instead of per message.
 */
import { DuplicateKeyError, type DocumentStore, type SmsMessage, type UserDataStore } from '../storage';
import { newTimeUuid, timeOfTimeUuid } from '../platform';
import { isoUtc, type FeatureStore } from '../featurestore';
import type { TokenizerSource } from '../features';
import { V2_PUSH_SOURCE } from './backfill';

const OUTBOX = 'inbox_outbox';
const BATCH = 256;

interface OutboxEntry {
  message: SmsMessage;
  attempts: number;
  lastError?: string;
  createdAt: string;
}

export interface IngestResult {
  sms_id: string;
  pushed: boolean;
  error?: string;
}

/** What the pipeline writes to (outbox, inbox, the push source) and what it encodes with. */
export interface InboxDeps {
  /** the durable outbox: documents of the storage layer */
  outbox: DocumentStore;
  users: UserDataStore;
  features: Pick<FeatureStore, 'push'>;
  tokenizers: TokenizerSource;
  /** called with each batch once its features are pushed (the monitoring engine records verdicts) */
  onPushed?: (messages: SmsMessage[]) => void;
}

export class InboxPipeline {
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;
  private delayMs = 1000;
  private batch: { entry: OutboxEntry; done: (error: string | undefined) => void }[] = [];
  private flushing = false;

  constructor(private readonly deps: InboxDeps) {}

  /** store + features + push; the message is safe once this resolves, pushed or not */
  async ingest(recipient: string, sender: string, text: string): Promise<IngestResult> {
    const message: SmsMessage = { user_id: recipient, sms_id: newTimeUuid(), sender_id: sender, sms_text: text };
    const entry: OutboxEntry = { message, attempts: 0, createdAt: new Date().toISOString() };
    await this.deps.outbox.put(OUTBOX, message.sms_id, JSON.stringify(entry));
    await this.deps.users.insert(message);
    const error = await new Promise<string | undefined>((done) => {
      this.batch.push({ entry, done });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush()); // let messages of the same tick join
      }
    });
    if (error) this.scheduleRetry();
    return { sms_id: message.sms_id, pushed: !error, error };
  }

  /** pushes batches until none is waiting; only one push is under way at a time */
  private async flush(): Promise<void> {
    while (this.batch.length > 0) {
      const taken = this.batch.splice(0, BATCH);
      const error = await this.attempt(taken.map((t) => t.entry));
      for (const t of taken) t.done(error);
    }
    this.flushing = false;
  }

  /** one push of a batch; undefined on success, else the error (the entries stay in the outbox) */
  private async attempt(entries: OutboxEntry[]): Promise<string | undefined> {
    try {
      const tokenizer = this.deps.tokenizers.get();
      await this.deps.features.push(
        V2_PUSH_SOURCE,
        {
          sms_id: entries.map((e) => e.message.sms_id),
          event_timestamp: entries.map((e) => isoUtc(timeOfTimeUuid(e.message.sms_id).getTime())),
          features: entries.map((e) => tokenizer.encode(e.message.sms_text)),
        },
        'online_and_offline',
      );
      for (const e of entries) await this.deps.outbox.delete(OUTBOX, e.message.sms_id);
      this.deps.onPushed?.(entries.map((e) => e.message));
      return undefined;
    } catch (err) {
      const message = (err as Error).message;
      for (const e of entries) {
        e.attempts += 1;
        e.lastError = message;
        await this.deps.outbox.put(OUTBOX, e.message.sms_id, JSON.stringify(e)).catch(() => undefined);
      }
      return message;
    }
  }

  async pending(): Promise<OutboxEntry[]> {
    return (await this.deps.outbox.list(OUTBOX)).map((d) => JSON.parse(d.json) as OutboxEntry);
  }

  /** replays the outbox: stores messages a crash left unstored, pushes what was not pushed */
  async drain(): Promise<{ pushed: number; failed: number }> {
    let pushed = 0;
    let failed = 0;
    const ready: OutboxEntry[] = [];
    for (const entry of await this.pending()) {
      try {
        await this.deps.users.insert(entry.message);
      } catch (e) {
        if (!(e instanceof DuplicateKeyError)) {
          failed++;
          continue;
        }
      }
      ready.push(entry);
    }
    for (let i = 0; i < ready.length; i += BATCH) {
      const chunk = ready.slice(i, i + BATCH);
      if (await this.attempt(chunk)) failed += chunk.length;
      else pushed += chunk.length;
    }
    return { pushed, failed };
  }

  /** on start: replay what a previous process left, and keep retrying while anything fails */
  async start(): Promise<void> {
    const r = await this.drain();
    if (r.failed) this.scheduleRetry();
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.retrying) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = undefined;
      this.retrying = true;
      try {
        const r = await this.drain();
        this.delayMs = r.failed ? Math.min(this.delayMs * 2, 60_000) : 1000;
        if (r.failed) this.scheduleRetry();
      } finally {
        this.retrying = false;
      }
    }, this.delayMs);
    this.retryTimer.unref();
  }
}
