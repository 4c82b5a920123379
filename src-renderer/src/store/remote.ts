/** The state of one thing loaded from the API, and how a slice loads it. */
import { ApiError, errorText, isMissingRoute, statusOf } from '../api';

export interface Remote<T> {
  data?: T;
  error?: string;
  /** HTTP status of the failure (0: unreachable) */
  status?: number;
  /** the API's error code (`error` of its `{error, detail, field}` body), to branch on instead of the text */
  code?: string;
  /** the route does not exist on this API (yet) */
  missing?: boolean;
  loading: boolean;
  /** when the data last arrived (ms) */
  at?: number;
}

export const idle = <T>(): Remote<T> => ({ loading: false });

type RemoteKeys<S> = { [K in keyof S]: S[K] extends Remote<unknown> ? K : never }[keyof S];
type DataOf<R> = R extends Remote<infer T> ? T : never;

/**
 * Loads `fn()` into `state[key]`: loading while it runs, then data or the error (the data of
 * the previous load stays visible under an error). Resolves with the data, or undefined.
 * Only the latest load of a key writes: an answer that arrives after a newer load of the same
 * key started (the model or user was switched meanwhile) is dropped.
 */
export function loader<S extends object>(set: (p: Partial<S>) => void, get: () => S) {
  const latest = new Map<PropertyKey, number>();
  return async function load<K extends RemoteKeys<S>>(
    key: K,
    fn: () => Promise<DataOf<S[K]>>,
    opts: { quiet?: boolean } = {},
  ): Promise<DataOf<S[K]> | undefined> {
    const ticket = (latest.get(key) ?? 0) + 1;
    latest.set(key, ticket);
    const current = () => latest.get(key) === ticket;
    const prev = get()[key] as Remote<DataOf<S[K]>>;
    if (!opts.quiet) set({ [key]: { ...prev, loading: true } } as Partial<S>);
    try {
      const data = await fn();
      if (!current()) return undefined;
      set({
        [key]: { ...(get()[key] as object), data, loading: false, error: undefined, status: undefined, code: undefined, missing: undefined, at: Date.now() },
      } as Partial<S>);
      return data;
    } catch (e) {
      if (!current()) return undefined;
      set({
        [key]: {
          ...(get()[key] as object),
          loading: false,
          error: errorText(e),
          status: statusOf(e),
          code: e instanceof ApiError ? e.body.error : undefined,
          missing: isMissingRoute(e),
        },
      } as Partial<S>);
      return undefined;
    }
  };
}
