import { describe, expect, it } from 'vitest';
import { binShares, chiSquareTest, jensenShannon, kolmogorovSurvival, ksTwoSample, psi, wassersteinNormed, zTestProportions } from './stats';

describe('drift statistics against known values', () => {
  it('Kolmogorov distribution: P(K > 1.36) = 0.0505, P(K > 1.63) = 0.0098', () => {
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 3);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 3);
  });
  it('KS two-sample: identical samples do not differ, shifted ones do', () => {
    const a = Array.from({ length: 500 }, (_, i) => i / 500);
    expect(ksTwoSample(a, a)).toEqual({ statistic: 0, pValue: 1 });
    const shifted = a.map((x) => x + 0.2);
    const r = ksTwoSample(a, shifted);
    expect(r.statistic).toBeCloseTo(0.2, 2);
    expect(r.pValue).toBeLessThan(1e-6);
    // scipy.stats.ks_2samp([1,2,3,4,5],[3,4,5,6,7]): D = 0.4
    expect(ksTwoSample([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]).statistic).toBeCloseTo(0.4, 10);
  });
  it('chi-square: statistic 3.841 with 1 degree of freedom is p = 0.05', () => {
    // expected 50/50 of 100, observed 59.8/40.2 gives (9.8^2/50)*2 = 3.8416
    const r = chiSquareTest([0.5, 0.5], [59.8, 40.2]);
    expect(r.statistic).toBeCloseTo(3.8416, 3);
    expect(r.pValue).toBeCloseTo(0.05, 3);
  });
  it('Z-test: z = 1.96 is p = 0.05', () => {
    // p1 = 0.6 (n 100) vs p2 = 0.5 (n 100): pooled 0.55, se = 0.070356, z = 1.4213, p = 0.1552
    const r = zTestProportions(0.6, 100, 0.5, 100);
    expect(r.statistic).toBeCloseTo(1.4213, 3);
    expect(r.pValue).toBeCloseTo(0.1552, 3);
  });
  it('Jensen-Shannon distance: 0 for equal, sqrt(ln 2) for disjoint', () => {
    expect(jensenShannon([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 10);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.log(2)), 10);
  });
  it('Wasserstein normed and PSI', () => {
    const ref = [0, 1, 2, 3, 4];
    expect(wassersteinNormed(ref, ref)).toBe(0);
    // shift by 1 over a std of sqrt(2)
    expect(
      wassersteinNormed(
        ref,
        ref.map((x) => x + 1),
      ),
    ).toBeCloseTo(1 / Math.sqrt(2), 10);
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(0.4 * Math.log(1.8) - 0.4 * Math.log(0.2), 10);
    expect(binShares([0, 1, 2, 3], [0.5, 2.5])).toEqual([0.25, 0.5, 0.25]);
  });
});
