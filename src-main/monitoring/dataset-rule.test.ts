/**
 * The dataset-drift rule: Fisher's exact test (scipy 1.10.1's fisher_exact, computed with
 * /usr/bin/python3), Holm's adjusted p-values (worked by hand below) and the rule that names the
 * features past the family-wise level, on reports computed from recorded predictions.
 */
import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../src-shared/training';
import type { PredictionRecord } from '../storage';
import { familyOf, numericReference, type FeatureReference } from '../models';
import { FEATURES_V1 } from '../features';
import { computeDrift, datasetDriftFeatures, datasetRule, DEFAULT_DATASET_DRIFT_ALPHA, type FeatureDrift } from './drift';
import { fisherExact, holmAdjusted, zTestProportions } from './stats';
import { TESTS } from './stattests';

function close(got: number, want: number, rel = 1e-10) {
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(rel * Math.abs(want));
}

describe("Fisher's exact test against scipy.stats.fisher_exact (two-sided)", () => {
  const table: [number, number, number, number, number][] = [
    [3, 37, 297, 3727, 1.0],
    [10, 37, 290, 3727, 0.0018325882595468777],
    [0, 40, 300, 3724, 0.11637429395125506],
    [1, 9, 11, 3, 0.0027594561852200836],
    [8, 2, 1, 5, 0.034965034965034975],
    [5, 0, 0, 5, 0.007936507936507938],
    [2, 7, 8, 2, 0.02301413756522116],
    [45, 560, 255, 3204, 0.9329317596452715],
    [8, 38, 292, 3726, 0.017728890596868743],
  ];
  it.each(table)('[[%i, %i], [%i, %i]]: p = %f', (a, b, c, d, p) => {
    close(fisherExact(a, b, c, d).pValue, p);
  });
  it("a rare cue word (1 % of 3,764 reference rows) seen 8 times in a window of 300: the Z-test's normal tail halves the exact p-value", () => {
    const z = zTestProportions(38 / 3764, 3764, 8 / 300, 300).pValue;
    expect(z).toBeLessThan(0.01);
    expect(fisherExact(8, 38, 292, 3726).pValue).toBeGreaterThan(0.01);
    // the registry's test reads the reference's count of ones from its exact mean
    const ref = numericReference([...Array(38).fill(1), ...Array(3726).fill(0)]);
    const cur = [...Array(8).fill(1), ...Array(292).fill(0)];
    close(TESTS.fisher_exact.run(ref, cur).pValue!, 0.017728890596868743);
  });
});

describe("Holm's adjusted p-values", () => {
  it('sorted ascending, the i-th of m times m - i, kept non-decreasing, capped at 1, in the input order', () => {
    // 0.005 x 4 = 0.02; 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> 0.06 (non-decreasing)
    const adj = holmAdjusted([0.01, 0.04, 0.03, 0.005]);
    for (const [i, want] of [0.03, 0.06, 0.06, 0.02].entries()) close(adj[i], want, 1e-12);
    expect(holmAdjusted([0.5, 0.9])).toEqual([1, 1]);
    expect(holmAdjusted([])).toEqual([]);
  });
});

const feature = (name: string, pValue: number, drifted = false): FeatureDrift => ({
  feature: name,
  kind: 'numeric',
  test: 'wasserstein_normed',
  statistic: 0,
  threshold: 0.1,
  drifted,
  psi: 0,
  bins: [],
  reference: [],
  current: [],
  datasetTest: { test: 'ks', pValue, adjustedPValue: pValue, drifted: false },
});

