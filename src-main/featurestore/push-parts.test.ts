/**
 * Pushed parts against what could break them: feature names that meet the offline store's own
 * columns, values beyond a column's type, and a DuckDB that loads but cannot open its instance or
 * has no memory left (the part is then written by parquetjs-lite, and reads back the same).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FileSourceDef, FieldDef, RegistryDefinitions } from '../../src-shared/featurestore';
import { tempDir } from '../testing/fixtures';
import { DuckEngine } from './duckdb';
import { OfflineStore, sourceRelation } from './offline';
import { validateDefinitions } from './registry';
import { definitionsForStage } from './definitions';

const source: FileSourceDef = {
  kind: 'file',
  name: 'pushes',
  path: 'pushes',
  timestampField: 'event_timestamp',
  createdTimestampColumn: 'created',
  description: '',
};
// names that once met the staging columns (k, ev, cr) or an object's prototype
const fields: FieldDef[] = [
  { name: 'score', dtype: 'Float32', description: '' },
  { name: 'text', dtype: 'String', description: '' },
  { name: 'ids', dtype: 'Array(Int64)', description: '' },
];
const rows = [
  { entityKey: 'a', eventTs: Date.UTC(2021, 0, 1), createdTs: Date.UTC(2021, 0, 2), values: { score: 0.5, text: 'x\uD800y', ids: [1, 2] } },
  { entityKey: 'b', eventTs: Date.UTC(2021, 0, 3), createdTs: 0, values: { score: null, text: null, ids: null } },
];

const engines: DuckEngine[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.close();
  for (const c of cleanups.splice(0)) c();
});

function store(memoryLimit = '256MB', spillDir?: string, threads = 1): OfflineStore {
  const t = tempDir('push-parts-');
  cleanups.push(t.remove);
  const engine = new DuckEngine({ memoryLimit, threads, spillDir: spillDir ?? join(t.dir, 'spill') });
  engines.push(engine);
  return new OfflineStore(join(t.dir, 'offline'), engine);
}

/** the source's rows as queries read them, through a working engine */
async function readBack(s: OfflineStore): Promise<unknown[][]> {
  const reader = new DuckEngine({ memoryLimit: '256MB', threads: 1, spillDir: join(s.dir, '..', 'reader-spill') });
  engines.push(reader);
  const rel = sourceRelation(await s.parts(source, 'sms_id', fields), { ordinals: false });
  return reader.with(async (c) =>
    (await c.runAndReadAll(`SELECT k, ev, cr, score, text, ids::VARCHAR FROM ${rel} ORDER BY k`))
      .getRows()
      .map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v))),
  );
}

/** the files in the source's folder but its manifest and its parts (a push's rows staged as JSON, say) */
async function strays(s: OfflineStore): Promise<string[]> {
  const { parts } = await s.parts(source, 'sms_id', fields);
  const dir = s.sourceDir(source);
  const listed = new Set(parts.map((p) => basename(p.path)));
  return readdirSync(dir).filter((f) => !listed.has(f) && !f.startsWith('_parts'));
}

const expected = [
  ['a', Date.UTC(2021, 0, 1) * 1000, Date.UTC(2021, 0, 2) * 1000, 0.5, 'x\uFFFDy', '[1, 2]'],
  ['b', Date.UTC(2021, 0, 3) * 1000, 0, null, null, '[]'],
];

