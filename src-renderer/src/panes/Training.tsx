/** Training runs: start with hyperparameters, live curves, runs table, comparison, model registry. */
import { useEffect, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ModelEntry, RunRecord } from '../api';
import { useTraining, TRAIN_MODELS, TERMINAL, specOf, type SortKey, type TrainModel } from '../store/training';
import { Card, Empty, ErrorBox, Icon, Progress, SERIES, Spinner, Stat, ago, num, seconds, useChartTheme, useInterval, when } from '../ui';

export function TrainingPane() {
  const loadAll = useTraining((s) => s.loadAll);
  const anyActive = useTraining((s) => s.runs.data?.some((r) => !TERMINAL.has(r.status)) ?? false);
  useEffect(() => {
    void loadAll();
  }, [loadAll]);
  // runs started elsewhere (CLI, retraining) show up too
  useInterval(() => void (anyActive ? useTraining.getState().loadAll() : undefined), 3000, [anyActive]);
  return (
    <div className="stack">
      <div className="cols-1-2">
        <StartRun />
        <RunDetail />
      </div>
      <Runs />
      <Compare />
      <Versions />
    </div>
  );
}

/* ---------- start a run ---------- */

const PARAM_HINTS: Record<string, string> = {
  featureService: 'training data (feature service)',
  timeFreeze: 'point-in-time of the training set',
  testSize: 'held-out share, 0–1',
  seed: 'split and init seed',
  nEstimators: 'trees',
  maxDepth: 'tree depth',
  maxFeatures: 'features per split',
  embeddingDim: 'embedding size',
  spatialDropout: '0–0.95',
  lstmUnits: 'LSTM units',
  dropout: '0–0.95',
  recurrentDropout: '0–0.95',
  epochs: 'passes over the data',
  batchSize: 'rows per step',
  learningRate: 'Adam step size',
};

function StartRun() {
  const form = useTraining((s) => s.form);
  const starting = useTraining((s) => s.starting);
  const setForm = useTraining((s) => s.setForm);
  const chooseModel = useTraining((s) => s.chooseModel);
  const resetParams = useTraining((s) => s.resetParams);
  const start = useTraining((s) => s.start);
  const spec = specOf(form.model);
  return (
    <Card title="Start a training run" subtitle={spec.description}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <div className="row wrap-tight">
          <label className="field">
            <span>Model</span>
            <select aria-label="train model" value={form.model} onChange={(e) => chooseModel(e.target.value as TrainModel)}>
              {TRAIN_MODELS.map((m) => (
                <option key={m} value={m}>
                  {m} · {specOf(m).kind === 'lstm' ? 'LSTM' : 'random forest'}
                </option>
              ))}
            </select>
          </label>
          <label className="field grow">
            <span>Alias (optional)</span>
            <input aria-label="alias" placeholder="e.g. production, staging" value={form.alias} pattern="[a-z][a-z0-9_\-]{0,39}" title="lower-case letters, digits, - and _" onChange={(e) => setForm({ alias: e.target.value })} />
          </label>
        </div>
        <fieldset className="params">
          <legend>
            Hyperparameters <button type="button" className="link small" onClick={resetParams}>reset to defaults</button>
          </legend>
          {Object.entries(form.params).map(([k, v]) => {
            const def = String((spec.defaults as Record<string, unknown>)[k] ?? '');
            return (
              <label key={k} className={`param ${v !== def ? 'changed' : ''}`} title={PARAM_HINTS[k]}>
                <span className="param-name">{k}</span>
                <input aria-label={k} value={v} onChange={(e) => setForm({ params: { ...form.params, [k]: e.target.value } })} inputMode={k === 'timeFreeze' || k === 'featureService' ? 'text' : 'decimal'} />
              </label>
            );
          })}
        </fieldset>
        <div className="row">
          <button type="submit" className="primary" disabled={starting.loading}>
            <Icon name="play" /> {starting.loading ? 'Starting…' : 'Start run'}
          </button>
          <span className="muted small">Runs queue and train one at a time in a worker thread.</span>
        </div>
      </form>
      <ErrorBox error={starting.error} title="The run was not started:" />
    </Card>
  );
}

