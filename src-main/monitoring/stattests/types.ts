/**
 * A drift statistic of the registry: what it measures, which number decides, and its default
 * threshold. Every test takes the reference as a NumericReference (count, mean, a sample of up to
 * 1,000 sorted values) and the current window as its values; token ids reach it as one number per
 * message (see message-surprisal.ts), so one interface serves every feature.
 */
import type { NumericReference } from '../../models';
import type { StatTestName } from '../../../src-shared/monitoring';

export type FeatureKind = 'numeric' | 'binary' | 'tokens';

export interface StatTestResult {
  statistic: number;
  pValue?: number;
}

export interface StatTest {
  name: StatTestName;
  /** 'p_value': drift when the p-value is below the threshold; 'statistic': at or above it */
  decidedBy: 'p_value' | 'statistic';
  defaultThreshold: number;
  /** the feature kinds it makes sense on (Evidently's allowed feature types) */
  appliesTo: readonly FeatureKind[];
  run(ref: NumericReference, cur: number[]): StatTestResult;
  /** Evidently's KS flags at p <= threshold, its other tests at p < threshold */
  drifted(r: StatTestResult, threshold: number): boolean;
}

/** the shares of each distinct value (categories) in the reference sample and the window */
export function categoryShares(ref: NumericReference, cur: number[]): { ref: number[]; cur: number[]; refCount: number } {
  const cats = [...new Set([...ref.sample, ...cur])].sort((a, b) => a - b);
  const binary = cats.every((c) => c === 0 || c === 1);
  const share = (xs: number[], c: number) => (xs.length ? xs.filter((x) => x === c).length / xs.length : 0);
  // a binary feature's reference share is its exact mean over all training rows, not the sample's
  const refShares = binary ? cats.map((c) => (c === 1 ? ref.mean : 1 - ref.mean)) : cats.map((c) => share(ref.sample, c));
  return { ref: refShares, cur: cats.map((c) => share(cur, c)), refCount: ref.count };
}
