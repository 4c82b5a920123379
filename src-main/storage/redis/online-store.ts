/**
 * The online store in Redis, in Feast's manner: one hash per (view, entity key) under a prefix
 * that belongs to one data dir, fields `v` (the values as JSON), `e` (event time, ms) and `c`
 * (created time, ms); a view with a ttl gives its hashes an expiry at event time + ttl (Redis
 * frees them; a read then finds nothing, where SQLite would keep the row and the feature store
 * answer OUTSIDE_MAX_AGE). The newer row wins, decided inside Redis by one script per batch so
 * that two writers cannot interleave between the compare and the write.
 *
 * Redis down: every call fails at once (no offline queue: a command never waits for a reconnect
 * that may not come) with OnlineStoreUnavailableError naming the store; the client reconnects
 * by itself and `problem()` says so meanwhile (the API answers 503, /health is degraded).
 * Redis silent (a frozen server, a peer gone without a word, which TCP notices only after
 * minutes): a lookup unanswered within READ_TIMEOUT_MS, any other command within
 * COMMAND_TIMEOUT_MS, fails the same way; the connection is then asked a PING, and if that goes
 * unanswered too it is opened again (see `suspect`). Meanwhile every call fails at once.
 *
 * Rows read are kept, as the SQLite store keeps its own, while Redis has not said they changed:
 * lookups go through a second connection with client tracking on (RESP3, `CLIENT TRACKING ON`),
 * and Redis pushes an invalidation on it for every key read there that any client then changes,
 * expires or deletes. See `kept`.
 */
import { createHash } from 'node:crypto';
import { createClient, TimeoutError, TimeoutReadError, type RedisClientType } from '@redis/client';
import type { OnlineRow, OnlineStore } from '../types';
import { OnlineStoreUnavailableError } from '../types';
import { frozenRow, MAX_KEPT_ROWS, rowsUntil, rowsWithUntil } from '../kept-row';

/** hashes written per script call (one round trip each) */
const WRITE_BATCH = 1000;
/** keys read per pipelined burst */
const READ_BATCH = 1000;

// KEYS: the hashes; ARGV[1]: the view's ttl in ms (0: none), then per key values_json, event_ts, created_ts.
// Per row the cheapest check first (HGET of the event time; the created time only on a tie), one
// HSET of every field, and an expiry only where the view has a ttl: a view without one never gives
// its hashes an expiry, so nothing needs PERSIST (ensureView clears old expiries if a ttl is dropped).
// The expiry is the first whole millisecond at or after event time + ttl (an event time may hold
// microseconds; PEXPIREAT takes an integer).
const WRITE_SCRIPT = `
local ttl = tonumber(ARGV[1])
local written = 0
for i, key in ipairs(KEYS) do
  local a = (i - 1) * 3 + 1
  local ev = tonumber(ARGV[a + 2])
  local ce = tonumber(redis.call('HGET', key, 'e'))
  local newer = (not ce) or ev > ce
  if (not newer) and ev == ce then newer = tonumber(ARGV[a + 3]) >= tonumber(redis.call('HGET', key, 'c')) end
  if newer then
    redis.call('HSET', key, 'v', ARGV[a + 1], 'e', ARGV[a + 2], 'c', ARGV[a + 3])
    if ttl > 0 then redis.call('PEXPIREAT', key, math.ceil(ev + ttl)) end
    written = written + 1
  end
end
return written`;
const WRITE_SHA = createHash('sha1').update(WRITE_SCRIPT).digest('hex');

// KEYS: the hashes; per key its v, e and c (nil where there is no row), then its time to live in
// ms (-1: none; -2: no key). One script for every view's rows of a lookup: read as of one moment
// (no write can come between two views' rows, as it could between pipelined HMGETs), and one
// command per lookup, not one per (view, key): the client's encoding and decoding of six HMGETs
// cost a lookup of three entities more than Redis did.
const READ_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local r = redis.call('HMGET', key, 'v', 'e', 'c')
  r[4] = redis.call('PTTL', key)
  out[i] = r
