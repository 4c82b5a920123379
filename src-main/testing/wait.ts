/**
 * Waiting in tests for a condition, never for a time: `fn` is asked every 100 ms until it answers
 * (its answer is returned) or `withinMs` has passed (an error naming what was awaited). The default
 * is generous, for a loaded machine: a test that passes returns as soon as the condition holds.
 */
import type { Engines } from '../engines';
import { V2_VIEW } from '../inbox';

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, withinMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > withinMs) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** the ids among `ids` whose v2 features are not in the online store yet */
export async function missingFeatures(engines: Pick<Engines, 'storage'>, ids: string[]): Promise<string[]> {
  const rows = await engines.storage.online.read(V2_VIEW, ids);
  return ids.filter((_, i) => !rows[i]);
}

/** waits until every message of `ids` has its v2 features online */
export async function untilFeatures(what: string, engines: Pick<Engines, 'storage'>, ids: string[], withinMs?: number): Promise<void> {
  await until(what, async () => (await missingFeatures(engines, ids)).length === 0, withinMs);
}
