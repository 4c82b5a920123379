/** Training: start runs with their hyperparameters, watch them live, compare them, manage the model versions. */
import { memo, useEffect } from 'react';
import { watchAllRuns } from '../../api';
import { useTraining, TERMINAL } from '../../store/training';
import { useInterval } from '../../ui';
import { StartRun } from './StartRun';
import { RunDetail } from './RunDetail';
import { Runs } from './Runs';
import { Compare } from './Compare';
import { Versions } from './Versions';

// each part re-renders on its own slice of the store only, never because the pane did (a run's end
// re-rendered every table of the pane in one task)
const StartRunPart = memo(StartRun);
const RunDetailPart = memo(RunDetail);
const RunsPart = memo(Runs);
const ComparePart = memo(Compare);
const VersionsPart = memo(Versions);

export function TrainingPane() {
  const loadAll = useTraining((s) => s.loadAll);
  const anyActive = useTraining((s) => s.runs.data?.some((r) => !TERMINAL.has(r.status)) ?? false);
  useEffect(() => {
    void loadAll();
  }, [loadAll]);
  // every run, wherever it started (CLI, retraining, the Data pane), shows live: one list reload a
  // second at most while events come in
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = watchAllRuns(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void useTraining.getState().refresh();
      }, 1000);
    });
    return () => {
      stop();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, []);
  // and a slow poll while something runs, should the event stream drop
  useInterval(() => void (anyActive ? useTraining.getState().refresh() : undefined), 10_000, [anyActive]);
  return (
    <div className="stack">
      <div className="cols-1-2">
        <StartRunPart />
        <RunDetailPart />
      </div>
      <RunsPart />
      <ComparePart />
      <VersionsPart />
    </div>
  );
}