end
return out`;
const READ_SHA = createHash('sha1').update(READ_SCRIPT).digest('hex');

/**
 * How long a lookup waits for its answer (Redis answers one in well under a millisecond here);
 * past it the lookup fails (the API's 503) rather than hang, and the connection is checked (`suspect`).
 */
const READ_TIMEOUT_MS = 1000;
/** how long any other command waits for its answer (a script writing 1,000 rows takes a few ms) */
const COMMAND_TIMEOUT_MS = 5000;
/** a lookup's command: rejected once READ_TIMEOUT_MS pass, sent or not (`rejectInFlight`: a read is safe to give up) */
const READ_OPTIONS = { timeout: READ_TIMEOUT_MS, rejectInFlight: true } as const;
/** the PING asked of a connection after a command went unanswered: no answer within it, and the connection is opened again */
const PROBE_OPTIONS = { timeout: READ_TIMEOUT_MS, rejectInFlight: true } as const;
/** how long a reopened connection may take to be ready (its handshake answered) before it is opened once more */
const REOPEN_WITHIN_MS = COMMAND_TIMEOUT_MS;

/** a glob pattern matching the text literally (SCAN's MATCH) */
const globLiteral = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * How long a kept row answers at most without asking Redis again. Invalidations say when a row
 * changed; this bounds what a lost one could cost (a connection that died without a word).
 */
const KEPT_MS = 1000;

/** a kept row (undefined: known absent), answered until `until` (`performance.now()`, ms) */
interface KeptRow {
  row: OnlineRow | undefined;
  until: number;
}

export interface RedisOnlineSettings {
  /** redis://[user:password@]host:port/db */
  url: string;
  /** every key starts with it: one data dir's namespace in a shared Redis */
  prefix: string;
}

export class RedisOnlineStore implements OnlineStore {
  private readonly client: RedisClientType;
  private lastError: string | undefined;
  /**
   * Connections a command went unanswered on, with the timeout it exceeded: asked a PING, then
   * opened again until ready (`suspect`). While any is here, every call fails at once.
   */
  private readonly silent = new Map<RedisClientType, number>();
  private closed = false;
  private readonly ttls = new Map<string, number>();
  private readonly connecting: Promise<unknown>;
  /**
   * The lookups' connection: RESP3 with client tracking on (the client turns it on in every
   * handshake, reconnections included), so Redis pushes an invalidation on it for every key read
   * there that then changes, by any client, this store's writes included, or expires.
   */
  private readonly tracked: RedisClientType;
  /**
   * Rows read through `tracked`, by hash key, while Redis has not invalidated them; each at most
   * KEPT_MS and never past its key's expiry. A reply is kept only if no invalidation came while it
   * was in flight (`invalidations` unchanged): an invalidation may be read from the socket before
   * a reply sent ahead of it is handed on. This store's writes drop their keys themselves, before
   * they are sent and once they are done, so this process reads its own writes at once. Another
   * process's write is seen once its invalidation has arrived: on one machine, within the turn of
   * the event loop that reads it. A broken or reconnected connection drops every kept row.
   */
  private readonly kept = new Map<string, KeptRow>();
  private invalidations = 0;
  /**
   * Whether this server tracks the keys a script reads for the client that called it: checked
   * on Redis 7.0 (a key read by the lookup script, then written by another client, is
   * invalidated). Asked on each connection (INFO's redis_version, 7 or later); until known, or on
   * an older server, nothing is kept.
   */
  private scriptsTracked = false;
  /** connections of `tracked` so far: a version answered on an earlier one is not taken for the current one's */
  private connections = 0;

  constructor(private readonly settings: RedisOnlineSettings) {
    const options = {
      url: settings.url,
      disableOfflineQueue: true,
      // every command waits COMMAND_TIMEOUT_MS at most, after it was sent too (a write given up
      // on may still have been applied: the newer row wins, so writing it again is safe)
      commandOptions: { timeout: COMMAND_TIMEOUT_MS, rejectInFlight: true },
      socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), 2000) },
    };
    // named, so that an operator's CLIENT LIST tells this store's two connections from others'
    this.client = createClient({ ...options, name: 'spamops-online' }) as RedisClientType;
    // maintenance notifications off: with them a client may move to another socket without an
    // event, and the invalidations tracked on the old one would be lost unseen
    this.tracked = createClient({
      ...options,
      name: 'spamops-online-tracking',
      RESP: 3,
      emitInvalidate: true,
      maintNotifications: 'disabled',
    }) as unknown as RedisClientType;
    this.tracked.on('invalidate', (key: unknown) => {
      this.invalidations++;
      if (key === null) this.kept.clear();
      else this.kept.delete(String(key));
    });
    // whatever was kept may have changed unseen while the connection was down
    for (const event of ['error', 'end', 'reconnecting', 'ready']) this.tracked.on(event, () => this.forgetKept());
    this.tracked.on('ready', () => void this.checkScriptsTracked());
    // the first connection may fail too; the store then reads through `client` meanwhile
    this.tracked.connect().catch(() => undefined);
    this.client.on('error', (e: Error) => {
      this.lastError = e.message || e.name;
    });
    this.client.on('ready', () => {
      this.lastError = undefined;
    });
    // the first connection may fail: the client keeps trying in the background
    this.connecting = this.client.connect().catch((e: Error) => {
      this.lastError = e.message;
    });
  }

  /** where it is, for people (the password left out) */
  get location(): string {
    try {
      const u = new URL(this.settings.url);
      u.password = '';
      return `${u.toString()} (keys ${this.settings.prefix}*)`;
    } catch {
      return 'redis';
    }
  }

  /** waits (at most `ms`) for the first connection; resolves whether it is up */
  async ready(ms = 3000): Promise<boolean> {
    await Promise.race([this.connecting, new Promise((r) => setTimeout(r, ms).unref())]);
    return this.client.isReady;
  }

  /** why the store cannot answer now, or undefined */
  problem(): string | undefined {
    const ms = Math.max(0, ...this.silent.values());
    if (ms > 0)
      return `the online store (Redis at ${this.location}) is not answering (no reply within ${ms} ms); its connection is being checked and opened again`;
    if (this.client.isReady) return undefined;
    return `the online store (Redis at ${this.location}) is unreachable${this.lastError ? `: ${this.lastError}` : ''}`;
  }

  private key(view: string, entityKey: string): string {
    return `${this.settings.prefix}${view}:${entityKey}`;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (!this.client.isReady || this.silent.size > 0)
      throw new OnlineStoreUnavailableError(this.problem() ?? 'the online store (Redis) is unreachable', this.location);
    try {
      return await fn();
    } catch (e) {
      if (e instanceof OnlineStoreUnavailableError) throw e;
      if (e instanceof TimeoutReadError || e instanceof TimeoutError)
        throw this.unanswered(this.client, what, what === 'read' ? READ_TIMEOUT_MS : COMMAND_TIMEOUT_MS);
      const message = (e as Error).message;
      // a script error or a wrong type is ours; a closed or broken connection is the store's
      if (!this.client.isReady || /closed|ECONNRESET|EPIPE|Socket|offline/i.test(message))
        throw new OnlineStoreUnavailableError(`the online store (Redis at ${this.location}) failed during ${what}: ${message}`, this.location);
      throw e;
    }
  }

  /** a command of `client` went unanswered for `ms`: the connection is suspected; the error to answer with */
  private unanswered(client: RedisClientType, what: string, ms: number): OnlineStoreUnavailableError {
    this.suspect(client, ms);
    return new OnlineStoreUnavailableError(
      `the online store (Redis at ${this.location}) did not answer ${what} within ${ms} ms; its connection is being checked and opened again`,
      this.location,
    );
  }

  /**
   * Once per connection at a time: asks it a PING, since a command may also go unanswered because
   * this thread was busy past its timeout (timers run before replies already received are read).
   * Answered: nothing else. Unanswered: the connection is taken for dead (a frozen server, a peer
   * gone without a word) and opened again, once more each REOPEN_WITHIN_MS until its handshake is
   * answered. Calls fail at once meanwhile (`silent`).
   */
  private suspect(client: RedisClientType, ms: number): void {
    // not ready: its socket already broke, and node-redis is opening it again by itself
    if (this.silent.has(client) || this.closed || !client.isReady) return;
    this.silent.set(client, ms);
    if (client === this.client) this.lastError = `no answer within ${ms} ms`;
    void (async () => {
      try {
        const answered = await client.sendCommand(['PING'], PROBE_OPTIONS).then(
          () => true,
          () => false,
        );
        while (!answered && !this.closed) {
          // destroy() fails what still waits on it; the tracked connection's 'end' drops the kept rows
          if (client.isOpen) client.destroy();
          const connecting = client.connect().then(
            () => true,
            () => false,
          );
          const ready = await Promise.race([connecting, new Promise<boolean>((r) => setTimeout(() => r(false), REOPEN_WITHIN_MS).unref())]);
          if (ready && client.isReady) break;
          // a handshake never answered (something accepts the connection but nothing replies): the
          // attempt is ended and settled before the next, so two never run on one client
          if (client.isOpen) client.destroy();
          await Promise.race([connecting, new Promise((r) => setTimeout(r, REOPEN_WITHIN_MS).unref())]);
        }
      } finally {
        this.silent.delete(client);
      }
    })();
  }

  async ensureView(view: string, o: { ttlSeconds?: number } = {}): Promise<void> {
    const ttl = o.ttlSeconds ?? 0;
    // a ttl dropped clears the rows' expiries: the kept rows' ends are re-read
    this.forgetKept();
    await this.call('ensureView', async () => {
      const before = Number((await this.client.sendCommand<string | null>(['HGET', `${this.settings.prefix}views`, view])) ?? 0) || 0;
      // writes without a ttl set no expiry (and clear none): a ttl dropped clears the old ones once, here
      if (before > 0 && ttl === 0)
        for await (const keys of this.client.scanIterator({ MATCH: `${globLiteral(this.key(view, ''))}*`, COUNT: 1000 }))
          await Promise.all((keys as string[]).map((k) => this.client.sendCommand(['PERSIST', k])));
      await this.client.sendCommand(['HSET', `${this.settings.prefix}views`, view, String(ttl)]);
    });
    this.ttls.set(view, ttl);
  }

  private async ttlOf(view: string): Promise<number> {
    let ttl = this.ttls.get(view);
    if (ttl === undefined) {
      const raw = await this.call('ttl', () => this.client.sendCommand<string | null>(['HGET', `${this.settings.prefix}views`, view]));
      ttl = Number(raw ?? 0) || 0;
      this.ttls.set(view, ttl);
    }
    return ttl;
  }

  async dropView(view: string): Promise<void> {
    this.forgetKept();
    await this.call('dropView', async () => {
      let batch: string[] = [];
      for await (const keys of this.client.scanIterator({ MATCH: `${globLiteral(this.key(view, ''))}*`, COUNT: 1000 })) {
        batch.push(...(keys as string[]));
        if (batch.length >= 1000) {
          await this.client.sendCommand(['UNLINK', ...batch]);
          batch = [];
        }
      }
      if (batch.length) await this.client.sendCommand(['UNLINK', ...batch]);
      await this.client.sendCommand(['HDEL', `${this.settings.prefix}views`, view]);
    }).finally(() => this.forgetKept());
    this.ttls.delete(view);
  }

  async writeBatch(view: string, rows: OnlineRow[]): Promise<void> {
    if (rows.length === 0) return;
    const ttlMs = (await this.ttlOf(view)) * 1000;
    await this.call('writeBatch', async () => {
      const calls: Promise<unknown>[] = [];
      const written: string[] = [];
      for (let i = 0; i < rows.length; i += WRITE_BATCH) {
        const part = rows.slice(i, i + WRITE_BATCH);
        const keys = part.map((r) => this.key(view, r.entityKey));
        written.push(...keys);
        const args: string[] = [String(ttlMs)];
        for (const r of part) args.push(JSON.stringify(r.values), String(r.eventTs), String(r.createdTs));
        this.forgetKeys(keys);
        calls.push(this.evalScript(WRITE_SHA, WRITE_SCRIPT, keys, args));
      }
      // every part settled before the keys are dropped again (a part still running after another
      // failed would otherwise change a row after the drop); then the first failure, if any
      const settled = await Promise.allSettled(calls);
      this.forgetKeys(written);
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }

  /** a script by its digest, sent whole where this Redis does not hold it yet (NOSCRIPT: a restart, SCRIPT FLUSH) */
  private async evalScript<T>(sha: string, script: string, keys: string[], args: string[], client = this.client, options?: typeof READ_OPTIONS): Promise<T> {
    try {
      return await client.sendCommand<T>(['EVALSHA', sha, String(keys.length), ...keys, ...args], options);
    } catch (e) {
      if (!/NOSCRIPT/.test((e as Error).message)) throw e;
      return client.sendCommand<T>(['EVAL', script, String(keys.length), ...keys, ...args], options);
    }
  }

  async read(view: string, keys: string[]): Promise<(OnlineRow | undefined)[]> {
    return this.call('read', async () => {
      const rows = await this.rows([view], keys);
      return rowsWithUntil(rows[0], rowsUntil(rows));
    });
  }

  /** every view's rows of `keys`, as of one moment (one script call: see READ_SCRIPT), marked with until when they are kept (`rowsUntil`) */
  async readViews(views: string[], keys: string[]): Promise<Map<string, (OnlineRow | undefined)[]>> {
    return this.call('read', async () => {
      const rows = await this.rows(views, keys);
      return rowsWithUntil(new Map(views.map((v, i) => [v, rows[i]])), rowsUntil(rows));
    });
  }

  /** rows[view][key], marked with until when they are kept (the earliest end among them); beyond READ_BATCH hashes, one script call per batch of keys */
  private async rows(views: string[], keys: string[]): Promise<(OnlineRow | undefined)[][]> {
    const kept = this.fromKept(views, keys);
    if (kept) return kept;
    // through the tracked connection when it is up (its replies can be kept), else the other
    let tracked = this.tracked.isReady && this.scriptsTracked;
    let client = tracked ? this.tracked : this.client;
    const mark = this.invalidations;
    // a monotonic clock: a clock set back does not lengthen a kept row's time
    const sentAt = performance.now();
    const out: (OnlineRow | undefined)[][] = views.map(() => []);
    const expiries: number[][] = views.map(() => []);
    const per = Math.max(1, Math.floor(READ_BATCH / views.length));
    for (let i = 0; i < keys.length; i += per) {
      const part = keys.slice(i, i + per);
      const hashes: string[] = [];
      for (const v of views) for (const k of part) hashes.push(this.key(v, k));
      let replies: (string | number | null)[][];
      try {
        replies = await this.evalScript(READ_SHA, READ_SCRIPT, hashes, [], client, READ_OPTIONS);
      } catch (e) {
        if (client !== this.tracked) throw e;
        // unanswered, or ended because another read on it went unanswered: Redis may be frozen, so
        // the other connection is not tried (the lookup would wait twice)
        if (e instanceof TimeoutReadError || e instanceof TimeoutError) throw this.unanswered(this.tracked, 'read', READ_TIMEOUT_MS);
        if (this.silent.has(this.tracked)) throw this.unanswered(this.tracked, 'read', this.silent.get(this.tracked) ?? READ_TIMEOUT_MS);
        // the tracked connection broke under this read: the other one answers it (nothing is kept)
        tracked = false;
        client = this.client;
        replies = await this.evalScript(READ_SHA, READ_SCRIPT, hashes, [], client, READ_OPTIONS);
      }
      for (let a = 0; a < views.length; a++)
        for (let j = 0; j < part.length; j++) {
          const [v, e, c, pttl] = replies[a * part.length + j];
          out[a].push(v === null ? undefined : { entityKey: part[j], values: JSON.parse(String(v)), eventTs: Number(e), createdTs: Number(c) });
          expiries[a].push(Number(pttl) >= 0 ? sentAt + Number(pttl) : Number.POSITIVE_INFINITY);
        }
    }
    if (tracked && this.invalidations === mark && this.tracked.isReady && this.scriptsTracked) this.keep(views, keys, out, expiries, sentAt);
    // as long as they are kept (or would have been): a second, and no later than a key's expiry
    let end = sentAt + KEPT_MS;
    for (const e of expiries) for (const x of e) if (x < end) end = x;
    return withEnd(out, end);
  }

  /** every row asked for, if all are kept and still answer; else undefined */
  private fromKept(views: string[], keys: string[]): (OnlineRow | undefined)[][] | undefined {
    if (this.kept.size === 0) return undefined;
    const now = performance.now();
    const out: (OnlineRow | undefined)[][] = [];
    let end = Number.POSITIVE_INFINITY;
    for (const v of views) {
      const rows: (OnlineRow | undefined)[] = [];
      for (const k of keys) {
        const kept = this.kept.get(this.key(v, k));
        if (kept === undefined || kept.until <= now) return undefined;
        if (kept.until < end) end = kept.until;
        rows.push(kept.row);
      }
      out.push(rows);
    }
    return withEnd(out, end);
  }

  private keep(views: string[], keys: string[], rows: (OnlineRow | undefined)[][], expiries: number[][], sentAt: number): void {
    if (this.kept.size + views.length * keys.length > MAX_KEPT_ROWS) this.kept.clear();
    const until = sentAt + KEPT_MS;
    for (let a = 0; a < views.length; a++)
      for (let j = 0; j < keys.length; j++) {
        const row = rows[a][j];
        this.kept.set(this.key(views[a], keys[j]), { row: row && frozenRow(row), until: Math.min(until, expiries[a][j]) });
      }
  }

  private async checkScriptsTracked(): Promise<void> {
    const connection = ++this.connections;
    this.scriptsTracked = false;
    try {
      const info = String(await this.tracked.sendCommand(['INFO', 'server']));
      if (connection === this.connections) this.scriptsTracked = Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0) >= 7;
    } catch {
      // asked again on the next connection
    }
  }

  private forgetKept(): void {
    this.invalidations++;
    this.kept.clear();
  }

  /** keys this store is about to change, or has changed: no kept row of theirs answers again, nor a read in flight meanwhile */
  private forgetKeys(keys: string[]): void {
    this.invalidations++;
    for (const k of keys) this.kept.delete(k);
  }

  /**
   * A value that changes with every invalidation Redis pushed, every write of this store and every
   * event of the tracking connection (as the kept rows are dropped). How long an answer made of
   * kept rows holds is the rows' own end (`rowsUntil` of a read). Undefined while lookups are not
   * tracked (nothing can be kept then), or while a read would be refused (the other connection down
   * or suspected: a lookup answers 503 then).
   */
  changeMark(): number | undefined {
    if (this.closed || !this.tracked.isReady || !this.scriptsTracked || !this.client.isReady || this.silent.size > 0) return undefined;
    return this.invalidations;
  }

  /** how many rows are kept (for tests) */
  get keptRows(): number {
    return this.kept.size;
  }

  async count(view: string): Promise<number> {
    return this.call('count', async () => {
      let n = 0;
      for await (const keys of this.client.scanIterator({ MATCH: `${globLiteral(this.key(view, ''))}*`, COUNT: 1000 })) n += (keys as string[]).length;
      return n;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.forgetKept();
    for (const c of [this.client, this.tracked])
      try {
        // a close waits for the replies still due; a silent Redis is not waited for past COMMAND_TIMEOUT_MS
        if (c.isOpen) await Promise.race([c.close(), new Promise((r) => setTimeout(r, COMMAND_TIMEOUT_MS).unref())]);
        c.destroy();
      } catch {
        c.destroy();
      }
  }
}

/** `rows` marked with `end` (`performance.now()` ms) as a `Date.now()` (rowsWithUntil) */
function withEnd<T extends object>(rows: T, end: number): T {
  return end === Number.POSITIVE_INFINITY ? rows : rowsWithUntil(rows, Date.now() + (end - performance.now()));
}
