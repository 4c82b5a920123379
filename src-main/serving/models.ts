/**
 * Served models: text to features, features to prediction, for one registered version.
 * v1 is the random forest on features v1; v2 and v3 run the fused LSTM kernel (the same
 * weights tfjs loads from model.json) on the token ids of features v2.
 */
import type { ModelName, ModelVersion } from '../../src-shared/training';
import { FeatureExtractorV1, FEATURES_V1, KerasTokenizer, type TokenizerSource } from '../features';
import { FusedLstm, RandomForest, readForestArtifacts, readLstmArtifacts, verifyChecksums } from '../training';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Prediction {
  ham: number;
  spam: number;
}

/** Input that has the wrong shape for the model: answered with 422. */
export class FeatureVectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureVectorError';
  }
}

export interface ServedModel {
  name: ModelName;
  version: string;
  info: ModelVersion;
  featureLength: number;
  textToFeatures(text: string): number[];
  /** checks length and values; throws FeatureVectorError */
  checkFeatures(features: unknown): number[];
  predict(rows: number[][]): Prediction[];
  /** share of the text's words the model's tokenizer does not know; undefined for models without one */
  outOfVocabularyRate(text: string): number | undefined;
}

class ForestModel implements ServedModel {
  readonly featureLength = FEATURES_V1.length;
  private readonly x = new FeatureExtractorV1();
  constructor(
    readonly info: ModelVersion,
    private readonly forest: RandomForest,
  ) {}
  get name() {
    return this.info.name;
  }
  get version() {
    return this.info.version;
  }
  textToFeatures(text: string): number[] {
    return this.x.extractList(text);
  }
  checkFeatures(f: unknown): number[] {
    if (!Array.isArray(f) || f.length !== this.featureLength)
      throw new FeatureVectorError(
        `features: model ${this.name} expects ${this.featureLength} numbers (${FEATURES_V1.join(', ')}), got ${Array.isArray(f) ? f.length : typeof f}`,
      );
    f.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new FeatureVectorError(`features[${i}]: expected a finite number, got ${JSON.stringify(v)}`);
    });
    return f as number[];
  }
  outOfVocabularyRate(): undefined {
    return undefined;
  }
  predict(rows: number[][]): Prediction[] {
    return rows.map((r) => {
      const [ham, spam] = this.forest.predictProba(r);
      return { ham, spam };
    });
  }
}

const MAX_BATCH = 64;

class LstmModel implements ServedModel {
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
  textToFeatures(text: string): number[] {
    return this.tokenizer.encode(text);
  }
  outOfVocabularyRate(text: string): number {
    return this.tokenizer.outOfVocabularyRate(text);
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

/**
 * A registered version, ready to answer; its files checked (the recorded checksums, then sizes
 * and values): a missing or broken file is an ArtifactError naming it. An LSTM encodes with the
 * tokenizer it was trained with (kept beside it; the data dir's for versions from before that).
 */
export function loadServedModel(v: ModelVersion, tokenizers: TokenizerSource): ServedModel {
  verifyChecksums(v.dir, v.checksums);
  if (v.kind === 'random-forest') return new ForestModel(v, new RandomForest(readForestArtifacts(v.dir)));
  const a = readLstmArtifacts(v.dir);
  const tokenizer = existsSync(join(v.dir, 'tokenizer.json')) ? KerasTokenizer.load(v.dir) : tokenizers.get();
  const kernel = new FusedLstm({ ...a.shape, maxBatch: MAX_BATCH });
  kernel.setWeights(a.weights);
  return new LstmModel(v, kernel, tokenizer);
}

/**
 * The verdict: spam when the spam score reaches the version's decision threshold (issue 20); a
 * version without one says spam when spam outscores ham, as before.
 */
export function top(p: Prediction, threshold?: number): { label: string; value: number } {
  const spam = threshold === undefined ? p.spam > p.ham : p.spam >= threshold;
  return spam ? { label: 'spam', value: p.spam } : { label: 'ham', value: p.ham };
}

/** the version's decision threshold, undefined when none was set (0.5, spam outscoring ham) */
export const thresholdOf = (m: { info: ModelVersion }): number | undefined => m.info.threshold?.value;
