import { useDeferredValue } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunRecord } from '../../api';
import { useTraining } from '../../store/training';
import { CHART_MARGIN, Card, ChartFrame, SERIES, num, useChartTheme } from '../../ui';

export function Compare() {
  const runs = useDeferredValue(useTraining((s) => s.runs.data));
  const ids = useTraining((s) => s.compare);
  const clear = useTraining((s) => s.clearCompare);
  const theme = useChartTheme();
  const chosen = (runs ?? []).filter((r) => ids.includes(r.id));
  if (chosen.length === 0) return null;
  const maxEpochs = Math.max(1, ...chosen.map((r) => r.history.epochs.length));
  const data = Array.from({ length: maxEpochs }, (_, i) => {
    const row: Record<string, number | undefined> = { epoch: i + 1 };
    for (const r of chosen) {
      row[`${r.id}:acc`] = r.history.epochs[i]?.val_accuracy ?? undefined;
      row[`${r.id}:loss`] = r.history.epochs[i]?.val_loss ?? undefined;
    }
    return row;
  });
  const name = (r: RunRecord) => `${r.model}${r.version ? ` v${r.version}` : ''} · ${r.id.slice(-4)}`;
  const chart = (metric: 'acc' | 'loss', title: string) => (
    <ChartFrame title={title} height={220}>
      <LineChart data={data} margin={CHART_MARGIN}>
        <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
        <XAxis dataKey="epoch" stroke={theme.axis} tick={theme.tick} allowDecimals={false} padding={maxEpochs === 1 ? { left: 40, right: 40 } : undefined} />
        <YAxis stroke={theme.axis} tick={theme.tick} domain={metric === 'acc' ? ['auto', 1] : [0, 'auto']} />
        <Tooltip {...theme.tooltip} labelFormatter={(s) => `epoch ${s}`} formatter={(v) => num(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {chosen.map((r, i) => (
          <Line
            key={r.id}
            dataKey={`${r.id}:${metric}`}
            name={name(r)}
            stroke={SERIES[i % SERIES.length]}
            strokeWidth={1.8}
            dot={{ r: 3 }}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ChartFrame>
  );
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
