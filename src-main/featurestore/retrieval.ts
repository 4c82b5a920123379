/**
 * Reads of the offline store as DuckDB queries over the sources' Parquet parts:
 *
 * - the point-in-time join of historical retrieval: for each entity row (key, time) and each view,
 *   the latest row of the view's source whose event time is at or before the row's time and, when
 *   the view has a ttl, no older than time - ttl; ties on event time go to the latest created time,
 *   then to the later written row (later part, then later row in its part). An ASOF JOIN on the
 *   struct (event, created, part, row) is exactly that rule; a source made of one part whose keys
 *   are unique needs no tie-break and joins on the key alone.
 * - the latest row per entity in a time range (materialize), the newest rows (previews).
 *
 * Entity rows are loaded into a temporary table per query (from a list, a CSV file read in bounded
 * memory, or every key the sources hold), and results come back in chunks: nothing is held whole.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import type { FeatureValue, FeatureViewDef, FieldDef } from '../../src-shared/featurestore';
import { duckdbApi, sqlIdent, sqlString } from './duckdb';
import { asSourceError, type SourceParts, sourceRelation } from './offline';
import { FeatureInputError } from './errors';
import { parseTimestamp } from './timestamps';
import { CsvRecords } from '../platform';

/** one view of a retrieval: its source's parts and the columns asked of it */
export interface ViewJoin {
  view: FeatureViewDef;
  parts: SourceParts;
  columns: { field: FieldDef; name: string }[];
}

/** which entity rows to retrieve features for */
export type EntitySpec =
  | { kind: 'rows'; keys: string[]; timestamps: number[] }
  /** a CSV with a header: the join key's column, and an event_timestamp column unless `at` is given */
  | { kind: 'csv'; file: string; at?: number }
  /** every key the retrieved views' sources hold, at one time (rows in no set order) */
  | { kind: 'all'; at: number }
  /** keys read in batches (e.g. from the warehouse), all at one time; `unique`: a key's repeats are dropped */
  | { kind: 'keys'; batches: AsyncIterable<string[]>; at: number; unique?: boolean };

const ENTITY_CHUNK = 2048;
/** the last possible position in the write order: a row at time t sees every row of time t */
const MAX_ORDER = (ts: string, ordinals: boolean) =>
  ordinals
    ? `{'ev': ${ts}, 'cr': 9223372036854775807::BIGINT, 'p': 2147483647, 'r': 9223372036854775807::BIGINT}`
    : `{'ev': ${ts}, 'cr': 9223372036854775807::BIGINT}`;

/** only a rebuilt base whose keys are unique across its files: a row per key, no tie to break */
function singleRowPerKey(p: SourceParts): boolean {
  return p.parts.length > 0 && p.parts.every((x) => x.entry.base === true && x.entry.uniqueKeys === true);
}

/**
 * Loads the entity rows into the temporary table `ent(idx, k, ts)` (ts in microseconds); returns
 * how many there are. CSV and list rows are checked as the API checks them, naming the line.
 */
/** whether the rows must come back in the entity rows' order (`all` has none to keep) */
export const keepsOrder = (spec: EntitySpec): boolean => spec.kind !== 'all';

