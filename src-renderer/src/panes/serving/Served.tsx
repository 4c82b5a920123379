import { apiBase } from '../../api';
import { useServing } from '../../store/serving';
import { Card, Empty, ErrorBox, Icon, Spinner, num } from '../../ui';

export function Served() {
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
                  {v.kind} · accuracy {num(v.metrics.accuracy)} · F1 {num(v.metrics.f1)} ·{' '}
                  <span data-testid={`threshold-${m.id}`} title={v.threshold ? `chosen by ${v.threshold.rule.by} on ${v.threshold.set}` : 'no threshold set'}>
                    spam from {v.threshold ? v.threshold.value.toFixed(3) : '0.5'}
                  </span>
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
