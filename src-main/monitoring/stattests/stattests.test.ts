/**
 * The registry of drift statistics: the automatic choice (Evidently's rules, fixed by the
 * reference), operator settings, and each test's values against scipy 1.10.1 (computed with
 * /usr/bin/python3: ks_2samp, wasserstein_distance / np.std, chisquare, jensenshannon), including
 * the per-message token statistic.
 */
import { describe, expect, it } from 'vitest';
import { messageSurprisal, numericReference, tokenReference } from '../../models';
import { TESTS, autoTest, chooseTest } from '.';
import { wilsonInterval } from './wilson';

const numeric = (n: number, distinct = n) => numericReference(Array.from({ length: n }, (_, i) => i % distinct));

describe('the automatic choice (Evidently: get_drift_stattest)', () => {
  it('numeric features: KS up to 1,000 reference rows, the normed Wasserstein distance beyond', () => {
    expect(autoTest('numeric', numeric(1000)).test.name).toBe('ks');
    expect(autoTest('numeric', numeric(1001)).test.name).toBe('wasserstein_normed');
    expect(autoTest('numeric', numeric(1001)).reason).toBe('automatic: numeric feature, 1001 reference rows (> 1000) -> wasserstein_normed');
  });
  it('categorical features: chi-square (> 2 values) or Z-test (binary) up to 1,000 rows, Jensen-Shannon beyond', () => {
    expect(autoTest('binary', numeric(500, 2)).test.name).toBe('z_test');
    expect(autoTest('binary', numeric(5000, 2)).test.name).toBe('jensen_shannon');
    // a numeric feature of at most 5 distinct values is categorical, as in Evidently
    expect(autoTest('numeric', numeric(500, 3)).test.name).toBe('chi_square');
    expect(autoTest('numeric', numeric(500, 2)).test.name).toBe('z_test');
    expect(autoTest('numeric', numeric(5000, 5)).test.name).toBe('jensen_shannon');
    expect(autoTest('numeric', numeric(500, 6)).test.name).toBe('ks');
  });
  it('token ids: the per-message statistic follows the numeric rule on the number of reference messages', () => {
    const rows = Array.from({ length: 1200 }, (_, i) => [1 + (i % 7), 1 + (i % 11), 1 + (i % 13), 0]);
    const ref = tokenReference(rows, 20);
    expect(ref.messages?.count).toBe(1200);
    expect(autoTest('tokens', ref.messages!).test.name).toBe('wasserstein_normed');
    expect(autoTest('tokens', tokenReference(rows.slice(0, 300), 20).messages!).test.name).toBe('ks');
  });
  it('depends on the reference only: the same for any window', () => {
    const ref = numeric(800, 3);
    const a = chooseTest('x', 'numeric', ref);
    expect(a.test.name).toBe('chi_square');
    // (Evidently counts distinct values over both samples, so a window with new values could flip it to KS)
    expect(chooseTest('x', 'numeric', ref).test.name).toBe(a.test.name);
  });
  it('an operator setting wins when it applies to the feature kind, and says so', () => {
    const ref = numeric(5000);
    expect(chooseTest('cap_r', 'numeric', ref, { cap_r: 'ks' })).toMatchObject({ chosenBy: 'setting', reason: 'set by an operator for cap_r' });
    expect(chooseTest('cap_r', 'numeric', ref, { cap_r: 'ks' }).test.name).toBe('ks');
    // the Z-test is for binary features: ignored on a numeric one (the settings route refuses it)
    expect(chooseTest('cap_r', 'numeric', ref, { cap_r: 'z_test' }).chosenBy).toBe('auto');
  });
});

