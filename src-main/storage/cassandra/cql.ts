/** The driver plumbing every store uses: prepared statements, paging, concurrency, and errors explained. */
import cassandra from 'cassandra-driver';
import type { Client, QueryOptions, types } from 'cassandra-driver';

export type Row = types.Row;
type ResultSet = types.ResultSet;
type Params = unknown[];

const { Long, responseErrorCodes: RC } = cassandra.types;
export const PROJECT = 'spamops';
/** COUNT(*) scans the table; give it longer than a point query */
export const SCAN_TIMEOUT_MS = 120_000;
const PAGE_SIZE = 500;
export const CONCURRENCY = 64;

export class CassandraError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'CassandraError';
  }
}

export function withPort(cp: string): string {
  return /:\d+$/.test(cp) ? cp : `${cp}:9042`;
}

/** Turn a driver error into a sentence that says what to check. */
export function explain(e: unknown, where: string, astra: boolean): string {
  const err = e as Error & { code?: number | string; innerErrors?: Record<string, Error> };
  const reach = astra ? 'check CASSANDRA_SECURE_CONNECT_BUNDLE and the network' : 'check CASSANDRA_CONTACT_POINTS and that Cassandra is running';
  if (e instanceof cassandra.errors.NoHostAvailableError) {
    const inner = Object.entries(err.innerErrors ?? {});
    const auth = inner.find(([, ie]) => ie instanceof cassandra.errors.AuthenticationError);
    if (auth) return `Cassandra at ${where} refused the credentials: ${auth[1].message} — check CASSANDRA_USERNAME / CASSANDRA_PASSWORD`;
    const reasons = inner.length ? inner.map(([h, ie]) => `${h}: ${ie.message}`).join('; ') : err.message;
    return `cannot reach Cassandra at ${where}: ${reasons} — ${reach}`;
  }
  if (e instanceof cassandra.errors.AuthenticationError || err.code === RC.badCredentials) {
    return `Cassandra at ${where} refused the credentials: ${err.message} — check CASSANDRA_USERNAME / CASSANDRA_PASSWORD`;
  }
  if (e instanceof cassandra.errors.OperationTimedOutError) {
    return `Cassandra at ${where} did not answer in time: ${err.message} — the cluster may be down or overloaded; ${reach}`;
  }
  if (e instanceof cassandra.errors.ArgumentError && /localDataCenter/i.test(err.message)) {
    return `Cassandra at ${where}: ${err.message} — check CASSANDRA_LOCAL_DC`;
  }
  if (err.code === 'ENOENT' || err.code === 'EACCES') {
    return `cannot read the Astra secure-connect bundle: ${err.message} — check CASSANDRA_SECURE_CONNECT_BUNDLE`;
  }
  if (err.code === RC.unauthorized) return `Cassandra at ${where} denied the operation: ${err.message} — grant the user rights on the keyspace`;
  if (err.code === RC.invalid && /keyspace/i.test(err.message) && /(not exist|unknown|non-existing)/i.test(err.message)) {
    return `the keyspace does not exist at ${where}: ${err.message} — create it${astra ? ' in the Astra console' : ''} or check CASSANDRA_KEYSPACE`;
  }
  if (err.code === RC.unavailableException || err.code === RC.readTimeout || err.code === RC.writeTimeout || err.code === RC.overloaded) {
    return `Cassandra at ${where} has not enough healthy replicas right now: ${err.message} — check the cluster (nodetool status)`;
  }
  return `Cassandra at ${where}: ${err?.message ?? String(e)}`;
}

export function isMissingTable(e: unknown): boolean {
  const err = ((e as { cause?: unknown })?.cause ?? e) as { code?: number; message?: string };
  return err?.code === RC.invalid && /unconfigured table|table .* does not exist/i.test(err.message ?? '');
}

/** Every statement goes through here: prepared, with errors explained. */
export class Cql {
  constructor(
    readonly client: Client,
    private readonly where: string,
    private readonly astra: boolean,
  ) {}
  fail(e: unknown): CassandraError {
    return e instanceof CassandraError ? e : new CassandraError(explain(e, this.where, this.astra), e);
  }
  async run(query: string, params: Params = [], options: QueryOptions = {}): Promise<ResultSet> {
    try {
      return await this.client.execute(query, params, { prepare: true, ...options });
    } catch (e) {
      throw this.fail(e);
    }
  }
  /** a logged batch: every statement applies or none does (eventually), whatever their partitions */
  async batch(statements: { query: string; params: Params }[]): Promise<void> {
    try {
      await this.client.batch(statements, { prepare: true, logged: true });
    } catch (e) {
      throw this.fail(e);
    }
  }
  /** schema statements carry names, not values, so they are not prepared */
  async ddl(query: string): Promise<void> {
    try {
      await this.client.execute(query);
    } catch (e) {
      throw this.fail(e);
    }
  }
  /** one statement per params row, up to CONCURRENCY in flight; results in input order */
  async many(query: string, rows: Params[]): Promise<ResultSet[]> {
    if (rows.length === 0) return [];
    try {
      const r = await cassandra.concurrent.executeConcurrent(this.client, query, rows, { collectResults: true, concurrencyLevel: CONCURRENCY });
      return r.resultItems as ResultSet[];
    } catch (e) {
      throw this.fail(e);
    }
  }
  /** rows one page at a time: the next page is fetched only when the consumer gets there */
  async *paged(query: string, params: Params, fetchSize = PAGE_SIZE): AsyncGenerator<Row> {
    let pageState: string | undefined;
    do {
      const rs = await this.run(query, params, { fetchSize, pageState });
      yield* rs.rows;
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  }
}

export const str = (r: Row, c: string): string => r.get(c) as string;
export const ms = (r: Row, c: string): number => (r.get(c) as Date).getTime();
export const num = (r: Row, c: string): number => {
  const v: unknown = r.get(c); // int columns are numbers; bigint and COUNT(*) are Long
  return v instanceof Long ? v.toNumber() : Number(v);
};
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
