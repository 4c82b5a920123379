/**
 * Two-sample statistics for drift, with Evidently's defaults in mind: Kolmogorov-Smirnov and the
 * normed Wasserstein distance for numeric features, chi-square / Z-test and Jensen-Shannon for
 * categorical ones, PSI for both. Distributions (chi-square, normal) come from jStat.
 */
import jstatModule from 'jstat';

const { jStat } = jstatModule as unknown as {
  jStat: { chisquare: { cdf(x: number, df: number): number }; normal: { cdf(x: number, m: number, s: number): number } };
};

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

/** two-sample KS test: statistic D and the asymptotic p-value (with Stephens' small-sample correction) */
export function ksTwoSample(a: number[], b: number[]): { statistic: number; pValue: number } {
  const x = sorted(a);
  const y = sorted(b);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return { statistic: 0, pValue: 1 };
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] <= v) i++;
    while (j < m && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const en = Math.sqrt((n * m) / (n + m));
  return { statistic: d, pValue: kolmogorovSurvival((en + 0.12 + 0.11 / en) * d) };
}

/** Wasserstein-1 distance between two samples divided by the reference's standard deviation */
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
  return w / (std || 1);
}

/** Pearson's chi-square test of the current counts against the reference proportions */
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
  return { statistic: stat, pValue: 1 - jStat.chisquare.cdf(stat, df), df };
}

/** two-proportion Z-test (two-sided) */
export function zTestProportions(p1: number, n1: number, p2: number, n2: number): { statistic: number; pValue: number } {
  const p = (p1 * n1 + p2 * n2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (!se) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / se;
  return { statistic: z, pValue: 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1)) };
}

/** Jensen-Shannon distance (natural log, as scipy's default): sqrt of the divergence */
export function jensenShannon(p: number[], q: number[]): number {
  const sp = p.reduce((s, v) => s + v, 0) || 1;
  const sq = q.reduce((s, v) => s + v, 0) || 1;
  let js = 0;
  for (let k = 0; k < p.length; k++) {
    const a = p[k] / sp;
    const b = q[k] / sq;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log(a / m);
    if (b > 0) js += 0.5 * b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, js));
}

/** Population Stability Index over given bin proportions (empty bins floored at 1e-4) */
export function psi(refShare: number[], curShare: number[]): number {
  let s = 0;
  for (let k = 0; k < refShare.length; k++) {
    const a = Math.max(refShare[k], 1e-4);
    const b = Math.max(curShare[k], 1e-4);
    s += (b - a) * Math.log(b / a);
  }
  return s;
}

/** shares of values in the bins given by ascending cut points */
export function binShares(values: number[], cuts: number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const v of values) {
    let k = 0;
    while (k < cuts.length && v > cuts[k]) k++;
    counts[k]++;
  }
  return counts.map((c) => c / (values.length || 1));
}
