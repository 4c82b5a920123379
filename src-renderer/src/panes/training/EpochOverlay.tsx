/**
 * Accuracy or loss by epoch of several runs overlaid in one chart, one coloured line per series:
 * the runs compared and the versions compared both draw with it.
 */
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { CHART_MARGIN, ChartFrame, SERIES, num, useChartTheme } from '../../ui';

export interface EpochSeries {
  /** the key prefix of its values in each row: `${key}:acc`, `${key}:loss` */
  key: string;
  name: string;
  epochs: { val_accuracy?: number | null; accuracy?: number | null; val_loss?: number | null; loss?: number | null }[];
}

/** one row per epoch: the validation figures (with `orTraining`, the training ones where there is none) */
export function epochRows(series: EpochSeries[], orTraining = false): Record<string, number | undefined>[] {
  const maxEpochs = Math.max(1, ...series.map((s) => s.epochs.length));
  return Array.from({ length: maxEpochs }, (_, i) => {
    const row: Record<string, number | undefined> = { epoch: i + 1 };
    for (const s of series) {
      const e = s.epochs[i];
      row[`${s.key}:acc`] = e?.val_accuracy ?? (orTraining ? e?.accuracy : undefined) ?? undefined;
      row[`${s.key}:loss`] = e?.val_loss ?? (orTraining ? e?.loss : undefined) ?? undefined;
    }
    return row;
  });
}

export function EpochOverlay({
  series,
  rows,
  metric,
  title,
  height = 220,
  testId,
}: {
  series: EpochSeries[];
  rows: Record<string, number | undefined>[];
  metric: 'acc' | 'loss';
  title: string;
  height?: number;
  testId?: string;
}) {
  const theme = useChartTheme();
  return (
    <ChartFrame title={title} height={height} testId={testId}>
      <LineChart data={rows} margin={CHART_MARGIN}>
        <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
        <XAxis dataKey="epoch" stroke={theme.axis} tick={theme.tick} allowDecimals={false} padding={rows.length === 1 ? { left: 40, right: 40 } : undefined} />
        <YAxis stroke={theme.axis} tick={theme.tick} domain={metric === 'acc' ? ['auto', 1] : [0, 'auto']} />
        <Tooltip {...theme.tooltip} labelFormatter={(s) => `epoch ${s}`} formatter={(v) => num(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {series.map((s, i) => (
          <Line
            key={s.key}
            dataKey={`${s.key}:${metric}`}
            name={s.name}
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
}
