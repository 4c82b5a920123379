/**
 * One version on the shared evaluation set: its precision-recall and ROC curves, average precision
 * and ROC AUC, the confusion matrix at its decision threshold, and the form that chooses that
 * threshold (target precision, target recall, best F1 or a value). Serving uses the threshold.
 */
import { useCallback, useEffect, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceDot, Tooltip, XAxis, YAxis } from 'recharts';
import { api, errorText, type VersionEvaluation } from '../../api';
import { ConfusionTable } from './ConfusionTable';
import { CHART_MARGIN, ChartFrame, ErrorBox, Spinner, Stat, num, useChartTheme, when } from '../../ui';

type By = 'precision' | 'recall' | 'f1' | 'threshold';

export function VersionCurves({ name, version, onChanged }: { name: string; version: string; onChanged?: () => void }) {
  const theme = useChartTheme();
  const [ev, setEv] = useState<VersionEvaluation | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [by, setBy] = useState<By>('precision');
  const [target, setTarget] = useState('0.98');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | undefined>();

  const load = useCallback(() => {
    setError(undefined);
    api
      .evaluation(name, version)
      .then(setEv)
      .catch((e) => setError(errorText(e)));
  }, [name, version]);
  useEffect(load, [load]);

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      const value = Number(target);
      const body = by === 'f1' ? { f1: true as const } : { [by]: value };
      const v = await api.setThreshold(name, version, { ...body, ...(note ? { note } : {}) });
      setSaved(`Threshold ${v.threshold?.value.toFixed(4)} saved: serving answers with it now.`);
      load();
      onChanged?.();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (!ev) return error ? <ErrorBox error={error} /> : <Spinner />;
  const pr = ev.pr.recall.map((r, i) => ({ recall: r, precision: ev.pr.precision[i] }));
  const roc = ev.roc.fpr.map((f, i) => ({ fpr: f, tpr: ev.roc.tpr[i] }));
  const at = ev.atThreshold;
  const set = `${ev.set}: ${ev.messages} messages, ${ev.spam} spam`;
  return (
    <div className="version-curves" data-testid="version-curves">
      <p className="muted small">
        {name} version {version} on the shared evaluation set ({set})
        {ev.trainedOn === true && <b> — trained on some of these messages: its numbers flatter it</b>}
        {ev.trainedOn === 'unknown' && <b> — registered before the set: it may have trained on some of them</b>}
      </p>
      <div className="metric-grid">
        <Stat label="average precision" value={num(ev.averagePrecision)} />
        <Stat label="ROC AUC" value={num(ev.rocAuc)} />
        <Stat label="threshold" value={at.threshold.toFixed(4)} hint={ev.threshold ? `set ${when(ev.threshold.setAt)}` : 'none set: 0.5'} />
        <Stat label="precision" value={num(at.precision)} />
        <Stat label="recall" value={num(at.recall)} />
        <Stat label="F1 (spam)" value={num(at.f1)} />
      </div>
      <div className="chart-row">
        <ChartFrame title="Precision-recall curve" height={200} testId="pr-curve">
          <LineChart data={pr} margin={CHART_MARGIN}>
            <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" />
            <XAxis
              dataKey="recall"
              type="number"
              domain={[0, 1]}
              stroke={theme.axis}
              tick={theme.tick}
              label={{ value: 'recall', position: 'insideBottomRight', offset: -2, fontSize: 11 }}
            />
            <YAxis type="number" domain={[0, 1]} stroke={theme.axis} tick={theme.tick} />
            <Tooltip {...theme.tooltip} formatter={(v) => Number(v).toFixed(3)} labelFormatter={(r) => `recall ${Number(r).toFixed(3)}`} />
            <Line dataKey="precision" type="stepAfter" dot={false} isAnimationActive={false} stroke="#3b82f6" />
            <ReferenceDot x={at.recall} y={at.precision} r={5} fill="#ef4444" stroke="none" />
          </LineChart>
        </ChartFrame>
        <ChartFrame title="ROC curve" height={200} testId="roc-curve">
          <LineChart data={roc} margin={CHART_MARGIN}>
            <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" />
            <XAxis
              dataKey="fpr"
              type="number"
              domain={[0, 1]}
              stroke={theme.axis}
              tick={theme.tick}
              label={{ value: 'false-positive rate', position: 'insideBottomRight', offset: -2, fontSize: 11 }}
            />
            <YAxis type="number" domain={[0, 1]} stroke={theme.axis} tick={theme.tick} />
            <Tooltip {...theme.tooltip} formatter={(v) => Number(v).toFixed(3)} labelFormatter={(f) => `FPR ${Number(f).toFixed(3)}`} />
            <Line dataKey="tpr" name="true-positive rate" type="linear" dot={false} isAnimationActive={false} stroke="#10b981" />
            <ReferenceDot x={at.confusion[0][1] / Math.max(1, at.confusion[0][0] + at.confusion[0][1])} y={at.recall} r={5} fill="#ef4444" stroke="none" />
          </LineChart>
        </ChartFrame>
        <ConfusionTable confusion={at.confusion} caption={`Confusion matrix at threshold ${at.threshold.toFixed(4)} (evaluation set)`} />
      </div>
      <form
        className="threshold-form"
        aria-label="decision threshold"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          choose by{' '}
          <select value={by} onChange={(e) => setBy(e.target.value as By)} aria-label="choose the threshold by">
            <option value="precision">target precision</option>
            <option value="recall">target recall</option>
            <option value="f1">best F1</option>
            <option value="threshold">a value</option>
          </select>
        </label>
        {by !== 'f1' && (
          <input type="number" min={0} max={1} step="any" value={target} onChange={(e) => setTarget(e.target.value)} aria-label="target" required />
        )}
        <input type="text" placeholder="note (why)" value={note} onChange={(e) => setNote(e.target.value)} aria-label="note" maxLength={500} />
        <button type="submit" className="small solid" disabled={busy}>
          Set threshold
        </button>
      </form>
      {saved && (
        <p className="note ok" role="status">
          {saved}
        </p>
      )}
      <ErrorBox error={error} />
    </div>
  );
}
