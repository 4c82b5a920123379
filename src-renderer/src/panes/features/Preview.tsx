/** The offline browser: pages of a file source, sorted by a column, filtered by id prefix, label and time, chosen columns. */
import { useEffect, useState } from 'react';
import { api, errorText } from '../../api';
import { BROWSE_DEFAULT, browseParams, type BrowseState, useFeatures, OFFLINE_SOURCES } from '../../store/features';
import { Card, Empty, ErrorBox, Segmented, Spinner } from '../../ui';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(+v.toFixed(4));
  if (Array.isArray(v)) return v.join(' ');
  const s = String(v);
  return /^\d{4}-\d\d-\d\dT/.test(s) ? s.replace('T', ' ').replace(/\.000Z$|Z$/, '') : s;
}

const FIXED = ['entity_key', 'event_timestamp', 'created_timestamp'];

export function Preview() {
  const source = useFeatures((s) => s.previewSource);
  const p = useFeatures((s) => s.preview);
  const b = useFeatures((s) => s.browse);
  const loadPreview = useFeatures((s) => s.loadPreview);
  const setBrowse = useFeatures((s) => s.setBrowse);
  // the selector returns the stored object (a new array per call would re-render without end)
  const sourceInfo = useFeatures((s) => s.sources.data?.find((x) => x.name === source));
  const sourceColumns = sourceInfo?.columns?.map((c) => c.name) ?? [];
  // the filter form is edited locally, applied on submit
  const [form, setForm] = useState<BrowseState>(b);
  const [exportError, setExportError] = useState<string>();
  useEffect(() => setForm(b), [b]);
  // once, on mount: what is there already stays (the source is chosen in the card)
  useEffect(() => {
    const { preview } = useFeatures.getState();
    if (!preview.data && !preview.loading) void loadPreview();
  }, [loadPreview]);
  const cols = p.data?.columns ?? (p.data?.rows[0] ? Object.keys(p.data.rows[0]) : []);
  const matched = p.data?.matched_rows ?? p.data?.total_rows ?? 0;
  const picked = b.columns ? b.columns.split(',') : [];
  const sortBy = (c: string) => void setBrowse({ sort: c, order: b.sort === c && b.order === 'desc' ? 'asc' : 'desc' });
  return (
    <Card
      title="Offline rows"
      subtitle={
        p.data
          ? `rows ${matched ? b.offset + 1 : 0}–${b.offset + p.data.rows.length} of ${matched.toLocaleString()} matching (${p.data.total_rows.toLocaleString()} rows in ${p.data.parts} Parquet part${p.data.parts === 1 ? '' : 's'})`
          : 'rows of a file source'
      }
      actions={
        <>
          {p.loading && <Spinner />}
          <Segmented
            label="offline source"
            value={source}
            onChange={(v) => void loadPreview(v)}
            options={OFFLINE_SOURCES.map((x) => ({ value: x, label: x }))}
          />
          <button
            type="button"
            className="small"
            aria-label="export this page as CSV"
            onClick={() => {
              setExportError(undefined);
              api
                .downloadCsv(`/offline/${encodeURIComponent(source)}/preview`, browseParams(b), `${source}-rows-${b.offset + 1}.csv`)
                .catch((e) => setExportError(errorText(e)));
            }}
          >
            CSV
          </button>
        </>
      }
    >
      <form
        className="row wrap"
        aria-label="offline filters"
        onSubmit={(e) => {
          e.preventDefault();
          void setBrowse({ prefix: form.prefix.trim(), label: form.label, from: form.from, to: form.to });
        }}
      >
        <label>
          id prefix <input aria-label="id prefix" value={form.prefix} onChange={(e) => setForm({ ...form, prefix: e.target.value })} placeholder="sms10" />
        </label>
        {sourceColumns.includes('label') && (
          <label>
            label{' '}
            <select aria-label="label" value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })}>
              <option value="">any</option>
              <option value="spam">spam</option>
              <option value="ham">ham</option>
            </select>
          </label>
        )}
        <label>
          from (UTC) <input aria-label="from" type="datetime-local" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          to (UTC) <input aria-label="to" type="datetime-local" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <button type="submit" className="small">
          Filter
        </button>
        <button type="button" className="small" onClick={() => void setBrowse({ ...BROWSE_DEFAULT })}>
          Clear
        </button>
      </form>
      {sourceColumns.length > 0 && (
        <fieldset className="row wrap small" aria-label="columns">
          <span className="muted">columns:</span>
          {sourceColumns.map((c) => (
            <label key={c} className="nowrap">
              <input
                type="checkbox"
                checked={picked.length === 0 || picked.includes(c)}
                onChange={(e) => {
                  const now = picked.length === 0 ? sourceColumns : picked;
                  const next = e.target.checked ? sourceColumns.filter((x) => now.includes(x) || x === c) : now.filter((x) => x !== c);
                  if (next.length > 0) void setBrowse({ columns: next.length === sourceColumns.length ? '' : next.join(',') });
                }}
              />{' '}
              {c}
            </label>
          ))}
        </fieldset>
      )}
      <ErrorBox error={p.error ?? exportError} onRetry={() => void loadPreview()} />
      {p.data && p.data.rows.length === 0 && (
        <Empty title={p.data.total_rows === 0 ? `No rows in ${source}` : 'No rows match these filters'}>
          {p.data.total_rows === 0 ? (
            <>
              Build the offline sources with <code>npx spamops offline-sources</code>.
            </>
          ) : (
            'Clear or widen the filters.'
          )}
        </Empty>
      )}
      {p.data && p.data.rows.length > 0 && (
        <div className="scroll tall">
          <table className="compact sticky" data-testid="offline-rows">
            <thead>
              <tr>
                {cols.map((c) => (
                  <th key={c} aria-sort={b.sort === c ? (b.order === 'asc' ? 'ascending' : 'descending') : undefined}>
                    <button type="button" className="link" onClick={() => sortBy(c)} aria-label={`sort by ${c}`}>
                      {c}
                      {b.sort === c ? (b.order === 'asc' ? ' ▲' : ' ▼') : FIXED[1] === c && !b.sort ? ' ▼' : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {p.data.rows.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: offline rows have no unique key (an entity may repeat with equal times); the list is replaced whole
                <tr key={i}>
                  {cols.map((c) => (
                    <td key={c} className="mono nowrap">
                      {cell(r[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.data && (
        <div className="row">
          <button type="button" className="small" disabled={b.offset === 0} onClick={() => void setBrowse({ offset: Math.max(0, b.offset - b.limit) })}>
            ‹ Previous
          </button>
          <span className="muted small">
            page {Math.floor(b.offset / b.limit) + 1} of {Math.max(1, Math.ceil(matched / b.limit)).toLocaleString()}
          </span>
          <button type="button" className="small" disabled={!p.data.next_cursor} onClick={() => void setBrowse({ offset: b.offset + b.limit })}>
            Next ›
          </button>
        </div>
      )}
    </Card>
  );
}
