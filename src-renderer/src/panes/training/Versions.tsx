import { useDeferredValue, useState } from 'react';
import { useTraining } from '../../store/training';
import { Card, Empty, ErrorBox, Icon, Spinner, ago, num, when } from '../../ui';
import { AliasForm } from './AliasForm';
import { VersionCurves } from './VersionCurves';
import { AliasHistory, Promote } from './Promote';

export function Versions() {
  const models = useDeferredValue(useTraining((s) => s.models));
  const action = useTraining((s) => s.registryAction);
  const del = useTraining((s) => s.deleteVersion);
  const dismiss = useTraining((s) => s.dismissRegistryMessage);
  const refresh = useTraining((s) => s.refresh);
  /** the version whose curves and threshold are open */
  const [open, setOpen] = useState<{ name: string; version: string } | undefined>();
  /** the version being promoted (compared with production first) */
  const [promoting, setPromoting] = useState<{ name: string; version: string } | undefined>();
  const [moves, setMoves] = useState(0);
  const rows = (models.data ?? []).flatMap((m) => [...m.versions].reverse().map((v) => ({ m, v })));
  return (
    <Card
      title="Model versions"
      subtitle="The model registry: what each model id has, and which version serving answers with (alias production, else the newest)"
    >
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
                  <th className="num">threshold</th>
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
                      <td
                        className="num"
                        title={v.threshold ? `chosen by ${v.threshold.rule.by}${v.threshold.note ? `: ${v.threshold.note}` : ''}` : 'none set: 0.5'}
                      >
                        {v.threshold ? v.threshold.value.toFixed(3) : <span className="muted">0.5</span>}
                      </td>
                      <td className="muted">{v.backend}</td>
                      <td className="nowrap" title={when(v.createdAt)}>
                        {ago(v.createdAt)}
                      </td>
                      <td className="row-actions">
                        <button
                          type="button"
                          className="small"
                          aria-pressed={open?.name === m.id && open.version === v.version}
                          onClick={() => setOpen(open?.name === m.id && open.version === v.version ? undefined : { name: m.id, version: v.version })}
                          aria-label={`PR and ROC curves and threshold of ${m.id} version ${v.version}`}
                        >
                          Curves
                        </button>
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
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted tiny">
            Accuracy and F1 on each version's held-out rows (the shared evaluation set for versions trained since it exists); "Curves" evaluates a version on
            that set. Deleting a served version asks again.
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
          {open && <VersionCurves key={`${open.name}/${open.version}`} name={open.name} version={open.version} onChanged={() => void refresh()} />}
        </>
      )}
    </Card>
  );
}
