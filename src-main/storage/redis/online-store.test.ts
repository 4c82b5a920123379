/**
 * What the Redis online store adds to the storage contract (contract.test.ts runs the shared suite
 * on it): a view's ttl expires its hashes, two data dirs in one Redis never see each other's keys,
 * and a Redis that stops makes every call fail at once, naming the store, until it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSkipReason, startRedis, type RedisServer } from '../../testing/redis';
import { OnlineStoreUnavailableError } from '../types';
import { RedisOnlineStore } from './online-store';
import { rowsUntil } from '../kept-row';

const skip = redisSkipReason();

async function until(what: string, fn: () => boolean | Promise<boolean>, withinMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > withinMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** the ids of a store's two connections as Redis lists them (named by the store), sorted: a leaked one stays listed */
async function storeConnectionIds(admin: { sendCommand(args: string[]): Promise<unknown> }): Promise<string[]> {
  return String(await admin.sendCommand(['CLIENT', 'LIST']))
    .split('\n')
    .filter((c) => / name=spamops-online(-tracking)? /.test(c))
    .map((c) => c.match(/^id=(\d+)/)?.[1] ?? '?')
    .sort();
}

/** a view `v` with row `k` ({x: 1}) written, and read until the tracking connection answers lookups (the row kept) */
async function withKeptRow(s: RedisOnlineStore): Promise<void> {
  expect(await s.ready()).toBe(true);
  await s.ensureView('v');
  await s.writeBatch('v', [{ entityKey: 'k', values: { x: 1 }, eventTs: 1, createdTs: 1 }]);
  await until('rows kept', async () => (await s.read('v', ['k']))[0] !== undefined && s.keptRows > 0);
}

