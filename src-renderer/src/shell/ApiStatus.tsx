/** The API's state in the top bar: reachable, ok or degraded, storage, registry version. */
import { apiBase } from '../api';
import { useShell } from '../store/shell';
import { useInterval } from '../ui';

export function ApiStatus() {
  const health = useShell((s) => s.health);
  const checkHealth = useShell((s) => s.checkHealth);
  useInterval(() => void checkHealth(), 10_000);
  const h = health.data;
  const down = health.error !== undefined;
  return (
    <span
      className={`api-status ${down ? 'bad' : h ? (h.bootstrapped && h.status === 'ok' ? 'ok' : 'warn') : ''}`}
      data-testid="api-status"
      title={down ? health.error : h ? `${apiBase} · ${h.storage.location}` : apiBase}
      role="status"
    >
      <span className="dot" aria-hidden="true" />
      {down ? (
        <>API unreachable</>
      ) : h ? (
        <>
          API {h.status} <span className="sep">·</span> {h.storage.backend} <span className="sep">·</span> registry v{h.registry_version}
          {!h.bootstrapped && <> · not bootstrapped</>}
        </>
      ) : (
        'connecting…'
      )}
    </span>
  );
}
