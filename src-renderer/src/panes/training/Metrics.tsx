import type { RunRecord } from '../../api';
import { Stat, num } from '../../ui';
import { ConfusionTable } from './ConfusionTable';

export function Metrics({ run }: { run: RunRecord }) {
  const m = run.metrics!;
  return (
    <div className="metrics" data-testid="run-metrics">
      <div className="metric-grid">
        <Stat label="accuracy" value={num(m.accuracy)} />
        <Stat label="F1 (spam)" value={num(m.f1)} />
        <Stat label="precision" value={num(m.precision)} />
        <Stat label="recall" value={num(m.recall)} />
        <Stat label="ROC AUC" value={num(m.rocAuc)} />
        <Stat label="version" value={run.version ?? '–'} hint={`${m.support.ham} ham / ${m.support.spam} spam tested`} />
      </div>
      <ConfusionTable confusion={m.confusion} caption="Confusion matrix (test set)" />
    </div>
  );
}
