/** The newest offline rows of a file source. */
import { useEffect } from 'react';
import { useFeatures, OFFLINE_SOURCES } from '../../store/features';
import { Card, Empty, ErrorBox, Segmented, Spinner } from '../../ui';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(+v.toFixed(4));
  if (Array.isArray(v)) return v.join(' ');
  const s = String(v);
  return /^\d{4}-\d\d-\d\dT/.test(s) ? s.replace('T', ' ').replace(/\.000Z$|Z$/, '') : s;
}

export function Preview() {
  const source = useFeatures((s) => s.previewSource);
  const p = useFeatures((s) => s.preview);
  const loadPreview = useFeatures((s) => s.loadPreview);
  // once, on mount: what is there already stays (the source is chosen in the card)
  useEffect(() => {
    const { preview } = useFeatures.getState();
    if (!preview.data && !preview.loading) void loadPreview();
  }, [loadPreview]);
  const cols = p.data?.rows[0] ? Object.keys(p.data.rows[0]) : [];
  return (
    <Card
      title="Offline rows"
      subtitle={
        p.data
          ? `newest ${p.data.rows.length} of ${p.data.total_rows.toLocaleString()} rows in ${p.data.parts} Parquet part${p.data.parts === 1 ? '' : 's'}`
          : 'newest rows of a file source'
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
        </>
      }
    >
      <ErrorBox error={p.error} onRetry={() => void loadPreview()} />
      {p.data && p.data.rows.length === 0 && (
        <Empty title={`No rows in ${source}`}>
          Build the offline sources with <code>npx spamops offline-sources</code>.
        </Empty>
      )}
      {p.data && p.data.rows.length > 0 && (
        <div className="scroll tall">
          <table className="compact sticky">
            <thead>
              <tr>
                {cols.map((c) => (
                  <th key={c}>{c}</th>
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
    </Card>
  );
}
