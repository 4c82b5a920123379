/** Serving: served versions, try-it, call log, cache hit rate and latency over time. */
import { useEffect, useState } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, apiBase, errorText, type PredictionOut } from '../api';
import { Card, Empty, ErrorBox, pct, useLoad, when } from '../ui';

export function ServingPane() {
  const stats = useLoad(() => api.servingStats());
  const [version, setVersion] = useState('v3');
  const log = useLoad(() => api.callLog(version), [version]);
  useEffect(() => {
    const t = setInterval(() => void stats.reload(), 5000);
    return () => clearInterval(t);
  }, [stats.reload]);
  const s = stats.data;
  return (
    <div className="stack">
      <Card title="Served versions" actions={<a href={`${apiBase}/docs`} target="_blank" rel="noreferrer">API docs ↗</a>}>
        <ErrorBox error={stats.error} />
        {s && (
          <div className="tiles">
            {s.served.map((m) => (
              <div className="tile" key={m.name}>
                <div className="label">/model/{m.name}</div>
                <div className="value">{m.version ? `version ${m.version}` : 'not trained'}</div>
                <div className="muted small">{m.aliases.join(', ') || 'newest version'}</div>
              </div>
            ))}
            <div className="tile">
              <div className="label">cache hit rate</div>
              <div className="value">{pct(s.cache.hit_rate)}</div>
              <div className="muted small">
                {s.cache.hits} hits / {s.cache.misses} misses
              </div>
            </div>
            <div className="tile">
              <div className="label">requests</div>
              <div className="value">{s.requests.total}</div>
              <div className="muted small">{Object.entries(s.requests.by_endpoint).map(([k, n]) => `${k} ${n}`).join(' · ') || 'none yet'}</div>
            </div>
          </div>
        )}
      </Card>
      <TryIt onDone={() => void Promise.all([stats.reload(), log.reload()])} version={version} setVersion={setVersion} />
      <Card title="Request latency (10-second buckets)">
        {s && s.latency.length === 0 && <Empty>No requests yet: try a text above, or call /model/v3/text_to_prediction.</Empty>}
        {s && s.latency.length > 0 && (
          <ResponsiveContainer width="100%" height={220}>
            <AreaChart data={s.latency.map((b) => ({ ...b, t: new Date(b.t).toLocaleTimeString() }))}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
              <XAxis dataKey="t" stroke="var(--muted)" />
              <YAxis stroke="var(--muted)" unit=" ms" />
              <Tooltip contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
              <Legend />
              <Area dataKey="p95_ms" name="p95" stroke="#f59f00" fill="#f59f0033" isAnimationActive={false} />
              <Area dataKey="p50_ms" name="p50" stroke="#2563eb" fill="#2563eb33" isAnimationActive={false} />
            </AreaChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title={`Your recent calls to ${version} (last hour)`}>
        <ErrorBox error={log.error} />
        {log.data?.length === 0 && <Empty>No calls in the last hour.</Empty>}
        {log.data && log.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>called at</th>
                <th>endpoint</th>
                <th>input</th>
              </tr>
            </thead>
            <tbody>
              {log.data.slice(0, 50).map((r, i) => (
                <tr key={i}>
                  <td className="small">{when(r.called_at)}</td>
                  <td>{r.endpoint}</td>
                  <td className="mono small ellipsis">{r.input_json}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

function TryIt({ version, setVersion, onDone }: { version: string; setVersion: (v: string) => void; onDone: () => void }) {
  const [text, setText] = useState('WINNER!! Claim your FREE prize now, call 09061701461');
  const [state, setState] = useState<{ error?: string; result?: PredictionOut }>({});
  return (
    <Card title="Try it">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          api
            .textToPrediction(version, text)
            .then((result) => setState({ result }), (err) => setState({ error: errorText(err) }))
            .finally(onDone);
        }}
      >
        <select aria-label="serving version" value={version} onChange={(e) => setVersion(e.target.value)}>
          <option>v1</option>
          <option>v2</option>
          <option>v3</option>
        </select>
        <input className="grow" aria-label="text to classify" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit">Predict</button>
      </form>
      <ErrorBox error={state.error} />
      {state.result && (
        <p>
          <span className={`badge ${state.result.top.label}`}>{state.result.top.label}</span> spam {pct(state.result.prediction.spam)} · ham {pct(state.result.prediction.ham)}
          {state.result.from_cache && <span className="muted"> · from cache</span>}
        </p>
      )}
    </Card>
  );
}
