/**
 * Served models: a registered version loaded by its family (see models/): text to features,
 * features to prediction. Serving knows the family interface only, not which families exist.
 */
import type { ModelVersion } from '../../src-shared/training';
import type { TokenizerSource } from '../features';
import { familyOf, verifyChecksums, type Prediction, type ServedModel } from '../models';

export { FeatureVectorError } from '../models';
export type { Prediction, ServedModel } from '../models';

/**
 * A registered version, ready to answer; its files checked (the recorded checksums, then sizes
 * and values): a missing or broken file is an ArtifactError naming it.
 */
export function loadServedModel(v: ModelVersion, tokenizers: TokenizerSource): ServedModel {
  verifyChecksums(v.dir, v.checksums);
  return familyOf(v.kind).load(v, tokenizers);
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
