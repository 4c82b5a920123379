/**
 * Answers computed while the served version changes (a new threshold, a promotion, here or by
 * another process): cached and recorded under the version that computed them, never read for the
 * next one. Found by a hostile probe: an LSTM answer waiting in its micro-batch across a threshold
 * change was cached after the cache was cleared, and every later ask got the old verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { ModelRegistry } from '../models';
import { sampleServer } from '../testing/fixtures';
import { ServedModels } from './served';
import { ServingEndpoints } from './endpoints';
import { thresholdOf, top, type ServedModel } from './models';

let engines: Engines;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ engines, close } = await sampleServer());
}, 300_000);
afterAll(async () => close());

/** what monitoring was given: the answering model's threshold and the score */
type Recorded = { version: string; threshold: number | undefined; spam: number };

/** serving's endpoints over `served`, an LSTM batch gathered for `waitMs` (a wide window for the change) */
function endpointsOver(served: ServedModels, recorded: Recorded[], warned: unknown[], waitMs = 300): ServingEndpoints {
  return new ServingEndpoints({
    served,
    callLog: engines.storage.callLog,
    models: engines.models,
    recordServed: (m, p) => recorded.push({ version: m.version, threshold: thresholdOf(m), spam: p.spam }),
    warn: (e) => warned.push(e),
    batching: { maxWaitMs: waitMs, maxBatch: 1000, offThreadFromMs: 1e9 },
  });
}

const fixed = (value: number) => ({
  value,
  rule: { by: 'fixed' as const, threshold: value },
  setAt: new Date().toISOString(),
  set: 'test',
  messages: 0,
  precision: 0,
  recall: 0,
  f1: 0,
});

/** a threshold that turns `spam`'s verdict at `threshold` over */
const flipping = (spam: number, threshold: number | undefined) =>
  top({ ham: 1 - spam, spam }, threshold).label === 'spam' ? Math.min(1, spam + 1e-6) : Math.max(0, spam - 1e-6);

const settle = () => new Promise((r) => setTimeout(r, 300)); // the cache's write: gathered 20 ms, then committed

describe('an answer computed across a change of the served version', () => {
  it('is not answered, nor recorded, for the threshold that replaced its own', async () => {
    const recorded: Recorded[] = [];
    const warned: unknown[] = [];
    const e = endpointsOver(engines.serving, recorded, warned);
    const before = await engines.serving.get('v3');
    const text = `asked while its version's threshold changes ${Date.now()}`;
    const spam = before.predict([before.textToFeatures(text)])[0].spam;
    const t = flipping(spam, thresholdOf(before));
    // waiting in its batch (300 ms) while the threshold changes and serving reloads
    const first = e.predictText('v3', text, {}, 'caller');
    await engines.models.setThreshold('v3', before.version, fixed(t));
    await engines.serving.refresh('v3');
    const after = engines.serving.current('v3')!;
    expect(thresholdOf(after)).toBe(t);
    const a1 = await first;
    // asked before the change: its verdict at the old threshold, and recorded with it
    expect(a1.top.label).toBe(top({ ham: 1 - spam, spam }, thresholdOf(before)).label);
    expect(recorded.at(-1)).toEqual({ version: before.version, threshold: thresholdOf(before), spam: a1.prediction.spam });
    await settle();
    // asked after it: never the old verdict, from memory or from the stored cache
    for (let i = 0; i < 3; i++) {
      const a = await e.predictText('v3', text, {}, 'caller');
      expect(a.top.label).toBe(top({ ham: 1 - spam, spam }, t).label);
      expect(recorded.at(-1)).toEqual({ version: after.version, threshold: t, spam: a.prediction.spam });
    }
    expect(warned).toEqual([]);
  }, 60_000);

  it('is not answered after a restart when another process promoted a version meanwhile', async () => {
    // a second v1 version that answers differently
    const run = await engines.runs.wait((await engines.runs.start({ model: 'v1', params: { seed: 7, maxDepth: 3 } })).id);
    expect(run.status).toBe('succeeded');
    const old = (await engines.models.resolve('v1'))!;
    const text = `asked while another process promotes ${Date.now()}`;
    // this process serves `old` and has not noticed the promotion yet (its check runs every 3 s)
    const deaf: Pick<ModelRegistry, 'resolve' | 'on' | 'get' | 'list'> = {
      resolve: (n, a) => engines.models.resolve(n, a),
      get: (n, v) => engines.models.get(n, v),
      list: (n) => engines.models.list(n),
      on: () => engines.models,
    };
    const stale = new ServedModels({ models: deaf, cache: engines.storage.cache, tokenizers: engines.tokenizers }, ['v1']);
    await stale.get('v1');
    // another process moves the alias (its own registry: this one hears nothing)
    const other = new ModelRegistry(engines.storage.models, engines.models.modelsDir);
    await other.setAlias('v1', 'production', run.version!);
    const oldAnswer = await endpointsOver(stale, [], []).predictText('v1', text, {}, 'caller');
    expect(oldAnswer.from_cache).toBe(false);
    await settle();
    // restarted: serves the promoted version, and computes its own answer
    const restarted = new ServedModels({ models: deaf, cache: engines.storage.cache, tokenizers: engines.tokenizers }, ['v1']);
    const promoted: ServedModel = await restarted.get('v1');
    expect(promoted.version).toBe(run.version);
    expect(promoted.version).not.toBe(old.version);
    const expected = promoted.predict([promoted.textToFeatures(text)])[0].spam;
    expect(expected).not.toBe(oldAnswer.prediction.spam);
    const a = await endpointsOver(restarted, [], []).predictText('v1', text, {}, 'caller');
    expect(a.from_cache).toBe(false);
    expect(a.prediction.spam).toBe(expected);
  }, 120_000);

  it('drops, at a serving start, the answers an earlier version cached under a model id alone', async () => {
    const cache = engines.storage.cache;
    await cache.set('text_to_prediction', 'v3', '"left by an earlier version"', '{"spam":0.9}');
    await cache.set('text_to_prediction', 'v3@1#run#', '"pinned"', '{"spam":0.8}');
    await engines.serving.dropUnpinnedAnswers();
    expect(await cache.get('text_to_prediction', 'v3', '"left by an earlier version"')).toBeUndefined();
    expect(await cache.get('text_to_prediction', 'v3@1#run#', '"pinned"')).toBe('{"spam":0.8}');
  });
});
