/**
 * Lineage, run names and tags, the registry searched and versions compared, over real HTTP on the
 * project's sample: what a version records at registration, what the routes refuse (by field).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { appRoot } from '../config';
import { sampleServer } from '../testing/fixtures';
import type { ImportJob } from '../../src-shared/data';

let engines: Engines;
let base: string;
let close: () => Promise<void>;

const send = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
};
const post = (path: string, body: unknown) => send('POST', path, body);
const get = (path: string) => send('GET', path);

const job = (id: string, status: ImportJob['status'], finishedAt: string | undefined, inserted: number, createdAt = '2026-01-01T00:00:00.000Z'): ImportJob => ({
  id,
  createdAt,
  ...(finishedAt ? { finishedAt } : {}),
  source: { kind: 'file', name: `${id}.csv`, format: 'seed-csv' },
  status,
  steps: [],
  report: { read: inserted, inserted, duplicates: 0, duplicateIds: [], problemCount: 0, problems: [], labels: { ham: inserted, spam: 0 }, files: {} },
});

/** two forests that differ in their number of trees, and an LSTM: named, tagged, registered */
let forestA: { run: string; version: string };
let forestB: { run: string; version: string };
let lstm: { run: string; version: string };

beforeAll(async () => {
  ({ engines, base, close } = await sampleServer({ train: false }));
  await engines.storage.imports.put(job('imp-20260101-done', 'succeeded', '2026-01-01T00:01:00.000Z', 120));
  await engines.storage.imports.put(job('imp-20260102-failed', 'failed', '2026-01-02T00:01:00.000Z', 0));
  // failed while reading, having stored nothing (a file of another encoding, a line too long)
  await engines.storage.imports.put({
    ...job('imp-20260102-readfailed', 'failed', '2026-01-02T00:02:00.000Z', 0),
    steps: [{ key: 'read', label: 'Rows imported into the warehouse', status: 'failed', detail: 'not UTF-8' }],
  });
  await engines.storage.imports.put(job('imp-29990101-later', 'succeeded', '2999-01-01T00:01:00.000Z', 5));
  // stopped partway (killed) with rows stored, and one begun after every run here
  await engines.storage.imports.put(job('imp-20260103-killed', 'failed', '2026-01-03T00:01:00.000Z', 60));
  await engines.storage.imports.put(job('imp-29990102-after', 'succeeded', '2999-01-02T00:01:00.000Z', 7, '2999-01-02T00:00:00.000Z'));
  const start = async (body: unknown) => {
    const r = await post('/runs', body);
    expect(r.status).toBe(202);
    const done = await engines.runs.wait(r.body.id);
    expect(done.status, done.error).toBe('succeeded');
    return { run: done.id, version: done.version! };
  };
  forestA = await start({ model: 'v1', name: 'few trees', tags: ['lineage', 'small'], params: { nEstimators: 5, seed: 1 } });
  forestB = await start({ model: 'v1', name: 'more trees', tags: ['lineage', 'small', 'small'], params: { nEstimators: 12, seed: 1 } });
  lstm = await start({ model: 'v2', tags: ['lstm'], params: { epochs: 1 } });
}, 600_000);
afterAll(async () => close());

