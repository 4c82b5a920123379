/**
 * The offline store: each file source is a folder of Parquet parts listed by a manifest (see
 * parts.ts). Parts are written by DuckDB: a push as one small part, its rows handed over as one
 * JSON text; rebuilds fed in chunks and written in segments, then merged, so that memory stays
 * bounded whatever the size. Where DuckDB cannot load, cannot open or has no memory left, pushes
 * are written by parquetjs-lite (parquetjs-part.ts). (Pushes were encoded by parquetjs-lite in
 * JavaScript, about 100 µs a row, which held the stream's feature step to ~2,500 messages a
 * second; DuckDB writes them at about 10 µs a row, mostly on its own threads.) Every read is a
 * DuckDB query over the manifest's parts (see retrieval.ts): nothing is kept in memory between
 * queries.
 */
import parquet from 'parquetjs-lite';
import { existsSync, mkdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ROWS_PER_TURN } from '../platform';
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeatureValueType, FieldDef, FileSourceDef } from '../../src-shared/featurestore';
import { duckdbApi, OfflineEngineError, OfflineMemoryError, releaseConnection, sqlFileList, sqlIdent, sqlString, type DuckEngine } from './duckdb';
import type { OfflineRow } from './offline-row';
import { parquetjsPart } from './parquetjs-part';
import { type Manifest, type PartEntry, type PartMark, PartsManifest, publishFile, retire } from './parts';

export type { OfflineRow } from './offline-row';

export class OfflineSourceError extends Error {
  constructor(
    readonly source: string,
    readonly file: string,
    reason: string,
  ) {
    super(`offline source "${source}": cannot read ${file}: ${reason}`);
    this.name = 'OfflineSourceError';
  }
}

/** the SQL type of a field in the Parquet parts */
export const SQL_TYPES: Record<FeatureValueType, string> = {
  Float32: 'FLOAT',
  Float64: 'DOUBLE',
  Int64: 'BIGINT',
  String: 'VARCHAR',
  'Array(Int64)': 'BIGINT[]',
};

/** a part written under a temporary name, published by `publishPart` */
export interface TempPart {
  path: string;
  entry: PartEntry;
}

/** a source's parts as a query reads them, in write order */
export interface SourceParts {
  source: FileSourceDef;
  key: string;
  fields: FieldDef[];
  parts: { path: string; entry: PartEntry }[];
}

/** after this many parts beyond the base, pushed parts are merged */
export const COMPACT_AFTER_PARTS = 64;
/** parts of more rows than this are left out of merges (each merge rewrites only small parts) */
const SMALL_PART_ROWS = 200_000;
const CHUNK_ROWS = 2048;
/** raw bytes of values per Parquet file of a rebuilt base (a segment is held in DuckDB until written) */
const SEGMENT_BYTES = 48 * 1024 * 1024;

export class OfflineStore {
  private readonly manifests = new Map<string, PartsManifest>();

  constructor(
    readonly dir: string,
    readonly engine: DuckEngine,
  ) {}

  sourceDir(source: FileSourceDef): string {
    return join(this.dir, source.path);
  }

  manifest(source: FileSourceDef): PartsManifest {
    const dir = this.sourceDir(source);
    let m = this.manifests.get(dir);
    if (!m) {
      m = new PartsManifest(dir, legacyColumns);
      this.manifests.set(dir, m);
    }
    return m;
  }

  /** the source's current parts, in write order */
  async parts(source: FileSourceDef, key: string, fields: FieldDef[]): Promise<SourceParts> {
    const m = await this.manifest(source).read();
    const dir = this.sourceDir(source);
    return { source, key, fields, parts: m.parts.map((entry) => ({ path: join(dir, entry.file), entry })) };
  }

  async partCount(source: FileSourceDef): Promise<number> {
    return (await this.manifest(source).read()).parts.length;
  }

  /* ---------------- small writes: pushes ---------------- */

