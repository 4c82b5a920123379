/**
 * The registry of model families: the only place that names them all. A new family is one
 * folder (its plugin, implementing ModelFamily) plus one line here.
 */
import type { ModelFamily } from './family';
import { forestFamily } from './forest';
import { lstmFamily } from './lstm';

const FAMILIES = new Map<string, ModelFamily>([
  ['random-forest', forestFamily],
  ['lstm', lstmFamily],
]);

/** Asked for a family nobody registered (a version recorded by a newer SpamOps, say). */
export class UnknownFamilyError extends Error {
  constructor(readonly kind: string) {
    super(`model family "${kind}" is not known here; known: ${[...FAMILIES.keys()].join(', ')}`);
    this.name = 'UnknownFamilyError';
  }
}

/** the family of a version or spec, by its `kind` */
export function familyOf(kind: string): ModelFamily {
  const f = FAMILIES.get(kind);
  if (!f) throw new UnknownFamilyError(kind);
  return f;
}

/**
 * Adds a family at run time (a test's toy family, an extension); its kind must be new. Returns
 * a function that removes it again.
 */
export function registerFamily(family: ModelFamily): () => void {
  if (FAMILIES.has(family.kind)) throw new Error(`model family "${family.kind}" is already registered`);
  FAMILIES.set(family.kind, family);
  return () => {
    FAMILIES.delete(family.kind);
  };
}

/** each family's `runtime()` line, by kind (families without one are left out) */
export function familyRuntimes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of familyKinds()) {
    const r = familyOf(kind).runtime?.();
    if (r) out[kind] = r;
  }
  return out;
}

export function familyKinds(): string[] {
  return [...FAMILIES.keys()];
}
