/**
 * Two-sample statistics for drift, computed as scipy and Evidently compute them (the test table
 * in stats.test.ts holds their values for fixed samples; scripts/reference/drift_stats.py makes
 * them): Kolmogorov-Smirnov as scipy.stats.ks_2samp (method 'auto'), the normed Wasserstein
 * distance, chi-square, Z-test, Jensen-Shannon and PSI as Evidently's stattests, with Evidently's
 * binning (`evidentlyShares`). The normal distribution comes from jStat.
 */
import jstatModule from 'jstat';
import { kolmogorovSmirnovSurvival } from './kolmogorov';

const { jStat } = jstatModule as unknown as { jStat: { normal: { cdf(x: number, m: number, s: number): number } } };

const sorted = (xs: number[]) => Float64Array.from(xs).sort();

/** Kolmogorov's limiting distribution: P(K > x) */
export function kolmogorovSurvival(x: number): number {
  if (x <= 0) return 1;
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * x * x);
    s += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, s));
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
/** numpy's round: halves to even */
const roundHalfEven = (x: number) => {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/**
 * Two-sample KS test, two-sided, as scipy.stats.ks_2samp(method='auto') (scipy 1.10): the exact
 * distribution when both samples have at most 10,000 values (the statistic is then rounded to a
 * multiple of 1/lcm(n, m), as scipy returns it), else (and where the exact sum leaves [0, 1]) the
 * one-sample distribution of D for n = round(mn/(m+n)), scipy's kstwo. Evidently's KS test calls
 * ks_2samp with these defaults.
 */
export function ksTwoSample(a: number[], b: number[]): { statistic: number; pValue: number; method: 'exact' | 'asymp' } {
  const x = sorted(a);
  const y = sorted(b);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return { statistic: 0, pValue: 1, method: 'exact' };
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] <= v) i++;
    while (j < m && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  if (Math.max(n, m) <= 10000) {
    const g = gcd(n, m);
    const lcm = (n / g) * m;
    const h = roundHalfEven(d * lcm);
    const p = h === 0 ? 1 : n === m ? probOutsideSquare(n, h) : probOutsideBand(n, m, g, h);
    // scipy falls back to the asymptotic distribution when the exact sum leaves [0, 1]
    if (p >= 0 && p <= 1) return { statistic: h / lcm, pValue: p, method: 'exact' };
  }
  const [big, small] = n >= m ? [n, m] : [m, n];
  const en = (big * small) / (big + small);
  return { statistic: d, pValue: Math.min(1, Math.max(0, kolmogorovSmirnovSurvival(roundHalfEven(en), d))), method: 'asymp' };
}

/**
 * P(D_{n,n} >= h/n) for two samples of n: 2 * sum_k (-1)^(k+1) binom(2n, n-kh) / binom(2n, n),
 * evaluated as nested products from the innermost term out (no cancellation), as scipy does.
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1;
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1);
    p = term * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D >= h/lcm) for samples of n and m: the share of lattice paths from (0,0) to (m,n) that
 * leave the band |x/m - y/n| < h/lcm. Column by column we keep, per point, the probability
 * that a random path to it has left the band already (1 outside the band), which needs no
 * binomial coefficients (the "inside method" of Hodges in the form of Viehmann, 2021).
 */
function probOutsideBand(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  const q = new Float64Array(n + 1);
  // column 0: inside for j < h/mg
  let lo = 0;
  let hi = Math.min(Math.ceil(h / mg), n + 1);
  for (let i = 1; i <= m; i++) {
    const prevLo = lo;
    const prevHi = hi;
    lo = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    hi = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (hi <= lo) return 1;
    let below = lo === 0 ? 0 : 1;
    for (let j = lo; j < hi; j++) {
      const left = j >= prevLo && j < prevHi ? q[j] : 1;
      below = (left * i + below * j) / (i + j);
      q[j] = below;
    }
  }
  return q[hi - 1];
}

/** Wasserstein-1 distance (scipy) over the reference's standard deviation, at least 0.001 (Evidently) */
export function wassersteinNormed(ref: number[], cur: number[]): number {
  const x = sorted(ref);
  const y = sorted(cur);
  if (x.length === 0 || y.length === 0) return 0;
  // integrate |F_x - F_y| over the merged support
  const all = Float64Array.from([...x, ...y]).sort();
  let i = 0;
  let j = 0;
  let w = 0;
  for (let k = 0; k < all.length - 1; k++) {
    while (i < x.length && x[i] <= all[k]) i++;
    while (j < y.length && y[j] <= all[k]) j++;
    w += Math.abs(i / x.length - j / y.length) * (all[k + 1] - all[k]);
  }
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const std = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
  // a (near) constant reference: Evidently divides by 0.001, so any shift reads as large
  return w / Math.max(std, 0.001);
}

