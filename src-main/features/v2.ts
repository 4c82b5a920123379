/** Features v2 (2020): the Keras-style token ids of the text, one `features` array of 30. */
import type { FeatureExtractor } from './types';
import type { KerasTokenizer } from './tokenizer';

export class FeatureExtractorV2 implements FeatureExtractor {
  readonly id = 'features_v2@1';
  constructor(readonly tokenizer: KerasTokenizer) {}
  featureNames(): string[] {
    return ['features'];
  }
  extract(text: string): Record<string, number[]> {
    return { features: this.tokenizer.encode(text) };
  }
  extractList(text: string): number[] {
    return this.tokenizer.encode(text);
  }
}
