/**
 * The model registry: versions of each model under models/<name>/<version>/ with metadata,
 * aliases such as `production` and `staging` (MLflow's stages are deprecated for aliases).
 * Records live in the storage layer's documents; artifacts on disk.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import type { DocumentStore } from '../storage';
import type { ModelName, ModelVersion } from '../../src-shared/training';
import { MODEL_ID_PATTERN } from '../../src-shared/training';
import { writeFileAtomic } from '../platform';

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

  async list(name?: ModelName): Promise<ModelVersion[]> {
    const aliases = await this.aliasMap();
    return (await this.docs.list(VERSIONS))
      .map((d) => JSON.parse(d.json) as ModelVersion)
      .filter((v) => !name || v.name === name)
      .map((v) => ({ ...v, aliases: aliases.get(`${v.name}:${v.version}`) ?? [] }));
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
    return { ...v, aliases: (await this.aliasMap()).get(`${name}:${v.version}`) ?? [] };
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
    const v: ModelVersion = { ...meta, version, dir, aliases: [], createdAt: new Date().toISOString() };
    writeFileAtomic(join(dir, 'metadata.json'), JSON.stringify(v, null, 2));
    await this.docs.put(VERSIONS, key(meta.name, version), JSON.stringify(v));
    this.emit('changed', meta.name);
    return v;
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
    rmSync(v.dir, { recursive: true, force: true });
    this.emit('changed', name);
  }
}
