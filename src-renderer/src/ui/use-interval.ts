/** Polling while the page is visible. */
import { useEffect, useRef } from 'react';

/**
 * Calls `fn` now and every `ms` while mounted and the page is visible; a change in `deps`
 * starts over (calls at once). The latest `fn` is called, whatever render made it.
 */
export function useInterval(fn: () => void, ms: number, deps: readonly unknown[] = []) {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    latest.current();
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') latest.current();
    }, ms);
    return () => clearInterval(t);
  }, [ms, ...deps]);
}
