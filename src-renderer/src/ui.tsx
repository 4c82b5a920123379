/** Small shared pieces of the console: cards, errors in place, empty states, progress, icons, formats. */
import { useEffect, useId, type ReactNode } from 'react';
import { useShell } from './store/shell';

/* ---------- layout ---------- */

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

/* ---------- states ---------- */

export function ErrorBox({ error, onRetry, title }: { error?: string; onRetry?: () => void; title?: string }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <Icon name="alert" />
      <div className="error-body">
        {title && <strong>{title}</strong>} <span>{error}</span>
      </div>
      {onRetry && (
        <button type="button" className="small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ icon = 'info', title, children, action, tone }: { icon?: IconName; title: ReactNode; children?: ReactNode; action?: ReactNode; tone?: 'feature' }) {
  return (
    <div className={`empty ${tone ?? ''}`}>
      <div className="empty-icon" aria-hidden="true">
        <Icon name={icon} size={20} />
      </div>
      <div className="empty-title">{title}</div>
      {children && <div className="empty-body">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export const Spinner = ({ label = 'Loading' }: { label?: string }) => (
  <span className="spinner" role="status">
    <span className="spin" aria-hidden="true" />
    {label}…
  </span>
);

/** a determinate bar for 0..1, an indeterminate one without a value */
export function Progress({ value, label }: { value?: number; label: string }) {
  const pctValue = value === undefined ? undefined : Math.max(0, Math.min(100, Math.round(value * 100)));
  return (
    <div className={`progress ${value === undefined ? 'indeterminate' : ''}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pctValue}>
      <div style={{ width: value === undefined ? undefined : `${pctValue}%` }} />
    </div>
  );
}

export function Stat({ label, value, hint, tone, testId }: { label: string; value: ReactNode; hint?: ReactNode; tone?: 'good' | 'bad' | 'warn'; testId?: string }) {
  return (
    <div className={`stat ${tone ?? ''}`} data-testid={testId}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}

/* ---------- controls ---------- */

/** a group of radio buttons drawn as a segmented control (keyboard: arrows within, tab across) */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  name,
}: {
  label: string;
  value: T;
  options: { value: T; label: ReactNode; title?: string; disabled?: boolean }[];
  onChange: (v: T) => void;
  name?: string;
}) {
  const auto = useId();
  return (
    <fieldset className="segmented" aria-label={label}>
      <legend className="sr-only">{label}</legend>
      {options.map((o) => (
        <label key={o.value} className={`${o.value === value ? 'on' : ''} ${o.disabled ? 'disabled' : ''}`} title={o.title}>
          <input type="radio" name={name ?? auto} value={o.value} checked={o.value === value} disabled={o.disabled} onChange={() => onChange(o.value)} />
          <span>{o.label}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** call `fn` now and every `ms` while mounted and the page is visible */
export function useInterval(fn: () => void, ms: number, deps: unknown[] = []) {
  useEffect(() => {
    fn();
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') fn();
    }, ms);
    return () => clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}

/* ---------- charts ---------- */

export const SERIES = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];

/** concrete colours for recharts (SVG attributes do not resolve CSS variables) */
export function useChartTheme() {
  const dark = useShell((s) => s.theme) === 'dark';
  return {
    grid: dark ? '#2a313b' : '#e6e9ee',
    axis: dark ? '#8b95a3' : '#6b7480',
    tooltip: {
      contentStyle: { background: dark ? '#1c2128' : '#ffffff', border: `1px solid ${dark ? '#343b46' : '#dfe3e8'}`, borderRadius: 6, fontSize: 12, color: dark ? '#e6e9ee' : '#1b1f24' },
      labelStyle: { color: dark ? '#aab3bf' : '#5f6b7a' },
      itemStyle: { padding: 0 },
    },
    tick: { fontSize: 11, fill: dark ? '#8b95a3' : '#6b7480' },
    reference: dark ? '#64748b' : '#94a3b8',
  };
}

/* ---------- formats ---------- */

export const pct = (x: number | undefined | null, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(d)}%`);
export const num = (x: number | undefined | null, d = 3) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(d));
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '–');
export const day = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : '–');
export const clock = (t: string | number) => new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
export function ago(iso: string | number | null | undefined): string {
  if (!iso) return '–';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
export const seconds = (ms: number | undefined) => (ms === undefined ? '–' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/* ---------- icons (inline SVG: no fonts, no network) ---------- */

const PATHS = {
  inbox: 'M3 13h4l2 3h6l2-3h4M5 5h14l2 8v6H3v-6z',
  database: 'M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3zm0 0v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3',
  training: 'M3 17l5-6 4 4 8-9M15 6h5v5',
  serving: 'M4 5h16v5H4zM4 14h16v5H4zM8 7.5h.01M8 16.5h.01',
  drift: 'M3 8c3-3 6 3 9 0s6-3 9 0M3 16c3-3 6 3 9 0s6-3 9 0',
  sun: 'M12 4V2M12 22v-2M4 12H2M22 12h-2M5.6 5.6 4.2 4.2M19.8 19.8l-1.4-1.4M5.6 18.4l-1.4 1.4M19.8 4.2l-1.4 1.4M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z',
  moon: 'M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z',
  refresh: 'M20 11a8 8 0 0 0-14.9-3M4 4v4h4M4 13a8 8 0 0 0 14.9 3M20 20v-4h-4',
  alert: 'M12 9v4M12 17h.01M10.3 3.9 2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z',
  info: 'M12 16v-4M12 8h.01M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  external: 'M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5',
  send: 'M4 12l16-8-6 16-2.5-6.5z',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4',
  play: 'M7 5v14l12-7z',
  stop: 'M6 6h12v12H6z',
  flag: 'M5 21V4h11l-1.5 4L16 12H5',
  history: 'M3 12a9 9 0 1 0 3-6.7M3 4v5h5M12 8v4l3 2',
  layers: 'M12 3 3 8l9 5 9-5zM3 13l9 5 9-5M3 17.5l9 5 9-5',
  bell: 'M6 16V11a6 6 0 1 1 12 0v5l2 2H4zM10 21h4',
  chart: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
} as const;
export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg className={`icon ${className ?? ''}`} width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} />
    </svg>
  );
}
