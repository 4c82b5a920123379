/**
 * The Wilson score interval of a proportion (Wilson 1927; statsmodels' proportion_confint with
 * method='wilson'): unlike the normal approximation it stays inside [0, 1] and keeps its coverage
 * for small samples and shares near 0 or 1, which is where monitoring's proportions live (a few
 * labelled messages, a spam share of a few percent).
 */

/** the normal quantile of 0.975 (scipy.stats.norm.ppf(0.975)) */
const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** the 95 % interval of `successes` out of `n`; null when n is 0 (no sample, no interval) */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval | null {
  if (!(n > 0)) return null;
  const p = successes / n;
  const z2 = z * z;
  const d = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / d;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
