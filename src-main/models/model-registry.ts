/**
 * The model registry: versions of each model under models/<name>/<version>/ with metadata,
 * aliases such as `production` and `staging` (MLflow's stages are deprecated for aliases).
 * Records live in the storage layer's documents; artifacts on disk. A record keeps its folder
 * relative to the models dir, so a data dir survives copy, move and backup-restore: the absolute
 * path is made from wherever the data dir is now, at every read.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EventEmitter } from 'node:events';
import type { DocumentStore } from '../storage';
import type { ModelName, ModelVersion } from '../../src-shared/training';
import { MODEL_ID_PATTERN } from '../../src-shared/training';
import { writeFileAtomic } from '../platform';
import { checksumsOf } from './artifacts';

const VERSIONS = 'model_versions';
const ALIASES = 'model_aliases';

export class RegistryError extends Error {
  constructor(
    readonly status: 404 | 409 | 400,
    message: string,
    readonly known?: string[],
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

const key = (name: string, version: string) => `${name}:${version.padStart(6, '0')}`;

/** where a run stages its artifacts before they are registered: `<models dir>/.staging/<run>` */
export function stagingDirFor(modelsDir: string, runId: string): string {
  return join(modelsDir, '.staging', runId);
}

export class ModelRegistry extends EventEmitter {
  constructor(
    private readonly docs: DocumentStore,
    readonly modelsDir: string,
  ) {
    super();
  }

  static isModelName(n: string): n is ModelName {
    return new RegExp(MODEL_ID_PATTERN).test(n);
  }

  /** every model id that has versions, the built-in ones first */
  async names(): Promise<ModelName[]> {
    const seen = new Set((await this.docs.list(VERSIONS)).map((d) => d.id.slice(0, d.id.lastIndexOf(':'))));
    return [...seen];
  }

  private async aliasMap(): Promise<Map<string, string[]>> {
    const m = new Map<string, string[]>();
    for (const d of await this.docs.list(ALIASES)) {
      const a = JSON.parse(d.json) as { name: string; alias: string; version: string };
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
    return (await this.docs.list(VERSIONS))
      .map((d) => JSON.parse(d.json) as ModelVersion)
      .filter((v) => !name || v.name === name)
      .map((v) => ({ ...this.located(v), aliases: aliases.get(`${v.name}:${v.version}`) ?? [] }));
  }

  /**
   * Records written before folders were stored relative held absolute paths (of wherever the
   * data dir was then): rewrites them as `<name>/<version>`. Returns how many were rewritten.
   */
  async migrate(): Promise<number> {
    let n = 0;
    for (const d of await this.docs.list(VERSIONS)) {
      const v = JSON.parse(d.json) as ModelVersion;
      if (!isAbsolute(v.dir)) continue;
      await this.docs.put(VERSIONS, d.id, JSON.stringify({ ...v, dir: relativeDirOf(v) }));
      n++;
    }
    return n;
  }

  async get(name: ModelName, version: string): Promise<ModelVersion> {
    const json = await this.docs.get(VERSIONS, key(name, version));
    if (!json)
      throw new RegistryError(
        404,
        `model ${name} has no version ${version}`,
        (await this.list(name)).map((v) => v.version),
      );
    const v = JSON.parse(json) as ModelVersion;
    return { ...this.located(v), aliases: (await this.aliasMap()).get(`${name}:${v.version}`) ?? [] };
  }

  /** the version an alias points at, or the newest version when the alias is not set */
  async resolve(name: ModelName, alias = 'production'): Promise<ModelVersion | undefined> {
    const a = await this.docs.get(ALIASES, `${name}:${alias}`);
    if (a) return this.get(name, (JSON.parse(a) as { version: string }).version).catch(() => undefined);
    const all = await this.list(name);
    return all[all.length - 1];
  }

  /** Moves a finished run's staged artifacts into models/<name>/<version>/ and records the version. */
  async register(stagingDir: string, meta: Omit<ModelVersion, 'version' | 'dir' | 'aliases' | 'createdAt'>): Promise<ModelVersion> {
    const existing = await this.list(meta.name);
    const version = String(existing.reduce((m, v) => Math.max(m, Number(v.version)), 0) + 1);
    const dir = join(this.modelsDir, meta.name, version);
    mkdirSync(join(this.modelsDir, meta.name), { recursive: true });
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(stagingDir, dir);
    const checksums = checksumsOf(dir, readdirSync(dir));
    const stored: ModelVersion = { ...meta, version, dir: join(meta.name, version), checksums, aliases: [], createdAt: new Date().toISOString() };
    writeFileAtomic(join(dir, 'metadata.json'), JSON.stringify(stored, null, 2));
    await this.docs.put(VERSIONS, key(meta.name, version), JSON.stringify(stored));
    this.emit('changed', meta.name);
    return { ...stored, dir };
  }

  async setAlias(name: ModelName, alias: string, version: string): Promise<void> {
    if (!/^[a-z][a-z0-9_-]{0,39}$/.test(alias)) throw new RegistryError(400, `alias "${alias}": expected lower-case letters, digits, - or _`);
    await this.get(name, version);
    await this.docs.put(ALIASES, `${name}:${alias}`, JSON.stringify({ name, alias, version }));
    this.emit('changed', name);
  }

  async removeAlias(name: ModelName, alias: string): Promise<void> {
    await this.docs.delete(ALIASES, `${name}:${alias}`);
    this.emit('changed', name);
  }

  /**
   * Deletes a version and its artifacts. `isServed` tells whether serving uses it; a served
   * version is refused unless forced.
   */
  async delete(name: ModelName, version: string, opts: { force?: boolean; isServed?: (v: ModelVersion) => boolean } = {}): Promise<void> {
    const v = await this.get(name, version);
    if (!opts.force && opts.isServed?.(v))
      throw new RegistryError(409, `model ${name} version ${version} is being served: promote another version first, or delete with force`);
    for (const a of v.aliases) await this.docs.delete(ALIASES, `${name}:${a}`);
    await this.docs.delete(VERSIONS, key(name, version));
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
