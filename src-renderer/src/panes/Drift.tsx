/** Drift: reference against current distributions per feature, drift over time, alerts. */
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DriftReport } from '../api';
import { monitoredModels, useDrift } from '../store/drift';
import { Card, Empty, ErrorBox, Icon, SERIES, Spinner, Stat, ago, clock, num, pct, useChartTheme, useInterval, when } from '../ui';

export function DriftPane() {
  // loads now, then every 30 s: alerts and the stored time series change when the server's
  // scheduled check runs
  useInterval(() => void useDrift.getState().loadAll(), 30_000);
  return (
    <div className="stack">
      <Report />
      <div className="cols-2-1">
        <History />
        <Alerts />
      </div>
    </div>
  );
}

function Report() {
  const models = useDrift((s) => s.models);
  const chosen = useDrift((s) => s.chosen);
  const report = useDrift((s) => s.report);
  const checking = useDrift((s) => s.checking);
  const choose = useDrift((s) => s.choose);
  const runCheck = useDrift((s) => s.runCheck);
  const ids = monitoredModels(models.data);
  const model = chosen ?? ids[0];
  const r = report.data;
  return (
    <Card
      title="Data drift against the training reference"
      subtitle="The window of recorded predictions of the served version, per feature, against the rows it was trained on"
      actions={
        <>
          <label className="field inline">
            <span>Model</span>
            <select aria-label="drift model" value={model ?? ''} onChange={(e) => void choose(e.target.value)} disabled={ids.length === 0}>
              {ids.map((id) => (
                <option key={id}>{id}</option>
              ))}
            </select>
          </label>
          <button type="button" className="primary" onClick={() => void runCheck()} disabled={!model || checking.loading} title="Compute the report now, store it in the time series and raise an alert if drift starts">
            {checking.loading ? <Spinner label="Checking" /> : 'Run check (store + alert)'}
          </button>
        </>
      }
    >
      <ErrorBox error={models.error ?? report.error ?? checking.error} onRetry={() => void useDrift.getState().loadAll()} />
      {(models.loading || report.loading) && !r && <Spinner />}
      {models.data && ids.length === 0 && (
        <Empty icon="drift" title="No trained model yet">
          Train one in the Training pane, then serve some predictions: the report compares them with the training rows.
        </Empty>
      )}
      {r && r.window.n === 0 && (
        <Empty icon="drift" title={`No predictions of ${model} version ${r.version} recorded yet`}>
          Serve some (Inbox or Try it), or replay messages: <code>npx spamops simulate --pattern '^sms15[6-9]' --count 500</code>.
        </Empty>
      )}
      {r && r.window.n > 0 && <ReportBody r={r} />}
    </Card>
  );
}

