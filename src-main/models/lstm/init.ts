/** Keras' default initializers for the LSTM classifier, from a seeded PRNG. */
import type { LstmShape, LstmWeights } from './fused-lstm';
import { Rng } from '../rng';

function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => rng.uniform(-limit, limit));
}

/** rows x cols with orthonormal rows (rows <= cols), as Keras' Orthogonal for a [H, 4H] kernel */
function orthogonal(rng: Rng, rows: number, cols: number): Float32Array {
  const q: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const v = Float64Array.from({ length: cols }, () => rng.normal());
    for (const u of q) {
      let dot = 0;
      for (let i = 0; i < cols; i++) dot += v[i] * u[i];
      for (let i = 0; i < cols; i++) v[i] -= dot * u[i];
    }
    let n = 0;
    for (let i = 0; i < cols; i++) n += v[i] * v[i];
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < cols; i++) v[i] /= n;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (const [r, v] of q.entries()) out.set(v, r * cols);
  return out;
}

export function initLstmWeights(shape: LstmShape, seed: number): LstmWeights {
  const rng = new Rng(seed);
  const { vocab: V, embed: D, units: H, classes: C } = shape;
  const bias = new Float32Array(4 * H);
  bias.fill(1, H, 2 * H); // unit_forget_bias
  return {
    embedding: Float32Array.from({ length: V * D }, () => rng.uniform(-0.05, 0.05)),
    kernel: glorotUniform(rng, D, 4 * H),
    recurrentKernel: orthogonal(rng, H, 4 * H),
    bias,
    denseKernel: glorotUniform(rng, H, C),
    denseBias: new Float32Array(C),
  };
}
