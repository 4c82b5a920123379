/**
 * The frame every chart of the console sits in: a title, a fixed height, a responsive width, and a
 * note in its place while there is nothing to draw. The chart itself (recharts) is the child.
 */
import type { ReactElement, ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';

/** the margins every cartesian chart uses (the y axis labels sit in the left padding) */
export const CHART_MARGIN = { top: 6, right: 12, bottom: 0, left: -14 };

export function ChartFrame({
  title,
  height,
  empty,
  testId,
  children,
}: {
  title?: ReactNode;
  height: number;
  empty?: ReactNode;
  testId?: string;
  children: ReactElement;
}) {
  return (
    <div className="chart" data-testid={testId}>
      {title && <div className="chart-title">{title}</div>}
      {empty ? (
        <div className="chart-empty">{empty}</div>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          {children}
        </ResponsiveContainer>
      )}
    </div>
  );
}
