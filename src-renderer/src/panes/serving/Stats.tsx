import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ServingStatsAnswer } from '../../api';
import { timeRows } from '../../../../src-shared/time-rows';
import { STATS_WINDOWS, useServing } from '../../store/serving';
import { CHART_MARGIN, Card, ChartFrame, Empty, ErrorBox, SERIES, Segmented, Spinner, Stat, clock, num, pct, useChartTheme } from '../../ui';

function seriesOf(s: ServingStatsAnswer) {
  return (s.series ?? []).map((x) => ({ key: `${x.route} ${x.version || '–'}`, latency: x.latency }));
}

export function Stats() {
  const stats = useServing((s) => s.stats);
  const hitRate = useServing((s) => s.hitRate);
  const theme = useChartTheme();
  const win = useServing((st) => st.window);
  const setWindow = useServing((st) => st.setWindow);
  if (stats.missing)
    return (
      <Card title="Traffic">
        <Empty icon="chart" title="Serving statistics are not available on this API" tone="feature">
          <code>GET /serving/stats</code> answered 404: this server does not report cache hits and latency yet. Served versions, try-it and the call log work
          without it.
        </Empty>
      </Card>
    );
  const s = stats.data;
  const latency = s?.latency ?? [];
  const last = latency[latency.length - 1];
  const bucketMs = (s?.bucket_seconds ?? 10) * 1000;
  const series = s ? seriesOf(s) : [];
  // p50 and p99 of the same buckets: the same gaps
  const p99ByT = new Map(timeRows([{ key: 'p99', latency }], bucketMs, (b) => b.p99_ms ?? b.p95_ms).map((r) => [r.t, r.p99]));
  const latencyRows = timeRows([{ key: 'p50', latency }], bucketMs, (b) => b.p50_ms).map((r) => ({ ...r, p99: p99ByT.get(r.t) ?? null }));
  const perSeriesP50 = timeRows(series, bucketMs, (b) => b.p50_ms);
  const perSeriesCount = timeRows(series, bucketMs, (b) => b.count / (bucketMs / 1000));
  const now = Date.now();
  const domain: [number, number] = [s?.window_start ? Date.parse(s.window_start) : now - 3_600_000, now];
  const hits = hitRate.filter((h) => h.t >= domain[0]).map((h) => ({ t: h.t, hit_rate: h.hit_rate }));
  const xAxis = (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={domain}
      stroke={theme.axis}
      tick={theme.tick}
      tickFormatter={(t) => clock(Number(t))}
      minTickGap={32}
    />
  );
  const lineOf = (key: string, i: number, unit: string) => (
    <Line
      key={key}
      type="linear"
      dataKey={key}
      name={key}
      stroke={SERIES[i % SERIES.length]}
      strokeWidth={1.6}
      dot={{ r: 2 }}
      connectNulls={false}
      isAnimationActive={false}
      unit={unit}
    />
  );
  return (
    <Card
      title="Traffic"
      subtitle="Since the server started: cache, requests; latency and throughput per 10-second bucket on a time axis (a gap: no requests)"
      actions={
        <>
          {stats.loading && <Spinner />}
          <Segmented
            label="chart window"
            value={win}
            onChange={(v) => void setWindow(v)}
            options={STATS_WINDOWS.map((x) => ({ value: x, label: `last ${x}` }))}
          />
        </>
      }
    >
      <ErrorBox error={stats.error} />
      {s && (
        <div className="stat-row">
          <Stat label="cache hit rate" value={pct(s.cache.hit_rate)} hint={`${s.cache.hits} hits / ${s.cache.misses} misses`} />
          <Stat
            label="requests"
            value={s.requests.total.toLocaleString()}
            hint={
              Object.entries(s.requests.by_endpoint)
                .map(([k, n]) => `${k} ${n}`)
                .join(' · ') || 'none yet'
            }
          />
          <Stat
            label="p50 latency (last bucket)"
            value={last ? `${num(last.p50_ms, 2)} ms` : '–'}
            hint={last ? `${last.count} requests at ${clock(last.t)}` : 'no requests yet'}
          />
          <Stat
            label="p99 latency (last bucket)"
            value={last ? `${num(last.p99_ms ?? last.p95_ms, 2)} ms` : '–'}
            hint={last ? `max ${num(last.max_ms, 2)} ms` : undefined}
          />
        </div>
      )}
      {s && (
        <div className="cols-2" data-testid="serving-charts">
          <ChartFrame
            title="Request latency, all routes (ms): p50 and p99 per 10 s"
            height={200}
            testId="latency-chart"
            empty={latency.length === 0 ? 'No requests in this window: try a text below.' : undefined}
          >
            <LineChart data={latencyRows} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
              {xAxis}
              <YAxis stroke={theme.axis} tick={theme.tick} />
              <Tooltip
                {...theme.tooltip}
                labelFormatter={(t) => clock(Number(t))}
                formatter={(v) => (v === null ? 'no requests' : `${num(Number(v), 2)} ms`)}
              />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {lineOf('p50', 0, ' ms')}
              {lineOf('p99', 3, ' ms')}
            </LineChart>
          </ChartFrame>
          <ChartFrame
            title="p50 latency per route and version (ms)"
            height={200}
            testId="latency-by-version"
            empty={series.length === 0 ? 'No requests in this window.' : undefined}
          >
            <LineChart data={perSeriesP50} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
              {xAxis}
              <YAxis stroke={theme.axis} tick={theme.tick} />
              <Tooltip
                {...theme.tooltip}
                labelFormatter={(t) => clock(Number(t))}
                formatter={(v) => (v === null ? 'no requests' : `${num(Number(v), 2)} ms`)}
              />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {series.map((x, i) => lineOf(x.key, i, ' ms'))}
            </LineChart>
          </ChartFrame>
          <ChartFrame
            title="Throughput per route and version (requests/s, per 10 s)"
            height={200}
            testId="throughput-chart"
            empty={series.length === 0 ? 'No requests in this window.' : undefined}
          >
            <LineChart data={perSeriesCount} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
              {xAxis}
              <YAxis stroke={theme.axis} tick={theme.tick} />
              <Tooltip {...theme.tooltip} labelFormatter={(t) => clock(Number(t))} formatter={(v) => (v === null ? 'no requests' : `${num(Number(v), 2)}/s`)} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {series.map((x, i) => lineOf(x.key, i, '/s'))}
            </LineChart>
          </ChartFrame>
          <ChartFrame
            title="Cache hit rate (sampled by this console every 5 s)"
            height={200}
            empty={hits.length < 2 ? 'Collecting: the curve starts after the next sample. Predict the same text twice to see a hit.' : undefined}
          >
            <LineChart data={hits} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
              {xAxis}
              <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 1]} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
              <Tooltip {...theme.tooltip} labelFormatter={(t) => clock(Number(t))} formatter={(v) => pct(Number(v))} />
              <Line
                type="stepAfter"
                dataKey="hit_rate"
                name="hit rate"
                stroke={SERIES[2]}
                strokeWidth={1.8}
                dot={false}
                connectNulls={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ChartFrame>
        </div>
      )}
    </Card>
  );
}
