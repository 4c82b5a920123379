/** The feature registry explorer, online-store lookup, materialization and offline previews. */
import { useEffect, useState } from 'react';
import type { FeatureStatus } from '../api';
import type { RegistryDiffEntry } from '../../../src-shared/featurestore';
import { useFeatures, OFFLINE_SOURCES } from '../store/features';
import { Card, Empty, ErrorBox, Icon, Progress, Segmented, Spinner, ago, when } from '../ui';

export function FeatureStorePane() {
  const s = useFeatures();
  useEffect(() => {
    void s.loadRegistry();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const empty = s.views.status === 409 || /registry is empty/i.test(s.views.error ?? '');
  if (empty)
    return (
      <Empty icon="database" title="The feature registry is empty">
        Apply the feature definitions first: run <code>npx spamops bootstrap</code> (imports the sample, applies, materializes) or <code>npx spamops apply</code>, then reload this pane.
      </Empty>
    );
  return (
    <div className="stack">
      <div className="cols-2-1">
        <Lookup />
        <Materialize />
      </div>
      <Views />
      <div className="cols-3">
        <Card title="Entities">
          <ErrorBox error={s.entities.error} />
          {s.entities.loading && !s.entities.data && <Spinner />}
          {s.entities.data?.length === 0 && <Empty title="No entities">The registry defines none.</Empty>}
          <ul className="defs">
            {s.entities.data?.map((e) => (
              <li key={e.name}>
                <div className="def-head">
                  <code>{e.name}</code>
                  <span className="pill">{e.valueType}</span>
                </div>
                <div className="muted small">join key {e.joinKeys.map((k) => <code key={k}>{k}</code>)}</div>
                <div className="small">{e.description}</div>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Feature services">
          <ErrorBox error={s.services.error} />
          {s.services.loading && !s.services.data && <Spinner />}
          <ul className="defs">
            {s.services.data?.map((sv) => (
              <li key={sv.name}>
                <div className="def-head">
                  <code>{sv.name}</code>
                  {Object.entries(sv.tags).map(([k, t]) => (
                    <span key={k} className="tag">
                      {k}={t}
                    </span>
                  ))}
                </div>
                <div className="small">
                  {sv.features.map((f, i) => (
                    <span key={f.view}>
                      {i > 0 && ' + '}
                      <code>{f.view}</code>
                      {f.features ? `[${f.features.join(', ')}]` : ''}
                    </span>
                  ))}
                </div>
                <div className="muted small">{sv.description}</div>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Data sources">
          <ErrorBox error={s.sources.error} />
          {s.sources.loading && !s.sources.data && <Spinner />}
          <ul className="defs">
            {s.sources.data?.map((src) => (
              <li key={src.name}>
                <div className="def-head">
                  <code>{src.name}</code>
                  <span className="pill">{src.kind === 'push' ? 'push' : 'Parquet'}</span>
                </div>
                <div className="muted small">
                  {src.kind === 'push' ? (
                    <>
                      pushes into batch source <code>{src.batchSource}</code>
                    </>
                  ) : (
                    <>
                      folder <code>{src.path}</code> · {src.parts ?? 0} part{src.parts === 1 ? '' : 's'} · time <code>{src.timestampField}</code>
                    </>
                  )}
                </div>
                <div className="small">{src.description}</div>
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Preview />
      <History />
    </div>
  );
}

/* ---------- online store lookup ---------- */

const STATUS_HINT: Record<FeatureStatus, string> = {
  PRESENT: 'value present in the online store',
  NOT_FOUND: 'no row for this entity',
  OUTSIDE_MAX_AGE: 'the row is older than the view ttl',
  NULL_VALUE: 'the row holds no value',
};

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(+v.toFixed(6));
  return String(v);
}

function Lookup() {
  const views = useFeatures((s) => s.views.data);
  const services = useFeatures((s) => s.services.data);
  const lookup = useFeatures((s) => s.lookup);
  const runLookup = useFeatures((s) => s.runLookup);
  const [ids, setIds] = useState('sms90001');
  const [chosen, setTarget] = useState('service:labeled_sms_2');
  // what the applied registry has: an earlier stage has no labeled_sms_2
  const available = services || views ? [...(services ?? []).map((sv) => `service:${sv.name}`), ...(views ?? []).map((v) => `view:${v.name}`)] : undefined;
  const target = !available || available.includes(chosen) ? chosen : (available.filter((a) => a.startsWith('service:')).pop() ?? available[0] ?? chosen);
  const d = lookup.data;
  const entityIds = d?.results[0]?.values.map(String) ?? [];
  const rows = d ? d.metadata.feature_names.map((name, j) => ({ name, r: d.results[j] })).slice(1) : [];
  const counts = rows.flatMap((x) => x.r.statuses).reduce<Record<string, number>>((acc, st) => ({ ...acc, [st]: (acc[st] ?? 0) + 1 }), {});
  return (
    <Card title="Online store lookup" subtitle="Latest feature values of entities, as the feature server answers them (POST /get-online-features)">
      <form
        className="row wrap-tight"
        onSubmit={(e) => {
          e.preventDefault();
          const list = ids.split(/[\s,;]+/).filter(Boolean);
          if (list.length) void runLookup({ ids: list, target });
        }}
      >
        <label className="field grow">
          <span>sms_id(s)</span>
          <input aria-label="sms ids" value={ids} onChange={(e) => setIds(e.target.value)} placeholder="sms90001, sms90002" />
        </label>
        <label className="field">
          <span>Feature service or view</span>
          <select aria-label="feature service or view" value={target} onChange={(e) => setTarget(e.target.value)}>
            <optgroup label="Feature services">
              {(services ?? [{ name: 'labeled_sms_1' }, { name: 'labeled_sms_2' }]).map((sv) => (
                <option key={sv.name} value={`service:${sv.name}`}>
                  {sv.name}
                </option>
              ))}
            </optgroup>
            {views && (
              <optgroup label="Feature views">
                {views.map((v) => (
                  <option key={v.name} value={`view:${v.name}`}>
                    {v.name}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
        <button type="submit" className="primary align-end" disabled={lookup.loading}>
          <Icon name="search" /> Look up
        </button>
      </form>
      {lookup.loading && <Progress label="looking up" />}
      <ErrorBox error={lookup.error} />
      {!d && !lookup.loading && !lookup.error && <p className="muted small">Enter one or more sms_ids (comma or space separated). Sample ids run from sms90001 to sms90240.</p>}
      {d && (
        <>
          <p className="muted small result-line">
            {entityIds.length} entit{entityIds.length === 1 ? 'y' : 'ies'} × {rows.length} feature{rows.length === 1 ? '' : 's'} ·{' '}
            {Object.entries(counts).map(([st, n]) => (
              <span key={st} className={`status ${st}`}>
                {n} {st}{' '}
              </span>
            ))}
          </p>
          <div className="scroll">
            <table className="lookup">
              <thead>
                <tr>
                  <th>feature</th>
                  {entityIds.map((id, i) => (
                    <th key={i}>{id}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map(({ name, r }) => (
                  <tr key={name}>
                    <td>
                      <code>{name}</code>
                    </td>
                    {r.values.map((v, i) => (
                      <td key={i}>
                        <span className={`status ${r.statuses[i]}`} title={STATUS_HINT[r.statuses[i] as FeatureStatus]}>
                          {r.statuses[i]}
                        </span>
                        {r.statuses[i] === 'PRESENT' && <div className="mono small value">{formatValue(v)}</div>}
                        {r.statuses[i] !== 'NOT_FOUND' && <div className="muted tiny">event {r.event_timestamps[i]}</div>}
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

/* ---------- materialization ---------- */

function Elapsed({ since }: { since?: number }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((x) => x + 1), 250);
    return () => clearInterval(t);
  }, []);
  return <span className="mono">{since ? ((Date.now() - since) / 1000).toFixed(1) : '0.0'} s</span>;
}

function Materialize() {
  const m = useFeatures((s) => s.materialization);
  const materialize = useFeatures((s) => s.materialize);
  const [start, setStart] = useState('2009-01-01T00:00:00');
  const [end, setEnd] = useState(() => new Date().toISOString().slice(0, 19));
  const [incEnd, setIncEnd] = useState(() => new Date().toISOString().slice(0, 19));
  return (
    <Card title="Materialize" subtitle="Copy offline rows into the online store">
      <form
        className="mat-form"
        onSubmit={(e) => {
          e.preventDefault();
          void materialize('range', start, end);
        }}
      >
        <div className="row wrap-tight">
          <label className="field grow">
            <span>Start</span>
            <input aria-label="start" value={start} onChange={(e) => setStart(e.target.value)} />
          </label>
          <label className="field grow">
            <span>End</span>
            <input aria-label="end" value={end} onChange={(e) => setEnd(e.target.value)} />
          </label>
        </div>
        <button type="submit" disabled={m.loading}>
          Materialize [start, end]
        </button>
      </form>
      <form
        className="mat-form"
        onSubmit={(e) => {
          e.preventDefault();
          void materialize('incremental', '', incEnd);
        }}
      >
        <label className="field">
          <span>Incremental: from each view's watermark to</span>
          <input aria-label="incremental end" value={incEnd} onChange={(e) => setIncEnd(e.target.value)} />
        </label>
        <button type="submit" disabled={m.loading}>
          Materialize incrementally
        </button>
      </form>
      {m.loading && (
        <div className="busy-block">
          <Progress label="materializing" />
          <span className="muted small">
            {m.mode === 'incremental' ? 'Materializing incrementally' : 'Materializing'}… <Elapsed since={m.startedAt} />
          </span>
        </div>
      )}
      <ErrorBox error={m.error} />
      {m.data && !m.loading && (
        <div className="mat-result" data-testid="materialize-result">
          <p className="small">
            <Icon name="check" size={13} /> done in {m.data.duration_ms.toFixed(0)} ms
          </p>
          <table className="compact">
            <thead>
              <tr>
                <th>view</th>
                <th className="num">rows</th>
                <th className="num">entities</th>
              </tr>
            </thead>
            <tbody>
              {m.data.views.map((v) => (
                <tr key={v.feature_view} title={`${v.start_ts} → ${v.end_ts}`}>
                  <td>
                    <code>{v.feature_view}</code>
                  </td>
                  <td className="num">{v.rows_written}</td>
                  <td className="num">{v.entities}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

/* ---------- feature views ---------- */

function ttl(seconds: number): string {
  if (!seconds) return 'none';
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds} s`;
}

function Views() {
  const views = useFeatures((s) => s.views);
  const loadRegistry = useFeatures((s) => s.loadRegistry);
  return (
    <Card
      title="Feature views"
      subtitle={views.data ? `${views.data.length} views in the applied registry` : undefined}
      actions={
        <button type="button" className="small" onClick={() => void loadRegistry()} aria-label="reload the registry">
          <Icon name="refresh" size={13} /> Reload
        </button>
      }
    >
      <ErrorBox error={views.error} onRetry={() => void loadRegistry()} />
      {views.loading && !views.data && <Spinner />}
      <div className="view-grid">
        {views.data?.map((v) => (
          <article key={v.name} className="view-card" aria-label={`feature view ${v.name}`}>
            <header>
              <code className="view-name">{v.name}</code>
              <span className={`pill ${v.online ? 'good' : ''}`}>{v.online ? 'online' : 'offline only'}</span>
              {Object.entries(v.tags).map(([k, t]) => (
                <span key={k} className="tag">
                  {k}={t}
                </span>
              ))}
            </header>
            <p className="small muted">{v.description}</p>
            <dl className="meta">
              <div>
                <dt>source</dt>
                <dd>
                  <code>{v.source}</code>
                </dd>
              </div>
              <div>
                <dt>entities</dt>
                <dd>{v.entities.join(', ')}</dd>
              </div>
              <div>
                <dt>ttl</dt>
                <dd>{ttl(v.ttlSeconds)}</dd>
              </div>
              <div>
                <dt>online rows</dt>
                <dd>{v.online_rows.toLocaleString()}</dd>
              </div>
              <div className="wide">
                <dt>materialized until</dt>
                <dd title={v.materialized_until ?? ''}>{v.materialized_until ? `${when(v.materialized_until)} (${ago(v.materialized_until)})` : 'never'}</dd>
              </div>
            </dl>
            <table className="compact schema">
              <thead>
                <tr>
                  <th>name</th>
                  <th>dtype</th>
                  <th>description</th>
                </tr>
              </thead>
              <tbody>
                {v.schema.map((f) => (
                  <tr key={f.name}>
                    <td>
                      <code>{f.name}</code>
                    </td>
                    <td className="nowrap">
                      {f.dtype}
                      {f.length ? `[${f.length}]` : ''}
                    </td>
                    <td>{f.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </article>
        ))}
      </div>
    </Card>
  );
}

/* ---------- offline rows ---------- */

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(+v.toFixed(4));
  if (Array.isArray(v)) return v.join(' ');
  const s = String(v);
  return /^\d{4}-\d\d-\d\dT/.test(s) ? s.replace('T', ' ').replace(/\.000Z$|Z$/, '') : s;
}

function Preview() {
  const source = useFeatures((s) => s.previewSource);
  const p = useFeatures((s) => s.preview);
  const loadPreview = useFeatures((s) => s.loadPreview);
  useEffect(() => {
    if (!p.data && !p.loading) void loadPreview();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const cols = p.data?.rows[0] ? Object.keys(p.data.rows[0]) : [];
  return (
    <Card
      title="Offline rows"
      subtitle={p.data ? `newest ${p.data.rows.length} of ${p.data.total_rows.toLocaleString()} rows in ${p.data.parts} Parquet part${p.data.parts === 1 ? '' : 's'}` : 'newest rows of a file source'}
      actions={
        <>
          {p.loading && <Spinner />}
          <Segmented label="offline source" value={source} onChange={(v) => void loadPreview(v)} options={OFFLINE_SOURCES.map((x) => ({ value: x, label: x }))} />
        </>
      }
    >
      <ErrorBox error={p.error} onRetry={() => void loadPreview()} />
      {p.data && p.data.rows.length === 0 && <Empty title={`No rows in ${source}`}>Build the offline sources with <code>npx spamops offline-sources</code>.</Empty>}
      {p.data && p.data.rows.length > 0 && (
        <div className="scroll tall">
          <table className="compact sticky">
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
                    <td key={c} className="mono nowrap">
                      {cell(r[c])}
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

/* ---------- registry history ---------- */

const SIGN = { added: '+', removed: '−', changed: '~' } as const;
const short = (x: unknown) => {
  const s = JSON.stringify(x);
  return s === undefined ? '∅' : s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

function DiffEntry({ d }: { d: RegistryDiffEntry }) {
  return (
    <li className={`diff-entry ${d.change}`}>
      <span className="diff-sign" aria-hidden="true">
        {SIGN[d.change]}
      </span>
      <span className="kind">{d.kind.replace('_', ' ')}</span> <code>{d.name}</code> <span className="muted">{d.change}</span>
      {d.fields && d.fields.length > 0 && (
        <ul className="diff-fields">
          {d.fields.map((f) => (
            <li key={f.path}>
              <code>{f.path}</code>: <span className="before">{short(f.before)}</span> → <span className="after">{short(f.after)}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function History() {
  const history = useFeatures((s) => s.history);
  const list = history.data?.slice().sort((a, b) => b.version - a.version);
  return (
    <Card title="Registry history" subtitle="Every applied snapshot, newest first, with the diff that produced it">
      <ErrorBox error={history.error} />
      {history.loading && !history.data && <Spinner />}
      {list?.length === 0 && <Empty title="Nothing applied yet">Run <code>npx spamops apply</code>.</Empty>}
      <ol className="timeline">
        {list?.map((h, i) => (
          <li key={h.version}>
            <details open={i === 0}>
              <summary>
                <span className="pill">v{h.version}</span> stage <b>{h.stage}</b> <span className="muted">· {when(h.appliedAt)} ·</span>{' '}
                {h.diff.entries.length ? (
                  <>
                    <span className="diff-count added">+{h.diff.entries.filter((e) => e.change === 'added').length}</span>{' '}
                    <span className="diff-count changed">~{h.diff.entries.filter((e) => e.change === 'changed').length}</span>{' '}
                    <span className="diff-count removed">−{h.diff.entries.filter((e) => e.change === 'removed').length}</span>
                  </>
                ) : (
                  <span className="muted">no changes</span>
                )}
              </summary>
              <ul className="diff">
                {h.diff.entries.map((d) => (
                  <DiffEntry key={`${d.kind}:${d.name}`} d={d} />
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ol>
    </Card>
  );
}
