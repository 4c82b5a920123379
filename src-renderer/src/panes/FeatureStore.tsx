/** The feature registry explorer, online-store lookup, materialization and offline previews. */
import { useState } from 'react';
import { api, errorText } from '../api';
import type { GetOnlineFeaturesResponse, MaterializeResponse } from '../../../src-shared/featurestore';
import { Card, Empty, ErrorBox, Spinner, useLoad, when } from '../ui';

export function FeatureStorePane() {
  const views = useLoad(() => api.views());
  const sources = useLoad(() => api.sources());
  const services = useLoad(() => api.services());
  const entities = useLoad(() => api.entities());
  const history = useLoad(() => api.history());

  if (views.error?.includes('registry is empty'))
    return (
      <Empty>
        The feature registry is empty. Run <code>npx spamops bootstrap</code> (or <code>spamops apply</code>) to apply the feature definitions.
      </Empty>
    );
  return (
    <div className="stack">
      <Lookup />
      <Card title="Feature views" actions={<button onClick={() => void views.reload()}>⟳</button>}>
        <ErrorBox error={views.error} />
        {views.loading && <Spinner />}
        {views.data?.map((v) => (
          <details key={v.name} className="view" open>
            <summary>
              <code>{v.name}</code> <span className="muted">from {v.source}</span> · ttl {v.ttlSeconds ? `${v.ttlSeconds} s` : 'none'} · {v.online ? 'online' : 'offline only'} · {v.online_rows} online rows · materialized until {when(v.materialized_until)}{' '}
              {Object.entries(v.tags).map(([k, t]) => (
                <span key={k} className="tag">
                  {k}={t}
                </span>
              ))}
            </summary>
            <p className="muted small">{v.description}</p>
            <table>
              <thead>
                <tr>
                  <th>feature</th>
                  <th>type</th>
                  <th>description</th>
                </tr>
              </thead>
              <tbody>
                {v.schema.map((f) => (
                  <tr key={f.name}>
                    <td>
                      <code>{f.name}</code>
                    </td>
                    <td>
                      {f.dtype}
                      {f.length ? `[${f.length}]` : ''}
                    </td>
                    <td>{f.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ))}
      </Card>
      <div className="grid2">
        <Card title="Entities and services">
          <ErrorBox error={entities.error ?? services.error} />
          <ul className="plain">
            {entities.data?.map((e) => (
              <li key={e.name}>
                entity <code>{e.name}</code> (join key {e.joinKeys.join(', ')}): {e.description}
              </li>
            ))}
            {services.data?.map((s) => (
              <li key={s.name}>
                service <code>{s.name}</code> = {s.features.map((f) => f.view).join(' + ')}: <span className="muted">{s.description}</span>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Data sources">
          <ErrorBox error={sources.error} />
          <ul className="plain">
            {sources.data?.map((s) => (
              <li key={s.name}>
                <code>{s.name}</code> {s.kind === 'push' ? `push source over ${s.batchSource}` : `Parquet, ${s.parts ?? 0} part(s)`}
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Materialize onDone={() => void views.reload()} />
      <Preview />
      <Card title="Registry history">
        <ErrorBox error={history.error} />
        {history.data
          ?.slice()
          .reverse()
          .map((h) => (
            <details key={h.version}>
              <summary>
                version {h.version} · stage {h.stage} · {when(h.appliedAt)} · {h.diff.entries.length} change(s)
              </summary>
              <ul className="diff">
                {h.diff.entries.map((d) => (
                  <li key={`${d.kind}:${d.name}`} className={d.change}>
                    {d.change === 'added' ? '+' : d.change === 'removed' ? '−' : '~'} {d.kind} <code>{d.name}</code> {d.change}
                    {d.fields?.map((f) => (
                      <div key={f.path} className="muted small">
                        {f.path}: {JSON.stringify(f.before)} → {JSON.stringify(f.after)}
                      </div>
                    ))}
                  </li>
                ))}
              </ul>
            </details>
          ))}
      </Card>
    </div>
  );
}

function Lookup() {
  const [ids, setIds] = useState('sms90001');
  const [service, setService] = useState('labeled_sms_2');
  const [state, setState] = useState<{ busy?: boolean; error?: string; data?: GetOnlineFeaturesResponse }>({});
  const run = async () => {
    setState({ busy: true });
    try {
      setState({ data: await api.onlineFeatures({ feature_service: service, entities: { sms_id: ids.split(/[\s,]+/).filter(Boolean) } }) });
    } catch (e) {
      setState({ error: errorText(e) });
    }
  };
  const d = state.data;
  return (
    <Card title="Online store lookup">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          sms_id(s) <input aria-label="sms ids" value={ids} onChange={(e) => setIds(e.target.value)} />
        </label>
        <label>
          feature service{' '}
          <select aria-label="feature service" value={service} onChange={(e) => setService(e.target.value)}>
            <option>labeled_sms_1</option>
            <option>labeled_sms_2</option>
          </select>
        </label>
        <button type="submit">Look up</button>
        {state.busy && <Spinner />}
      </form>
      <ErrorBox error={state.error} />
      {d && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>feature</th>
                {d.results[0].values.map((id) => (
                  <th key={String(id)}>{String(id)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {d.metadata.feature_names.slice(1).map((n, j) => (
                <tr key={n}>
                  <td>
                    <code>{n}</code>
                  </td>
                  {d.results[j + 1].values.map((v, i) => (
                    <td key={i}>
                      <span className={`status ${d.results[j + 1].statuses[i]}`}>{d.results[j + 1].statuses[i]}</span> <span className="mono small">{v === null ? '' : JSON.stringify(v)}</span>
                      <div className="muted small">{d.results[j + 1].event_timestamps[i]}</div>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function Materialize({ onDone }: { onDone: () => void }) {
  const [start, setStart] = useState('2009-01-01T00:00:00');
  const [end, setEnd] = useState(new Date().toISOString().slice(0, 19));
  const [state, setState] = useState<{ busy?: boolean; error?: string; data?: MaterializeResponse }>({});
  const go = async (incremental: boolean) => {
    setState({ busy: true });
    try {
      setState({ data: incremental ? await api.materializeIncremental(end) : await api.materialize(start, end) });
      onDone();
    } catch (e) {
      setState({ error: errorText(e) });
    }
  };
  return (
    <Card title="Materialize">
      <div className="row">
        <label>
          start <input aria-label="start" value={start} onChange={(e) => setStart(e.target.value)} />
        </label>
        <label>
          end <input aria-label="end" value={end} onChange={(e) => setEnd(e.target.value)} />
        </label>
        <button onClick={() => void go(false)} disabled={state.busy}>
          Materialize [start, end]
        </button>
        <button onClick={() => void go(true)} disabled={state.busy}>
          Materialize incrementally to end
        </button>
      </div>
      {state.busy && <div className="progress indeterminate" role="progressbar" aria-label="materializing" />}
      <ErrorBox error={state.error} />
      {state.data && (
        <p className="small">
          {state.data.views.map((v) => `${v.feature_view}: ${v.rows_written} rows`).join(' · ')} ({state.data.duration_ms.toFixed(0)} ms)
        </p>
      )}
    </Card>
  );
}

function Preview() {
  const [source, setSource] = useState('smss1');
  const p = useLoad(() => api.preview(source), [source]);
  const cols = p.data?.rows[0] ? Object.keys(p.data.rows[0]) : [];
  return (
    <Card
      title="Offline rows"
      actions={
        <select aria-label="offline source" value={source} onChange={(e) => setSource(e.target.value)}>
          <option>smss1</option>
          <option>labels</option>
          <option>smss2</option>
        </select>
      }
    >
      <ErrorBox error={p.error} />
      {p.data && (
        <>
          <p className="muted small">
            newest 20 of {p.data.total_rows} rows in {p.data.parts} Parquet part(s)
          </p>
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  {cols.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {p.data.rows.map((r, i) => (
                  <tr key={i}>
                    {cols.map((c) => (
                      <td key={c} className="mono small">
                        {typeof r[c] === 'number' ? +(r[c] as number).toFixed(4) : Array.isArray(r[c]) ? (r[c] as number[]).join(' ') : String(r[c])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Card>
  );
}
