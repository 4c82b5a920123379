/**
 * The LSTM family (v2, v3): Embedding - SpatialDropout1D - LSTM - Dense on the token ids of
 * features v2, trained by the fused WebAssembly kernel (or tfjs), saved as a tfjs LayersModel
 * with the tokenizer it was trained with, predicted by the fused kernel (in a helper thread for
 * the inbox's batches); drift on the token shares, the message length and the unknown-word rate.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TOKENIZER_SETTINGS, KerasTokenizer } from '../../features';
import { InputError } from '../../platform';
import type { BackendName, ModelVersion, RunRecord } from '../../../src-shared/training';
import { FeatureVectorError, type BatchPredictor, type DriftInput, type ModelFamily, type Prediction, type ServedModel } from '../family';
import { numericReference, tokenReference, type FeatureReference } from '../reference';
import { tokenRows } from '../training-set';
import { readLstmArtifacts } from './artifacts';
import { nativeKernelTarget, FusedLstm, fusedKernelAvailable, KERNEL_MAX_BYTES, kernelBytes, nativeKernel } from './fused-lstm';
import { trainThreads } from './lstm-shards';
import { trainLstm, type LstmTrainResult } from './lstm-trainer';

const MAX_BATCH = 64;

/**
 * Threads for a fused-kernel run: helpers cost a start (~1 s under tsx) and a few copies per
 * step, so only runs of more than ~20 GFLOP (v3 on the full dataset: ~310; v2: ~1) get them.
 */
function lstmThreads(rows: number, seqLen: number, p: RunRecord['params'], configured?: number): number {
  const H = p.lstmUnits!;
  const D = p.embeddingDim!;
  const flops = 2 * 3 * rows * seqLen * 4 * H * (D + H) * p.epochs!; // 2 flops a MAC; forward + backward ~ 3x forward
  return flops > 2e10 ? trainThreads(configured) : 1;
}

type LstmBackend = 'fused-native' | 'fused-wasm' | 'tfjs-node' | 'tfjs-cpu' | 'tfjs-wasm';

async function chooseLstmBackend(requested: BackendName): Promise<LstmBackend> {
  if (requested === 'js-forest')
    throw new Error('backend js-forest trains random forests (v1) only; the LSTM models use auto, fused-native, fused-wasm, tfjs-node or tfjs-cpu');
  if (requested === 'fused-native') {
    const n = nativeKernel();
    if ('error' in n) throw new Error(`backend fused-native: the native LSTM kernel is not available here (${n.error}); use auto or fused-wasm`);
    return requested;
  }
  if (requested !== 'auto') return requested;
  const { tryTfjsNode } = await import('./tfjs-trainer');
  if (await tryTfjsNode()) return 'tfjs-node';
  if ('ok' in nativeKernel()) return 'fused-native';
  return fusedKernelAvailable() ? 'fused-wasm' : 'tfjs-cpu';
}

class LstmModel implements ServedModel {
  readonly offThread = true;
  /** the kernel runs a batch as one GEMM over all rows and time steps; a row's answer is the same bit for bit in any batch */
  readonly batchable = true;
  constructor(
    readonly info: ModelVersion,
    private readonly kernel: FusedLstm,
    private readonly tokenizer: KerasTokenizer,
  ) {}
  get name() {
    return this.info.name;
  }
  get version() {
    return this.info.version;
  }
  get featureLength() {
    return this.kernel.shape.seqLen;
  }
  /** the unknown-word rate of the text last encoded: serving asks for the features, then the rate */
  private last: { text: string; oov: number } | undefined;
  textToFeatures(text: string): number[] {
    const { ids, oov } = this.tokenizer.encodeNoted(text);
    this.last = { text, oov };
    return ids;
  }
  /** tokenizers compared so far (a comparison walks both vocabularies) */
  private readonly alike = new WeakMap<KerasTokenizer, boolean>();
  encodesLike(tokenizer: KerasTokenizer): boolean {
    let same = this.alike.get(tokenizer);
    if (same === undefined) {
      same = tokenizer === this.tokenizer || this.tokenizer.keptIdsDifferingFrom(tokenizer) === 0;
      this.alike.set(tokenizer, same);
    }
    return same;
  }
  outOfVocabularyRate(text: string): number {
    return this.last?.text === text ? this.last.oov : this.tokenizer.outOfVocabularyRate(text);
  }
  checkFeatures(f: unknown): number[] {
    const n = this.featureLength;
    if (!Array.isArray(f) || f.length !== n)
      throw new FeatureVectorError(`features: model ${this.name} expects ${n} token ids, got ${Array.isArray(f) ? f.length : typeof f}`);
    const vocab = this.kernel.shape.vocab;
    f.forEach((v, i) => {
      // the seed sends token ids as floats (1.0, 20.0): integral numbers are accepted
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= vocab)
        throw new FeatureVectorError(`features[${i}]: expected a token id, an integer from 0 to ${vocab - 1}, got ${JSON.stringify(v)}`);
    });
    return f as number[];
  }
  predict(rows: number[][]): Prediction[] {
    const out: Prediction[] = [];
    const T = this.featureLength;
    for (let i = 0; i < rows.length; i += MAX_BATCH) {
      const chunk = rows.slice(i, i + MAX_BATCH);
      const tokens = new Int32Array(chunk.length * T);
      for (const [b, r] of chunk.entries()) tokens.set(r, b * T);
      const p = this.kernel.predict(tokens, chunk.length);
      for (let b = 0; b < chunk.length; b++) out.push({ ham: p[b * 2], spam: p[b * 2 + 1] });
    }
    return out;
  }
}

