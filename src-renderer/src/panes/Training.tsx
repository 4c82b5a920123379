/** Training runs: start with hyperparameters, live curves, runs table, comparison, registry. */
import { useEffect, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { create } from 'zustand';
import { api, errorText, watchRun, ApiError } from '../api';
import type { RunRecord, BatchMetrics } from '../../../src-shared/training';
import { Card, Empty, ErrorBox, Spinner, num, useLoad, when } from '../ui';

const DEFAULTS: Record<string, Record<string, number | string>> = {
  v1: { timeFreeze: '2019-05-05T00:00:00Z', nEstimators: 10, maxDepth: 10, maxFeatures: 3, testSize: 0.2, seed: 42 },
  v2: { timeFreeze: '2020-07-02T00:00:00Z', embeddingDim: 6, spatialDropout: 0.05, lstmUnits: 6, dropout: 0.05, recurrentDropout: 0.05, epochs: 3, batchSize: 32, learningRate: 0.001, testSize: 0.25, seed: 42 },
  v3: { timeFreeze: '2021-07-01T00:00:00Z', embeddingDim: 64, spatialDropout: 0.3, lstmUnits: 96, dropout: 0.3, recurrentDropout: 0.25, epochs: 5, batchSize: 32, learningRate: 0.001, testSize: 0.25, seed: 42 },
};

interface TrainingSlice {
  live?: RunRecord;
  liveBatches: BatchMetrics[];
  selected: string[];
  sort: { key: string; desc: boolean };
  setLive(r: RunRecord | undefined): void;
  toggle(id: string): void;
  sortBy(key: string): void;
}
const useTraining = create<TrainingSlice>((set, get) => ({
  liveBatches: [],
  selected: [],
  sort: { key: 'createdAt', desc: true },
  setLive: (live) => set({ live, liveBatches: live?.history.batches ?? [] }),
  toggle: (id) => set({ selected: get().selected.includes(id) ? get().selected.filter((x) => x !== id) : [...get().selected, id] }),
  sortBy: (key) => set({ sort: { key, desc: get().sort.key === key ? !get().sort.desc : true } }),
}));

export function TrainingPane() {
  const runs = useLoad(() => api.runs());
  const models = useLoad(() => api.models());
  const t = useTraining();
  const reload = () => {
    void runs.reload();
    void models.reload();
  };
  return (
    <div className="stack">
      <StartRun onStarted={reload} onDone={reload} />
      {t.live && <LiveRun run={t.live} batches={t.liveBatches} />}
      <Card title="Runs" actions={<button onClick={reload}>⟳</button>}>
        <ErrorBox error={runs.error} />
        {runs.loading && !runs.data && <Spinner />}
        {runs.data?.length === 0 && <Empty>No runs yet: start one above.</Empty>}
        {runs.data && runs.data.length > 0 && <RunsTable runs={runs.data} onChange={reload} />}
      </Card>
      {runs.data && t.selected.length > 0 && <Compare runs={runs.data.filter((r) => t.selected.includes(r.id))} />}
      <Card title="Model versions">
        <ErrorBox error={models.error} />
        {models.data && <Versions models={models.data} onChange={reload} />}
      </Card>
    </div>
  );
}

function StartRun({ onStarted, onDone }: { onStarted: () => void; onDone: () => void }) {
  const [model, setModel] = useState('v1');
  const [params, setParams] = useState<Record<string, number | string>>(DEFAULTS.v1);
  const [alias, setAlias] = useState('');
  const [state, setState] = useState<{ busy?: boolean; error?: string }>({});
  const setLive = useTraining((s) => s.setLive);
  const start = async () => {
    setState({ busy: true });
    try {
      const body = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k === 'timeFreeze' ? String(v) : Number(v)]));
      const run = await api.startRun({ model, params: body, ...(alias ? { alias } : {}) });
      setState({});
      onStarted();
      let current = run;
      const batches: BatchMetrics[] = [];
      setLive(run);
      watchRun(run.id, (e) => {
        if (e.type === 'snapshot') current = e.record;
        else if (e.type === 'batch') {
          batches.push(e.batch);
          current = { ...current, status: 'running', progress: e.progress };
        } else if (e.type === 'epoch') current = { ...current, progress: e.progress, history: { ...current.history, epochs: [...current.history.epochs, e.epoch] } };
        else if (e.type === 'status') current = { ...current, status: e.status, backend: e.backend ?? current.backend, error: e.error };
        else if (e.type === 'data') current = { ...current, data: e.data };
        else if (e.type === 'done') {
          current = e.record;
          onDone();
        }
        useTraining.setState({ live: current, liveBatches: [...batches] });
      });
    } catch (e) {
      setState({ error: errorText(e) });
    }
  };
  return (
    <Card title="Start a training run">
      <div className="row">
        <label>
          Model{' '}
          <select
            aria-label="train model"
            value={model}
            onChange={(e) => {
              setModel(e.target.value);
              setParams(DEFAULTS[e.target.value]);
            }}
          >
            <option value="v1">v1 — random forest on features v1</option>
            <option value="v2">v2 — LSTM(6) on token ids</option>
            <option value="v3">v3 — LSTM(96) on token ids</option>
          </select>
        </label>
        <label>
          Alias <input aria-label="alias" placeholder="e.g. production" value={alias} onChange={(e) => setAlias(e.target.value)} />
        </label>
        <button onClick={() => void start()} disabled={state.busy}>
          Start run
        </button>
      </div>
      <div className="params">
        {Object.entries(params).map(([k, v]) => (
          <label key={k}>
            {k}
            <input aria-label={k} value={v} onChange={(e) => setParams({ ...params, [k]: e.target.value })} />
          </label>
        ))}
      </div>
      <ErrorBox error={state.error} />
    </Card>
  );
}

