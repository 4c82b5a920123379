/**
 * The model registry: versions of each model under models/<name>/<version>/ with metadata,
 * aliases such as `production` and `staging` (MLflow's stages are deprecated for aliases).
 * Records live in the storage layer's model version store; artifacts on disk. A record keeps its folder
 * relative to the models dir, so a data dir survives copy, move and backup-restore: the absolute
 * path is made from wherever the data dir is now, at every read.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EventEmitter } from 'node:events';
import type { ModelVersionStore } from '../storage';
import type { AliasMove as AliasMoveAnswer, ModelName, ModelVersion, VersionThreshold } from '../../src-shared/training';
import { MODEL_ID_PATTERN } from '../../src-shared/training';
import { writeFileAtomic } from '../platform';
import { checksumsOf } from './artifacts';

/** a version that is not registered; `known`: the versions the model has */
export class VersionNotFoundError extends Error {
  constructor(
    readonly model: string,
    readonly version: string,
    readonly known: string[],
  ) {
    super(`model ${model} has no version ${version}`);
    this.name = 'VersionNotFoundError';
  }
}

/** an alias name that is not lower-case letters, digits, - or _ */
export class InvalidAliasError extends Error {
  constructor(readonly alias: string) {
    super(`alias "${alias}": expected lower-case letters, digits, - or _`);
    this.name = 'InvalidAliasError';
  }
}

/** a version serving answers with, which may not go without force */
export class VersionInUseError extends Error {
  constructor(
    readonly model: string,
    readonly version: string,
  ) {
    super(`model ${model} version ${version} is being served: promote another version first, or delete with force`);
    this.name = 'VersionInUseError';
  }
}

/** a model id with no version */
export class ModelNotFoundError extends Error {
  constructor(
    readonly model: string,
    readonly known: string[],
  ) {
    super(`no model "${model}" is registered; models: ${known.length ? known.join(', ') : 'none yet'}`);
    this.name = 'ModelNotFoundError';
  }
}

/** an alias the model does not have */
export class AliasNotSetError extends Error {
  constructor(
    readonly model: string,
    readonly alias: string,
    readonly known: string[],
  ) {
    super(`model ${model} has no alias "${alias}"; its aliases: ${known.length ? known.join(', ') : 'none is set'}`);
    this.name = 'AliasNotSetError';
  }
}

/** the alias serving answers with; without it serving falls back to the newest version */
export const SERVING_ALIAS = 'production';

/** removing the serving alias would serve another version, never promoted */
export class ServingAliasError extends Error {
  constructor(
    readonly model: string,
    readonly holder: string,
    readonly next: string,
  ) {
    super(
      `removing "${SERVING_ALIAS}" from ${model} would serve version ${next} (the newest, never promoted) in place of version ${holder}: point ${SERVING_ALIAS} at the version to serve instead (POST /models/${model}/aliases), or remove it with force=true`,
    );
    this.name = 'ServingAliasError';
  }
}

/** an alias with no earlier holder to go back to */
export class NothingToRollBackError extends Error {
  constructor(name: string, alias: string) {
    super(`${name}: alias ${alias} has no earlier version to go back to (see GET /models/${name}/aliases/history)`);
    this.name = 'NothingToRollBackError';
  }
}

/** the files that hold a model's weights: equal checksums of all those present, the same model */
const WEIGHT_FILES = ['weights.bin', 'model.json', 'forest.json'];
function sameWeights(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const files = WEIGHT_FILES.filter((f) => b[f] !== undefined);
  return !!a && files.length > 0 && files.every((f) => a[f] === b[f]);
}

/** where a run stages its artifacts before they are registered: `<models dir>/.staging/<run>` */
export function stagingDirFor(modelsDir: string, runId: string): string {
  return join(modelsDir, '.staging', runId);
}

export class ModelRegistry extends EventEmitter {
  constructor(
    private readonly store: ModelVersionStore,
    readonly modelsDir: string,
  ) {
    super();
  }

  static isModelName(n: string): n is ModelName {
    return new RegExp(MODEL_ID_PATTERN).test(n);
  }

  /** every model id that has versions, the built-in ones first */
  async names(): Promise<ModelName[]> {
    const seen = new Set((await this.store.list()).map((v) => v.name));
    return [...seen];
  }

  private async aliasMap(): Promise<Map<string, string[]>> {
    const m = new Map<string, string[]>();
    for (const a of await this.store.aliases()) {
      const k = `${a.name}:${a.version}`;
      m.set(k, [...(m.get(k) ?? []), a.alias]);
    }
    return m;
  }

  /** where a stored folder is now: under this models dir, whatever the record says */
  private located(v: ModelVersion): ModelVersion {
    return { ...v, dir: join(this.modelsDir, relativeDirOf(v)) };
  }

