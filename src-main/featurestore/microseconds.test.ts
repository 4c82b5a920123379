/**
 * Times keep their microseconds end to end, as Feast's do (issue 19, item 13): rows pushed at
 * .000100 and .000900 and an entity row at .000500 join to the first, through the API, the
 * in-process rows, an exported file, a rebuilt base (DuckDB's writer) and materialize. A fraction
 * finer than a microsecond is refused with a 400 naming the field, not silently cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Engines } from '../engines';
import { testEngines, startTestServer } from '../testing/fixtures';
import { definitionsForStage, isoUtc, parseTimestamp } from '.';

const AT = '2021-09-02T10:00:00';

describe('timestamps keep microseconds in point-in-time joins', () => {
  let e: Engines;
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: { base: string; close: () => Promise<void> };
  const post = (path: string, body: unknown) =>
    fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    ({ engines: e, dir, cleanup } = await testEngines());
    await e.features.apply(definitionsForStage('2021'), '2021');
    server = await startTestServer(e);
    // two rows of one entity 800 µs apart, pushed as a client of Feast's feature server would
    for (const [t, label] of [
      [`${AT}.000100Z`, 'ham'],
      [`${AT}.000900Z`, 'spam'],
    ]) {
      const r = await post('/push', {
        push_source_name: 'labels_push',
        df: { sms_id: ['u1'], event_timestamp: [t], label: [label] },
        to: 'online_and_offline',
      });
      expect(r.status, await r.text()).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('parses and prints microseconds', () => {
    const t = parseTimestamp(`${AT}.000500Z`, 't');
    expect(Math.round(t * 1000) - Date.parse(`${AT}Z`) * 1000).toBe(500);
    expect(isoUtc(t)).toBe(`${AT}.000500Z`);
    expect(isoUtc(parseTimestamp(`${AT}.123456+02:00`, 't'))).toBe('2021-09-02T08:00:00.123456Z');
    expect(isoUtc(parseTimestamp(`${AT}.25`, 't'))).toBe(`${AT}.250Z`);
    expect(isoUtc(parseTimestamp(AT, 't'))).toBe(`${AT}Z`);
    // nanoseconds that are zeros say nothing finer than a microsecond: accepted
    expect(isoUtc(parseTimestamp(`${AT}.000500000Z`, 't'))).toBe(`${AT}.000500Z`);
  });

  it('the API joins the entity at .000500 to the row at .000100 (as Feast does), and answers its time whole', async () => {
    const r = await post('/get-historical-features', {
      features: ['sms_labels:label'],
      entities: { sms_id: ['u1', 'u1', 'u1'], event_timestamp: [`${AT}.000500Z`, `${AT}.000099Z`, `${AT}.000900Z`] },
    });
    expect(r.status).toBe(200);
    const rows = (await r.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      { sms_id: 'u1', event_timestamp: `${AT}.000500Z`, label: 'ham' },
      { sms_id: 'u1', event_timestamp: `${AT}.000099Z`, label: null },
      { sms_id: 'u1', event_timestamp: `${AT}.000900Z`, label: 'spam' },
    ]);
  });

  it('in process, and in an exported Parquet file with TIMESTAMP microseconds', async () => {
    const refs = await e.features.resolveRefs({ features: ['sms_labels:label'] });
    const got = await e.features.getHistoricalFeatures({ keys: ['u1'], timestamps: [parseTimestamp(`${AT}.000500`, 't')] }, refs);
    expect(got.rows).toEqual([{ sms_id: 'u1', event_timestamp: `${AT}.000500Z`, label: 'ham' }]);
    const file = join(dir, 'out.parquet');
    await e.features.exportHistorical({ kind: 'rows', keys: ['u1'], timestamps: [parseTimestamp(`${AT}.000500`, 't')] }, refs, { file, format: 'parquet' });
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const res = await c.runAndReadAll(`SELECT label, epoch_us(event_timestamp) % 1000000 AS us FROM read_parquet('${file}')`);
    expect(res.getRows()).toEqual([['ham', 500n]]);
    c.closeSync();
  });

  it('a rebuilt base (written by DuckDB) keeps them too', async () => {
    const source = await e.features.fileSource('smss1');
    const fields = await e.features.sourceFields(source);
    const w = await e.features.offline.baseWriter(source, 'sms_id', fields);
    const values = Object.fromEntries(fields.map((f) => [f.name, 1]));
    const t = (us: number) => Date.parse(`${AT}Z`) + us / 1000;
    await w.add([
      { entityKey: 'b1', eventTs: t(100), createdTs: t(0), values: { ...values, cap_r: 0.1 } },
      { entityKey: 'b1', eventTs: t(900), createdTs: t(0), values: { ...values, cap_r: 0.9 } },
    ]);
    await w.publishAsBase();
    const refs = await e.features.resolveRefs({ features: ['sms_features1:cap_r'] });
    const got = await e.features.getHistoricalFeatures({ keys: ['b1', 'b1'], timestamps: [t(500), t(899)] }, refs);
    expect(got.rows.map((r) => r.cap_r)).toEqual([0.1, 0.1]);
  });

  it('materialize carries the microseconds of the latest row online', async () => {
    await e.features.materialize(Date.parse('2021-01-01T00:00:00Z'), Date.parse('2022-01-01T00:00:00Z'), ['sms_labels']);
    const r = await e.features.getOnlineFeatures({ entities: { sms_id: ['u1'] }, features: ['sms_labels:label'] });
    expect(r.results[1].values[0]).toBe('spam');
    expect(r.results[1].event_timestamps[0]).toBe(`${AT}.000900Z`);
  });

  it('a fraction finer than a microsecond is a 400 naming the field, and nothing is written', async () => {
    const before = await e.features.offline.partCount(await e.features.fileSource('labels'));
    const push = await post('/push', {
      push_source_name: 'labels_push',
      df: { sms_id: ['u2'], event_timestamp: [`${AT}.000500001Z`], label: ['ham'] },
      to: 'online_and_offline',
    });
    expect(push.status).toBe(400);
    const body = await push.json();
    expect(body.field).toBe('df.event_timestamp[0]');
    expect(body.detail).toMatch(/microsecond/);
    expect(await e.features.offline.partCount(await e.features.fileSource('labels'))).toBe(before);
    const hist = await post('/get-historical-features', {
      features: ['sms_labels:label'],
      entities: { sms_id: ['u1'], event_timestamp: [`${AT}.0005001`] },
    });
    expect(hist.status).toBe(400);
    expect((await hist.json()).field).toBe('entities.event_timestamp[0]');
  });
});
