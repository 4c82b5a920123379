import { useDrift } from '../../store/drift';
import { Card, Empty, ErrorBox, Icon, ago, when } from '../../ui';

export function Alerts() {
  const alerts = useDrift((s) => s.alerts);
  const ack = useDrift((s) => s.ack);
  const open = (alerts.data ?? []).filter((a) => !a.acknowledged).length;
  return (
    <Card title="Alerts" subtitle={alerts.data ? `${open} open of ${alerts.data.length}` : undefined}>
      <ErrorBox error={alerts.error} />
      {alerts.data?.length === 0 && (
        <Empty icon="bell" title="No alerts">
          They fire when dataset drift turns true or quality drops below its threshold.
        </Empty>
      )}
      <ul className="plain alerts">
        {alerts.data?.map((a) => (
          <li key={a.id} className={a.acknowledged ? 'alert-item muted' : 'alert-item'}>
            <Icon name={a.acknowledged ? 'check' : 'alert'} />
            <div className="alert-body">
              <div>
                <span className="badge spam">{a.kind}</span> <span title={when(a.at)}>{ago(a.at)}</span>
              </div>
              <div>{a.message}</div>
            </div>
            {!a.acknowledged && (
              <button
                type="button"
                className="small"
                onClick={() => void ack(a.id)}
                disabled={alerts.loading}
                aria-label={`acknowledge the ${a.kind} alert of ${when(a.at)}`}
              >
                acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
