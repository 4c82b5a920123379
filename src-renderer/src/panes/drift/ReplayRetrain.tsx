/**
 * The monitoring loop from the console (the seed's chapters 3 and 4): replay warehouse messages
 * through the inbox (SMS traffic, YouTube comments, or SMS then YouTube: the drift scenario) at a
 * rate, watch it, stop it; start a retrain and read its decision (champion kept or replaced, both
 * scores on the shared evaluation set).
 */
import { useCallback, useEffect, useState } from 'react';
import { api, errorText, type RetrainDecision, type Simulation } from '../../api';
import { useDrift } from '../../store/drift';
import { Card, ErrorBox, Progress, num, useInterval, when } from '../../ui';

/** the public data's ids: the UCI SMS collection sms10001-sms15572, then the YouTube comments to sms17520 */
const REPLAYS: { id: string; label: string; pattern: string }[] = [
  { id: 'sms', label: 'SMS traffic', pattern: '^sms1([0-4]\\d{3}|5[0-4]\\d\\d|55[0-6]\\d|557[0-2])$' },
  { id: 'youtube', label: 'YouTube comments (drift)', pattern: '^sms1(557[3-9]|55[89]\\d|5[6-9]\\d\\d|[67]\\d\\d\\d)$' },
  { id: 'switch', label: 'SMS, then YouTube from sms15573', pattern: '^sms1(5[0-9]\\d\\d|[67]\\d\\d\\d)$' },
];

export function ReplayRetrain() {
  const model = useDrift((s) => s.chosen);
  const [replay, setReplay] = useState(REPLAYS[2].id);
  const [count, setCount] = useState('600');
  const [rate, setRate] = useState('50');
  const [sims, setSims] = useState<Simulation[]>([]);
  const [decisions, setDecisions] = useState<RetrainDecision[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    api
      .simulations()
      .then(setSims)
      .catch(() => undefined);
    api
      .decisions()
      .then(setDecisions)
      .catch(() => undefined);
  }, []);
  useEffect(refresh, [refresh]);
  const running = sims.some((s) => s.status === 'running');
  useInterval(refresh, running ? 1000 : 10_000, [running]);

  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
      refresh();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const chosen = REPLAYS.find((r) => r.id === replay)!;
  return (
    <Card title="Replay and retrain" subtitle="Feed the inbox with public messages to watch drift appear, then retrain on the feedback labels">
      <form
        className="threshold-form"
        aria-label="replay"
        onSubmit={(e) => {
          e.preventDefault();
          void act(() => api.simulate({ idPattern: chosen.pattern, count: Number(count), rate: Number(rate), labelDelayMs: 0 }));
        }}
      >
        <select value={replay} onChange={(e) => setReplay(e.target.value)} aria-label="messages to replay">
          {REPLAYS.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
        <label className="small">
          messages <input type="number" min={1} max={100000} value={count} onChange={(e) => setCount(e.target.value)} aria-label="messages" />
        </label>
        <label className="small">
          per second <input type="number" min={1} max={10000} value={rate} onChange={(e) => setRate(e.target.value)} aria-label="per second" />
        </label>
        <button type="submit" className="small solid" disabled={busy || running}>
          Start replay
        </button>
      </form>
      {sims.length > 0 && (
        <table aria-label="replays" data-testid="replays">
          <thead>
            <tr>
              <th>replay</th>
              <th>status</th>
              <th className="num">sent</th>
              <th className="num">labelled</th>
              <th>started</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...sims].reverse().map((s) => (
              <tr key={s.id}>
                <td className="clip" title={s.idPattern}>
                  {REPLAYS.find((r) => r.pattern === s.idPattern)?.label ?? s.idPattern}
                </td>
                <td>
                  {s.status}
                  {s.status === 'running' && <Progress value={s.sent / Math.max(1, s.count)} label={`replay ${s.id}`} />}
                  {s.error && (
                    <div className="error-text small" data-testid="replay-error">
                      {s.error}
                    </div>
                  )}
                </td>
                <td className="num">
                  {s.sent} of {s.count}
                </td>
                <td className="num">{s.labelled}</td>
                <td className="nowrap">{when(s.startedAt)}</td>
                <td className="row-actions">
                  {s.status === 'running' && (
                    <button type="button" className="small" onClick={() => void act(() => api.stopSimulation(s.id))}>
                      Stop
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="threshold-form">
        <button type="button" className="small solid" disabled={busy || !model} onClick={() => model && void act(() => api.retrain(model))}>
          Retrain {model ?? ''} on the feedback labels
        </button>
        <span className="muted small">
          a challenger is trained, judged against the champion on the shared evaluation set, promoted only if better by the margin
        </span>
      </div>
      {decisions.length > 0 && (
        <table aria-label="retrain decisions" data-testid="decisions">
          <thead>
            <tr>
              <th>when</th>
              <th>model</th>
              <th className="num">champion F1</th>
              <th className="num">challenger F1</th>
              <th>decision</th>
            </tr>
          </thead>
          <tbody>
            {decisions.slice(0, 10).map((d) => (
              <tr key={d.id}>
                <td className="nowrap">{when(d.at)}</td>
                <td>
                  {d.model} {d.champion.version}
                  {d.challenger ? ` → ${d.challenger.version}` : ''}
                </td>
                <td className="num">{num(d.champion.metrics?.f1)}</td>
                <td className="num">{num(d.challenger?.metrics?.f1)}</td>
                <td title={d.reason}>{d.promoted ? 'challenger promoted' : 'champion kept'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorBox error={error} />
    </Card>
  );
}
