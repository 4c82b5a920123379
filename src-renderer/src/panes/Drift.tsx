/** Drift: reference against current distributions per feature, drift over time, alerts. */
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, errorText } from '../api';
import { Card, Empty, ErrorBox, num, pct, useLoad, when } from '../ui';

export function DriftPane() {
  const models = useLoad(() => api.models());
  const ids = models.data?.filter((m) => m.versions.length > 0).map((m) => m.id) ?? [];
  const [chosen, setModel] = useState<string>();
  // only models with a trained version can be monitored; v3 first when there is one
  const model = chosen ?? (ids.includes('v3') ? 'v3' : ids[0]);
  const report = useLoad(async () => (model ? api.drift(model) : undefined), [model]);
  const history = useLoad(async () => (model ? api.driftHistory(model) : []), [model]);
  const alerts = useLoad(() => api.alerts());
  const [busy, setBusy] = useState<string>();
  const check = async () => {
    if (!model) return;
    try {
      await api.check(model);
      setBusy(undefined);
    } catch (e) {
      setBusy(errorText(e));
    }
    void report.reload();
    void history.reload();
    void alerts.reload();
  };
  const r = report.data;
  return (
    <div className="stack">
      <Card
        title="Data drift against the training reference"
        actions={
          <>
            <select aria-label="drift model" value={model ?? ''} onChange={(e) => setModel(e.target.value)}>
              {ids.map((id) => (
                <option key={id}>{id}</option>
              ))}
            </select>
            <button onClick={() => void check()} disabled={!model}>
              Run check (store + alert)
            </button>
          </>
        }
      >
        <ErrorBox error={report.error ?? busy} />
        {models.data && ids.length === 0 && <Empty>No trained model yet: train one in the Training pane, then serve some predictions.</Empty>}
        {r && r.window.n === 0 && (
          <Empty>
            No predictions of {model} version {r.version} recorded yet. Serve some (Inbox or Try it), or replay messages: <code>npx spamops simulate --pattern '^sms15[6-9]' --count 500</code>.
          </Empty>
        )}
        {r && r.window.n > 0 && (
          <>
            <div className="tiles">
              <div className={`tile ${r.datasetDrift ? 'alarm' : 'calm'}`} data-testid="dataset-drift">
                <div className="label">dataset drift</div>
                <div className="value">{r.datasetDrift ? 'DRIFT' : 'no drift'}</div>
                <div className="muted small">{pct(r.driftShare)} of features drifted</div>
              </div>
              <div className="tile">
                <div className="label">window</div>
                <div className="value">{r.window.n} predictions</div>
                <div className="muted small">vs {r.referenceRows} training rows</div>
              </div>
              <div className="tile">
                <div className="label">share of spam</div>
                <div className="value">
                  {pct(r.prediction.referenceSpamShare)} → {pct(r.prediction.currentSpamShare)}
                </div>
                <div className="muted small">{r.prediction.drifted ? 'prediction drift' : 'stable'}</div>
              </div>
              <div className="tile">
                <div className="label">quality (feedback)</div>
                <div className="value">{r.quality ? `accuracy ${num(r.quality.accuracy, 3)}` : '–'}</div>
                <div className="muted small">{r.quality ? `${r.quality.n} labelled, F1 ${num(r.quality.f1, 3)}` : 'no feedback labels yet'}</div>
              </div>
            </div>
            <table>
              <thead>
                <tr>
                  <th>feature</th>
                  <th>test</th>
                  <th>statistic</th>
                  <th>p-value</th>
                  <th>threshold</th>
                  <th>PSI</th>
                  <th>drift</th>
                </tr>
              </thead>
              <tbody>
                {r.features.map((f) => (
                  <tr key={f.feature}>
                    <td>
                      <code>{f.feature}</code>
                    </td>
                    <td className="small">{f.test}</td>
                    <td>{num(f.statistic)}</td>
                    <td>{f.pValue === undefined ? '–' : f.pValue.toExponential(2)}</td>
                    <td>{f.threshold}</td>
                    <td>{num(f.psi, 3)}</td>
                    <td>{f.drifted ? <span className="badge spam">drift</span> : <span className="badge ham">ok</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="grid2">
              {r.features.map((f) => (
                <div key={f.feature} className="chart">
                  <div className="small muted">{f.feature}: reference vs current</div>
                  <ResponsiveContainer width="100%" height={160}>
                    <BarChart data={f.bins.map((b, i) => ({ bin: b, reference: f.reference[i], current: f.current[i] }))}>
                      <XAxis dataKey="bin" stroke="var(--muted)" tick={{ fontSize: 10 }} />
                      <YAxis stroke="var(--muted)" tick={{ fontSize: 10 }} />
                      <Tooltip contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
                      <Bar dataKey="reference" fill="#94a3b8" isAnimationActive={false} />
                      <Bar dataKey="current" fill={f.drifted ? '#e5484d' : '#2563eb'} isAnimationActive={false} />
                    </BarChart>
                  </ResponsiveContainer>
                </div>
              ))}
            </div>
          </>
        )}
      </Card>
      <Card title="Drift over time (stored checks)">
        <ErrorBox error={history.error} />
        {history.data?.length === 0 && <Empty>No stored checks yet: "Run check" stores one, and the server checks every 15 minutes.</Empty>}
        {history.data && history.data.length > 0 && (
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={history.data.map((h) => ({ at: new Date(h.at).toLocaleTimeString(), share: h.driftShare, spam: h.prediction.currentSpamShare }))}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
              <XAxis dataKey="at" stroke="var(--muted)" />
              <YAxis stroke="var(--muted)" domain={[0, 1]} />
              <Tooltip contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
              <Legend />
              <Line dataKey="share" name="share of drifted features" stroke="#e5484d" isAnimationActive={false} />
              <Line dataKey="spam" name="share of spam predicted" stroke="#2563eb" isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title="Alerts">
        <ErrorBox error={alerts.error} />
        {alerts.data?.length === 0 && <Empty>No alerts: they fire when dataset drift turns true or quality drops below its threshold.</Empty>}
        <ul className="plain">
          {alerts.data?.map((a) => (
            <li key={a.id} className={a.acknowledged ? 'muted' : ''}>
              <span className="badge spam">{a.kind}</span> {when(a.at)} — {a.message}{' '}
              {!a.acknowledged && (
                <button className="small" onClick={() => void api.ack(a.id).then(() => alerts.reload())}>
                  acknowledge
                </button>
              )}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