  async list(name?: ModelName): Promise<ModelVersion[]> {
    const aliases = await this.aliasMap();
    return (await this.store.list(name))
      .map((d) => d as ModelVersion)
      .filter((v) => !name || v.name === name)
      .map((v) => ({ ...this.located(v), aliases: aliases.get(`${v.name}:${v.version}`) ?? [] }));
  }

  /**
   * Records written before folders were stored relative held absolute paths (of wherever the
   * data dir was then): rewrites them as `<name>/<version>`. Returns how many were rewritten.
   */
  async migrate(): Promise<number> {
    let n = 0;
    for (const v of await this.store.list()) {
      if (!isAbsolute(v.dir)) continue;
      await this.store.put({ ...v, dir: relativeDirOf(v) });
      n++;
    }
    return n;
  }

  /** a version not found: of a model with none, the models there are (`known: []` said nothing) */
  private async notFound(name: ModelName, version: string): Promise<Error> {
    const versions = (await this.list(name)).map((v) => v.version);
    return versions.length ? new VersionNotFoundError(name, version, versions) : new ModelNotFoundError(name, await this.names());
  }

  async get(name: ModelName, version: string): Promise<ModelVersion> {
    const stored = await this.store.get(name, version);
    if (!stored) throw await this.notFound(name, version);
    const v = stored as ModelVersion;
    return { ...this.located(v), aliases: (await this.aliasMap()).get(`${name}:${v.version}`) ?? [] };
  }

  /** the version an alias points at, or the newest version when the alias is not set */
  async resolve(name: ModelName, alias = 'production'): Promise<ModelVersion | undefined> {
    const a = await this.store.alias(name, alias);
    if (a) return this.get(name, a).catch(() => undefined);
    const all = await this.list(name);
    return all[all.length - 1];
  }

  /**
   * Moves a finished run's staged artifacts into models/<name>/<version>/ and records the version;
   * a run whose weights are byte for byte an existing version's registers nothing and answers that
   * version, `duplicate` set (five identical v3 versions piled up from repeated runs before).
   */
  async register(stagingDir: string, meta: Omit<ModelVersion, 'version' | 'dir' | 'aliases' | 'createdAt'>): Promise<ModelVersion & { duplicate?: boolean }> {
    const existing = await this.list(meta.name);
    const staged = checksumsOf(stagingDir, readdirSync(stagingDir));
    const same = existing.find((v) => sameWeights(v.checksums, staged));
    if (same) {
      rmSync(stagingDir, { recursive: true, force: true });
      return { ...same, duplicate: true };
    }
    const version = String((await this.highestNumber(meta.name, existing)) + 1);
    const dir = join(this.modelsDir, meta.name, version);
    mkdirSync(join(this.modelsDir, meta.name), { recursive: true });
    writeFileAtomic(this.lastNumberFile(meta.name), version);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(stagingDir, dir);
    const checksums = checksumsOf(dir, readdirSync(dir));
    const stored: ModelVersion = { ...meta, version, dir: join(meta.name, version), checksums, aliases: [], createdAt: new Date().toISOString() };
    writeFileAtomic(join(dir, 'metadata.json'), JSON.stringify(stored, null, 2));
    await this.store.put(stored);
    this.emit('changed', meta.name);
    return { ...stored, dir };
  }

  /**
   * The highest number `name` ever gave a version, deleted ones included: a number is never given
   * twice. Predictions, drift reports, alerts, alias history and the serving thread's loaded
   * weights are all kept by (model, version), so a new version under a deleted one's number read
   * the deleted one's (a hostile probe found its drift window, its rollback target and its
   * verdicts). Kept in `models/<name>/.last-version`; for data dirs from before that file, the
   * numbers the alias history names count too.
   */
  private async highestNumber(name: ModelName, existing: ModelVersion[]): Promise<number> {
    let n = existing.reduce((m, v) => Math.max(m, Number(v.version)), 0);
    try {
      n = Math.max(n, Number(readFileSync(this.lastNumberFile(name), 'utf8').trim()) || 0);
    } catch {
      // no version registered since the file came in
    }
    for (const m of await this.store.aliasHistory(name)) n = Math.max(n, Number(m.from ?? 0) || 0, Number(m.to ?? 0) || 0);
    return n;
  }

  /** did `name` ever have a version (deleted since or not)? */
  async everRegistered(name: ModelName): Promise<boolean> {
    return (await this.highestNumber(name, await this.list(name))) > 0;
  }

  private lastNumberFile(name: ModelName): string {
    return join(this.modelsDir, name, '.last-version');
  }

  /**
   * Points the alias at the version. With `expect` (the version it was seen to hold; null: not
   * set), only if it still does: else AliasMovedError, nothing changed.
   */
  async setAlias(name: ModelName, alias: string, version: string, note?: string, o: { expect?: string | null } = {}): Promise<void> {
    if (!/^[a-z][a-z0-9_-]{0,39}$/.test(alias)) throw new InvalidAliasError(alias);
    const v = await this.get(name, version);
    await this.moving(name, () => this.store.moveAlias(name, alias, v.version, { note, expect: o.expect }));
    this.emit('changed', name);
  }

