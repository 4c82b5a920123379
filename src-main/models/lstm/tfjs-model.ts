/**
 * The LSTM as a tfjs model: built for the tfjs trainers, and written as model.json + weights.bin
 * in the layout tfjs' file:// handler writes. Loaded only when a model is trained.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../../platform';
import type { LstmShape, LstmWeights } from './fused-lstm';

export async function ensureTfBackend(): Promise<void> {
  // production mode: no debug checks, and no banner asking for tfjs-node on every start
  if (!tf.env().getBool('PROD')) tf.enableProdMode();
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
}

/**
 * The classifier as a tfjs model. `forExport` skips the initializers (weights are set right
 * after): tfjs' Orthogonal initializer alone takes ~7 s on v3's 96x384 recurrent kernel.
 */
export function buildTfjsLstm(
  shape: Omit<LstmShape, 'maxBatch'>,
  p: { spatialDropout: number; dropout: number; recurrentDropout: number },
  forExport = false,
): tf.Sequential {
  const init = forExport ? ({ kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const) : {};
  // a fixed name: tfjs numbers unnamed models per process (sequential_1, _2, ...), which would make
  // two saves of the same weights differ
  return tf.sequential({
    name: 'spam_classifier',
    layers: [
      tf.layers.embedding({
        inputDim: shape.vocab,
        outputDim: shape.embed,
        inputLength: shape.seqLen,
        name: 'embedding',
        ...(forExport ? { embeddingsInitializer: 'zeros' as const } : {}),
      }),
      tf.layers.spatialDropout1d({ rate: p.spatialDropout, name: 'spatial_dropout1d' }),
      tf.layers.lstm({ units: shape.units, dropout: p.dropout, recurrentDropout: p.recurrentDropout, recurrentActivation: 'sigmoid', name: 'lstm', ...init }),
      tf.layers.dense({ units: shape.classes, activation: 'softmax', name: 'dense', ...(forExport ? { kernelInitializer: 'zeros' as const } : {}) }),
    ],
  });
}

export function weightsToTensors(shape: Omit<LstmShape, 'maxBatch'>, w: LstmWeights): tf.Tensor[] {
  const G = 4 * shape.units;
  return [
    tf.tensor2d(w.embedding, [shape.vocab, shape.embed]),
    tf.tensor2d(w.kernel, [shape.embed, G]),
    tf.tensor2d(w.recurrentKernel, [shape.units, G]),
    tf.tensor1d(w.bias),
    tf.tensor2d(w.denseKernel, [shape.units, shape.classes]),
    tf.tensor1d(w.denseBias),
  ];
}

/** model.json + weights.bin in the layout tfjs' file:// handler writes */
export async function writeTfjsModel(dir: string, model: tf.LayersModel): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  let files: string[] = [];
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights =
        a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : new Uint8Array(tf.io.concatenateArrayBuffers(a.weightData as ArrayBuffer[]));
      writeFileAtomic(join(dir, 'weights.bin'), weights);
      const json = {
        modelTopology: a.modelTopology,
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ['./weights.bin'], weights: a.weightSpecs }],
      };
      writeFileAtomic(join(dir, 'model.json'), JSON.stringify(json));
      files = ['model.json', 'weights.bin'];
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

export async function writeLstmArtifacts(
  dir: string,
  shape: Omit<LstmShape, 'maxBatch'>,
  w: LstmWeights,
  p: { spatialDropout: number; dropout: number; recurrentDropout: number },
): Promise<string[]> {
  await ensureTfBackend();
  const model = buildTfjsLstm(shape, p, true);
  const tensors = weightsToTensors(shape, w);
  model.setWeights(tensors);
  const files = await writeTfjsModel(dir, model);
  tf.dispose(tensors);
  model.dispose();
  return files;
}
