import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engines } from '../engines';
import type { RegistryDefinitions } from '../../src-shared/featurestore';
import { testEngines, SAMPLE_DATASET } from '../testing/fixtures';
import { bootstrap } from '../setup';
import { backendsByConcern } from '../storage';
import {
  answerUntil,
  definitionsForStage,
  parseTimestamp,
  FeatureInputError,
  UnknownNameError,
  OfflineSourceError,
  MANIFEST,
  type Manifest,
  type OfflineRow,
} from '.';

let engines: Engines;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ engines, cleanup } = await testEngines());
});
afterEach(async () => cleanup());

const T = (s: string) => parseTimestamp(s, 't');

describe('registry', () => {
  it('plans and applies stage by stage with diffs and history', async () => {
    const fs = engines.features;
    const plan = await fs.registry.plan(definitionsForStage('2019'));
    expect(plan.entries.filter((e) => e.change === 'added').map((e) => e.name)).toEqual([
      'sms',
      'smss1',
      'labels',
      'sms_features1',
      'sms_labels',
      'labeled_sms_1',
    ]);
    expect((await fs.apply(definitionsForStage('2019'), '2019')).snapshot.version).toBe(1);
    expect((await fs.apply(definitionsForStage('2019'), '2019')).changed).toBe(false);
    const r2020 = await fs.apply(definitionsForStage('2020'), '2020');
    expect(r2020.diff.entries.map((e) => `${e.change} ${e.name}`)).toEqual(['added smss2', 'added sms_features2', 'added labeled_sms_2']);
    const r2021 = await fs.apply(definitionsForStage('2021'), '2021');
    expect(r2021.diff.entries).toEqual([
      { kind: 'data_source', name: 'smss2_push', change: 'added' },
      { kind: 'data_source', name: 'labels_push', change: 'added' },
      { kind: 'feature_view', name: 'sms_labels', change: 'changed', fields: [{ path: 'source', before: 'labels', after: 'labels_push' }] },
      { kind: 'feature_view', name: 'sms_features2', change: 'changed', fields: [{ path: 'source', before: 'smss2', after: 'smss2_push' }] },
    ]);
    // back to 2019: views and services removed
    const back = await fs.apply(definitionsForStage('2019'), '2019');
    expect(back.diff.entries.filter((e) => e.change === 'removed').map((e) => e.name)).toEqual([
      'smss2',
      'smss2_push',
      'labels_push',
      'sms_features2',
      'labeled_sms_2',
    ]);
    expect((await fs.registry.history()).map((h) => h.stage)).toEqual(['2019', '2020', '2021', '2019']);
  });

  it('refuses definitions with dangling references', async () => {
    const bad: RegistryDefinitions = structuredClone(definitionsForStage('2021'));
    bad.featureServices[0].features.push({ view: 'nope' });
    await expect(engines.features.registry.plan(bad)).rejects.toThrow(/unknown feature view "nope"/);
  });
});