describe.skipIf(!!skip)(`the Redis online store${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.remove());

  it("expires a view's rows at event time + ttl; a view without ttl keeps them", async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'ttl:' });
    try {
      expect(await s.ready()).toBe(true);
      await s.ensureView('short', { ttlSeconds: 2 });
      await s.ensureView('forever', { ttlSeconds: 0 });
      const now = Date.now();
      await s.writeBatch('short', [
        { entityKey: 'fresh', values: { x: 1 }, eventTs: now, createdTs: now },
        { entityKey: 'old', values: { x: 2 }, eventTs: now - 10_000, createdTs: now },
      ]);
      await s.writeBatch('forever', [{ entityKey: 'old', values: { x: 3 }, eventTs: now - 10_000_000, createdTs: now }]);
      // an event time with microseconds (…000500Z) gets the first whole millisecond at or after it + ttl
      await s.writeBatch('short', [{ entityKey: 'micro', values: { x: 4 }, eventTs: now + 0.5, createdTs: now }]);
      expect((await s.read('short', ['micro']))[0]?.values).toEqual({ x: 4 });
      const [fresh, old] = await s.read('short', ['fresh', 'old']);
      expect(fresh?.values).toEqual({ x: 1 });
      expect(old).toBeUndefined(); // its expiry was already past
      expect((await s.read('forever', ['old']))[0]?.values).toEqual({ x: 3 });
      await until('the fresh row to expire', async () => (await s.read('short', ['fresh']))[0] === undefined, 20_000);
      expect(await s.count('forever')).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('reads every view of a lookup in one script call, in batches past 1,000 hashes, and after SCRIPT FLUSH', async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'reads:' });
    try {
      expect(await s.ready()).toBe(true);
      await s.ensureView('a', { ttlSeconds: 0 });
      await s.ensureView('b', { ttlSeconds: 0 });
      const keys = Array.from({ length: 1203 }, (_, i) => `k${i}`);
      await s.writeBatch(
        'a',
        keys.map((k, i) => ({ entityKey: k, values: { i }, eventTs: 1, createdTs: 1 })),
      );
      await s.writeBatch(
        'b',
        keys.filter((_, i) => i % 2 === 0).map((k, i) => ({ entityKey: k, values: { j: i * 2 }, eventTs: 2, createdTs: 2 })),
      );
      const asked = [...keys, 'missing'];
      const rows = await s.readViews(['a', 'b'], asked);
      expect(rows.get('a')?.map((r) => r?.values.i)).toEqual([...keys.map((_, i) => i), undefined]);
      expect(rows.get('b')?.map((r) => r?.values.j)).toEqual(asked.map((_, i) => (i % 2 === 0 && i < keys.length ? i : undefined)));
      expect(rows.get('a')?.[5]).toEqual({ entityKey: 'k5', values: { i: 5 }, eventTs: 1, createdTs: 1 });
      // Redis forgot its scripts (a restart, SCRIPT FLUSH): the script is sent whole
      const { createClient } = await import('@redis/client');
      const admin = createClient({ url: redis.url });
      await admin.connect();
      await admin.sendCommand(['SCRIPT', 'FLUSH']);
      await admin.quit();
      expect((await s.read('b', ['k2', 'k3'])).map((r) => r?.values.j)).toEqual([2, undefined]);
    } finally {
      await s.close();
    }
  });

  it('a view whose ttl is dropped keeps its rows (their old expiry is cleared)', async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'ttl-dropped:' });
    try {
      expect(await s.ready()).toBe(true);
      await s.ensureView('v', { ttlSeconds: 2 });
      const now = Date.now();
      await s.writeBatch('v', [{ entityKey: 'k', values: { x: 1 }, eventTs: now, createdTs: now }]);
      await s.ensureView('v', { ttlSeconds: 0 });
      await s.writeBatch('v', [{ entityKey: 'other', values: { x: 2 }, eventTs: now, createdTs: now }]);
      // past the old expiry (event time + 2 s): both rows are still there
      await until('the old expiry to pass', () => Date.now() > now + 3000, 10_000);
      expect((await s.read('v', ['k', 'other'])).map((r) => r?.values)).toEqual([{ x: 1 }, { x: 2 }]);
    } finally {
      await s.close();
    }
  });

  it("keeps two data dirs' keys apart in one Redis", async () => {
    const a = new RedisOnlineStore({ url: redis.url, prefix: 'dirA:' });
    const b = new RedisOnlineStore({ url: redis.url, prefix: 'dirB:' });
    try {
      await Promise.all([a.ready(), b.ready()]);
      await a.ensureView('v');
      await b.ensureView('v');
      await a.writeBatch('v', [{ entityKey: 'k', values: { who: 'a' }, eventTs: 1, createdTs: 1 }]);
      await b.writeBatch('v', [{ entityKey: 'k', values: { who: 'b' }, eventTs: 1, createdTs: 1 }]);
      expect((await a.read('v', ['k']))[0]?.values).toEqual({ who: 'a' });
      expect((await b.read('v', ['k']))[0]?.values).toEqual({ who: 'b' });
      await a.dropView('v');
      expect(await a.count('v')).toBe(0);
      expect(await b.count('v')).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("keeps the rows it read while Redis has not invalidated them: its own writes seen at once, another client's as its invalidation arrives, a broken tracking connection drops them", async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'kept:' });
    const { createClient } = await import('@redis/client');
    const admin = createClient({ url: redis.url });
    await admin.connect();
    const evalshaCalls = async () => Number(/cmdstat_evalsha:calls=(\d+)/.exec(String(await admin.sendCommand(['INFO', 'commandstats'])))?.[1] ?? 0);
    const x = async () => (await s.readViews(['v', 'w'], ['a', 'b'])).get('v')?.map((r) => r?.values.x);
    try {
      expect(await s.ready()).toBe(true);
      await s.ensureView('v');
      await s.ensureView('w', { ttlSeconds: 0 });
      await s.writeBatch('v', [{ entityKey: 'a', values: { x: 1, seq: [1, 2] }, eventTs: 1, createdTs: 1 }]);
      // the tracked connection comes up beside the other: from then on a lookup's rows are kept
      await until('rows kept', async () => (await x()) !== undefined && s.keptRows === 4);
      const before = await evalshaCalls();
      for (let i = 0; i < 20; i++) expect(await x()).toEqual([1, undefined]);
      expect(await evalshaCalls()).toBe(before); // answered from the kept rows, not Redis
      const kept = (await s.read('v', ['a']))[0];
      expect(() => {
        (kept!.values.seq as number[]).push(3);
      }).toThrow(TypeError); // frozen: no reader changes what the next one gets

      // this store writes: seen by the very next read
      await s.writeBatch('v', [{ entityKey: 'a', values: { x: 2 }, eventTs: 2, createdTs: 2 }]);
      expect(await x()).toEqual([2, undefined]);
      await until('kept again', async () => (await x()) !== undefined && s.keptRows === 4);

      // another client writes (a CLI materialize, another server): Redis pushes the invalidation,
      // seen well before the kept rows' one-second bound could explain it
      await admin.sendCommand(['HSET', 'kept:v:b', 'v', '{"x":3}', 'e', '3', 'c', '3']);
      const t0 = Date.now();
      await until('the invalidation', async () => (await x())?.[1] === 3, 5000);
      expect(Date.now() - t0).toBeLessThan(900);
      await admin.sendCommand(['DEL', 'kept:v:a']);
      await until('the deletion', async () => (await x())?.[0] === undefined, 5000);

      // the tracked connection killed: every kept row goes (invalidations may have been lost);
      // reads are right meanwhile, and kept again once it is back
      await until('kept again', async () => (await x()) !== undefined && s.keptRows === 4);
      const clients = String(await admin.sendCommand(['CLIENT', 'LIST'])).split('\n');
      const trackedId = clients.find((c) => / flags=\S*t/.test(c))?.match(/^id=(\d+)/)?.[1];
      expect(trackedId).toBeDefined();
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', trackedId!]);
      await until('the kept rows dropped', () => s.keptRows === 0, 5000);
      await admin.sendCommand(['HSET', 'kept:v:a', 'v', '{"x":4}', 'e', '4', 'c', '4']);
      expect(await x()).toEqual([4, 3]);
      await until('kept after the reconnect', async () => (await x()) !== undefined && s.keptRows === 4, 10_000);
      expect(await x()).toEqual([4, 3]);
    } finally {
      await admin.quit();
      await s.close();
    }
  });

  it('changes its mark with every change it learns of (its writes, invalidations, the tracking connection); none while a read would be refused', async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'mark:' });
    const { createClient } = await import('@redis/client');
    const admin = createClient({ url: redis.url });
    await admin.connect();
    const ids = async (name: string) =>
      String(await admin.sendCommand(['CLIENT', 'LIST']))
        .split('\n')
        .filter((c) => c.includes(` name=${name} `))
        .map((c) => c.match(/^id=(\d+)/)?.[1] as string);
    try {
      expect(s.changeMark()).toBeUndefined(); // nothing tracked yet: nothing can be kept
      await withKeptRow(s);
      const first = s.changeMark();
      expect(first).toBeDefined();
      expect(s.changeMark()).toBe(first);
      // this store writes
      await s.writeBatch('v', [{ entityKey: 'k', values: { x: 2 }, eventTs: 2, createdTs: 2 }]);
      const afterWrite = s.changeMark();
      expect(afterWrite).not.toBe(first);
      expect(s.changeMark()).toBe(afterWrite);
      // another client writes a key it read: the mark changes once Redis's invalidation arrived
      await until('kept again', async () => (await s.read('v', ['k']))[0]?.values.x === 2 && s.keptRows > 0);
      const kept = s.changeMark();
      await admin.sendCommand(['HSET', 'mark:v:k', 'v', '{"x":3}', 'e', '3', 'c', '3']);
      await until('the invalidation', () => s.keptRows === 0, 5000);
      expect(s.changeMark()).not.toBe(kept);
      // the tracking connection killed: another mark once it is back
      const beforeKill = s.changeMark();
      for (const id of await ids('spamops-online-tracking')) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
      // (none while it is down, if that is seen between two checks)
      await until('back, with another mark', async () => (await s.ready()) && s.changeMark() !== undefined && s.changeMark() !== beforeKill, 10_000);
      // the other connection down (and kept from coming back): a read is refused, so no mark
      const connected = String(await admin.sendCommand(['CLIENT', 'LIST']))
        .split('\n')
        .filter((c) => c.startsWith('id=')).length;
      await admin.sendCommand(['CONFIG', 'SET', 'maxclients', String(connected - 1)]);
      try {
        for (const id of await ids('spamops-online')) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
        await until('no mark', () => s.changeMark() === undefined, 5000);
        await expect(s.read('v', ['k'])).rejects.toBeInstanceOf(OnlineStoreUnavailableError);
      } finally {
        await admin.sendCommand(['CONFIG', 'SET', 'maxclients', '10000']);
      }
      await until('a mark again', async () => s.changeMark() !== undefined, 10_000);
    } finally {
      await admin.quit();
      await s.close();
    }
  });

  it("marks a read with until when its rows are kept: a second, and no later than a key's expiry", async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'until:' });
    try {
      await withKeptRow(s);
      const t0 = Date.now();
      const kept = await s.readViews(['v'], ['k']);
      expect(rowsUntil(kept)).toBeGreaterThan(t0);
      expect(rowsUntil(kept)).toBeLessThanOrEqual(Date.now() + 1000 + 5);
      await s.ensureView('w', { ttlSeconds: 3600 });
      // an event 59 min 59.7 s ago under a one-hour ttl: its key expires in 300 ms
      await s.writeBatch('w', [{ entityKey: 'k', values: { x: 1 }, eventTs: Date.now() - 3_599_700, createdTs: 1 }]);
      const soon = await s.readViews(['v', 'w'], ['k']);
      expect(soon.get('w')?.[0]?.values.x).toBe(1);
      expect(rowsUntil(soon)).toBeLessThanOrEqual(Date.now() + 300 + 5);
      expect(rowsUntil(await s.read('w', ['k']))).toBeLessThanOrEqual(Date.now() + 300 + 5);
    } finally {
      await s.close();
    }
  });

  it('fails within its timeouts naming the store while Redis is frozen (SIGSTOP: connections open, nothing answers), and serves again once it runs', async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'frozen:' });
    const { createClient } = await import('@redis/client');
    const admin = createClient({ url: redis.url });
    const pid = redis.pid();
    expect(pid).toBeDefined();
    const connections = async () => (await storeConnectionIds(admin)).length;
    let thawed = false;
    const thaw = () => {
      if (!thawed) process.kill(pid!, 'SIGCONT');
      thawed = true;
    };
    // whatever happens below, the server runs again (later tests use it)
    const safety = setTimeout(thaw, 20_000);
    try {
      await admin.connect();
      await withKeptRow(s); // both connections up, the tracking one answering lookups
      expect(await connections()).toBe(2);
      process.kill(pid!, 'SIGSTOP');
      const t0 = Date.now();
      const timed = <T>(p: Promise<T>) =>
        p.then(
          () => ({ err: undefined as unknown, ms: Date.now() - t0 }),
          (err: unknown) => ({ err, ms: Date.now() - t0 }),
        );
      // eight lookups of rows not kept (the kept ones answer without Redis) and a write, all sent
      // to a server that never answers
      const [write, ...reads] = await Promise.all([
        timed(s.writeBatch('v', [{ entityKey: 'k', values: { x: 2 }, eventTs: 2, createdTs: 2 }])),
        ...Array.from({ length: 8 }, (_, i) => timed(s.read('v', [`not-kept-${i}`]))),
      ]);
      for (const read of reads) {
        expect(read.err).toBeInstanceOf(OnlineStoreUnavailableError);
        expect((read.err as Error).message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(keys frozen:\*\)\) did not answer read within 1000 ms/);
        expect(read.ms).toBeGreaterThanOrEqual(900);
        expect(read.ms).toBeLessThan(1900); // once, not once per connection
      }
      expect(write.err).toBeInstanceOf(OnlineStoreUnavailableError);
      expect((write.err as Error).message).toMatch(/did not answer writeBatch within 5000 ms/);
      expect(write.ms).toBeLessThan(8000); // not the minutes TCP takes to notice
      expect(s.problem()).toMatch(/is not answering \(no reply within \d+ ms\); its connection is being checked and opened again/);
      // still frozen: refused at once, never a wait
      const t1 = Date.now();
      await expect(s.read('v', ['k'])).rejects.toBeInstanceOf(OnlineStoreUnavailableError);
      await expect(s.count('v')).rejects.toBeInstanceOf(OnlineStoreUnavailableError);
      expect(Date.now() - t1).toBeLessThan(500);
      thaw();
      await until('the connections opened again', () => s.problem() === undefined, 15_000);
      // the write given up on may have been applied once the server ran (the newer row wins either way)
      expect([1, 2]).toContain((await s.read('v', ['k']))[0]?.values.x);
      await s.writeBatch('v', [{ entityKey: 'k', values: { x: 3 }, eventTs: 3, createdTs: 3 }]);
      expect((await s.read('v', ['k']))[0]?.values.x).toBe(3);
      await until('rows kept again', async () => (await s.read('v', ['k']))[0]?.values.x === 3 && s.keptRows > 0, 15_000);
      // two connections again, none left behind from the ones given up on
      await until('two connections', async () => (await connections()) === 2, 5000);
      await s.close();
      await until('none after close', async () => (await connections()) === 0, 5000);
    } finally {
      clearTimeout(safety);
      thaw();
      await s.close();
      if (admin.isOpen) await admin.quit();
    }
  });

  it('keeps its connections when this thread, not Redis, was slow past a timeout (the PING after it is answered)', async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'stalled:' });
    const { createClient } = await import('@redis/client');
    const admin = createClient({ url: redis.url });
    const ids = () => storeConnectionIds(admin);
    try {
      await admin.connect();
      await withKeptRow(s);
      const before = await ids();
      expect(before).toHaveLength(2);
      const late = s.read('v', ['not-kept']).catch((e: unknown) => e);
      const end = Date.now() + 1300;
      while (Date.now() < end) {
        // this thread busy past the read's timeout; Redis answered long ago
      }
      const answer = await late;
      // the read may count as unanswered (its timer ran before its reply was read); nothing else is lost
      if (answer instanceof Error) expect(answer).toBeInstanceOf(OnlineStoreUnavailableError);
      await until('answering', () => s.problem() === undefined, 5000);
      expect((await s.read('v', ['k']))[0]?.values).toEqual({ x: 1 });
      expect(await ids()).toEqual(before); // the same two connections: none was taken for dead
    } finally {
      await s.close();
      if (admin.isOpen) await admin.quit();
    }
  });

  it('fails at once naming the store while Redis is down, and serves again once it is back', async () => {
    const s = new RedisOnlineStore({ url: redis.url, prefix: 'down:' });
    try {
      await s.ready();
      await s.ensureView('v');
      await s.writeBatch('v', [{ entityKey: 'k', values: { x: 1 }, eventTs: 1, createdTs: 1 }]);
      await redis.stop();
      await until('the client to notice', () => s.problem() !== undefined);
      expect(s.problem()).toMatch(/the online store \(Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(keys down:\*\)\) is unreachable/);
      const t0 = Date.now();
      const err = await s.read('v', ['k']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OnlineStoreUnavailableError);
      expect(Date.now() - t0).toBeLessThan(1000); // no waiting on a reconnect that may not come
      await expect(s.writeBatch('v', [{ entityKey: 'k', values: { x: 2 }, eventTs: 2, createdTs: 2 }])).rejects.toBeInstanceOf(OnlineStoreUnavailableError);
      await redis.start();
      await until('the reconnect', () => s.problem() === undefined);
      expect((await s.read('v', ['k']))[0]?.values).toEqual({ x: 1 }); // kept across the restart (append-only file)
    } finally {
      await s.close();
    }
  });
});