  /**
   * First half of an append: the part written under a name nothing reads. DuckDB writes it; where
   * DuckDB cannot load, cannot open its instance (its spill folder unwritable, say) or has no memory
   * left under its limit (other offline work holds it), parquetjs-lite does, so that pushes go on
   * (reads need DuckDB).
   */
  async writePartTemp(source: FileSourceDef, key: string, fields: FieldDef[], rows: OfflineRow[]): Promise<TempPart> {
    const dir = this.sourceDir(source);
    mkdirSync(dir, { recursive: true });
    const tmp = tempName(dir);
    const entry = partEntry(fields, rows);
    const api = await duckdbApi().catch((e: unknown) => (e instanceof OfflineEngineError ? undefined : Promise.reject(e)));
    const conn = api && (await this.engine.connection().catch(() => undefined));
    if (api && conn) {
      // The rows go to DuckDB as one JSON file beside the part, which read_json parses on its
      // threads straight into typed vectors. Bound as one string and unnested by from_json, the
      // same text cost 7.5-8.8 µs of CPU a row (most of the stream's offline work); read from the
      // file, 3.1-3.6, the file's write included. Through a data chunk and an appender, every value
      // crossed into DuckDB on this thread (9 ms for 2,048 rows against 1 ms).
      const staging = new Staging(api, fields);
      const input = stagedRowsName(tmp);
      try {
        const { text, longest } = await staging.json(rows);
        await writeFile(input, text).catch((e: Error) => {
          e.message = `${e.message} (writing a push's rows for DuckDB to ${input})`;
          throw e;
        });
        // staged.n, qualified: ORDER BY takes an unqualified name for the select list's aliases
        // first (without case), and a feature, a join key or a timestamp column may be called n
        await conn.run(
          `COPY (SELECT ${staging.select(key, source).join(', ')} FROM ${staging.readJson(input, longest)} AS staged ORDER BY staged.n) TO ${sqlString(tmp)} (FORMAT parquet)`,
        );
        return { path: tmp, entry };
      } catch (e) {
        if (existsSync(tmp)) unlinkSync(tmp);
        if (!isOutOfMemory(e)) throw e;
      } finally {
        try {
          rmSync(input, { force: true });
        } catch {
          // not removable now (its folder's permissions changed, say): swept at the next start (leftovers.ts)
        }
        conn.closeSync();
      }
    }
    try {
      await writeFile(tmp, await parquetjsPart(source, key, fields, rows));
    } catch (e) {
      if (existsSync(tmp)) unlinkSync(tmp);
      throw e;
    }
    return { path: tmp, entry };
  }

  /** Second half: the part moved into place and listed, at the end of the write order. */
  /**
   * Puts a written part in place. With a `mark`, only if the writer's mark in the manifest is
   * still `mark.after` (else another process, or this one before a crash, wrote these rows
   * already): the part is then discarded and `published` is false.
   */
  async publishPart(source: FileSourceDef, tmp: TempPart, mark?: PartMark): Promise<{ path: string; published: boolean }> {
    const dir = this.sourceDir(source);
    const { result } = await this.manifest(source).update((m) => {
      const at = m.marks?.[mark?.name ?? ''];
      // no mark yet: the writer's first part (its position came from its own cursor)
      if (mark && at !== undefined && at !== mark.after) return false;
      publishFile(tmp.path, dir, tmp.entry.file);
      m.parts.push(tmp.entry);
      if (mark) m.marks = { ...m.marks, [mark.name]: mark.through };
      return true;
    });
    if (!result) this.discardPart(tmp);
    return { path: join(dir, tmp.entry.file), published: result };
  }

  /** a log follower's mark (see PartMark): how far its parts reach */
  async markOf(source: FileSourceDef, name: string): Promise<string | undefined> {
    return (await this.manifest(source).read()).marks?.[name];
  }

  discardPart(tmp: TempPart): void {
    if (existsSync(tmp.path)) unlinkSync(tmp.path);
  }

