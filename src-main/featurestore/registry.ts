/**
 * The registry: it only knows definitions. `plan` diffs a set of definitions against the
 * latest applied snapshot; `apply` stores a new snapshot (the history is kept, every
 * snapshot with the diff that produced it).
 */
import type { DiffKind, RegistryDefinitions, RegistryDiff, RegistryDiffEntry, RegistrySnapshot } from '../../src-shared/featurestore';
import type { RegistryStore } from '../storage';

type Named = { name: string };

const KINDS: { kind: DiffKind; pick: (d: RegistryDefinitions) => Named[] }[] = [
  { kind: 'entity', pick: (d) => d.entities },
  { kind: 'data_source', pick: (d) => d.sources },
  { kind: 'feature_view', pick: (d) => d.featureViews },
  { kind: 'feature_service', pick: (d) => d.featureServices },
];

export function diffDefinitions(before: RegistryDefinitions | undefined, after: RegistryDefinitions): RegistryDiff {
  const entries: RegistryDiffEntry[] = [];
  for (const { kind, pick } of KINDS) {
    const old = new Map((before ? pick(before) : []).map((o) => [o.name, o]));
    const now = new Map(pick(after).map((o) => [o.name, o]));
    for (const [name, obj] of now) {
      const prev = old.get(name);
      if (!prev) entries.push({ kind, name, change: 'added' });
      else {
        const fields = diffValues(prev, obj, '');
        if (fields.length) entries.push({ kind, name, change: 'changed', fields });
      }
    }
    for (const name of old.keys()) if (!now.has(name)) entries.push({ kind, name, change: 'removed' });
  }
  return { entries };
}

function diffValues(a: unknown, b: unknown, path: string): { path: string; before: unknown; after: unknown }[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const out: { path: string; before: unknown; after: unknown }[] = [];
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) out.push(...diffValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
    return out;
  }
  return [{ path: path || '(value)', before: a, after: b }];
}

/** Every reference resolves, names are unique, fields are typed: the errors, as sentences. */
export function validateDefinitions(d: RegistryDefinitions): string[] {
  const errors: string[] = [];
  for (const { kind, pick } of KINDS) {
    const seen = new Set<string>();
    for (const o of pick(d)) {
      if (seen.has(o.name)) errors.push(`${kind} "${o.name}" is defined twice`);
      seen.add(o.name);
    }
  }
  const sources = new Map(d.sources.map((s) => [s.name, s]));
  const entities = new Set(d.entities.map((e) => e.name));
  for (const s of d.sources) {
    if (s.kind === 'push' && sources.get(s.batchSource)?.kind !== 'file')
      errors.push(`push source "${s.name}" needs a file source as batch source, got "${s.batchSource}"`);
  }
  const views = new Map(d.featureViews.map((v) => [v.name, v]));
  for (const v of d.featureViews) {
    if (!sources.has(v.source)) errors.push(`feature view "${v.name}" reads unknown source "${v.source}"`);
    for (const e of v.entities) if (!entities.has(e)) errors.push(`feature view "${v.name}" uses unknown entity "${e}"`);
    if (v.ttlSeconds < 0) errors.push(`feature view "${v.name}" has a negative ttl`);
    errors.push(...fieldNameErrors(v, d));
  }
  for (const s of d.featureServices) {
    for (const ref of s.features) {
      const v = views.get(ref.view);
      if (!v) errors.push(`feature service "${s.name}" uses unknown feature view "${ref.view}"`);
      else
        for (const f of ref.features ?? [])
          if (!v.schema.some((x) => x.name === f)) errors.push(`feature service "${s.name}" uses unknown feature "${ref.view}:${f}"`);
    }
  }
  return errors;
}

/**
 * Names a feature cannot take: the columns every offline query adds beside the features (the key
 * `k`, the times `ev` and `cr`, the write order `o`, the entity row's `idx` and `ts`), and, as in
 * Feast, the view's join keys and its source's timestamp columns. DuckDB's identifiers ignore
 * case, so neither does this. A field named so made the offline queries ambiguous (a 500).
 */
const RESERVED_FIELDS = ['k', 'ev', 'cr', 'o', 'idx', 'ts'];

