/** The feature store: online lookup, materialization, feature views, offline rows, registry history. */
import { useEffect } from 'react';
import { REGISTRY_EMPTY } from '../../../../src-shared/errors';
import { useFeatures } from '../../store/features';
import { Card, Empty, ErrorBox, Spinner } from '../../ui';
import { Lookup } from './Lookup';
import { Materialize } from './Materialize';
import { Views } from './Views';
import { Preview } from './Preview';
import { Statistics } from './Statistics';
import { ServiceStatistics } from './ServiceStatistics';
import { History } from './History';

export function FeatureStorePane() {
  const s = useFeatures();
  const loadRegistry = useFeatures((st) => st.loadRegistry);
  useEffect(() => {
    void loadRegistry();
  }, [loadRegistry]);
  const empty = s.views.code === REGISTRY_EMPTY;
  if (empty)
    return (
      <Empty icon="database" title="The feature registry is empty">
        Apply the feature definitions first: run <code>npx spamops bootstrap</code> (imports the sample, applies, materializes) or{' '}
        <code>npx spamops apply</code>, then reload this pane.
      </Empty>
    );
  return (
    <div className="stack">
      <div className="cols-2-1">
        <Lookup />
        <Materialize />
      </div>
      <Views />
      <Statistics />
      <ServiceStatistics />
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
                <div className="muted small">
                  join key{' '}
                  {e.joinKeys.map((k) => (
                    <code key={k}>{k}</code>
                  ))}
                </div>
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