export async function loadEntities(c: DuckDBConnection, spec: EntitySpec, joins: ViewJoin[], joinKey: string): Promise<number> {
  if (spec.kind === 'all') {
    const keys = joins.map((j) => `SELECT DISTINCT k FROM ${sourceRelation(j.parts, { ordinals: false })}`);
    const union = keys.length ? keys.join(' UNION ') : 'SELECT NULL::VARCHAR AS k WHERE false';
    await c.run(
      // no order to keep: every key once, all at one time (results of `all` come in no set order)
      `CREATE TEMP TABLE ent AS SELECT 0::BIGINT AS idx, k, ${Math.round(spec.at * 1000)}::BIGINT AS ts FROM (${union}) WHERE k IS NOT NULL`,
    );
    return count(c, 'ent');
  }
  const { DuckDBDataChunk, INTEGER, VARCHAR, DOUBLE } = await duckdbApi();
  await c.run('CREATE TEMP TABLE ent_in (idx INTEGER, k VARCHAR, ms DOUBLE)');
  const appender = await c.createAppender('ent_in');
  let n = 0;
  const flush = (keys: string[], times: number[]) => {
    if (keys.length === 0) return;
    const chunk = DuckDBDataChunk.create([INTEGER, VARCHAR, DOUBLE], keys.length);
    chunk.setColumns([Array.from({ length: keys.length }, (_, i) => n - keys.length + i), keys, times]);
    appender.appendDataChunk(chunk);
  };
  try {
    if (spec.kind === 'rows') {
      if (spec.keys.length !== spec.timestamps.length) throw new FeatureInputError('entity_df', 'entity keys and timestamps differ in length');
      for (let i = 0; i < spec.keys.length; i += ENTITY_CHUNK) {
        const keys = spec.keys.slice(i, i + ENTITY_CHUNK);
        n += keys.length;
        flush(keys, spec.timestamps.slice(i, i + ENTITY_CHUNK));
      }
    } else if (spec.kind === 'keys') {
      for await (const batch of spec.batches)
        for (let i = 0; i < batch.length; i += ENTITY_CHUNK) {
          const keys = batch.slice(i, i + ENTITY_CHUNK);
          n += keys.length;
          flush(
            keys,
            keys.map(() => spec.at),
          );
        }
    } else {
      let keys: string[] = [];
      let times: number[] = [];
      for await (const row of entityCsv(spec.file, joinKey, spec.at)) {
        keys.push(row.key);
        times.push(row.ts);
        n += 1;
        if (keys.length === ENTITY_CHUNK) {
          flush(keys, times);
          keys = [];
          times = [];
        }
      }
      flush(keys, times);
    }
  } finally {
    appender.closeSync();
  }
  const unique = spec.kind === 'keys' && spec.unique;
  await c.run(
    `CREATE TEMP TABLE ent AS SELECT idx::BIGINT AS idx, k, (ms * 1000)::BIGINT AS ts FROM ent_in${unique ? ' QUALIFY row_number() OVER (PARTITION BY k ORDER BY idx) = 1' : ''}`,
  );
  await c.run('DROP TABLE ent_in');
  return unique ? count(c, 'ent') : n;
}

/** the rows of an entity CSV: header with the join key (and event_timestamp unless `at`) */
async function* entityCsv(file: string, joinKey: string, at: number | undefined): AsyncGenerator<{ key: string; ts: number }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  const records = new CsvRecords();
  let keyAt = -1;
  let tsAt = -1;
  const where = (line: number) => `${file} line ${line}`;
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo += 1;
    // a byte-order mark before the header (spreadsheets write one) is not part of the first name
    const line = lineNo === 1 && raw.startsWith('\ufeff') ? raw.slice(1) : raw;
    for (const ev of records.push(lineNo, line)) {
      if (ev.kind === 'broken') throw new FeatureInputError('entities', `${where(ev.line)}: ${ev.reason}`);
      if (keyAt < 0) {
        keyAt = ev.fields.indexOf(joinKey);
        tsAt = ev.fields.indexOf('event_timestamp');
        if (keyAt < 0)
          throw new FeatureInputError('entities', `${where(ev.line)}: expected a header naming the join key "${joinKey}", got ${ev.fields.join(',')}`);
        if (tsAt < 0 && at === undefined)
          throw new FeatureInputError('entities', `${where(ev.line)}: no event_timestamp column: add one, or give the time of every row (--at)`);
        continue;
      }
      const key = ev.fields[keyAt] ?? '';
      if (key.length === 0 || key.length > 200)
        throw new FeatureInputError('entities', `${where(ev.line)}: expected a non-empty ${joinKey} of at most 200 characters`);
      const ts = tsAt >= 0 && ev.fields[tsAt] ? parseTimestamp(ev.fields[tsAt], `${where(ev.line)}: event_timestamp`) : at;
      if (ts === undefined)
        throw new FeatureInputError('entities', `${where(ev.line)}: event_timestamp is empty: fill it, or give the time of every row (--at)`);
      yield { key, ts };
    }
  }
  for (const ev of records.end()) if (ev.kind === 'broken') throw new FeatureInputError('entities', `${where(ev.line)}: ${ev.reason}`);
  if (keyAt < 0) throw new FeatureInputError('entities', `${file}: empty: expected a header naming the join key "${joinKey}"`);
}

