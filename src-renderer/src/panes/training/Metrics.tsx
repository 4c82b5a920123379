import type { RunRecord } from '../../api';
import { Stat, num } from '../../ui';

export function Metrics({ run }: { run: RunRecord }) {
  const m = run.metrics!;
  const [[tn, fp], [fn, tp]] = m.confusion;
  const total = tn + fp + fn + tp || 1;
  const shade = (n: number, good: boolean) => ({
    background: `color-mix(in srgb, ${good ? 'var(--ok)' : 'var(--bad)'} ${Math.round(8 + (60 * n) / total)}%, transparent)`,
  });
  return (
    <div className="metrics" data-testid="run-metrics">
      <div className="metric-grid">
        <Stat label="accuracy" value={num(m.accuracy)} />
        <Stat label="F1 (spam)" value={num(m.f1)} />
        <Stat label="precision" value={num(m.precision)} />
        <Stat label="recall" value={num(m.recall)} />
        <Stat label="ROC AUC" value={num(m.rocAuc)} />
        <Stat label="version" value={run.version ?? '–'} hint={`${m.support.ham} ham / ${m.support.spam} spam tested`} />
      </div>
      <table className="confusion" aria-label="confusion matrix">
        <caption>Confusion matrix (test set)</caption>
        <thead>
          <tr>
            <td />
            <th scope="col">pred. ham</th>
            <th scope="col">pred. spam</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">true ham</th>
            <td style={shade(tn, true)} title="true negatives">
              {tn}
            </td>
            <td style={shade(fp, false)} title="false positives: ham flagged as spam">
              {fp}
            </td>
          </tr>
          <tr>
            <th scope="row">true spam</th>
            <td style={shade(fn, false)} title="false negatives: spam let through">
              {fn}
            </td>
            <td style={shade(tp, true)} title="true positives">
              {tp}
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
