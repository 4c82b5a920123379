/**
 * Waiting for another connection's write lock without stopping the event loop. better-sqlite3 is
 * synchronous: its busy_timeout would hold the whole process (every request, /health) for as long
 * as it waits. So SQLite gives up at once (busy_timeout 0) and a call that met the lock is tried
 * again after an asynchronous pause (1 ms doubling to 100 ms), up to 5 s, then refused with a
 * StorageBusyError; nothing was written, since every store method is one statement or one
 * transaction. Once the lock has lasted that long, later calls wait 0.25 s only: the lock is not
 * a moment's, and the callers (the API, the stream) have better things to do than hang.
 */
import type Database from 'better-sqlite3';
import { type StorageBusy, StorageBusyError } from '../types';

/** how long a call waits for a lock to go */
export const BUSY_WAIT_MS = 5000;
/** how long a call waits once the lock has been held BUSY_WAIT_MS already */
const BUSY_WAIT_IN_LONG_SPELL_MS = 250;
const FIRST_PAUSE_MS = 1;
const MAX_PAUSE_MS = 100;
/** how often /health's question may try the lock itself (a try that never waits) */
const PROBE_EVERY_MS = 250;

/** SQLITE_BUSY (another connection writes) and SQLITE_LOCKED (a conflicting lock), extended codes included */
export function isBusyError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

export class BusyWaits {
  /** when the current spell of meeting the lock began; undefined while calls get through */
  private spellSince: number | undefined;
  private lastProbe = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly location: string,
  ) {}

  /** the store with each of its async methods retried while the lock is held (others as they are) */
  wrap<T extends object>(store: T): T {
    // one wrapper per method, made on its first call: a call builds no closure of its own unless
    // it met the lock (under tsx every named closure also gets its name set, per call)
    const wrappers = new Map<PropertyKey, { method: unknown; wrapper: unknown }>();
    return new Proxy(store, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        let w = wrappers.get(prop);
        if (w?.method !== value) {
          w = { method: value, wrapper: this.retrying(target, value as (...args: unknown[]) => unknown) };
          wrappers.set(prop, w);
        }
        return w.wrapper;
      },
    });
  }

  private retrying(target: object, method: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
    return (...args) => {
      const first = method.apply(target, args);
      if (!(first instanceof Promise)) return first; // sync methods, async generators (reads)
      return first.catch((e: unknown) => (isBusyError(e) ? this.retry(() => method.apply(target, args) as Promise<unknown>, e) : Promise.reject(e)));
    };
  }

  private async retry<T>(call: () => Promise<T>, met: unknown): Promise<T> {
    const t0 = Date.now();
    this.spellSince ??= t0;
    const allowed = t0 - this.spellSince >= BUSY_WAIT_MS ? BUSY_WAIT_IN_LONG_SPELL_MS : BUSY_WAIT_MS;
    let last = met;
    for (let pause = FIRST_PAUSE_MS; Date.now() - t0 < allowed; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(1, allowed - (Date.now() - t0)))));
      try {
        const r = await call();
        this.spellSince = undefined; // it met the lock and got through: the lock is gone
        return r;
      } catch (e) {
        if (!isBusyError(e)) throw e;
        last = e;
      }
    }
    throw new StorageBusyError(this.location, Date.now() - t0, Math.ceil(BUSY_WAIT_MS / 1000), (last as Error).message);
  }

  /**
   * The lock as the last calls met it. While they met it, a try of the write lock that never waits
   * (BEGIN IMMEDIATE, then ROLLBACK) tells whether it is gone, at most every 0.25 s.
   */
  state(): StorageBusy | undefined {
    if (this.spellSince !== undefined && Date.now() - this.lastProbe >= PROBE_EVERY_MS) {
      this.lastProbe = Date.now();
      if (this.lockIsFree()) this.spellSince = undefined;
    }
    return this.spellSince === undefined ? undefined : { since: this.spellSince, location: this.location };
  }

  private lockIsFree(): boolean {
    if (!this.db.open || this.db.inTransaction) return false;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      this.db.exec('ROLLBACK');
      return true;
    } catch {
      // busy, or the connection is in the middle of a read: say nothing new
      return false;
    }
  }
}
