/** A progress bar. */
/** a determinate bar for 0..1, an indeterminate one without a value */
export function Progress({ value, label }: { value?: number; label: string }) {
  const pctValue = value === undefined ? undefined : Math.max(0, Math.min(100, Math.round(value * 100)));
  return (
    <div
      className={`progress ${value === undefined ? 'indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pctValue}
    >
      <div style={{ width: value === undefined ? undefined : `${pctValue}%` }} />
    </div>
  );
}
