/**
 * The frame every chart of the console sits in: a title, a fixed height, a responsive width, and a
 * note in its place while there is nothing to draw. The chart itself (recharts) is the child.
 */
import { type ReactElement, type ReactNode, useEffect, useState } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * Charts are drawn one per frame. A pane of charts opened at once drew them all in one task once
 * their containers were measured (the Drift pane's three histograms: one task of about 300 ms): each
 * now waits its turn, and the page answers between two charts. A chart keeps its height meanwhile, so
 * nothing below it moves.
 */
const turns: (() => void)[] = [];
let draining = false;
function nextTurn(): void {
  const go = turns.shift();
  if (!go) {
    draining = false;
    return;
  }
  go();
  // the next chart after this one's frame (its size is measured, and it is laid out, in that frame)
  requestAnimationFrame(() => setTimeout(nextTurn, 0));
}
function awaitTurn(go: () => void): () => void {
  turns.push(go);
  if (!draining) {
    draining = true;
    setTimeout(nextTurn, 0);
  }
  return () => {
    const i = turns.indexOf(go);
    if (i >= 0) turns.splice(i, 1);
  };
}

/** false until this chart's turn to be drawn has come */
function useTurn(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => awaitTurn(() => setReady(true)), []);
  return ready;
}

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
  const ready = useTurn();
  return (
    <div className="chart" data-testid={testId}>
      {title && <div className="chart-title">{title}</div>}
      {empty ? (
        <div className="chart-empty">{empty}</div>
      ) : ready ? (
        <ResponsiveContainer width="100%" height={height}>
          {children}
        </ResponsiveContainer>
      ) : (
        <div style={{ height }} aria-busy="true" />
      )}
    </div>
  );
}
