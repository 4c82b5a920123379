/**
 * A long series drawn as at most `max` points: consecutive points averaged in equal buckets (each
 * bucket keeps the x of its last point), so a chart of 10,000 batches costs what one of `max`
 * does and still shows the trend; the last point is always the latest value's bucket.
 */
export function downsampleMean<T extends Record<string, number | undefined>>(points: T[], max: number, x: keyof T): T[] {
  if (points.length <= max || max < 2) return points;
  const size = points.length / max;
  const out: T[] = [];
  for (let b = 0; b < max; b++) {
    const from = Math.floor(b * size);
    const to = b === max - 1 ? points.length : Math.floor((b + 1) * size);
    const sums: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (let i = from; i < to; i++)
      for (const [k, v] of Object.entries(points[i])) {
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        sums[k] = (sums[k] ?? 0) + v;
        counts[k] = (counts[k] ?? 0) + 1;
      }
    const point: Record<string, number | undefined> = {};
    for (const k of Object.keys(sums)) point[k] = sums[k] / counts[k];
    point[x as string] = points[to - 1][x] as number;
    out.push(point as T);
  }
  return out;
}
