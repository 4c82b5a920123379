import type { RegistryDiffEntry } from '../../../../src-shared/featurestore';

const SIGN = { added: '+', removed: '−', changed: '~' } as const;

const short = (x: unknown) => {
  const s = JSON.stringify(x);
  return s === undefined ? '∅' : s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

export function DiffEntry({ d }: { d: RegistryDiffEntry }) {
  return (
    <li className={`diff-entry ${d.change}`}>
      <span className="diff-sign" aria-hidden="true">
        {SIGN[d.change]}
      </span>
      <span className="kind">{d.kind.replace('_', ' ')}</span> <code>{d.name}</code> <span className="muted">{d.change}</span>
      {d.fields && d.fields.length > 0 && (
        <ul className="diff-fields">
          {d.fields.map((f) => (
            <li key={f.path}>
              <code>{f.path}</code>: <span className="before">{short(f.before)}</span> → <span className="after">{short(f.after)}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
