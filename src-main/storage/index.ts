/**
 * The storage layer's public face: pick a backend from the settings, get the interfaces. Each
 * backend keeps its own settings type and one file per store (as Feast's online stores do).
 */
import type { Storage } from './types';
import { storeIdentity } from './identity';
import type { CassandraSettings } from './cassandra/settings';
import { openSqliteStorage, type SqliteSettings } from './sqlite';

export * from './types';
export { storeIdentity } from './identity';
export { openSqliteStorage } from './sqlite';
export type { SqliteSettings } from './sqlite';
export type { CassandraSettings } from './cassandra/settings';

/**
 * Where the online store lives when not with the other stores (Feast's online_store choice):
 * Redis, one data dir's keys under `prefix`.
 */
export type OnlineStoreSettings = { backend: 'redis'; url: string; prefix?: string };

/** the main backend (every store), and optionally the online store elsewhere */
export type StorageSettings = (({ backend: 'sqlite' } & SqliteSettings) | ({ backend: 'cassandra' } & CassandraSettings)) & { online?: OnlineStoreSettings };

/**
 * The backends, by concern: the main one serves every store, the online store may name its own.
 * A new online store is one folder under storage/ and one branch here (its contract suite in
 * contract.test.ts).
 */
export async function openStorage(settings: StorageSettings): Promise<Storage> {
  const main = settings.backend === 'sqlite' ? openSqliteStorage(settings) : await openCassandra(settings);
  if (!settings.online) return main;
  // Loaded only when asked for, as Cassandra's driver is
  const { RedisOnlineStore } = await import('./redis');
  // one data dir's keys: under an id kept in its main store, so it moves with the data dir
  const prefix = settings.online.prefix ?? `spamops:${(await storeIdentity(main.registry)).replace(/-/g, '').slice(0, 12)}:`;
  const online = new RedisOnlineStore({ url: settings.online.url, prefix });
  await online.ready();
  return {
    ...main,
    location: `${main.location}; online store ${online.location}`,
    online,
    problems: () => {
      const p = online.problem();
      return [
        ...main.problems(),
        ...(p
          ? [
              {
                component: 'online store',
                detail: p,
                remedy: 'start Redis (or check SPAMOPS_ONLINE_STORE); SpamOps reconnects by itself, and features of messages stored meanwhile follow',
              },
            ]
          : []),
      ];
    },
    close: async () => {
      await online.close();
      await main.close();
    },
  };
}

async function openCassandra(settings: { backend: 'cassandra' } & CassandraSettings): Promise<Storage> {
  // Loaded only when asked for: the embedded default loads no Cassandra code (tested).
  const { openCassandraStorage } = await import('./cassandra');
  return openCassandraStorage(settings);
}
