/** The runs table, sortable, with cancel and compare. */
import { useDeferredValue, useMemo } from 'react';
import type { RunRecord } from '../../api';
import { useTraining, TERMINAL, type SortKey } from '../../store/training';
import { Card, Empty, ErrorBox, Icon, Spinner, num, seconds, when } from '../../ui';
import { StatusPill } from './StatusPill';

function sortValue(r: RunRecord, k: SortKey): string | number {
  switch (k) {
    case 'accuracy':
      return r.metrics?.accuracy ?? -1;
    case 'f1':
      return r.metrics?.f1 ?? -1;
    case 'duration':
      return r.durationMs ?? -1;
    case 'version':
      return Number(r.version ?? -1);
    case 'backend':
      return r.backend ?? '';
    default:
      return String(r[k] ?? '');
  }
}

export function Runs() {
  const runs = useDeferredValue(useTraining((s) => s.runs));
  const sort = useTraining((s) => s.sort);
  const sortBy = useTraining((s) => s.sortBy);
  const compare = useTraining((s) => s.compare);
  const toggleCompare = useTraining((s) => s.toggleCompare);
  const open = useTraining((s) => s.open);
  const cancel = useTraining((s) => s.cancel);
  const viewId = useTraining((s) => s.view?.id);
  const loadAll = useTraining((s) => s.loadAll);
  const sorted = useMemo(() => {
    const list = [...(runs.data ?? [])];
    return list.sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -c : c;
    });
  }, [runs.data, sort]);
  const head = (k: SortKey, label: string, cls?: string) => (
    <th className={cls} aria-sort={sort.key === k ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => sortBy(k)}>
        {label}
        <span className="sort-mark" aria-hidden="true">
          {sort.key === k ? (sort.desc ? '▾' : '▴') : '↕'}
        </span>
      </button>
    </th>
  );
  return (
    <Card
      title="Runs"
      subtitle={runs.data ? `${runs.data.length} run${runs.data.length === 1 ? '' : 's'} · tick two or more to compare their curves` : undefined}
      actions={
        <button type="button" className="small" onClick={() => void loadAll()} aria-label="reload runs">
          <Icon name="refresh" size={13} /> Reload
        </button>
      }
    >
      <ErrorBox error={runs.error} onRetry={() => void loadAll()} />
      {runs.loading && !runs.data && <Spinner />}
      {runs.data?.length === 0 && (
        <Empty icon="training" title="No runs yet">
          Start one above, or from a terminal: <code>npx spamops train v1</code>.
        </Empty>
      )}
      {sorted.length > 0 && (
        <div className="scroll">
          <table className="runs fit">
            <thead>
              <tr>
                <th className="narrow">
                  <span className="sr-only">compare</span>
                </th>
                {head('createdAt', 'created')}
                {head('model', 'model')}
                {head('status', 'status')}
                {head('accuracy', 'accuracy', 'num')}
                {head('f1', 'F1 spam', 'num')}
                {head('version', 'version', 'num')}
                <th />
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr key={r.id} className={r.id === viewId ? 'selected' : ''}>
                  <td className="narrow">
                    <input type="checkbox" aria-label={`compare ${r.id}`} checked={compare.includes(r.id)} onChange={() => toggleCompare(r.id)} />
                  </td>
                  <td title={r.id}>{when(r.createdAt)}</td>
                  <td className="clip" title={[r.model, r.name, r.note].filter(Boolean).join(' · ')}>
                    <b>{r.model}</b>
                    {r.name && <span data-testid="run-name"> · {r.name}</span>}
                    {r.note && <span className="muted small"> · {r.note}</span>}
                    {r.tags?.length ? (
                      <div className="tags-line">
                        {r.tags.map((t) => (
                          <span key={t} className="tag small-tag">
                            {t}
                          </span>
                        ))}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <StatusPill status={r.status} />
                    {/* secondary: under the status, so the table fits 1024 px without scrolling sideways */}
                    <div className="muted tiny" title="backend · duration">
                      {r.backend ?? '–'} · {seconds(r.durationMs)}
                    </div>
                  </td>
                  <td className="num">{num(r.metrics?.accuracy)}</td>
                  <td className="num">{num(r.metrics?.f1)}</td>
                  <td className="num">{r.version ?? '–'}</td>
                  <td className="row-actions">
                    <button type="button" className="small" onClick={() => void open(r.id)} aria-label={`open run ${r.id}`}>
                      Open
                    </button>
                    {!TERMINAL.has(r.status) && (
                      <button type="button" className="small danger" onClick={() => void cancel(r.id)} aria-label={`cancel run ${r.id}`}>
                        Cancel
                      </button>
                    )}
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