/* ---------- the run being watched ---------- */

function StatusPill({ status }: { status: RunRecord['status'] }) {
  return <span className={`status-pill run-${status}`}>{status}</span>;
}

function RunDetail() {
  const view = useTraining((s) => s.view);
  const cancel = useTraining((s) => s.cancel);
  const theme = useChartTheme();
  if (!view)
    return (
      <Card title="Run">
        <Empty icon="training" title="No run selected">
          Start a run to watch its loss and accuracy live, or open one from the runs table below for its curves, metrics and confusion matrix.
        </Empty>
      </Card>
    );
  const run = view.record;
  if (!run)
    return (
      <Card title={`Run ${view.id}`}>
        <ErrorBox error={view.error} />
        {!view.error && <Spinner />}
      </Card>
    );
  const p = run.progress;
  const active = !TERMINAL.has(run.status);
  const fraction = run.status === 'succeeded' ? 1 : p && p.epochs * p.batches > 0 ? ((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches) : run.status === 'queued' ? 0 : undefined;
  const batchSeries = view.batches.map((b, i) => ({ step: i + 1, epoch: b.epoch, loss: b.loss, accuracy: b.accuracy }));
  const epochSeries = run.history.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss ?? undefined, val_loss: e.val_loss ?? undefined, accuracy: e.accuracy, val_accuracy: e.val_accuracy }));
  return (
    <Card
      title={
        <>
          Run <span className="mono">{run.id}</span> · {run.model} <StatusPill status={run.status} />
        </>
      }
      subtitle={
        <>
          {run.backend ? `backend ${run.backend}` : `backend ${run.backendRequested}`}
          {run.data && ` · ${run.data.trainRows} train / ${run.data.testRows} test rows at ${run.data.timeFreeze}`}
          {run.durationMs !== undefined && ` · ${seconds(run.durationMs)}`}
          {run.alias && ` · alias ${run.alias}`}
        </>
      }
      actions={
        active ? (
          <button type="button" className="danger" onClick={() => void cancel(run.id)}>
            <Icon name="stop" /> Cancel
          </button>
        ) : undefined
      }
      testId="run-detail"
    >
      {(active || run.status === 'succeeded') && (
        <div className="run-progress">
          <Progress value={fraction} label="training progress" />
          <span className="muted small">
            {run.status === 'queued' && 'queued: waiting for the run before it'}
            {run.status === 'running' && !p && 'loading the training data…'}
            {p && `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches}`}
            {p?.etaSeconds !== undefined && run.status === 'running' && ` · about ${Math.max(0, Math.round(p.etaSeconds))} s left`}
            {view.streaming && <span className="live"> · live</span>}
          </span>
        </div>
      )}
      <ErrorBox error={run.error ?? view.error} />
      <div className="run-body">
        <div className="charts">
          {batchSeries.length > 1 && (
            <div className="chart" data-testid="live-curve">
              <div className="chart-title">Loss and accuracy per batch</div>
              <ResponsiveContainer width="100%" height={190}>
                <LineChart data={batchSeries} margin={{ top: 6, right: 12, bottom: 0, left: -14 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
                  <XAxis dataKey="step" stroke={theme.axis} tick={theme.tick} />
                  <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 'auto']} />
                  <Tooltip {...theme.tooltip} labelFormatter={(s) => `batch ${s}`} formatter={(v) => num(Number(v))} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Line type="monotone" dataKey="loss" stroke={SERIES[1]} dot={false} strokeWidth={1.6} isAnimationActive={false} />
                  <Line type="monotone" dataKey="accuracy" stroke={SERIES[2]} dot={false} strokeWidth={1.6} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          )}
          {epochSeries.length > 0 && (
            <div className="chart" data-testid="epoch-curve">
              <div className="chart-title">{run.base === 'v1' ? 'Accuracy (one evaluation: a forest has no epochs)' : 'Per epoch: training and validation'}</div>
              <ResponsiveContainer width="100%" height={190}>
                <LineChart data={epochSeries} margin={{ top: 6, right: 12, bottom: 0, left: -14 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
                  <XAxis dataKey="epoch" stroke={theme.axis} tick={theme.tick} allowDecimals={false} padding={epochSeries.length === 1 ? { left: 40, right: 40 } : undefined} />
                  <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 'auto']} />
                  <Tooltip {...theme.tooltip} labelFormatter={(s) => `epoch ${s}`} formatter={(v) => num(Number(v))} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {run.base !== 'v1' && <Line dataKey="loss" stroke={SERIES[1]} strokeWidth={1.6} isAnimationActive={false} />}
                  {run.base !== 'v1' && <Line dataKey="val_loss" stroke={SERIES[1]} strokeDasharray="5 3" strokeWidth={1.6} isAnimationActive={false} />}
                  <Line dataKey="accuracy" stroke={SERIES[2]} strokeWidth={1.6} isAnimationActive={false} dot={{ r: 3 }} />
                  <Line dataKey="val_accuracy" stroke={SERIES[0]} strokeDasharray="5 3" strokeWidth={1.6} isAnimationActive={false} dot={{ r: 3 }} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          )}
          {batchSeries.length <= 1 && epochSeries.length === 0 && (
            <div className="chart placeholder">{active ? <Spinner label="Waiting for the first batch" /> : <span className="muted small">This run recorded no curve.</span>}</div>
          )}
        </div>
        {run.metrics && <Metrics run={run} />}
      </div>
    </Card>
  );
}

