/** What the warehouse holds: labelled messages, by label. */
import { useData } from '../../store/data';
import { Card, ErrorBox, Spinner, Stat } from '../../ui';

export function Summary() {
  const s = useData((st) => st.summary);
  const d = s.data;
  return (
    <Card title="Warehouse" subtitle="The labelled messages training reads (through the feature store)">
      <ErrorBox error={s.error} />
      {!d && s.loading && <Spinner />}
      {d && (
        <div className="stats" data-testid="warehouse-counts">
          <Stat label="labelled messages" value={d.labelled.toLocaleString()} />
          <Stat label="ham" value={(d.labels.ham ?? 0).toLocaleString()} />
          <Stat label="spam" value={(d.labels.spam ?? 0).toLocaleString()} tone="warn" />
        </div>
      )}
    </Card>
  );
}
