/** A titled card: the console's unit of layout. */
import { useId, type ReactNode } from 'react';

export function Card({
  title,
  subtitle,
  actions,
  children,
  className,
  testId,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  const id = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={id} data-testid={testId}>
      <header className="card-head">
        <div className="card-title">
          <h2 id={id}>{title}</h2>
          {subtitle && <p className="card-sub">{subtitle}</p>}
        </div>
        {actions && <div className="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