/**
 * Pearson's chi-square test of the current counts against the reference proportions (scipy's
 * chisquare, which Evidently's test calls); the p-value is the upper tail Q(df/2, stat/2)
 * itself, not 1 - cdf, so it stays accurate far below 1e-16.
 */
export function chiSquareTest(refProportions: number[], curCounts: number[]): { statistic: number; pValue: number; df: number } {
  const n = curCounts.reduce((s, c) => s + c, 0);
  let stat = 0;
  let df = -1;
  refProportions.forEach((p, k) => {
    if (p <= 0) return;
    const e = p * n;
    stat += (curCounts[k] - e) ** 2 / e;
    df++;
  });
  if (df < 1 || n === 0) return { statistic: 0, pValue: 1, df: Math.max(df, 0) };
  return { statistic: stat, pValue: gammaQ(df / 2, stat / 2), df };
}

// Lanczos approximation (g = 7, 9 terms): ln Γ to about 1e-15
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];
export function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  const x = z - 1;
  let s = LANCZOS[0];
  for (let k = 1; k < 9; k++) s += LANCZOS[k] / (x + k);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** regularized upper incomplete gamma Q(a, x): a series below a + 1, a continued fraction above */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // P(a, x) = x^a e^-x / Γ(a+1) * sum_k x^k / ((a+1)...(a+k))
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 10000; k++) {
      term *= x / (a + k);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - sum * Math.exp(logPrefix);
  }
  // Q(a, x) = x^a e^-x / Γ(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))), modified Lentz
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let f = d;
  for (let k = 1; k < 10000; k++) {
    const an = -k * (k - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * f;
}

/** two-proportion Z-test (two-sided), as Evidently: 2 (1 - Φ(|z|)) */
export function zTestProportions(p1: number, n1: number, p2: number, n2: number): { statistic: number; pValue: number } {
  const p = (p1 * n1 + p2 * n2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (!se) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / se;
  return { statistic: z, pValue: 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1)) };
}

/** Jensen-Shannon distance (natural log, scipy's jensenshannon as Evidently calls it) */
export function jensenShannon(p: number[], q: number[]): number {
  const sp = p.reduce((s, v) => s + v, 0) || 1;
  const sq = q.reduce((s, v) => s + v, 0) || 1;
  let left = 0;
  let right = 0;
  for (let k = 0; k < p.length; k++) {
    const a = p[k] / sp;
    const b = q[k] / sq;
    const m = (a + b) / 2;
    if (a > 0) left += a * Math.log(a / m);
    if (b > 0) right += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, (left + right) / 2));
}

/**
 * Evidently's stand-in for empty shares (get_binned_data): 0.0001, or a millionth of the
 * smallest non-empty share when that is itself at most 0.0001. Other shares stay as they are.
 */
export function fillZeroShares(shares: number[]): number[] {
  let min = Infinity;
  for (const s of shares) if (s > 0 && s < min) min = s;
  const fill = min <= 0.0001 ? min / 1e6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

/** Population Stability Index over bin shares, as Evidently: empty bins filled, then sum (r - c) ln(r / c) */
export function psi(refShare: number[], curShare: number[]): number {
  const r = fillZeroShares(refShare);
  const c = fillZeroShares(curShare);
  let s = 0;
  for (let k = 0; k < r.length; k++) s += (r[k] - c[k]) * Math.log(r[k] / c[k]);
  return s;
}

/** shares of values in the bins given by ascending cut points (a value on a cut goes below it) */
export function binShares(values: number[], cuts: number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const v of values) {
    let k = 0;
    while (k < cuts.length && v > cuts[k]) k++;
    counts[k]++;
  }
  return counts.map((c) => c / (values.length || 1));
}

export interface BinnedShares {
  /** bin labels: "[a, b)" ranges (the last closed) or the distinct values */
  bins: string[];
  reference: number[];
  current: number[];
}

/**
 * Evidently's binning for a numeric feature (get_binned_data): more than 20 distinct reference
 * values give numpy's 'sturges' histogram edges over reference and current together; fewer give
 * one bin per value seen in either sample.
 */
