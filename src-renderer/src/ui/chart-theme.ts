/** Colours of the charts, per theme. */
import { useShell } from '../store/shell';

export const SERIES = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];

/** concrete colours for recharts (SVG attributes do not resolve CSS variables) */
export function useChartTheme() {
  const dark = useShell((s) => s.theme) === 'dark';
  return {
    grid: dark ? '#2a313b' : '#e6e9ee',
    axis: dark ? '#8b95a3' : '#6b7480',
    tooltip: {
      contentStyle: {
        background: dark ? '#1c2128' : '#ffffff',
        border: `1px solid ${dark ? '#343b46' : '#dfe3e8'}`,
        borderRadius: 6,
        fontSize: 12,
        color: dark ? '#e6e9ee' : '#1b1f24',
      },
      labelStyle: { color: dark ? '#aab3bf' : '#5f6b7a' },
      itemStyle: { padding: 0 },
    },
    tick: { fontSize: 11, fill: dark ? '#8b95a3' : '#6b7480' },
    reference: dark ? '#64748b' : '#94a3b8',
  };
}