describe('pushed parts', () => {
  it('DuckDB writes them, a lone surrogate made well-formed, no list an empty one', async () => {
    const s = store();
    await s.appendPart(source, 'sms_id', fields, rows);
    expect(await readBack(s)).toEqual(expected);
  });

  it('a part holds the rows in the order pushed, though DuckDB reads them on two threads; nothing else is left', async () => {
    const s = store('256MB', undefined, 2);
    const n = 20_000;
    // keys out of sorted order, so that neither a sort nor the threads' order gives the push's
    const keys = Array.from({ length: n }, (_, i) => `k${(i * 7919) % n}`);
    const many = keys.map((k, i) => ({ entityKey: k, eventTs: Date.UTC(2021, 0, 1), createdTs: 0, values: { score: i, text: k, ids: [i] } }));
    await s.appendPart(source, 'sms_id', fields, many);
    const [part] = (await s.parts(source, 'sms_id', fields)).parts;
    const inFile = await s.engine.with(async (c) =>
      (await c.runAndReadAll(`SELECT sms_id FROM read_parquet('${part.path}', file_row_number = true) ORDER BY file_row_number`)).getRows().map((r) => r[0]),
    );
    expect(inFile).toEqual(keys);
    expect(await strays(s)).toEqual([]);
  });

  it("keeps the push's order whatever its columns are called: a feature, a join key or a timestamp column named n", async () => {
    // every column descends as pushed: a part sorted by any of them instead comes out reversed
    const day = (d: number) => Date.UTC(2021, 0, d);
    const pushed = [3, 2, 1].map((d) => ({ entityKey: `k${d}`, eventTs: day(d), createdTs: day(d), values: { n: d, staged: `s${d}` } }));
    const named = [
      { key: 'sms_id', fields: [{ name: 'n', dtype: 'Float64' }], at: source },
      { key: 'sms_id', fields: [{ name: 'N', dtype: 'Int64' }], at: source },
      { key: 'sms_id', fields: [{ name: 'staged', dtype: 'String' }], at: source },
      { key: 'n', fields: [{ name: 'staged', dtype: 'String' }], at: source },
      { key: 'sms_id', fields: [{ name: 'staged', dtype: 'String' }], at: { ...source, timestampField: 'n' } },
      { key: 'sms_id', fields: [{ name: 'staged', dtype: 'String' }], at: { ...source, createdTimestampColumn: 'N' } },
    ] as const;
    for (const { key, fields: f, at } of named) {
      const s = store('256MB', undefined, 2);
      const rowsOf = pushed.map((r) => ({ ...r, values: Object.fromEntries(f.map((x) => [x.name, x.name === 'staged' ? r.values.staged : r.values.n])) }));
      await s.appendPart(at, key, f.map((x) => ({ ...x, description: '' })) as FieldDef[], rowsOf);
      const [part] = (await s.parts(at, key, [])).parts;
      const inFile = await s.engine.with(async (c) =>
        (await c.runAndReadAll(`SELECT "${key}" FROM read_parquet('${part.path}', file_row_number = true) ORDER BY file_row_number`))
          .getRows()
          .map((r) => r[0]),
      );
      expect(inFile, `${key} / ${f[0].name} / ${at.timestampField} / ${at.createdTimestampColumn}`).toEqual(['k3', 'k2', 'k1']);
    }
  });

  it('a row over 16 MB (read_json refuses one unless told) is written whole', async () => {
    const s = store();
    const text = 'é'.repeat(9_000_000); // 18 MB of UTF-8
    await s.appendPart(source, 'sms_id', fields, [rows[1], { ...rows[0], values: { ...rows[0].values, text } }]);
    const back = await readBack(s);
    expect(back.map((r) => (r[4] as string | null)?.length ?? null)).toEqual([text.length, null]);
    expect(back[0][4] === text).toBe(true);
  });

  it('a full disk fails the push naming the file it could not write, and leaves nothing behind', async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip(); // needs root to mount a tmpfs
    const t = tempDir('push-parts-full-');
    cleanups.push(t.remove);
    const disk = join(t.dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk], { stdio: 'pipe' });
    cleanups.unshift(() => execFileSync('umount', [disk], { stdio: 'pipe' }));
    const engine = new DuckEngine({ memoryLimit: '256MB', threads: 1, spillDir: join(t.dir, 'spill') });
    engines.push(engine);
    const s = new OfflineStore(join(disk, 'offline'), engine);
    // about 2 MB of JSON: more than the disk holds
    const many = Array.from({ length: 5_000 }, (_, i) => ({
      entityKey: `k${i}`,
      eventTs: 0,
      createdTs: 0,
      values: { score: i, text: 'x'.repeat(300), ids: [i] },
    }));
    const failed = await s.appendPart(source, 'sms_id', fields, many).catch((e: NodeJS.ErrnoException) => e);
    expect(failed).toMatchObject({
      code: 'ENOSPC',
      message: expect.stringMatching(/writing a push's rows for DuckDB to .*\/pushes\/\.part-[^/]+\.rows\.json\.tmp/),
    });
    expect(readdirSync(s.sourceDir(source))).toEqual([]);
    expect(await s.partCount(source)).toBe(0);
  });

  it('DuckDB loads but cannot open its instance: parquetjs-lite writes the part, read back the same', async () => {
    const t = tempDir('push-parts-file-');
    cleanups.push(t.remove);
    const notADir = join(t.dir, 'a-file');
    writeFileSync(notADir, 'x');
    const s = store('256MB', join(notADir, 'spill'));
    expect(await s.engine.check()).toMatch(/ENOTDIR|not a directory/);
    await s.appendPart(source, 'sms_id', fields, rows);
    expect(await s.partCount(source)).toBe(1);
    expect(await readBack(s)).toEqual(expected);
  });

  it('DuckDB has no memory left under its limit: parquetjs-lite writes the part', async () => {
    const s = store('1MB');
    // a push large enough that 1 MB of DuckDB's memory cannot write it
    const many = Array.from({ length: 20_000 }, (_, i) => ({
      entityKey: `k${i}`,
      eventTs: Date.UTC(2021, 0, 1) + i,
      createdTs: 0,
      values: { score: i, text: `message number ${i} `.repeat(4), ids: Array.from({ length: 30 }, (_, j) => i + j) },
    }));
    await s.appendPart(source, 'sms_id', fields, many);
    expect(await strays(s)).toEqual([]);
    mkdirSync(join(s.dir, '..', 'reader-spill'), { recursive: true });
    const back = await readBack(s);
    expect(back).toHaveLength(20_000);
    expect(back[0]).toEqual([
      'k0',
      Date.UTC(2021, 0, 1) * 1000,
      0,
      0,
      'message number 0 '.repeat(4),
      `[${Array.from({ length: 30 }, (_, j) => j).join(', ')}]`,
    ]);
  });
});

