/** A feature service's training set at a chosen time, and the statistics of its features (as the view statistics). */
import { useState } from 'react';
import { api, errorText } from '../../api';
import { useFeatures } from '../../store/features';
import { Card, ErrorBox, Icon, Spinner, when } from '../../ui';
import { StatisticsTable } from './Statistics';

/** a datetime-local value as UTC ISO (the console's times are UTC); empty: now */
const utc = (d: string) => (d ? `${d.length === 16 ? `${d}:00` : d}Z` : '');

export function ServiceStatistics() {
  const services = useFeatures((s) => s.services.data);
  const st = useFeatures((s) => s.serviceStats);
  const loadServiceStats = useFeatures((s) => s.loadServiceStats);
  const [service, setService] = useState(st.service ?? '');
  const [at, setAt] = useState('');
  const [exportError, setExportError] = useState<string>();
  const chosen = service || services?.[services.length - 1]?.name || 'labeled_sms_2';
  const s = st.data;
  return (
    <Card
      title="Training-set statistics"
      subtitle={
        s
          ? `${s.service} at ${when(s.at)} (UTC ${s.at}): ${s.rows.toLocaleString()} entity rows of ${s.views.join(' + ')}, point in time · computed ${when(s.computed_at)}`
          : "a feature service's training set at a time: every key of its views' sources, each feature as it was known then"
      }
    >
      <form
        className="row wrap-tight"
        onSubmit={(e) => {
          e.preventDefault();
          void loadServiceStats(chosen, utc(at));
        }}
      >
        <label className="field">
          <span>Feature service</span>
          <select aria-label="feature service for statistics" value={chosen} onChange={(e) => setService(e.target.value)}>
            {(services ?? [{ name: chosen }]).map((sv) => (
              <option key={sv.name}>{sv.name}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>At (UTC; empty: now)</span>
          <input type="datetime-local" step={1} aria-label="training set time" value={at} onChange={(e) => setAt(e.target.value)} />
        </label>
        <button type="submit" className="primary align-end" disabled={st.loading} aria-label="compute the training-set statistics">
          <Icon name="refresh" size={13} /> Compute
        </button>
        <button
          type="button"
          className="small align-end"
          aria-label="export the training-set statistics as CSV"
          onClick={() => {
            setExportError(undefined);
            api
              .downloadCsv(`/registry/feature-services/${encodeURIComponent(chosen)}/statistics`, { at: utc(at) || undefined }, `${chosen}-statistics.csv`)
              .catch((e) => setExportError(errorText(e)));
          }}
        >
          CSV
        </button>
        {st.loading && <Spinner />}
      </form>
      <ErrorBox error={st.error ?? exportError} onRetry={() => void loadServiceStats(chosen, utc(at))} />
      {s && <StatisticsTable features={s.features} testId="service-statistics" />}
    </Card>
  );
}