  /** a model's alias moves one at a time in this process (a store that checks `expect` by a read needs it) */
  private readonly moves = new Map<string, Promise<unknown>>();
  private moving<T>(name: string, move: () => Promise<T>): Promise<T> {
    const before = this.moves.get(name) ?? Promise.resolve();
    const next = before.then(move, move);
    const settled = next.catch(() => undefined);
    this.moves.set(name, settled);
    void settled.then(() => {
      if (this.moves.get(name) === settled) this.moves.delete(name);
    });
    return next;
  }

  /** Sets the version's decision threshold (serving uses it), kept with every earlier one. */
  async setThreshold(name: ModelName, version: string, t: VersionThreshold): Promise<ModelVersion> {
    const stored = await this.store.get(name, version);
    if (!stored) throw await this.notFound(name, version);
    await this.store.put({ ...stored, threshold: t, thresholdHistory: [...(stored.thresholdHistory ?? []), t] });
    this.emit('changed', name);
    return this.get(name, stored.version);
  }

  /** the alias moves of a model, oldest first (only `alias`'s when given) */
  async aliasHistory(name: ModelName, alias?: string): Promise<AliasMoveAnswer[]> {
    return (await this.store.aliasHistory(name, alias)).map((m) => ({
      name: m.name,
      alias: m.alias,
      at: new Date(m.at).toISOString(),
      from: m.from ?? null,
      to: m.to ?? null,
      ...(m.note ? { note: m.note } : {}),
    }));
  }

  /** points the alias back at the version it held before its latest move, and says so in its history */
  async rollback(name: ModelName, alias: string, note?: string): Promise<ModelVersion> {
    const moves = await this.store.aliasHistory(name, alias);
    const last = moves[moves.length - 1];
    if (!last?.from) throw new NothingToRollBackError(name, alias);
    const back = await this.get(name, last.from); // a deleted earlier holder: VersionNotFoundError
    // only from where the history says it is: a second rollback sent at once (a double click, a
    // retry) is refused instead of undoing the first
    await this.moving(name, () =>
      this.store.moveAlias(name, alias, back.version, { note: note ?? `rollback from version ${last.to ?? '(none)'}`, expect: last.to ?? null }),
    );
    this.emit('changed', name);
    return this.get(name, back.version);
  }

  /**
   * Removes an alias the model has. Removing `production` when it is not on the newest version is
   * refused unless forced: serving would fall back to the newest version, which nobody promoted (a
   * removal answered 200 and a version with F1 0 served at once).
   */
  async removeAlias(name: ModelName, alias: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.moving(name, async () => {
      const all = await this.list(name);
      if (all.length === 0) throw new ModelNotFoundError(name, await this.names());
      const holder = await this.store.alias(name, alias);
      if (holder === undefined) throw new AliasNotSetError(name, alias, [...new Set(all.flatMap((v) => v.aliases))].sort());
      const newest = all[all.length - 1].version;
      if (alias === SERVING_ALIAS && !opts.force && newest !== holder) throw new ServingAliasError(name, holder, newest);
      await this.store.moveAlias(name, alias, undefined);
    });
    this.emit('changed', name);
  }

  /**
   * Deletes a version and its artifacts. `isServed` tells whether serving uses it; a served
   * version is refused unless forced.
   */
  async delete(name: ModelName, version: string, opts: { force?: boolean; isServed?: (v: ModelVersion) => boolean } = {}): Promise<void> {
    const v = await this.get(name, version);
    if (!opts.force && opts.isServed?.(v)) throw new VersionInUseError(name, version);
    for (const a of v.aliases) await this.store.moveAlias(name, a, undefined, { note: `version ${version} deleted` });
    await this.store.delete(name, v.version);
    // never outside this data dir's models folder, whatever a record says
    const inside = relative(resolve(this.modelsDir), resolve(v.dir));
    if (inside && !inside.startsWith('..') && !isAbsolute(inside)) rmSync(v.dir, { recursive: true, force: true });
    this.emit('changed', name);
  }
}

/**
 * A record's folder relative to the models dir: `<name>/<version>`. Old records hold an absolute
 * path ending in `/<name>/<version>`; only that end counts.
 */
function relativeDirOf(v: Pick<ModelVersion, 'dir' | 'name' | 'version'>): string {
  if (!isAbsolute(v.dir)) return v.dir;
  const parts = v.dir.split(sep).filter(Boolean);
  const [name, version] = parts.slice(-2);
  return name === v.name && version === v.version ? join(name, version) : join(v.name, v.version);
}
