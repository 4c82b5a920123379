import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useServing } from '../../store/serving';
import { CHART_MARGIN, Card, ChartFrame, Empty, ErrorBox, SERIES, Spinner, Stat, clock, num, pct, useChartTheme } from '../../ui';

export function Stats() {
  const stats = useServing((s) => s.stats);
  const hitRate = useServing((s) => s.hitRate);
  const theme = useChartTheme();
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
  const latency = (s?.latency ?? []).map((b) => ({ ...b, label: clock(b.t) }));
  const last = latency[latency.length - 1];
  const hits = hitRate.map((h) => ({ label: clock(h.t), hit_rate: h.hit_rate, requests: h.requests }));
  return (
    <Card
      title="Traffic"
      subtitle="Since the server started: cache, requests, latency per 10-second bucket over the last hour"
      actions={stats.loading ? <Spinner /> : undefined}
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
            hint={last ? `${last.count} requests at ${last.label}` : 'no requests yet'}
          />
          <Stat label="p95 latency (last bucket)" value={last ? `${num(last.p95_ms, 2)} ms` : '–'} hint={last ? `max ${num(last.max_ms, 2)} ms` : undefined} />
        </div>
      )}
      {s && (
        <div className="cols-2">
          <ChartFrame title="Request latency (ms)" height={200} empty={latency.length === 0 ? 'No requests in the last hour: try a text below.' : undefined}>
            <AreaChart data={latency} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
              <XAxis dataKey="label" stroke={theme.axis} tick={theme.tick} minTickGap={24} />
              <YAxis stroke={theme.axis} tick={theme.tick} />
              <Tooltip {...theme.tooltip} formatter={(v) => `${num(Number(v), 2)} ms`} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Area type="monotone" dataKey="p95_ms" name="p95" stroke={SERIES[3]} fill={SERIES[3]} fillOpacity={0.15} isAnimationActive={false} />
              <Area type="monotone" dataKey="p50_ms" name="p50" stroke={SERIES[0]} fill={SERIES[0]} fillOpacity={0.2} isAnimationActive={false} />
            </AreaChart>
          </ChartFrame>
          <ChartFrame
            title="Cache hit rate (sampled by this console every 5 s)"
            height={200}
            empty={hits.length < 2 ? 'Collecting: the curve starts after the next sample. Predict the same text twice to see a hit.' : undefined}
          >
            <LineChart data={hits} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
              <XAxis dataKey="label" stroke={theme.axis} tick={theme.tick} minTickGap={24} />
              <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 1]} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
              <Tooltip {...theme.tooltip} formatter={(v) => pct(Number(v))} />
              <Line type="stepAfter" dataKey="hit_rate" name="hit rate" stroke={SERIES[2]} strokeWidth={1.8} dot={false} isAnimationActive={false} />
            </LineChart>
          </ChartFrame>
        </div>
      )}
      {latency.length > 1 && (
        <ChartFrame title="Requests per 10 s" height={110}>
          <BarChart data={latency} margin={CHART_MARGIN}>
            <XAxis dataKey="label" stroke={theme.axis} tick={theme.tick} minTickGap={24} />
            <YAxis stroke={theme.axis} tick={theme.tick} allowDecimals={false} />
            <Tooltip {...theme.tooltip} cursor={{ fill: theme.grid }} />
            <Bar dataKey="count" name="requests" fill={SERIES[0]} isAnimationActive={false} />
          </BarChart>
        </ChartFrame>
      )}
    </Card>
  );
}