describe('the tests against scipy', () => {
  // vocabulary of 6 (0 is padding); reference token shares [0, 5, 4, 3, 1.5, 1.5] / 15
  const refRows = [
    [1, 2, 3, 0],
    [1, 1, 2, 0],
    [2, 3, 4, 5],
    [1, 0, 0, 0],
    [3, 3, 1, 2],
    [4, 1, 1, 0],
    [2, 2, 1, 5],
    [1, 3, 0, 0],
    [5, 4, 3, 2],
    [1, 2, 0, 0],
  ];
  const curRows = [
    [5, 5, 4, 0],
    [4, 4, 5, 1],
    [5, 0, 0, 0],
    [3, 5, 4, 4],
    [1, 5, 0, 0],
    [4, 5, 5, 5],
  ];
  const ref = tokenReference(refRows, 6);
  const cur = curRows.map((r) => messageSurprisal(r, ref.tokenShare));

  it('the per-message statistic: mean surprisal of the non-padding tokens, in bits', () => {
    expect(ref.tokenShare[1]).toBeCloseTo(1 / 3, 15);
    expect(messageSurprisal([1, 0, 0], ref.tokenShare)).toBeCloseTo(Math.log2(3), 14); // 1.584962500721156
    expect(messageSurprisal([0, 0], ref.tokenShare)).toBe(0);
    // a token the reference never saw counts as a share of 1e-6
    expect(messageSurprisal([7], [0, 1])).toBe(0); // outside the vocabulary: not a token of the features
    expect(messageSurprisal([2], [0, 1, 0])).toBeCloseTo(-Math.log2(1e-6), 12);
    expect(cur[1]).toBeCloseTo(2.8876866963458108, 13);
    expect(ref.messages!.sample[0]).toBeCloseTo(1.5849625007211563, 13);
  });
  it('KS on the per-message statistic (ks_2samp: D 0.8333, p 0.003996)', () => {
    const r = TESTS.ks.run(ref.messages!, cur);
    expect(r.statistic).toBeCloseTo(0.8333333333333334, 13);
    expect(r.pValue!).toBeCloseTo(0.003996003996003996, 13);
    expect(TESTS.ks.drifted(r, 0.05)).toBe(true);
  });
  it('the normed Wasserstein distance on the per-message statistic (2.669126552997379)', () => {
    const r = TESTS.wasserstein_normed.run(ref.messages!, cur);
    expect(r.statistic).toBeCloseTo(2.669126552997379, 12);
    expect(TESTS.wasserstein_normed.drifted(r, 0.1)).toBe(true);
  });
  it('chi-square and Jensen-Shannon on a 3-valued feature (chisquare: 4.6667, p 0.09697; jensenshannon 0.23576)', () => {
    const r = numericReference([0, 0, 0, 1, 1, 2, 2, 2, 2, 2]);
    const c = [0, 1, 1, 1, 1, 2, 2, 0];
    const chi = TESTS.chi_square.run(r, c);
    expect(chi.statistic).toBeCloseTo(4.666666666666666, 12);
    expect(chi.pValue!).toBeCloseTo(0.09697196786440512, 12);
    expect(TESTS.chi_square.drifted(chi, 0.05)).toBe(false);
    const js = TESTS.jensen_shannon.run(r, c);
    expect(js.statistic).toBeCloseTo(0.2357593494720185, 12);
    expect(TESTS.jensen_shannon.drifted(js, 0.1)).toBe(true);
  });
});

describe('the Wilson score interval', () => {
  // reference values: the formula in Python with scipy's norm.ppf(0.975) (statsmodels' method='wilson')
  it.each([
    [23, 100, 0.158432658803, 0.321543830229],
    [0, 10, 0, 0.277532799863],
    [10, 10, 0.722467200137, 1],
    [1, 3, 0.06149194472, 0.792340399198],
    [700, 3000, 0.218545310566, 0.248803408754],
  ])('%i of %i', (k, n, low, high) => {
    const ci = wilsonInterval(k, n);
    expect(ci?.low).toBeCloseTo(low, 10);
    expect(ci?.high).toBeCloseTo(high, 10);
  });
  it('gives no interval without a sample', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
