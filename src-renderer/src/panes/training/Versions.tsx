import { Fragment, useDeferredValue, useState } from 'react';
import { COMPARE_MAX, useTraining } from '../../store/training';
import { Card, Empty, ErrorBox, Icon, Spinner, ago, num, when } from '../../ui';
import { AliasForm } from './AliasForm';
import { VersionCurves } from './VersionCurves';
import { AliasHistory, Promote } from './Promote';
import { Lineage } from './Lineage';
import { VersionFilters, useFilteredVersions } from './VersionFilters';
import { VersionCompare } from './VersionCompare';

export function Versions() {
  const models = useDeferredValue(useTraining((s) => s.models));
  const action = useTraining((s) => s.registryAction);
  const del = useTraining((s) => s.deleteVersion);
  const dismiss = useTraining((s) => s.dismissRegistryMessage);
  const refresh = useTraining((s) => s.refresh);
  const selected = useTraining((s) => s.version);
  const select = useTraining((s) => s.selectVersion);
  /** the version being promoted (compared with production first) */
  const [promoting, setPromoting] = useState<{ name: string; version: string } | undefined>();
  const [moves, setMoves] = useState(0);
  const compareKeys = useTraining((s) => s.compareVersions);
  const toggleCompare = useTraining((s) => s.toggleCompareVersion);
  const allRows = (models.data ?? []).flatMap((m) => [...m.versions].reverse().map((v) => ({ m, v })));
  const filtered = useFilteredVersions();
  const rows = filtered.keys ? allRows.filter(({ m, v }) => filtered.keys!.has(`${m.id}/${v.version}`)) : allRows;
  return (
    <Card
      title="Model versions"
      subtitle="The model registry: what each model id has, and which version serving answers with (alias production, else the newest)"
    >
      <ErrorBox error={models.error} />
      {models.loading && !models.data && <Spinner />}
      {models.data && allRows.length === 0 && (
        <Empty icon="layers" title="No model versions yet">
          A successful run registers a version. Start one above.
        </Empty>
      )}
      {allRows.length > 0 && <VersionFilters models={models.data!} shown={rows.length} total={allRows.length} state={filtered} />}
      {allRows.length > 0 && (
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
            <table className="versions fit">
              <thead>
                <tr>
                  <th className="narrow">
                    <span className="sr-only">compare</span>
                  </th>
                  <th>model</th>
                  <th className="num">version</th>
                  <th>aliases</th>
                  <th>serving</th>
                  <th className="num">accuracy</th>
                  <th className="num">F1 spam</th>
                  {filtered.metric && <th className="num">{filtered.metric} (eval set)</th>}
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map(({ m, v }) => {
                  const key = `${m.id}/${v.version}`;
                  const served = m.served_version === v.version;
                  const open = selected === key;
                  return (
                    <Fragment key={key}>
                      <tr className={action.forceKey === key ? 'warn-row' : open ? 'selected' : ''} data-version-row={key}>
                        <td className="narrow">
                          <input
                            type="checkbox"
                            aria-label={`compare ${m.id} version ${v.version}`}
                            title={`compare 2 to ${COMPARE_MAX} versions of one model`}
                            checked={compareKeys.includes(key)}
                            onChange={() => toggleCompare(key)}
                          />
                        </td>
                        <td className="clip" title={[m.base !== m.id ? `${m.id} (${m.base})` : m.id, v.run?.name].filter(Boolean).join(' · ')}>
                          <b>{m.id}</b>
                          {m.base !== m.id && <span className="muted small"> ({m.base})</span>}
                          {v.run?.name && <span className="small"> · {v.run.name}</span>}
                          {v.run?.tags.length ? (
                            <div className="tags-line">
                              {v.run.tags.map((t) => (
                                <span key={t} className="tag small-tag">
                                  {t}
                                </span>
                              ))}
                            </div>
                          ) : null}
                        </td>
                        <td className="num">
                          <button
                            type="button"
                            className="link"
                            aria-expanded={open}
                            aria-label={`details of ${m.id} version ${v.version}`}
                            onClick={() => select(open ? undefined : key)}
                          >
                            {v.version} <span aria-hidden="true">{open ? '▴' : '▾'}</span>
                          </button>
                        </td>
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
                        {filtered.metric && <td className="num">{num(filtered.values.get(key))}</td>}
                        <td className="row-actions">
                          {!v.aliases.includes('production') && (
                            <button
                              type="button"
                              className="small"
                              disabled={action.busy === key}
                              onClick={() => setPromoting({ name: m.id, version: v.version })}
                              aria-label={`make ${m.id} version ${v.version} production`}
                            >
                              Make production
                            </button>
                          )}
                          <button
                            type="button"
                            className="small ghost danger-text"
                            disabled={action.busy === key}
                            onClick={() => {
                              // cannot be undone: the artifacts go; a served version asks a second time (server 409)
                              if (window.confirm(`Delete ${m.id} version ${v.version} and its artifacts? This cannot be undone.`)) void del(m.id, v.version);
                            }}
                            aria-label={`delete ${m.id} version ${v.version}`}
                          >
                            Delete
                          </button>
                        </td>
                      </tr>
                      {open && (
                        // the secondary columns, one row under the version: the table fits 1024 px
                        <tr className="details-row" data-version={key}>
                          <td colSpan={filtered.metric ? 9 : 8}>
                            <dl className="details-list">
                              <dt>model</dt>
                              <dd>
                                {m.id} version {v.version}
                              </dd>
                              <dt>backend</dt>
                              <dd>{v.backend}</dd>
                              <dt>trained</dt>
                              <dd title={when(v.createdAt)}>
                                {when(v.createdAt)} ({ago(v.createdAt)})
                              </dd>
                              <dt>accuracy · F1 spam</dt>
                              <dd>
                                {num(v.metrics.accuracy)} · {num(v.metrics.f1)}
                              </dd>
                              <dt>decision threshold</dt>
                              <dd data-testid="version-threshold">
                                {v.threshold
                                  ? `${v.threshold.value.toFixed(4)} (by ${v.threshold.rule.by}${v.threshold.note ? `: ${v.threshold.note}` : ''}, ${when(v.threshold.setAt)})`
                                  : '0.5 (none set)'}
                              </dd>
                              <dt>run</dt>
                              <dd data-testid="version-run">
                                <span className="mono small">{v.runId}</span>
                                {v.run?.name && <> · {v.run.name}</>}
                                {v.run?.tags.length ? <> · tags {v.run.tags.join(', ')}</> : null}
                              </dd>
                            </dl>
                            <Lineage version={v} />
                            <VersionCurves name={m.id} version={v.version} onChanged={() => void refresh()} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
          {rows.length === 0 && <p className="muted small">No version matches these filters.</p>}
          <VersionCompare />
          <p className="muted tiny">
            Accuracy and F1 on each version's held-out rows (the shared evaluation set for versions trained since it exists); a version's details show it on
            that set, with its PR and ROC curves and its decision threshold. Deleting a served version asks again.
          </p>
          {promoting && (
            <>
              <Promote
                key={`${promoting.name}/${promoting.version}`}
                name={promoting.name}
                version={promoting.version}
                onDone={() => {
                  setMoves((n) => n + 1);
                  void refresh();
                }}
              />
              <AliasHistory key={`h-${promoting.name}-${moves}`} name={promoting.name} onChanged={() => void refresh()} />
            </>
          )}
        </>
      )}
    </Card>
  );
}
