/** CSV files of the operator's exports (statistics, offline pages), every cell through csvCell (formulas escaped). */
import type { FeatureViewStatistics, NumericSummary } from '../../src-shared/featurestore';
import { csvCell } from '../platform';

const line = (cells: (string | number | null | undefined)[]) => cells.map((c) => csvCell(c)).join(',');

/** rows of objects as CSV, the columns in the given order; lists as space-separated values */
export function rowsCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown): string | number | null =>
    v === null || v === undefined ? null : typeof v === 'number' ? v : Array.isArray(v) ? v.join(' ') : typeof v === 'string' ? v : JSON.stringify(v);
  return `${[line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\r\n')}\r\n`;
}

const STAT_COLUMNS = [
  'view',
  'feature',
  'dtype',
  'kind',
  'rows',
  'missing',
  'missing_share',
  'present',
  'min',
  'max',
  'mean',
  'std',
  'distinct',
  'p01',
  'p05',
  'p25',
  'p50',
  'p75',
  'p95',
  'p99',
  'top_values',
  'histogram',
];

/** a row per feature (a token-id list: a row for its length and one for its ids); `view`: the view's name, or a feature service's */
export function statisticsCsv(s: Pick<FeatureViewStatistics, 'view' | 'features'>): string {
  const summary = (n: NumericSummary) => [n.present, n.min, n.max, n.mean, n.std, n.distinct, ...n.percentiles.map((p) => p.value)];
  const bins = (h: { lo: number; hi: number; count: number }[]) => h.map((b) => `${b.lo === b.hi ? b.lo : `${b.lo}..${b.hi}`}:${b.count}`).join(' ');
  const top = (t: { value: string; count: number }[]) => t.map((x) => `${x.value}:${x.count}`).join(' ');
  const out: (string | number | null)[][] = [];
  for (const f of s.features) {
    const head = [s.view, f.name, f.dtype, f.kind, f.count, f.missing, f.missing_share];
    if (f.kind === 'numeric') out.push([...head, ...summary(f), '', bins(f.histogram)]);
    else if (f.kind === 'categorical')
      out.push([
        ...head,
        f.count - f.missing,
        null,
        null,
        null,
        null,
        f.distinct,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        top(f.top),
        top(f.histogram.map((b) => ({ value: b.label, count: b.count }))),
      ]);
    else {
      out.push([s.view, `${f.name} (length)`, f.dtype, f.kind, f.count, f.missing, f.missing_share, ...summary(f.length), '', bins(f.histogram)]);
      out.push([
        s.view,
        `${f.name} (token ids)`,
        f.dtype,
        f.kind,
        f.count,
        f.missing,
        f.missing_share,
        ...summary(f.tokens),
        top(f.tokens.top),
        bins(f.tokens.histogram),
      ]);
    }
  }
  return `${[line(STAT_COLUMNS), ...out.map(line)].join('\r\n')}\r\n`;
}
