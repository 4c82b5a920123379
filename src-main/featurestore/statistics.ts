/**
 * Feature statistics of a view, computed by DuckDB over every row of its offline source (each
 * version of a key counts, as Feast's and TFDV's statistics of a source do). Everything is
 * aggregated inside DuckDB (its async API runs off the event loop); JS reads a few dozen rows.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeatureStatistics, FeatureViewStatistics, HistogramBin, NumericSummary, TopValue } from '../../src-shared/featurestore';
import type { FieldDef } from '../../src-shared/featurestore';
import { randomBytes } from 'node:crypto';
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

/**
 * The same summary, plus the distinct count and top values, of a column of few distinct values (the
 * token ids pooled from every list, the lists' lengths), computed from its frequency table: DuckDB
 * groups the values as it streams them (a hash aggregate, which spills past its memory limit) and
 * every figure comes from the groups, exact, without holding the values themselves. The exact
 * quantile over the raw values held all of them: 30 token ids a row, 30M values at 1M rows
 * (24 s, 2.68 GB), 300M at 10M.
 */
async function frequencySummary(
  c: DuckDBConnection,
  rel: string,
  expr: string,
): Promise<{ summary: NumericSummary; histogram: HistogramBin[]; top: TopValue[] }> {
  const freq = `freq_${randomBytes(4).toString('hex')}`;
  await c.run(`CREATE TEMP TABLE ${freq} AS SELECT x, count(*)::DOUBLE AS n FROM (SELECT (${expr}) AS x FROM ${rel}) WHERE x IS NOT NULL GROUP BY x`);
  try {
    const [[n, min, max, mean, distinct]] = (
      await rows(c, `SELECT sum(n)::DOUBLE, min(x)::DOUBLE, max(x)::DOUBLE, (sum(n * x::DOUBLE) / sum(n))::DOUBLE, count(*)::DOUBLE FROM ${freq}`)
    ).map((r) => r.map(num));
    const present = n ?? 0;
    let std: number | null = null;
    const percentiles: NumericSummary['percentiles'] = PERCENTILES.map((p) => ({ p, value: null }));
    if (present > 0 && mean !== null) {
      if (present > 1) std = num((await rows(c, `SELECT sqrt(sum(n * (x::DOUBLE - ${mean}) ^ 2) / ${present - 1})::DOUBLE FROM ${freq}`))[0][0]);
      // the value at 0-based position i of the sorted values is the first whose running count passes i;
      // quantile_cont interpolates between positions floor(h) and ceil(h), h = (n - 1) p
      const at = PERCENTILES.map((p) => {
        const h = (present - 1) * p;
        return { lo: Math.floor(h), hi: Math.ceil(h), frac: h - Math.floor(h) };
      });
      const cols = at.flatMap((a) => [`min(x) FILTER (WHERE c > ${a.lo})::DOUBLE`, `min(x) FILTER (WHERE c > ${a.hi})::DOUBLE`]);
      const [vals] = await rows(c, `SELECT ${cols.join(', ')} FROM (SELECT x, sum(n) OVER (ORDER BY x ROWS UNBOUNDED PRECEDING) AS c FROM ${freq})`);
      at.forEach((a, i) => {
        const lo = Number(vals[2 * i]);
        const hi = Number(vals[2 * i + 1]);
        percentiles[i].value = a.frac === 0 ? lo : lo + a.frac * (hi - lo);
      });
    }
    const summary: NumericSummary = { present, min, max, mean, std, distinct: distinct ?? 0, percentiles };
    const top = await rows(c, `SELECT x::VARCHAR AS v, n FROM ${freq} ORDER BY n DESC, v LIMIT ${TOP_VALUES}`);
    return {
      summary,
      histogram: await histogram(c, `(SELECT x::DOUBLE AS x, n FROM ${freq})`, 'sum(n)', min, max, distinct ?? 0),
      top: top.map(([v, k]) => ({ value: String(v), count: Number(k) })),
    };
  } finally {
    await c.run(`DROP TABLE IF EXISTS ${freq}`);
  }
}

