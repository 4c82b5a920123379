/** Stored drift checks over time. */
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useDrift } from '../../store/drift';
import { CHART_MARGIN, Card, ChartFrame, Empty, ErrorBox, SERIES, clock, pct, useChartTheme } from '../../ui';

export function History() {
  const history = useDrift((s) => s.history);
  const theme = useChartTheme();
  const points = (history.data ?? []).map((h) => ({ at: clock(h.at), share: h.driftShare, spam: h.prediction.currentSpamShare }));
  return (
    <Card title="Drift over time" subtitle="Stored checks: Run check stores one, and the server checks on its schedule">
      <ErrorBox error={history.error} />
      {history.data?.length === 0 && (
        <Empty icon="history" title="No stored checks yet">
          "Run check" stores one; the server also checks every 15 minutes.
        </Empty>
      )}
      {points.length > 0 && (
        <ChartFrame height={200}>
          <LineChart data={points} margin={CHART_MARGIN}>
            <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
            <XAxis dataKey="at" stroke={theme.axis} tick={theme.tick} minTickGap={24} />
            <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 1]} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
            <Tooltip {...theme.tooltip} formatter={(v) => pct(Number(v))} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Line dataKey="share" name="share of drifted features" stroke={SERIES[1]} strokeWidth={1.8} isAnimationActive={false} />
            <Line dataKey="spam" name="share of spam predicted" stroke={SERIES[0]} strokeWidth={1.8} isAnimationActive={false} />
          </LineChart>
        </ChartFrame>
      )}
    </Card>
  );
}