  async appendPart(source: FileSourceDef, key: string, fields: FieldDef[], rows: OfflineRow[]): Promise<string> {
    return (await this.publishPart(source, await this.writePartTemp(source, key, fields, rows))).path;
  }

  /* ---------------- large writes: rebuilds (DuckDB) ---------------- */

  /**
   * A writer of a whole new base for the source, fed in batches of any size: rows go to a
   * disk-backed staging table, then one Parquet file; `publishAsBase` puts it in place of the
   * previous base (pushed parts are kept, after it).
   */
  async baseWriter(source: FileSourceDef, key: string, fields: FieldDef[]): Promise<BaseWriter> {
    mkdirSync(this.sourceDir(source), { recursive: true });
    return BaseWriter.open(this, source, key, fields);
  }

  /** Retires every part of the source (its base data is rebuilt from scratch). */
  async clearSource(source: FileSourceDef): Promise<void> {
    if (!existsSync(this.sourceDir(source))) return;
    await this.manifest(source).update((m) =>
      retire(
        m,
        m.parts.map((p) => p.file),
      ),
    );
  }

  /**
   * Merges the small pushed parts at the end of the source into one (DuckDB, off the event loop),
   * so that many small pushes do not leave thousands of files to read. The merged part takes their
   * place in the write order; they are retired (readable for the grace period, then removed).
   * Returns the number of parts merged.
   */
  async compact(source: FileSourceDef, key: string, fields: FieldDef[], minParts = 2): Promise<number> {
    const snapshot = await this.parts(source, key, fields);
    const run: SourceParts['parts'] = [];
    for (let i = snapshot.parts.length - 1; i >= 0; i--) {
      const p = snapshot.parts[i];
      if (p.entry.base || p.entry.rows < 0 || p.entry.rows > SMALL_PART_ROWS) break;
      run.unshift(p);
    }
    if (run.length < minParts) return 0;
    const dir = this.sourceDir(source);
    const tmp = tempName(dir);
    const rows = run.reduce((n, p) => n + p.entry.rows, 0);
    try {
      await this.engine.with(async (c) => {
        const rel = sourceRelation({ ...snapshot, parts: run }, { ordinals: true });
        const cols = [`k AS ${sqlIdent(key)}`, ...timeColumns(source), ...fields.map((f) => sqlIdent(f.name))];
        await c.run(`COPY (SELECT ${cols.join(', ')} FROM ${rel} ORDER BY o) TO ${sqlString(tmp)} (FORMAT parquet)`);
      });
    } catch (e) {
      if (existsSync(tmp)) unlinkSync(tmp);
      throw e;
    }
    const merged: PartEntry = { file: nextPartName('merged'), rows, columns: fields.map((f) => f.name) };
    const names = new Set(run.map((p) => p.entry.file));
    const done = await this.manifest(source).update((m) => {
      const at = m.parts.findIndex((p) => names.has(p.file));
      // a rebuild or clear retired some of them meanwhile: this merge is stale
      if (at < 0 || m.parts.filter((p) => names.has(p.file)).length !== names.size) return false;
      publishFile(tmp, dir, merged.file);
      retire(m, names);
      m.parts.splice(at, 0, merged);
      return true;
    });
    if (!done.result) {
      if (existsSync(tmp)) unlinkSync(tmp);
      return 0;
    }
    return run.length;
  }

  /** pushed parts beyond the base that a merge would take */
  async pendingMerge(source: FileSourceDef): Promise<number> {
    const m = await this.manifest(source).read();
    return m.parts.filter((p) => !p.base).length;
  }
}

/** the manifest's entry for a new part of these rows */
function partEntry(fields: FieldDef[], rows: OfflineRow[]): PartEntry {
  const keys = new Set(rows.map((r) => r.entityKey));
  return { file: nextPartName(), rows: rows.length, columns: fields.map((f) => f.name), uniqueKeys: keys.size === rows.length };
}

