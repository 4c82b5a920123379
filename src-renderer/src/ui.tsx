/** Small shared pieces of the console: cards, errors in place, empty states, loading, a loader hook. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { errorText } from './api';

export function Card({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="card">
      <header className="card-head">
        <h2>{title}</h2>
        {actions && <div className="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export const ErrorBox = ({ error }: { error?: string }) =>
  error ? (
    <div className="error" role="alert">
      {error}
    </div>
  ) : null;

export const Empty = ({ children }: { children: ReactNode }) => <div className="empty">{children}</div>;

export const Spinner = ({ label = 'Loading' }: { label?: string }) => (
  <span className="spinner" role="status">
    <span className="dot" /> {label}…
  </span>
);

export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const reload = useCallback(async () => {
    setState((s) => ({ ...s, loading: true }));
    try {
      setState({ data: await load(), loading: false });
    } catch (e) {
      setState({ error: errorText(e), loading: false });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload };
}

export const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(1)} %`);
export const num = (x: number | undefined, d = 4) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '–');