/**
 * The point-in-time join over `ent` as a SELECT: idx, the join key, ts (microseconds), then one
 * column per requested feature. `jsTypes`: numbers as DOUBLE (what JavaScript reads exactly for
 * our integers), else the stored types (for files).
 */
export function pointInTimeSql(joins: ViewJoin[], joinKey: string, o: { jsTypes: boolean }): string {
  const ordinalsFor = joins.map((j) => !singleRowPerKey(j.parts));
  const entCols = ['idx', 'k', 'ts'];
  if (ordinalsFor.some((x) => x)) entCols.push(`${MAX_ORDER('ts', true)} AS o4`);
  let from = `(SELECT ${entCols.join(', ')} FROM ent) e`;
  const select = ['e.idx AS idx', `e.k AS ${sqlIdent(joinKey)}`, 'e.ts AS ts'];
  joins.forEach((j, i) => {
    const a = `j${i}`;
    const ttlUs = j.view.ttlSeconds * 1_000_000;
    // no CASE over the values where it can be helped: one over a list column costs DuckDB a copy
    // of every row it keeps (and with it, memory it cannot spill)
    let keep: string | undefined;
    if (ordinalsFor[i]) {
      from += ` ASOF LEFT JOIN ${sourceRelation(j.parts, { ordinals: true })} ${a} ON e.k = ${a}.k AND e.o4 >= ${a}.o`;
      if (ttlUs > 0) keep = `${a}.ev >= e.ts - ${ttlUs}`;
    } else {
      const ttl = ttlUs > 0 ? ` AND ${a}.ev >= e.ts - ${ttlUs}` : '';
      from += ` LEFT JOIN ${sourceRelation(j.parts, { ordinals: false })} ${a} ON e.k = ${a}.k AND ${a}.ev <= e.ts${ttl}`;
    }
    for (const c of j.columns) {
      const isArray = c.field.dtype === 'Array(Int64)';
      let value = `${a}.${sqlIdent(c.field.name)}`;
      if (o.jsTypes && c.field.dtype !== 'String') value = `(${value})::${isArray ? 'DOUBLE[]' : 'DOUBLE'}`;
      select.push(`${keep ? `CASE WHEN ${keep} THEN ${value} ELSE NULL END` : value} AS ${sqlIdent(c.name)}`);
    }
  });
  return `SELECT ${select.join(', ')} FROM ${from}`;
}

/** the latest row per entity with an event time in [start, end] (ms), for materialize */
export function latestPerEntitySql(p: SourceParts, fields: FieldDef[], startMs: number, endMs: number): string {
  const [s, e] = [Math.round(startMs * 1000), Math.round(endMs * 1000)];
  const jsCol = (f: FieldDef) => `${sqlIdent(f.name)}::${f.dtype === 'String' ? 'VARCHAR' : f.dtype === 'Array(Int64)' ? 'DOUBLE[]' : 'DOUBLE'}`;
  if (singleRowPerKey(p)) {
    const cols = ['k', '(ev / 1000)::DOUBLE AS ev', '(cr / 1000)::DOUBLE AS cr', ...fields.map((f) => `${jsCol(f)} AS ${sqlIdent(f.name)}`)];
    return `SELECT ${cols.join(', ')} FROM ${sourceRelation(p, { ordinals: false })} WHERE k IS NOT NULL AND ev BETWEEN ${s} AND ${e}`;
  }
  const packed = fields.map((f) => `${sqlString(f.name)}: ${sqlIdent(f.name)}`).join(', ');
  const cols = ['k', '(o.ev / 1000)::DOUBLE AS ev', '(o.cr / 1000)::DOUBLE AS cr', ...fields.map((f) => `v.${jsCol(f)} AS ${sqlIdent(f.name)}`)];
  const window = `WHERE k IS NOT NULL AND ev BETWEEN ${s} AND ${e}`;
  const latestOf = (rel: string) => `SELECT k, max(o) AS o, arg_max({${packed || "'_': 0"}}, o) AS v FROM ${rel} ${window} GROUP BY k`;
  const nb = p.parts.findIndex((x) => x.entry.base !== true);
  const baseIsUniquePrefix = nb > 0 && p.parts.slice(0, nb).every((x) => x.entry.uniqueKeys === true) && p.parts.slice(nb).every((x) => x.entry.base !== true);
  if (!baseIsUniquePrefix) return `SELECT ${cols.join(', ')} FROM (${latestOf(sourceRelation(p, { ordinals: true }))})`;
  // A rebuilt base (a row per key) and the parts pushed since: only the keys pushed since need the
  // newest of several rows. Grouping every key holds each key's values in a state DuckDB cannot
  // spill (1M keys of token lists failed at its 384 MB limit, while this form takes 1.2 s).
  const base = sourceRelation({ ...p, parts: p.parts.slice(0, nb) }, { ordinals: true });
  const pushed = sourceRelation({ ...p, parts: p.parts.slice(nb) }, { ordinals: true, partOffset: nb });
  const plain = ['k', '(ev / 1000)::DOUBLE AS ev', '(cr / 1000)::DOUBLE AS cr', ...fields.map((f) => `${jsCol(f)} AS ${sqlIdent(f.name)}`)];
  const pk = `(SELECT DISTINCT k FROM ${pushed} WHERE k IS NOT NULL)`;
  return (
    `SELECT ${plain.join(', ')} FROM ${base} ${window} AND k NOT IN ${pk} ` +
    `UNION ALL SELECT ${cols.join(', ')} FROM (${latestOf(`(SELECT * FROM ${base} WHERE k IN ${pk} UNION ALL SELECT * FROM ${pushed})`)})`
  );
}