type DuckApi = Awaited<ReturnType<typeof duckdbApi>>;
type DataChunk = InstanceType<DuckApi['DuckDBDataChunk']>;

/**
 * How rows go to DuckDB on their way to a Parquet part: staged columns of the key (`k`), the times
 * in epoch ms (`ev`, `cr`, DOUBLE) and the values (`f0`, `f1`, … by position, so that no feature's
 * name meets a staging column's), filled by data chunks (rebuilds) or read from one JSON text
 * (pushes), and the SELECT that gives the part's columns (times as TIMESTAMP to the microsecond,
 * values in their SQL types, under the features' names).
 */
class Staging {
  constructor(
    private readonly api: DuckApi,
    private readonly fields: FieldDef[],
  ) {}

  columns(): string[] {
    return ['k VARCHAR', 'ev DOUBLE', 'cr DOUBLE', ...this.fields.map((f, i) => `f${i} ${stagedType(f)}`)];
  }

  /** a chunk of CHUNK_ROWS rows of the table's types (reuse it: its native memory goes only when collected) */
  chunk(): DataChunk {
    const { DuckDBDataChunk, VARCHAR, DOUBLE, LIST } = this.api;
    const types = [VARCHAR, DOUBLE, DOUBLE, ...this.fields.map((f) => (f.dtype === 'String' ? VARCHAR : f.dtype === 'Array(Int64)' ? LIST(DOUBLE) : DOUBLE))];
    return DuckDBDataChunk.create(types, CHUNK_ROWS);
  }

  /** `chunk` holding `rows` (at most CHUNK_ROWS) */
  fill(chunk: DataChunk, rows: OfflineRow[]): DataChunk {
    const { listValue } = this.api;
    chunk.reset();
    chunk.rowCount = rows.length;
    const cols: unknown[][] = [rows.map((r) => r.entityKey), rows.map((r) => r.eventTs), rows.map((r) => r.createdTs)];
    for (const f of this.fields) {
      if (f.dtype === 'Array(Int64)') cols.push(rows.map((r) => listValue((r.values[f.name] as number[] | null) ?? [])));
      else cols.push(rows.map((r) => r.values[f.name] ?? null));
    }
    chunk.setColumns(cols as Parameters<typeof chunk.setColumns>[0]);
    return chunk;
  }

  /**
   * the rows as the text `readJson` reads: a JSON object a line, the staged columns as keys; and
   * the longest line's length, so that no row is over read_json's largest object
   */
  async json(rows: OfflineRow[]): Promise<{ text: string; longest: number }> {
    let longest = 0;
    const lines: string[] = [];
    for (let n = 0; n < rows.length; n++) {
      // between slices, the event loop answers requests (a gathering of 1,500 rows was one block)
      if (n > 0 && n % ROWS_PER_TURN === 0) await nextTurn();
      const r = rows[n];
      // n: the row's place, which read_json's threads do not keep (the part keeps the push's order)
      const o: Record<string, unknown> = { n, k: r.entityKey, ev: r.eventTs, cr: r.createdTs };
      for (const [i, f] of this.fields.entries()) {
        const v = r.values[f.name];
        // as the data chunk takes them: no list is an empty one; text that is not well-formed
        // UTF-16 (a lone surrogate) gets U+FFFD, as DuckDB's VARCHAR holds UTF-8 only
        o[`f${i}`] = f.dtype === 'Array(Int64)' ? (v ?? []) : typeof v === 'string' ? v.toWellFormed() : (v ?? null);
      }
      const line = JSON.stringify(o);
      if (line.length > longest) longest = line.length;
      lines.push(line);
    }
    return { text: lines.join('\n'), longest };
  }