describe('feature names the offline store keeps for itself', () => {
  const withField = (name: string): RegistryDefinitions => {
    const d = structuredClone(definitionsForStage('2021'));
    d.featureViews[0].schema.push({ name, dtype: 'Float64', description: '' });
    return d;
  };

  it('are refused when applied, naming the view and the field', () => {
    const view = definitionsForStage('2021').featureViews[0].name;
    for (const name of ['k', 'EV', 'cr', 'o', 'idx', 'ts', '__proto__'])
      expect(validateDefinitions(withField(name))).toContainEqual(
        expect.stringMatching(new RegExp(`feature view "${view}": field "${name}" is a name the offline store keeps`)),
      );
    expect(validateDefinitions(withField('sms_id'))).toContainEqual(expect.stringContaining('has the name of the join key of entity'));
    expect(validateDefinitions(withField('event_timestamp'))).toContainEqual(expect.stringContaining('has the name of the timestamp field of source'));
    expect(validateDefinitions(definitionsForStage('2021'))).toEqual([]);
  });
});

describe('values beyond their column type', () => {
  it('an entity key with a lone surrogate is refused naming the field (DuckDB failed on it writing the part)', async () => {
    const { testEngines } = await import('../testing/fixtures');
    const { engines, cleanup } = await testEngines();
    try {
      await engines.features.apply(definitionsForStage('2021'), '2021');
      const smss2 = await engines.features.fileSource('smss2');
      const before = await engines.features.offline.partCount(smss2);
      const df = (id: string) => ({ sms_id: ['ok', id], event_timestamp: ['2021-09-02', '2021-09-02'], features: [Array(30).fill(1), Array(30).fill(2)] });
      await expect(engines.features.push('smss2_push', df('x\uD800'), 'online_and_offline')).rejects.toThrow(
        /df\.sms_id\[1\]: expected an id of well-formed text, got one with a lone surrogate/,
      );
      expect(await engines.features.offline.partCount(smss2)).toBe(before);
      expect((await engines.features.getOnlineFeatures({ features: ['sms_features2:features'], entities: { sms_id: ['ok'] } })).results[1].statuses).toEqual([
        'NOT_FOUND',
      ]); // nothing of the batch written
      await engines.features.push('smss2_push', df('x\uD83D\uDE00'), 'online_and_offline');
      expect(await engines.features.offline.partCount(smss2)).toBe(before + 1);
    } finally {
      await cleanup();
    }
  });

  it('a Float32 beyond ±3.4e38 is refused naming the field (its part cast failed: a 500)', async () => {
    const { testEngines } = await import('../testing/fixtures');
    const { engines, cleanup } = await testEngines();
    try {
      const d = structuredClone(definitionsForStage('2021'));
      const view = d.featureViews.find((v) => v.name === 'sms_features2');
      view?.schema.push({ name: 'score', dtype: 'Float32', description: '' });
      await engines.features.apply(d, '2021');
      const smss2 = await engines.features.fileSource('smss2');
      const before = await engines.features.offline.partCount(smss2);
      const df = (score: number) => ({ sms_id: ['f32'], event_timestamp: ['2021-09-02'], features: [Array(30).fill(1)], score: [score] });
      await expect(engines.features.push('smss2_push', df(1e39), 'online_and_offline')).rejects.toThrow(
        /df\.score\[0\]: expected a finite number within Float32 range \(±3\.4e38\) for Float32 field "score", got/,
      );
      expect(await engines.features.offline.partCount(smss2)).toBe(before);
      await engines.features.push('smss2_push', df(-3.4e38), 'online_and_offline');
      expect(await engines.features.offline.partCount(smss2)).toBe(before + 1);
    } finally {
      await cleanup();
    }
  });
});
