import { describe, expect, it } from 'vitest';
import { kolmogorovSmirnovSurvival } from './kolmogorov';
import {
  binShares,
  chiSquareTest,
  evidentlyShares,
  fillZeroShares,
  gammaQ,
  jensenShannon,
  kolmogorovSurvival,
  ksTwoSample,
  psi,
  sturgesEdges,
  wassersteinNormed,
  zTestProportions,
} from './stats';

/** |got - want| within `rel` of |want| (12 digits: the table's values come from scipy/numpy) */
function close(got: number, want: number, rel = 1e-12) {
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(rel * Math.abs(want));
}

describe('drift statistics against known values', () => {
  it('Kolmogorov distribution: P(K > 1.36) = 0.0505, P(K > 1.63) = 0.0098', () => {
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 3);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 3);
  });
  it('KS two-sample: identical samples do not differ, shifted ones do', () => {
    const a = Array.from({ length: 500 }, (_, i) => i / 500);
    expect(ksTwoSample(a, a)).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
    const shifted = a.map((x) => x + 0.2);
    const r = ksTwoSample(a, shifted);
    expect(r.statistic).toBeCloseTo(0.2, 2);
    expect(r.pValue).toBeLessThan(1e-6);
    // scipy.stats.ks_2samp([1,2,3,4,5],[3,4,5,6,7]): D = 0.4, exact p = 0.873
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

// ---- parity with scipy 1.10 / Evidently: values from scripts/reference/drift_stats.py --------

// the sample pairs, rebuilt with the script's formulas (integer arithmetic, then one division)
const range = (n: number) => Array.from({ length: n }, (_, k) => k);
const bigRef = range(1000).map((k) => (((k * 7919) % 1000) / 1000) * 3 + ((k * 31) % 17) / 17);
const PAIRS: Record<string, [number[], number[]]> = {
  'ties 10 vs 12': [
    [1, 2, 2, 3, 3, 3, 4, 5, 5, 6],
    [2, 3, 3, 4, 5, 5, 6, 6, 7, 8, 8, 9],
  ],
  'ties 30 vs 30': [range(30).map((k) => Math.floor(k / 3)), range(30).map((k) => Math.floor((k + 9) / 3))],
  'ties 30 vs 30, exact sum above 1': [range(30).map((k) => Math.floor(k / 3)), range(30).map((k) => Math.floor((k + 1) / 3))],
  'formula 1000 vs 1000': [bigRef, range(1000).map((k) => (((k * 104729) % 1000) / 1000) * 3 + ((k * 13) % 11) / 11 + 0.15)],
  'formula 1000 vs 800': [bigRef, range(800).map((k) => (((k * 7907) % 800) / 800) * 3 + ((k * 29) % 19) / 19 + 0.15)],
  'constant reference 1000 vs 200': [range(1000).map(() => 0.5), range(200).map((k) => 0.5 + ((k * 37) % 5) / 100)],
};
// scipy ks_2samp (D, p, the method it ended with), the asymptotic p with Stephens' correction we
// used before, Evidently's normed Wasserstein and PSI (number of bins, value)
const EXPECTED: [string, { ks: [number, number, 'exact' | 'asymp']; stephens: number; wasserstein: number; psiBins: number; psi: number }][] = [
  [
    'ties 10 vs 12',
    { ks: [0.4, 0.2829492488935213, 'exact'], stephens: 0.2688882162968653, wasserstein: 1.403121520040228, psiBins: 9, psi: 3.2690142724606557 },
  ],
  [
    'ties 30 vs 30',
    { ks: [0.3, 0.13500350250095441, 'exact'], stephens: 0.10883839498780425, wasserstein: 1.044465935734187, psiBins: 13, psi: 4.140508514221893 },
  ],
  [
    'ties 30 vs 30, exact sum above 1',
    { ks: [0.03333333333333333, 1.0, 'asymp'], stephens: 1.0, wasserstein: 0.1160517706371319, psiBins: 11, psi: 0.20657268898170827 },
  ],
  [
    'formula 1000 vs 1000',
    { ks: [0.052, 0.13385273551786803, 'exact'], stephens: 0.12984378016123646, wasserstein: 0.1457460435595788, psiBins: 12, psi: 0.04052090179178475 },
  ],
  [
    'formula 1000 vs 800',
    { ks: [0.0565, 0.11287672270952509, 'exact'], stephens: 0.11322277785869184, wasserstein: 0.16609293831350191, psiBins: 12, psi: 0.04867939223349448 },
  ],
  [
    'constant reference 1000 vs 200',
    { ks: [0.8, 3.567137972647326e-110, 'exact'], stephens: 6.27592126938609e-95, wasserstein: 20.000000000000018, psiBins: 5, psi: 7.36523193659713 },
  ],
];

describe('drift statistics equal scipy and Evidently on fixed samples', () => {
  for (const [name, want] of EXPECTED) {
    it(name, () => {
      const [ref, cur] = PAIRS[name];
      const ks = ksTwoSample(ref, cur);
      close(ks.statistic, want.ks[0]);
      close(ks.pValue, want.ks[1]);
      expect(ks.method).toBe(want.ks[2]);
      // what the asymptotic formula gave (smaller near 0.05: drift flagged too often)
      close(
        kolmogorovSurvival(
          (Math.sqrt((ref.length * cur.length) / (ref.length + cur.length)) + 0.12 + 0.11 / Math.sqrt((ref.length * cur.length) / (ref.length + cur.length))) *
            want.ks[0],
        ),
        want.stephens,
        1e-9,
      );
      close(wassersteinNormed(ref, cur), want.wasserstein);
      const binned = evidentlyShares(ref, cur);
      expect(binned.bins).toHaveLength(want.psiBins);
      close(psi(binned.reference, binned.current), want.psi);
    });
  }
  it('KS past 10,000 values: the one-sample distribution of D for n = round(mn/(m+n)), as scipy', () => {
    const a = range(300).map((k) => (((k * 7919) % 300) / 300) * 3 + ((k * 31) % 17) / 17);
    const b = (shift: number) => range(12000).map((k) => (((k * 104729) % 12000) / 12000) * 3 + ((k * 13) % 11) / 11 + shift);
    for (const [shift, d, p] of [
      [0.15, 0.057083333333333375, 0.28444521573015524],
      [0.35, 0.11950000000000002, 0.00041992438174835327],
    ]) {
      const r = ksTwoSample(a, b(shift));
      expect(r.method).toBe('asymp');
      close(r.statistic, d);
      close(r.pValue, p);
    }
    // scipy.stats.kstwo.sf(x, n) in each of its regions (Durbin matrix, Pomeranz, Smirnov's sum, Pelz-Good)
    const kstwo: [number, number, number][] = [
      [20, 0.2, 0.352720173623415],
      [60, 0.1, 0.5521961259289287],
      [60, 0.3, 2.7617543388165356e-5],
      [140, 0.15, 0.0032495604415101703],
      [293, 0.05, 0.4421809601000565],
      [952, 0.05, 0.016543801179226124],
      [952, 0.1, 9.69367911287561e-9],
      [5000, 0.01, 0.6954557253913853],
    ];
    for (const [n, x, p] of kstwo) close(kolmogorovSmirnovSurvival(n, x), p);
  });
  it('chi-square: statistic and upper-tail p-value, also far below 1e-16 (1 - cdf gives 0 there)', () => {
    const cases: [number[], number[], number, number][] = [
      [[0.5, 0.3, 0.2], [60, 25, 15], 4.083333333333334, 0.12981217685543797],
      [[0.25, 0.25, 0.25, 0.25], [400, 50, 30, 20], 810.4000000000001, 2.4027059476983616e-175],
      [new Array(12).fill(1 / 12), [8, 12, 9, 11, 10, 7, 13, 10, 9, 11, 12, 8], 3.8, 0.9754063624587824],
    ];
    for (const [p, counts, stat, pValue] of cases) {
      const r = chiSquareTest(p, counts);
      close(r.statistic, stat);
      close(r.pValue, pValue, 1e-11);
    }
    // the regularized upper incomplete gamma at both of its methods
    close(gammaQ(1, 3), Math.exp(-3), 1e-14);
    close(gammaQ(2.5, 1), 0.8491450360846096, 1e-13);
  });
  it('Z-test and Jensen-Shannon', () => {
    close(zTestProportions(0.6, 100, 0.5, 100).statistic, 1.4213381090374024);
    close(zTestProportions(0.6, 100, 0.5, 100).pValue, 0.155218489684684);
    close(zTestProportions(0.12, 1000, 0.2, 150).statistic, -2.7129319932501077);
    close(zTestProportions(0.12, 1000, 0.2, 150).pValue, 0.00666907916830195, 1e-11);
    close(jensenShannon([0.1, 0.4, 0.5], [0.3, 0.3, 0.4]), 0.1803596560271257);
    close(jensenShannon([3, 0, 7, 10], [1, 5, 4, 0]), 0.5915441498240909);
  });
  it('PSI fills only empty shares, as Evidently (a share below 0.0001 stays)', () => {
    close(psi([0.5, 0.49995, 0.00005], [0.5, 0.5, 0]), 3.466235927801393e-5);
    close(psi([0.3, 0.5, 0.2], [0.4, 0.6, 0]), 1.566420764587036);
    expect(fillZeroShares([0.5, 0, 0.5])).toEqual([0.5, 0.0001, 0.5]);
    expect(fillZeroShares([0.99995, 0, 0.00005])).toEqual([0.99995, 0.00005 / 1e6, 0.00005]);
  });
  it('numpy sturges edges: a constant sample gets one bin of width 1', () => {
    expect(sturgesEdges([2, 2, 2])).toEqual([1.5, 2.5]);
    expect(sturgesEdges([0, 1, 2, 3, 4, 5, 6, 7])).toEqual([0, 1.75, 3.5, 5.25, 7]);
  });
});

/** an array that counts the reads of its elements and throws past `budget` of them */
function counted(values: number[], budget: { left: number }): number[] {
  return new Proxy(values, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop) && --budget.left < 0) throw new Error('read budget exhausted: the binning is not linear');
      return Reflect.get(target, prop, receiver);
    },
  });
}

