/** Serving: served versions, try-it, call log, cache hit rate and latency over time. */
import { useEffect } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { apiBase } from '../api';
import { useServing } from '../store/serving';
import { Card, Empty, ErrorBox, Icon, SERIES, Spinner, Stat, clock, num, pct, useChartTheme, useInterval, when } from '../ui';

export function ServingPane() {
  const loadAll = useServing((s) => s.loadAll);
  const poll = useServing((s) => s.poll);
  useEffect(() => {
    void loadAll();
  }, [loadAll]);
  useInterval(() => void poll(), 5000);
  return (
    <div className="stack">
      <Served />
      <Stats />
      <div className="cols-1-2">
        <TryIt />
        <CallLog />
      </div>
    </div>
  );
}

function Served() {
  const models = useServing((s) => s.models);
  const stats = useServing((s) => s.stats);
  const servedNames = stats.data?.served.map((s) => s.name);
  const rows = (models.data ?? []).filter((m) => (servedNames ? servedNames.includes(m.id) : m.served_version !== null || ['v1', 'v2', 'v3'].includes(m.id)));
  return (
    <Card
      title="Served versions"
      subtitle="Each route /model/{v}/… answers with the version its production alias points at, else the newest"
      actions={
        <a className="button small" href={`${apiBase}/docs`} target="_blank" rel="noreferrer">
          API docs <Icon name="external" size={13} />
        </a>
      }
    >
      <ErrorBox error={models.error} onRetry={() => void useServing.getState().loadAll()} />
      {models.loading && !models.data && <Spinner />}
      {models.data && rows.length === 0 && <Empty title="Nothing is served">No model has a trained version: train one in the Training pane.</Empty>}
      <div className="served-grid">
        {rows.map((m) => {
          const v = m.versions.find((x) => x.version === m.served_version);
          const loaded = stats.data?.served.find((s) => s.name === m.id)?.loaded;
          return (
            <div className="served" key={m.id}>
              <div className="served-head">
                <code>/model/{m.id}</code>
                {m.served_version ? <span className="pill good">serving</span> : <span className="pill warn">not trained</span>}
              </div>
              <div className="served-version">{m.served_version ? `version ${m.served_version}` : '–'}</div>
              <div className="small">
                {v?.aliases.length ? (
                  v.aliases.map((a) => (
                    <span key={a} className={`tag ${a === 'production' ? 'prod' : ''}`}>
                      {a}
                    </span>
                  ))
                ) : (
                  <span className="muted">{m.served_version ? 'newest version (no alias)' : 'train it in the Training pane'}</span>
                )}
              </div>
              {v && (
                <div className="muted tiny">
                  {v.kind} · accuracy {num(v.metrics.accuracy)} · F1 {num(v.metrics.f1)}
                  {loaded !== undefined && loaded !== m.served_version && ` · loading ${m.served_version} (was ${loaded ?? 'none'})`}
                </div>
              )}
            </div>
          );
        })}
      </div>
    </Card>
  );
}

