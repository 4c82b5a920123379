import { useFeatures } from '../../store/features';
import { Card, Empty, ErrorBox, Spinner, when } from '../../ui';
import { DiffEntry } from './DiffEntry';

export function History() {
  const history = useFeatures((s) => s.history);
  const list = history.data?.slice().sort((a, b) => b.version - a.version);
  return (
    <Card title="Registry history" subtitle="Every applied snapshot, newest first, with the diff that produced it">
      <ErrorBox error={history.error} />
      {history.loading && !history.data && <Spinner />}
      {list?.length === 0 && (
        <Empty title="Nothing applied yet">
          Run <code>npx spamops apply</code>.
        </Empty>
      )}
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
