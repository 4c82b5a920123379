/** Training: start runs with their hyperparameters, watch them live, compare them, manage the model versions. */
import { useEffect } from 'react';
import { useTraining, TERMINAL } from '../../store/training';
import { useInterval } from '../../ui';
import { StartRun } from './StartRun';
import { RunDetail } from './RunDetail';
import { Runs } from './Runs';
import { Compare } from './Compare';
import { Versions } from './Versions';

export function TrainingPane() {
  const loadAll = useTraining((s) => s.loadAll);
  const anyActive = useTraining((s) => s.runs.data?.some((r) => !TERMINAL.has(r.status)) ?? false);
  useEffect(() => {
    void loadAll();
  }, [loadAll]);
  // runs started elsewhere (CLI, retraining) show up too
  useInterval(() => void (anyActive ? useTraining.getState().loadAll() : undefined), 3000, [anyActive]);
  return (
    <div className="stack">
      <div className="cols-1-2">
        <StartRun />
        <RunDetail />
      </div>
      <Runs />
      <Compare />
      <Versions />
    </div>
  );
}
