/**
 * The training loop of the LSTM classifiers on the fused kernel: Keras' fit semantics (shuffle
 * each epoch, Adam, running mean of loss/accuracy per epoch, validation at epoch end), dropout
 * masks drawn per sample from the run's seed, progress after every batch, cancellable.
 */
import type { BatchMetrics, EpochMetrics, RunRecord } from '../../../src-shared/training';
import { FusedLstm, type KernelBuild, type LstmShape, type LstmWeights } from './fused-lstm';
import { LstmShardPool } from './lstm-shards';
import { initLstmWeights } from './init';
import { Rng } from '../rng';

export interface LstmTrainHooks {
  onBatch?(b: BatchMetrics, progress: { epoch: number; epochs: number; batch: number; batches: number; etaSeconds?: number }): void;
  onEpoch?(e: EpochMetrics, progress: { epoch: number; epochs: number; batch: number; batches: number; etaSeconds?: number }): void;
  cancelled?(): boolean;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export interface LstmTrainResult {
  shape: Omit<LstmShape, 'maxBatch'>;
  weights: LstmWeights;
  epochs: EpochMetrics[];
  batches: BatchMetrics[];
  /** spam probability of each test row */
  testScores: Float32Array;
}

function dropoutMask(rng: Rng, n: number, rate: number, out: Float32Array, offset: number): void {
  const keep = 1 - rate;
  for (let i = 0; i < n; i++) out[offset + i] = rate > 0 && rng.next() < rate ? 0 : 1 / keep;
}

export function trainLstm(
  tokens: ArrayLike<number>[],
  labels: Int32Array,
  train: Int32Array,
  test: Int32Array,
  p: RunRecord['params'],
  vocab: number,
  hooks: LstmTrainHooks = {},
  /** threads per training step (2 on the native kernel: inside each call; else data-parallel shards of each batch); 1 = this thread only */
  threads = 1,
  /** recurrentDropout: apply the recurrent mask (Keras' implementation 1, tfjs; SPAMOPS_RECURRENT_DROPOUT=1) */
  o: { recurrentDropout?: boolean; build?: KernelBuild } = {},
): LstmTrainResult {
  const applyRecurrentDropout = o.recurrentDropout === true;
  const seqLen = tokens[0].length;
  const B = p.batchSize!;
  const shape: LstmShape = { vocab, embed: p.embeddingDim!, units: p.lstmUnits!, classes: 2, seqLen, maxBatch: B };
  const k = new FusedLstm(shape, o.build);
  k.setWeights(initLstmWeights(shape, p.seed));
  let pool: LstmShardPool | undefined;
  const rng = new Rng(p.seed + 1);
  const tok = new Int32Array(B * seqLen);
  const lab = new Int32Array(B);
  const xmask = new Float32Array(B * shape.embed);
  const hmask = new Float32Array(B * shape.units);
  const order = Int32Array.from(train);
  const batches = Math.ceil(order.length / B);
  const epochs = p.epochs!;
  const history: { epochs: EpochMetrics[]; batches: BatchMetrics[] } = { epochs: [], batches: [] };
  const t0 = performance.now();
  let step = 0;
  const fill = (rows: ArrayLike<number>, from: number, n: number) => {
    for (let b = 0; b < n; b++) {
      const r = rows[from + b];
      tok.set(tokens[r], b * seqLen);
      lab[b] = labels[r];
    }
  };
  const evaluate = () => {
    const scores = new Float32Array(test.length);
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < test.length; i += B) {
      const n = Math.min(B, test.length - i);
      fill(test, i, n);
      const probs = k.predict(tok, n);
      for (let b = 0; b < n; b++) {
        const ps = probs[b * 2 + 1];
        scores[i + b] = ps;
        const py = lab[b] === 1 ? ps : 1 - ps;
        loss -= Math.log(Math.max(py, 1e-7));
        if ((ps > 0.5 ? 1 : 0) === lab[b]) correct++;
      }
    }
    return { scores, loss: loss / test.length, accuracy: correct / test.length };
  };
  let scores = new Float32Array(0);
  try {
    // the native kernel splits each step's work between two threads itself (the same results as
    // one); WebAssembly, or more than two threads, cut each batch into data-parallel shards
    const inKernel = k.build === 'native' && threads === 2 && k.setThreads(2) === 2;
    pool = inKernel ? undefined : LstmShardPool.open(shape, k.nparams, threads, k.build);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const te = performance.now();
      rng.shuffle(order);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let bi = 0; bi < batches; bi++) {
        if (hooks.cancelled?.()) throw new CancelledError();
        const from = bi * B;
        const n = Math.min(B, order.length - from);
        fill(order, from, n);
        // SpatialDropout1D then the LSTM's input dropout: both per sample and channel, same mask over time
        for (let b = 0; b < n; b++) {
          dropoutMask(rng, shape.embed, p.spatialDropout!, xmask, b * shape.embed);
          for (let d = 0; d < shape.embed; d++)
            if (p.dropout! > 0 && rng.next() < p.dropout!) xmask[b * shape.embed + d] = 0;
            else xmask[b * shape.embed + d] /= 1 - p.dropout!;
        }
        // As Keras 2 does: its default LSTM implementation (2) multiplies the inputs by the dropout
        // mask but never the state by the recurrent-dropout mask, so the seed's models trained
        // without it. `recurrentDropout` is recorded (and kept in the tfjs topology) but not applied;
        // SPAMOPS_RECURRENT_DROPOUT=1 applies it.
        if (applyRecurrentDropout) for (let b = 0; b < n; b++) dropoutMask(rng, shape.units, p.recurrentDropout!, hmask, b * shape.units);
        const hm = applyRecurrentDropout ? hmask : undefined;
        const { loss, probs } = pool ? pool.step(k, tok, lab, n, xmask, hm) : { loss: k.gradientStep(tok, lab, n, xmask, hm), probs: k.lastProbs(n) };
        k.adam(p.learningRate!, 0.9, 0.999, 1e-7, ++step);
        let ok = 0;
        for (let b = 0; b < n; b++) if ((probs[b * 2 + 1] > 0.5 ? 1 : 0) === lab[b]) ok++;
        lossSum += loss * n;
        correct += ok;
        seen += n;
        const bm: BatchMetrics = { epoch, batch: bi + 1, loss, accuracy: ok / n };
        history.batches.push(bm);
        const done = (epoch - 1) * batches + bi + 1;
        const elapsed = (performance.now() - t0) / 1000;
        hooks.onBatch?.(bm, { epoch, epochs, batch: bi + 1, batches, etaSeconds: (elapsed / done) * (epochs * batches - done) });
      }
      const val = evaluate();
      scores = val.scores;
      const em: EpochMetrics = {
        epoch,
        loss: lossSum / seen,
        accuracy: correct / seen,
        val_loss: val.loss,
        val_accuracy: val.accuracy,
        seconds: (performance.now() - te) / 1000,
      };
      history.epochs.push(em);
      const elapsed = (performance.now() - t0) / 1000;
      hooks.onEpoch?.(em, { epoch, epochs, batch: batches, batches, etaSeconds: (elapsed / epoch) * (epochs - epoch) });
    }
  } finally {
    pool?.close();
    k.setThreads(1); // the kernel's helper thread, if any, stops now rather than at collection
  }
  return {
    shape: { vocab, embed: shape.embed, units: shape.units, classes: 2, seqLen },
    weights: k.getWeights(),
    epochs: history.epochs,
    batches: history.batches,
    testScores: scores,
  };
}