describe('Evidently binning stays linear in the samples (issue 19, item 14)', () => {
  // the probe's shape: a reference of 20 distinct values or fewer (one bin per value), a window
  // of 21,053 distinct values; a pass over both samples per bin read them 21,073 times each
  const ref = Array.from({ length: 1000 }, (_, i) => (i % 20) / 40);
  const cur = Array.from({ length: 21_053 }, (_, i) => i / 21_053);

  it('reads each value a bounded number of times, whatever the number of bins', () => {
    const budget = { left: 10 * (ref.length + cur.length) };
    const binned = evidentlyShares(counted(ref, budget), counted(cur, budget));
    expect(binned.bins.length).toBeGreaterThan(21_053);
    // and the sturges path too
    const wide = Array.from({ length: 1000 }, (_, i) => i / 7);
    const budget2 = { left: 10 * (wide.length + cur.length) };
    expect(evidentlyShares(counted(wide, budget2), counted(cur, budget2)).bins.length).toBeLessThan(30);
  });

  it('gives the shares of one bin per value seen in either sample, as counted by brute force', () => {
    const r = [0, 0, 1, 1, 1, 2.5, -3, 7, 7, 7];
    const c = [1, 1, 2.5, 4, 4, 4, 4, -3, 9, 0.1];
    const keys = [...new Set([...r, ...c])].sort((a, b) => a - b);
    const share = (xs: number[], k: number) => xs.filter((v) => v === k).length / xs.length;
    expect(evidentlyShares(r, c)).toEqual({
      bins: keys.map((k) => `${+k.toPrecision(4)}`),
      reference: keys.map((k) => share(r, k)),
      current: keys.map((k) => share(c, k)),
    });
    // on the probe's shape too (first and last bins, and the sums)
    const big = evidentlyShares(ref, cur);
    const bigKeys = [...new Set([...ref, ...cur])].sort((a, b) => a - b);
    expect(big.bins).toEqual(bigKeys.map((k) => `${+k.toPrecision(4)}`));
    for (const k of [0, 1, 2, bigKeys.length - 1]) {
      expect(big.reference[k]).toBe(share(ref, bigKeys[k]));
      expect(big.current[k]).toBe(share(cur, bigKeys[k]));
    }
    close(
      big.reference.reduce((s, x) => s + x, 0),
      1,
      1e-9,
    );
    close(
      big.current.reduce((s, x) => s + x, 0),
      1,
      1e-9,
    );
  });
});