function LiveRun({ run, batches }: { run: RunRecord; batches: BatchMetrics[] }) {
  const p = run.progress;
  const total = p ? p.epochs * p.batches : 1;
  const done = p ? (p.epoch - 1) * p.batches + p.batch : 0;
  const series = batches.map((b, i) => ({ step: i + 1, loss: b.loss, accuracy: b.accuracy }));
  return (
    <Card
      title={`Run ${run.id} · ${run.model} · ${run.status}`}
      actions={
        run.status === 'running' || run.status === 'queued' ? (
          <button className="danger" onClick={() => void api.cancelRun(run.id)}>
            Cancel
          </button>
        ) : undefined
      }
    >
      <div className="progress" role="progressbar" aria-valuenow={Math.round((100 * done) / total)} aria-valuemin={0} aria-valuemax={100} aria-label="training progress">
        <div style={{ width: `${run.status === 'succeeded' ? 100 : Math.round((100 * done) / total)}%` }} />
      </div>
      <p className="small muted">
        {run.backend && `backend ${run.backend} · `}
        {p && `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}`}
        {p?.etaSeconds !== undefined && run.status === 'running' && ` · ETA ${Math.round(p.etaSeconds)} s`}
        {run.data && ` · ${run.data.trainRows} train / ${run.data.testRows} test rows at ${run.data.timeFreeze}`}
      </p>
      <ErrorBox error={run.error} />
      {series.length > 1 && (
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={series}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="step" stroke="var(--muted)" />
            <YAxis stroke="var(--muted)" domain={[0, 'auto']} />
            <Tooltip contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
            <Legend />
            <Line type="monotone" dataKey="loss" stroke="#e5484d" dot={false} isAnimationActive={false} />
            <Line type="monotone" dataKey="accuracy" stroke="#2f9e44" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      )}
      {run.metrics && <Metrics run={run} />}
    </Card>
  );
}