function Metrics({ run }: { run: RunRecord }) {
  const m = run.metrics!;
  const [[tn, fp], [fn, tp]] = m.confusion;
  const total = tn + fp + fn + tp || 1;
  const shade = (n: number, good: boolean) => ({ background: `color-mix(in srgb, ${good ? 'var(--ok)' : 'var(--bad)'} ${Math.round(8 + (60 * n) / total)}%, transparent)` });
  return (
    <div className="metrics" data-testid="run-metrics">
      <div className="metric-grid">
        <Stat label="accuracy" value={num(m.accuracy)} />
        <Stat label="F1 (spam)" value={num(m.f1)} />
        <Stat label="precision" value={num(m.precision)} />
        <Stat label="recall" value={num(m.recall)} />
        <Stat label="ROC AUC" value={num(m.rocAuc)} />
        <Stat label="version" value={run.version ?? '–'} hint={`${m.support.ham} ham / ${m.support.spam} spam tested`} />
      </div>
      <table className="confusion" aria-label="confusion matrix">
        <caption>Confusion matrix (test set)</caption>
        <thead>
          <tr>
            <td />
            <th scope="col">pred. ham</th>
            <th scope="col">pred. spam</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">true ham</th>
            <td style={shade(tn, true)} title="true negatives">
              {tn}
            </td>
            <td style={shade(fp, false)} title="false positives: ham flagged as spam">
              {fp}
            </td>
          </tr>
          <tr>
            <th scope="row">true spam</th>
            <td style={shade(fn, false)} title="false negatives: spam let through">
              {fn}
            </td>
            <td style={shade(tp, true)} title="true positives">
              {tp}
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

/* ---------- runs table ---------- */

function sortValue(r: RunRecord, k: SortKey): string | number {
  switch (k) {
    case 'accuracy':
      return r.metrics?.accuracy ?? -1;
    case 'f1':
      return r.metrics?.f1 ?? -1;
    case 'duration':
      return r.durationMs ?? -1;
    case 'version':
      return Number(r.version ?? -1);
    case 'backend':
      return r.backend ?? '';
    default:
      return String(r[k] ?? '');
  }
}

function Runs() {
  const runs = useTraining((s) => s.runs);
  const sort = useTraining((s) => s.sort);
  const sortBy = useTraining((s) => s.sortBy);
  const compare = useTraining((s) => s.compare);
  const toggleCompare = useTraining((s) => s.toggleCompare);
  const open = useTraining((s) => s.open);
  const cancel = useTraining((s) => s.cancel);
  const viewId = useTraining((s) => s.view?.id);
  const loadAll = useTraining((s) => s.loadAll);
  const sorted = useMemo(() => {
    const list = [...(runs.data ?? [])];
    return list.sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -c : c;
    });
  }, [runs.data, sort]);
  const head = (k: SortKey, label: string, cls?: string) => (
    <th className={cls} aria-sort={sort.key === k ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => sortBy(k)}>
        {label}
        <span className="sort-mark" aria-hidden="true">
          {sort.key === k ? (sort.desc ? '▾' : '▴') : '↕'}
        </span>
      </button>
    </th>
  );
  return (
    <Card
      title="Runs"
      subtitle={runs.data ? `${runs.data.length} run${runs.data.length === 1 ? '' : 's'} · tick two or more to compare their curves` : undefined}
      actions={
        <button type="button" className="small" onClick={() => void loadAll()} aria-label="reload runs">
          <Icon name="refresh" size={13} /> Reload
        </button>
      }
    >
      <ErrorBox error={runs.error} onRetry={() => void loadAll()} />
      {runs.loading && !runs.data && <Spinner />}
      {runs.data?.length === 0 && (
        <Empty icon="training" title="No runs yet">
          Start one above, or from a terminal: <code>npx spamops train v1</code>.
        </Empty>
      )}
      {sorted.length > 0 && (
        <div className="scroll">
          <table className="runs">
            <thead>
              <tr>
                <th className="narrow">
                  <span className="sr-only">compare</span>
                </th>
                {head('createdAt', 'created')}
                {head('model', 'model')}
                {head('status', 'status')}
                {head('backend', 'backend')}
                {head('duration', 'duration', 'num')}
                {head('accuracy', 'accuracy', 'num')}
                {head('f1', 'F1 spam', 'num')}
                {head('version', 'version', 'num')}
                <th />
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr key={r.id} className={r.id === viewId ? 'selected' : ''}>
                  <td className="narrow">
                    <input type="checkbox" aria-label={`compare ${r.id}`} checked={compare.includes(r.id)} onChange={() => toggleCompare(r.id)} />
                  </td>
                  <td className="nowrap" title={r.id}>
                    {when(r.createdAt)}
                  </td>
                  <td>
                    <b>{r.model}</b>
                    {r.note && <span className="muted small"> · {r.note}</span>}
                  </td>
                  <td>
                    <StatusPill status={r.status} />
                  </td>
                  <td className="muted">{r.backend ?? '–'}</td>
                  <td className="num">{seconds(r.durationMs)}</td>
                  <td className="num">{num(r.metrics?.accuracy)}</td>
                  <td className="num">{num(r.metrics?.f1)}</td>
                  <td className="num">{r.version ?? '–'}</td>
                  <td className="row-actions">
                    <button type="button" className="small" onClick={() => void open(r.id)} aria-label={`open run ${r.id}`}>
                      Open
                    </button>
                    {!TERMINAL.has(r.status) && (
                      <button type="button" className="small danger" onClick={() => void cancel(r.id)} aria-label={`cancel run ${r.id}`}>
                        Cancel
                      </button>
                    )}
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

/* ---------- comparison ---------- */

function Compare() {
  const runs = useTraining((s) => s.runs.data);
  const ids = useTraining((s) => s.compare);
  const clear = useTraining((s) => s.clearCompare);
  const theme = useChartTheme();
  const chosen = (runs ?? []).filter((r) => ids.includes(r.id));
  if (chosen.length === 0) return null;
  const maxEpochs = Math.max(1, ...chosen.map((r) => r.history.epochs.length));
  const data = Array.from({ length: maxEpochs }, (_, i) => {
    const row: Record<string, number | undefined> = { epoch: i + 1 };
    for (const r of chosen) {
      row[`${r.id}:acc`] = r.history.epochs[i]?.val_accuracy ?? undefined;
      row[`${r.id}:loss`] = r.history.epochs[i]?.val_loss ?? undefined;
    }
    return row;
  });
  const name = (r: RunRecord) => `${r.model}${r.version ? ` v${r.version}` : ''} · ${r.id.slice(-4)}`;
  const chart = (metric: 'acc' | 'loss', title: string) => (
    <div className="chart">
      <div className="chart-title">{title}</div>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: -14 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
          <XAxis dataKey="epoch" stroke={theme.axis} tick={theme.tick} allowDecimals={false} padding={maxEpochs === 1 ? { left: 40, right: 40 } : undefined} />
          <YAxis stroke={theme.axis} tick={theme.tick} domain={metric === 'acc' ? ['auto', 1] : [0, 'auto']} />
          <Tooltip {...theme.tooltip} labelFormatter={(s) => `epoch ${s}`} formatter={(v) => num(Number(v))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {chosen.map((r, i) => (
            <Line key={r.id} dataKey={`${r.id}:${metric}`} name={name(r)} stroke={SERIES[i % SERIES.length]} strokeWidth={1.8} dot={{ r: 3 }} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
  return (
    <Card
      title={`Compare ${chosen.length} run${chosen.length === 1 ? '' : 's'}`}
      subtitle="Validation curves by epoch (random-forest runs have one evaluation and no loss)"
      actions={
        <button type="button" className="small" onClick={clear}>
          Clear selection
        </button>
      }
      testId="compare"
    >
      {chosen.length < 2 ? (
        <p className="muted small">Tick one more run to compare.</p>
      ) : (
        <div className="cols-2">
          {chart('acc', 'val_accuracy')}
          {chart('loss', 'val_loss')}
        </div>
      )}
      <div className="scroll">
        <table className="compact">
          <thead>
            <tr>
              <th>run</th>
              <th>params</th>
              <th className="num">accuracy</th>
              <th className="num">F1 spam</th>
              <th className="num">ROC AUC</th>
            </tr>
          </thead>
          <tbody>
            {chosen.map((r, i) => (
              <tr key={r.id}>
                <td className="nowrap">
                  <span className="swatch" style={{ background: SERIES[i % SERIES.length] }} /> {name(r)}
                </td>
                <td className="mono tiny">
                  {Object.entries(r.params)
                    .filter(([k]) => !['featureService', 'entityIds'].includes(k))
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join(' ')}
                </td>
                <td className="num">{num(r.metrics?.accuracy)}</td>
                <td className="num">{num(r.metrics?.f1)}</td>
                <td className="num">{num(r.metrics?.rocAuc)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/* ---------- model registry ---------- */

function AliasForm({ models }: { models: ModelEntry[] }) {
  const setAlias = useTraining((s) => s.setAlias);
  const withVersions = models.filter((m) => m.versions.length > 0);
  const [name, setName] = useState(withVersions[0]?.id ?? '');
  const entry = withVersions.find((m) => m.id === name) ?? withVersions[0];
  const [version, setVersion] = useState('');
  const [alias, setAliasText] = useState('production');
  const v = entry?.versions.some((x) => x.version === version) ? version : (entry?.versions[entry.versions.length - 1]?.version ?? '');
  if (!entry) return null;
  return (
    <form
      className="row wrap-tight alias-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (alias && v) void setAlias(entry.id, alias, v);
      }}
    >
      <span className="muted small">Point an alias at a version:</span>
      <select aria-label="alias model" value={entry.id} onChange={(e) => setName(e.target.value)}>
        {withVersions.map((m) => (
          <option key={m.id}>{m.id}</option>
        ))}
      </select>
      <select aria-label="alias version" value={v} onChange={(e) => setVersion(e.target.value)}>
        {entry.versions.map((x) => (
          <option key={x.version} value={x.version}>
            version {x.version}
          </option>
        ))}
      </select>
      <input aria-label="alias name" value={alias} onChange={(e) => setAliasText(e.target.value)} pattern="[a-z][a-z0-9_\-]{0,39}" title="lower-case letters, digits, - and _" size={14} />
      <button type="submit">Set alias</button>
    </form>
  );
}

function Versions() {
  const models = useTraining((s) => s.models);
  const action = useTraining((s) => s.registryAction);
  const setAlias = useTraining((s) => s.setAlias);
  const del = useTraining((s) => s.deleteVersion);
  const dismiss = useTraining((s) => s.dismissRegistryMessage);
  const rows = (models.data ?? []).flatMap((m) => [...m.versions].reverse().map((v) => ({ m, v })));
  return (
    <Card title="Model versions" subtitle="The model registry: what each model id has, and which version serving answers with (alias production, else the newest)">
      <ErrorBox error={models.error} />
      {models.loading && !models.data && <Spinner />}
      {models.data && rows.length === 0 && (
        <Empty icon="layers" title="No model versions yet">
          A successful run registers a version. Start one above.
        </Empty>
      )}
      {rows.length > 0 && (
        <>
          <AliasForm models={models.data!} />
          {action.note && (
            <p className="note ok" role="status">
              <Icon name="check" size={13} /> {action.note}
            </p>
          )}
          {action.error && (
            <div className="error" role="alert">
              <Icon name="alert" />
              <div className="error-body">{action.error}</div>
              {action.forceKey && (
                <button
                  type="button"
                  className="small danger solid"
                  disabled={action.busy !== undefined}
                  onClick={() => {
                    const [n, ver] = action.forceKey!.split('/');
                    void del(n, ver, true);
                  }}
                >
                  Delete anyway
                </button>
              )}
              <button type="button" className="small" onClick={dismiss}>
                Dismiss
              </button>
            </div>
          )}
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th>model</th>
                  <th className="num">version</th>
                  <th>aliases</th>
                  <th>serving</th>
                  <th className="num">accuracy</th>
                  <th className="num">F1 spam</th>
                  <th>backend</th>
                  <th>trained</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map(({ m, v }) => {
                  const key = `${m.id}/${v.version}`;
                  const served = m.served_version === v.version;
                  return (
                    <tr key={key} className={action.forceKey === key ? 'warn-row' : ''}>
                      <td>
                        <b>{m.id}</b>
                        {m.base !== m.id && <span className="muted small"> ({m.base})</span>}
                      </td>
                      <td className="num">{v.version}</td>
                      <td>
                        {v.aliases.length ? (
                          v.aliases.map((a) => (
                            <span key={a} className={`tag ${a === 'production' ? 'prod' : ''}`}>
                              {a}
                            </span>
                          ))
                        ) : (
                          <span className="muted">–</span>
                        )}
                      </td>
                      <td>{served ? <span className="pill good">served</span> : <span className="muted">–</span>}</td>
                      <td className="num">{num(v.metrics.accuracy)}</td>
                      <td className="num">{num(v.metrics.f1)}</td>
                      <td className="muted">{v.backend}</td>
                      <td className="nowrap" title={when(v.createdAt)}>
                        {ago(v.createdAt)}
                      </td>
                      <td className="row-actions">
                        {!v.aliases.includes('production') && (
                          <button type="button" className="small" disabled={action.busy === key} onClick={() => void setAlias(m.id, 'production', v.version)} aria-label={`make ${m.id} version ${v.version} production`}>
                            Make production
                          </button>
                        )}
                        <button type="button" className="small ghost danger-text" disabled={action.busy === key} onClick={() => {
                            // cannot be undone: the artifacts go; a served version asks a second time (server 409)
                            if (window.confirm(`Delete ${m.id} version ${v.version} and its artifacts? This cannot be undone.`)) void del(m.id, v.version);
                          }}
                          aria-label={`delete ${m.id} version ${v.version}`}
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted tiny">Accuracy and F1 on each version's held-out test set. Deleting a served version asks again.</p>
        </>
      )}
    </Card>
  );
}
