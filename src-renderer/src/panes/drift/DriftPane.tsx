import { useDrift } from '../../store/drift';
import { useInterval } from '../../ui';
import { Report } from './Report';
import { History } from './History';
import { Alerts } from './Alerts';
import { ReplayRetrain } from './ReplayRetrain';

export function DriftPane() {
  // loads now, then every 30 s: alerts and the stored time series change when the server's
  // scheduled check runs
  useInterval(() => void useDrift.getState().loadAll(), 30_000);
  return (
    <div className="stack">
      <Report />
      <div className="cols-2-1">
        <History />
        <Alerts />
      </div>
      <ReplayRetrain />
    </div>
  );
}
