/** A labelled figure. */
import type { ReactNode } from 'react';

export function Stat({
  label,
  value,
  hint,
  tone,
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: 'good' | 'bad' | 'warn';
  testId?: string;
}) {
  return (
    <div className={`stat ${tone ?? ''}`} data-testid={testId}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}
