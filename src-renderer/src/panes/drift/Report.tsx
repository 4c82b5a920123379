import { useState } from 'react';
import { api, errorText } from '../../api';
import { monitoredModels, useDrift } from '../../store/drift';
import { Card, Empty, ErrorBox, Spinner } from '../../ui';
import { ReportBody } from './ReportBody';
import { WindowControls } from './WindowControls';

export function Report() {
  const models = useDrift((s) => s.models);
  const chosen = useDrift((s) => s.chosen);
  const report = useDrift((s) => s.report);
  const checking = useDrift((s) => s.checking);
  const choose = useDrift((s) => s.choose);
  const runCheck = useDrift((s) => s.runCheck);
  const ids = monitoredModels(models.data);
  const model = chosen ?? ids[0];
  // a window the API refused: its error, not the report of the window before under it (it read as the new one's)
  const r = report.error ? undefined : report.data;
  const [saveError, setSaveError] = useState<string>();
  const save = async (m: string, format: 'html' | 'json') => {
    setSaveError(undefined);
    try {
      await api.downloadDriftReport(m, useDrift.getState().choice, format);
    } catch (e) {
      setSaveError(`saving the report failed: ${errorText(e)}`);
    }
  };
  return (
    <Card
      title="Data drift: a window of predictions against a reference"
      subtitle="The window of recorded predictions of the served version, per feature, against the rows it was trained on (or an earlier window of live traffic)"
      actions={
        <>
          <label className="field inline">
            <span>Model</span>
            <select aria-label="drift model" value={model ?? ''} onChange={(e) => void choose(e.target.value)} disabled={ids.length === 0}>
              {ids.map((id) => (
                <option key={id}>{id}</option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="primary"
            onClick={() => void runCheck()}
            disabled={!model || checking.loading}
            title="Compute the report now, store it in the time series and raise an alert if drift starts"
          >
            {checking.loading ? <Spinner label="Checking" /> : 'Run check (store + alert)'}
          </button>
          <button
            type="button"
            onClick={() => model && void save(model, 'html')}
            disabled={!model || !r}
            title="The report as one self-contained HTML page (charts included, opens offline), to share"
          >
            Download report (HTML)
          </button>
          <button type="button" onClick={() => model && void save(model, 'json')} disabled={!model || !r} title="The report as JSON">
            Download report (JSON)
          </button>
        </>
      }
    >
      <WindowControls />
      <ErrorBox error={models.error ?? report.error ?? checking.error ?? saveError} onRetry={() => void useDrift.getState().loadAll()} />
      {(models.loading || report.loading) && !r && <Spinner />}
      {models.data && ids.length === 0 && (
        <Empty icon="drift" title="No trained model yet">
          Train one in the Training pane, then serve some predictions: the report compares them with the training rows.
        </Empty>
      )}
      {r && r.window.n === 0 && (
        <Empty icon="drift" title={`No predictions of ${model} version ${r.version} recorded yet`}>
          Serve some (Inbox or Try it), or replay messages: <code>npx spamops simulate --pattern '^sms15[6-9]' --count 500</code>.
        </Empty>
      )}
      {r && r.window.n > 0 && <ReportBody r={r} />}
    </Card>
  );
}
