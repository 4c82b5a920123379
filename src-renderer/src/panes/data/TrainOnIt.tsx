/** One click: v1, v2 and v3 trained on the warehouse as it is now; the live curves are in the Training pane. */
import { useData } from '../../store/data';
import { useShell } from '../../store/shell';
import { Card, ErrorBox, Icon, useInterval } from '../../ui';

export function TrainOnIt() {
  const job = useData((s) => s.current);
  const training = useData((s) => s.training);
  const trainAll = useData((s) => s.trainAll);
  const refresh = useData((s) => s.refreshRuns);
  const go = useShell((s) => s.go);
  const runs = training.data ?? [];
  const active = runs.some((r) => r.status === 'queued' || r.status === 'running');
  useInterval(() => void (active ? refresh() : undefined), 2000, [active]);
  return (
    <Card title="Train on it" subtitle="New versions of v1, v2 and v3; production changes only when you promote one">
      <div className="row">
        <button
          type="button"
          className="primary"
          onClick={() => void trainAll()}
          disabled={training.loading || active || job?.status === 'running'}
          data-testid="train-all"
        >
          <Icon name="play" /> Train v1, v2 and v3
        </button>
        {runs.length > 0 && (
          <button type="button" className="link" onClick={() => go('training')}>
            watch the curves in Training
          </button>
        )}
      </div>
      <ErrorBox error={training.error} title="Not started:" />
      {runs.length > 0 && (
        <table className="compact" data-testid="train-runs">
          <thead>
            <tr>
              <th>model</th>
              <th>run</th>
              <th>status</th>
              <th className="num">accuracy</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>{r.model}</td>
                <td className="mono">{r.id}</td>
                <td>
                  <span className={`status-pill run-${r.status}`}>{r.status}</span>
                </td>
                <td className="num">{r.metrics ? r.metrics.accuracy.toFixed(3) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
