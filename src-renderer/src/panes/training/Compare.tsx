import { useDeferredValue } from 'react';
import type { RunRecord } from '../../api';
import { useTraining } from '../../store/training';
import { Card, SERIES, num } from '../../ui';
import { EpochOverlay, epochRows, type EpochSeries } from './EpochOverlay';

export function Compare() {
  const runs = useDeferredValue(useTraining((s) => s.runs.data));
  const ids = useTraining((s) => s.compare);
  const clear = useTraining((s) => s.clearCompare);
  const chosen = (runs ?? []).filter((r) => ids.includes(r.id));
  if (chosen.length === 0) return null;
  const name = (r: RunRecord) => `${r.model}${r.version ? ` v${r.version}` : ''} · ${r.id.slice(-4)}`;
  const series: EpochSeries[] = chosen.map((r) => ({ key: r.id, name: name(r), epochs: r.history.epochs }));
  const rows = epochRows(series);
  const chart = (metric: 'acc' | 'loss', title: string) => <EpochOverlay series={series} rows={rows} metric={metric} title={title} />;
  return (
    <Card
      title={`Compare ${chosen.length} run${chosen.length === 1 ? '' : 's'}`}
      subtitle="Validation curves by epoch (random-forest runs have one evaluation and no loss)"
      actions={
        <button type="button" className="small" onClick={clear}>
          Clear selection
        </button>
      }
      testId="compare"
    >
      {chosen.length < 2 ? (
        <p className="muted small">Tick one more run to compare.</p>
      ) : (
        <div className="cols-2">
          {chart('acc', 'val_accuracy')}
          {chart('loss', 'val_loss')}
        </div>
      )}
      <div className="scroll">
        <table className="compact">
          <thead>
            <tr>
              <th>run</th>
              <th>params</th>
              <th className="num">accuracy</th>
              <th className="num">F1 spam</th>
              <th className="num">ROC AUC</th>
            </tr>
          </thead>
          <tbody>
            {chosen.map((r, i) => (
              <tr key={r.id}>
                <td className="nowrap">
                  <span className="swatch" style={{ background: SERIES[i % SERIES.length] }} /> {name(r)}
                </td>
                <td className="mono tiny">
                  {Object.entries(r.params)
                    .filter(([k]) => !['featureService', 'entityIds', 'extraEntityIds'].includes(k))
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join(' ')}
                </td>
                <td className="num">{num(r.metrics?.accuracy)}</td>
                <td className="num">{num(r.metrics?.f1)}</td>
                <td className="num">{num(r.metrics?.rocAuc)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
