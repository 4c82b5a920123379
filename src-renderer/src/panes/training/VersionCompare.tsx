/**
 * 2 to 4 versions of one model side by side (GET /models/{name}/compare): parameters with the
 * differing ones marked, metrics on the shared evaluation set, their PR curves overlaid in one
 * chart, and their runs' loss and accuracy by epoch overlaid.
 */
import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { api, errorText, type VersionComparison } from '../../api';
import { COMPARE_MAX, useTraining } from '../../store/training';
import { CHART_MARGIN, Card, ChartFrame, ErrorBox, SERIES, Spinner, num, useChartTheme } from '../../ui';
import { EpochOverlay, epochRows, type EpochSeries } from './EpochOverlay';

type Compared = VersionComparison['versions'][number];

const label = (v: Compared) => `version ${v.version}${v.run.name ? ` · ${v.run.name}` : ''}`;

export function VersionCompare() {
  const keys = useTraining((s) => s.compareVersions);
  const clear = useTraining((s) => s.setCompareVersions);
  const [c, setC] = useState<VersionComparison | undefined>();
  const [error, setError] = useState<string | undefined>();
  const name = keys[0]?.split('/')[0];
  const versions = keys.map((k) => k.split('/')[1]);
  const asked = versions.join(',');
  useEffect(() => {
    setC(undefined);
    setError(undefined);
    if (!name || asked.split(',').length < 2) return;
    let current = true;
    api
      .compareVersions(name, asked.split(','))
      .then((answer) => current && setC(answer))
      .catch((e) => current && setError(errorText(e)));
    return () => {
      current = false;
    };
  }, [name, asked]);
  if (keys.length === 0) return null;
  return (
    <Card
      title={`Compare ${keys.length} version${keys.length === 1 ? '' : 's'}${name ? ` of ${name}` : ''}`}
      subtitle="On the shared evaluation set; parameters that differ are marked"
      actions={
        <button type="button" className="small" onClick={() => clear([])}>
          Clear selection
        </button>
      }
      testId="version-compare"
    >
      {keys.length < 2 && (
        <p className="muted small">
          Tick one more version of {name} to compare (up to {COMPARE_MAX}).
        </p>
      )}
      <ErrorBox error={error} />
      {keys.length >= 2 && !c && !error && <Spinner />}
      {c && <Comparison c={c} />}
    </Card>
  );
}

function Comparison({ c }: { c: VersionComparison }) {
  const theme = useChartTheme();
  const metrics: [keyof Compared['metrics'], string][] = [
    ['accuracy', 'accuracy'],
    ['precision', 'precision'],
    ['recall', 'recall'],
    ['f1', 'F1 spam'],
    ['averagePrecision', 'average precision'],
    ['rocAuc', 'ROC AUC'],
    ['threshold', 'threshold'],
  ];
  const best = (k: keyof Compared['metrics']) => (k === 'threshold' ? undefined : Math.max(...c.versions.map((v) => v.metrics[k])));
  const series: EpochSeries[] = c.versions.map((v) => ({ key: v.version, name: label(v), epochs: v.epochs }));
  const epochs = epochRows(series, true);
  const hasLoss = epochs.some((r) => c.versions.some((v) => typeof r[`${v.version}:loss`] === 'number'));
  const epochChart = (metric: 'acc' | 'loss', title: string, testId: string) => (
    <EpochOverlay series={series} rows={epochs} metric={metric} title={title} height={200} testId={testId} />
  );
  return (
    <div className="version-comparison">
      <p className="muted small">
        {c.name} on the shared evaluation set {c.set} ({c.messages} messages); precision, recall, F1 and accuracy at each version's threshold.
      </p>
      <div className="scroll">
        <table className="compact compare-table" aria-label="metrics compared">
          <thead>
            <tr>
              <th>metric</th>
              {c.versions.map((v, i) => (
                <th key={v.version} className="num">
                  <span className="swatch" style={{ background: SERIES[i % SERIES.length] }} /> {label(v)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {metrics.map(([k, name]) => (
              <tr key={k}>
                <td>{name}</td>
                {c.versions.map((v) => (
                  <td key={v.version} className={`num ${v.metrics[k] === best(k) && c.versions.length > 1 ? 'best' : ''}`}>
                    {num(v.metrics[k])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="cols-2">
        <ChartFrame title="Precision-recall curves" height={220} testId="compare-pr">
          <LineChart margin={CHART_MARGIN}>
            <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" />
            <XAxis
              dataKey="recall"
              type="number"
              domain={[0, 1]}
              stroke={theme.axis}
              tick={theme.tick}
              allowDuplicatedCategory={false}
              label={{ value: 'recall', position: 'insideBottomRight', offset: -2, fontSize: 11 }}
            />
            <YAxis dataKey="precision" type="number" domain={[0, 1]} stroke={theme.axis} tick={theme.tick} />
            <Tooltip {...theme.tooltip} formatter={(v) => Number(v).toFixed(3)} labelFormatter={(r) => `recall ${Number(r).toFixed(3)}`} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {c.versions.map((v, i) => (
              <Line
                key={v.version}
                data={v.pr.recall.map((r, j) => ({ recall: r, precision: v.pr.precision[j] }))}
                dataKey="precision"
                name={label(v)}
                type="stepAfter"
                dot={false}
                isAnimationActive={false}
                stroke={SERIES[i % SERIES.length]}
                strokeWidth={1.8}
              />
            ))}
          </LineChart>
        </ChartFrame>
        {epochChart('acc', 'Accuracy by epoch (validation)', 'compare-accuracy')}
        {hasLoss && epochChart('loss', 'Loss by epoch (validation)', 'compare-loss')}
      </div>
      <div className="scroll">
        <table className="compact compare-table params-compared" aria-label="parameters compared">
          <thead>
            <tr>
              <th>parameter</th>
              {c.versions.map((v) => (
                <th key={v.version}>version {v.version}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {c.params.map((p) => (
              <tr key={p.key} className={p.differs ? 'differs' : ''} data-differs={p.differs ? 'true' : 'false'} data-param={p.key}>
                <td>
                  {p.differs && (
                    <span className="differs-mark" title="differs between these versions">
                      ≠ <span className="sr-only">differs: </span>
                    </span>
                  )}
                  {p.key}
                </td>
                {p.values.map((x, i) => (
                  <td key={c.versions[i].version} className="mono small">
                    {x === null ? '–' : String(x)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