export function evidentlyShares(ref: number[], cur: number[]): BinnedShares {
  const h = evidentlyHistograms(ref, [cur]);
  return { bins: h.bins, reference: h.reference.map((c) => c / (ref.length || 1)), current: h.windows[0].map((c) => c / (cur.length || 1)) };
}

/**
 * The same binning with several current windows (the feature's histograms over time): the edges
 * or values come from the reference and every window together, so that all share one set of bins.
 * Counts per bin, for the reference and each window.
 */
export function evidentlyHistograms(ref: number[], windows: number[][]): { bins: string[]; reference: number[]; windows: number[][] } {
  const refCounts = valueCounts(ref);
  if (refCounts.size > 20) {
    const edges = sturgesEdges([...ref, ...windows.flat()]);
    const label = (k: number) => `[${+edges[k].toPrecision(4)}, ${+edges[k + 1].toPrecision(4)}${k === edges.length - 2 ? ']' : ')'}`;
    return { bins: edges.slice(0, -1).map((_, k) => label(k)), reference: histogramCounts(ref, edges), windows: windows.map((w) => histogramCounts(w, edges)) };
  }
  // one count per value and sample, in one pass over each: the current window can hold tens of
  // thousands of distinct values (a bin each), and a pass per bin was quadratic (6.8 s for 21,053)
  const curCounts = windows.map(valueCounts);
  const keys = [...new Set([...refCounts.keys(), ...curCounts.flatMap((c) => [...c.keys()])])].sort((a, b) => a - b);
  const counts = (c: Map<number, number>) => keys.map((k) => c.get(k) ?? 0);
  return { bins: keys.map((k) => `${+k.toPrecision(4)}`), reference: counts(refCounts), windows: curCounts.map(counts) };
}

function valueCounts(values: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** numpy.histogram_bin_edges(values, bins='sturges') */
export function sturgesEdges(values: number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const width = (hi - lo) / (Math.log2(values.length) + 1);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const bins = width ? Math.ceil((hi - lo) / width) : 1;
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => k * step + lo);
  edges[bins] = hi;
  return edges;
}

/** numpy.histogram(values, edges): counts in bins [e_k, e_k+1), the last one closed */
function histogramCounts(values: number[], edges: number[]): number[] {
  const s = sorted(values);
  // values below e_k (and, for the last edge, not above it)
  const below = (e: number, last: boolean) => {
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (last ? s[mid] <= e : s[mid] < e) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const cum = edges.map((e, k) => below(e, k === edges.length - 1));
  return cum.slice(1).map((c, k) => c - cum[k]);
}

/** ln C(n, k) from ln Γ */
function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Fisher's exact test, two-sided, of the 2 x 2 table [[a, b], [c, d]] (scipy.stats.fisher_exact):
 * with the margins fixed, `a` is hypergeometric; the p-value sums the probabilities of every table
 * no more likely than the one observed (within a relative 1e-7, as scipy's tolerance for ties).
 * Exact for small counts, where the two-proportion Z-test's normal tail is far too light: a cue
 * word seen in 1 % of the reference has about 3 occurrences in a window of 300.
 */
export function fisherExact(a: number, b: number, c: number, d: number): { statistic: number; pValue: number } {
  const rowOnes = a + b; // the first row's total
  const colA = a + c; // the first column's total
  const n = a + b + c + d;
  const oddsRatio = b * c === 0 ? (a * d === 0 ? Number.NaN : Number.POSITIVE_INFINITY) : (a * d) / (b * c);
  if (n === 0 || rowOnes === 0 || colA === 0 || rowOnes === n || colA === n) return { statistic: oddsRatio, pValue: 1 };
  const lo = Math.max(0, rowOnes + colA - n);
  const hi = Math.min(rowOnes, colA);
  const logDenominator = logChoose(n, colA);
  const logPmf = (x: number) => logChoose(rowOnes, x) + logChoose(n - rowOnes, colA - x) - logDenominator;
  const observed = logPmf(a);
  const bound = observed + Math.log1p(1e-7);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const l = logPmf(x);
    if (l <= bound) p += Math.exp(l);
  }
  return { statistic: oddsRatio, pValue: Math.min(1, p) };
}

/**
 * Holm's step-down adjusted p-values (statsmodels' multipletests(method='holm')): sorted ascending,
 * the i-th of m is multiplied by m - i (0-based), kept non-decreasing, capped at 1. A feature
 * rejects at family-wise level alpha when its adjusted p-value is at most alpha; the chance that
 * any feature rejects when none drifted is then at most alpha, whatever their dependence.
 */
export function holmAdjusted(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
