/** What every text-to-features extractor offers, whichever generation it is. */
export interface FeatureExtractor {
  /** a stable identifier of the extractor and its version, stored with models */
  readonly id: string;
  featureNames(): string[];
  extract(text: string): Record<string, number | number[]>;
  extractList(text: string): number[];
}