/** the helper thread's batches: larger than a request's */
const THREAD_MAX_BATCH = 256;

export const lstmFamily: ModelFamily = {
  kind: 'lstm',
  // the LSTMs keep the ids: their drift reference reads the training texts
  keepsIds: true,
  usesTokenizer: true,

  runtime() {
    const n = nativeKernel();
    return 'ok' in n
      ? `fused LSTM kernel, native (${n.ok.cpu()}): training backend auto = fused-native`
      : `fused LSTM kernel, WebAssembly SIMD128 (the native build is not available: ${n.error}; npm run build-native builds it)`;
  },

  /** an LSTM that cannot fit the kernel's memory would fail minutes later, mid-run: refused at once */
  checkParams(p) {
    const shape = {
      vocab: DEFAULT_TOKENIZER_SETTINGS.MAX_NUM_WORDS,
      embed: p.embeddingDim!,
      units: p.lstmUnits!,
      classes: 2,
      seqLen: DEFAULT_TOKENIZER_SETTINGS.MAX_SEQ_LENGTH,
      maxBatch: p.batchSize!,
    };
    const bytes = kernelBytes(shape);
    if (bytes > KERNEL_MAX_BYTES) {
      const gib = (b: number) => (b / 2 ** 30).toFixed(2);
      throw new InputError(
        'params',
        `params: embeddingDim ${shape.embed}, lstmUnits ${shape.units} and batchSize ${shape.maxBatch} need ${gib(bytes)} GiB of LSTM kernel memory; the kernel has ${gib(KERNEL_MAX_BYTES)} GiB (WebAssembly): lower batchSize, lstmUnits or embeddingDim`,
      );
    }
  },

  async train({ data, params: p, backend: requested, dir, tokenizers, texts: textsOf, settings }, progress) {
    const chosen = await chooseLstmBackend(requested);
    const fused = chosen === 'fused-native' || chosen === 'fused-wasm';
    const build = chosen === 'fused-native' ? 'native' : 'wasm';
    const threads = fused ? lstmThreads(data.train.length, data.width, p, settings?.threads) : 1;
    const about = [build === 'native' ? nativeKernelTarget() : undefined, threads > 1 ? `${threads} threads` : undefined].filter(Boolean);
    const backend = fused && about.length > 0 ? `${chosen} (${about.join(', ')})` : chosen;
    progress.onBackend?.(backend);
    const tokenizer = tokenizers.get();
    const vocab = tokenizer.state.settings.MAX_NUM_WORDS;
    const args = [tokenRows(data), data.labels, data.train, data.test, p, vocab, progress] as const;
    // tfjs is loaded only to train (and to write the model): serving and monitoring never load it
    const r: LstmTrainResult = fused
      ? trainLstm(...args, threads, { recurrentDropout: settings?.recurrentDropout, build })
      : await (await import('./tfjs-trainer')).trainLstmTfjs(chosen, ...args);
    const { writeLstmArtifacts } = await import('./tfjs-model');
    const artifacts = await writeLstmArtifacts(dir, r.shape, r.weights, {
      spatialDropout: p.spatialDropout!,
      dropout: p.dropout!,
      recurrentDropout: p.recurrentDropout!,
    });
    // the tokenizer the model was trained with travels with it: serving encodes with this copy,
    // whatever the data dir's tokenizer becomes later (a refit, a lost file)
    tokenizer.save(dir);
    rmSync(join(dir, 'settings.json'), { force: true });
    artifacts.push('tokenizer.json');
    const trainRows = tokenRows(data, data.train);
    // what drift checks compare: token shares, message length in known tokens, unknown-word rate
    // (the rate on the texts of the first 100,000 training rows: a sample past that size)
    const ids = data.ids!;
    const texts = await textsOf(Array.from(data.train.subarray(0, 100_000), (i) => ids[i]));
    return {
      backend,
      history: { epochs: r.epochs, batches: r.batches },
      testScores: r.testScores,
      artifacts,
      reference: {
        features: tokenReference(trainRows, vocab),
        length: numericReference(trainRows.map((r) => r.filter((t) => t > 0).length)),
        oov_rate: numericReference(texts.filter((t): t is string => t !== undefined).map((t) => tokenizer.outOfVocabularyRate(t))),
      },
      inputShape: [r.shape.seqLen],
    };
  },

  /** encodes with the tokenizer it was trained with (kept beside it; the data dir's for versions from before that) */
  load(v, tokenizers) {
    const a = readLstmArtifacts(v.dir);
    const tokenizer = existsSync(join(v.dir, 'tokenizer.json')) ? KerasTokenizer.load(v.dir) : tokenizers.get();
    const kernel = new FusedLstm({ ...a.shape, maxBatch: MAX_BATCH });
    kernel.setWeights(a.weights);
    return new LstmModel(v, kernel, tokenizer);
  },

  openPredictor(dir): BatchPredictor {
    const a = readLstmArtifacts(dir);
    const k = new FusedLstm({ ...a.shape, maxBatch: THREAD_MAX_BATCH });
    k.setWeights(a.weights);
    const T = a.shape.seqLen;
    return {
      width: T,
      predict(tokens, rows) {
        const probs = new Float32Array(rows * 2);
        for (let i = 0; i < rows; i += THREAD_MAX_BATCH) {
          const n = Math.min(THREAD_MAX_BATCH, rows - i);
          probs.set(k.predict(tokens.subarray(i * T, (i + n) * T), n).subarray(0, n * 2), i * 2);
        }
        return probs;
      },
    };
  },

  /**
   * All 3 features past their own thresholds (bench/drift.ts, seeds 20261204 and 7: false alarms
   * 3.0 and 0.5 %, detection 99 %). Holm's rule does not suit these features: their KS tests see
   * YouTube windows far less often than the normed Wasserstein distance (detection 17-92 % at 0.01-0.02).
   */
  datasetDriftRule: { kind: 'share', share: 1 },

  windowReference(training, records) {
    const vocab = training.features?.kind === 'tokens' ? training.features.tokenShare.length : 1 + Math.max(0, ...records.flatMap((r) => r.features));
    const ref: Record<string, FeatureReference> = {
      features: tokenReference(
        records.map((r) => r.features),
        vocab,
      ),
      length: numericReference(records.map((r) => r.features.filter((t) => t > 0).length)),
    };
    const withText = records.filter((r) => r.oov !== undefined);
    if (withText.length) ref.oov_rate = numericReference(withText.map((r) => r.oov!));
    return ref;
  },

  driftInputs(reference, records) {
    const out: DriftInput[] = [];
    const tokens = reference.features;
    if (tokens?.kind === 'tokens') out.push({ feature: 'token_ids', kind: 'tokens', reference: tokens, rows: records.map((r) => r.features) });
    const len = reference.length;
    if (len?.kind === 'numeric')
      out.push({ feature: 'length', kind: 'numeric', reference: len, current: records.map((r) => r.features.filter((t) => t > 0).length) });
    const oov = reference.oov_rate;
    const withText = records.filter((r) => r.oov !== undefined);
    if (oov?.kind === 'numeric' && withText.length > 0)
      out.push({ feature: 'oov_rate', kind: 'numeric', reference: oov, current: withText.map((r) => r.oov!) });
    return out;
  },
};