describe('seed story on the sample data', () => {
  beforeEach(async () => {
    await bootstrap(engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
  });

  it('online reads have Feast shape and statuses', async () => {
    const r = await engines.features.getOnlineFeatures({ entities: { sms_id: ['sms90001', 'missing'] }, feature_service: 'labeled_sms_2' });
    expect(r.metadata.feature_names).toEqual(['sms_id', 'features', 'label']);
    const f = r.results[r.metadata.feature_names.indexOf('features')];
    expect(f.statuses).toEqual(['PRESENT', 'NOT_FOUND']);
    expect(f.values[0]).toHaveLength(30);
    expect(f.values[1]).toBeNull();
    expect(f.event_timestamps[0]).toBe('2020-04-05T00:00:00Z');
    const full = await engines.features.getOnlineFeatures({
      entities: { sms_id: ['sms90001'] },
      features: ['sms_features1:cap_r', 'sms_labels:label'],
      full_feature_names: true,
    });
    expect(full.metadata.feature_names).toEqual(['sms_id', 'sms_features1__cap_r', 'sms_labels__label']);
  });

  it('a lookup follows the registry: a service or ttl applied after the last lookup is used by the next', async () => {
    const ask = { entities: { sms_id: ['sms90001'] }, feature_service: 'labeled_sms_2' };
    const before = await engines.features.getOnlineFeatures(ask);
    expect(before.metadata.feature_names).toEqual(['sms_id', 'features', 'label']);
    expect((await engines.features.getOnlineFeatures(ask)).metadata.feature_names).toEqual(['sms_id', 'features', 'label']);
    const defs = structuredClone(await engines.features.registry.definitions());
    defs.featureServices.find((s) => s.name === 'labeled_sms_2')!.features = [{ view: 'sms_labels' }];
    defs.featureViews.find((v) => v.name === 'sms_labels')!.ttlSeconds = 1;
    await engines.features.apply(defs, 'narrowed');
    const after = await engines.features.getOnlineFeatures(ask);
    expect(after.metadata.feature_names).toEqual(['sms_id', 'label']);
    expect(after.results[1].statuses).toEqual(['OUTSIDE_MAX_AGE']);
    // the earlier answer was not changed by the later one (the header is shared within one snapshot only)
    expect(before.metadata.feature_names).toEqual(['sms_id', 'features', 'label']);
  });

  it("a lookup's moment holds while nothing is written, and changes with any commit, another process's included", async () => {
    const fs = engines.features;
    const ask = { entities: { sms_id: ['sms90001'] }, feature_service: 'labeled_sms_2' };
    // read once from the file: its header is watched from then on
    await fs.getOnlineFeatures(ask);
    const first = fs.onlineMoment();
    expect(first).toBeDefined();
    expect(fs.onlineMoment()).toBe(first);
    await fs.push('labels_push', { sms_id: ['sms90001'], event_timestamp: [new Date().toISOString()], label: ['spam'] }, 'online');
    const afterPush = fs.onlineMoment();
    expect(afterPush).not.toBe(first);
    expect(fs.onlineMoment()).toBe(afterPush);
    // another connection (another process's CLI, a worker thread) commits anything to the file
    const online = backendsByConcern(engines.config.storage).online;
    if (online.backend !== 'sqlite') throw new Error('expected the SQLite online store');
    const other = new Database(online.path);
    try {
      other.prepare("UPDATE online_features SET created_ts = created_ts + 1 WHERE entity_key = 'sms90001'").run();
    } finally {
      other.close();
    }
    expect(fs.onlineMoment()).not.toBe(afterPush);
  });

  it('an answer says until when it holds: the first ttl to end among the values it serves as present', async () => {
    const fs = engines.features;
    const ask = { entities: { sms_id: ['sms90001', 'sms90002', 'missing'] }, features: ['sms_labels:label', 'sms_features2:features'] };
    expect(answerUntil(await fs.getOnlineFeatures(ask))).toBe(Number.POSITIVE_INFINITY);
    const defs = structuredClone(await fs.registry.definitions());
    defs.featureViews.find((v) => v.name === 'sms_labels')!.ttlSeconds = 3600;
    await fs.apply(defs, 'ttl');
    const now = Date.now();
    await fs.push('labels_push', { sms_id: ['sms90001'], event_timestamp: [new Date(now - 60_000).toISOString()], label: ['spam'] }, 'online');
    const r = await fs.getOnlineFeatures(ask, now);
    expect(r.results[1].statuses).toEqual(['PRESENT', 'OUTSIDE_MAX_AGE', 'NOT_FOUND']);
    // sms90001's label, pushed a minute ago, is past its ttl in 59 minutes; sms90002's already is
    expect(answerUntil(r)).toBe(now - 60_000 + 3_600_000);
  });

  it('unknown names list the known ones; bad refs name the field', async () => {
    await expect(engines.features.getOnlineFeatures({ entities: { sms_id: ['a'] }, feature_service: 'nope' })).rejects.toMatchObject({
      known: ['labeled_sms_1', 'labeled_sms_2'],
    });
    await expect(engines.features.getOnlineFeatures({ entities: { sms_id: ['a'] }, features: ['sms_features1:nope'] })).rejects.toBeInstanceOf(
      UnknownNameError,
    );
    await expect(engines.features.getOnlineFeatures({ entities: { sms_id: ['a'] }, features: ['no-colon'] })).rejects.toBeInstanceOf(FeatureInputError);
    await expect(engines.features.getOnlineFeatures({ entities: { user: ['a'] }, feature_service: 'labeled_sms_1' })).rejects.toMatchObject({
      field: 'entities',
    });
  });

  it('push writes online and offline; a bad batch writes nothing anywhere', async () => {
    const fs = engines.features;
    const smss2 = await fs.fileSource('smss2');
    await engines.ingestion.drain(); // the sample inbox's features, pushed after bootstrap
    const partsBefore = await fs.offline.partCount(smss2);
    const good = { sms_id: ['sms90002'], event_timestamp: ['2021-09-02 00:00:00'], features: [[...Array(25).fill(1), 65, 65, 108, 2, 30]] };
    await fs.push('smss2_push', good, 'online_and_offline');
    const r = await fs.getOnlineFeatures({ entities: { sms_id: ['sms90002'] }, features: ['sms_features2:features'] });
    expect(r.results[1].values[0]).toEqual(good.features[0]);
    expect(r.results[1].event_timestamps[0]).toBe('2021-09-02T00:00:00Z');
    expect(await fs.offline.partCount(smss2)).toBe(partsBefore + 1);

    const bad: Record<string, unknown[]>[] = [
      { sms_id: ['a', 'b'], event_timestamp: ['2021-09-02', '2021-09-02'], features: [Array(30).fill(1), Array(29).fill(1)] }, // wrong length
      { sms_id: ['a'], event_timestamp: ['yesterday'], features: [Array(30).fill(1)] }, // bad timestamp
      { sms_id: ['a'], features: [Array(30).fill(1)] }, // missing column
      { sms_id: ['a'], event_timestamp: ['2021-09-02'], features: [Array(30).fill('x')] }, // wrong type
      { sms_id: ['a'], event_timestamp: ['2021-09-02'], features: [Array(30).fill(1)], extra: [1] }, // unknown column
    ];
    for (const df of bad) await expect(fs.push('smss2_push', df, 'online_and_offline')).rejects.toBeInstanceOf(FeatureInputError);
    expect(await fs.offline.partCount(smss2)).toBe(partsBefore + 1);
    expect((await engines.storage.online.read('sms_features2', ['a']))[0]).toBeUndefined();
    await expect(fs.push('nope', good)).rejects.toMatchObject({ known: ['smss2_push', 'labels_push'] });
  });

  it('merges many pushed parts into one, keeping every row and the write order', async () => {
    const fs = engines.features;
    const dir = join(engines.config.offlineDir, 'smss2');
    const manifest = () => JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
    const pushedRows = () => manifest().parts.reduce((n, p) => n + (p.base ? 0 : p.rows), 0);
    await engines.ingestion.drain(); // the sample inbox's features, pushed after bootstrap
    const before = pushedRows();
    for (let i = 0; i < 70; i++) {
      // the same entity and event time each time: the last push must win
      await fs.push(
        'smss2_push',
        { sms_id: [`c${i % 7}`], event_timestamp: ['2021-01-01T00:00:00Z'], features: [Array(30).fill(i)], created_timestamp: ['2021-01-01T00:00:00Z'] },
        'offline',
      );
    }
    for (let i = 0; i < 250 && !manifest().parts.some((p) => p.file.includes('-merged-')); i++) await new Promise((r) => setTimeout(r, 20));
    const parts = manifest().parts;
    // base + one merged part + the few pushed after the merge (it starts past 64 parts)
    expect(parts[0].base).toBe(true);
    expect(parts.filter((p) => p.file.includes('-merged-'))).toHaveLength(1);
    expect(parts.length).toBeLessThan(20);
    expect(pushedRows() - before).toBe(70);
    // the merged parts stay readable for a query that listed them before the merge, then go
    const retired = manifest().retired;
    expect(retired.length).toBeGreaterThanOrEqual(64);
    for (const r of retired) expect(existsSync(join(dir, r.file))).toBe(true);
    const refs = await fs.resolveRefs({ features: ['sms_features2:features'] });
    const h = await fs.getHistoricalFeatures({ keys: ['c0', 'c6'], timestamps: [T('2021-06-01'), T('2021-06-01')] }, refs);
    expect(h.rows.map((r) => (r.features as number[])[0])).toEqual([63, 69]);
  });

  it('a corrupt Parquet part is named; other sources are still served', async () => {
    // a stray file nobody listed is ignored; a listed part that is broken is named
    writeFileSync(join(engines.config.offlineDir, 'smss1', 'part-zz-stray.parquet'), 'not parquet at all');
    const m = JSON.parse(readFileSync(join(engines.config.offlineDir, 'smss1', MANIFEST), 'utf8')) as Manifest;
    const base = join(engines.config.offlineDir, 'smss1', m.parts[0].file);
    writeFileSync(base, 'not parquet at all');
    const svc = await engines.features.resolveRefs({ feature_service: 'labeled_sms_1' });
    await expect(engines.features.getHistoricalFeatures({ keys: ['sms90001'], timestamps: [T('2019-05-05')] }, svc)).rejects.toThrow(
      new RegExp(m.parts[0].file.replace(/\./g, '\\.')),
    );
    await expect(engines.features.materialize(0, Date.now(), ['sms_features1'])).rejects.toBeInstanceOf(OfflineSourceError);
    const labels = await engines.features.resolveRefs({ features: ['sms_labels:label'] });
    const h = await engines.features.getHistoricalFeatures({ keys: ['sms90001'], timestamps: [T('2019-05-05')] }, labels);
    expect(h.rows[0].label).toBe('ham');
  });

  it('historical retrieval honours the time freeze', async () => {
    const refs = await engines.features.resolveRefs({ feature_service: 'labeled_sms_2' });
    const h = await engines.features.getHistoricalFeatures({ keys: ['sms90001', 'sms90001'], timestamps: [T('2019-05-05'), T('2020-07-02')] }, refs);
    expect(h.columns).toEqual(['sms_id', 'event_timestamp', 'features', 'label']);
    expect(h.rows[0].features).toBeNull(); // features v2 did not exist yet in 2019
    expect(h.rows[1].features).toHaveLength(30);
    expect(h.rows.map((r) => r.label)).toEqual(['ham', 'ham']);
  });
});

describe('materialize, the sampler story', () => {
  it('nothing before; only labeled_sms_1 after the 2019 window; both after incremental', async () => {
    await bootstrapSourcesOnly(engines);
    const fs = engines.features;
    const found = async (svc: string) => {
      const r = await fs.getOnlineFeatures({ entities: { sms_id: ['sms90010', 'sms90011'] }, feature_service: svc });
      return r.results.slice(1).every((x) => x.statuses.every((s) => s === 'PRESENT'));
    };
    expect([await found('labeled_sms_1'), await found('labeled_sms_2')]).toEqual([false, false]);
    const m = await fs.materialize(T('2009-01-01T00:00:00'), T('2019-12-31T00:00:00'));
    expect(m.views.map((v) => v.rows_written)).toEqual([240, 240, 0]);
    expect([await found('labeled_sms_1'), await found('labeled_sms_2')]).toEqual([true, false]);
    const inc = await fs.materializeIncremental(T('2021-09-02T00:00:00'));
    expect(inc.views.map((v) => [v.feature_view, v.start_ts, v.rows_written])).toEqual([
      ['sms_features1', '2019-12-31T00:00:00Z', 0],
      ['sms_labels', '2019-12-31T00:00:00Z', 0],
      ['sms_features2', '2019-12-31T00:00:00Z', 240],
    ]);
    expect([await found('labeled_sms_1'), await found('labeled_sms_2')]).toEqual([true, true]);
  });

  it('a ttl makes old online values OUTSIDE_MAX_AGE and bounds historical lookups', async () => {
    await bootstrapSourcesOnly(engines);
    const defs = definitionsForStage('2021');
    defs.featureViews.find((v) => v.name === 'sms_labels')!.ttlSeconds = 86400;
    await engines.features.apply(defs, 'ttl');
    await engines.features.materialize(0, T('2019-12-31'), ['sms_labels']);
    const r = await engines.features.getOnlineFeatures({ entities: { sms_id: ['sms90001'] }, features: ['sms_labels:label'] }, T('2019-02-03T12:00:00'));
    expect(r.results[1].statuses).toEqual(['PRESENT']);
    const late = await engines.features.getOnlineFeatures({ entities: { sms_id: ['sms90001'] }, features: ['sms_labels:label'] }, T('2019-03-01'));
    expect(late.results[1]).toMatchObject({ statuses: ['OUTSIDE_MAX_AGE'], values: [null] });
    const refs = await engines.features.resolveRefs({ features: ['sms_labels:label'] });
    const h = await engines.features.getHistoricalFeatures({ keys: ['sms90001', 'sms90001'], timestamps: [T('2019-02-03T23:00:00'), T('2019-02-05')] }, refs);
    expect(h.rows.map((x) => x.label)).toEqual(['ham', null]);
  });
});

describe('point-in-time join against a brute-force reference', () => {
  it('agrees on random histories with ties, ttl and pushes', async () => {
    await engines.features.apply(definitionsForStage('2021'), '2021');
    const defs = definitionsForStage('2021');
    defs.featureViews.find((v) => v.name === 'sms_labels')!.ttlSeconds = 5 * 86400;
    await engines.features.apply(defs, 'ttl');
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const day = 86400_000;
    const base = T('2020-01-01');
    const keys = Array.from({ length: 40 }, (_, i) => `e${i}`);
    const labelsSrc = await engines.features.fileSource('labels');
    const all: OfflineRow[] = [];
    for (let part = 0; part < 4; part++) {
      const rows: OfflineRow[] = [];
      for (let i = 0; i < 120; i++) {
        rows.push({
          entityKey: keys[Math.floor(rnd() * keys.length)],
          eventTs: base + Math.floor(rnd() * 30) * day,
          createdTs: Math.floor(rnd() * 5),
          values: { label: `L${part}-${i}` },
        });
      }
      all.push(...rows);
      await engines.features.offline.appendPart(labelsSrc, 'sms_id', [{ name: 'label', dtype: 'String', description: '' }], rows);
    }
    const entityKeys: string[] = [];
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      entityKeys.push(i % 7 === 0 ? 'nobody' : keys[Math.floor(rnd() * keys.length)]);
      times.push(base + Math.floor(rnd() * 40 - 5) * day + Math.floor(rnd() * day));
    }
    const refs = await engines.features.resolveRefs({ features: ['sms_labels:label'] });
    const got = await engines.features.getHistoricalFeatures({ keys: entityKeys, timestamps: times }, refs);
    const ttl = 5 * day;
    const expected = entityKeys.map((k, i) => {
      let best: OfflineRow | undefined;
      for (const r of all) {
        if (r.entityKey !== k || r.eventTs > times[i] || r.eventTs < times[i] - ttl) continue;
        // later event wins; on equal events the later created; on full ties the later written
        if (!best || r.eventTs > best.eventTs || (r.eventTs === best.eventTs && r.createdTs >= best.createdTs)) best = r;
      }
      return best ? best.values.label : null;
    });
    expect(got.rows.map((r) => r.label)).toEqual(expected);
  });
});

async function bootstrapSourcesOnly(e: Engines) {
  const { parseDataset } = await import('../dataset/import');
  const { readFileSync } = await import('node:fs');
  const { buildOfflineSources } = await import('../setup');
  await e.storage.labelled.insertMany(parseDataset(readFileSync(SAMPLE_DATASET, 'utf8'), 'sample').rows);
  await buildOfflineSources(e);
  await e.features.apply(definitionsForStage('2021'), '2021');
}
