/**
 * The drill-down of one feature over time: its histogram in each of the last stored drift windows
 * as a grid of cells on a real time axis (one column per window at the time of its check, one row
 * per bin, the darker the larger the window's share), beside the reference's histogram on the same
 * bins. A window whose check found the feature drifted is outlined.
 */
import { useEffect } from 'react';
import { Bar, BarChart, CartesianGrid, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useDrift } from '../../store/drift';
import { ChartFrame, ErrorBox, SERIES, Spinner, clock, pct, useChartTheme } from '../../ui';

const ROW = 16;
/** the plot's width assumed for a column's width (the chart is at least this wide at 1024 px) */
const PLOT = 280;
const MARGIN = { top: 6, right: 12, bottom: 4, left: 4 };

interface Cell {
  at: number;
  bin: string;
  share: number;
  reference: number;
  count: number;
  total: number;
  drifted: boolean;
}

export function FeatureHistograms({ feature, stored }: { feature: string; stored: string }) {
  const histograms = useDrift((s) => s.histograms);
  const theme = useChartTheme();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `stored` (the newest stored check) is what asks for a reload
  useEffect(() => {
    if (feature) void useDrift.getState().loadHistograms(feature);
  }, [feature, stored]);
  const h = histograms.data?.feature === feature ? histograms.data : undefined;
  if (!h) return histograms.loading ? <Spinner label="Loading histograms" /> : <ErrorBox error={histograms.error} />;
  const cells: Cell[] = h.windows.flatMap((w) =>
    h.bins.map((bin, i) => ({
      at: Date.parse(w.at),
      bin,
      share: w.shares[i],
      reference: h.reference.shares[i],
      count: w.counts[i],
      total: w.total,
      drifted: w.drifted === true,
    })),
  );
  const max = Math.max(0.001, ...cells.map((c) => c.share));
  const times = h.windows.map((w) => Date.parse(w.at));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const pad = Math.max(30_000, (last - first) / Math.max(2, 2 * times.length));
  const domain: [number, number] = [first - pad, last + pad];
  // evenly spaced ticks over the whole range: a time axis, not one tick per check
  const ticks = Array.from({ length: 5 }, (_, i) => domain[0] + ((domain[1] - domain[0]) * i) / 4);
  // a column's width: the smallest gap between two checks on the plot, between 4 and 36 pixels
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  const gap = gaps.length ? Math.min(...gaps) : domain[1] - domain[0];
  const width = Math.max(4, Math.min(36, (0.85 * PLOT * gap) / (domain[1] - domain[0])));
  const height = h.bins.length * ROW + 40;
  const tooltip = ({ active, payload }: { active?: boolean; payload?: readonly { payload?: Cell }[] }) => {
    const c = active ? payload?.[0]?.payload : undefined;
    if (!c) return null;
    return (
      <div style={theme.tooltip.contentStyle}>
        <div>
          {new Date(c.at).toLocaleString()} · <code>{c.bin}</code>
        </div>
        <div>
          window {pct(c.share)} ({c.count} of {c.total}) · reference {pct(c.reference)}
          {c.drifted ? ' · drifted in this check' : ''}
        </div>
      </div>
    );
  };
  return (
    <div data-testid="feature-histograms">
      {h.windows.length === 0 ? (
        <p className="small muted">No stored checks of {h.model} yet: "Run check" stores one, and each stored check adds a column here.</p>
      ) : (
        <div className="row wrap" style={{ alignItems: 'flex-start' }}>
          <div style={{ flex: '3 1 320px', minWidth: 0 }}>
            <ChartFrame
              height={height}
              testId="histograms-over-time"
              title={
                <>
                  <code>{feature}</code> in the last {h.windows.length} stored windows ({h.unit}; darker: a larger share, up to {pct(max)})
                </>
              }
            >
              <ScatterChart margin={MARGIN}>
                <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
                <XAxis
                  dataKey="at"
                  type="number"
                  scale="time"
                  domain={domain}
                  ticks={ticks}
                  tickFormatter={(v) => clock(Number(v))}
                  stroke={theme.axis}
                  tick={theme.tick}
                  minTickGap={24}
                  name="checked at"
                />
                <YAxis dataKey="bin" type="category" allowDuplicatedCategory={false} stroke={theme.axis} tick={theme.tick} width={104} interval={0} />
                <Tooltip content={tooltip} cursor={false} isAnimationActive={false} />
                <Scatter
                  data={cells}
                  isAnimationActive={false}
                  shape={(props: { cx?: number; cy?: number; payload?: Cell }) => {
                    const c = props.payload;
                    if (props.cx === undefined || props.cy === undefined || !c) return <g />;
                    return (
                      <rect
                        className="heat-cell"
                        x={props.cx - width / 2}
                        y={props.cy - (ROW - 2) / 2}
                        width={width}
                        height={ROW - 2}
                        fill={SERIES[0]}
                        fillOpacity={0.06 + (0.94 * c.share) / max}
                        stroke={c.drifted ? SERIES[1] : 'none'}
                        strokeWidth={c.drifted ? 1 : 0}
                      />
                    );
                  }}
                />
              </ScatterChart>
            </ChartFrame>
          </div>
          <div style={{ flex: '1 1 160px', minWidth: 0 }}>
            <ChartFrame height={height} testId="histograms-reference" title="reference (training rows), same bins">
              <BarChart data={h.bins.map((bin, i) => ({ bin, share: h.reference.shares[i] }))} layout="vertical" margin={MARGIN}>
                <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} horizontal={false} />
                <XAxis type="number" stroke={theme.axis} tick={theme.tick} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
                {/* the first bin at the bottom, as in the grid beside it */}
                <YAxis dataKey="bin" type="category" reversed stroke={theme.axis} tick={theme.tick} width={104} interval={0} />
                <Tooltip {...theme.tooltip} formatter={(v) => pct(Number(v))} />
                <Bar dataKey="share" name="reference share" fill={theme.reference} isAnimationActive={false} barSize={ROW - 4} />
              </BarChart>
            </ChartFrame>
          </div>
        </div>
      )}
      <p className="small muted">
        Bins: {h.binning}. Each column is the window a stored check judged, placed at the time of the check; outlined: the feature drifted in that check.
      </p>
    </div>
  );
}
