/** The shared evaluation set, PR/ROC curves, the decision threshold per version and guarded promotion, over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { sampleServer } from '../testing/fixtures';
import { pickThreshold, promote, type EvaluationScores, type VersionEvaluations } from '../serving';
import { AliasMovedError } from '../storage';
import { computeCurves } from '../../src-shared/curves';

let engines: Engines;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ engines, base, close } = await sampleServer());
});
afterAll(async () => close());

const post = async (path: string, body: unknown) => {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
};
const get = async (path: string) => (await fetch(base + path)).json();

describe('every version on the shared evaluation set', () => {
  it('answers its PR and ROC curves and its confusion matrix at 0.5, on the same 42 messages for every model', async () => {
    const sizes = new Set<number>();
    for (const name of ['v1', 'v2', 'v3']) {
      const v = (await engines.models.resolve(name))!;
      const e = await get(`/models/${name}/versions/${v.version}/evaluation`);
      expect(e).toMatchObject({ name, version: v.version, set: 'holdout-fnv1a-20', messages: 42, trainedOn: false });
      sizes.add(e.messages);
      expect(e.rocAuc).toBeGreaterThan(0.5);
      expect(e.averagePrecision).toBeGreaterThan(0);
      expect(e.pr.precision.length).toBe(e.pr.recall.length);
      expect(e.pr.recall.at(-1)).toBe(0);
      expect(e.roc.fpr[0]).toBe(0);
      expect(e.atThreshold.threshold).toBe(0.5);
      expect(e.atThreshold.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(42);
      expect(e.atThreshold.confusion[1][0] + e.atThreshold.confusion[1][1]).toBe(e.spam);
    }
    expect(sizes.size).toBe(1);
  });
});

describe('the decision threshold of a version', () => {
  it('refuses a request that does not choose exactly one way, naming the fields', async () => {
    const v = (await engines.models.resolve('v2'))!;
    const both = await post(`/models/v2/versions/${v.version}/threshold`, { precision: 0.9, recall: 0.5 });
    expect(both.status).toBe(400);
    expect(both.body.field).toBe('precision, recall');
    const none = await post(`/models/v2/versions/${v.version}/threshold`, {});
    expect(none.status).toBe(400);
    expect((await post(`/models/v2/versions/${v.version}/threshold`, { precision: 1.5 })).status).toBe(400);
    expect((await post('/models/v2/versions/999/threshold', { f1: true })).status).toBe(404);
  });

  it('is used by serving (the top label, cached answers too) and kept as events on the version', async () => {
    const v = (await engines.models.resolve('v2'))!;
    const text = 'WINNER! You have won a free prize, call now to claim';
    const ask = async (skip_cache: boolean) => (await post('/model/v2/text_to_prediction', { text, skip_cache })).body;
    const before = await ask(true);
    await ask(false); // cached at the old threshold
    const s = before.prediction.spam as number;
    const above = Math.min(1, s + 1e-9);
    const set1 = await post(`/models/v2/versions/${v.version}/threshold`, { threshold: above, note: 'stricter' });
    expect(set1.status).toBe(200);
    expect(set1.body.threshold).toMatchObject({
      value: above,
      rule: { by: 'fixed', threshold: above },
      note: 'stricter',
      set: 'holdout-fnv1a-20',
      messages: 42,
    });
    await expect.poll(async () => (await ask(false)).top.label, { timeout: 30_000 }).toBe(s >= above ? 'spam' : 'ham');
    const set2 = await post(`/models/v2/versions/${v.version}/threshold`, { threshold: s });
    expect(set2.body.thresholdHistory).toHaveLength(2);
    await expect.poll(async () => (await ask(false)).top.label, { timeout: 30_000 }).toBe('spam');
    // the seed's /prediction ranks the verdict at the threshold first
    const ranked = await post('/prediction', { model_id: 'v2', text });
    expect(ranked.body.predictions[0].label).toBe('spam');
  });

  it('best F1 and a target recall are chosen on the evaluation set and answered with what they give there', async () => {
    const v = (await engines.models.resolve('v3'))!;
    const f1 = await post(`/models/v3/versions/${v.version}/threshold`, { f1: true });
    expect(f1.status).toBe(200);
    const e = await get(`/models/v3/versions/${v.version}/evaluation`);
    expect(e.threshold.value).toBe(f1.body.threshold.value);
    expect(e.atThreshold.f1).toBeCloseTo(f1.body.threshold.f1, 12);
    expect(e.atThreshold.f1).toBeGreaterThanOrEqual(e.atDefault.f1);
    const r = await post(`/models/v3/versions/${v.version}/threshold`, { recall: 1 });
    expect(r.body.threshold.recall).toBe(1);
    expect((await get(`/models/v3/versions/${v.version}/evaluation`)).atThreshold.confusion[1][0]).toBe(0); // no spam missed
  });
});

describe('guarded promotion, alias history and rollback', () => {
  it('refuses a worse candidate unless confirmed, records every move with its note, and rolls back', async () => {
    const holder = (await engines.models.resolve('v2'))!;
    expect(holder.aliases).toContain('production');
    const run = await engines.runs.wait((await engines.runs.start({ model: 'v2', params: { epochs: 1 } })).id);
    expect(run.status).toBe('succeeded');
    const cand = run.version!;
    // a threshold above every score flags nothing: F1 0, worse than the holder's
    expect((await post(`/models/v2/versions/${cand}/threshold`, { threshold: 1 })).status).toBe(200);
    const check = await get(`/models/v2/versions/${cand}/promotion-check`);
    expect(check).toMatchObject({
      alias: 'production',
      metric: 'f1',
      candidate: { version: cand, value: 0 },
      holder: { version: holder.version },
      worse: true,
      messages: 42,
    });
    expect(check.holder.value).toBeGreaterThan(0);

    const refused = await post('/models/v2/aliases', { alias: 'production', version: cand, guard: 'f1', note: 'try' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'worse_than_holder', field: 'version', check: { worse: true } });
    expect(refused.body.detail).toMatch(new RegExp(`v2 version ${cand} is worse than version ${holder.version} \\(production\\) on f1: 0.0000 against`));
    expect((await engines.models.resolve('v2'))!.version).toBe(holder.version); // nothing moved

    const forced = await post('/models/v2/aliases', { alias: 'production', version: cand, guard: 'f1', confirm: true, note: 'for the demo' });
    expect(forced.status).toBe(200);
    expect((await engines.models.resolve('v2'))!.version).toBe(cand);
    const back = await post('/models/v2/aliases/production/rollback', {});
    expect(back.status).toBe(200);
    expect(back.body.version).toBe(holder.version);
    expect(back.body.aliases).toContain('production');
    const history = await get('/models/v2/aliases/history?alias=production');
    expect(history.slice(-2)).toMatchObject([
      { alias: 'production', from: holder.version, to: cand, note: 'for the demo' },
      { alias: 'production', from: cand, to: holder.version, note: `rollback from version ${cand}` },
    ]);
    expect(Date.parse(history.at(-1).at)).toBeGreaterThan(0);
    const none = await post('/models/v2/aliases/staging/rollback', {});
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ error: 'nothing_to_roll_back', field: 'alias' });
  });
});

describe('a run that trains the same weights again', () => {
  it('registers no new version and links to the existing one', async () => {
    const before = (await engines.models.list('v1')).map((v) => v.version);
    const again = await engines.runs.wait((await engines.runs.start({ model: 'v1' })).id);
    expect(again.status).toBe('succeeded');
    expect(again.duplicateOf).toBe(before[0]);
    expect(again.version).toBe(before[0]);
    expect((await engines.models.list('v1')).map((v) => v.version)).toEqual(before);
    const answered = await get(`/runs/${again.id}`);
    expect(answered.duplicateOf).toBe(before[0]);
  });
});

describe('choosing a threshold that no point reaches', () => {
  it('is refused naming the field and the best there is', () => {
    const labels = Uint8Array.from([1, 0, 1, 0]);
    const scores = Float64Array.from([0.9, 0.95, 0.2, 0.1]);
    const e: EvaluationScores = { set: 's', ids: ['a', 'b', 'c', 'd'], labels, scores, curves: computeCurves(labels, scores), trainedOn: false };
    expect(() => pickThreshold(e, { by: 'precision', target: 0.99 })).toThrow(/precision: no threshold reaches 0.99 .* the best precision is 0.6667/);
    expect(pickThreshold(e, { by: 'precision', target: 0.6 }).value).toBe(0.2);
  });
});

describe('promotions decided on what the alias held', () => {
  /** a v2 version trained for one epoch, with these params */
  const trained = async (params: Record<string, unknown> = {}) => {
    const run = await engines.runs.wait((await engines.runs.start({ model: 'v2', params: { epochs: 1, ...params } })).id);
    expect(run.status).toBe('succeeded');
    return run.version!;
  };

  it('refuses a candidate trained on the evaluation set it is judged on, unless confirmed', async () => {
    const cand = await trained({ trainOnEvaluation: true, seed: 7 });
    const check = await get(`/models/v2/versions/${cand}/promotion-check`);
    expect(check).toMatchObject({ candidate: { version: cand, trainedOn: true }, flattered: true });
    expect(check.holder.trainedOn).not.toBe(true);
    const before = (await engines.models.resolve('v2'))!.version;
    const refused = await post('/models/v2/aliases', { alias: 'production', version: cand, guard: 'f1' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'trained_on_evaluation_set', field: 'version', check: { flattered: true } });
    expect(refused.body.detail).toMatch(new RegExp(`v2 version ${cand} was trained on the evaluation set holdout-fnv1a-20 it is judged on`));
    expect((await engines.models.resolve('v2'))!.version).toBe(before);
    const confirmed = await post('/models/v2/aliases', { alias: 'production', version: cand, guard: 'f1', confirm: true, note: 'knowingly' });
    expect(confirmed.status).toBe(200);
    expect((await engines.models.resolve('v2'))!.version).toBe(cand);
    // back to a fair holder for the next tests
    expect((await post('/models/v2/aliases', { alias: 'production', version: before })).status).toBe(200);
  });

  it('never undoes a move made while its check ran', async () => {
    const holder = (await engines.models.resolve('v2'))!.version;
    const cand = await trained({ seed: 11 });
    const operators = await trained({ seed: 12 });
    // the check waits until the operator's move is made
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const gated = {
      evaluate: async (v: never) => {
        await gate;
        return engines.evaluations.evaluate(v);
      },
    } as unknown as VersionEvaluations;
    const guarded = promote(engines.models, gated, 'v2', 'production', cand, { guard: 'f1', confirm: true, note: 'guarded' });
    await new Promise((r) => setTimeout(r, 50));
    await engines.models.setAlias('v2', 'production', operators, 'the operator');
    release();
    const e = await guarded.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(AliasMovedError);
    expect((e as Error).message).toMatch(new RegExp(`alias production moved to version ${operators} since it was read \\(it was version ${holder}\\)`));
    expect((await engines.models.resolve('v2'))!.version).toBe(operators);
    const history = await get('/models/v2/aliases/history?alias=production');
    expect(history.at(-1)).toMatchObject({ from: holder, to: operators, note: 'the operator' });
    // back to the holder for the next test
    const now = await post('/models/v2/aliases/production/rollback', {});
    expect(now.body.version).toBe(holder);
  });

  it('rolls back once when asked twice at once (a double click): the second is refused, not undone', async () => {
    const holder = (await engines.models.resolve('v2'))!.version;
    const cand = (await engines.models.list('v2')).map((v) => v.version).find((v) => v !== holder)!;
    await engines.models.setAlias('v2', 'production', cand, 'to roll back');
    const both = await Promise.allSettled([engines.models.rollback('v2', 'production'), engines.models.rollback('v2', 'production')]);
    expect(both.map((b) => b.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both.find((b) => b.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(AliasMovedError);
    expect((await engines.models.resolve('v2'))!.version).toBe(holder);
    const history = await get('/models/v2/aliases/history?alias=production');
    expect(history.at(-1)).toMatchObject({ from: cand, to: holder, note: `rollback from version ${cand}` });
    expect(history.at(-2)).toMatchObject({ from: holder, to: cand });
  });
});

describe('training a new model id', () => {
  it('starts one run when the same request comes five times at once; the others are told it is on its way', async () => {
    const body = { id: 'race1', base: 'v1', params: { nEstimators: 5 } };
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('/models', body)));
    const started = answers.filter((a) => a.status === 202);
    expect(started).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 202)) {
      expect(a.status).toBe(409);
      expect(a.body.detail).toMatch(new RegExp(`model race1 is being trained already \\(run ${started[0].body.run_id}, (queued|running)\\)`));
    }
    expect((await engines.runs.wait(started[0].body.run_id)).status).toBe('succeeded');
    expect(engines.runs.list().filter((r) => r.model === 'race1')).toHaveLength(1);
    // registered: a new version needs force_update, as before
    expect((await post('/models', body)).body.detail).toMatch(/exists already/);
  });
});