describe('the dataset-drift rule', () => {
  it("Holm: drift when a feature's adjusted p-value is at most alpha, naming those features", () => {
    // 9 features: 0.001 x 9 = 0.009 rejects at 0.01; 0.002 x 8 = 0.016 does not (nor anything after it)
    const fs = [feature('a', 0.002), feature('b', 0.001), ...Array.from({ length: 7 }, (_, i) => feature(`c${i}`, 0.5, true))];
    const r = datasetRule(fs, {}, { kind: 'holm', alpha: 0.01 });
    expect(r).toMatchObject({ drift: true, named: ['b'], rule: { kind: 'holm', alpha: 0.01 } });
    expect(r.rule.description).toMatch(/adjusted by Holm across the 9 features, is at most 0.01 \(the model family's default\)$/);
    expect(fs[1].datasetTest).toMatchObject({ drifted: true });
    close(fs[1].datasetTest!.adjustedPValue, 0.009);
    close(fs[0].datasetTest!.adjustedPValue, 0.016);
    expect(datasetDriftFeatures({ features: fs, rule: r.rule })).toEqual(['b']);
  });
  it('a p-value of 0.004 in one of 9 features is no dataset drift at 0.02 (it would be unadjusted); an operator may set alpha', () => {
    const fs = [feature('a', 0.004), ...Array.from({ length: 8 }, (_, i) => feature(`c${i}`, 0.3))];
    expect(datasetRule(fs, {}, { kind: 'holm', alpha: 0.02 }).drift).toBe(false);
    const set = datasetRule(fs, { datasetDriftAlpha: 0.05 }, { kind: 'holm', alpha: 0.02 });
    expect(set).toMatchObject({ drift: true, rule: { kind: 'holm', alpha: 0.05 } });
    expect(set.rule.description).toMatch(/\(set by an operator\)$/);
    // without a family rule: Holm at 0.05
    expect(DEFAULT_DATASET_DRIFT_ALPHA).toBe(0.05);
    expect(datasetRule(fs, {}).rule).toMatchObject({ kind: 'holm', alpha: 0.05 });
  });
  it('the families declare their calibrated rules: the forest Holm at 0.02, the LSTM all of its 3 features', () => {
    expect(familyOf('random-forest').datasetDriftRule).toEqual({ kind: 'holm', alpha: 0.02 });
    expect(familyOf('lstm').datasetDriftRule).toEqual({ kind: 'share', share: 1 });
    const fs = [feature('a', 1e-9, true), feature('b', 0.9, true), feature('c', 0.9)];
    expect(datasetRule(fs, {}, familyOf('lstm').datasetDriftRule)).toMatchObject({ drift: false, rule: { kind: 'share', share: 1 } });
    // the Holm columns are filled under the share rule too (context in the table)
    expect(fs[0].datasetTest).toMatchObject({ drifted: true });
  });
  it("an operator's datasetDriftShare keeps the share rule of features past their own thresholds", () => {
    const fs = [feature('a', 0.9, true), feature('b', 0.9, true), feature('c', 1e-9)];
    expect(datasetRule(fs, { datasetDriftShare: 0.6 })).toMatchObject({ drift: true, named: ['a', 'b'], rule: { kind: 'share', share: 0.6 } });
    expect(datasetRule(fs, { datasetDriftShare: 0.7 }).drift).toBe(false);
  });
});

describe('a forest report under the rule', () => {
  // a reference of 3,000 rows: cap_r uniform on [0, 1), the cue words rare (1 in 100) or absent
  const refRows = Array.from({ length: 3000 }, (_, i) =>
    FEATURES_V1.map((f, j) => (j === 0 ? (i % 100) / 100 : f.startsWith('cw_') ? (i % 100 === 0 ? 1 : 0) : 0)),
  );
  const reference: Record<string, FeatureReference> = Object.fromEntries(FEATURES_V1.map((f, j) => [f, numericReference(refRows.map((r) => r[j]))]));
  const version = {
    name: 'rule-test',
    version: '1',
    kind: 'random-forest',
    data: { trainRows: 3000, entities: 3000, classBalance: { spam: 300, ham: 2700 } },
  } as unknown as ModelVersion;
  const records = (rows: number[][]): PredictionRecord[] =>
    rows.map((features, i) => ({ id: `p${i}`, at: 1e12 - i, model: 'rule-test', version: '1', endpoint: 't', features, spam: 0, label: 'ham', caller: 't' }));

  it('traffic like the reference: no dataset drift, and every feature carries its rule test and adjusted p-value', () => {
    const r = computeDrift(version, reference, records(refRows.filter((_, i) => i % 10 === 3)), new Map(), { minWindow: 1 });
    expect(r.datasetDrift).toBe(false);
    expect(r.rule).toMatchObject({ kind: 'holm', alpha: 0.02 });
    expect(r.features.map((f) => f.datasetTest?.test)).toEqual(FEATURES_V1.map((f) => (f.startsWith('cw_') ? 'fisher_exact' : 'ks')));
    expect(r.statusText).toMatch(/^no dataset drift: no feature's Holm-adjusted p-value is at most 0.02/);
  });
  it('cap_r shifted up: dataset drift naming cap_r alone, the statistic and text from the same features', () => {
    const shifted = refRows.filter((_, i) => i % 10 === 3).map((r) => [Math.min(1, r[0] + 0.3), ...r.slice(1)]);
    const r = computeDrift(version, reference, records(shifted), new Map(), { minWindow: 1 });
    expect(r.datasetDrift).toBe(true);
    expect(datasetDriftFeatures(r)).toEqual(['cap_r']);
    expect(r.statusText).toMatch(/^dataset drift: cap_r drifted \(Holm-adjusted p <= 0.02;/);
  });
});
