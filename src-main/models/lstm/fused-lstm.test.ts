import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { FusedLstm, type LstmShape, type LstmWeights } from './fused-lstm';
import { initLstmWeights } from './init';
import { Rng } from '../rng';

const shape: LstmShape = { vocab: 12, embed: 6, units: 5, classes: 2, seqLen: 7, maxBatch: 4 };

function batch(rng: Rng, B: number) {
  const tokens = Int32Array.from({ length: B * shape.seqLen }, (_, i) => (i % shape.seqLen < 2 ? 0 : Math.floor(rng.next() * shape.vocab)));
  const labels = Int32Array.from({ length: B }, (_, i) => i % 2);
  return { tokens, labels };
}

describe('fused LSTM kernel', () => {
  it('predicts like a tfjs Embedding-LSTM-Dense model with the same weights', async () => {
    await tf.setBackend('cpu');
    const k = new FusedLstm(shape);
    const w = initLstmWeights(shape, 7);
    // make the biases non-trivial so every gate matters
    for (let i = 0; i < w.bias.length; i++) w.bias[i] = ((i * 37) % 11) / 20 - 0.25;
    w.denseBias.set([0.1, -0.2]);
    k.setWeights(w);
    const { tokens } = batch(new Rng(1), 4);
    const mine = k.predict(tokens, 4);
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: shape.vocab, outputDim: shape.embed, inputLength: shape.seqLen }),
        tf.layers.lstm({ units: shape.units, recurrentActivation: 'sigmoid' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.setWeights([
      tf.tensor2d(w.embedding, [shape.vocab, shape.embed]),
      tf.tensor2d(w.kernel, [shape.embed, 4 * shape.units]),
      tf.tensor2d(w.recurrentKernel, [shape.units, 4 * shape.units]),
      tf.tensor1d(w.bias),
      tf.tensor2d(w.denseKernel, [shape.units, 2]),
      tf.tensor1d(w.denseBias),
    ]);
    const ref = (model.predict(tf.tensor2d(tokens, [4, shape.seqLen], 'int32')) as tf.Tensor).dataSync();
    for (let i = 0; i < 8; i++) expect(mine[i]).toBeCloseTo(ref[i], 5);
  });

  it('computes gradients that match finite differences (with dropout masks)', () => {
    const k = new FusedLstm(shape);
    const w = initLstmWeights(shape, 3);
    k.setWeights(w);
    const rng = new Rng(5);
    const { tokens, labels } = batch(rng, 4);
    const xmask = Float32Array.from({ length: 4 * shape.embed }, () => (rng.next() < 0.3 ? 0 : 1 / 0.7));
    const hmask = Float32Array.from({ length: 4 * shape.units }, () => (rng.next() < 0.25 ? 0 : 1 / 0.75));
    k.gradientStep(tokens, labels, 4, xmask, hmask);
    const g = k.gradients();
    const lossAt = (name: keyof LstmWeights, i: number, delta: number) => {
      const w2 = structuredClone(w);
      w2[name][i] += delta;
      k.setWeights(w2);
      return k.gradientStep(tokens, labels, 4, xmask, hmask);
    };
    const check = (name: keyof LstmWeights, i: number) => {
      const h = 1e-2;
      const num = (lossAt(name, i, h) - lossAt(name, i, -h)) / (2 * h);
      const ana = g[name][i];
      expect(Math.abs(num - ana), `${name}[${i}] numeric ${num} analytic ${ana}`).toBeLessThan(2e-3 + 0.05 * Math.abs(ana));
    };
    // embedding rows of tokens that occur; all weight groups
    for (const i of [shape.embed * tokens[3] + 1, shape.embed * tokens[10]]) check('embedding', i);
    for (const i of [0, 7, 13, 29]) check('kernel', i);
    for (const i of [1, 6, 12, 19]) check('recurrentKernel', i);
    for (const i of [0, 5, 11, 17]) check('bias', i);
    for (const i of [0, 3, 9]) check('denseKernel', i);
    check('denseBias', 1);
  });

  it('learns a toy task with Adam', () => {
    const s: LstmShape = { vocab: 10, embed: 8, units: 8, classes: 2, seqLen: 6, maxBatch: 16 };
    const k = new FusedLstm(s);
    k.setWeights(initLstmWeights(s, 11));
    const rng = new Rng(2);
    // class 1 iff token 7 appears
    const make = () => {
      const tokens = Int32Array.from({ length: 16 * 6 }, () => 1 + Math.floor(rng.next() * 6));
      const labels = new Int32Array(16);
      for (let b = 0; b < 16; b++)
        if (rng.next() < 0.5) {
          tokens[b * 6 + Math.floor(rng.next() * 6)] = 7;
          labels[b] = 1;
        }
      return { tokens, labels };
    };
    let loss = 0;
    for (let step = 1; step <= 300; step++) {
      const { tokens, labels } = make();
      loss = k.gradientStep(tokens, labels, 16);
      k.adam(0.01, 0.9, 0.999, 1e-7, step);
    }
    expect(loss).toBeLessThan(0.1);
  });
});