function fieldNameErrors(v: RegistryDefinitions['featureViews'][number], d: RegistryDefinitions): string[] {
  const errors: string[] = [];
  const source = d.sources.find((s) => s.name === v.source);
  const file = source?.kind === 'push' ? d.sources.find((s) => s.name === source.batchSource) : source;
  const taken = new Map<string, string>();
  for (const e of d.entities.filter((x) => v.entities.includes(x.name)))
    for (const k of e.joinKeys) taken.set(k.toLowerCase(), `the join key of entity "${e.name}"`);
  if (file?.kind === 'file') {
    taken.set(file.timestampField.toLowerCase(), `the timestamp field of source "${file.name}"`);
    taken.set(file.createdTimestampColumn.toLowerCase(), `the created timestamp column of source "${file.name}"`);
  }
  const seen = new Set<string>();
  for (const f of v.schema) {
    const name = f.name.toLowerCase();
    const where = `feature view "${v.name}": field "${f.name}"`;
    if (!f.name.trim()) errors.push(`feature view "${v.name}": a field has an empty name`);
    else if (RESERVED_FIELDS.includes(name) || name.startsWith('__'))
      errors.push(`${where} is a name the offline store keeps for itself (${RESERVED_FIELDS.join(', ')} and names starting with __): rename it`);
    else if (taken.has(name)) errors.push(`${where} has the name of ${taken.get(name)}: rename it`);
    else if (seen.has(name)) errors.push(`${where} is defined twice (names ignore case)`);
    seen.add(name);
  }
  return errors;
}

export class FeatureRegistry {
  private cached: RegistrySnapshot | undefined;
  constructor(private readonly store: RegistryStore) {}

  async current(): Promise<RegistrySnapshot | undefined> {
    if (!this.cached) {
      const row = await this.store.latest();
      this.cached = row && { ...(JSON.parse(row.json) as RegistrySnapshot), version: row.version };
    }
    return this.cached;
  }

  /** the definitions of the snapshot read already, if one was (no wait, no read) */
  cachedDefinitions(): RegistryDefinitions | undefined {
    return this.cached?.definitions;
  }

  /** the definitions to serve; throws with what to do when nothing was applied yet */
  async definitions(): Promise<RegistryDefinitions> {
    const snap = await this.current();
    if (!snap) throw new RegistryEmptyError();
    return snap.definitions;
  }

  async plan(defs: RegistryDefinitions): Promise<RegistryDiff> {
    const errors = validateDefinitions(defs);
    if (errors.length) throw new Error(`invalid feature definitions:\n  - ${errors.join('\n  - ')}`);
    return diffDefinitions((await this.current())?.definitions, defs);
  }

  /** stores a new snapshot when something changed; returns it and the diff */
  async apply(defs: RegistryDefinitions, stage: string): Promise<{ snapshot: RegistrySnapshot; diff: RegistryDiff; changed: boolean }> {
    const diff = await this.plan(defs);
    const current = await this.current();
    if (current && diff.entries.length === 0) return { snapshot: current, diff, changed: false };
    const snapshot: RegistrySnapshot = { version: 0, appliedAt: new Date().toISOString(), stage, definitions: defs, diff };
    // The store assigns the version (it is the row's key, not part of the stored JSON).
    snapshot.version = await this.store.append(JSON.stringify(snapshot));
    this.cached = snapshot;
    return { snapshot, diff, changed: true };
  }

  async history(): Promise<RegistrySnapshot[]> {
    return (await this.store.history()).map((r) => ({ ...(JSON.parse(r.json) as RegistrySnapshot), version: r.version }));
  }

  /** forget the cached snapshot (another process may have applied) */
  refresh(): void {
    this.cached = undefined;
  }

  private timer: NodeJS.Timeout | undefined;

  /**
   * Reads the latest snapshot again: one another process applied (`spamops apply` beside a
   * server) replaces the one kept. Resolves true when it did.
   */
  async sync(): Promise<boolean> {
    const row = await this.store.latest();
    // only a newer one: an apply of this process while the read was on its way is kept (versions only grow)
    if (!row || row.version <= (this.cached?.version ?? 0)) return false;
    this.cached = { ...(JSON.parse(row.json) as RegistrySnapshot), version: row.version };
    return true;
  }

  /** syncs every `intervalMs` (a long-lived process), telling `changed` of each new snapshot */
  watch(changed: (s: RegistrySnapshot) => void, intervalMs = 2000): void {
    this.unwatch();
    this.timer = setInterval(() => {
      void this.sync().then(
        (yes) => {
          if (yes && this.cached) changed(this.cached);
        },
        () => undefined, // the store busy or gone: next time
      );
    }, intervalMs);
    this.timer.unref();
  }

  unwatch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export class RegistryEmptyError extends Error {
  constructor() {
    super('the feature registry is empty: run `spamops apply` (or `spamops bootstrap`) first');
    this.name = 'RegistryEmptyError';
  }
}

export function formatDiff(diff: RegistryDiff): string {
  if (diff.entries.length === 0) return 'No changes to the registry.';
  const sign = { added: '+', changed: '~', removed: '-' } as const;
  const lines: string[] = [];
  for (const e of diff.entries) {
    lines.push(`${sign[e.change]} ${e.kind} ${e.name} ${e.change}`);
    for (const f of e.fields ?? []) lines.push(`    ${f.path}: ${JSON.stringify(f.before)} -> ${JSON.stringify(f.after)}`);
  }
  return lines.join('\n');
}
