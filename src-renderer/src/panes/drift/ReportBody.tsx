/** A drift report: per-feature tests, PSI and reference-vs-current histograms. */
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { DriftReport } from '../../api';
import { FeatureTestForm } from './FeatureTestForm';
import { CHART_MARGIN, ChartFrame, SERIES, Stat, num, pct, useChartTheme } from '../../ui';

export function ReportBody({ r }: { r: DriftReport }) {
  const theme = useChartTheme();
  const collecting = r.status === 'collecting';
  return (
    <>
      <div className="tiles">
        <div className={`tile ${collecting ? '' : r.datasetDrift ? 'alarm' : 'calm'}`} data-testid="dataset-drift">
          <div className="label">dataset drift</div>
          <div className="value">{collecting ? 'collecting' : r.datasetDrift ? 'DRIFT' : 'no drift'}</div>
          <div className="muted small" data-testid="drift-status">
            {r.statusText ?? `${pct(r.driftShare)} of features drifted`}
          </div>
        </div>
        <Stat
          label="window"
          value={`${r.window.n.toLocaleString()} predictions`}
          hint={`${r.window.from ?? '–'} → ${r.window.to ?? '–'} · ${r.window.selection ?? ''} · version ${r.version}`}
        />
        <Stat
          label="reference"
          value={r.reference?.kind === 'window' ? 'earlier live window' : 'training rows'}
          hint={r.reference?.description ?? `${r.referenceRows} training rows`}
        />
        <Stat
          label="share of spam predicted"
          value={
            <>
              {pct(r.prediction.referenceSpamShare)} → {pct(r.prediction.currentSpamShare)}
            </>
          }
          hint={
            <span data-testid="spam-share-ci">
              {r.prediction.drifted ? 'prediction drift' : 'stable'}
              {r.prediction.currentN !== undefined && (
                <>
                  {' · now '}
                  {withInterval(r.prediction.currentSpamShare, r.prediction.currentCi95, r.prediction.currentN)}
                  {r.reference?.kind === 'window' ? ' · reference window ' : ' · held-out predictions of the version '}
                  {withInterval(r.prediction.referenceSpamShare, r.prediction.referenceCi95, r.prediction.referenceN ?? 0)}
                </>
              )}
            </span>
          }
          tone={r.prediction.drifted ? 'bad' : undefined}
        />
        <Stat
          label="quality (feedback labels)"
          value={r.quality ? `accuracy ${num(r.quality.accuracy, 3)}` : '–'}
          hint={
            r.quality ? (
              <span data-testid="quality-ci">
                {r.quality.ci95 ? `accuracy ${withInterval(r.quality.accuracy, r.quality.ci95.accuracy, r.quality.n)}; ` : `${r.quality.n} labelled; `}
                {r.quality.ci95
                  ? `precision ${withInterval(r.quality.precision, r.quality.ci95.precision, r.quality.ci95.precisionN)}; recall ${withInterval(r.quality.recall, r.quality.ci95.recall, r.quality.ci95.recallN)}`
                  : `F1 ${num(r.quality.f1, 3)}`}
              </span>
            ) : (
              'no feedback labels yet'
            )
          }
        />
      </div>
      <div className="scroll">
        <table className="compact">
          <thead>
            <tr>
              <th>feature</th>
              <th>test</th>
              <th className="num">statistic</th>
              <th className="num">p-value</th>
              <th className="num">threshold</th>
              <th>drift</th>
              <th
                className="num"
                title="The dataset-drift rule's own test of the feature (KS; Fisher's exact for binary features): its p-value adjusted by Holm across the features"
              >
                rule p (Holm)
              </th>
              <th className="num" title="Population Stability Index: context only, it does not decide">
                PSI (context)
              </th>
              <th>why this test</th>
            </tr>
          </thead>
          <tbody>
            {r.features.map((f) => (
              <tr key={f.feature}>
                <td>
                  <code>{f.feature}</code>
                </td>
                <td className="small">{f.test}</td>
                <td className="num">{f.decidedBy === 'statistic' ? <strong title="decides">{num(f.statistic)}</strong> : num(f.statistic)}</td>
                <td className="num">
                  {f.pValue === undefined ? (
                    '–'
                  ) : f.decidedBy === 'p_value' ? (
                    <strong title="decides">{f.pValue.toExponential(2)}</strong>
                  ) : (
                    f.pValue.toExponential(2)
                  )}
                </td>
                <td className="num">
                  {f.decidedBy === 'p_value' ? 'p < ' : f.decidedBy === 'statistic' ? '≥ ' : ''}
                  {f.threshold}
                </td>
                <td>{f.drifted ? <span className="badge spam">drift</span> : <span className="badge ham">ok</span>}</td>
                <td className="num small" title={f.datasetTest ? `${f.datasetTest.test}: p ${f.datasetTest.pValue.toExponential(2)} before Holm` : undefined}>
                  {f.datasetTest === undefined ? (
                    '–'
                  ) : r.rule?.kind === 'holm' ? (
                    <strong title="decides dataset drift">{f.datasetTest.adjustedPValue.toExponential(2)}</strong>
                  ) : (
                    f.datasetTest.adjustedPValue.toExponential(2)
                  )}
                  {f.datasetTest?.drifted && r.rule?.kind === 'holm' ? ' *' : ''}
                </td>
                <td className="num muted">{num(f.psi, 3)}</td>
                <td className="small muted">
                  {f.reason}
                  {f.sampleUnit && f.kind === 'tokens' ? ` · unit: ${f.sampleUnit}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {r.rule && (
        <p className="small muted" data-testid="dataset-rule">
          dataset drift when {r.rule.description}
        </p>
      )}
      {r.features.length > 0 && <FeatureTestForm features={r.features} />}
      <div className="grid2 charts">
        {r.features.map((f) => (
          <div key={f.feature}>
            <ChartFrame
              height={160}
              title={
                <>
                  <code>{f.feature}</code>: reference vs current {f.drifted && <span className="badge spam">drift</span>}
                </>
              }
            >
              <BarChart data={f.bins.map((b, i) => ({ bin: b, reference: f.reference[i], current: f.current[i] }))} margin={{ ...CHART_MARGIN, right: 8 }}>
                <CartesianGrid strokeDasharray="3 3" stroke={theme.grid} vertical={false} />
                <XAxis dataKey="bin" stroke={theme.axis} tick={theme.tick} minTickGap={8} />
                <YAxis stroke={theme.axis} tick={theme.tick} tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
                <Tooltip {...theme.tooltip} cursor={{ fill: theme.grid }} formatter={(v) => pct(Number(v))} />
                <Legend />
                <Bar
                  dataKey="reference"
                  name={r.reference?.kind === 'window' ? 'reference (earlier window)' : 'reference (training)'}
                  fill={theme.reference}
                  isAnimationActive={false}
                />
                <Bar dataKey="current" name="current window" fill={f.drifted ? SERIES[1] : SERIES[0]} isAnimationActive={false} />
              </BarChart>
            </ChartFrame>
            {f.gained && f.lost && (
              <div className="small muted" data-testid="tokens-moved">
                gained most: {f.gained.map((m) => `${m.token} ${pct(m.reference)}→${pct(m.current)}`).join(', ') || '–'}; lost most:{' '}
                {f.lost.map((m) => `${m.token} ${pct(m.reference)}→${pct(m.current)}`).join(', ') || '–'}
              </div>
            )}
          </div>
        ))}
      </div>
    </>
  );
}

/** "23.3% (95 % CI 21.1–25.6 %, n = 1,200)": a proportion with its Wilson interval and sample size */
function withInterval(value: number, ci: { low: number; high: number } | null | undefined, n: number): string {
  if (!ci) return `${pct(value)} (n = ${n.toLocaleString()})`;
  return `${pct(value)} (95 % CI ${(ci.low * 100).toFixed(1)}–${(ci.high * 100).toFixed(1)} %, n = ${n.toLocaleString()})`;
}
