/**
 * The backend registry (Feast's online/offline store choice, MLflow's tracking/registry stores):
 * each backend says which concerns it can serve and how it opens. The configuration names a
 * backend per concern (storage/types.ts: STORAGE_CONCERNS); `openStorage` opens each one named
 * once and takes each concern's stores from its backend.
 *
 * A new backend is one folder under storage/ (its stores, and an `open…Backend` in its index.ts),
 * its settings in `BackendSettingsByName`, one line in `BACKENDS`, and its contract suite
 * (storage/contract.test.ts runs every contract against each backend available).
 *
 * No backend's code is loaded here: each opens through a dynamic import, so config.ts (and the
 * Electron shell) can check names against this table without loading a database driver.
 */
import type { SqliteSettings } from './sqlite';
import type { CassandraSettings } from './cassandra/settings';
import { STORAGE_CONCERNS, type BackendContext, type OpenedBackend, type Storage, type StorageConcern, type StoreField } from './types';
import { redisSettingsFromUrl, type RedisSettings } from './redis/settings';

export type { RedisSettings } from './redis/settings';

export interface BackendSettingsByName {
  sqlite: SqliteSettings;
  cassandra: CassandraSettings;
  redis: RedisSettings;
}
export type BackendName = keyof BackendSettingsByName;
/** one backend and its settings: `{ backend: 'redis', url: 'redis://…' }` */
export type BackendSettings = { [K in BackendName]: { backend: K } & BackendSettingsByName[K] }[BackendName];

/** which stores each concern is */
export const CONCERN_STORES: Record<StorageConcern, readonly StoreField[]> = {
  online: ['online'],
  offline: ['labelled', 'imports'],
  registry: ['registry'],
  runs: ['runs'],
  models: ['models'],
  users: ['users'],
  serving: ['cache', 'callLog', 'predictions'],
  monitoring: ['feedback', 'reports', 'alerts', 'decisions', 'documents'],
};

export interface BackendEntry<K extends BackendName = BackendName> {
  /** the concerns it can serve */
  concerns: readonly StorageConcern[];
  open(settings: BackendSettingsByName[K], ctx: BackendContext): Promise<OpenedBackend>;
  /**
   * The URL schemes that name it (`redis:`), for a backend a concern's setting names by URL
   * (`SPAMOPS_ONLINE_STORE=redis://…`), and its settings from such a URL (`prefix`: a namespace
   * for one data dir's keys on a shared service); throws what is wrong with the URL.
   */
  url?: { schemes: readonly string[]; settings(url: URL, raw: string, o: { prefix?: string }): BackendSettingsByName[K] };
}

/** a backend that serves every store (SQLite, Cassandra) */
const whole = (s: Storage): OpenedBackend => ({ location: s.location, stores: s, problems: () => s.problems(), busy: s.busy, close: () => s.close() });

export const BACKENDS: { [K in BackendName]: BackendEntry<K> } = {
  sqlite: { concerns: STORAGE_CONCERNS, open: async (s) => whole((await import('./sqlite')).openSqliteStorage(s)) },
  cassandra: { concerns: STORAGE_CONCERNS, open: async (s) => whole(await (await import('./cassandra')).openCassandraStorage(s)) },
  redis: {
    concerns: ['online'],
    open: async (s, ctx) => (await import('./redis')).openRedisBackend(s, ctx),
    url: { schemes: ['redis:', 'rediss:'], settings: redisSettingsFromUrl },
  },
};

export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];

export function isBackendName(name: string): name is BackendName {
  return Object.hasOwn(BACKENDS, name);
}

/**
 * The backend a URL names, by its scheme, with its settings; throws naming the setting `key` when
 * no backend takes the scheme or the URL is wrong for it.
 */
export function backendFromUrl(key: string, raw: string, o: { prefix?: string }): BackendSettings {
  const schemes = BACKEND_NAMES.flatMap((b) => BACKENDS[b].url?.schemes ?? []);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${key}: expected a URL (${schemes.map((s) => `${s}//`).join(', ')}), got "${raw}"`);
  }
  const name = BACKEND_NAMES.find((b) => BACKENDS[b].url?.schemes.includes(u.protocol));
  if (!name) {
    const byName = BACKEND_NAMES.filter((b) => !BACKENDS[b].url);
    throw new Error(
      `${key}: expected a ${schemes.map((s) => `${s}//`).join(' or ')} URL (a URL names ${BACKEND_NAMES.filter((b) => BACKENDS[b].url).join(', ')}; ${byName.join(', ')} go by name), got "${raw}"`,
    );
  }
  try {
    return { backend: name, ...(BACKENDS[name].url as NonNullable<BackendEntry['url']>).settings(u, raw, o) } as BackendSettings;
  } catch (e) {
    throw new Error(`${key}: ${(e as Error).message}`);
  }
}

/**
 * Why `backend` cannot serve `concern` (unknown, or not one of its concerns), for an error naming
 * the setting `key`; undefined when it can.
 */
export function backendRefusal(key: string, backend: string, concern: StorageConcern): string | undefined {
  if (!isBackendName(backend)) return `${key}: unknown storage backend "${backend}": expected one of ${BACKEND_NAMES.join(', ')}`;
  const can = BACKENDS[backend].concerns;
  if (!can.includes(concern))
    return `${key}: the ${backend} backend cannot serve the ${concern} store (it serves: ${can.join(', ')}); name a backend that can (${BACKEND_NAMES.filter((b) => BACKENDS[b].concerns.includes(concern)).join(', ')})`;
  return undefined;
}