function ReportBody({ r }: { r: DriftReport }) {
  const theme = useChartTheme();
  return (
    <>
      <div className="tiles">
        <div className={`tile ${r.datasetDrift ? 'alarm' : 'calm'}`} data-testid="dataset-drift">
          <div className="label">dataset drift</div>
          <div className="value">{r.datasetDrift ? 'DRIFT' : 'no drift'}</div>
          <div className="muted small">{pct(r.driftShare)} of features drifted</div>
        </div>
        <Stat label="window" value={`${r.window.n.toLocaleString()} predictions`} hint={`vs ${r.referenceRows.toLocaleString()} training rows · version ${r.version}`} />
        <Stat
          label="share of spam predicted"
          value={
            <>
              {pct(r.prediction.referenceSpamShare)} → {pct(r.prediction.currentSpamShare)}
            </>
          }
          hint={r.prediction.drifted ? 'prediction drift' : 'stable'}
          tone={r.prediction.drifted ? 'bad' : undefined}
        />
        <Stat
          label="quality (feedback labels)"
          value={r.quality ? `accuracy ${num(r.quality.accuracy, 3)}` : '–'}
          hint={r.quality ? `${r.quality.n} labelled, F1 ${num(r.quality.f1, 3)}` : 'no feedback labels yet'}
        />
      </div>
      <div className="scroll">
        <table className="compact">
          <thead>
            <tr>
              <th>feature</th>
              <th>test</th>
              <th className="num">statistic</th>
              <th className="num">p-value</th>
              <th className="num">threshold</th>
              <th className="num">PSI</th>
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
                <td className="num">{num(f.statistic)}</td>
                <td className="num">{f.pValue === undefined ? '–' : f.pValue.toExponential(2)}</td>
                <td className="num">{f.threshold}</td>
                <td className="num">{num(f.psi, 3)}</td>
                <td>{f.drifted ? <span className="badge spam">drift</span> : <span className="badge ham">ok</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="grid2 charts">
        {r.features.map((f) => (
          <div key={f.feature} className="chart">
            <div className="chart-title">
              <code>{f.feature}</code>: reference vs current {f.drifted && <span className="badge spam">drift</span>}
            </div>
            <ResponsiveContainer width="100%" height={160}>
              <BarChart data={f.bins.map((b, i) => ({ bin: b, reference: f.reference[i], current: f.current[i] }))} margin={{ top: 6, right: 8, bottom: 0, left: -14 }}>
                <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} vertical={false} />
                <XAxis dataKey="bin" stroke={theme.axis} tick={theme.tick} minTickGap={8} />
                <YAxis stroke={theme.axis} tick={theme.tick} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
                <Tooltip {...theme.tooltip} cursor={{ fill: theme.grid }} formatter={(v) => pct(Number(v))} />
                <Bar dataKey="reference" fill={theme.reference} isAnimationActive={false} />
                <Bar dataKey="current" fill={f.drifted ? SERIES[1] : SERIES[0]} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        ))}
      </div>
    </>
  );
}

function History() {
  const history = useDrift((s) => s.history);
  const theme = useChartTheme();
  const points = (history.data ?? []).map((h) => ({ at: clock(h.at), share: h.driftShare, spam: h.prediction.currentSpamShare }));
  return (
    <Card title="Drift over time" subtitle="Stored checks: Run check stores one, and the server checks on its schedule">
      <ErrorBox error={history.error} />
      {history.data?.length === 0 && (
        <Empty icon="history" title="No stored checks yet">
          "Run check" stores one; the server also checks every 15 minutes.
        </Empty>
      )}
      {points.length > 0 && (
        <div className="chart">
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={points} margin={{ top: 6, right: 12, bottom: 0, left: -14 }}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
              <XAxis dataKey="at" stroke={theme.axis} tick={theme.tick} minTickGap={24} />
              <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 1]} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
              <Tooltip {...theme.tooltip} formatter={(v) => pct(Number(v))} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Line dataKey="share" name="share of drifted features" stroke={SERIES[1]} strokeWidth={1.8} isAnimationActive={false} />
              <Line dataKey="spam" name="share of spam predicted" stroke={SERIES[0]} strokeWidth={1.8} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </Card>
  );
}

function Alerts() {
  const alerts = useDrift((s) => s.alerts);
  const ack = useDrift((s) => s.ack);
  const open = (alerts.data ?? []).filter((a) => !a.acknowledged).length;
  return (
    <Card title="Alerts" subtitle={alerts.data ? `${open} open of ${alerts.data.length}` : undefined}>
      <ErrorBox error={alerts.error} />
      {alerts.data?.length === 0 && (
        <Empty icon="bell" title="No alerts">
          They fire when dataset drift turns true or quality drops below its threshold.
        </Empty>
      )}
      <ul className="plain alerts">
        {alerts.data?.map((a) => (
          <li key={a.id} className={a.acknowledged ? 'alert-item muted' : 'alert-item'}>
            <Icon name={a.acknowledged ? 'check' : 'alert'} />
            <div className="alert-body">
              <div>
                <span className="badge spam">{a.kind}</span> <span title={when(a.at)}>{ago(a.at)}</span>
              </div>
              <div>{a.message}</div>
            </div>
            {!a.acknowledged && (
              <button type="button" className="small" onClick={() => void ack(a.id)} disabled={alerts.loading} aria-label={`acknowledge the ${a.kind} alert of ${when(a.at)}`}>
                acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
