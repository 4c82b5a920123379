/**
 * Waiting in tests for a condition, never for a time: `fn` is asked every 100 ms until it answers
 * (its answer is returned) or `withinMs` has passed (an error naming what was awaited). The default
 * is generous, for a loaded machine: a test that passes returns as soon as the condition holds.
 */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, withinMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > withinMs) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
