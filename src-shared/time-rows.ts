/** Rows of time series for a chart on a numeric time axis, with gaps kept as gaps. */

export type Row = { t: number } & Record<string, number | null>;

/**
 * One row per bucket time of any series, on a numeric time axis; a series without requests in a
 * bucket has null there (drawn as a gap: connectNulls is off), and a bucket after a quiet stretch
 * gets a null row before it so that no line is drawn across the stretch.
 */
export function timeRows<B extends { t: string }>(series: { key: string; latency: B[] }[], bucketMs: number, pick: (b: B) => number): Row[] {
  const rows = new Map<number, Row>();
  const row = (t: number) => {
    let r = rows.get(t);
    if (!r) {
      r = { t };
      rows.set(t, r);
    }
    return r;
  };
  for (const s of series) {
    let prev: number | undefined;
    for (const b of s.latency) {
      const t = Date.parse(b.t);
      if (prev !== undefined && t - prev > bucketMs) row(prev + bucketMs)[s.key] = null;
      row(t)[s.key] = pick(b);
      prev = t;
    }
  }
  const out = [...rows.values()].sort((a, b) => a.t - b.t);
  for (const r of out) for (const s of series) if (!(s.key in r)) r[s.key] = null;
  return out;
}