function Stats() {
  const stats = useServing((s) => s.stats);
  const hitRate = useServing((s) => s.hitRate);
  const theme = useChartTheme();
  if (stats.missing)
    return (
      <Card title="Traffic">
        <Empty icon="chart" title="Serving statistics are not available on this API" tone="feature">
          <code>GET /serving/stats</code> answered 404: this server does not report cache hits and latency yet. Served versions, try-it and the call log work without it.
        </Empty>
      </Card>
    );
  const s = stats.data;
  const latency = (s?.latency ?? []).map((b) => ({ ...b, label: clock(b.t) }));
  const last = latency[latency.length - 1];
  const hits = hitRate.map((h) => ({ label: clock(h.t), hit_rate: h.hit_rate, requests: h.requests }));
  return (
    <Card title="Traffic" subtitle="Since the server started: cache, requests, latency per 10-second bucket over the last hour" actions={stats.loading ? <Spinner /> : undefined}>
      <ErrorBox error={stats.error} />
      {s && (
        <div className="stat-row">
          <Stat label="cache hit rate" value={pct(s.cache.hit_rate)} hint={`${s.cache.hits} hits / ${s.cache.misses} misses`} />
          <Stat label="requests" value={s.requests.total.toLocaleString()} hint={Object.entries(s.requests.by_endpoint).map(([k, n]) => `${k} ${n}`).join(' · ') || 'none yet'} />
          <Stat label="p50 latency (last bucket)" value={last ? `${num(last.p50_ms, 2)} ms` : '–'} hint={last ? `${last.count} requests at ${last.label}` : 'no requests yet'} />
          <Stat label="p95 latency (last bucket)" value={last ? `${num(last.p95_ms, 2)} ms` : '–'} hint={last ? `max ${num(last.max_ms, 2)} ms` : undefined} />
        </div>
      )}
      {s && (
        <div className="cols-2">
          <div className="chart">
            <div className="chart-title">Request latency (ms)</div>
            {latency.length === 0 ? (
              <div className="chart-empty">No requests in the last hour: try a text below.</div>
            ) : (
              <ResponsiveContainer width="100%" height={200}>
                <AreaChart data={latency} margin={{ top: 6, right: 12, bottom: 0, left: -14 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
                  <XAxis dataKey="label" stroke={theme.axis} tick={theme.tick} minTickGap={24} />
                  <YAxis stroke={theme.axis} tick={theme.tick} />
                  <Tooltip {...theme.tooltip} formatter={(v) => `${num(Number(v), 2)} ms`} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Area type="monotone" dataKey="p95_ms" name="p95" stroke={SERIES[3]} fill={SERIES[3]} fillOpacity={0.15} isAnimationActive={false} />
                  <Area type="monotone" dataKey="p50_ms" name="p50" stroke={SERIES[0]} fill={SERIES[0]} fillOpacity={0.2} isAnimationActive={false} />
                </AreaChart>
              </ResponsiveContainer>
            )}
          </div>
          <div className="chart">
            <div className="chart-title">Cache hit rate (sampled by this console every 5 s)</div>
            {hits.length < 2 ? (
              <div className="chart-empty">Collecting: the curve starts after the next sample. Predict the same text twice to see a hit.</div>
            ) : (
              <ResponsiveContainer width="100%" height={200}>
                <LineChart data={hits} margin={{ top: 6, right: 12, bottom: 0, left: -14 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
                  <XAxis dataKey="label" stroke={theme.axis} tick={theme.tick} minTickGap={24} />
                  <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 1]} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
                  <Tooltip {...theme.tooltip} formatter={(v) => pct(Number(v))} />
                  <Line type="stepAfter" dataKey="hit_rate" name="hit rate" stroke={SERIES[2]} strokeWidth={1.8} dot={false} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            )}
          </div>
        </div>
      )}
      {latency.length > 1 && (
        <div className="chart">
          <div className="chart-title">Requests per 10 s</div>
          <ResponsiveContainer width="100%" height={110}>
            <BarChart data={latency} margin={{ top: 6, right: 12, bottom: 0, left: -14 }}>
              <XAxis dataKey="label" stroke={theme.axis} tick={theme.tick} minTickGap={24} />
              <YAxis stroke={theme.axis} tick={theme.tick} allowDecimals={false} />
              <Tooltip {...theme.tooltip} cursor={{ fill: theme.grid }} />
              <Bar dataKey="count" name="requests" fill={SERIES[0]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </Card>
  );
}

function TryIt() {
  const version = useServing((s) => s.version);
  const text = useServing((s) => s.text);
  const prediction = useServing((s) => s.prediction);
  const setVersion = useServing((s) => s.setVersion);
  const setText = useServing((s) => s.setText);
  const predict = useServing((s) => s.predict);
  const served = useServing((s) => s.stats.data?.served)?.map((s) => s.name);
  const r = prediction.data;
  return (
    <Card title="Try it" subtitle={<>POST /model/{version}/text_to_prediction</>}>
      <form
        className="tryit"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void predict();
        }}
      >
        <label className="field">
          <span>Version</span>
          <select aria-label="serving version" value={version} onChange={(e) => setVersion(e.target.value)}>
            {(served ?? ['v1', 'v2', 'v3']).map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Text</span>
          <textarea aria-label="text to classify" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={prediction.loading || !text.trim()}>
            Predict
          </button>
          {prediction.loading && <Spinner label="Predicting" />}
        </div>
      </form>
      <ErrorBox error={prediction.error} />
      {r && !prediction.loading && (
        <div className="prediction" data-testid="prediction">
          <span className={`badge big ${r.top.label}`}>
            {r.top.label === 'spam' ? 'SPAM' : 'HAM'} {pct(r.top.value)}
          </span>
          <div className="prob-bar" role="img" aria-label={`spam probability ${pct(r.prediction.spam)}`}>
            <div className="prob-spam" style={{ width: `${r.prediction.spam * 100}%` }} />
          </div>
          <div className="muted small">
            spam {pct(r.prediction.spam, 2)} · ham {pct(r.prediction.ham, 2)} · {prediction.version} ·{' '}
            {r.from_cache ? <span className="pill">from cache</span> : 'computed (not from cache)'}
          </div>
        </div>
      )}
    </Card>
  );
}

function CallLog() {
  const version = useServing((s) => s.version);
  const log = useServing((s) => s.log);
  const loadLog = useServing((s) => s.loadLog);
  return (
    <Card
      title={`Recent calls to ${version}`}
      subtitle="Your calls of the last hour, newest first (GET /model/{v}/recent_call_log)"
      actions={
        <button type="button" className="small" onClick={() => void loadLog()} aria-label="reload the call log">
          <Icon name="refresh" size={13} /> Reload
        </button>
      }
    >
      <ErrorBox error={log.error} />
      {log.loading && !log.data && <Spinner />}
      {log.data?.length === 0 && <Empty title="No calls in the last hour">Predict a text on the left, or check messages in the Inbox: each call is logged here for an hour.</Empty>}
      {log.data && log.data.length > 0 && (
        <div className="scroll medium">
          <table className="compact sticky">
            <thead>
              <tr>
                <th>called at</th>
                <th>endpoint</th>
                <th>input</th>
              </tr>
            </thead>
            <tbody>
              {log.data.slice(0, 100).map((r, i) => (
                <tr key={i}>
                  <td className="nowrap" title={when(r.called_at)}>
                    {clock(r.called_at)}
                  </td>
                  <td>
                    <code>{r.endpoint}</code>
                  </td>
                  <td className="mono ellipsis" title={r.input_json}>
                    {r.input_json}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
