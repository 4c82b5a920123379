/** The storage layer's public face: pick a backend from the configuration, get the interfaces. */
import type { Storage } from './types';
import { openSqliteStorage } from './sqlite';

export * from './types';
export { openSqliteStorage } from './sqlite';

export interface CassandraSettings {
  contactPoints: string[];
  keyspace: string;
  localDataCenter: string;
  username?: string;
  password?: string;
  /** path of an Astra DB secure-connect bundle (zip); replaces contact points */
  secureConnectBundle?: string;
  /** default TTL of the call log table, seconds */
  callLogTtlSeconds?: number;
}

export type StorageSettings = { backend: 'sqlite'; path: string } | ({ backend: 'cassandra' } & CassandraSettings);

export async function openStorage(settings: StorageSettings): Promise<Storage> {
  if (settings.backend === 'sqlite') return openSqliteStorage(settings.path);
  // Loaded only when asked for: the embedded default needs no Cassandra code at start.
  const { openCassandraStorage } = await import('./cassandra');
  return openCassandraStorage(settings);
}
