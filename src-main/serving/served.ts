/**
 * Which versions are served and with which model. A version promoted (alias `production`) or
 * retrained is picked up without a restart: on the registry's change events in this process,
 * and by a periodic check for changes made by other processes (the CLI). Requests in flight
 * keep the model object they started with; the version's cache entries are invalidated.
 */
import type { TokenizerSource } from '../features';
import type { ModelRegistry } from '../models';
import type { PredictionCache } from '../storage';
import type { ModelName, ModelVersion } from '../../src-shared/training';
import { MODEL_ID_PATTERN, MODEL_NAMES } from '../../src-shared/training';
import { loadServedModel, type ServedModel } from './models';
import { LayeredPredictionCache } from './cache';
import { ArtifactError, sha256File } from '../platform';
import { modelRemedy } from '../models';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** a version's files as they were when it was loaded */
interface FilesOnDisk {
  version: string;
  files: { path: string; size: number; mtimeMs: number; sum: string; differs?: { size: number; mtimeMs: number } }[];
}

function statOf(path: string): { size: number; mtimeMs: number } | undefined {
  try {
    const s = statSync(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

/** the files a version's record lists (its checksums), stated now */
function filesOf(v: ModelVersion): FilesOnDisk['files'] {
  return Object.entries(v.checksums ?? {}).flatMap(([f, sum]) => {
    const path = join(v.dir, f);
    const s = statOf(path);
    return s ? [{ path, ...s, sum }] : [];
  });
}

/** a served model id that cannot answer: its version's files are missing or broken */
export interface ServingProblem {
  model: string;
  version: string;
  file: string;
  problem: string;
  remedy: string;
}

export class NotServedError extends Error {
  constructor(
    readonly version: string,
    readonly served: string[],
  ) {
    super(`model version "${version}" is not served here; served: ${served.join(', ') || '(none)'}`);
  }
}

export class NoModelYetError extends Error {
  constructor(readonly model: string) {
    const builtin = (MODEL_NAMES as readonly string[]).includes(model);
    super(
      builtin
        ? `model ${model} has no trained version yet: train it (spamops train ${model}, or POST /runs {"model": "${model}"})`
        : `model ${model} has no trained version yet: train it with a base generation (spamops train ${model} --base v3, or POST /runs {"model": "${model}", "base": "v3"})`,
    );
  }
}

/** an alias that no version of the model holds (a version number that does not exist: VersionNotFoundError) */
export class UnknownAliasError extends Error {
  constructor(
    readonly model: string,
    readonly alias: string,
    readonly known: string[],
  ) {
    super(`model ${model} has no version "${alias}": give a version number or an alias (${known.length ? known.join(', ') : 'none is set'})`);
  }
}

/** versions other than the served ones kept loaded for "Try it" (a v3 load takes a moment) */
const PINNED_VERSIONS = 4;

/**
 * The model ids answering on /model/{v}/…: SPAM_MODEL_VERSIONS as in the seed ("v1,v2,v3"), where
 * a model id of your own (trained with a base generation, e.g. `tc-01`) may be listed too; until
 * it has a trained version its routes answer 503 with how to train it.
 */
export function parseServedNames(raw: string | undefined): ModelName[] {
  if (!raw?.trim()) return [...MODEL_NAMES];
  const names = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0)
    throw new Error(`SPAM_MODEL_VERSIONS: no model id in ${JSON.stringify(raw)}: name one or more, e.g. ${MODEL_NAMES.join(',')} (unset, those are served)`);
  const idPattern = new RegExp(MODEL_ID_PATTERN);
  for (const n of names)
    if (!idPattern.test(n))
      throw new Error(
        `SPAM_MODEL_VERSIONS: "${n}" is not a model id (expected letters, digits, '_', '.', '-', at most 40, e.g. ${MODEL_NAMES.join(',')},tc-01)`,
      );
  return names;
}

/** What serving needs: which version each model id answers with, the cache under it, the tokenizer. */
export interface ServedModelsDeps {
  models: Pick<ModelRegistry, 'resolve' | 'on' | 'get' | 'list'>;
  cache: PredictionCache;
  tokenizers: TokenizerSource;
}

export class ServedModels {
  private readonly loaded = new Map<ModelName, ServedModel>();
  private readonly loading = new Map<ModelName, Promise<ServedModel | undefined>>();
  /** the latest load failure of each model id (cleared when a load succeeds) */
  private readonly broken = new Map<ModelName, ServingProblem>();
  /** the files of each loaded version as they were at its load (problems() tells of changes) */
  private readonly onDisk = new Map<ModelName, FilesOnDisk>();
  private timer: NodeJS.Timeout | undefined;
  readonly alias = 'production';
  /** the prediction cache serving reads and writes */
  readonly cache: LayeredPredictionCache;

  constructor(
    private readonly deps: ServedModelsDeps,
    readonly names: readonly ModelName[],
  ) {
    this.cache = new LayeredPredictionCache(deps.cache);
    deps.models.on('changed', (name: ModelName) => void this.refresh(name));
  }

  /**
   * Deletes the stored answers cached under a served model id alone, as versions before
   * 2026-12-07 wrote them: nothing reads them any more (answers are cached under the version that
   * computed them). Once, at a serving process's start.
   */
  async dropUnpinnedAnswers(): Promise<void> {
    for (const n of this.names) await this.cache.invalidateVersion(n);
  }

  /** checks every few seconds for versions promoted by another process */
  watch(intervalMs = 3000): void {
    this.timer = setInterval(() => {
      for (const n of this.names) void this.refresh(n);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Loads the served models now, one at a time between other work (what a long-lived process does
   * once it starts), the tokenizer first: the first answers, features and inbox verdicts do not
   * wait for a load (v1–v3 and the tokenizer took about 0.4 s of the serving thread, paid inside the
   * first stream burst).
   */
  async warm(): Promise<void> {
    try {
      this.deps.tokenizers.get();
    } catch {
      // none fitted yet, or broken: /health says which
    }
    for (const n of this.names) {
      await new Promise((r) => setImmediate(r));
      await this.get(n).catch(() => undefined); // none yet, or broken: problems() says which
    }
  }

  isServed(name: string): name is ModelName {
    return (this.names as readonly string[]).includes(name);
  }

  /** the model to answer with; loads it on first use */
  async get(name: string): Promise<ServedModel> {
    if (!this.isServed(name)) throw new NotServedError(name, [...this.names]);
    const m = this.loaded.get(name) ?? (await this.load(name));
    if (!m) throw new NoModelYetError(name);
    return m;
  }

  /** any registered model, served on /model/{v} or not (the seed 002's /prediction takes any id) */
  async getAny(name: string): Promise<ServedModel> {
    if (this.isServed(name)) return this.get(name);
    const have = this.loaded.get(name);
    if (have) return have;
    const m = await this.load(name);
    if (!m) throw new NoModelYetError(name);
    return m;
  }

  private readonly pinned = new Map<string, ServedModel>();

  /**
   * Any registered version of a model, by number or alias ("2", "production", "challenger"): the
   * served one when it is that version, else loaded and kept among the last few asked for. The
   * key holds the run and threshold, so a version re-registered or re-thresholded loads afresh.
   * Answers the model and the version's registry record as it is now (its aliases move).
   */
  async getVersion(name: string, ref: string): Promise<{ model: ServedModel; version: ModelVersion }> {
    let v: ModelVersion;
    if (/^[0-9]+$/.test(ref)) v = await this.deps.models.get(name, ref);
    else {
      const all = await this.deps.models.list(name);
      const held = all.find((x) => x.aliases.includes(ref));
      if (!held) throw new UnknownAliasError(name, ref, [...new Set(all.flatMap((x) => x.aliases))].sort());
      v = held;
    }
    const key = pinnedKey(v);
    const served = this.loaded.get(name);
    if (served && pinnedKey(served.info) === key) return { model: served, version: v };
    const have = this.pinned.get(key);
    if (have) {
      this.pinned.delete(key);
      this.pinned.set(key, have); // most recently used last
      return { model: have, version: v };
    }
    const m = loadServedModel(v, this.deps.tokenizers);
    if (this.pinned.size >= PINNED_VERSIONS) this.pinned.delete(this.pinned.keys().next().value as string);
    this.pinned.set(key, m);
    return { model: m, version: v };
  }

  current(name: ModelName): ServedModel | undefined {
    return this.loaded.get(name);
  }

  private load(name: ModelName): Promise<ServedModel | undefined> {
    let p = this.loading.get(name);
    if (!p) {
      p = (async () => {
        const v = await this.deps.models.resolve(name, this.alias);
        if (!v) return undefined;
        const m = this.loadChecked(name, v);
        this.loaded.set(name, m);
        return m;
      })().finally(() => this.loading.delete(name));
      this.loading.set(name, p);
    }
    return p;
  }

  /** loads a version, remembering a broken artifact for /health */
  private loadChecked(name: ModelName, v: Parameters<typeof loadServedModel>[0]): ServedModel {
    try {
      const m = loadServedModel(v, this.deps.tokenizers);
      this.broken.delete(name);
      this.onDisk.set(name, { version: v.version, files: filesOf(v) });
      return m;
    } catch (e) {
      if (e instanceof ArtifactError) this.broken.set(name, { model: name, version: v.version, file: e.file, problem: e.problem, remedy: e.remedy });
      throw e;
    }
  }

  /**
   * Model ids whose version cannot load, with the file and what to do; and loaded versions whose
   * files changed or went since they were loaded (a stat; the checksum only of a file whose size or
   * time changed, so a file restored as it was is no problem): this process
   * answers from the copy it loaded, the next start could not load them. They were told only after a
   * restart, which then broke all three models at once (a hostile probe truncated, edited and
   * deleted their files while serving, /health ok).
   */
  problems(): ServingProblem[] {
    const out = [...this.broken.values()];
    for (const [name, loaded] of this.onDisk) {
      if (this.broken.has(name) || this.loaded.get(name)?.version !== loaded.version) continue;
      for (const f of loaded.files) {
        const now = statOf(f.path);
        if (now && now.size === f.size && now.mtimeMs === f.mtimeMs) continue;
        // touched but the same bytes (restored, copied back): taken as it is now. Read once per
        // change of its size or time: /health is polled
        const known = now && f.differs && now.size === f.differs.size && now.mtimeMs === f.differs.mtimeMs;
        if (now && !known) {
          if (sha256File(f.path) === f.sum) {
            Object.assign(f, now, { differs: undefined });
            continue;
          }
          f.differs = now;
        }
        out.push({
          model: name,
          version: loaded.version,
          file: f.path,
          problem: `${now ? 'changed' : 'removed'} on disk since the version was loaded: answers come from the copy in memory, the next start cannot load it`,
          remedy: `restore ${f.path} from a backup (its checksum is in the version's record), or ${modelRemedy(dirname(f.path))}`,
        });
        break;
      }
    }
    return out;
  }

  /** reload when the version that should be served changed; invalidates its cache entries */
  async refresh(name: ModelName): Promise<void> {
    if (!this.isServed(name) && !this.loaded.has(name)) return;
    const want = await this.deps.models.resolve(name, this.alias).catch(() => undefined);
    const have = this.loaded.get(name);
    // a new decision threshold counts as a change: answers (and cached ones) carry the verdict
    if (want?.version === have?.version && want?.runId === have?.info.runId && want?.threshold?.value === have?.info.threshold?.value) return;
    if (!want) this.loaded.delete(name);
    else {
      try {
        this.loaded.set(name, this.loadChecked(name, want));
      } catch {
        // the version cannot load (being written, removed or broken): the one loaded before
        // keeps answering; the problem is listed by problems() until a load succeeds
        return;
      }
    }
    // Answers are cached under the version, run and threshold that computed them (pinnedKey), so
    // the new one reads none of the old one's, even one written after this (computed before the
    // change, written after it). The old one's are deleted to keep the cache to what is served.
    if (have) await this.cache.invalidateVersion(pinnedKey(have.info));
  }
}

/** a version as it answers: the same number, run and threshold give the same answers */
export const pinnedKey = (v: ModelVersion): string => `${v.name}@${v.version}#${v.runId}#${v.threshold?.value ?? ''}`;