describe('a run has a name and tags', () => {
  it('refuses a name over 80 characters, more than 10 tags and a tag that is not [a-z0-9._-]{1,32}, naming the field', async () => {
    const name = await post('/runs', { model: 'v1', name: 'x'.repeat(81) });
    expect(name.status).toBe(400);
    expect(name.body).toMatchObject({ error: 'validation_error', field: 'body.name' });
    const many = await post('/runs', { model: 'v1', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) });
    expect(many.status).toBe(400);
    expect(many.body.field).toBe('body.tags');
    const bad = await post('/runs', { model: 'v1', tags: ['ok', 'Not OK'] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.tags.1');
    expect(bad.body.detail).toMatch(/a-z/);
    expect((await post('/runs', { model: 'v1', tags: ['x'.repeat(33)] })).body.field).toBe('body.tags.0');
    // and the same on the run afterwards; nothing was queued by the refusals
    expect((await post(`/runs/${forestA.run}/labels`, { add: ['UPPER'] })).body.field).toBe('body.add.0');
    expect((await post(`/runs/${forestA.run}/labels`, { name: 'y'.repeat(81) })).body.field).toBe('body.name');
    expect((await post(`/runs/${forestA.run}/labels`, { colour: 'red' })).status).toBe(400);
    expect((await post('/runs/run-nope/labels', { name: 'x' })).status).toBe(404);
    expect(engines.runs.list().filter((r) => r.status === 'queued')).toHaveLength(0);
  });

  it('keeps them on the run (tags once each) and shows them on its version', async () => {
    const r = (await get(`/runs/${forestB.run}`)).body;
    expect(r).toMatchObject({ name: 'more trees', tags: ['lineage', 'small'] });
    const v = (await get(`/models/v1/versions/${forestB.version}`)).body;
    expect(v.run).toEqual({ id: forestB.run, name: 'more trees', tags: ['lineage', 'small'] });
  });

  it('edits them later: tags added and removed, more than 10 refused, an empty name removes it; the version follows', async () => {
    const edited = await post(`/runs/${forestA.run}/labels`, { name: 'few trees, seed 1', add: ['baseline'], remove: ['small'] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'few trees, seed 1', tags: ['lineage', 'baseline'] });
    const full = await post(`/runs/${forestA.run}/labels`, { add: Array.from({ length: 9 }, (_, i) => `x${i}`) });
    expect(full.status).toBe(400);
    expect(full.body.field).toBe('tags');
    expect((await get(`/models/v1/versions/${forestA.version}`)).body.run).toEqual({
      id: forestA.run,
      name: 'few trees, seed 1',
      tags: ['lineage', 'baseline'],
    });
    const unnamed = await post(`/runs/${lstm.run}/labels`, { name: '', tags: ['lstm', 'one-epoch'] });
    expect(unnamed.body.name).toBeUndefined();
    expect((await get(`/models/v2/versions/${lstm.version}`)).body.run).toEqual({ id: lstm.run, tags: ['lstm', 'one-epoch'] });
  });
});

describe('the lineage of a version, recorded at registration', () => {
  it('names the feature service and registry version, the imports finished before the run, the code; no tokenizer for a forest', async () => {
    const v = (await get(`/models/v1/versions/${forestA.version}`)).body;
    const registryVersion = (await engines.features.registry.current())!.version;
    let commit: string | null = null;
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: appRoot(), encoding: 'utf8' }).trim();
    } catch {
      commit = null;
    }
    const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string };
    expect(v.lineage).toMatchObject({
      tokenizerFingerprint: null,
      featureService: v.params.featureService,
      registryVersion,
      code: { version: pkg.version, commit },
    });
    const ids = v.lineage.imports.map((i: { id: string }) => i.id);
    expect(ids).toContain('imp-20260101-done');
    // failed with nothing stored, and begun after the run: not in its data
    expect(ids).not.toContain('imp-20260102-failed');
    expect(ids).not.toContain('imp-20260102-readfailed');
    expect(ids).not.toContain('imp-29990102-after');
    expect(v.lineage.imports.find((i: { id: string }) => i.id === 'imp-20260101-done')).toEqual({
      id: 'imp-20260101-done',
      source: 'imp-20260101-done.csv',
      finishedAt: '2026-01-01T00:01:00.000Z',
      inserted: 120,
      status: 'succeeded',
    });
    // the rows of an import stopped partway, and of one under way as the run started, may be in its data: named, saying so
    expect(v.lineage.imports.find((i: { id: string }) => i.id === 'imp-20260103-killed')).toEqual({
      id: 'imp-20260103-killed',
      source: 'imp-20260103-killed.csv',
      finishedAt: '2026-01-03T00:01:00.000Z',
      inserted: 60,
      status: 'failed',
    });
    expect(v.lineage.imports.find((i: { id: string }) => i.id === 'imp-29990101-later')).toEqual({
      id: 'imp-29990101-later',
      source: 'imp-29990101-later.csv',
      inserted: 5,
      status: 'running',
    });
    // the data snapshot as before, beside it
    expect(v.data.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("records the LSTM's tokenizer fingerprint: the vocabulary it was trained with", async () => {
    const v = (await get(`/models/v2/versions/${lstm.version}`)).body;
    expect(v.lineage.tokenizerFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(v.lineage.tokenizerFingerprint).toBe(engines.tokenizers.get().fingerprint());
  });

  it('is absent on a version registered before lineage (the console says "not recorded")', async () => {
    const stored = (await engines.storage.models.get('v1', forestB.version))!;
    const { lineage: _gone, ...old } = stored;
    await engines.storage.models.put({ ...old, version: '77', dir: 'v1/77' });
    const v = (await get('/models/v1/versions/77')).body;
    expect(v.lineage).toBeUndefined();
    expect(v.version).toBe('77');
    await engines.storage.models.delete('v1', '77');
  });
});

describe('the registry searched', () => {
  it('by model, alias and tag', async () => {
    const lineage = (await get('/model-versions?tag=lineage')).body as { name: string; version: string }[];
    expect(lineage.map((v) => `${v.name}/${v.version}`).sort()).toEqual([`v1/${forestA.version}`, `v1/${forestB.version}`].sort());
    expect((await get('/model-versions?tag=lstm&model=v1')).body).toEqual([]);
    await post('/models/v1/aliases', { alias: 'staging', version: forestB.version });
    const staged = (await get('/model-versions?model=v1&alias=staging')).body as { version: string }[];
    expect(staged.map((v) => v.version)).toEqual([forestB.version]);
  });

  it('by a metric on the shared evaluation set, each hit with its value', async () => {
    const all = (await get('/model-versions?model=v1&metric=accuracy')).body as {
      version: string;
      evaluated: { value: number; set: string; messages: number };
    }[];
    expect(all).toHaveLength(2);
    for (const h of all) {
      expect(h.evaluated).toMatchObject({ set: 'holdout-fnv1a-20', messages: 42 });
      const e = (await get(`/models/v1/versions/${h.version}/evaluation`)).body;
      expect(h.evaluated.value).toBeCloseTo(e.atThreshold.accuracy, 12);
    }
    const best = Math.max(...all.map((h) => h.evaluated.value));
    const above = (await get(`/model-versions?model=v1&metric=accuracy&min=${best}`)).body as { evaluated: { value: number } }[];
    expect(above.length).toBeGreaterThanOrEqual(1);
    expect(above.every((h) => h.evaluated.value >= best)).toBe(true);
    expect((await get('/model-versions?model=v1&metric=f1&min=1.0')).body.every((h: { evaluated: { value: number } }) => h.evaluated.value === 1)).toBe(true);
  });

  it('refuses a bad filter by name', async () => {
    expect((await get('/model-versions?min=0.9')).body).toMatchObject({ field: 'querystring.metric' });
    const min = await get('/model-versions?metric=accuracy&min=1.5');
    expect(min.status).toBe(400);
    expect(min.body.field).toBe('querystring.min');
    const metric = await get('/model-versions?metric=speed');
    expect(metric.status).toBe(400);
    expect(metric.body.field).toBe('querystring.metric');
    expect((await get('/model-versions?tag=Bad%20Tag')).body.field).toBe('querystring.tag');
    expect((await get('/model-versions?colour=red')).status).toBe(400);
  });
});

describe('versions compared', () => {
  it('side by side: parameters with the differing ones marked, metrics and PR curves on the shared set, their runs', async () => {
    const c = await get(`/models/v1/compare?versions=${forestA.version},${forestB.version}`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ name: 'v1', set: 'holdout-fnv1a-20', messages: 42 });
    expect(c.body.versions.map((v: { version: string }) => v.version)).toEqual([forestA.version, forestB.version]);
    const trees = c.body.params.find((p: { key: string }) => p.key === 'nEstimators');
    expect(trees).toEqual({ key: 'nEstimators', values: [5, 12], differs: true });
    expect(c.body.params.find((p: { key: string }) => p.key === 'seed')).toEqual({ key: 'seed', values: [1, 1], differs: false });
    expect(c.body.params.filter((p: { differs: boolean }) => p.differs).map((p: { key: string }) => p.key)).toEqual(['nEstimators']);
    for (const [i, v] of c.body.versions.entries()) {
      const e = (await get(`/models/v1/versions/${v.version}/evaluation`)).body;
      expect(v.metrics.averagePrecision).toBe(e.averagePrecision);
      expect(v.metrics.rocAuc).toBe(e.rocAuc);
      expect(v.metrics.accuracy).toBeCloseTo(e.atThreshold.accuracy, 12);
      expect(v.pr.precision.length).toBe(v.pr.recall.length);
      expect(v.pr.recall.length).toBeGreaterThan(1);
      expect(v.run.id).toBe([forestA.run, forestB.run][i]);
      expect(v.epochs.length).toBeGreaterThanOrEqual(1);
    }
    expect(c.body.versions[1].run.name).toBe('more trees');
  });

  it('refuses fewer than 2 or more than 4 versions, a version twice, and answers 404 for one that is not there', async () => {
    for (const q of ['1', '1,2,3,4,5', 'a,b', '']) {
      const r = await get(`/models/v1/compare?versions=${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.field, q).toBe('querystring.versions');
      expect(r.body.detail, q).toMatch(/2 to 4 version numbers/);
    }
    expect((await get('/models/v1/compare')).body.field).toBe('querystring.versions');
    const twice = await get(`/models/v1/compare?versions=${forestA.version},${forestA.version}`);
    expect(twice.status).toBe(400);
    expect(twice.body.detail).toMatch(/twice/);
    const missing = await get(`/models/v1/compare?versions=${forestA.version},999`);
    expect(missing.status).toBe(404);
    expect(missing.body.known).toContain(forestA.version);
  });
});
