/**
 * Micro-batches against the released v3 (models/v3): concurrent calls answered by fewer predict
 * calls, each row's answer the one it gets alone, a lone call answered within its event-loop turn;
 * and the unknown-word rate serving notes beside the features, kept from their encoding.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../src-shared/training';
import { SAMPLE_DATASET } from '../testing/fixtures';
import { MicroBatcher, type OffThreadRun } from './micro-batcher';
import { OffThreadPredictor } from './off-thread';
import { FeatureVectorError, loadServedModel, type Prediction, type ServedModel } from './models';

const RELEASED_V3 = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'v3');

/** the released v3 as serving loads it (its own tokenizer is beside it) */
function releasedV3(): ServedModel {
  const meta = JSON.parse(readFileSync(join(RELEASED_V3, 'metadata.json'), 'utf8')) as ModelVersion;
  const noDataDirTokenizer = {
    get: () => {
      throw new Error('the released v3 encodes with the tokenizer beside it');
    },
  };
  return loadServedModel({ ...meta, dir: RELEASED_V3 }, noDataDirTokenizer as never);
}

/** the sample's first `n` distinct texts */
function sampleTexts(n: number): string[] {
  const texts = readFileSync(SAMPLE_DATASET, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').slice(1, -1).join(','))
    .filter((t) => t.length > 0);
  return [...new Set(texts)].slice(0, n);
}

/** resolves with 'timer' after a 1 ms timer: what a batcher waiting on a timer would lose to */
const oneMsTimer = () => new Promise<'timer'>((resolve) => setTimeout(() => resolve('timer'), 1));

let model: ServedModel;
let rows: number[][];
let alone: Prediction[];
beforeAll(() => {
  model = releasedV3();
  rows = sampleTexts(64).map((t) => model.textToFeatures(t));
  expect(new Set(rows.map((r) => r.join())).size).toBeGreaterThan(50); // distinct messages, not one repeated
  alone = rows.map((r) => model.predict([r])[0]);
});

/** the model with its predict calls counted (the rows of each call) */
function counted(m: ServedModel): { model: ServedModel; calls: number[] } {
  const calls: number[] = [];
  const spy = Object.create(m) as ServedModel;
  spy.predict = (batch: number[][]) => {
    calls.push(batch.length);
    return m.predict(batch);
  };
  return { model: spy, calls };
}

describe('the released v3 as serving loads it', () => {
  it("gives each text's unknown-word rate, whichever text was encoded last (the rate is kept from the encoding of the same text)", () => {
    const v3 = releasedV3();
    const texts = sampleTexts(40);
    // the rate of each text alone, with nothing encoded before it
    const alone = texts.map((t) => releasedV3().outOfVocabularyRate(t));
    expect(new Set(alone).size).toBeGreaterThan(5);
    texts.forEach((t, i) => {
      v3.textToFeatures(t);
      expect(v3.outOfVocabularyRate(t), t).toBe(alone[i]);
      // another text encoded in between: its rate, not the last one's
      const next = texts[(i + 1) % texts.length];
      v3.textToFeatures(next);
      expect(v3.outOfVocabularyRate(t), t).toBe(alone[i]);
    });
  });
});

describe('MicroBatcher', () => {
  it('answers 64 concurrent calls with 8 predict calls of 8 (the default largest batch), each answer bit for bit the one-at-a-time prediction', async () => {
    const { model: m, calls } = counted(model);
    const batcher = new MicroBatcher();
    const answers = await Promise.all(rows.map((r) => batcher.predict(m, r)));
    expect(calls).toEqual(Array(8).fill(8));
    expect(answers).toEqual(alone);
    expect(batcher.snapshot()).toEqual({ calls: 8, rows: 64, largest: 8, max_wait_ms: 1, max_batch: 8 });
  });

  it('runs a batch at once when it reaches maxBatch, before the event loop turns', async () => {
    const { model: m, calls } = counted(model);
    const batcher = new MicroBatcher({ maxBatch: 5 });
    const pending = rows.slice(0, 12).map((r) => batcher.predict(m, r));
    expect(calls).toEqual([5, 5]); // the two full batches ran in the calls themselves
    expect(await Promise.all(pending)).toEqual(alone.slice(0, 12));
    expect(calls).toEqual([5, 5, 2]);
  });

  it('answers a lone call within its event-loop turn, before a 1 ms timer set at the same time, whatever maxWaitMs', async () => {
    for (const maxWaitMs of [0, 1, 10_000]) {
      const { model: m, calls } = counted(model);
      const batcher = new MicroBatcher({ maxWaitMs });
      // called from a timer callback, as a request is handled from an I/O callback: the turn's
      // immediates (the batcher's flush) come before the next turn's timers, whatever the time taken
      const first = await new Promise((resolve, reject) =>
        setTimeout(() => {
          const timer = oneMsTimer();
          Promise.race([batcher.predict(m, rows[7]).then((p) => ({ p })), timer]).then(resolve, reject);
        }, 0),
      );
      expect([maxWaitMs, first]).toEqual([maxWaitMs, { p: alone[7] }]);
      expect(calls).toEqual([1]);
    }
  });

  it('keeps gathering while each turn brings more calls (up to maxWaitMs), and stops after one turn with maxWaitMs 0', async () => {
    const gather = async (maxWaitMs: number) => {
      const { model: m, calls } = counted(model);
      const batcher = new MicroBatcher({ maxWaitMs });
      const early = rows.slice(0, 4).map((r) => batcher.predict(m, r));
      // four more in the next turn (this immediate runs right after the batcher's first look)
      const late = await new Promise<Promise<Prediction>[]>((resolve) => setImmediate(() => resolve(rows.slice(4, 8).map((r) => batcher.predict(m, r)))));
      expect(await Promise.all([...early, ...late])).toEqual(alone.slice(0, 8));
      return calls;
    };
    expect(await gather(10_000)).toEqual([8]);
    expect(await gather(0)).toEqual([4, 4]);
  });

  it('keeps the versions apart: calls for two model objects are two batches', async () => {
    const a = counted(model);
    const b = counted(model);
    const batcher = new MicroBatcher();
    const answers = await Promise.all(rows.slice(0, 10).map((r, i) => batcher.predict(i % 2 ? a.model : b.model, r)));
    expect(answers).toEqual(alone.slice(0, 10));
    expect([a.calls, b.calls]).toEqual([[5], [5]]);
  });

  it('answers the other rows of a batch when the model refuses one, and refuses that one with its error', async () => {
    const picky: ServedModel = Object.create(model);
    picky.predict = (batch: number[][]) => {
      if (batch.some((r) => r[0] === -1)) throw new FeatureVectorError('features[0]: expected a token id, got -1');
      return model.predict(batch);
    };
    const batcher = new MicroBatcher();
    const bad = [-1, ...rows[1].slice(1)];
    const settled = await Promise.allSettled([batcher.predict(picky, rows[0]), batcher.predict(picky, bad), batcher.predict(picky, rows[2])]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[0]).toMatchObject({ value: alone[0] });
    expect(settled[2]).toMatchObject({ value: alone[2] });
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(FeatureVectorError);
  });

  it('predicts at once, one call per row, for models that gain nothing from batches (batchable false), and with maxBatch 1', async () => {
    for (const [m, settings] of [
      [Object.assign(Object.create(model) as ServedModel, { batchable: false }), {}],
      [model, { maxBatch: 1 }],
    ] as const) {
      const c = counted(m);
      const batcher = new MicroBatcher(settings);
      const pending = rows.slice(0, 3).map((r) => batcher.predict(c.model, r));
      expect(c.calls).toEqual([1, 1, 1]); // before the event loop turns
      expect(await Promise.all(pending)).toEqual(alone.slice(0, 3));
    }
  });
});

describe('MicroBatcher with a helper thread (the real OffThreadPredictor and its worker), every batch of two or more sent there', () => {
  const thread = new OffThreadPredictor();
  afterAll(() => thread.close());
  /** the helper thread's batches, by size */
  const onThread = (): { run: OffThreadRun; batches: number[] } => {
    const batches: number[] = [];
    return {
      batches,
      run: (m, batch) => {
        batches.push(batch.length);
        return thread.predict(m, batch);
      },
    };
  };

  it('runs batches on the thread, three in flight, the calls arriving meanwhile as the next batch; each answer bit for bit the one-at-a-time prediction', async () => {
    const { model: m, calls } = counted(model);
    const t = onThread();
    const batcher = new MicroBatcher({ offThreadFromMs: 0 }, t.run);
    const answers = await Promise.all(rows.map((r) => batcher.predict(m, r)));
    // three batches of 8 went at once; the other 40 waited for the first to come back, then went as one
    expect(t.batches).toEqual([8, 8, 8, 40]);
    expect(calls).toEqual([]);
    expect(answers).toEqual(alone);
  });

  it('gathers what arrives while three batches are on the thread into one batch, past maxBatch', async () => {
    // the thread's answers held back until all the calls are made (a fast thread would answer between two turns)
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const batches: number[] = [];
    const batcher = new MicroBatcher({ maxBatch: 4, offThreadFromMs: 0 }, (m, batch) => {
      batches.push(batch.length);
      return gate.then(() => thread.predict(m, batch));
    });
    const t = { batches };
    const first = rows.slice(0, 12).map((r) => batcher.predict(model, r));
    // three in flight now: 20 more, over two event-loop turns, wait for one of them
    const more = rows.slice(12, 22).map((r) => batcher.predict(model, r));
    const later = await new Promise<Promise<Prediction>[]>((resolve) => setImmediate(() => resolve(rows.slice(22, 32).map((r) => batcher.predict(model, r)))));
    open();
    expect(await Promise.all([...first, ...more, ...later])).toEqual(alone.slice(0, 32));
    expect(t.batches).toEqual([4, 4, 4, 20]);
  });

  it('answers a lone call in this thread, within its event-loop turn', async () => {
    const { model: m, calls } = counted(model);
    const t = onThread();
    const batcher = new MicroBatcher({ offThreadFromMs: 0 }, t.run);
    const first = await new Promise((resolve, reject) =>
      setTimeout(() => {
        Promise.race([batcher.predict(m, rows[3]).then((p) => ({ p })), oneMsTimer()]).then(resolve, reject);
      }, 0),
    );
    expect(first).toEqual({ p: alone[3] });
    expect([calls, t.batches]).toEqual([[1], []]);
  });

  it('answers every row here, one by one, when the thread fails a batch', async () => {
    const { model: m, calls } = counted(model);
    const batcher = new MicroBatcher({ offThreadFromMs: 0 }, () => Promise.reject(new Error('the helper thread is gone')));
    expect(await Promise.all(rows.slice(0, 6).map((r) => batcher.predict(m, r)))).toEqual(alone.slice(0, 6));
    expect(calls).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('MicroBatcher choosing between the helper thread and here', () => {
  /** a model whose rows each take `cost.ms` of this thread (v3's answers), its calls here counted */
  const slowed = (ms: number) => {
    const c = counted(model);
    const cost = { ms };
    const predict = c.model.predict;
    c.model.predict = (batch: number[][]) => {
      for (const end = performance.now() + cost.ms * batch.length; performance.now() < end; );
      return predict(batch);
    };
    return { ...c, cost };
  };
  const sentOff = (): { run: OffThreadRun; batches: number[] } => {
    const batches: number[] = [];
    return {
      batches,
      run: async (m, batch) => {
        batches.push(batch.length);
        return Object.getPrototypeOf(m).predict(batch); // what the thread answers: the model's own predictions
      },
    };
  };

  it('runs batches here while they are shorter than offThreadFromMs, on the thread once a batch here took longer (the default: 1 ms)', async () => {
    // v3 itself: 8 rows take about 0.15 ms (20 ms: a margin for a busy machine), every batch stays here
    const fast = counted(model);
    const t1 = sentOff();
    const b1 = new MicroBatcher({ offThreadFromMs: 20 }, t1.run);
    expect(await Promise.all(rows.map((r) => b1.predict(fast.model, r)))).toEqual(alone);
    expect([fast.calls, t1.batches]).toEqual([[8, 8, 8, 8, 8, 8, 8, 8], []]);
    // rows of 0.3 ms: the first batch here (2.4 ms) says so, the next ones go to the thread
    const slow = slowed(0.3);
    const t2 = sentOff();
    const b2 = new MicroBatcher({}, t2.run);
    expect(await Promise.all(rows.slice(0, 8).map((r) => b2.predict(slow.model, r)))).toEqual(alone.slice(0, 8));
    expect(await Promise.all(rows.slice(8, 24).map((r) => b2.predict(slow.model, r)))).toEqual(alone.slice(8, 24));
    expect([slow.calls, t2.batches]).toEqual([[8], [8, 8]]);
  });

  it('runs one batch here after 32 on the thread, and keeps them here once that one says they are short again', async () => {
    // a first batch here slowed (as by a preemption on a busy machine: 40 ms), then the model's
    // real cost; 20 ms from which a batch goes to the thread: a margin for a busy machine
    const m = slowed(5);
    const t = sentOff();
    const b = new MicroBatcher({ offThreadFromMs: 20 }, t.run);
    const batchOf8 = () => Promise.all(rows.slice(0, 8).map((r) => b.predict(m.model, r)));
    await batchOf8();
    m.cost.ms = 0;
    for (let i = 0; i < 32; i++) expect(await batchOf8()).toEqual(alone.slice(0, 8));
    expect([m.calls.length, t.batches.length]).toEqual([1, 32]);
    // the 33rd measures again here; the next ones stay here
    for (let i = 0; i < 3; i++) expect(await batchOf8()).toEqual(alone.slice(0, 8));
    expect([m.calls, t.batches.length]).toEqual([[8, 8, 8, 8], 32]);
  });
});
