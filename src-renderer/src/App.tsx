/** Placeholder console: API health, registry version and the feature views. */
import { useCallback, useEffect, useState } from 'react';

const apiBase = (window.spamops?.apiBase ?? window.location.origin).replace(/\/+$/, '');
const token = window.spamops?.token;

interface Health {
  status: string;
  storage: { backend: string; location: string };
  registry_version: number;
  bootstrapped: boolean;
}

interface FeatureViewRow {
  name: string;
  source: string;
  schema: { name: string }[];
  online: boolean;
  online_rows: number;
  materialized_until: string | null;
}

async function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(`${apiBase}${path}`, { signal, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { message?: string } | undefined;
    throw new Error(`${path}: HTTP ${res.status}${body?.message ? ` ${body.message}` : ''}`);
  }
  return (await res.json()) as T;
}

const fmtDate = (s: string | null) => {
  if (!s) return '—';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toLocaleString();
};

export function App() {
  const [health, setHealth] = useState<Health>();
  const [views, setViews] = useState<FeatureViewRow[]>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    Promise.all([getJson<Health>('/health', ac.signal), getJson<FeatureViewRow[]>('/registry/feature-views', ac.signal)])
      .then(([h, v]) => {
        setHealth(h);
        setViews(v);
        setError(undefined);
      })
      .catch((e: Error) => {
        if (!ac.signal.aborted) setError(e.message);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [tick]);

  return (
    <div className="page">
      <header className="top">
        <h1>SpamOps</h1>
        <span className="muted">operator console · preview</span>
        <nav>
          <button type="button" onClick={refresh} disabled={loading}>
            {loading ? 'Loading…' : 'Refresh'}
          </button>
          <a href={`${apiBase}/docs`} target="_blank" rel="noreferrer">
            API docs
          </a>
        </nav>
      </header>

      {error && (
        <div className="error" role="alert">
          Cannot reach the local API at <code>{apiBase}</code>: {error}
        </div>
      )}

      <section className="cards">
        <div className="card">
          <div className="label">API</div>
          <div className="value">{health ? <span className="ok">{health.status}</span> : '—'}</div>
          <div className="muted small">{apiBase}</div>
        </div>
        <div className="card">
          <div className="label">Storage backend</div>
          <div className="value">{health?.storage.backend ?? '—'}</div>
          <div className="muted small ellipsis" title={health?.storage.location}>
            {health?.storage.location ?? ''}
          </div>
        </div>
        <div className="card">
          <div className="label">Registry version</div>
          <div className="value">{health ? health.registry_version : '—'}</div>
          <div className="muted small">{health ? (health.bootstrapped ? 'definitions applied' : 'not bootstrapped yet') : ''}</div>
        </div>
      </section>

      <section>
        <h2>Feature views</h2>
        {views && views.length === 0 ? (
          <p className="muted">No feature views applied yet: run <code>spamops bootstrap</code>.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Source</th>
                <th className="num">Fields</th>
                <th className="num">Online rows</th>
                <th>Materialized until</th>
              </tr>
            </thead>
            <tbody>
              {(views ?? []).map((v) => (
                <tr key={v.name}>
                  <td>
                    <code>{v.name}</code>
                  </td>
                  <td>{v.source}</td>
                  <td className="num">{v.schema.length}</td>
                  <td className="num">{v.online ? v.online_rows.toLocaleString() : <span className="muted">offline only</span>}</td>
                  <td>{fmtDate(v.materialized_until)}</td>
                </tr>
              ))}
              {!views && (
                <tr>
                  <td colSpan={5} className="muted">
                    {loading ? 'Loading…' : '—'}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
      </section>

      <footer className="muted small">Placeholder page: the full console (training, serving, inbox, drift) comes next.</footer>
    </div>
  );
}
