/** Materialize and materialize-incremental, with per-view counts and the runs so far. */
import { useState } from 'react';
import { useFeatures } from '../../store/features';
import { Card, ErrorBox, Icon, Progress } from '../../ui';
import { Elapsed } from './Elapsed';

export function Materialize() {
  const m = useFeatures((s) => s.materialization);
  const materialize = useFeatures((s) => s.materialize);
  const [start, setStart] = useState('2009-01-01T00:00:00');
  const [end, setEnd] = useState(() => new Date().toISOString().slice(0, 19));
  const [incEnd, setIncEnd] = useState(() => new Date().toISOString().slice(0, 19));
  return (
    <Card title="Materialize" subtitle="Copy offline rows into the online store">
      <form
        className="mat-form"
        onSubmit={(e) => {
          e.preventDefault();
          void materialize('range', start, end);
        }}
      >
        <div className="row wrap-tight">
          <label className="field grow">
            <span>Start</span>
            <input aria-label="start" value={start} onChange={(e) => setStart(e.target.value)} />
          </label>
          <label className="field grow">
            <span>End</span>
            <input aria-label="end" value={end} onChange={(e) => setEnd(e.target.value)} />
          </label>
        </div>
        <button type="submit" disabled={m.loading}>
          Materialize [start, end]
        </button>
      </form>
      <form
        className="mat-form"
        onSubmit={(e) => {
          e.preventDefault();
          void materialize('incremental', '', incEnd);
        }}
      >
        <label className="field">
          <span>Incremental: from each view's watermark to</span>
          <input aria-label="incremental end" value={incEnd} onChange={(e) => setIncEnd(e.target.value)} />
        </label>
        <button type="submit" disabled={m.loading}>
          Materialize incrementally
        </button>
      </form>
      {m.loading && (
        <div className="busy-block">
          <Progress label="materializing" />
          <span className="muted small">
            {m.mode === 'incremental' ? 'Materializing incrementally' : 'Materializing'}… <Elapsed since={m.startedAt} />
          </span>
        </div>
      )}
      <ErrorBox error={m.error} />
      {m.data && !m.loading && (
        <div className="mat-result" data-testid="materialize-result">
          <p className="small">
            <Icon name="check" size={13} /> done in {m.data.duration_ms.toFixed(0)} ms
          </p>
          <table className="compact">
            <thead>
              <tr>
                <th>view</th>
                <th className="num">rows</th>
                <th className="num">entities</th>
              </tr>
            </thead>
            <tbody>
              {m.data.views.map((v) => (
                <tr key={v.feature_view} title={`${v.start_ts} → ${v.end_ts}`}>
                  <td>
                    <code>{v.feature_view}</code>
                  </td>
                  <td className="num">{v.rows_written}</td>
                  <td className="num">{v.entities}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