  /**
   * a FROM clause giving the staged columns from the file of `json`'s text at `path`. read_json
   * refuses an object over `maximum_object_size` bytes (16 MB unless told): a line of `longest`
   * UTF-16 units is at most three times as many bytes of UTF-8.
   */
  readJson(path: string, longest: number): string {
    const columns = { n: 'BIGINT', k: 'VARCHAR', ev: 'DOUBLE', cr: 'DOUBLE', ...Object.fromEntries(this.fields.map((f, i) => [`f${i}`, stagedType(f)])) };
    const struct = Object.entries(columns).map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`);
    return `read_json(${sqlString(path)}, format = 'newline_delimited', auto_detect = false, columns = {${struct.join(', ')}}, maximum_object_size = ${Math.max(16 * 2 ** 20, 3 * longest + 16)})`;
  }

  /** the part's columns, selected from the staging table (or `readJson`) */
  select(key: string, source: FileSourceDef): string[] {
    return [
      `k AS ${sqlIdent(key)}`,
      `make_timestamp((ev * 1000)::BIGINT) AS ${sqlIdent(source.timestampField)}`,
      `make_timestamp((cr * 1000)::BIGINT) AS ${sqlIdent(source.createdTimestampColumn)}`,
      ...this.fields.map((f, i) => `f${i}::${SQL_TYPES[f.dtype]} AS ${sqlIdent(f.name)}`),
    ];
  }
}

/** a field's staged type: text as text, numbers as DOUBLE (cast to their type by `select`) */
const stagedType = (f: FieldDef) => (f.dtype === 'String' ? 'VARCHAR' : f.dtype === 'Array(Int64)' ? 'DOUBLE[]' : 'DOUBLE');

/**
 * Feeds a new base of a source to DuckDB in chunks (see `OfflineStore.baseWriter`): rows collect
 * in a temporary table, written out as a Parquet file every SEGMENT_ROWS rows and emptied, so
 * memory stays bounded whatever the size; the base is the files together, in order.
 */
export class BaseWriter {
  private rows = 0;
  private inTable = 0;
  private pending: OfflineRow[] = [];
  private readonly files: { tmp: string; rows: number }[] = [];
  /** one chunk, reused: a chunk's native memory is freed only when JavaScript collects it */
  private chunk?: DataChunk;
  private readonly staging: Staging;

  private appender!: Awaited<ReturnType<DuckDBConnection['createAppender']>>;
  /** rows per segment: about SEGMENT_BYTES of values */
  private readonly segmentRows: number;

  private constructor(
    private readonly store: OfflineStore,
    private readonly source: FileSourceDef,
    private readonly key: string,
    private readonly fields: FieldDef[],
    private readonly conn: DuckDBConnection,
    private readonly table: string,
    api: DuckApi,
  ) {
    this.staging = new Staging(api, fields);
    const width = 4 + fields.reduce((n, f) => n + (f.dtype === 'Array(Int64)' ? (f.length ?? 32) : 1), 0);
    this.segmentRows = Math.max(50_000, Math.min(2_000_000, Math.floor(SEGMENT_BYTES / (8 * width))));
  }

  static async open(store: OfflineStore, source: FileSourceDef, key: string, fields: FieldDef[]): Promise<BaseWriter> {
    const api = await duckdbApi();
    const conn = await store.engine.connection();
    const w = new BaseWriter(store, source, key, fields, conn, `seg_${randomBytes(4).toString('hex')}`, api);
    try {
      await w.newTable();
      return w;
    } catch (e) {
      conn.closeSync();
      throw e;
    }
  }

  /** a fresh table for the next segment (dropping the last one frees its memory at once) */
  private async newTable(): Promise<void> {
    await this.conn.run(`CREATE TEMP TABLE ${this.table} (${this.staging.columns().join(', ')})`);
    this.appender = await this.conn.createAppender(this.table, 'main', 'temp');
  }

  /** adds rows (any number: they go to DuckDB in chunks, to Parquet in segments) */
  async add(rows: OfflineRow[]): Promise<void> {
    for (const r of rows) {
      this.pending.push(r);
      this.rows += 1;
      if (this.pending.length === CHUNK_ROWS) this.flushChunk();
    }
    if (this.inTable >= this.segmentRows) await this.writeSegment(true);
  }

  private flushChunk(): void {
    const rows = this.pending;
    if (rows.length === 0) return;
    this.pending = [];
    this.chunk ??= this.staging.chunk();
    this.appender.appendDataChunk(this.staging.fill(this.chunk, rows));
    this.inTable += rows.length;
  }

  /** the table so far as one Parquet file (under a temporary name), then emptied */
  private async writeSegment(more: boolean): Promise<void> {
    this.flushChunk();
    if (this.inTable === 0) return;
    this.appender.closeSync();
    const tmp = tempName(this.store.sourceDir(this.source));
    this.files.push({ tmp, rows: this.inTable });
    await this.conn.run(
      `COPY (SELECT ${this.staging.select(this.key, this.source).join(', ')} FROM ${this.table}) TO ${sqlString(tmp)} (FORMAT parquet, ROW_GROUP_SIZE 122880)`,
    );
    await this.conn.run(`DROP TABLE ${this.table}`);
    this.inTable = 0;
    if (more) await this.newTable();
  }

  /** writes what is left and puts the files in place of the previous base (retired); returns the first */
  async publishAsBase(): Promise<{ file: string; rows: number; files: number }> {
    const dir = this.store.sourceDir(this.source);
    let uniqueKeys = false;
    try {
      await this.writeSegment(false);
      closeQuietly(this.appender);
      // one row per key across the base lets readers join on the key alone
      if (this.files.length) {
        const u = await this.conn.runAndReadAll(
          `SELECT count(*) = count(DISTINCT ${sqlIdent(this.key)}) FROM read_parquet(${sqlFileList(this.files.map((f) => f.tmp))})`,
        );
        uniqueKeys = u.getRows()[0][0] === true;
      }
    } catch (e) {
      this.discard();
      throw e;
    } finally {
      await releaseConnection(this.conn);
    }
    const entries: PartEntry[] = this.files.map((f) => ({
      file: nextPartName('base'),
      rows: f.rows,
      columns: this.fields.map((x) => x.name),
      base: true,
      uniqueKeys,
    }));
    await this.store.manifest(this.source).update((m: Manifest) => {
      for (const [i, f] of this.files.entries()) publishFile(f.tmp, dir, entries[i].file);
      retire(
        m,
        m.parts.filter((p) => p.base).map((p) => p.file),
      );
      m.parts.unshift(...entries);
    });
    return { file: join(dir, entries[0]?.file ?? ''), rows: this.rows, files: entries.length };
  }

  /** drops what was added (nothing is published) */
  async abort(): Promise<void> {
    closeQuietly(this.appender);
    await releaseConnection(this.conn);
    this.discard();
  }

  private discard(): void {
    for (const f of this.files) if (existsSync(f.tmp)) unlinkSync(f.tmp);
  }
}

function closeQuietly(a: { closeSync(): void }): void {
  try {
    a.closeSync();
  } catch {
    // closed already
  }
}

/** the event and created times of a part's rows, under the source's column names */
function timeColumns(source: FileSourceDef): string[] {
  return [`make_timestamp(ev) AS ${sqlIdent(source.timestampField)}`, `make_timestamp(cr) AS ${sqlIdent(source.createdTimestampColumn)}`];
}

/**
 * The rows of a source's parts as one SQL relation: `k` (the key), `ev` and `cr` (event and
 * created time, microseconds), with `ordinals` also `o`, the struct {ev, cr, p, r} of those times
 * and the part and row numbers: ordering rows by `o` is the write-order rule of the offline store
 * (later wins; `partOffset`: the first part's place when the parts are a slice of the list);
 * then the fields (a part written before a field existed: NULL, an empty list for
 * token ids, as a row without the value always read).
 */
export function sourceRelation(s: SourceParts, o: { ordinals: boolean; partOffset?: number } = { ordinals: true }): string {
  const empty = (f: FieldDef) => (f.dtype === 'Array(Int64)' ? '[]::BIGINT[]' : `NULL::${SQL_TYPES[f.dtype]}`);
  if (s.parts.length === 0) {
    const cols = [
      'NULL::VARCHAR AS k',
      '0::BIGINT AS ev',
      '0::BIGINT AS cr',
      ...(o.ordinals ? ["{'ev': 0::BIGINT, 'cr': 0::BIGINT, 'p': 0, 'r': 0::BIGINT} AS o"] : []),
      ...s.fields.map((f) => `${empty(f)} AS ${sqlIdent(f.name)}`),
    ];
    return `(SELECT ${cols.join(', ')} WHERE false)`;
  }
  const ev = `epoch_us(${sqlIdent(s.source.timestampField)})`;
  const cr = `COALESCE(epoch_us(${sqlIdent(s.source.createdTimestampColumn)}), 0)`;
  // one scan over every part (a UNION ALL of one scan per part holds far more memory in a join);
  // file_index follows the list's order, which is the write order
  const present = new Set(s.parts.flatMap((p) => p.entry.columns));
  const cols = [
    `${sqlIdent(s.key)} AS k`,
    `${ev} AS ev`,
    `${cr} AS cr`,
    ...(o.ordinals ? [`{'ev': ${ev}, 'cr': ${cr}, 'p': (file_index + ${o.partOffset ?? 0})::INTEGER, 'r': file_row_number} AS o`] : []),
    ...s.fields.map((f) => {
      if (!present.has(f.name)) return `${empty(f)} AS ${sqlIdent(f.name)}`;
      const col = `${sqlIdent(f.name)}::${SQL_TYPES[f.dtype]}`;
      return `${f.dtype === 'Array(Int64)' ? `COALESCE(${col}, []::BIGINT[])` : col} AS ${sqlIdent(f.name)}`;
    }),
  ];
  return `(SELECT ${cols.join(', ')} FROM read_parquet(${sqlFileList(s.parts.map((p) => p.path))}, union_by_name = true))`;
}

const isOutOfMemory = (e: unknown) => String((e as Error)?.message ?? e).startsWith('Out of Memory Error');

/** DuckDB's errors about a part name the file: turn them into OfflineSourceError */
export function asSourceError(e: unknown, s: SourceParts[]): unknown {
  const msg = String((e as Error)?.message ?? e);
  if (isOutOfMemory(e)) return new OfflineMemoryError(msg.split('\n')[0].slice(0, 300));
  for (const src of s)
    for (const p of src.parts) if (msg.includes(p.path)) return new OfflineSourceError(src.source.name, p.path, msg.split('\n')[0].slice(0, 400));
  return e;
}

let partSeq = 0;
/** Part names sort in write order within a process (the manifest holds the order that counts). */
function nextPartName(kind = 'push'): string {
  partSeq = (partSeq + 1) % 1_000_000;
  return `part-${String(Date.now()).padStart(15, '0')}-${String(partSeq).padStart(6, '0')}-${kind}-${randomBytes(3).toString('hex')}.parquet`;
}

function tempName(dir: string): string {
  return join(dir, `.part-${Date.now()}-${randomBytes(4).toString('hex')}.parquet.tmp`);
}

/** the file of a push's rows as JSON, beside its part (a temporary name: a killed push's is swept, leftovers.ts) */
function stagedRowsName(tmp: string): string {
  return tmp.replace(/\.parquet\.tmp$/, '.rows.json.tmp');
}

/** the columns of a part written by parquetjs-lite before manifests existed (its footer) */
async function legacyColumns(file: string): Promise<string[]> {
  if (statSync(file).size === 0) return [];
  const reader = await parquet.ParquetReader.openFile(file);
  try {
    return reader.getSchema().fieldList.map((f) => f.name);
  } finally {
    await reader.close().catch(() => undefined);
  }
}
