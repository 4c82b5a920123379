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
      c.closeSync();
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

/** a SQL string literal */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** a SQL identifier */
export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** a list of Parquet files as DuckDB reads them */
export function sqlFileList(files: readonly string[]): string {
  return `[${files.map(sqlString).join(', ')}]`;
}
