/**
 * A durable reader of the user-data store's change log: reads the changes after its cursor in
 * batches, hands each batch on, and moves the cursor past it only once the handler resolved, so a
 * crash at any point repeats a batch and never skips one. It wakes at once when this process
 * stores a message and polls for other processes' writes (the CLI, a second server). A failed batch
 * is retried with backoff (0.5 s doubling to 30 s) until it goes through.
 */
import type { SmsChange, UserDataStore } from '../storage';

export type ChangeLog = Pick<UserDataStore, 'changesAfter' | 'countChangesAfter' | 'getCursor' | 'setCursor' | 'pruneChanges' | 'onChange'>;

export interface FollowerOptions {
  /** the durable cursor's name: one per consumer of the log */
  cursor: string;
  /** hands a batch on; resolves once the cursor may move past it */
  handle(changes: SmsChange[]): Promise<void>;
  /** told when a batch failed (its changes stay in the log and are tried again) */
  onFailure?(changes: SmsChange[], reason: string): void;
  batch?: number;
  pollMs?: number;
}

/** handed-on changes are kept this long for a consumer that starts later (the other mode's cursor) */
const KEEP_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export class ChangeFollower {
  /** failed attempts since the last success */
  attempts = 0;
  /** changes handed on again after a failed attempt */
  redelivered = 0;
  lastError: string | undefined;
  private position: string | undefined;
  private loaded = false;
  private stopped = true;
  private running = false;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private delayMs = FIRST_RETRY_MS;
  private unsubscribe: (() => void) | undefined;
  private lastPrune = 0;
  private exclusive: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: ChangeLog,
    private readonly o: FollowerOptions,
  ) {}

  get name(): string {
    return this.o.cursor;
  }

  /** follows the log in the background until stop() */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.log.onChange(() => this.wake());
    this.pollTimer = setInterval(() => {
      if (!this.retryTimer) this.wake();
    }, this.o.pollMs ?? 500);
    this.pollTimer.unref();
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** tries at once, whatever the backoff (the stream came back) */
  kick(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.delayMs = FIRST_RETRY_MS;
    this.wake();
  }

  /** hands on everything the log holds now; stops at the first failed batch */
  drain(): Promise<{ handled: number; failed: number }> {
    // one reader at a time: a drain called while the background one runs waits for it
    const run = this.exclusive.then(() => this.drainNow());
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /** changes after the cursor (not handed on yet), oldest first */
  async pending(limit: number): Promise<SmsChange[]> {
    await this.load();
    return (await this.log.changesAfter(this.position, limit)).changes;
  }

  async lag(cap = 100_000): Promise<number> {
    await this.load();
    return this.log.countChangesAfter(this.position, cap);
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          const r = await this.drain();
          if (r.failed) {
            this.scheduleRetry();
            break;
          }
          this.delayMs = FIRST_RETRY_MS;
        } while (this.again && !this.stopped);
      } finally {
        this.running = false;
      }
    })();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, this.delayMs);
    this.retryTimer.unref();
    this.delayMs = Math.min(this.delayMs * 2, MAX_RETRY_MS);
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.position = await this.log.getCursor(this.o.cursor);
    this.loaded = true;
  }

  private async drainNow(): Promise<{ handled: number; failed: number }> {
    let handled = 0;
    let changes: SmsChange[] = [];
    try {
      await this.load();
      for (;;) {
        changes = [];
        const page = await this.log.changesAfter(this.position, this.o.batch ?? 256);
        changes = page.changes;
        if (changes.length > 0) {
          if (this.attempts > 0) this.redelivered += changes.length;
          await this.o.handle(changes);
          handled += changes.length;
          this.attempts = 0;
          this.lastError = undefined;
        }
        if (page.next === undefined || page.next === this.position) break;
        await this.log.setCursor(this.o.cursor, page.next);
        this.position = page.next;
        if (changes.length === 0) break;
      }
      await this.prune();
      return { handled, failed: 0 };
    } catch (e) {
      const reason = (e as Error).message;
      this.attempts += 1;
      this.lastError = reason;
      if (changes.length) this.o.onFailure?.(changes, reason);
      return { handled, failed: Math.max(1, changes.length) };
    }
  }

  private async prune(): Promise<void> {
    if (this.position === undefined || Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.log.pruneChanges(this.position, Date.now() - KEEP_MS).catch(() => undefined);
  }
}
