/** Data-parallel LSTM steps: the same training, within float rounding, on one thread or several. */
import { describe, expect, it } from 'vitest';
import { trainLstm } from './lstm-trainer';
import { resolveParams } from '../../../src-shared/model-specs';
import { shardSizes, trainThreads } from './lstm-shards';

function synthetic(rows: number, seqLen: number, vocab: number) {
  let s = 7;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const tokens = Array.from({ length: rows }, () => Array.from({ length: seqLen }, () => (r() < 0.5 ? 0 : 1 + Math.floor(r() * (vocab - 1)))));
  // spam when token 3 or 5 occurs: learnable
  const labels = Int32Array.from(tokens, (t) => (t.includes(3) || t.includes(5) ? 1 : 0));
  return { tokens, labels };
}

describe('LSTM training on several threads', () => {
  it('cuts batches into shards of near-equal size', () => {
    expect(shardSizes(32, 2)).toEqual([16, 16]);
    expect(shardSizes(31, 3)).toEqual([11, 10, 10]);
    expect(shardSizes(2, 4)).toEqual([1, 1, 0, 0]);
  });

  it('takes the configured thread count, else one per core but one (at most 4)', () => {
    expect(trainThreads(3)).toBe(3);
    expect(trainThreads(undefined)).toBeGreaterThanOrEqual(1);
    expect(trainThreads(undefined)).toBeLessThanOrEqual(4);
  });

  it('gives the one-thread results with 2 and 3 threads (batches of 32 and a ragged last one)', () => {
    const { tokens, labels } = synthetic(600, 12, 40);
    const train = Int32Array.from({ length: 500 }, (_, i) => i); // 15 full batches + 20 rows
    const test = Int32Array.from({ length: 100 }, (_, i) => 500 + i);
    const p = { ...resolveParams('v3'), embeddingDim: 8, lstmUnits: 12, epochs: 3, learningRate: 0.02, seed: 5 };
    const one = trainLstm(tokens, labels, train, test, p, 40, {}, 1);
    for (const threads of [2, 3]) {
      const many = trainLstm(tokens, labels, train, test, p, 40, {}, threads);
      expect(many.batches).toHaveLength(one.batches.length);
      many.epochs.forEach((e, i) => {
        expect(e.loss).toBeCloseTo(one.epochs[i].loss, 4);
        expect(e.accuracy).toBeCloseTo(one.epochs[i].accuracy, 6);
        expect(e.val_loss).toBeCloseTo(one.epochs[i].val_loss!, 4);
      });
      for (let j = 0; j < one.weights.kernel.length; j++) expect(many.weights.kernel[j]).toBeCloseTo(one.weights.kernel[j], 4);
      expect(Array.from(many.testScores).map((x) => x.toFixed(3))).toEqual(Array.from(one.testScores).map((x) => x.toFixed(3)));
    }
    // and it learned
    expect(one.epochs[2].val_accuracy).toBeGreaterThan(0.85);
  }, 60_000);

  it('handles a last batch with fewer rows than threads (helpers sit out, the loss stays a number)', () => {
    const { tokens, labels } = synthetic(60, 8, 20);
    const train = Int32Array.from({ length: 33 }, (_, i) => i); // one batch of 32, then one of 1 row
    const test = Int32Array.from({ length: 27 }, (_, i) => 33 + i);
    const p = { ...resolveParams('v3'), embeddingDim: 4, lstmUnits: 6, epochs: 1, seed: 9 };
    const one = trainLstm(tokens, labels, train, test, p, 20, {}, 1);
    const three = trainLstm(tokens, labels, train, test, p, 20, {}, 3);
    expect(Number.isFinite(three.epochs[0].loss)).toBe(true);
    expect(three.batches[1].loss).toBeCloseTo(one.batches[1].loss, 5);
    expect(three.epochs[0].loss).toBeCloseTo(one.epochs[0].loss, 5);
  }, 60_000);
});
