/** The import under way (or the last one): each step with its progress and what it found, bad rows by line. */
import { useData } from '../../store/data';
import type { ImportStep } from '../../api';
import { Card, Empty, ErrorBox, Icon, Progress, when } from '../../ui';

function StepRow({ s }: { s: ImportStep }) {
  const fraction = s.status === 'done' ? 1 : s.total ? (s.done ?? 0) / s.total : undefined;
  const count = s.done !== undefined ? (s.unit === 'bytes' ? `${((s.done ?? 0) / 1024).toFixed(0)} KB` : (s.done ?? 0).toLocaleString()) : '';
  return (
    <li className={`import-step ${s.status}`} data-testid={`step-${s.key}`}>
      <div className="row">
        <span className={`step-mark ${s.status}`} aria-hidden="true">
          {s.status === 'done' ? <Icon name="check" size={13} /> : s.status === 'failed' ? <Icon name="alert" size={13} /> : null}
        </span>
        <strong>{s.label}</strong>
        <span className="muted small">
          {s.status}
          {count && ` · ${count}`}
          {s.total && s.status === 'running' ? ` of ${s.unit === 'bytes' ? `${(s.total / 1024).toFixed(0)} KB` : s.total.toLocaleString()}` : ''}
        </span>
      </div>
      {(s.status === 'running' || s.status === 'done') && <Progress value={fraction} label={s.label} />}
      {s.detail && <div className="muted small">{s.detail}</div>}
    </li>
  );
}

export function ImportProgress() {
  const job = useData((s) => s.current);
  const streamError = useData((s) => s.streamError);
  // imports made before (bootstrap's, the CLI's) are listed below: this card is for the one under way
  const earlier = useData((s) => (s.imports.data?.length ?? 0) > 0);
  if (!job)
    return (
      <Card title="Import progress">
        <Empty icon="layers" title={earlier ? 'No import under way' : 'No import yet'}>
          Drop a file or download the public data: each step (rows imported, bad rows, offline sources, registry, materialization) shows here as it happens
          {earlier ? '; the imports below show theirs' : ''}.
        </Empty>
      </Card>
    );
  const r = job.report;
  return (
    <Card
      title={`Import: ${job.source.name}`}
      subtitle={`${job.status} · started ${when(job.createdAt)}${job.via ? ` · by ${job.via}` : ''}`}
      testId="import-progress"
    >
      <ol className="import-steps">
        {job.steps.map((s) => (
          <StepRow key={s.key} s={s} />
        ))}
      </ol>
      <ErrorBox error={job.error} title="The import failed:" />
      <ErrorBox error={streamError} />
      {r && r.problemCount > 0 && (
        <details open={r.problemCount <= 20}>
          <summary>
            {r.problemCount} bad rows skipped{r.problems.length < r.problemCount ? ` (the first ${r.problems.length})` : ''}
          </summary>
          <table className="compact" data-testid="bad-rows">
            <thead>
              <tr>
                <th className="num">line</th>
                <th>reason</th>
              </tr>
            </thead>
            <tbody>
              {r.problems.map((p) => (
                <tr key={`${p.line}:${p.reason}`}>
                  <td className="num">{p.line}</td>
                  <td>{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </Card>
  );
}
