/**
 * The point-in-time join against a brute-force reference, on random histories with every kind of
 * tie (same event time, same created time, same part), ttls, parts written by both writers
 * (DuckDB rebuilds, parquetjs-lite pushes), a rebuilt base, merged parts, and through every path
 * out: rows in process, chunks, a CSV file, a Parquet file, the streamed API. Materialize too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Engines } from '../engines';
import type { FieldDef, FileSourceDef } from '../../src-shared/featurestore';
import { testEngines, startTestServer } from '../testing/fixtures';
import { definitionsForStage, type OfflineRow } from '.';

const DAY = 86_400_000;
const BASE_T = Date.parse('2020-01-01T00:00:00Z');

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** the rule, by brute force: the latest event at or before t (within ttl), then the latest created, then the later written */
function expected(rows: OfflineRow[], key: string, t: number, ttlMs: number): OfflineRow | undefined {
  let best: OfflineRow | undefined;
  for (const r of rows) {
    if (r.entityKey !== key || r.eventTs > t || (ttlMs > 0 && r.eventTs < t - ttlMs)) continue;
    if (!best || r.eventTs > best.eventTs || (r.eventTs === best.eventTs && r.createdTs >= best.createdTs)) best = r;
  }
  return best;
}

describe('point-in-time join against brute force', () => {
  let e: Engines;
  let cleanup: () => Promise<void>;
  let server: { base: string; close: () => Promise<void> };
  /** every row of each source, in the offline store's write order (bases first, then pushes) */
  const history: Record<string, OfflineRow[]> = { labels: [], smss2: [] };
  const keys = Array.from({ length: 30 }, (_, i) => `e${i}`);
  const entityKeys: string[] = [];
  const times: number[] = [];
  const ttl = { sms_labels: 5 * DAY, sms_features2: 0 };

  beforeAll(async () => {
    ({ engines: e, cleanup } = await testEngines());
    const defs = definitionsForStage('2021');
    defs.featureViews.find((v) => v.name === 'sms_labels')!.ttlSeconds = ttl.sms_labels / 1000;
    await e.features.apply(defs, 'pit');
    const r = rng(7);
    const labelField: FieldDef[] = [{ name: 'label', dtype: 'String', description: '' }];
    const featField: FieldDef[] = [{ name: 'features', dtype: 'Array(Int64)', length: 3, description: '' }];
    const row = (part: string, i: number, withValue: (n: number) => OfflineRow['values']): OfflineRow => ({
      entityKey: keys[Math.floor(r() * keys.length)],
      eventTs: BASE_T + Math.floor(r() * 20) * DAY + (r() < 0.3 ? 0 : Math.floor(r() * 3) * 3_600_000),
      createdTs: BASE_T + Math.floor(r() * 4) * DAY,
      values: withValue(i + (part === 'x' ? 0 : 0)),
    });
    const src = async (name: string) => e.features.fileSource(name);
    const bases: Record<string, OfflineRow[]> = { labels: [], smss2: [] };
    const pushes: Record<string, OfflineRow[]> = { labels: [], smss2: [] };
    const fieldsOf: Record<string, FieldDef[]> = { labels: labelField, smss2: featField };
    const values: Record<string, (tag: string) => OfflineRow['values']> = {
      labels: (tag) => ({ label: tag }),
      smss2: (tag) => ({ features: [tag.length, Number(tag.replace(/\D/g, '') || 0) % 1000, Math.floor(r() * 50)] }),
    };
    for (const name of ['labels', 'smss2'] as const) {
      const source: FileSourceDef = await src(name);
      // a first base (DuckDB), pushes (parquetjs-lite), a rebuilt base (the first is retired),
      // more pushes, a merge of the pushes, more pushes after the merge
      const writeBase = async (tag: string) => {
        const rows = Array.from({ length: 150 }, (_, i) => row(tag, i, () => values[name](`${tag}-${i}`)));
        const w = await e.features.offline.baseWriter(source, 'sms_id', fieldsOf[name]);
        await w.add(rows);
        await w.publishAsBase();
        bases[name] = rows;
      };
      const push = async (tag: string, n: number) => {
        const rows = Array.from({ length: n }, (_, i) => row(tag, i, () => values[name](`${tag}-${i}`)));
        // an exact tie inside a part: the later row wins
        rows.push({ ...rows[0], values: values[name](`${tag}-dup`) });
        await e.features.offline.appendPart(source, 'sms_id', fieldsOf[name], rows);
        pushes[name].push(...rows);
      };
      await writeBase('b1');
      for (let p = 0; p < 4; p++) await push(`p${p}`, 40);
      await writeBase('b2');
      for (let p = 4; p < 7; p++) await push(`p${p}`, 40);
      expect(await e.features.offline.compact(source, 'sms_id', fieldsOf[name])).toBe(7);
      for (let p = 7; p < 9; p++) await push(`p${p}`, 40);
      history[name] = [...bases[name], ...pushes[name]];
    }
    for (let i = 0; i < 600; i++) {
      entityKeys.push(i % 11 === 0 ? 'nobody' : keys[Math.floor(r() * keys.length)]);
      times.push(BASE_T + Math.floor((r() * 26 - 3) * DAY));
    }
    server = await startTestServer(e);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  const want = () =>
    entityKeys.map((k, i) => {
      const l = expected(history.labels, k, times[i], ttl.sms_labels);
      const f = expected(history.smss2, k, times[i], ttl.sms_features2);
      return { sms_id: k, label: l ? (l.values.label as string) : null, features: f ? (f.values.features as number[]) : null };
    });

  it('in process: rows equal the brute force, in the order of the entity rows', async () => {
    const refs = await e.features.resolveRefs({ feature_service: 'labeled_sms_2' });
    const got = await e.features.getHistoricalFeatures({ keys: entityKeys, timestamps: times }, refs);
    expect(got.columns).toEqual(['sms_id', 'event_timestamp', 'features', 'label']);
    expect(got.rows.map((x) => ({ sms_id: x.sms_id, label: x.label, features: x.features }))).toEqual(want());
    expect(got.rows.map((x) => Date.parse(x.event_timestamp as string))).toEqual(times);
    // the check can fail: some rows have values, some (ttl, unknown keys, too early) do not
    const w = want();
    expect(w.filter((x) => x.label !== null).length).toBeGreaterThan(100);
    expect(w.filter((x) => x.label === null && x.sms_id !== 'nobody').length).toBeGreaterThan(20);
  });

  it('to files: the CSV and the Parquet DuckDB writes hold the same rows', async () => {
    const refs = await e.features.resolveRefs({ feature_service: 'labeled_sms_2' });
    const dir = e.config.dataDir;
    const entities = { kind: 'rows' as const, keys: entityKeys, timestamps: times };
    const csv = join(dir, 'h.csv');
    const pq = join(dir, 'h.parquet');
    expect((await e.features.exportHistorical(entities, refs, { file: csv, format: 'csv' })).rows).toBe(600);
    await e.features.exportHistorical(entities, refs, { file: pq, format: 'parquet' });
    const parsed = parse(readFileSync(csv, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(parsed.map((x) => ({ sms_id: x.sms_id, label: x.label || null, features: x.features ? (JSON.parse(x.features) as number[]) : null }))).toEqual(
      want(),
    );
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const rows = (
      await c.runAndReadAll(`SELECT sms_id, label, features::DOUBLE[] AS features, epoch_ms(event_timestamp)::DOUBLE AS t FROM '${pq}'`)
    ).getRowObjectsJS();
    c.closeSync();
    db.closeSync();
    expect(rows.map((x) => ({ sms_id: x.sms_id, label: x.label, features: x.features }))).toEqual(want());
    expect(rows.map((x) => x.t)).toEqual(times);
  });

  it('over HTTP: the streamed NDJSON and CSV hold the same rows; bad input is a 400 naming the field', async () => {
    const post = (body: unknown) =>
      fetch(`${server.base}/get-historical-features`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const entities = { sms_id: entityKeys, event_timestamp: times.map((t) => new Date(t).toISOString()) };
    const nd = await post({ feature_service: 'labeled_sms_2', entities });
    expect(nd.status).toBe(200);
    expect(nd.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((x) => ({ sms_id: x.sms_id, label: x.label, features: x.features }))).toEqual(want());
    const csv = await post({ feature_service: 'labeled_sms_2', entities, format: 'csv' });
    const parsed = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    expect(parsed.map((x) => x.label || null)).toEqual(want().map((x) => x.label));
    const pq = await post({ feature_service: 'labeled_sms_2', entities: 'all', at: '2020-01-10', format: 'parquet' });
    expect(pq.status).toBe(200);
    expect(
      Buffer.from(await pq.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('PAR1');

    const bad = await post({ feature_service: 'labeled_sms_2', entities: { sms_id: ['e1'], event_timestamp: ['2021-02-30'] } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'entities.event_timestamp[0]' });
    const short = await post({ feature_service: 'labeled_sms_2', entities: { sms_id: ['e1', 'e2'], event_timestamp: ['2020-01-01'] } });
    expect((await short.json()).field).toBe('entities.event_timestamp');
    const unknown = await post({ feature_service: 'nope', entities: 'all' });
    expect(unknown.status).toBe(404);
  });

  it('"all": every key the sources hold, once, at one time', async () => {
    const refs = await e.features.resolveRefs({ feature_service: 'labeled_sms_2' });
    const at = BASE_T + 12 * DAY;
    const seen: string[] = [];
    for await (const chunk of e.features.historicalChunks({ kind: 'all', at }, refs))
      for (let i = 0; i < chunk.rows; i++) seen.push(chunk.read[0](i) as string);
    const all = [...new Set([...history.labels, ...history.smss2].map((r) => r.entityKey))].sort();
    expect(seen.sort()).toEqual(all);
  });

  it('a source of one part with unique keys (joined on the key alone) follows the same rule', async () => {
    const source = await e.features.fileSource('smss1');
    const fields = await e.features.sourceFields(source);
    const r = rng(11);
    const rows: OfflineRow[] = keys.map((k) => ({
      entityKey: k,
      eventTs: BASE_T + Math.floor(r() * 20) * DAY,
      createdTs: BASE_T,
      values: Object.fromEntries(fields.map((f) => [f.name, f.dtype === 'Float64' ? r() : Math.floor(r() * 2)])),
    }));
    const w = await e.features.offline.baseWriter(source, 'sms_id', fields);
    await w.add(rows);
    await w.publishAsBase();
    const manifest = await e.features.offline.manifest(source).read();
    expect(manifest.parts).toHaveLength(1);
    expect(manifest.parts[0].uniqueKeys).toBe(true);
    const defs = definitionsForStage('2021');
    defs.featureViews.find((v) => v.name === 'sms_features1')!.ttlSeconds = (4 * DAY) / 1000;
    defs.featureViews.find((v) => v.name === 'sms_labels')!.ttlSeconds = ttl.sms_labels / 1000;
    await e.features.apply(defs, 'pit-ttl1');
    const refs = await e.features.resolveRefs({ features: ['sms_features1:cap_r', 'sms_features1:cw_scores_3'] });
    const got = await e.features.getHistoricalFeatures({ keys: entityKeys, timestamps: times }, refs);
    const want_ = entityKeys.map((k, i) => {
      const x = expected(rows, k, times[i], 4 * DAY);
      return x ? [x.values.cap_r, x.values.cw_scores_3] : [null, null];
    });
    expect(got.rows.map((x) => [x.cap_r, x.cw_scores_3])).toEqual(want_);
    expect(want_.filter((x) => x[0] !== null).length).toBeGreaterThan(50);
    expect(want_.filter((x, i) => x[0] === null && entityKeys[i] !== 'nobody').length).toBeGreaterThan(50);
  });

  it('materialize takes the latest row of each entity in the window, by the same rule', async () => {
    const start = BASE_T + 3 * DAY;
    const end = BASE_T + 15 * DAY;
    await e.features.materialize(start, end, ['sms_labels']);
    const got = await e.storage.online.read('sms_labels', keys);
    const want_ = keys.map((k) => {
      const inWindow = history.labels.filter((r) => r.entityKey === k && r.eventTs >= start);
      return expected(inWindow, k, end, 0)?.values.label ?? undefined;
    });
    expect(got.map((x) => x?.values.label)).toEqual(want_);
  });

  it('materialize over a rebuilt base (a row per key) and pushes since takes the same rows (exact ties: the push wins)', async () => {
    const source = await e.features.fileSource('smss1');
    const fields = await e.features.sourceFields(source);
    const r = rng(23);
    const value = () => Object.fromEntries(fields.map((f) => [f.name, f.dtype === 'Float64' ? r() : Math.floor(r() * 2)]));
    const base: OfflineRow[] = keys.map((k) => ({ entityKey: k, eventTs: BASE_T + Math.floor(r() * 20) * DAY, createdTs: BASE_T, values: value() }));
    const w = await e.features.offline.baseWriter(source, 'sms_id', fields);
    await w.add(base);
    await w.publishAsBase();
    const pushed: OfflineRow[] = [];
    for (let p = 0; p < 3; p++) {
      const rows: OfflineRow[] = Array.from({ length: 25 }, (_, i) => {
        const b = base[Math.floor(r() * base.length)];
        const kind = (p * 25 + i) % 4;
        // the same times as the base row (a tie the write order breaks), older, newer, or a new key
        if (kind === 0) return { ...b, values: value() };
        if (kind === 1) return { ...b, eventTs: b.eventTs - DAY, values: value() };
        if (kind === 2) return { ...b, eventTs: b.eventTs + Math.floor(r() * 3) * DAY, createdTs: BASE_T + DAY, values: value() };
        return { entityKey: `new${p}-${i}`, eventTs: BASE_T + Math.floor(r() * 20) * DAY, createdTs: BASE_T, values: value() };
      });
      await e.features.offline.appendPart(source, 'sms_id', fields, rows);
      pushed.push(...rows);
    }
    const manifest = await e.features.offline.manifest(source).read();
    expect(manifest.parts[0]).toMatchObject({ base: true, uniqueKeys: true });
    expect(manifest.parts.slice(1).map((x) => x.base === true)).toEqual([false, false, false]);
    const start = BASE_T + 3 * DAY;
    const end = BASE_T + 15 * DAY;
    await e.features.materialize(start, end, ['sms_features1']);
    const all = [...base, ...pushed];
    const every = [...new Set(all.map((x) => x.entityKey))];
    const got = await e.storage.online.read('sms_features1', every);
    const want_ = every.map((k) => {
      const inWindow = all.filter((x) => x.entityKey === k && x.eventTs >= start);
      return expected(inWindow, k, end, 0)?.values.cap_r ?? undefined;
    });
    expect(got.map((x) => x?.values.cap_r)).toEqual(want_);
    expect(want_.filter((x) => x !== undefined).length).toBeGreaterThan(20);
  });
});
