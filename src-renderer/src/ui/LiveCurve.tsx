/**
 * A live curve of a few series over steps, drawn as plain SVG polylines: what a streaming run shows
 * while batches arrive. Redrawing it costs about a millisecond, where recharts rebuilds its whole
 * component tree for every update (50-120 ms per update on these machines: the page held its main
 * thread for most of a run). Once the run ends, the full chart (axes, tooltip) takes its place.
 */
import { useChartTheme } from './chart-theme';

export interface LiveSeries {
  key: string;
  label: string;
  color: string;
}

const W = 600;
const H = 170;
const PAD = { left: 34, right: 8, top: 6, bottom: 18 };

export function LiveCurve<T extends Record<string, number | undefined>>({
  points,
  x,
  series,
  xLabel,
}: {
  points: T[];
  x: keyof T;
  series: LiveSeries[];
  xLabel: string;
}) {
  const theme = useChartTheme();
  const xs = points.map((p) => Number(p[x]));
  const x0 = xs[0] ?? 0;
  const x1 = Math.max(x0 + 1, xs.at(-1) ?? 1);
  let top = 1;
  for (const p of points) for (const s of series) top = Math.max(top, Number(p[s.key] ?? 0));
  const sx = (v: number) => PAD.left + ((v - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (v: number) => PAD.top + (1 - v / top) * (H - PAD.top - PAD.bottom);
  const last = points.at(-1);
  const ticks = [0, top / 2, top];
  return (
    <div className="live-curve">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${series.map((s) => `${s.label} ${last?.[s.key]?.toFixed(3) ?? '-'}`).join(', ')} at ${xLabel} ${last?.[x] ?? 0}`}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} stroke={theme.grid} strokeDasharray="3 3" />
            <text x={PAD.left - 4} y={sy(t) + 4} textAnchor="end" fontSize={11} fill={theme.tick.fill}>
              {t.toFixed(t < 10 ? 2 : 0)}
            </text>
          </g>
        ))}
        <text x={W - PAD.right} y={H - 4} textAnchor="end" fontSize={11} fill={theme.tick.fill}>
          {xLabel} {x1}
        </text>
        {series.map((s) => (
          <polyline
            key={s.key}
            fill="none"
            stroke={s.color}
            strokeWidth={1.6}
            points={points
              .filter((p) => p[s.key] !== undefined)
              .map((p) => `${sx(Number(p[x])).toFixed(1)},${sy(Number(p[s.key])).toFixed(1)}`)
              .join(' ')}
          />
        ))}
      </svg>
      <div className="live-legend small">
        {series.map((s) => (
          <span key={s.key}>
            <i style={{ background: s.color }} /> {s.label} {last?.[s.key] !== undefined ? Number(last[s.key]).toFixed(4) : '-'}
          </span>
        ))}
      </div>
    </div>
  );
}
