import { useState } from 'react';
import { api, errorText } from '../../api';
import { useServing } from '../../store/serving';
import { Card, Empty, ErrorBox, Icon, Spinner, clock, when } from '../../ui';

export function CallLog() {
  const version = useServing((s) => s.version);
  const log = useServing((s) => s.log);
  const loadLog = useServing((s) => s.loadLog);
  const [exportError, setExportError] = useState<string>();
  return (
    <Card
      title={`Recent calls to ${version}`}
      subtitle="Your calls of the last hour, newest first, its tried versions' included (GET /serving/call-log)"
      actions={
        <>
          <button type="button" className="small" onClick={() => void loadLog()} aria-label="reload the call log">
            <Icon name="refresh" size={13} /> Reload
          </button>
          <button
            type="button"
            className="small"
            aria-label="export the call log as CSV"
            onClick={() => {
              setExportError(undefined);
              api.downloadCsv('/serving/call-log', { version }, `call-log-${version}.csv`).catch((e) => setExportError(errorText(e)));
            }}
          >
            CSV
          </button>
        </>
      }
    >
      <ErrorBox error={log.error ?? exportError} />
      {log.loading && !log.data && <Spinner />}
      {log.data?.length === 0 && (
        <Empty title="No calls in the last hour">Predict a text on the left, or check messages in the Inbox: each call is logged here for an hour.</Empty>
      )}
      {log.data && log.data.length > 0 && (
        <div className="scroll medium">
          <table className="compact sticky">
            <thead>
              <tr>
                <th>called at</th>
                <th>endpoint</th>
                <th>version</th>
                <th>input</th>
              </tr>
            </thead>
            <tbody>
              {log.data.slice(0, 100).map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: calls have no id and may repeat within a millisecond; the list is replaced whole
                <tr key={i}>
                  <td className="nowrap" title={when(r.called_at)}>
                    {clock(r.called_at)}
                  </td>
                  <td>
                    <code>{r.endpoint}</code>
                  </td>
                  <td className="mono nowrap">{r.version}</td>
                  <td className="mono ellipsis" title={r.input_json}>
                    {r.input_json}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
