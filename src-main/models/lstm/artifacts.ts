/**
 * The LSTM models on disk as a tfjs LayersModel (model.json + weights.bin, loadable by
 * tf.loadLayersModel); the tokenizer they were trained with beside them. Reading them back needs
 * no tfjs (serving and the helper threads never load it); writing them is in tfjs-model.ts.
 */
import { join } from 'node:path';
import { ArtifactError, readArtifact, readJsonArtifact } from '../../platform';
import { modelRemedy } from '../artifacts';
import type { LstmShape, LstmWeights } from './fused-lstm';

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