/** the newest rows of a source (event, then created time, descending), for previews */
export function newestRowsSql(p: SourceParts, limit: number): string {
  const cols = [
    'k',
    '(o.ev / 1000)::DOUBLE AS ev',
    '(o.cr / 1000)::DOUBLE AS cr',
    ...p.fields.map((f) => `${sqlIdent(f.name)}${f.dtype === 'String' ? '' : f.dtype === 'Array(Int64)' ? '::DOUBLE[]' : '::DOUBLE'} AS ${sqlIdent(f.name)}`),
  ];
  return `SELECT ${cols.join(', ')} FROM ${sourceRelation(p, { ordinals: true })} WHERE k IS NOT NULL ORDER BY o.ev DESC, o.cr DESC, k, o.p DESC, o.r DESC LIMIT ${Math.max(0, Math.floor(limit))}`;
}

export async function count(c: DuckDBConnection, relation: string): Promise<number> {
  const r = await c.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${relation}`);
  return Number(r.getRows()[0][0]);
}

/** reads a value of a JS-typed result column (DOUBLE, DOUBLE[], VARCHAR) */
export type ColumnReader = (row: number) => FeatureValue;

export function columnReaders(chunk: DuckDBDataChunk): ColumnReader[] {
  const readers: ColumnReader[] = [];
  for (let c = 0; c < chunk.columnCount; c++) {
    const v = chunk.getColumnVector(c) as unknown as {
      getItem(i: number): unknown;
      childVector?: { getItem(i: number): unknown };
      getEntryOffset?(i: number): number;
      getEntryLength?(i: number): number;
      validity?: { itemValid?(i: number): boolean };
    };
    if (v.childVector && v.getEntryOffset && v.getEntryLength) {
      const child = v.childVector;
      // a null list, told by the validity mask (getItem would copy the list to say it is not null)
      const validity = v.validity;
      const isNull = validity?.itemValid ? (i: number) => !validity.itemValid!(i) : (i: number) => v.getItem(i) === null;
      readers.push((i) => {
        if (isNull(i)) return null;
        const off = v.getEntryOffset!(i);
        const len = v.getEntryLength!(i);
        const out = new Array<number>(len);
        for (let j = 0; j < len; j++) out[j] = child.getItem(off + j) as number;
        return out;
      });
    } else
      readers.push((i) => {
        const x = v.getItem(i);
        return typeof x === 'bigint' ? Number(x) : (x as FeatureValue);
      });
  }
  return readers;
}

/** the chunks of a streamed result, with DuckDB's errors about a part named by its source */
export async function* chunksOf(result: DuckDBResult, sources: SourceParts[]): AsyncGenerator<DuckDBDataChunk> {
  for (;;) {
    let chunk: DuckDBDataChunk | null;
    try {
      chunk = await result.fetchChunk();
    } catch (e) {
      throw asSourceError(e, sources);
    }
    if (!chunk || chunk.rowCount === 0) return;
    yield chunk;
  }
}
