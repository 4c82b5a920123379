/** Terms and their values (a `<dl>`), each pair in its own row element. */
import type { ReactNode } from 'react';

export interface Definition {
  term: ReactNode;
  value: ReactNode;
  /** spans the whole width of a `.meta` grid */
  wide?: boolean;
  /** shown on hover over the value (e.g. the exact time behind a relative one) */
  title?: string;
}

export function DefinitionList({ items, className }: { items: Definition[]; className?: string }) {
  return (
    <dl className={className}>
      {items.map((d, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed in order, its index is its identity
        <div key={i} className={d.wide ? 'wide' : undefined}>
          <dt>{d.term}</dt>
          <dd title={d.title}>{d.value}</dd>
        </div>
      ))}
    </dl>
  );
}
