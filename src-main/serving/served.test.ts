/** Which model ids answer on /model/{v}/…: the seed's SPAM_MODEL_VERSIONS, model ids of your own included. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { sampleServer } from '../testing/fixtures';
import { parseServedNames } from './served';

describe('SPAM_MODEL_VERSIONS', () => {
  it('defaults to v1, v2, v3 and takes model ids of your own', () => {
    expect(parseServedNames(undefined)).toEqual(['v1', 'v2', 'v3']);
    expect(parseServedNames('')).toEqual(['v1', 'v2', 'v3']);
    expect(parseServedNames('v3, tc-01,v3')).toEqual(['v3', 'tc-01']);
  });

  it('refuses what is not a model id, naming the variable and the value', () => {
    expect(() => parseServedNames('v1,../etc')).toThrow(/SPAM_MODEL_VERSIONS: "\.\.\/etc" is not a model id/);
    expect(() => parseServedNames(`v1,${'x'.repeat(41)}`)).toThrow(/at most 40/);
    // commas only: it started and served nothing
    expect(() => parseServedNames(',,')).toThrow('SPAM_MODEL_VERSIONS: no model id in ",,"');
  });
});

describe('a model id of your own on /model/{v}', () => {
  let engines: Engines;
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    // SPAM_MODEL_VERSIONS=v1,my-forest
    ({ engines, base, close } = await sampleServer({ train: false, config: { servedModels: 'v1,my-forest' } }));
  });
  afterAll(async () => {
    await close?.();
  });
  const post = (path: string, body: unknown) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers 503 with how to train it, then serves it once trained; unlisted ids stay 404', async () => {
    const before = await post('/model/my-forest/text_to_prediction', { text: 'WIN a FREE prize now' });
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ error: 'model_not_trained', detail: expect.stringMatching(/"base": "v3"/) });

    const run = await engines.runs.wait((await engines.runs.start({ model: 'my-forest', base: 'v1' })).id);
    expect(run.status).toBe('succeeded');
    const features = await (await post('/model/my-forest/text_to_features', { text: 'I have a dream' })).json();
    expect(features.features).toEqual([1 / 11, 0, 0, 0, 0, 0, 0, 0, 0]); // its base's extractor (v1)
    const p = await post('/model/my-forest/text_to_prediction', { text: 'WIN a FREE prize now' });
    expect(p.status).toBe(200);
    const body = await p.json();
    expect(body.prediction.ham + body.prediction.spam).toBeCloseTo(1, 6);

    const stats = await (await fetch(`${base}/serving/stats`)).json();
    expect(stats.served.map((s: { name: string }) => s.name)).toEqual(['v1', 'my-forest']);
    expect((await post('/model/v2/text_to_prediction', { text: 'hi' })).status).toBe(404);
  });
});
