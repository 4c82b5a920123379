/** What does not work right now (from /health), each with what to do; hidden while all is well. */
import { useShell } from '../store/shell';
import { Icon } from '../ui';

export function HealthBanner() {
  // the selector returns what the store holds (a new [] per call would re-render for ever)
  const problems = useShell((s) => s.health.data?.problems);
  if (!problems?.length) return null;
  return (
    <div className="health-banner" role="alert" data-testid="health-banner">
      <Icon name="alert" />
      <div>
        <strong>Degraded: some parts cannot answer.</strong>
        <ul>
          {problems.map((p) => (
            <li key={`${p.component}:${p.detail}`}>
              <b>{p.component}</b>: {p.detail}
              {p.remedy && <span className="muted"> — {p.remedy}</span>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
