/**
 * Model artifacts on disk: the LSTM models as a tfjs LayersModel (model.json + weights.bin,
 * loadable by tf.loadLayersModel), the forest as JSON; metadata.json beside both.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ArtifactError, readArtifact, readJsonArtifact, sha256File, writeFileAtomic } from '../platform';
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

/** what to do about a model version whose files are missing or broken */
export function modelRemedy(dir: string): string {
  return `retrain the model (spamops train <model> --alias production) or make another version production (spamops models alias <model> production <version>), or restore ${dir} from a backup`;
}

/**
 * Reads the weights of an LSTM model.json + weights.bin back, in Keras layout, checked: the
 * topology must name every weight, weights.bin must hold exactly the values it lists, all finite.
 */
export function readLstmArtifacts(dir: string): { shape: Omit<LstmShape, 'maxBatch'>; weights: LstmWeights } {
  const remedy = modelRemedy(dir);
  const jsonPath = join(dir, 'model.json');
  const json = readJsonArtifact<{
    weightsManifest?: { weights?: { name: string; shape: number[]; dtype: string }[] }[];
    modelTopology?: { config?: { layers?: { config?: { batch_input_shape?: number[] } }[] } };
  }>(jsonPath, remedy);
  const specs = json.weightsManifest?.[0]?.weights;
  if (!Array.isArray(specs) || specs.some((x) => !Array.isArray(x?.shape) || x.shape.some((d) => !Number.isInteger(d) || d < 1)))
    throw new ArtifactError(jsonPath, 'no valid weightsManifest (names and shapes of the weights)', remedy);
  const binPath = join(dir, 'weights.bin');
  const buf = readArtifact(binPath, remedy);
  const total = specs.reduce((sum, x) => sum + x.shape.reduce((a, b) => a * b, 1), 0);
  if (buf.byteLength !== total * 4)
    throw new ArtifactError(binPath, `expected ${total * 4} bytes (${total} float32 values for model.json's weights), found ${buf.byteLength}`, remedy);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i])) throw new ArtifactError(binPath, `value ${i} is ${data[i]}, not a finite number`, remedy);
  const parts: Float32Array[] = [];
  let o = 0;
  for (const x of specs) {
    const n = x.shape.reduce((a, b) => a * b, 1);
    parts.push(data.subarray(o, o + n));
    o += n;
  }
  const byName = (frag: string) => {
    const i = specs.findIndex((x) => x.name.includes(frag));
    if (i < 0) throw new ArtifactError(jsonPath, `no weight named like "${frag}"`, remedy);
    return { data: parts[i], shape: specs[i].shape };
  };
  const emb = byName('embedding');
  const kernel = byName('lstm/kernel');
  const rec = byName('recurrent_kernel');
  const bias = byName('lstm/bias');
  const dk = byName('dense/kernel');
  const db = byName('dense/bias');
  const units = rec.shape[0];
  const G = 4 * units;
  const shapeOk =
    emb.shape.length === 2 &&
    kernel.shape[0] === emb.shape[1] &&
    kernel.shape[1] === G &&
    rec.shape[1] === G &&
    bias.shape[0] === G &&
    dk.shape[0] === units &&
    db.shape[0] === dk.shape[1];
  if (!shapeOk) throw new ArtifactError(jsonPath, 'the weight shapes do not fit an Embedding-LSTM-Dense model', remedy);
  const seqLen = (json.modelTopology?.config?.layers?.[0]?.config?.batch_input_shape ?? [null, 30])[1] as number;
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new ArtifactError(jsonPath, 'no input length', remedy);
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

/** The forest back, checked: every tree's arrays agree, children point inside it, values are finite. */
export function readForestArtifacts(dir: string): ForestJson {
  const path = join(dir, 'forest.json');
  const remedy = modelRemedy(dir);
  const f = readJsonArtifact<ForestJson>(path, remedy);
  const bad = (what: string) => new ArtifactError(path, what, remedy);
  if (f?.kind !== 'random-forest' || !Array.isArray(f.trees) || f.trees.length === 0 || !Number.isInteger(f.nClasses) || !Number.isInteger(f.nFeatures))
    throw bad('not a random forest');
  for (const [k, t] of f.trees.entries()) {
    const n = t?.feature?.length;
    if (!n || [t.threshold, t.left, t.right, t.value].some((a) => !Array.isArray(a) || a.length !== n)) throw bad(`tree ${k}: arrays of different lengths`);
    for (let i = 0; i < n; i++) {
      const leaf = t.feature[i] < 0;
      if (
        !leaf &&
        (t.feature[i] >= f.nFeatures || !(t.left[i] > i && t.left[i] < n) || !(t.right[i] > i && t.right[i] < n) || !Number.isFinite(t.threshold[i]))
      )
        throw bad(`tree ${k}, node ${i}: a split that points outside the tree`);
      if (t.value[i].length !== f.nClasses || t.value[i].some((p) => !Number.isFinite(p)))
        throw bad(`tree ${k}, node ${i}: class shares are not ${f.nClasses} finite numbers`);
    }
  }
  return f;
}

/** sha256 of each artifact of a version's folder (metadata.json apart): kept in its record, checked on load */
export function checksumsOf(dir: string, files: string[]): Record<string, string> {
  return Object.fromEntries(files.filter((f) => f !== 'metadata.json').map((f) => [f, sha256File(join(dir, f))]));
}

/** a version's files against the checksums recorded when it was registered */
export function verifyChecksums(dir: string, checksums: Record<string, string> | undefined): void {
  for (const [file, sum] of Object.entries(checksums ?? {})) {
    const path = join(dir, file);
    const remedy = modelRemedy(dir);
    readArtifact(path, remedy);
    if (sha256File(path) !== sum)
      throw new ArtifactError(path, 'its checksum differs from the one recorded when the version was registered (changed or corrupted since)', remedy);
  }
}
