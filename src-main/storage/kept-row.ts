/** Online rows kept from earlier reads by a store (SQLite's, Redis's), shared by every later reader. */
import type { OnlineRow } from './types';

/** a row as kept for later reads: frozen with its values, so no reader can change what the next one gets */
export function frozenRow(row: OnlineRow): OnlineRow {
  for (const v of Object.values(row.values)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  Object.freeze(row.values);
  return Object.freeze(row);
}

/** rows kept at most, per store (about 200 bytes each); beyond, the set starts again */
export const MAX_KEPT_ROWS = 50_000;
