/** Earlier imports: what, when, how many rows, how it ended. */
import { useData } from '../../store/data';
import { Card, ErrorBox, when } from '../../ui';

export function ImportHistory() {
  const imports = useData((s) => s.imports);
  const follow = useData((s) => s.follow);
  const list = imports.data ?? [];
  if (list.length === 0 && !imports.error) return null;
  return (
    <Card title="Imports" subtitle="The last 50">
      <ErrorBox error={imports.error} />
      <table className="compact">
        <thead>
          <tr>
            <th>when</th>
            <th>source</th>
            <th>status</th>
            <th className="num">read</th>
            <th className="num">new</th>
            <th className="num">bad rows</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((j) => (
            <tr key={j.id}>
              <td className="nowrap">{when(j.createdAt)}</td>
              <td>
                {j.source.name}
                {j.via && <span className="muted small"> · {j.via}</span>}
              </td>
              <td>
                <span className={`status-pill run-${j.status === 'succeeded' ? 'succeeded' : j.status === 'failed' ? 'failed' : 'running'}`}>{j.status}</span>
              </td>
              <td className="num">{j.report?.read ?? '–'}</td>
              <td className="num">{j.report?.inserted ?? '–'}</td>
              <td className="num">{j.report?.problemCount ?? '–'}</td>
              <td>
                <button type="button" className="link small" onClick={() => follow(j)} aria-label={`show import ${j.source.name}`}>
                  show
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