/**
 * An equal-width histogram between min and max (the last bin closed); a column of few distinct
 * integer values gets a bin per value instead, so that counts of 0, 1, 2 are not merged. `xs` is a
 * relation with a DOUBLE column `x`; `counted` the aggregate that counts its rows (count(x), or
 * sum(n) over a frequency table).
 */
async function histogram(c: DuckDBConnection, xs: string, counted: string, min: number | null, max: number | null, distinct: number): Promise<HistogramBin[]> {
  if (min === null || max === null) return [];
  if (min === max) {
    const [[n]] = await rows(c, `SELECT ${counted}::DOUBLE FROM ${xs} WHERE x IS NOT NULL`);
    return [{ lo: min, hi: max, count: Number(n) }];
  }
  const integral = Number.isInteger(min) && Number.isInteger(max) && max - min < HISTOGRAM_BINS && distinct <= HISTOGRAM_BINS;
  const bins = integral ? max - min + 1 : HISTOGRAM_BINS;
  const width = integral ? 1 : (max - min) / bins;
  const counts = new Map<number, number>();
  for (const [b, n] of await rows(
    c,
    `SELECT least(floor((x - ${min}) / ${width}), ${bins - 1})::INTEGER AS b, ${counted}::DOUBLE FROM ${xs} WHERE x IS NOT NULL GROUP BY b`,
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
    const length = await frequencySummary(c, rel, `len(${col})`);
    const tokens = await frequencySummary(c, `(SELECT unnest(${col}) AS t FROM ${rel})`, 't');
    return {
      ...base,
      kind: 'list',
      length: length.summary,
      histogram: length.histogram,
      tokens: { ...tokens.summary, top: tokens.top, histogram: tokens.histogram },
    };
  }
  // from its frequency table: exact, and one grouping pass instead of sorting every value for
  // each percentile (a numeric feature has few distinct values: 10M rows of sms_features1 took
  // 64 s with quantile_cont over the raw values)
  const n = await frequencySummary(c, rel, `(${col})::DOUBLE`);
  return { ...base, kind: 'numeric', ...n.summary, histogram: n.histogram };
}

/**
 * The rows, distinct entities, event-time range and every feature's statistics of a relation with
 * columns `k` (the key), `ev` (event time, microseconds) and the fields. The distinct keys are counted
 * by a grouping (it spills), not count(DISTINCT), whose state DuckDB holds whole.
 */
export async function rowsStatistics(
  c: DuckDBConnection,
  rel: string,
  fields: FieldDef[],
): Promise<{ rows: number; entities: number; first_event: string | null; last_event: string | null; features: FeatureStatistics[] }> {
  const [[n, first, last]] = await rows(c, `SELECT count(*)::DOUBLE, (min(ev) / 1000)::DOUBLE, (max(ev) / 1000)::DOUBLE FROM ${rel}`);
  const [[entities]] = await rows(c, `SELECT count(*)::DOUBLE FROM (SELECT DISTINCT k FROM ${rel} WHERE k IS NOT NULL)`);
  const features: FeatureStatistics[] = [];
  for (const f of fields) features.push(await featureStatistics(c, rel, f, Number(n)));
  return {
    rows: Number(n),
    entities: Number(entities),
    first_event: first === null ? null : new Date(Number(first)).toISOString(),
    last_event: last === null ? null : new Date(Number(last)).toISOString(),
    features,
  };
}

/** statistics of every feature of a view, plus its rows and distinct entities */
export async function viewStatistics(
  c: DuckDBConnection,
  rel: string,
  o: { view: string; source: string; joinKey: string; fields: FieldDef[]; parts: number; stateKey: string },
): Promise<FeatureViewStatistics> {
  const r = await rowsStatistics(c, rel, o.fields);
  return {
    view: o.view,
    source: o.source,
    join_key: o.joinKey,
    rows: r.rows,
    entities: r.entities,
    parts: o.parts,
    first_event: r.first_event,
    last_event: r.last_event,
    computed_at: new Date().toISOString(),
    state: o.stateKey,
    cached: false,
    features: r.features,
  };
}
