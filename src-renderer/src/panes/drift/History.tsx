/** Stored drift checks over time, on a real time axis; a feature's statistic over time against its threshold, and its histograms in those windows. */
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { useDrift } from '../../store/drift';
import { CHART_MARGIN, Card, ChartFrame, Empty, ErrorBox, SERIES, clock, num, pct, useChartTheme } from '../../ui';
import { FeatureHistograms } from './FeatureHistograms';

export function History() {
  const history = useDrift((s) => s.history);
  const theme = useChartTheme();
  // checks of chosen windows (a past range, or against an earlier window) are not the traffic of the
  // time they were made: the lines over time are drawn from the live checks
  const data = (history.data ?? []).filter((h) => h.live !== false);
  const chosen = (history.data?.length ?? 0) - data.length;
  // reports still collecting have no verdict: a gap in the line, not a 0 %
  const points = data.map((h) => ({
    at: Date.parse(h.at),
    share: h.status === 'collecting' ? null : h.driftShare,
    spam: h.prediction.currentSpamShare,
  }));
  const features = [...new Set(data.flatMap((h) => h.features.map((f) => f.feature)))];
  const [feature, setFeature] = useState<string>('');
  const shown = feature || features[0];
  const stat = data.map((h) => {
    const f = h.features.find((x) => x.feature === shown);
    return { at: Date.parse(h.at), value: f ? (f.decidedBy === 'p_value' ? (f.pValue ?? null) : f.statistic) : null, threshold: f?.threshold };
  });
  const last = [...data].reverse().flatMap((h) => h.features.filter((x) => x.feature === shown))[0];
  const timeAxis = (
    <XAxis
      dataKey="at"
      type="number"
      scale="time"
      domain={['dataMin', 'dataMax']}
      tickFormatter={(v) => clock(Number(v))}
      stroke={theme.axis}
      tick={theme.tick}
      minTickGap={24}
    />
  );
  return (
    <Card
      title="Drift over time"
      subtitle={`Stored checks: Run check stores one, and the server checks on its schedule${chosen ? ` (${chosen} of a chosen window not drawn: they are not the traffic of their time)` : ''}`}
    >
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
            {timeAxis}
            <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 1]} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
            <Tooltip {...theme.tooltip} labelFormatter={(v) => new Date(Number(v)).toLocaleString()} formatter={(v) => pct(Number(v))} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Line dataKey="share" name="share of drifted features" stroke={SERIES[1]} strokeWidth={1.8} isAnimationActive={false} connectNulls={false} />
            <Line dataKey="spam" name="share of spam predicted" stroke={SERIES[0]} strokeWidth={1.8} isAnimationActive={false} />
          </LineChart>
        </ChartFrame>
      )}
      {features.length > 0 && (
        <>
          <label className="field inline">
            <span>Statistic over time of</span>
            <select aria-label="history feature" value={shown} onChange={(e) => setFeature(e.target.value)}>
              {features.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
          </label>
          <ChartFrame height={160}>
            <LineChart data={stat} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
              {timeAxis}
              <YAxis stroke={theme.axis} tick={theme.tick} tickFormatter={(v) => num(Number(v), 2)} />
              <Tooltip {...theme.tooltip} labelFormatter={(v) => new Date(Number(v)).toLocaleString()} formatter={(v) => num(Number(v), 4)} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {last && (
                <ReferenceLine y={last.threshold} stroke={SERIES[1]} strokeDasharray="4 4" label={{ value: 'threshold', fill: theme.axis, fontSize: 11 }} />
              )}
              <Line
                dataKey="value"
                name={last ? `${shown}: ${last.test} ${last.decidedBy === 'p_value' ? 'p-value' : 'statistic'} (decides)` : shown}
                stroke={SERIES[2] ?? SERIES[0]}
                strokeWidth={1.8}
                isAnimationActive={false}
              />
            </LineChart>
          </ChartFrame>
          <FeatureHistograms feature={shown} stored={data.at(-1)?.id ?? ''} />
        </>
      )}
    </Card>
  );
}
