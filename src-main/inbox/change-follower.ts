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
  /**
   * Hands a batch on (the changes after position `after`, up to `next`); resolves once the cursor
   * may move past it, or with 'moved' when another process handed them on already (the follower
   * then reads its position again, through `position`), or with `{ done }` when the batch's last
   * work goes on (the inbox's verdicts): the next batch is read and handed on meanwhile, and the
   * cursor moves past this one once `done` resolves (it must not reject), at most PIPELINED
   * batches behind.
   */
  handle(changes: SmsChange[], after: string | undefined, next: string | undefined): Promise<void | 'moved' | { done: Promise<void> }>;
  /** told when a batch failed (its changes stay in the log and are tried again) */
  onFailure?(changes: SmsChange[], reason: string): void;
  batch?: number;
  pollMs?: number;
  /** reads only what the consumer of this cursor has handed on (a follower of a follower) */
  follows?: string;
  /** where to start, given the stored cursor (a handler that records its own position elsewhere) */
  position?(stored: string | undefined): Promise<string | undefined>;
  /** waits this long after a wake before reading, so that one read takes what arrives meanwhile */
  gatherMs?: number;
  /** drops handed-on changes older than a day (default true; off for a consumer another follows) */
  prune?: boolean;
  /** told after the cursor moved */
  onAdvance?(): void;
}

/** handed-on changes are kept this long for a consumer that starts later (the other mode's cursor) */
const KEEP_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const FIRST_RETRY_MS = 500;
/** batches handed on whose last work goes on, at most (see handle's `done`) */
const PIPELINED = 2;
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
  private gatherTimer: NodeJS.Timeout | undefined;
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
    clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
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
    const through = await this.through();
    if (through === null) return [];
    return (await this.log.changesAfter(await this.positionForCount(), limit, through)).changes;
  }

  async lag(cap = 100_000): Promise<number> {
    if (this.o.follows) return (await this.pending(cap)).length;
    return this.log.countChangesAfter(await this.positionForCount(), cap);
  }

  /** the position, or the stored cursor while `position` cannot be read (its store is broken): what is pending is then at most that */
  private async positionForCount(): Promise<string | undefined> {
    try {
      await this.load();
      return this.position;
    } catch {
      return this.log.getCursor(this.o.cursor);
    }
  }

  /** how far this follower may read: undefined, all; null, nothing yet (its leader has read nothing) */
  private async through(): Promise<string | undefined | null> {
    if (!this.o.follows) return undefined;
    return (await this.log.getCursor(this.o.follows)) ?? null;
  }

  /** reads what is new now, or after `gatherMs` (what the change log or a leader calls) */
  wake(): void {
    if (this.stopped) return;
    const gather = this.o.gatherMs ?? 0;
    if (gather > 0 && !this.running) {
      if (this.gatherTimer) return;
      this.gatherTimer = setTimeout(() => {
        this.gatherTimer = undefined;
        this.wakeNow();
      }, gather);
      this.gatherTimer.unref();
      return;
    }
    this.wakeNow();
  }

  private wakeNow(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    const gathers = (this.o.gatherMs ?? 0) > 0;
    void (async () => {
      let gatherAgain = false;
      try {
        do {
          this.again = false;
          const r = await this.drain();
          if (r.failed) {
            this.scheduleRetry();
            break;
          }
          this.delayMs = FIRST_RETRY_MS;
          // woken while it ran: a gathering follower waits its time again (under steady load it
          // read back to back, and the offline follower wrote a part some 25 times a second, not 4)
          gatherAgain = gathers && this.again;
        } while (this.again && !gatherAgain && !this.stopped);
      } finally {
        this.running = false;
        if (gatherAgain) this.wake();
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
    const stored = await this.log.getCursor(this.o.cursor);
    this.position = this.o.position ? await this.o.position(stored) : stored;
    this.loaded = true;
  }

  private async drainNow(): Promise<{ handled: number; failed: number }> {
    let handled = 0;
    let changes: SmsChange[] = [];
    // the cursor's moves past batches whose last work goes on, in order (see handle's `done`)
    let moves: Promise<void> = Promise.resolve();
    let moving = 0;
    let moveError: unknown;
    const settled = async () => {
      await moves;
      if (moveError !== undefined) throw moveError;
    };
    try {
      await this.load();
      for (;;) {
        changes = [];
        const through = await this.through();
        if (through === null) break;
        const page = await this.log.changesAfter(this.position, this.o.batch ?? 256, through);
        changes = page.changes;
        let done: Promise<void> | undefined;
        if (changes.length > 0) {
          if (this.attempts > 0) this.redelivered += changes.length;
          const r = await this.o.handle(changes, this.position, page.next);
          if (r === 'moved') {
            await settled();
            this.loaded = false;
            await this.load();
            continue;
          }
          done = r?.done;
          handled += changes.length;
          this.attempts = 0;
          this.lastError = undefined;
        }
        if (page.next === undefined || page.next === this.position) break;
        const next = page.next;
        const move = async () => {
          await this.log.setCursor(this.o.cursor, next);
          this.o.onAdvance?.();
        };
        if (done) {
          moving += 1;
          moves = moves
            .then(() => done)
            .then(move)
            .catch((e: unknown) => {
              moveError ??= e;
            })
            .finally(() => {
              moving -= 1;
            });
        } else {
          await settled();
          await move();
        }
        this.position = next;
        if (changes.length === 0) break;
        // a gathering follower stops at the end of what the log held when it read, and gathers
        // what came meanwhile for its next batch (read on at once, it handed on a batch per write)
        if ((this.o.gatherMs ?? 0) > 0 && changes.length < (this.o.batch ?? 256)) break;
        if (moving >= PIPELINED) await settled();
      }
      await settled();
      await this.prune();
      return { handled, failed: 0 };
    } catch (e) {
      // the moves on their way first (they never reject): a later drain's move must not be
      // overtaken by an earlier batch's; the next drain reads on from the position handed on
      await moves;
      const reason = (e as Error).message;
      this.attempts += 1;
      this.lastError = reason;
      if (changes.length) this.o.onFailure?.(changes, reason);
      return { handled, failed: Math.max(1, changes.length) };
    }
  }

  private async prune(): Promise<void> {
    if (this.o.prune === false || this.position === undefined || Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.log.pruneChanges(this.position, Date.now() - KEEP_MS).catch(() => undefined);
  }
}
