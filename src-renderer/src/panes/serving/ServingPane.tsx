/** Serving: served versions, request statistics, ingestion (change log or stream), a try-it box, the caller's call log. */
import { useEffect } from 'react';
import { useServing } from '../../store/serving';
import { useInterval } from '../../ui';
import { Served } from './Served';
import { Stats } from './Stats';
import { Ingestion } from './Ingestion';
import { TryIt } from './TryIt';
import { CallLog } from './CallLog';

export function ServingPane() {
  const loadAll = useServing((s) => s.loadAll);
  const poll = useServing((s) => s.poll);
  useEffect(() => {
    void loadAll();
  }, [loadAll]);
  useInterval(() => void poll(), 5000);
  return (
    <div className="stack">
      <Served />
      <Stats />
      <Ingestion />
      <div className="cols-1-2">
        <TryIt />
        <CallLog />
      </div>
    </div>
  );
}
