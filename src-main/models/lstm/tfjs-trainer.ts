/**
 * The same LSTM classifier trained by tfjs' own `fit` on a tfjs backend: tfjs-node where its
 * native binding loads, else the pure-JS cpu backend (20-50 minutes for v3 here). Kept as the
 * reference implementation and for machines where WebAssembly SIMD is missing.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunRecord } from '../../../src-shared/training';
import type { LstmTrainHooks, LstmTrainResult } from './lstm-trainer';
import { CancelledError } from './lstm-trainer';
import { buildTfjsLstm } from './tfjs-model';
import type { LstmWeights } from './fused-lstm';

/** Loads tfjs-node when its native binding is there; false otherwise. */
export async function tryTfjsNode(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-node' as string);
    return tf.getBackend() === 'tensorflow' || (await tf.setBackend('tensorflow'));
  } catch {
    return false;
  }
}

export async function trainLstmTfjs(
  backend: 'tfjs-node' | 'tfjs-cpu' | 'tfjs-wasm',
  tokens: ArrayLike<number>[],
  labels: Int32Array,
  train: Int32Array,
  test: Int32Array,
  p: RunRecord['params'],
  vocab: number,
  hooks: LstmTrainHooks = {},
): Promise<LstmTrainResult> {
  if (backend === 'tfjs-wasm')
    throw new Error("tfjs' wasm backend cannot train an Embedding layer (no UnsortedSegmentSum kernel, tensorflow/tfjs#8082): use backend fused-wasm");
  if (backend === 'tfjs-node' && !(await tryTfjsNode()))
    throw new Error('@tensorflow/tfjs-node is not installed or its native binding does not load here: use backend auto or fused-wasm');
  if (!tf.env().getBool('PROD')) tf.enableProdMode();
  if (backend === 'tfjs-cpu') await tf.setBackend('cpu');
  const seqLen = tokens[0].length;
  const shape = { vocab, embed: p.embeddingDim!, units: p.lstmUnits!, classes: 2, seqLen };
  const model = buildTfjsLstm(shape, { spatialDropout: p.spatialDropout!, dropout: p.dropout!, recurrentDropout: p.recurrentDropout! });
  model.compile({ optimizer: tf.train.adam(p.learningRate!), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const rows = (idx: Int32Array) =>
    tf.tensor2d(
      Array.from(idx, (i) => Array.from(tokens[i])),
      [idx.length, seqLen],
      'int32',
    );
  const ys = (idx: Int32Array) =>
    tf.oneHot(
      tf.tensor1d(
        Array.from(idx, (i) => labels[i]),
        'int32',
      ),
      2,
    );
  const [xTr, yTr, xTe, yTe] = [rows(train), ys(train), rows(test), ys(test)];
  const batches = Math.ceil(train.length / p.batchSize!);
  const out: LstmTrainResult = { shape, weights: undefined as unknown as LstmWeights, epochs: [], batches: [], testScores: new Float32Array(0) };
  const t0 = performance.now();
  let epoch = 0;
  let te = 0;
  await model.fit(xTr, yTr, {
    epochs: p.epochs,
    batchSize: p.batchSize,
    shuffle: true,
    validationData: [xTe, yTe],
    verbose: 0,
    callbacks: {
      onEpochBegin: async (e) => {
        epoch = e + 1;
        te = performance.now();
      },
      onBatchEnd: async (b, logs) => {
        if (hooks.cancelled?.()) {
          model.stopTraining = true;
          return;
        }
        const bm = { epoch, batch: b + 1, loss: logs?.loss ?? NaN, accuracy: logs?.acc ?? logs?.accuracy ?? NaN };
        out.batches.push(bm);
        const done = (epoch - 1) * batches + b + 1;
        const el = (performance.now() - t0) / 1000;
        hooks.onBatch?.(bm, { epoch, epochs: p.epochs!, batch: b + 1, batches, etaSeconds: (el / done) * (p.epochs! * batches - done) });
      },
      onEpochEnd: async (e, logs) => {
        const em = {
          epoch: e + 1,
          loss: logs?.loss ?? NaN,
          accuracy: logs?.acc ?? NaN,
          val_loss: logs?.val_loss ?? NaN,
          val_accuracy: logs?.val_acc ?? NaN,
          seconds: (performance.now() - te) / 1000,
        };
        out.epochs.push(em);
        hooks.onEpoch?.(em, { epoch: e + 1, epochs: p.epochs!, batch: batches, batches });
      },
    },
  });
  if (hooks.cancelled?.()) throw new CancelledError();
  const probs = (model.predict(xTe) as tf.Tensor).dataSync();
  out.testScores = Float32Array.from({ length: test.length }, (_, i) => probs[i * 2 + 1]);
  const w = model.getWeights().map((t) => t.dataSync() as Float32Array);
  out.weights = { embedding: w[0], kernel: w[1], recurrentKernel: w[2], bias: w[3], denseKernel: w[4], denseBias: w[5] };
  tf.dispose([xTr, yTr, xTe, yTe]);
  model.dispose();
  return out;
}
