/**
 * Model artifacts on disk: the LSTM models as a tfjs LayersModel (model.json + weights.bin,
 * loadable by tf.loadLayersModel), the forest as JSON; metadata.json beside both.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../platform';
import type { LstmShape, LstmWeights } from './fused-lstm';
import type { ForestJson } from './forest';

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
  return tf.sequential({
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

/** Reads the weights of an LSTM model.json + weights.bin back, in Keras layout. */
export function readLstmArtifacts(dir: string): { shape: Omit<LstmShape, 'maxBatch'>; weights: LstmWeights } {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath)) throw new Error(`no model.json in ${dir}`);
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[]; dtype: string }[] }[] };
  const specs = json.weightsManifest[0].weights;
  const buf = readFileSync(join(dir, 'weights.bin'));
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const parts: Float32Array[] = [];
  let o = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    parts.push(data.slice(o, o + n));
    o += n;
  }
  const byName = (frag: string) => {
    const i = specs.findIndex((s) => s.name.includes(frag));
    if (i < 0) throw new Error(`${jsonPath}: no weight named like "${frag}"`);
    return { data: parts[i], shape: specs[i].shape };
  };
  const emb = byName('embedding');
  const kernel = byName('lstm/kernel');
  const rec = byName('recurrent_kernel');
  const bias = byName('lstm/bias');
  const dk = byName('dense/kernel');
  const db = byName('dense/bias');
  const units = rec.shape[0];
  const seqLen = ((JSON.parse(readFileSync(jsonPath, 'utf8')) as { modelTopology: { config: { layers: { config: { batch_input_shape?: number[] } }[] } } })
    .modelTopology.config.layers[0].config.batch_input_shape ?? [null, 30])[1] as number;
  return {
    shape: { vocab: emb.shape[0], embed: emb.shape[1], units, classes: dk.shape[1], seqLen },
    weights: { embedding: emb.data, kernel: kernel.data, recurrentKernel: rec.data, bias: bias.data, denseKernel: dk.data, denseBias: db.data },
  };
}

export function writeForestArtifacts(dir: string, forest: ForestJson): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'forest.json'), JSON.stringify(forest));
  return ['forest.json'];
}

export function readForestArtifacts(dir: string): ForestJson {
  return JSON.parse(readFileSync(join(dir, 'forest.json'), 'utf8')) as ForestJson;
}
