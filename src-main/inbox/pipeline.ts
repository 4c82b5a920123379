/**
 * The inbox pipeline (the seed's Inbox API): store a new message, compute its v2 features and
 * push them through the push source to the online and offline store. Nothing is lost between
 * those steps: the message is first written to a durable outbox (storage documents), then to
 * the user's inbox, then pushed; the outbox entry is removed only after the push succeeded.
 * A failed push (store down, process killed) is retried from the outbox, also after a restart.
 */
import type { Engines } from '../engines';
import { DuplicateKeyError, type SmsMessage } from '../storage';
import { newTimeUuid, timeOfTimeUuid } from '../platform/timeuuid';
import { isoUtc } from '../featurestore';
import { V2_PUSH_SOURCE } from './backfill';

const OUTBOX = 'inbox_outbox';

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

export class InboxPipeline {
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;
  private delayMs = 1000;

  constructor(private readonly engines: Engines) {}

  /** store + features + push; the message is safe once this resolves, pushed or not */
  async ingest(recipient: string, sender: string, text: string): Promise<IngestResult> {
    const message: SmsMessage = { user_id: recipient, sms_id: newTimeUuid(), sender_id: sender, sms_text: text };
    const entry: OutboxEntry = { message, attempts: 0, createdAt: new Date().toISOString() };
    await this.engines.storage.documents.put(OUTBOX, message.sms_id, JSON.stringify(entry));
    await this.engines.storage.users.insert(message);
    const error = await this.attempt(entry);
    if (error) this.scheduleRetry();
    return { sms_id: message.sms_id, pushed: !error, error };
  }

  /** one push attempt; undefined on success, else the error (the entry stays in the outbox) */
  private async attempt(entry: OutboxEntry): Promise<string | undefined> {
    const m = entry.message;
    try {
      await this.engines.features.push(
        V2_PUSH_SOURCE,
        { sms_id: [m.sms_id], event_timestamp: [isoUtc(timeOfTimeUuid(m.sms_id).getTime())], features: [this.engines.tokenizer().encode(m.sms_text)] },
        'online_and_offline',
      );
      await this.engines.storage.documents.delete(OUTBOX, m.sms_id);
      return undefined;
    } catch (e) {
      entry.attempts += 1;
      entry.lastError = (e as Error).message;
      await this.engines.storage.documents.put(OUTBOX, m.sms_id, JSON.stringify(entry)).catch(() => undefined);
      return entry.lastError;
    }
  }

  async pending(): Promise<OutboxEntry[]> {
    return (await this.engines.storage.documents.list(OUTBOX)).map((d) => JSON.parse(d.json) as OutboxEntry);
  }

  /** replays the outbox: stores messages a crash left unstored, pushes what was not pushed */
  async drain(): Promise<{ pushed: number; failed: number }> {
    let pushed = 0;
    let failed = 0;
    for (const entry of await this.pending()) {
      try {
        await this.engines.storage.users.insert(entry.message);
      } catch (e) {
        if (!(e instanceof DuplicateKeyError)) {
          failed++;
          continue;
        }
      }
      if (await this.attempt(entry)) failed++;
      else pushed++;
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
