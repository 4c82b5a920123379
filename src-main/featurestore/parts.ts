/**
 * The parts of one file source, as a manifest (`_parts.json` in the source's folder): which Parquet
 * files make the source now, in write order (later parts win ties), and which were retired by a
 * merge or a rebuild. Readers take the list from the manifest, never from the folder, so a part
 * being written, merged or removed is never half-seen; a retired file stays on disk for a grace
 * period so that a query that listed it (in this process or another) can still read it. Every
 * change happens under a lock on the folder (proper-lockfile: a lock folder, taken over when its
 * holder died), so two processes (the server's merge, a CLI push) never lose each other's parts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { writeFileAtomicAsync } from '../platform';

export interface PartEntry {
  /** file name inside the source's folder */
  file: string;
  /** rows in the part (-1: unknown, a part listed from an older data dir) */
  rows: number;
  /** the columns it holds besides the key and the times (a part written before a field existed lacks it) */
  columns: string[];
  /** written by a full rebuild of the source (offline-sources); pushes and merges are not */
  base?: boolean;
  /** each entity key appears once in the part (for a base: once across all its files) */
  uniqueKeys?: boolean;
}

export interface Manifest {
  version: 1;
  parts: PartEntry[];
  /** files no longer part of the source, removed once `at` is older than the grace period */
  retired: { file: string; at: number }[];
  /**
   * How far a writer that follows a log has written, by writer (the inbox's offline follower: the
   * change-log position of the last message in its parts). Moved in the same manifest write that
   * publishes the part, so a writer killed after publishing never writes the same rows twice.
   */
  marks?: Record<string, string>;
}

/** a part written by a log follower: published only if the manifest's mark is still `after` */
export interface PartMark {
  /** the writer (one mark per writer) */
  name: string;
  /** the position the part's rows follow; undefined: the writer's first part */
  after: string | undefined;
  /** the position of the part's last row: the mark once published */
  through: string;
}

export const MANIFEST = '_parts.json';
/** how long a retired part stays readable for queries that listed it before it was retired */
export const RETIRE_GRACE_MS = 30 * 60_000;

const PART_FILE = /^part-.*\.parquet$/;

export class PartsManifest {
  private queue: Promise<unknown> = Promise.resolve();

  /** `legacyColumns`: the columns of a part found in an older data dir (no manifest yet) */
  constructor(
    readonly dir: string,
    private readonly legacyColumns: (file: string) => Promise<string[]>,
  ) {}

  private get path(): string {
    return join(this.dir, MANIFEST);
  }

  /** the manifest as it is now; an older data dir's parts are listed into one first */
  async read(): Promise<Manifest> {
    const m = this.readFile();
    if (m) return m;
    if (!existsSync(this.dir) || !readdirSync(this.dir).some((f) => PART_FILE.test(f))) return { version: 1, parts: [], retired: [] };
    return this.update(() => undefined);
  }

  private readFile(): Manifest | undefined {
    if (!existsSync(this.path)) return undefined;
    const m = JSON.parse(readFileSync(this.path, 'utf8')) as Manifest;
    if (m.version !== 1 || !Array.isArray(m.parts)) throw new Error(`${this.path}: not a parts manifest of this version`);
    return m;
  }

  /**
   * Changes the manifest under the lock: `fn` gets the current one (re-read under the lock) and
   * changes it in place; files it renames into place inside `fn` become visible together with the
   * manifest. Retired files past the grace period, and part files no manifest lists (a writer
   * killed between its rename and its manifest) older than it, are removed on the way.
   */
  update<T>(fn: (m: Manifest) => T, now = Date.now()): Promise<Manifest & { result: T }> {
    const run = this.queue.then(() => this.locked(fn, now));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async locked<T>(fn: (m: Manifest) => T, now: number): Promise<Manifest & { result: T }> {
    mkdirSync(this.dir, { recursive: true });
    const release = await lockfile.lock(this.dir, {
      realpath: false,
      stale: 30_000,
      update: 5_000,
      retries: { retries: 200, minTimeout: 20, maxTimeout: 250 },
    });
    try {
      const m = this.readFile() ?? (await this.legacy());
      const result = fn(m);
      this.collect(m, now);
      await writeFileAtomicAsync(this.path, `${JSON.stringify(m, null, 1)}\n`);
      return { ...m, result };
    } finally {
      await release();
    }
  }

  /** the parts of a folder written before manifests: in name order (the order they were written) */
  private async legacy(): Promise<Manifest> {
    const files = existsSync(this.dir) ? readdirSync(this.dir).filter((f) => PART_FILE.test(f)) : [];
    files.sort();
    const parts: PartEntry[] = [];
    for (const file of files)
      parts.push({ file, rows: -1, columns: await this.legacyColumns(join(this.dir, file)), ...(file.endsWith('-base.parquet') ? { base: true } : {}) });
    return { version: 1, parts, retired: [] };
  }

  private collect(m: Manifest, now: number): void {
    const keep: Manifest['retired'] = [];
    for (const r of m.retired) {
      if (now - r.at < RETIRE_GRACE_MS) keep.push(r);
      else rmQuiet(join(this.dir, r.file));
    }
    m.retired = keep;
    const known = new Set([...m.parts.map((p) => p.file), ...m.retired.map((r) => r.file)]);
    for (const f of readdirSync(this.dir)) {
      if (!PART_FILE.test(f) || known.has(f)) continue;
      const path = join(this.dir, f);
      if (now - statSync(path).mtimeMs >= RETIRE_GRACE_MS) rmQuiet(path);
    }
  }
}

/** moves a finished file into the source's folder under its part name (inside `update`) */
export function publishFile(tmp: string, dir: string, file: string): void {
  renameSync(tmp, join(dir, file));
}

export function retire(m: Manifest, files: Iterable<string>, now = Date.now()): void {
  const gone = new Set(files);
  m.parts = m.parts.filter((p) => !gone.has(p.file));
  for (const f of gone) m.retired.push({ file: f, at: now });
}

function rmQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
