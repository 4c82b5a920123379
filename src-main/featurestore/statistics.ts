/**
 * Feature statistics of a view, computed by DuckDB over every row of its offline source (each
 * version of a key counts, as Feast's and TFDV's statistics of a source do). Everything is
 * aggregated inside DuckDB (its async API runs off the event loop); JS reads a few dozen rows.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeatureStatistics, FeatureViewStatistics, HistogramBin, NumericSummary, TopValue } from '../../src-shared/featurestore';
import type { FieldDef } from '../../src-shared/featurestore';
import { sqlIdent } from './duckdb';

/** bins of a numeric histogram (equal width between min and max) */
export const HISTOGRAM_BINS = 20;
/** most frequent values kept for ids, strings and token ids */
export const TOP_VALUES = 10;
export const PERCENTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

const num = (x: unknown): number | null => (x === null || x === undefined ? null : Number(x));

async function rows(c: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await c.runAndReadAll(sql)).getRows() as unknown[][];
}

/** count, missing, min/max/mean/std and exact percentiles (linear interpolation, as numpy's default) of `expr` over `rel` */
async function numericSummary(c: DuckDBConnection, rel: string, expr: string): Promise<{ summary: NumericSummary; histogram: HistogramBin[] }> {
  const q = PERCENTILES.map((p) => `quantile_cont(x, ${p})`).join(', ');
  const [r] = await rows(
    c,
    `SELECT count(x)::DOUBLE, min(x)::DOUBLE, max(x)::DOUBLE, avg(x)::DOUBLE, stddev_samp(x)::DOUBLE, count(DISTINCT x)::DOUBLE, ${q} FROM (SELECT (${expr})::DOUBLE AS x FROM ${rel})`,
  );
  const [present, min, max, mean, std, distinct, ...qs] = r.map(num);
  const summary: NumericSummary = {
    present: present ?? 0,
    min,
    max,
    mean,
    std,
    distinct: distinct ?? 0,
    percentiles: PERCENTILES.map((p, i) => ({ p, value: qs[i] })),
  };
  return { summary, histogram: await histogram(c, rel, expr, min, max, distinct ?? 0) };
}

/**
 * An equal-width histogram between min and max (the last bin closed); a column of few distinct
 * integer values gets a bin per value instead, so that counts of 0, 1, 2 are not merged.
 */
async function histogram(c: DuckDBConnection, rel: string, expr: string, min: number | null, max: number | null, distinct: number): Promise<HistogramBin[]> {
  if (min === null || max === null) return [];
  if (min === max) {
    const [[n]] = await rows(c, `SELECT count(x)::DOUBLE FROM (SELECT (${expr})::DOUBLE AS x FROM ${rel})`);
    return [{ lo: min, hi: max, count: Number(n) }];
  }
  const integral = Number.isInteger(min) && Number.isInteger(max) && max - min < HISTOGRAM_BINS && distinct <= HISTOGRAM_BINS;
  const bins = integral ? max - min + 1 : HISTOGRAM_BINS;
  const width = integral ? 1 : (max - min) / bins;
  const counts = new Map<number, number>();
  for (const [b, n] of await rows(
    c,
    `SELECT least(floor((x - ${min}) / ${width}), ${bins - 1})::INTEGER AS b, count(*)::DOUBLE FROM (SELECT (${expr})::DOUBLE AS x FROM ${rel}) WHERE x IS NOT NULL GROUP BY b`,
  ))
    counts.set(Number(b), Number(n));
  return Array.from({ length: bins }, (_, i) => ({
    lo: integral ? min + i : min + i * width,
    hi: integral ? min + i : i === bins - 1 ? max : min + (i + 1) * width,
    count: counts.get(i) ?? 0,
  }));
}

async function topValues(c: DuckDBConnection, rel: string, expr: string): Promise<{ distinct: number; top: TopValue[] }> {
  const [[distinct]] = await rows(c, `SELECT count(DISTINCT ${expr})::DOUBLE FROM ${rel}`);
  const top = await rows(
    c,
    `SELECT (${expr})::VARCHAR AS v, count(*)::DOUBLE AS n FROM ${rel} WHERE (${expr}) IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT ${TOP_VALUES}`,
  );
  return { distinct: Number(distinct), top: top.map(([v, n]) => ({ value: String(v), count: Number(n) })) };
}

/** the statistics of one feature over `rel` (a relation of the source's rows) */
export async function featureStatistics(c: DuckDBConnection, rel: string, f: FieldDef, rowCount: number): Promise<FeatureStatistics> {
  const col = sqlIdent(f.name);
  const [[missing]] = await rows(
    c,
    `SELECT count(*) FILTER (WHERE ${col} IS NULL${f.dtype === 'Array(Int64)' ? ` OR len(${col}) = 0` : ''})::DOUBLE FROM ${rel}`,
  );
  const base = { name: f.name, dtype: f.dtype, count: rowCount, missing: Number(missing), missing_share: rowCount ? Number(missing) / rowCount : 0 };
  if (f.dtype === 'String') {
    const t = await topValues(c, rel, col);
    return { ...base, kind: 'categorical', distinct: t.distinct, top: t.top, histogram: t.top.map((x) => ({ label: x.value, count: x.count })) };
  }
  if (f.dtype === 'Array(Int64)') {
    const length = await numericSummary(c, rel, `len(${col})`);
    const tokens = `(SELECT unnest(${col}) AS t FROM ${rel})`;
    const ids = await numericSummary(c, tokens, 't');
    const t = await topValues(c, tokens, 't');
    return {
      ...base,
      kind: 'list',
      length: length.summary,
      histogram: length.histogram,
      tokens: { ...ids.summary, distinct: t.distinct, top: t.top, histogram: ids.histogram },
    };
  }
  const n = await numericSummary(c, rel, col);
  return { ...base, kind: 'numeric', ...n.summary, histogram: n.histogram };
}

/** statistics of every feature of a view, plus its rows and distinct entities */
export async function viewStatistics(
  c: DuckDBConnection,
  rel: string,
  o: { view: string; source: string; joinKey: string; fields: FieldDef[]; parts: number; stateKey: string },
): Promise<FeatureViewStatistics> {
  const [[n, entities, first, last]] = await rows(
    c,
    `SELECT count(*)::DOUBLE, count(DISTINCT k)::DOUBLE, (min(ev) / 1000)::DOUBLE, (max(ev) / 1000)::DOUBLE FROM ${rel}`,
  );
  const features: FeatureStatistics[] = [];
  for (const f of o.fields) features.push(await featureStatistics(c, rel, f, Number(n)));
  return {
    view: o.view,
    source: o.source,
    join_key: o.joinKey,
    rows: Number(n),
    entities: Number(entities),
    parts: o.parts,
    first_event: first === null ? null : new Date(Number(first)).toISOString(),
    last_event: last === null ? null : new Date(Number(last)).toISOString(),
    computed_at: new Date().toISOString(),
    state: o.stateKey,
    cached: false,
    features,
  };
}
