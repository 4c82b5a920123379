/**
 * Change data capture, embedded (no outside service): every door into the inboxes gets the stored
 * message its v2 features within seconds, with no backfill: the seed's bonus question answered.
 * Also the feature step's own rules: one push per batch, a repeat costs a lookup, a failure leaves
 * the change in the log, waiters hear why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { appRoot } from '../config';
import { newTimeUuid } from '../platform';
import type { Engines } from '../engines';
import type { SmsMessage } from '../storage';
import { SAMPLE_DATASET, startTestServer, testEngines } from '../testing/fixtures';
import { until } from '../testing/wait';
import { FeatureStep, loadSampleInbox, V2_VIEW } from '.';

const bin = join(appRoot(), 'bin', 'spamops.mjs');
let engines: Engines;
let dir: string;
let base: string;
let close: () => Promise<void>;

const cli = (args: string[]) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPAMOPS_') && !k.startsWith('CASSANDRA_')));
  return spawnSync(process.execPath, [bin, ...args, '--data-dir', dir], { encoding: 'utf8', env });
};
const post = (path: string, body: unknown) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** polls until every id has online v2 features (or the time is up); returns the ids still without */
async function featuresFor(ids: string[], withinMs = 60_000): Promise<string[]> {
  const t0 = Date.now();
  for (;;) {
    const rows = await engines.storage.online.read(V2_VIEW, ids);
    const missing = ids.filter((_, i) => !rows[i]);
    if (missing.length === 0 || Date.now() - t0 > withinMs) return missing;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const { bootstrap } = await import('../setup');
  const t = await testEngines();
  engines = t.engines;
  dir = t.dir;
  await bootstrap(engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
  const s = await startTestServer(engines);
  base = s.base;
  close = async () => {
    await s.close();
    await t.cleanup();
  };
});
afterAll(() => close?.());

describe('change data capture, embedded: every door gets features', () => {
  it('POST /sms/{user} (the user-data API, not the Inbox API)', async () => {
    const w = await (await post('/sms/ellen', { sender_id: 'otto', sms_text: 'Can u get me some cabbages at the grocery store?' })).json();
    expect(w.successful).toBe(true);
    expect(await featuresFor([w.sms_id])).toEqual([]);
  });

  it('POST /sms answers 200 once the features are pushed', async () => {
    const res = await post('/sms', { recipient_id: 'otto', sender_id: 'ellen', sms_text: 'They only have turnips left. What do I do?' });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.reason).toMatch(/pushed/);
    expect(await featuresFor([r.sms_id], 0)).toEqual([]);
  });

  it('the CLI, from another process: sms send and sms import', async () => {
    const sent = cli(['sms', 'send', 'kim', 'See', 'you', 'at', '8', '--from', 'lee']);
    expect(sent.status, sent.stderr).toBe(0);
    const id = /stored kim\/([0-9a-f-]+)/.exec(sent.stdout)?.[1];
    expect(id).toBeDefined();
    const file = join(dir, 'import.jsonl');
    const given = newTimeUuid(new Date('2021-03-04T05:06:07Z'));
    writeFileSync(
      file,
      [
        { sender_id: 'a', sms_text: 'imported one', sms_id: given },
        { sender_id: 'b', sms_text: 'imported two', date_sent: '2021-03-05T00:00:00Z' },
        { user_id: 'lou', sender_id: 'c', sms_text: 'imported three' },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const imp = cli(['sms', 'import', file, '--user', 'jo']);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/imported 3 messages/);
    // lines with an id or a date keep their id: imported again, only the line with neither is new
    expect(cli(['sms', 'import', file, '--user', 'jo']).stdout).toMatch(/imported 1 messages into inboxes \(2 there already/);
    const stored = [...(await engines.storage.users.listByUser('jo')), ...(await engines.storage.users.listByUser('lou'))];
    expect(stored.map((m) => m.sms_text).sort()).toEqual(['imported one', 'imported three', 'imported three', 'imported two']);
    expect(stored.find((m) => m.sms_text === 'imported one')?.sms_id).toBe(given);
    // written by another process: the server's feature step finds them at its next poll
    expect(await featuresFor([id!, ...stored.map((m) => m.sms_id)])).toEqual([]);
    expect(cli(['sms', 'send', 'a/b', 'x', '--from', 'y']).stderr).toMatch(/<user>: expected 1-100 characters without \/ or spaces/);
  });

  it('a loaded inbox (the sample loader), with no backfill', async () => {
    const file = join(dir, 'inbox.json');
    const msgs: SmsMessage[] = [0, 1, 2].map((i) => ({
      user_id: 'nora',
      sms_id: newTimeUuid(new Date(Date.UTC(2021, 5, i + 1))),
      sender_id: 'x',
      sms_text: `loaded ${i}`,
    }));
    writeFileSync(file, JSON.stringify(msgs));
    expect(await loadSampleInbox(engines.storage.users, file)).toEqual({ inserted: 3, present: 0 });
    expect(await featuresFor(msgs.map((m) => m.sms_id))).toEqual([]);
    // the features are pushed before the follower's cursor moves past them: wait for that too
    await until('the change log is caught up', async () => (await engines.ingestion.pending()).length === 0);
  });

  it('reports the feature step in /ingestion/stats, and no dead letters without the stream', async () => {
    const st = await (await fetch(`${base}/ingestion/stats`)).json();
    expect(st).toMatchObject({ mode: 'embedded', stream: null, incoming: null, dead_letters: null, change_log: { pending: 0 } });
    expect(st.features.processed).toBeGreaterThanOrEqual(8);
    expect(await (await fetch(`${base}/ingestion/dead-letters`)).json()).toEqual([]);
    const retry = await post('/ingestion/dead-letters/1/retry', {});
    expect(retry.status).toBe(409);
    expect((await retry.json()).detail).toMatch(/only when the stream is on/);
    expect((await (await fetch(`${base}/health`)).json()).ingestion).toEqual({ mode: 'embedded', stream: 'off', reason: null });
  });
});

describe('the feature step', () => {
  const msg = (i: number): SmsMessage => ({ user_id: 'fs', sms_id: newTimeUuid(), sender_id: 's', sms_text: `feature step ${i}` });

  it('pushes once per batch, skips what is there, tells waiters, and fails whole', async () => {
    const pushes: number[] = [];
    const pushed: { ids: string[]; encoded: boolean }[] = [];
    let down = false;
    const step = new FeatureStep({
      features: {
        push: async (_source, df) => {
          if (down) throw new Error('offline store down');
          pushes.push(df.sms_id.length);
          await engines.features.push('smss2_push', df, 'online_and_offline');
          return { rows: df.sms_id.length } as never;
        },
      },
      online: engines.storage.online,
      tokenizers: engines.tokenizers,
      onPushed: (m, encoded) => void pushed.push({ ids: m.map((x) => x.sms_id), encoded: encoded !== undefined }),
    });
    const batch = [msg(1), msg(2), msg(3)];
    const w = step.waitFor(batch[0].sms_id, 5000);
    expect(await step.process([...batch, batch[1]])).toMatchObject({ pushed: 3, present: 0 });
    expect(await w.done).toBeUndefined();
    expect(pushes).toEqual([3]);
    expect(await step.process(batch)).toMatchObject({ pushed: 0, present: 3 }); // a repeat: a lookup, no second offline row
    expect(pushes).toEqual([3]);
    // its verdicts asked for again (a crash may have come before they were stored; stored once)
    const ids = batch.map((m) => m.sms_id);
    expect(pushed).toEqual([
      { ids, encoded: true },
      { ids, encoded: false },
    ]);
    down = true;
    const late = msg(4);
    const w2 = step.waitFor(late.sms_id, 5000);
    await expect(step.process([late])).rejects.toThrow(/offline store down/);
    expect(await w2.done).toMatch(/the feature push failed: offline store down/);
    expect((await engines.storage.online.read(V2_VIEW, [late.sms_id]))[0]).toBeUndefined();
    expect(await step.waitFor('nobody', 50).done).toMatch(/has not reached it within 0.05 s/);
  });

  it("says when a batch's verdicts are stored, after its push; a verdict that fails does not fail the batch", async () => {
    let stored: () => void = () => undefined;
    let fail = false;
    const step = new FeatureStep({
      features: engines.features,
      online: engines.storage.online,
      tokenizers: engines.tokenizers,
      onPushed: () =>
        fail
          ? Promise.reject(new Error('monitoring down'))
          : new Promise<void>((resolve) => {
              stored = resolve;
            }),
      to: 'online',
    });
    const m = msg(5);
    const w = step.waitFor(m.sms_id, 5000);
    const r = await step.process([m]);
    expect(await w.done).toBeUndefined(); // the features are there: the inbox answers at once
    let done = false;
    void r.stored.then(() => (done = true));
    await new Promise((res) => setTimeout(res, 50));
    expect(done).toBe(false); // the cursor does not move past a verdict on its way
    stored();
    await r.stored;
    fail = true;
    const failed = await step.process([msg(6)]);
    expect(failed.pushed).toBe(1);
    await expect(failed.stored).resolves.toBeUndefined();
  });
});
