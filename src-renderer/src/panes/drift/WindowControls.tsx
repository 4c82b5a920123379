/** The window (last N predictions or a time range) and the reference (training rows or an earlier window) of the Drift pane's report. */
import { useState } from 'react';
import type { DriftChoice } from '../../api';
import { useDrift } from '../../store/drift';

const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function WindowControls() {
  const setChoice = useDrift((s) => s.setChoice);
  const [mode, setMode] = useState<'last' | 'range'>('last');
  const [size, setSize] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [reference, setReference] = useState<'training' | 'window'>('training');
  const [refFrom, setRefFrom] = useState('');
  const [refTo, setRefTo] = useState('');
  const apply = () => {
    const c: DriftChoice =
      mode === 'last' ? { size: size ? Number(size) : undefined } : { from: iso(from), to: iso(to), size: size ? Number(size) : undefined };
    if (reference === 'window') Object.assign(c, { reference: 'window', referenceFrom: iso(refFrom), referenceTo: iso(refTo) });
    void setChoice(c);
  };
  return (
    <div className="row wrap" data-testid="drift-window-controls">
      <label className="field inline">
        <span>Window</span>
        <select aria-label="window kind" value={mode} onChange={(e) => setMode(e.target.value as 'last' | 'range')}>
          <option value="last">last N predictions</option>
          <option value="range">a time range</option>
        </select>
      </label>
      <label className="field inline">
        <span>N</span>
        <input aria-label="window size" type="number" min={1} max={100000} placeholder="setting" value={size} onChange={(e) => setSize(e.target.value)} />
      </label>
      {mode === 'range' && (
        <>
          <label className="field inline">
            <span>from</span>
            <input aria-label="window from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="field inline">
            <span>to</span>
            <input aria-label="window to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        </>
      )}
      <label className="field inline">
        <span>Reference</span>
        <select aria-label="reference" value={reference} onChange={(e) => setReference(e.target.value as 'training' | 'window')}>
          <option value="training">training rows of the version</option>
          <option value="window">an earlier window of live traffic</option>
        </select>
      </label>
      {reference === 'window' && (
        <>
          <label className="field inline">
            <span>from</span>
            <input aria-label="reference from" type="datetime-local" value={refFrom} onChange={(e) => setRefFrom(e.target.value)} />
          </label>
          <label className="field inline">
            <span>to</span>
            <input aria-label="reference to" type="datetime-local" value={refTo} onChange={(e) => setRefTo(e.target.value)} />
          </label>
        </>
      )}
      <button type="button" onClick={apply}>
        Apply window and reference
      </button>
    </div>
  );
}
