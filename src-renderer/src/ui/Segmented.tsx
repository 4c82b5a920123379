/** A segmented control. */
import { useId, type ReactNode } from 'react';

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
