import { useEffect, useRef, useState } from 'react';
import type { Alert } from '../../../../src-shared/monitoring';
import { api, errorText } from '../../api';
import { useDrift } from '../../store/drift';
import { Card, Empty, ErrorBox, Icon, Spinner, ago, num, when } from '../../ui';

export function Alerts() {
  const alerts = useDrift((s) => s.alerts);
  const refresh = useDrift((s) => s.refreshAlerts);
  const open = (alerts.data ?? []).filter((a) => !a.acknowledged).length;
  const deciding = (alerts.data ?? []).some((a) => a.retrain?.status === 'running');
  // a retrain started from an alert: its decision shows beside it once made
  useEffect(() => {
    if (!deciding) return;
    const t = setInterval(() => void refresh(), 2000);
    return () => clearInterval(t);
  }, [deciding, refresh]);
  return (
    <Card title="Alerts" subtitle={alerts.data ? `${open} open of ${alerts.data.length}` : undefined}>
      <ErrorBox error={alerts.error} />
      <Webhook />
      {alerts.data?.length === 0 && (
        <Empty icon="bell" title="No alerts">
          They fire when dataset drift turns true or quality drops below its threshold.
        </Empty>
      )}
      <ul className="plain alerts">
        {alerts.data?.map((a) => (
          <AlertItem key={a.id} a={a} busy={alerts.loading} />
        ))}
      </ul>
    </Card>
  );
}

function AlertItem({ a, busy }: { a: Alert; busy: boolean }) {
  const ack = useDrift((s) => s.ack);
  const retrain = useDrift((s) => s.retrainFromAlert);
  const [noting, setNoting] = useState(false);
  const [note, setNote] = useState('');
  // one action at a time on an alert: a double click sent two acknowledgements, or two retrains (the second a 409)
  const acting = useRef(false);
  const [working, setWorking] = useState(false);
  const act = (f: () => Promise<void>) => {
    if (acting.current) return;
    acting.current = true;
    setWorking(true);
    void f().finally(() => {
      acting.current = false;
      setWorking(false);
    });
  };
  const label = `the ${a.kind} alert of ${when(a.at)}`;
  return (
    <li className={a.acknowledged ? 'alert-item muted' : 'alert-item'} data-testid="alert-item">
      <Icon name={a.acknowledged ? 'check' : 'alert'} />
      <div className="alert-body">
        <div>
          <span className="badge spam">{a.kind}</span> <span title={when(a.at)}>{ago(a.at)}</span>
        </div>
        <div>{a.message}</div>
        {a.acknowledged && (
          <div className="hint" data-testid="alert-ack">
            acknowledged {a.acknowledgedAt ? ago(a.acknowledgedAt) : ''}
            {a.acknowledgedNote ? `: “${a.acknowledgedNote}”` : ''}
          </div>
        )}
        {a.retrain && <RetrainOutcome r={a.retrain} />}
        {noting && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              act(() => ack(a.id, note).then(() => setNoting(false)));
            }}
          >
            <input
              aria-label={`note for ${label}`}
              placeholder="What was done, or why it is fine (optional)"
              maxLength={1000}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              // biome-ignore lint/a11y/noAutofocus: the field the operator just asked for
              autoFocus
            />
            <button type="submit" className="small primary" disabled={busy || working}>
              acknowledge
            </button>
            <button type="button" className="small" onClick={() => setNoting(false)}>
              cancel
            </button>
          </form>
        )}
        <div className="row alert-actions">
          {!a.acknowledged && !noting && (
            <button type="button" className="small" onClick={() => setNoting(true)} disabled={busy} aria-label={`acknowledge ${label}`}>
              acknowledge
            </button>
          )}
          {!a.retrain && (
            <button
              type="button"
              className="small"
              onClick={() => act(() => retrain(a.model, a.id))}
              disabled={busy || working}
              aria-label={`retrain ${a.model} for ${label}`}
              title="Train a challenger on the training set plus the feedback labels; it replaces the champion only if it scores better on the same evaluation set"
            >
              retrain
            </button>
          )}
        </div>
      </div>
    </li>
  );
}

function RetrainOutcome({ r }: { r: NonNullable<Alert['retrain']> }) {
  if (r.status === 'running')
    return (
      <div className="hint" data-testid="alert-retrain">
        <Spinner label={`retraining (run ${r.runId})`} />
      </div>
    );
  if (r.status === 'failed')
    return (
      <div className="hint bad" data-testid="alert-retrain">
        retrain failed: {r.error}
      </div>
    );
  return (
    <div className="hint" data-testid="alert-retrain">
      {r.promoted ? 'champion replaced' : 'champion kept'}: champion v{r.champion?.version} F1 {num(r.champion?.f1, 3)}, challenger
      {r.challenger ? ` v${r.challenger.version} F1 ${num(r.challenger.f1, 3)}` : ' none'}
      {r.evaluationSet ? ` on ${r.evaluationSet}` : ''}. {r.reason}
    </div>
  );
}

/** the webhook alerts are sent to: its URL, and a test payload sent now */
function Webhook() {
  const [url, setUrl] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  const [working, setWorking] = useState(false);
  useEffect(() => {
    void api.monitorSettings().then(
      (s) => {
        setUrl(s.webhookUrl ?? '');
        setSaved(s.webhookUrl ?? '');
      },
      () => setUrl(''),
    );
  }, []);
  if (url === undefined) return null;
  const act = async (fn: () => Promise<{ ok: boolean; text: string }>) => {
    setWorking(true);
    setOutcome(undefined);
    try {
      setOutcome(await fn());
    } catch (e) {
      setOutcome({ ok: false, text: errorText(e) });
    } finally {
      setWorking(false);
    }
  };
  return (
    <form
      className="row webhook"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          await api.saveMonitorSettings({ webhookUrl: url.trim() || null });
          setSaved(url.trim());
          return { ok: true, text: url.trim() ? 'saved' : 'webhook removed' };
        });
      }}
    >
      <label className="field inline grow">
        <span>Webhook</span>
        <input aria-label="webhook URL" placeholder="https://… (alerts are POSTed here)" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <button type="submit" className="small" disabled={working || url.trim() === (saved ?? '')}>
        save
      </button>
      <button
        type="button"
        className="small"
        disabled={working || !saved}
        title="Send a test payload (an alert's shape, test: true) to the saved webhook"
        onClick={() =>
          void act(async () => {
            const r = await api.testWebhook();
            return { ok: r.delivered, text: r.delivered ? `delivered: ${r.url} answered ${r.status}` : `not delivered to ${r.url}: ${r.error}` };
          })
        }
      >
        Send test
      </button>
      {working && <Spinner />}
      {outcome && (
        <span className={outcome.ok ? 'hint good' : 'hint bad'} data-testid="webhook-outcome" role="status">
          {outcome.text}
        </span>
      )}
    </form>
  );
}
