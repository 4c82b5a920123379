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

export function top(p: Prediction): { label: string; value: number } {
  return p.spam > p.ham ? { label: 'spam', value: p.spam } : { label: 'ham', value: p.ham };
}
