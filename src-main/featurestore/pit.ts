/**
 * Point-in-time correct join: for each entity row (key, time) and each requested view, the
 * latest feature row whose event time is at or before the row's time and, when the view has a
 * ttl, no older than time - ttl; ties on event time go to the latest created time.
 */
import type { OfflineRow } from './offline';

/** Index of the row to use in `rows` (sorted by event time, then created time), or -1. */
export function latestAtOrBefore(rows: OfflineRow[], ts: number, ttlMs: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].eventTs <= ts) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return -1;
  if (ttlMs > 0 && rows[found].eventTs < ts - ttlMs) return -1;
  return found;
}

export function pointInTimeLookup(byEntity: Map<string, OfflineRow[]>, entityKey: string, ts: number, ttlMs: number): OfflineRow | undefined {
  const rows = byEntity.get(entityKey);
  if (!rows) return undefined;
  const i = latestAtOrBefore(rows, ts, ttlMs);
  return i < 0 ? undefined : rows[i];
}
