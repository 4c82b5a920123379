/** Online rows kept from earlier reads by a store (SQLite's, Redis's), shared by every later reader. */
import type { OnlineRow } from './types';

/**
 * Values kept (deeply frozen), each with its JSON text once it was first written: a kept value
 * never changes, so its text is written once and served as it is (`keptJson`). The entry goes
 * with the value when the store lets its kept row go.
 */
const keptTexts = new WeakMap<object, string | null>();

/** `value` deeply frozen and known as kept (its JSON text kept too, once first asked); returned as given */
export function kept<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !keptTexts.has(value)) {
    deepFreeze(value);
    keptTexts.set(value, null);
  }
  return value;
}

function deepFreeze(value: object): void {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) deepFreeze(v);
  Object.freeze(value);
}

/**
 * A value's JSON text, as `JSON.stringify` writes it (undefined, a function or a symbol as `null`,
 * where JSON.stringify would write nothing). A kept value's text is written on its first call and
 * then served as it is: V8 writes a frozen array through its slow path (2.46 µs for three
 * 30-token arrays, 1.2 µs unfrozen), and the kept text costs a lookup.
 */
export function keptJson(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const text = keptTexts.get(value);
    if (text) return text;
    const written = JSON.stringify(value) ?? 'null';
    if (text === null) keptTexts.set(value, written);
    return written;
  }
  return JSON.stringify(value) ?? 'null';
}

/** a row as kept for later reads: frozen with its values, so no reader can change what the next one gets */
export function frozenRow(row: OnlineRow): OnlineRow {
  for (const v of Object.values(row.values)) kept(v);
  Object.freeze(row.values);
  return Object.freeze(row);
}

/** rows kept at most, per store (about 200 bytes each, and as much again for the text of a value once served); beyond, the set starts again */
export const MAX_KEPT_ROWS = 50_000;
