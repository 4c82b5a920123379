/**
 * The registry of drift statistics and the automatic choice among them. A new statistic is one
 * file here exporting a StatTest, one line in TESTS, and its reference values in stattests.test.ts.
 */
import type { NumericReference } from '../../models';
import type { StatTestName } from '../../../src-shared/monitoring';
import { chiSquare } from './chi-square';
import { fisherExactTest } from './fisher-exact';
import { jensenShannonTest } from './jensen-shannon';
import { ks } from './ks';
import type { FeatureKind, StatTest } from './types';
import { wasserstein } from './wasserstein';
import { zTest } from './z-test';

export type { FeatureKind, StatTest, StatTestResult } from './types';

export const TESTS: Record<StatTestName, StatTest> = {
  ks,
  wasserstein_normed: wasserstein,
  z_test: zTest,
  jensen_shannon: jensenShannonTest,
  chi_square: chiSquare,
  fisher_exact: fisherExactTest,
};

/** Evidently's boundary between a small and a large reference */
export const SMALL_REFERENCE = 1000;

export interface TestChoice {
  test: StatTest;
  reason: string;
  chosenBy: 'auto' | 'setting';
}

/**
 * Evidently's default (get_drift_stattest / _get_default_stattest): with a reference of at most
 * 1,000 rows, numeric features with more than 5 distinct values get KS, categorical ones
 * chi-square (more than 2 values) or the Z-test (binary); with a larger reference, numeric
 * features get the normed Wasserstein distance and categorical ones Jensen-Shannon (both 0.1).
 * Evidently counts distinct values over reference and current together; here the reference's
 * alone, so that the choice depends on the reference only and stays fixed from one window to the next.
 */
export function autoTest(kind: FeatureKind, ref: NumericReference): TestChoice {
  const size = ref.count;
  const small = size <= SMALL_REFERENCE;
  const distinct = new Set(ref.sample).size;
  const sizeText = `${size} reference ${kind === 'tokens' ? 'messages' : 'rows'} (${small ? '<=' : '>'} ${SMALL_REFERENCE})`;
  const categorical = kind === 'binary' || distinct <= 5;
  const what =
    kind === 'tokens'
      ? 'per-message token statistic (numeric)'
      : kind === 'binary'
        ? 'binary feature'
        : categorical
          ? `numeric feature with ${distinct} distinct values (<= 5: categorical)`
          : 'numeric feature';
  let test: StatTest;
  if (small) test = categorical ? (distinct > 2 ? chiSquare : zTest) : ks;
  else test = categorical ? jensenShannonTest : wasserstein;
  return { test, reason: `automatic: ${what}, ${sizeText} -> ${test.name}`, chosenBy: 'auto' };
}

/** the operator's test for the feature when set (and applicable), else the automatic one */
export function chooseTest(feature: string, kind: FeatureKind, ref: NumericReference, settings?: Partial<Record<string, StatTestName>>): TestChoice {
  const set = settings?.[feature];
  if (set && TESTS[set].appliesTo.includes(kind)) return { test: TESTS[set], reason: `set by an operator for ${feature}`, chosenBy: 'setting' };
  return autoTest(kind, ref);
}

/** whether a test may be set on a feature kind (settings are checked with it) */
export function applicable(test: StatTestName, kind: FeatureKind): boolean {
  return TESTS[test].appliesTo.includes(kind);
}
