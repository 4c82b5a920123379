/**
 * The offline store's query engine: DuckDB, in process (@duckdb/node-api, whose binary ships in
 * the npm package). It reads and writes Parquet, joins out of core and spills to disk past its
 * memory limit, so the offline store scales past what fits in memory. One instance per process,
 * made on first use (the serving paths never load it); every operation on a connection of its own.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export interface OfflineEngineSettings {
  /** DuckDB's memory limit (e.g. "512MB"): past it, joins and sorts spill to `spillDir` */
  memoryLimit: string;
  /** DuckDB's worker threads */
  threads: number;
  /** where this process's spill files go (a folder per process, removed on close) */
  spillDir: string;
}

export const DEFAULT_OFFLINE_MEMORY = '384MB';

/** DuckDB could not be loaded: the offline store's reads need it; the rest of SpamOps works. */
export class OfflineEngineError extends Error {
  constructor(reason: string) {
    super(
      `the offline store's engine (DuckDB) could not be loaded: ${reason}; historical retrieval, materialize and training need it (reinstall with npm install; serving and the inbox work without it)`,
    );
    this.name = 'OfflineEngineError';
  }
}

/** DuckDB ran out of its memory limit (other offline work holds it): retry later, or raise the limit. */
export class OfflineMemoryError extends Error {
  constructor(detail: string) {
    super(
      `the offline store's engine (DuckDB) ran out of its memory limit (SPAMOPS_OFFLINE_MEMORY, default ${DEFAULT_OFFLINE_MEMORY}): retry once the other offline work has finished, or raise the limit (${detail})`,
    );
    this.name = 'OfflineMemoryError';
  }
}

/**
 * Closes a connection and frees what it holds now. A streamed result keeps its connection's
 * context (temp tables, sort and join state, spill files) alive until the garbage collector
 * finalizes the result object, closeSync or not: a client that stopped reading a stream pinned
 * the whole memory limit and the spill files, and the next queries failed Out of Memory until a
 * collection happened to run (measured: 100 of 100 MB and 430 MB of spill held). A new statement
 * on the connection closes the streamed result first.
 */
export async function releaseConnection(c: DuckDBConnection): Promise<void> {
  try {
    // the statement closes a streamed result; the context itself (and so its temp tables) may
    // still outlive closeSync through that result, so they are dropped by name
    const temp = await c.runAndReadAll('SELECT table_name FROM duckdb_tables() WHERE temporary');
    for (const [name] of temp.getRows()) await c.run(`DROP TABLE IF EXISTS temp.${sqlIdent(String(name))}`);
  } catch {
    // closed already, or interrupted: nothing to free
  }
  try {
    c.closeSync();
  } catch {
    // closed already
  }
}

type NodeApi = typeof import('@duckdb/node-api');
let api: Promise<NodeApi> | undefined;

/** the DuckDB module, loaded once (a failure is kept: it names what broke) */
export function duckdbApi(): Promise<NodeApi> {
  api ??= import('@duckdb/node-api').catch((e: unknown) => {
    throw new OfflineEngineError((e as Error)?.message ?? String(e));
  });
  return api;
}

export class DuckEngine {
  private instance?: Promise<DuckDBInstance>;
  private readonly dir: string;

  constructor(private readonly settings: OfflineEngineSettings) {
    // a folder per instance (a process may hold several: the server and a training thread)
    this.dir = join(settings.spillDir, `${process.pid}-${randomBytes(3).toString('hex')}`);
  }

  private open(): Promise<DuckDBInstance> {
    this.instance ??= (async () => {
      const { DuckDBInstance } = await duckdbApi();
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      return DuckDBInstance.create(':memory:', {
        memory_limit: this.settings.memoryLimit,
        threads: String(this.settings.threads),
        temp_directory: this.dir,
        // results keep the order the query asks for (ORDER BY); nothing relies on insertion order
        preserve_insertion_order: 'false',
        // no extension is fetched from the network: everything used is built in
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      });
    })();
    this.instance.catch(() => {
      this.instance = undefined;
    });
    return this.instance;
  }

  /** a connection of its own (the caller closes it) */
  async connection(): Promise<DuckDBConnection> {
    return (await this.open()).connect();
  }

  /** runs `fn` on a fresh connection, closed after (its temp tables go with it) */
  async with<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await (await this.open()).connect();
    try {
      return await fn(c);
    } finally {
      await releaseConnection(c);
    }
  }

  /** whether DuckDB loads here (for /health); never throws */
  async check(): Promise<string | undefined> {
    try {
      await this.open();
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  close(): void {
    const inst = this.instance;
    this.instance = undefined;
    if (inst)
      void inst.then(
        (i) => {
          i.closeSync();
          rmSync(this.dir, { recursive: true, force: true });
        },
        () => undefined,
      );
  }
}

/**
 * A SQL string literal. DuckDB's parser ends a literal at a NUL ("unterminated quoted string", a 500
 * for `?prefix=a%00b`): a NUL is spliced in as chr(0).
 */
export function sqlString(s: string): string {
  const quoted = `'${s.replace(/'/g, "''")}'`;
  return s.includes('\0') ? `(${quoted.split('\0').join("' || chr(0) || '")})` : quoted;
}

/** a SQL identifier */
export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** a list of Parquet files as DuckDB reads them */
export function sqlFileList(files: readonly string[]): string {
  return `[${files.map(sqlString).join(', ')}]`;
}
