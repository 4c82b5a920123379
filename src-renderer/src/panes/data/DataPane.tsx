/** Data: bring labelled messages in (a file or the public UCI collections), watch every step, then train on them. */
import { useEffect } from 'react';
import { useData } from '../../store/data';
import { Summary } from './Summary';
import { Upload } from './Upload';
import { ImportProgress } from './ImportProgress';
import { TrainOnIt } from './TrainOnIt';
import { ImportHistory } from './ImportHistory';

export function DataPane() {
  const load = useData((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div className="stack">
      <div className="cols-1-2">
        <div className="stack">
          <Summary />
          <Upload />
        </div>
        <div className="stack">
          <ImportProgress />
          <TrainOnIt />
        </div>
      </div>
      <ImportHistory />
    </div>
  );
}
