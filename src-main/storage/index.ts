/**
 * The storage layer's public face: pick a backend from the settings, get the interfaces. Each
 * backend keeps its own settings type and one file per store (as Feast's online stores do).
 */
import type { Storage } from './types';
import type { CassandraSettings } from './cassandra/settings';
import { openSqliteStorage, type SqliteSettings } from './sqlite';

export * from './types';
export { openSqliteStorage } from './sqlite';
export type { SqliteSettings } from './sqlite';
export type { CassandraSettings } from './cassandra/settings';

export type StorageSettings = ({ backend: 'sqlite' } & SqliteSettings) | ({ backend: 'cassandra' } & CassandraSettings);

export async function openStorage(settings: StorageSettings): Promise<Storage> {
  if (settings.backend === 'sqlite') return openSqliteStorage(settings);
  // Loaded only when asked for: the embedded default loads no Cassandra code (tested).
  const { openCassandraStorage } = await import('./cassandra');
  return openCassandraStorage(settings);
}
