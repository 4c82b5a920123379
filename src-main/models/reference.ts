/**
 * Reference statistics of a model's training features, stored with the model so that drift
 * checks can later compare what is served with what the model learnt from.
 */
export interface NumericReference {
  kind: 'numeric';
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** quantiles at 0, 0.1, ..., 1 */
  quantiles: number[];
  /** an evenly spaced sample of the sorted values (at most 1000), for two-sample tests */
  sample: number[];
}
export interface TokenReference {
  kind: 'tokens';
  count: number;
  /** share of each token id among non-padding positions */
  tokenShare: number[];
  /** mean number of non-padding tokens per message */
  meanLength: number;
  /**
   * one number per message, its mean surprisal under tokenShare (messageSurprisal): the sample
   * unit of the token-id drift test (absent in references written before it)
   */
  messages?: NumericReference;
}
export type FeatureReference = NumericReference | TokenReference;

export function numericReference(values: ArrayLike<number>): NumericReference {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / (n || 1);
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n || 1));
  const q = (p: number) => (n ? s[Math.min(n - 1, Math.floor(p * (n - 1)))] : 0);
  const step = Math.max(1, n / 1000);
  const sample: number[] = [];
  for (let i = 0; i < n; i += step) sample.push(s[Math.floor(i)]);
  return { kind: 'numeric', count: n, mean, std, min: s[0] ?? 0, max: s[n - 1] ?? 0, quantiles: Array.from({ length: 11 }, (_, i) => q(i / 10)), sample };
}

export function tokenReference(rows: ArrayLike<number>[], vocab: number): TokenReference {
  const counts = new Array<number>(vocab).fill(0);
  let total = 0;
  for (const r of rows)
    for (let j = 0; j < r.length; j++) {
      const t = r[j];
      if (t > 0 && t < vocab) {
        counts[t]++;
        total++;
      }
    }
  const tokenShare = counts.map((c) => (total ? c / total : 0));
  const messages = numericReference(Array.from(rows, (r) => messageSurprisal(r, tokenShare)));
  return { kind: 'tokens', count: rows.length, tokenShare, meanLength: rows.length ? total / rows.length : 0, messages };
}

/** a token never seen in the reference counts as this share (so its surprisal is finite, about 20 bits) */
const UNSEEN_SHARE = 1e-6;

/**
 * The per-message statistic of token ids: the mean surprisal, -log2 of the reference share, of a
 * message's non-padding tokens (0 for a message without any). Ordinary messages score low;
 * messages made of tokens rare in the reference score high. One number per message, so a test
 * on it has the message as its sample unit and its false-alarm rate does not grow with the window.
 */
export function messageSurprisal(row: ArrayLike<number>, tokenShare: readonly number[]): number {
  let s = 0;
  let n = 0;
  for (let j = 0; j < row.length; j++) {
    const t = row[j];
    if (t > 0 && t < tokenShare.length) {
      s += -Math.log2(Math.max(tokenShare[t], UNSEEN_SHARE));
      n++;
    }
  }
  return n ? s / n : 0;
}
