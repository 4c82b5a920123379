/**
 * One contract for every storage backend: SQLite always, Cassandra when
 * CASSANDRA_CONTACT_POINTS is set (otherwise reported as skipped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  openStorage,
  DuplicateKeyError,
  SmsIdTakenError,
  type Storage,
  type StorageSettings,
  type CallLogEntry,
  type Alert,
  type DriftReport,
  type FeedbackRecord,
  type ImportJob,
  type RetrainDecision,
  type StoredModelVersion,
} from '.';
import type { RunRecord } from '../../src-shared/training';
import { newTimeUuid } from '../platform';
import { tempDir } from '../testing/fixtures';
import { redisSkipReason, startRedis, type RedisServer } from '../testing/redis';

const tmp = tempDir('spamops-contract-');
const backends: { name: string; settings: () => StorageSettings; skip?: string }[] = [
  { name: 'sqlite', settings: () => ({ backend: 'sqlite', path: join(tmp.dir, 'contract.sqlite') }) },
  {
    // the online store in Redis (a real redis-server on a loopback port), the rest in SQLite
    name: 'sqlite + redis online store',
    skip: redisSkipReason(),
    settings: () => ({
      backend: 'sqlite',
      path: join(tmp.dir, 'contract-redis.sqlite'),
      online: { backend: 'redis', url: (redis as RedisServer).url, prefix: `t${randomBytes(3).toString('hex')}:` },
    }),
  },
  {
    name: 'cassandra',
    skip: process.env.CASSANDRA_CONTACT_POINTS ? undefined : 'CASSANDRA_CONTACT_POINTS is not set',
    settings: () => ({
      backend: 'cassandra',
      contactPoints: process.env.CASSANDRA_CONTACT_POINTS!.split(','),
      keyspace: `spamops_test_${randomBytes(3).toString('hex')}`,
      localDataCenter: process.env.CASSANDRA_LOCAL_DC ?? 'datacenter1',
      username: process.env.CASSANDRA_USERNAME,
      password: process.env.CASSANDRA_PASSWORD,
    }),
  },
];

let redis: RedisServer | undefined;
beforeAll(async () => {
  if (!redisSkipReason()) redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
  tmp.remove();
});

for (const b of backends) {
  describe.skipIf(!!b.skip)(`storage contract: ${b.name}${b.skip ? ` (skipped: ${b.skip})` : ''}`, () => {
    let s: Storage;
    beforeAll(async () => {
      s = await openStorage(b.settings());
    });
    afterAll(async () => {
      await s?.close();
    });

    it('online store keeps the newest row and reads in key order', async () => {
      await s.online.ensureView('v_test');
      await s.online.writeBatch('v_test', [
        { entityKey: 'a', values: { x: 1, arr: [1, 2] }, eventTs: 1000, createdTs: 1 },
        { entityKey: 'b', values: { x: 2, arr: [] }, eventTs: 1000, createdTs: 1 },
      ]);
      // older event: ignored; same event, newer created: wins
      await s.online.writeBatch('v_test', [
        { entityKey: 'a', values: { x: 99, arr: [9] }, eventTs: 500, createdTs: 5 },
        { entityKey: 'b', values: { x: 3, arr: [3] }, eventTs: 1000, createdTs: 2 },
      ]);
      const rows = await s.online.read('v_test', ['b', 'missing', 'a']);
      expect(rows.map((r) => r?.values.x)).toEqual([3, undefined, 1]);
      // (a kept row also holds its values' texts, under a symbol: kept-row.ts)
      expect(rows[2]).toMatchObject({ entityKey: 'a', values: { x: 1, arr: [1, 2] }, eventTs: 1000, createdTs: 1 });
      expect(Object.keys(rows[2] ?? {})).toEqual(['entityKey', 'values', 'eventTs', 'createdTs']);
      expect(rows[2]?.values).toEqual({ x: 1, arr: [1, 2] });
      // a key asked twice is answered twice; a read of more keys than one statement takes keeps the order
      expect((await s.online.read('v_test', ['a', 'b', 'a'])).map((r) => r?.values.x)).toEqual([1, 3, 1]);
      const many = Array.from({ length: 70 }, (_, i) => (i % 7 === 3 ? 'a' : i % 7 === 5 ? 'b' : `none${i}`));
      expect((await s.online.read('v_test', many)).map((r) => r?.values.x)).toEqual(many.map((k) => (k === 'a' ? 1 : k === 'b' ? 3 : undefined)));
      expect(await s.online.count('v_test')).toBe(2);
      // several views at once, where the store does it: each view's answer as its own read gives it
      if (s.online.readViews) {
        await s.online.ensureView('v_other');
        await s.online.writeBatch('v_other', [{ entityKey: 'b', values: { y: 'other b' }, eventTs: 7, createdTs: 7 }]);
        for (const keys of [['b', 'missing', 'a', 'b'], many.slice(0, 40), ['a']]) {
          const both = await s.online.readViews(['v_test', 'v_other'], keys);
          expect([...both.keys()]).toEqual(['v_test', 'v_other']);
          expect(both.get('v_test')).toEqual(await s.online.read('v_test', keys));
          expect(both.get('v_other')).toEqual(await s.online.read('v_other', keys));
        }
        expect((await s.online.readViews(['v_test', 'v_other'], ['b'])).get('v_other')).toEqual([
          { entityKey: 'b', values: { y: 'other b' }, eventTs: 7, createdTs: 7 },
        ]);
        await s.online.dropView('v_other');
      }
      await s.online.dropView('v_test');
      expect(await s.online.read('v_test', ['a'])).toEqual([undefined]);
    });

    it('user data: newest first by TimeUUID, duplicates rejected', async () => {
      const ids = [new Date('2019-06-01T10:00:00Z'), new Date('2019-06-03T10:00:00Z'), new Date('2019-06-02T10:00:00Z')].map((d) => newTimeUuid(d));
      for (const [i, id] of ids.entries()) await s.users.insert({ user_id: 'ua', sms_id: id, sender_id: `s${i}`, sms_text: `t${i}` });
      await s.users.insert({ user_id: 'ub', sms_id: newTimeUuid(), sender_id: 'x', sms_text: 'y' });
      const list = await s.users.listByUser('ua');
      expect(list.map((m) => m.sender_id)).toEqual(['s1', 's2', 's0']);
      expect(await s.users.get('ua', ids[0])).toEqual({ user_id: 'ua', sms_id: ids[0], sender_id: 's0', sms_text: 't0' });
      expect(await s.users.get('ua', newTimeUuid())).toBeUndefined();
      await expect(s.users.insert({ user_id: 'ua', sms_id: ids[0], sender_id: 'z', sms_text: 'overwrite?' })).rejects.toBeInstanceOf(DuplicateKeyError);
      expect((await s.users.get('ua', ids[0]))?.sms_text).toBe('t0');
      expect(await s.users.listUsers()).toEqual(expect.arrayContaining(['ua', 'ub']));
    });

    it('user data: storing is idempotent; insertMany tells each outcome', async () => {
      const m = { user_id: 'ui', sms_id: newTimeUuid(), sender_id: 'a', sms_text: 'once' };
      expect(await s.users.insert(m)).toBe(true);
      expect(await s.users.insert({ ...m })).toBe(false); // the very same message: nothing new
      await expect(s.users.insert({ ...m, sms_text: 'other' })).rejects.toBeInstanceOf(DuplicateKeyError);
      const fresh = { user_id: 'ui', sms_id: newTimeUuid(), sender_id: 'b', sms_text: 'twice' };
      expect(await s.users.insertMany([m, { ...m, sender_id: 'z' }, fresh])).toEqual(['present', 'conflict', 'inserted']);
      expect(await s.users.insertMany([])).toEqual([]);
      expect((await s.users.listByUser('ui')).map((x) => x.sms_text).sort()).toEqual(['once', 'twice']);
    });

    it('user data: an sms_id is held by one user at most (the entity key of the features); scanAll reads every message', async () => {
      const id = newTimeUuid();
      expect(await s.users.insert({ user_id: 'alice', sms_id: id, sender_id: 'a', sms_text: 'ham for alice' })).toBe(true);
      const bob = { user_id: 'bob', sms_id: id, sender_id: 'b', sms_text: 'WIN a prize for bob' };
      const err = await s.users.insert(bob).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SmsIdTakenError);
      expect((err as SmsIdTakenError).holder).toBe('alice');
      expect((err as Error).message).not.toContain('alice'); // an API caller is not told who holds it
      const fresh = { user_id: 'bob', sms_id: newTimeUuid(), sender_id: 'b', sms_text: 'fresh' };
      expect(await s.users.insertMany([bob, fresh, { user_id: 'alice', sms_id: id, sender_id: 'a', sms_text: 'ham for alice' }])).toEqual([
        'taken',
        'inserted',
        'present',
      ]);
      expect(await s.users.get('bob', id)).toBeUndefined();
      // found by its sms_id alone, whoever holds it; an id nobody holds (or no TimeUUID) is undefined
      expect(await s.users.findBySmsId([fresh.sms_id, newTimeUuid(), id, 'sms10001'])).toEqual([
        fresh,
        undefined,
        { user_id: 'alice', sms_id: id, sender_id: 'a', sms_text: 'ham for alice' },
        undefined,
      ]);
      const seen: string[] = [];
      for await (const batch of s.users.scanAll(2)) {
        expect(batch.length).toBeLessThanOrEqual(2);
        for (const m of batch) if (m.sms_id === id) seen.push(m.user_id);
      }
      expect(seen).toEqual(['alice']);
    });

    it('change log: one change per stored message in commit order, read in pages, cursors only move forward', async () => {
      // the Cassandra backend hands out changes a few seconds old only (writers' clocks, batches in flight)
      const settled = async (after: string | undefined, want: (n: number) => boolean) => {
        for (let i = 0; ; i++) {
          const all: Awaited<ReturnType<typeof s.users.changesAfter>>['changes'] = [];
          let at = after;
          for (;;) {
            const page = await s.users.changesAfter(at, 3);
            all.push(...page.changes);
            if (!page.next || page.changes.length === 0) break;
            at = page.next;
          }
          if (want(all.filter((c) => c.message.user_id === 'uc').length) || i > 40) return { all, end: at };
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      const woke: number[] = [];
      const off = s.users.onChange(() => woke.push(Date.now()));
      const before = await settled(undefined, () => true);
      const msgs = Array.from({ length: 7 }, (_, i) => ({
        user_id: 'uc',
        sms_id: newTimeUuid(new Date(Date.UTC(2020, 0, 10 - i))),
        sender_id: `s${i}`,
        sms_text: `c${i}`,
      }));
      for (const m of msgs.slice(0, 3)) await s.users.insert(m);
      await s.users.insertMany(msgs.slice(3));
      await s.users.insert(msgs[0]); // present: no change
      await expect(s.users.insert({ ...msgs[1], sms_text: 'no' })).rejects.toBeInstanceOf(DuplicateKeyError); // refused: no change
      off();
      await s.users.insert({ user_id: 'uc', sms_id: newTimeUuid(), sender_id: 'late', sms_text: 'after off' });
      expect(woke.length).toBe(4); // one per commit that recorded changes while listening (3 inserts, 1 insertMany)
      const { all } = await settled(before.end, (n) => n >= 8);
      const ours = all.filter((c) => c.message.user_id === 'uc');
      expect(ours.map((c) => c.message.sms_text)).toEqual([...msgs.map((m) => m.sms_text), 'after off']); // commit order, not message time
      expect(ours[0].message).toEqual(msgs[0]);
      expect(Math.abs(ours[0].at - Date.now())).toBeLessThan(60_000);
      expect(await s.users.countChangesAfter(before.end, 100)).toBe(all.length);
      expect(await s.users.countChangesAfter(before.end, 2)).toBe(2);
      const third = ours[2].seq;
      expect((await s.users.changesAfter(third, 100)).changes.filter((c) => c.message.user_id === 'uc').map((c) => c.message.sender_id)).toEqual([
        's3',
        's4',
        's5',
        's6',
        'late',
      ]);
      // bounded by another consumer's position: at or before `through` only
      expect((await s.users.changesAfter(third, 100, ours[4].seq)).changes.filter((c) => c.message.user_id === 'uc').map((c) => c.message.sender_id)).toEqual([
        's3',
        's4',
      ]);
      expect((await s.users.changesAfter(third, 100, third)).changes).toEqual([]);

      expect(await s.users.getCursor('test-consumer')).toBeUndefined();
      await s.users.setCursor('test-consumer', ours[4].seq);
      await s.users.setCursor('test-consumer', ours[1].seq); // behind: ignored
      expect(await s.users.getCursor('test-consumer')).toBe(ours[4].seq);
      expect((await s.users.changesAfter(await s.users.getCursor('test-consumer'), 100)).changes.filter((c) => c.message.user_id === 'uc')).toHaveLength(3);

      expect(await s.users.pruneChanges(ours[4].seq, Date.now() - 3_600_000)).toBe(0); // none is an hour old
      const pruned = await s.users.pruneChanges(ours[4].seq, Date.now() + 1000);
      expect(pruned).toBeGreaterThanOrEqual(5);
      const left = (await s.users.changesAfter(undefined, 1000)).changes;
      expect(left.filter((c) => c.message.user_id === 'uc').map((c) => c.message.sender_id)).toEqual(['s5', 's6', 'late']);
      expect((await s.users.get('uc', msgs[0].sms_id))?.sms_text).toBe('c0'); // pruning the log keeps the messages
    });

    it('labelled messages: duplicates never overwrite, order kept', async () => {
      const r1 = await s.labelled.insertMany([
        { sms_id: 'm1', text: 'one', label: 'ham', origin: 't' },
        { sms_id: 'm2', text: 'two', label: 'spam', origin: 't' },
      ]);
      expect(r1).toEqual({ inserted: 2, duplicates: [], conflicts: [] });
      const r2 = await s.labelled.insertMany([
        { sms_id: 'm1', text: 'one', label: 'ham', origin: 'elsewhere' },
        { sms_id: 'm2', text: 'TWO', label: 'ham', origin: 't' },
        { sms_id: 'm3', text: 'three', label: 'ham', origin: 't' },
        { sms_id: 'm3', text: 'again', label: 'ham', origin: 't' },
      ]);
      // the same message again is a duplicate; another text or label under a held id, a conflict
      expect(r2).toEqual({ inserted: 1, duplicates: ['m1'], conflicts: ['m2', 'm3'] });
      expect((await s.labelled.all()).map((m) => `${m.sms_id}:${m.text}`)).toEqual(['m1:one', 'm2:two', 'm3:three']);
      expect((await s.labelled.get(['m3', 'nope'])).map((m) => m?.label)).toEqual(['ham', undefined]);
      expect(await s.labelled.countByLabel()).toEqual({ ham: 2, spam: 1 });
      expect(await s.labelled.count()).toBe(3);
      const batches: string[][] = [];
      for await (const b of s.labelled.scan({ batchSize: 2, ordered: true })) batches.push(b.map((m) => m.sms_id));
      expect(batches).toEqual([['m1', 'm2'], ['m3']]);
      const ids: string[] = [];
      for await (const b of s.labelled.scanIds(2)) {
        expect(b.length).toBeLessThanOrEqual(2);
        ids.push(...b);
      }
      expect(ids.sort()).toEqual(['m1', 'm2', 'm3']);
    });

    it('prediction cache: set, get, invalidate one version only', async () => {
      await s.cache.set('text_to_prediction', 'v1', 'k', '{"a":1}');
      await s.cache.set('text_to_prediction', 'v2', 'k', '{"a":2}');
      expect(await s.cache.get('text_to_prediction', 'v1', 'k')).toBe('{"a":1}');
      await s.cache.invalidateVersion('v1');
      expect(await s.cache.get('text_to_prediction', 'v1', 'k')).toBeUndefined();
      expect(await s.cache.get('text_to_prediction', 'v2', 'k')).toBe('{"a":2}');
    });

    it('call log: per caller, newest first, expired entries hidden', async () => {
      const now = Date.now();
      const e = (caller: string, dt: number, endpoint: string): CallLogEntry => ({
        caller_id: caller,
        called_at: now - dt,
        endpoint,
        version: 'v1',
        input_json: '{}',
      });
      await s.callLog.append(e('c1', 3000, 'old'), 3600);
      await s.callLog.append(e('c1', 1000, 'new'), 3600);
      await s.callLog.append(e('c1', 2000, 'expired'), 1);
      await s.callLog.appendMany([e('c2', 500, 'other'), e('c1', 1500, 'batched')], 3600);
      const got: string[] = [];
      for await (const x of s.callLog.recent('c1', now - 3600_000)) got.push(x.endpoint);
      expect(got).toEqual(['new', 'batched', 'old']);
    });

    it('documents: put replaces, list by id, delete', async () => {
      await s.documents.put('runs', 'b', '{"n":1}');
      await s.documents.put('runs', 'a', '{"n":2}');
      await s.documents.put('runs', 'b', '{"n":3}');
      await s.documents.put('other', 'z', '{}');
      expect(await s.documents.list('runs')).toEqual([
        { id: 'a', json: '{"n":2}' },
        { id: 'b', json: '{"n":3}' },
      ]);
      expect(await s.documents.get('runs', 'b')).toBe('{"n":3}');
      await s.documents.delete('runs', 'b');
      expect(await s.documents.get('runs', 'b')).toBeUndefined();
      expect(await s.documents.list('nothing')).toEqual([]);
    });

    it('documents: pages in id order, by prefix, before and after a cursor', async () => {
      for (const id of ['m1:2021', 'm1:2022', 'm1:2023', 'm2:2022', 'n:1']) await s.documents.put('pages', id, JSON.stringify({ id }));
      const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
      expect(ids(await s.documents.page('pages', { limit: 2 }))).toEqual(['m1:2021', 'm1:2022']);
      expect(ids(await s.documents.page('pages', { limit: 2, order: 'desc' }))).toEqual(['n:1', 'm2:2022']);
      expect(ids(await s.documents.page('pages', { limit: 10, prefix: 'm1:', order: 'desc' }))).toEqual(['m1:2023', 'm1:2022', 'm1:2021']);
      expect(ids(await s.documents.page('pages', { limit: 10, prefix: 'm1:', order: 'desc', before: 'm1:2023' }))).toEqual(['m1:2022', 'm1:2021']);
      expect(ids(await s.documents.page('pages', { limit: 2, after: 'm1:2022' }))).toEqual(['m1:2023', 'm2:2022']);
      expect(await s.documents.page('nothing', { limit: 5 })).toEqual([]);
    });

    const run = (id: string, o: Partial<RunRecord> = {}): RunRecord =>
      ({
        id,
        model: 'v1',
        base: 'v1',
        status: 'queued',
        params: { featureService: 'fs', timeFreeze: '2020-01-01', testSize: 0.2, seed: 1 },
        backendRequested: 'auto',
        createdAt: '2024-01-01T00:00:00.000Z',
        history: { epochs: [], batches: [] },
        owner: { pid: 42, host: 'h' },
        ...o,
      }) as RunRecord;

    it('runs: put replaces the whole record, list by id, get, delete', async () => {
      await s.runs.put(run('run-b'));
      await s.runs.put(run('run-a', { status: 'running', progress: { epoch: 1, epochs: 2, batch: 3, batches: 4 } }));
      await s.runs.put(run('run-b', { status: 'succeeded', history: { epochs: [{ epoch: 1 } as never], batches: [] }, version: '7' }));
      expect((await s.runs.list()).map((r) => [r.id, r.status])).toEqual([
        ['run-a', 'running'],
        ['run-b', 'succeeded'],
      ]);
      const b = await s.runs.get('run-b');
      expect(b).toEqual(run('run-b', { status: 'succeeded', history: { epochs: [{ epoch: 1 } as never], batches: [] }, version: '7' }));
      expect(await s.runs.get('run-missing')).toBeUndefined();
      await s.runs.delete('run-a');
      expect((await s.runs.list()).map((r) => r.id)).toEqual(['run-b']);
    });

    it('runs: changedSince returns what was written since, whoever wrote it, oldest write first', async () => {
      const before = Date.now() - 1;
      await s.runs.put(run('run-c1'));
      await s.runs.put(run('run-c0', { status: 'running' }));
      const changed = await s.runs.changedSince(before);
      expect(changed.map((c) => c.run.id)).toEqual(expect.arrayContaining(['run-c1', 'run-c0']));
      const c0 = changed.find((c) => c.run.id === 'run-c0')!;
      expect(c0.run.status).toBe('running');
      expect(c0.updatedAt).toBeGreaterThanOrEqual(before);
      expect(changed.map((c) => c.updatedAt)).toEqual([...changed.map((c) => c.updatedAt)].sort((x, y) => x - y));
      expect(await s.runs.changedSince(Date.now() + 60_000)).toEqual([]);
    });

    const version = (name: string, v: string, o: Partial<StoredModelVersion> = {}): StoredModelVersion =>
      ({
        name,
        base: 'v1',
        version: v,
        runId: `run-${name}-${v}`,
        createdAt: '2024-01-01T00:00:00.000Z',
        kind: 'random-forest',
        featureExtractor: 'fx',
        featureService: 'fs',
        inputShape: [5],
        labels: ['ham', 'spam'],
        metrics: { accuracy: 0.9 },
        params: { featureService: 'fs', timeFreeze: '2020-01-01', testSize: 0.2, seed: 1 },
        backend: 'js',
        data: {},
        dir: `${name}/${v}`,
        checksums: { 'forest.json': 'abc' },
        ...o,
      }) as unknown as StoredModelVersion;

    it('model versions: by name then version number (10 after 9), replace, delete', async () => {
      for (const v of ['10', '2', '9']) await s.models.put(version('mv_a', v));
      await s.models.put(version('mv_b', '1'));
      await s.models.put({ ...version('mv_a', '2'), dir: 'elsewhere' });
      expect((await s.models.list('mv_a')).map((v) => v.version)).toEqual(['2', '9', '10']);
      const all = (await s.models.list()).filter((v) => v.name.startsWith('mv_')).map((v) => `${v.name}:${v.version}`);
      expect(all).toEqual(['mv_a:2', 'mv_a:9', 'mv_a:10', 'mv_b:1']);
      expect(await s.models.get('mv_a', '2')).toEqual({ ...version('mv_a', '2'), dir: 'elsewhere' });
      expect(await s.models.get('mv_a', '3')).toBeUndefined();
      expect((await s.models.get('mv_a', '010'))?.version).toBe('10');
      // aliases are not part of a stored version
      await s.models.put({ ...version('mv_b', '2'), aliases: ['production'] } as StoredModelVersion);
      expect(await s.models.get('mv_b', '2')).not.toHaveProperty('aliases');
      await s.models.delete('mv_a', '9');
      expect((await s.models.list('mv_a')).map((v) => v.version)).toEqual(['2', '10']);
    });

    it('model aliases: every move is recorded with its time, from, to and note', async () => {
      const m1 = await s.models.moveAlias('al_m', 'production', '1', { note: 'first', at: 1000 });
      expect(m1).toEqual({ name: 'al_m', alias: 'production', at: 1000, to: '1', note: 'first' });
      await s.models.moveAlias('al_m', 'staging', '2', { at: 2000 });
      await s.models.moveAlias('al_m', 'production', '2', { note: 'challenger won', at: 3000 });
      expect(await s.models.alias('al_m', 'production')).toBe('2');
      expect(await s.models.aliases('al_m')).toEqual([
        { name: 'al_m', alias: 'production', version: '2' },
        { name: 'al_m', alias: 'staging', version: '2' },
      ]);
      expect(await s.models.moveAlias('al_m', 'staging', undefined, { at: 4000 })).toEqual({ name: 'al_m', alias: 'staging', at: 4000, from: '2' });
      // removing an alias that is not set: nothing changes, nothing is recorded
      expect(await s.models.moveAlias('al_m', 'staging', undefined)).toBeUndefined();
      expect(await s.models.alias('al_m', 'staging')).toBeUndefined();
      expect(await s.models.aliasHistory('al_m')).toEqual([
        { name: 'al_m', alias: 'production', at: 1000, to: '1', note: 'first' },
        { name: 'al_m', alias: 'staging', at: 2000, to: '2' },
        { name: 'al_m', alias: 'production', at: 3000, from: '1', to: '2', note: 'challenger won' },
        { name: 'al_m', alias: 'staging', at: 4000, from: '2' },
      ]);
      expect((await s.models.aliasHistory('al_m', 'production')).map((m) => m.to)).toEqual(['1', '2']);
      expect(await s.models.aliasHistory('al_other')).toEqual([]);
      expect((await s.models.aliases()).filter((a) => a.name === 'al_m')).toHaveLength(1);
    });

    it('feedback: one column per field, pages newest first, never rewritten', async () => {
      const fb = (id: string, o: Partial<FeedbackRecord> = {}): FeedbackRecord => ({
        id,
        at: `at-${id}`,
        sms_id: `sms-${id}`,
        true_label: 'spam',
        caller: 'c',
        ...o,
      });
      await s.feedback.append(fb('20240101000000001-aa', { note: 'n', user_id: 'u1', predicted_label: 'ham', model_version: 'v1:1', architecture: 'I' }));
      await s.feedback.append(fb('20240101000000003-cc', { true_label: 'ham', source_id: 'src' }));
      await s.feedback.append(fb('20240101000000002-bb'));
      await expect(s.feedback.append(fb('20240101000000002-bb', { true_label: 'ham' }))).rejects.toBeInstanceOf(DuplicateKeyError);
      expect((await s.feedback.page({ limit: 2 })).map((f) => f.id)).toEqual(['20240101000000003-cc', '20240101000000002-bb']);
      expect((await s.feedback.page({ limit: 5, before: '20240101000000002-bb' })).map((f) => f.id)).toEqual(['20240101000000001-aa']);
      expect((await s.feedback.all()).map((f) => f.id)).toEqual(['20240101000000001-aa', '20240101000000002-bb', '20240101000000003-cc']);
      expect((await s.feedback.all())[0]).toEqual(
        fb('20240101000000001-aa', { note: 'n', user_id: 'u1', predicted_label: 'ham', model_version: 'v1:1', architecture: 'I' }),
      );
      expect((await s.feedback.all())[1]).toEqual(fb('20240101000000002-bb'));
      expect(await s.feedback.count()).toBe(3);
    });

    it('import jobs: put replaces, get, pages newest first', async () => {
      const job = (id: string, status: ImportJob['status'] = 'running'): ImportJob => ({
        id,
        createdAt: '2024-01-01T00:00:00.000Z',
        source: { kind: 'file', name: 'sms.csv', format: 'seed-csv' },
        status,
        steps: [{ key: 'read', label: 'Rows', status: 'running' } as ImportJob['steps'][number]],
      });
      await s.imports.put(job('imp-20240101-aa'));
      await s.imports.put(job('imp-20240103-cc'));
      await s.imports.put(job('imp-20240102-bb'));
      await s.imports.put({ ...job('imp-20240101-aa', 'failed'), error: 'bad row', finishedAt: '2024-01-01T00:01:00.000Z' });
      expect(await s.imports.get('imp-20240101-aa')).toEqual({ ...job('imp-20240101-aa', 'failed'), error: 'bad row', finishedAt: '2024-01-01T00:01:00.000Z' });
      expect(await s.imports.get('imp-missing')).toBeUndefined();
      expect((await s.imports.page({ limit: 2 })).map((j) => j.id)).toEqual(['imp-20240103-cc', 'imp-20240102-bb']);
      expect((await s.imports.page({ limit: 5, before: 'imp-20240102-bb' })).map((j) => j.id)).toEqual(['imp-20240101-aa']);
    });

    const report = (model: string, at: string, drift = false) =>
      ({
        id: `${model}:${at}`,
        at,
        model,
        version: '1',
        window: { from: null, to: null, n: 3 },
        referenceRows: 10,
        features: [],
        driftShare: drift ? 1 : 0,
        datasetDrift: drift,
        prediction: { referenceSpamShare: 0.1, currentSpamShare: 0.2, pValue: 0.5, drifted: false },
      }) as DriftReport;

    it('drift reports: newest first, per model by its id range (m1 is not m10)', async () => {
      for (const [m, at] of [
        ['m1', '2024-01-01T00:00:00Z'],
        ['m1', '2024-01-03T00:00:00Z'],
        ['m10', '2024-01-04T00:00:00Z'],
        ['m1', '2024-01-02T00:00:00Z'],
        ['m2', '2024-01-05T00:00:00Z'],
      ])
        await s.reports.put(report(m, at));
      await s.reports.put(report('m1', '2024-01-02T00:00:00Z', true));
      expect((await s.reports.recent({ limit: 2, model: 'm1' })).map((r) => r.at)).toEqual(['2024-01-03T00:00:00Z', '2024-01-02T00:00:00Z']);
      expect((await s.reports.recent({ limit: 10, model: 'm1' })).map((r) => r.model)).toEqual(['m1', 'm1', 'm1']);
      expect((await s.reports.recent({ limit: 10, model: 'm1' }))[1]).toEqual(report('m1', '2024-01-02T00:00:00Z', true));
      // every model's: by id descending, as the document pages were (the monitor sorts them by time)
      expect((await s.reports.recent({ limit: 10 })).map((r) => r.id)).toEqual([
        'm2:2024-01-05T00:00:00Z',
        'm1:2024-01-03T00:00:00Z',
        'm1:2024-01-02T00:00:00Z',
        'm1:2024-01-01T00:00:00Z',
        'm10:2024-01-04T00:00:00Z',
      ]);
      expect(await s.reports.recent({ limit: 10, model: 'none' })).toEqual([]);
    });

    it('alerts: put replaces (acknowledged), get, pages newest first', async () => {
      const alert = (id: string, acknowledged = false): Alert => ({
        id,
        at: '2024-01-01T00:00:00Z',
        model: 'm1',
        version: '1',
        kind: 'dataset_drift',
        message: 'drift',
        numbers: { driftShare: 0.5 },
        reportId: 'm1:2024-01-01T00:00:00Z',
        acknowledged,
      });
      for (const id of ['20240101-a', '20240103-c', '20240102-b']) await s.alerts.put(alert(id));
      await s.alerts.put({ ...alert('20240102-b', true), acknowledgedAt: '2024-01-02T01:00:00Z' });
      expect(await s.alerts.get('20240102-b')).toEqual({ ...alert('20240102-b', true), acknowledgedAt: '2024-01-02T01:00:00Z' });
      expect(await s.alerts.get('missing')).toBeUndefined();
      expect((await s.alerts.page({ limit: 2 })).map((a) => a.id)).toEqual(['20240103-c', '20240102-b']);
      expect((await s.alerts.page({ limit: 5, before: '20240102-b' })).map((a) => a.id)).toEqual(['20240101-a']);
    });

    it('retrain decisions: put replaces, pages newest first', async () => {
      const decision = (id: string, promoted = false): RetrainDecision => ({
        id,
        at: '2024-01-01T00:00:00Z',
        model: 'v1',
        trigger: 'manual',
        metric: 'f1',
        margin: 0.01,
        champion: { version: '1' },
        challenger: { version: '2', runId: 'run-x' },
        heldOutRows: 10,
        feedbackLabels: 3,
        promoted,
        reason: promoted ? 'better' : 'not better',
      });
      for (const id of ['20240101-a', '20240103-c', '20240102-b']) await s.decisions.put(decision(id));
      await s.decisions.put(decision('20240103-c', true));
      expect(await s.decisions.page({ limit: 2 })).toEqual([decision('20240103-c', true), decision('20240102-b')]);
      expect((await s.decisions.page({ limit: 5, before: '20240102-b' })).map((d) => d.id)).toEqual(['20240101-a']);
    });

    it('predictions: recent per model newest first, pruned by age and count', async () => {
      const now = Date.now();
      const rec = (i: number, model: string, ageMs: number) => ({
        id: `p${i}`,
        at: now - ageMs,
        model,
        version: '1',
        endpoint: 'text_to_prediction',
        features: [i, 0.5],
        spam: i / 10,
        label: i > 5 ? 'spam' : 'ham',
        caller: '127.0.0.1',
        ...(i % 2 ? { sms_id: `s${i}`, oov: 0.25 } : {}),
      });
      await s.predictions.appendMany([rec(1, 'v1', 5000), rec(2, 'v1', 1000), rec(3, 'v3', 2000), rec(4, 'v1', 100_000)]);
      const r = await s.predictions.recent('v1', now - 10_000, 10);
      expect(r.map((x) => x.id)).toEqual(['p2', 'p1']);
      expect(r[1]).toMatchObject({ features: [1, 0.5], sms_id: 's1', oov: 0.25, label: 'ham' });
      expect(r[0].sms_id).toBeUndefined();
      expect(await s.predictions.count()).toBe(4);
      expect(await s.predictions.prune(now - 50_000, 2)).toBe(2); // p4 by age, then the oldest beyond 2
      expect(await s.predictions.count()).toBe(2);
      expect((await s.predictions.recent('v1', 0, 10)).map((x) => x.id)).toEqual(['p2']);
    });

    it('registry: snapshots versioned in order, meta values', async () => {
      const v1 = await s.registry.append('{"n":1}');
      const v2 = await s.registry.append('{"n":2}');
      expect(v2).toBe(v1 + 1);
      expect(await s.registry.latest()).toEqual({ version: v2, json: '{"n":2}' });
      expect((await s.registry.history()).map((h) => h.version)).toEqual([v1, v2]);
      expect(await s.registry.getMeta('k')).toBeUndefined();
      await s.registry.setMeta('k', 'a');
      await s.registry.setMeta('k', 'b');
      expect(await s.registry.getMeta('k')).toBe('b');
    });
  });
}
