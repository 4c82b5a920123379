/**
 * How stored messages reach the feature step: the embedded change log, or NATS JetStream (the seed's
 * chapter 4) with its consumer lag, throughput, redeliveries and dead letters (each with a Retry).
 */
import { useIngestion } from '../../store/ingestion';
import { Card, Empty, ErrorBox, Spinner, Stat, ago, num, useInterval } from '../../ui';

export function Ingestion() {
  const stats = useIngestion((s) => s.stats);
  const poll = useIngestion((s) => s.poll);
  useInterval(() => void poll(), 3000);
  if (stats.missing)
    return (
      <Card title="Ingestion">
        <Empty icon="info" title="Ingestion figures are not available on this API">
          <code>GET /ingestion/stats</code> answered 404: this server predates the change log and the stream.
        </Empty>
      </Card>
    );
  const s = stats.data;
  const stream = s?.stream;
  const lag = s ? s.change_log.pending + (s.incoming?.pending ?? 0) + (s.features.pending ?? 0) : undefined;
  return (
    <Card
      title="Ingestion"
      testId="ingestion"
      subtitle={
        !s
          ? undefined
          : stream
            ? `NATS JetStream at ${stream.servers}: ${stream.subject} → inboxes, ${stream.changes_subject} → feature step, dead letters in ${stream.dead_letter_subject}`
            : 'Embedded change log: the feature step follows the changes of the user-data store (no outside service; SPAMOPS_STREAM_URL turns the stream on)'
      }
      actions={stats.loading && !s ? <Spinner /> : undefined}
    >
      <ErrorBox error={stats.error} onRetry={() => void poll()} />
      {s && (
        <div className="stat-row">
          <Stat
            label="stream"
            testId="ingestion-stream"
            value={!stream ? 'off' : stream.connected ? 'connected' : 'unavailable'}
            tone={!stream ? undefined : stream.connected ? 'good' : 'bad'}
            hint={
              !stream
                ? 'embedded change log'
                : stream.connected
                  ? `since ${ago(stream.since)}`
                  : `since ${ago(stream.since)}: stored messages wait in the change log`
            }
          />
          <Stat
            label="consumer lag"
            testId="ingestion-lag"
            value={lag?.toLocaleString() ?? '–'}
            hint={[
              `change log ${s.change_log.pending}`,
              s.incoming ? `${stream?.subject} ${s.incoming.pending ?? '?'}` : undefined,
              stream ? `${stream.changes_subject} ${s.features.pending ?? '?'}` : undefined,
            ]
              .filter(Boolean)
              .join(' · ')}
          />
          <Stat
            label="processed / s"
            value={num(s.features.per_second, 1)}
            hint={`feature step, ${s.features.processed.toLocaleString()} since start${s.incoming ? ` · entry ${num(s.incoming.per_second, 1)}/s` : ''}`}
          />
          <Stat
            label="redeliveries"
            value={(s.features.redelivered + (s.incoming?.redelivered ?? 0)).toLocaleString()}
            tone={s.features.failures + (s.incoming?.failures ?? 0) > 0 ? 'warn' : undefined}
            hint={`${s.features.failures + (s.incoming?.failures ?? 0)} failed attempts since start`}
          />
          <Stat
            label="dead letters"
            testId="ingestion-dead"
            value={s.dead_letters ?? '–'}
            tone={s.dead_letters ? 'warn' : undefined}
            hint={stream ? `after ${stream.max_deliver} failed deliveries, or at once when unusable` : 'none without the stream'}
          />
        </div>
      )}
      {stream && !stream.connected && <ErrorBox title="The stream is unavailable:" error={stream.reason ?? 'not connected'} />}
      {s && (s.features.last_error || s.change_log.last_error) && (
        <p className="hint-line">Last error: {s.features.last_error ?? s.change_log.last_error} (retried with backoff)</p>
      )}
      {stream && <DeadLetters />}
    </Card>
  );
}

function DeadLetters() {
  const letters = useIngestion((s) => s.deadLetters);
  const retrying = useIngestion((s) => s.retrying);
  const retried = useIngestion((s) => s.retried);
  const retry = useIngestion((s) => s.retry);
  const list = letters.data ?? [];
  return (
    <div className="stack">
      <h3 className="sub-title">Dead letters</h3>
      <ErrorBox error={letters.error} />
      {retried && (
        <p className={`feedback ${retried.ok ? 'ok' : 'bad'}`} role="status">
          Dead letter {retried.seq}: {retried.message}
        </p>
      )}
      {letters.data && list.length === 0 && <p className="muted small">None: every message published so far was stored.</p>}
      {list.length > 0 && (
        <div className="scroll">
          <table className="compact" aria-label="dead letters">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>failed</th>
                <th>from</th>
                <th>reason</th>
                <th className="num">deliveries</th>
                <th>message</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.seq} data-testid="dead-letter">
                  <td className="num">{d.seq}</td>
                  <td className="nowrap" title={d.failed_at}>
                    {ago(d.failed_at)}
                  </td>
                  <td className="mono tiny">{d.subject}</td>
                  <td>{d.reason}</td>
                  <td className="num">{d.deliveries}</td>
                  <td className="mono tiny" title={d.data}>
                    {d.data.length > 80 ? `${d.data.slice(0, 80)}…` : d.data}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="small"
                      onClick={() => void retry(d.seq)}
                      disabled={retrying !== undefined || !d.retryable}
                      aria-label={`retry dead letter ${d.seq}`}
                      title={d.retryable ? `Publish it again to ${d.subject}` : 'It can never be stored as it is: publish a corrected message instead'}
                    >
                      {retrying === d.seq ? 'Retrying…' : 'Retry'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