function Metrics({ run }: { run: RunRecord }) {
  const m = run.metrics!;
  const [[tn, fp], [fn, tp]] = m.confusion;
  return (
    <div className="metrics" data-testid="run-metrics">
      <div className="kv">
        <span>accuracy</span>
        <b>{num(m.accuracy)}</b>
        <span>precision (spam)</span>
        <b>{num(m.precision)}</b>
        <span>recall (spam)</span>
        <b>{num(m.recall)}</b>
        <span>F1 (spam)</span>
        <b>{num(m.f1)}</b>
        <span>ROC AUC</span>
        <b>{num(m.rocAuc)}</b>
        <span>version</span>
        <b>{run.version ?? '–'}</b>
      </div>
      <table className="confusion" aria-label="confusion matrix">
        <thead>
          <tr>
            <th />
            <th>predicted ham</th>
            <th>predicted spam</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>true ham</th>
            <td className="good">{tn}</td>
            <td className="bad">{fp}</td>
          </tr>
          <tr>
            <th>true spam</th>
            <td className="bad">{fn}</td>
            <td className="good">{tp}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function RunsTable({ runs, onChange }: { runs: RunRecord[]; onChange: () => void }) {
  const t = useTraining();
  const val = (r: RunRecord, k: string): string | number => (k === 'accuracy' ? (r.metrics?.accuracy ?? -1) : k === 'f1' ? (r.metrics?.f1 ?? -1) : k === 'duration' ? (r.durationMs ?? -1) : String((r as unknown as Record<string, unknown>)[k] ?? ''));
  const sorted = useMemo(() => [...runs].sort((a, b) => (val(a, t.sort.key) < val(b, t.sort.key) ? 1 : -1) * (t.sort.desc ? 1 : -1)), [runs, t.sort]);
  const head = (k: string, label: string) => (
    <th>
      <button className="link" onClick={() => t.sortBy(k)}>
        {label}
        {t.sort.key === k ? (t.sort.desc ? ' ▾' : ' ▴') : ''}
      </button>
    </th>
  );
  return (
    <div className="scroll">
      <table>
        <thead>
          <tr>
            <th>compare</th>
            {head('createdAt', 'started')}
            {head('model', 'model')}
            {head('status', 'status')}
            {head('backend', 'backend')}
            {head('duration', 'duration')}
            {head('accuracy', 'accuracy')}
            {head('f1', 'F1 spam')}
            <th>version</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.id}>
              <td>
                <input type="checkbox" aria-label={`compare ${r.id}`} checked={t.selected.includes(r.id)} onChange={() => t.toggle(r.id)} />
              </td>
              <td className="small">{when(r.createdAt)}</td>
              <td>{r.model}</td>
              <td>
                <span className={`status run-${r.status}`}>{r.status}</span>
              </td>
              <td className="small">{r.backend ?? '–'}</td>
              <td>{r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)} s` : '–'}</td>
              <td>{num(r.metrics?.accuracy)}</td>
              <td>{num(r.metrics?.f1)}</td>
              <td>{r.version ?? '–'}</td>
              <td>
                <button className="small ghost" onClick={() => void api.run(r.id).then((full) => t.setLive(full))}>
                  details
                </button>
                {(r.status === 'running' || r.status === 'queued') && (
                  <button className="small danger" onClick={() => void api.cancelRun(r.id).then(onChange)}>
                    cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Compare({ runs }: { runs: RunRecord[] }) {
  const colors = ['#2563eb', '#e5484d', '#2f9e44', '#f59f00', '#7048e8', '#0ca678'];
  const maxEpochs = Math.max(...runs.map((r) => r.history.epochs.length));
  const data = Array.from({ length: maxEpochs }, (_, i) => Object.fromEntries([['epoch', i + 1], ...runs.map((r) => [r.id, r.history.epochs[i]?.val_accuracy])]));
  return (
    <Card title={`Compare ${runs.length} run(s): validation accuracy by epoch`}>
      {maxEpochs <= 1 ? (
        <Empty>Random-forest runs have one evaluation; pick LSTM runs (v2, v3) to compare curves.</Empty>
      ) : (
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="epoch" stroke="var(--muted)" />
            <YAxis stroke="var(--muted)" domain={['auto', 'auto']} />
            <Tooltip contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
            <Legend />
            {runs.map((r, i) => (
              <Line key={r.id} dataKey={r.id} name={`${r.model} ${r.id.slice(-4)}`} stroke={colors[i % colors.length]} isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </Card>
  );
}

function Versions({ models, onChange }: { models: Awaited<ReturnType<typeof api.models>>; onChange: () => void }) {
  const [error, setError] = useState<string>();
  const [confirm, setConfirm] = useState<string>();
  useEffect(() => setError(undefined), [models]);
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setError(undefined);
      onChange();
    } catch (e) {
      setError(errorText(e));
      if (e instanceof ApiError && e.status === 409) return true;
    }
    return false;
  };
  const rows = models.flatMap((m) => m.versions.map((v) => ({ m, v })));
  return (
    <>
      <ErrorBox error={error} />
      {rows.length === 0 && <Empty>No model versions yet: a successful run registers one.</Empty>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>model</th>
              <th>version</th>
              <th>aliases</th>
              <th>served</th>
              <th>accuracy</th>
              <th>F1 spam</th>
              <th>backend</th>
              <th>created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map(({ m, v }) => {
              const key = `${m.id}/${v.version}`;
              return (
                <tr key={key}>
                  <td>{m.id}</td>
                  <td>{v.version}</td>
                  <td>{v.aliases.map((a) => <span key={a} className="tag">{a}</span>)}</td>
                  <td>{m.served_version === v.version ? '●' : ''}</td>
                  <td>{num(v.metrics.accuracy)}</td>
                  <td>{num(v.metrics.f1)}</td>
                  <td className="small">{v.backend}</td>
                  <td className="small">{when(v.createdAt)}</td>
                  <td>
                    {!v.aliases.includes('production') && (
                      <button className="small" onClick={() => void act(() => api.setAlias(m.id, 'production', v.version))}>
                        make production
                      </button>
                    )}
                    {confirm === key ? (
                      <button className="small danger" onClick={() => void act(() => api.deleteVersion(m.id, v.version, true)).then(() => setConfirm(undefined))}>
                        delete anyway
                      </button>
                    ) : (
                      <button className="small ghost" onClick={() => void act(() => api.deleteVersion(m.id, v.version)).then((served) => served && setConfirm(key))}>
                        delete
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
