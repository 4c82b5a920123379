import { memo, useDeferredValue, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { downsampleMean } from '../../../../src-shared/downsample';
import { familyDisplayOf, type FamilyDisplay } from '../../../../src-shared/model-specs';
import { useTraining, TERMINAL } from '../../store/training';
import { CHART_MARGIN, Card, ChartFrame, LiveCurve, Empty, ErrorBox, Icon, Progress, SERIES, Spinner, num, seconds, useChartTheme } from '../../ui';
import { StatusPill } from './StatusPill';
import { Metrics } from './Metrics';
import { RunLabels } from './RunLabels';

/** points a batch curve draws at most, whatever the run's length */
const CURVE_POINTS = 300;

export function RunDetail() {
  // rendered in the background (interruptible): a run's updates never hold a click or a keystroke
  const view = useDeferredValue(useTraining((s) => s.view));
  const cancel = useTraining((s) => s.cancel);
  const batches = view?.batches;
  const batchSeries = useMemo(
    () =>
      downsampleMean(
        (batches ?? []).map((b, i) => ({ step: i + 1, loss: b.loss, accuracy: b.accuracy })),
        CURVE_POINTS,
        'step',
      ),
    [batches],
  );
  const epochs = view?.record?.history.epochs;
  const epochSeries = useMemo(
    () =>
      (epochs ?? []).map((e) => ({
        epoch: e.epoch,
        loss: e.loss ?? undefined,
        val_loss: e.val_loss ?? undefined,
        accuracy: e.accuracy,
        val_accuracy: e.val_accuracy,
      })),
    [epochs],
  );
  if (!view)
    return (
      <Card title="Run">
        <Empty icon="training" title="No run selected">
          Start a run to watch its loss and accuracy live, or open one from the runs table below for its curves, metrics and confusion matrix.
        </Empty>
      </Card>
    );
  const run = view.record;
  if (!run)
    return (
      <Card title={`Run ${view.id}`}>
        <ErrorBox error={view.error} />
        {!view.error && <Spinner />}
      </Card>
    );
  const p = run.progress;
  const active = !TERMINAL.has(run.status);
  const fraction =
    run.status === 'succeeded'
      ? 1
      : p && p.epochs * p.batches > 0
        ? ((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches)
        : run.status === 'queued'
          ? 0
          : undefined;

  return (
    <Card
      title={
        <>
          Run <span className="mono">{run.id}</span> · {run.model} <StatusPill status={run.status} />
        </>
      }
      subtitle={
        <>
          {run.backend ? `backend ${run.backend}` : `backend ${run.backendRequested}`}
          {run.data && ` · ${run.data.trainRows} train / ${run.data.testRows} test rows at ${run.data.timeFreeze}`}
          {run.durationMs !== undefined && ` · ${seconds(run.durationMs)}`}
          {run.alias && ` · alias ${run.alias}`}
        </>
      }
      actions={
        active ? (
          <button type="button" className="danger" onClick={() => void cancel(run.id)}>
            <Icon name="stop" /> Cancel
          </button>
        ) : undefined
      }
      testId="run-detail"
    >
      {(active || run.status === 'succeeded') && (
        <div className="run-progress">
          <Progress value={fraction} label="training progress" />
          <span className="muted small">
            {run.status === 'queued' && 'queued: waiting for the run before it'}
            {run.status === 'running' && !p && 'loading the training data…'}
            {p && `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches}`}
            {p?.etaSeconds !== undefined && run.status === 'running' && ` · about ${Math.max(0, Math.round(p.etaSeconds))} s left`}
            {view.streaming && <span className="live"> · live</span>}
          </span>
        </div>
      )}
      <RunLabels run={run} />
      <ErrorBox error={run.error ?? view.error} />
      {run.duplicateOf && (
        <p className="note" role="status" data-testid="duplicate-of">
          Same weights as {run.model} version {run.duplicateOf}, byte for byte: no new version was registered; this run points at that one.
        </p>
      )}
      {run.rerunData && (
        <p className={run.rerunData.same ? 'note' : 'note warn'} role="status" data-testid="rerun-data">
          {run.rerunData.detail}
        </p>
      )}
      <div className="run-body">
        <div className="charts">
          {batchSeries.length > 1 && <BatchCurve series={batchSeries} batches={view.batches.length} live={view.streaming && active} />}
          {epochSeries.length > 0 && <EpochCurve series={epochSeries} family={familyDisplayOf(run.base)} />}
          {batchSeries.length <= 1 && epochSeries.length === 0 && (
            <div className="chart placeholder">
              {active ? <Spinner label="Waiting for the first batch" /> : <span className="muted small">This run recorded no curve.</span>}
            </div>
          )}
        </div>
        {run.metrics && <Metrics run={run} />}
      </div>
    </Card>
  );
}

type BatchPoint = { step: number; loss: number; accuracy: number };
type EpochPoint = { epoch: number; loss?: number; val_loss?: number; accuracy: number; val_accuracy: number };

/** the live curve: redrawn only when its points change (not at each progress tick) */
const BatchCurve = memo(function BatchCurve({ series, batches, live }: { series: BatchPoint[]; batches: number; live: boolean }) {
  const theme = useChartTheme();
  const title = batches > CURVE_POINTS ? `Loss and accuracy per batch (${batches} batches, averaged to ${CURVE_POINTS} points)` : 'Loss and accuracy per batch';
  // plain SVG while batches stream in (a millisecond a redraw) and after, until a pointer comes to
  // read values: then the full chart with its tooltip (its first render is the heavy one, and it
  // is not paid at a run's end, when the page has the most to draw)
  const [detailed, setDetailed] = useState(false);
  if (live || !detailed)
    return (
      <div
        className="chart"
        data-testid="live-curve"
        onPointerEnter={live ? undefined : () => setDetailed(true)}
        title={live ? undefined : 'point at the curve to read its values'}
      >
        <div className="chart-title">
          {title}
          {live ? ' · live' : ''}
        </div>
        <LiveCurve
          points={series}
          x="step"
          xLabel="batch"
          series={[
            { key: 'loss', label: 'loss', color: SERIES[1] },
            { key: 'accuracy', label: 'accuracy', color: SERIES[2] },
          ]}
        />
      </div>
    );
  return (
    <ChartFrame title={title} height={190} testId="live-curve">
      <LineChart data={series} margin={CHART_MARGIN}>
        <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
        <XAxis dataKey="step" stroke={theme.axis} tick={theme.tick} />
        <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 'auto']} />
        <Tooltip {...theme.tooltip} labelFormatter={(s) => `batch ${s}`} formatter={(v) => num(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line type="linear" dataKey="loss" stroke={SERIES[1]} dot={false} strokeWidth={1.6} isAnimationActive={false} />
        <Line type="linear" dataKey="accuracy" stroke={SERIES[2]} dot={false} strokeWidth={1.6} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
});

const EpochCurve = memo(function EpochCurve({ series, family }: { series: EpochPoint[]; family: FamilyDisplay }) {
  const theme = useChartTheme();
  return (
    <ChartFrame title={family.epochChartTitle} height={190} testId="epoch-curve">
      <LineChart data={series} margin={CHART_MARGIN}>
        <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} />
        <XAxis
          dataKey="epoch"
          stroke={theme.axis}
          tick={theme.tick}
          allowDecimals={false}
          padding={series.length === 1 ? { left: 40, right: 40 } : undefined}
        />
        <YAxis stroke={theme.axis} tick={theme.tick} domain={[0, 'auto']} />
        <Tooltip {...theme.tooltip} labelFormatter={(s) => `epoch ${s}`} formatter={(v) => num(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {family.hasLoss && <Line dataKey="loss" stroke={SERIES[1]} strokeWidth={1.6} isAnimationActive={false} />}
        {family.hasLoss && <Line dataKey="val_loss" stroke={SERIES[1]} strokeDasharray="5 3" strokeWidth={1.6} isAnimationActive={false} />}
        <Line dataKey="accuracy" stroke={SERIES[2]} strokeWidth={1.6} isAnimationActive={false} dot={{ r: 3 }} />
        <Line dataKey="val_accuracy" stroke={SERIES[0]} strokeDasharray="5 3" strokeWidth={1.6} isAnimationActive={false} dot={{ r: 3 }} />
      </LineChart>
    </ChartFrame>
  );
});
