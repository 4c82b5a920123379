/**
 * Freezes `value` and every object it holds, so that no holder of a shared value (a kept online
 * row, a cached answer) can change what the next one reads. Arrays are walked by index (no copy of
 * their values, as `Object.values` makes); an object already frozen is taken as frozen through.
 */
export function deepFreeze<T extends object>(value: T): Readonly<T> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) deepFreeze(v);
    }
  } else for (const v of Object.values(value)) if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) deepFreeze(v);
  return Object.freeze(value);
}
