/** Online rows kept from earlier reads by a store (SQLite's, Redis's), shared by every later reader. */
import type { OnlineRow } from './types';
import { deepFreeze } from '../platform';

/** where a kept row holds its values' texts */
const TEXTS = Symbol('spamops.keptTexts');
type WithTexts = OnlineRow & { [TEXTS]?: { of: OnlineRow['values']; texts: Readonly<Record<string, string>> } };

/**
 * A row as kept for later reads: frozen with its values (deeply), so no reader can change what the
 * next one gets, and with each object value's JSON text (`keptTexts`), written before the freeze: a
 * kept value never changes, so a lookup's answer serves its text as it is. V8 writes a frozen
 * array through its slow path (2.46 µs for three 30-token arrays, 1.2 µs unfrozen). A row already
 * frozen is returned as it is (the stores hand in rows just read).
 */
export function frozenRow(row: OnlineRow): OnlineRow {
  if (Object.isFrozen(row)) return row;
  let texts: Record<string, string> | undefined;
  for (const field in row.values) {
    const v = row.values[field];
    if (typeof v !== 'object' || v === null) continue;
    // no prototype: a field named "toString" or "__proto__" finds only its own text
    texts ??= Object.create(null) as Record<string, string>;
    texts[field] = JSON.stringify(v);
    deepFreeze(v);
  }
  Object.freeze(row.values);
  // a symbol's property (JSON leaves it out), naming the values it describes, frozen with the row;
  // assigned, as defining it not enumerable cost more than the texts save on a row read once
  if (texts) (row as WithTexts)[TEXTS] = Object.freeze({ of: row.values, texts: Object.freeze(texts) });
  return Object.freeze(row);
}

/** a kept row's JSON text of each of its object values, written as it was kept (undefined for a row not kept) */
export function keptTexts(row: OnlineRow): Readonly<Record<string, string>> | undefined {
  const kept = (row as WithTexts)[TEXTS];
  // a copy of the row with other values (`{ ...row, values }`) has none of these texts
  return kept !== undefined && kept.of === row.values ? kept.texts : undefined;
}

/** where a store's read holds until when it answers those rows again without asking */
const ROWS_UNTIL = Symbol('spamops.rowsUntil');

/**
 * `rows` (a read's arrays, or its map by view) marked with the last `Date.now()` at which the store
 * would answer them again as they are without asking its source: a bound of its own on rows it
 * keeps (Redis: a second, and no later than a key's expiry). An answer made of them (the hot door's
 * memo) is kept no longer. Nothing marked: no such bound (SQLite knows at once when its file changed).
 */
export function rowsWithUntil<T extends object>(rows: T, until: number): T {
  // not enumerable: the rows compare and copy as the plain arrays they are
  if (until !== Number.POSITIVE_INFINITY) Object.defineProperty(rows, ROWS_UNTIL, { value: until });
  return rows;
}

/** the bound `rowsWithUntil` put on a read (Infinity: none) */
export function rowsUntil(rows: object): number {
  return (rows as { [ROWS_UNTIL]?: number })[ROWS_UNTIL] ?? Number.POSITIVE_INFINITY;
}

/** rows kept at most, per store (about 200 bytes each, and as much again for the texts of their values); beyond, the set starts again */
export const MAX_KEPT_ROWS = 50_000;
