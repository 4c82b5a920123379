/** Feature statistics of a view over its offline source: a row per feature with its histogram. */
import { useEffect, useState } from 'react';
import { Bar, BarChart, Tooltip, XAxis, YAxis } from 'recharts';
import { api, errorText, type FeatureStatistics } from '../../api';
import { useFeatures } from '../../store/features';
import { Card, ChartFrame, ErrorBox, Icon, SERIES, Segmented, Spinner, pct, useChartTheme, when } from '../../ui';

const VIEWS = ['sms_features1', 'sms_labels', 'sms_features2'] as const;

/** four significant digits, no trailing zeros */
const short = (x: number) => (Number.isInteger(x) ? x.toLocaleString() : String(+x.toPrecision(4)));
const range = (lo: number | null, hi: number | null) => (lo === null || hi === null ? '–' : `${short(lo)} … ${short(hi)}`);
const pAt = (ps: { p: number; value: number | null }[], p: number) => {
  const v = ps.find((x) => x.p === p)?.value;
  return v === null || v === undefined ? '–' : short(v);
};

function Histogram({ f }: { f: FeatureStatistics }) {
  const theme = useChartTheme();
  const data =
    f.kind === 'categorical'
      ? f.histogram.map((b) => ({ label: b.label, count: b.count }))
      : f.histogram.map((b) => ({ label: b.lo === b.hi ? short(b.lo) : `${short(b.lo)}–${short(b.hi)}`, count: b.count }));
  return (
    <ChartFrame height={70} testId={`histogram-${f.name}`} empty={data.length === 0 ? 'no values' : undefined}>
      <BarChart data={data} margin={{ top: 2, right: 2, bottom: 0, left: 2 }}>
        <XAxis dataKey="label" hide />
        <YAxis hide />
        <Tooltip {...theme.tooltip} cursor={{ fill: theme.grid }} />
        <Bar dataKey="count" name={f.kind === 'list' ? 'lists of this length' : 'rows'} fill={SERIES[0]} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}

function Summary({ f }: { f: FeatureStatistics }) {
  if (f.kind === 'numeric')
    return (
      <span className="small">
        range {range(f.min, f.max)} · mean {f.mean === null ? '–' : short(f.mean)} · std {f.std === null ? '–' : short(f.std)} · p50 {pAt(f.percentiles, 0.5)} ·
        p99 {pAt(f.percentiles, 0.99)} · {f.distinct.toLocaleString()} distinct
      </span>
    );
  if (f.kind === 'categorical')
    return (
      <span className="small">
        {f.distinct.toLocaleString()} distinct · top {f.top.map((t) => `${t.value} (${t.count.toLocaleString()})`).join(', ')}
      </span>
    );
  return (
    <span className="small">
      length {range(f.length.min, f.length.max)} (mean {f.length.mean === null ? '–' : short(f.length.mean)}) · token ids {range(f.tokens.min, f.tokens.max)},{' '}
      {f.tokens.distinct.toLocaleString()} distinct, top{' '}
      {f.tokens.top
        .slice(0, 5)
        .map((t) => `${t.value} (${t.count.toLocaleString()})`)
        .join(', ')}
    </span>
  );
}

/** a row per feature: type, rows, missing share, summary and histogram (a view's or a training set's) */
export function StatisticsTable({ features, testId }: { features: FeatureStatistics[]; testId: string }) {
  return (
    <div className="scroll tall">
      <table className="compact" data-testid={testId}>
        <thead>
          <tr>
            <th>feature</th>
            <th>type</th>
            <th>rows</th>
            <th>missing</th>
            <th>summary</th>
            <th style={{ width: 220 }}>histogram</th>
          </tr>
        </thead>
        <tbody>
          {features.map((f) => (
            <tr key={f.name} aria-label={`statistics of ${f.name}`}>
              <td className="mono nowrap">{f.name}</td>
              <td className="mono nowrap">{f.dtype}</td>
              <td className="num">{f.count.toLocaleString()}</td>
              <td className={`num ${f.missing_share > 0.05 ? 'bad' : ''}`}>{pct(f.missing_share)}</td>
              <td>
                <Summary f={f} />
              </td>
              <td style={{ width: 220, minWidth: 160 }}>
                <Histogram f={f} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Statistics() {
  const view = useFeatures((s) => s.statsView);
  const st = useFeatures((s) => s.stats);
  const loadStats = useFeatures((s) => s.loadStats);
  const [exportError, setExportError] = useState<string>();
  useEffect(() => {
    const { stats } = useFeatures.getState();
    if (!stats.data && !stats.loading) void loadStats();
  }, [loadStats]);
  const s = st.data;
  return (
    <Card
      title="Feature statistics"
      subtitle={
        s
          ? `${s.rows.toLocaleString()} offline rows of ${s.entities.toLocaleString()} entities in ${s.source} · ${s.cached ? 'cached, ' : ''}computed ${when(s.computed_at)}`
          : "every row of the view's offline source, by DuckDB"
      }
      actions={
        <>
          {st.loading && <Spinner />}
          <Segmented label="feature view" value={view} onChange={(v) => void loadStats(v)} options={VIEWS.map((x) => ({ value: x, label: x }))} />
          <button type="button" className="small" onClick={() => void loadStats(view, true)} aria-label="recompute the statistics">
            <Icon name="refresh" size={13} /> Recompute
          </button>
          <button
            type="button"
            className="small"
            aria-label="export the statistics as CSV"
            onClick={() => {
              setExportError(undefined);
              api
                .downloadCsv(`/registry/feature-views/${encodeURIComponent(view)}/statistics`, {}, `${view}-statistics.csv`)
                .catch((e) => setExportError(errorText(e)));
            }}
          >
            CSV
          </button>
        </>
      }
    >
      <ErrorBox error={st.error ?? exportError} onRetry={() => void loadStats(view)} />
      {s && <StatisticsTable features={s.features} testId="feature-statistics" />}
    </Card>
  );
}
