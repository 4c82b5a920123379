import { useFeatures } from '../../store/features';
import { Card, DefinitionList, ErrorBox, Icon, Spinner, ago, when } from '../../ui';
import { ttl } from './shared';

export function Views() {
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
            <DefinitionList
              className="meta"
              items={[
                { term: 'source', value: <code>{v.source}</code> },
                { term: 'entities', value: v.entities.join(', ') },
                { term: 'ttl', value: ttl(v.ttlSeconds) },
                { term: 'online rows', value: v.online_rows.toLocaleString() },
                {
                  term: 'materialized until',
                  value: v.materialized_until ? `${when(v.materialized_until)} (${ago(v.materialized_until)})` : 'never',
                  wide: true,
                  title: v.materialized_until ?? '',
                },
              ]}
            />
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
