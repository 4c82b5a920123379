/**
 * The offline rows, group-committed behind the feature step (offline-follower.ts): one part for
 * many messages, never a row twice (a crash between the part and the cursor, a second process),
 * never ahead of the feature step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import parquet from 'parquetjs-lite';
import { newTimeUuid } from '../platform';
import type { Engines } from '../engines';
import type { SmsMessage } from '../storage';
import { SAMPLE_DATASET, testEngines } from '../testing/fixtures';
import { FEATURES_CURSOR, OFFLINE_CURSOR, offlineFollower, V2_PUSH_SOURCE } from '.';

let engines: Engines;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const { bootstrap } = await import('../setup');
  const t = await testEngines();
  engines = t.engines;
  dir = t.dir;
  cleanup = t.cleanup;
  await bootstrap(engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
  // the followers run when the tests drain, not in the background
  await engines.ingestion.stop();
  await engines.ingestion.drain();
});
afterAll(() => cleanup?.());

const source = () => engines.features.fileSource('smss2');
const parts = async () => (await engines.features.offline.manifest(await source()).read()).parts;
/** offline rows per sms_id among `ids` (every row, not the point-in-time one) */
async function offlineRows(ids: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const folder = engines.features.offline.sourceDir(await source());
  for (const p of await parts()) {
    const reader = await parquet.ParquetReader.openFile(join(folder, p.file));
    const cursor = reader.getCursor(['sms_id']);
    for (let r = await cursor.next(); r; r = await cursor.next()) {
      const id = String((r as { sms_id: unknown }).sms_id);
      if (ids.includes(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    await reader.close();
  }
  return counts;
}
const message = (i: number): SmsMessage => ({ user_id: 'ofo', sms_id: newTimeUuid(), sender_id: 's', sms_text: `group commit ${i}` });

describe('the offline follower', () => {
  it("gives the sample inbox's messages one offline row each: bootstrap hands them on through the change log, not beside it", async () => {
    const ids: string[] = [];
    for (const user of await engines.storage.users.listUsers()) for (const m of await engines.storage.users.listByUser(user)) ids.push(m.sms_id);
    expect(ids.length).toBeGreaterThan(0);
    await engines.ingestion.drain(); // what the first serve's followers do
    const rows = await offlineRows(ids);
    // pushed offline by the bootstrap's backfill and again by the offline follower, they had two each
    expect([...rows.values()].filter((n) => n !== 1)).toEqual([]);
    expect(rows.size).toBe(ids.length);
  });

  it('writes the rows of many messages as one part, once, behind the feature step', async () => {
    const before = (await parts()).length;
    const msgs = Array.from({ length: 40 }, (_, i) => message(i));
    for (const m of msgs) await engines.storage.users.insert(m);
    // the feature step has not run: the offline follower writes nothing ahead of it
    const alone = offlineFollower({ changes: engines.storage.users, features: engines.features, tokenizers: engines.tokenizers, gatherMs: 0 });
    expect((await alone.drain()).handled).toBe(0);
    expect((await parts()).length).toBe(before);
    await engines.ingestion.drain();
    const after = await parts();
    expect(after.length - before).toBe(1); // one part for the 40 (the feature step pushed online only)
    const rows = await offlineRows(msgs.map((m) => m.sms_id));
    expect(rows.size).toBe(40);
    expect([...rows.values()].every((n) => n === 1)).toBe(true);
    expect(await engines.features.pushMark(V2_PUSH_SOURCE, OFFLINE_CURSOR)).toBe(await engines.storage.users.getCursor(FEATURES_CURSOR));
  });

  it('never writes a row twice: a crash between the part and the cursor, a second process', async () => {
    const msgs = Array.from({ length: 5 }, (_, i) => message(100 + i));
    for (const m of msgs) await engines.storage.users.insert(m);
    const before = (await engines.storage.users.getCursor(OFFLINE_CURSOR)) as string;
    await engines.ingestion.drain();
    expect((await offlineRows(msgs.map((m) => m.sms_id))).size).toBe(5);
    // the cursor as a process killed after publishing the part left it (the manifest's mark moved, the cursor not)
    const db = new Database(join(dir, 'spamops.sqlite'));
    db.prepare('UPDATE sms_change_cursors SET seq = ? WHERE name = ?').run(Number(before), OFFLINE_CURSOR);
    db.close();
    const restarted = offlineFollower({ changes: engines.storage.users, features: engines.features, tokenizers: engines.tokenizers, gatherMs: 0 });
    const n = (await parts()).length;
    await restarted.drain();
    expect((await parts()).length).toBe(n); // it started from the manifest's mark: nothing written again
    // a second process that read its position before the first one wrote: its part is discarded
    const more = Array.from({ length: 3 }, (_, i) => message(200 + i));
    for (const m of more) await engines.storage.users.insert(m);
    await engines.ingestion.drain(); // the feature step, and this process's offline follower
    const rows = await offlineRows([...msgs, ...more].map((m) => m.sms_id));
    expect(rows.size).toBe(8);
    await restarted.drain(); // its position is behind the mark: the manifest refuses its part, it re-reads
    const again = await offlineRows([...msgs, ...more].map((m) => m.sms_id));
    expect([...again.values()].every((c) => c === 1)).toBe(true);
    expect((await restarted.drain()).handled).toBe(0);
  });
});
