/**
 * The storage layer's public face: open the backend each concern names, get the interfaces.
 * Each backend keeps its own settings type and one file per store (as Feast's online stores do);
 * storage/backends.ts is the registry of backends and of what each can serve.
 */
import { BACKENDS, backendRefusal, type BackendSettings } from './backends';
import { STORAGE_CONCERNS, type OpenedBackend, type Storage, type StorageConcern, type StoreField, type Stores } from './types';
import type { CassandraSettings } from './cassandra/settings';
import type { SqliteSettings } from './sqlite';
import { CONCERN_STORES } from './backends';

export * from './types';
export { storeIdentity } from './identity';
export { keptTexts, rowsUntil } from './kept-row';
export { openSqliteStorage } from './sqlite';
export type { SqliteSettings } from './sqlite';
export type { CassandraSettings } from './cassandra/settings';
export { BACKENDS, BACKEND_NAMES, CONCERN_STORES, backendFromUrl, backendRefusal, isBackendName } from './backends';
export type { BackendName, BackendSettings, BackendSettingsByName, BackendEntry } from './backends';

/** Where the online store lives when not with the other stores (Feast's online_store choice): any backend that can serve it. */
export type OnlineStoreSettings = BackendSettings;

/**
 * The default backend (it serves every concern not named elsewhere), the online store's backend
 * (`online`), and any other concern's (`stores`: `{ runs: { backend: 'cassandra', … } }`).
 */
export type StorageSettings = (({ backend: 'sqlite' } & SqliteSettings) | ({ backend: 'cassandra' } & CassandraSettings)) & {
  online?: OnlineStoreSettings;
  stores?: Partial<Record<StorageConcern, BackendSettings>>;
};

/** the backend each concern names: `online` and `stores` first, the default for the rest */
export function backendsByConcern(settings: StorageSettings): Record<StorageConcern, BackendSettings> {
  const { online, stores, ...main } = settings;
  return Object.fromEntries(
    STORAGE_CONCERNS.map((c) => [c, (c === 'online' ? (online ?? stores?.online) : stores?.[c]) ?? (main as BackendSettings)]),
  ) as Record<StorageConcern, BackendSettings>;
}

/** the same backend, however its settings were spelled: keys sorted, absent values left out */
const settingsKey = (s: BackendSettings) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(s)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
  );

/**
 * Opens each backend the settings name (once, however many concerns it serves) and takes each
 * concern's stores from its backend. A backend that cannot serve a concern named for it is an
 * error naming the concern, before anything opens.
 */
export async function openStorage(settings: StorageSettings): Promise<Storage> {
  const chosen = backendsByConcern(settings);
  for (const c of STORAGE_CONCERNS) {
    const refusal = backendRefusal(c === 'online' && settings.online ? 'storage.online' : `storage.${c}`, chosen[c].backend, c);
    if (refusal) throw new Error(refusal);
  }
  // one backend per distinct settings, opened in an order that gives each the registry store first
  const groups = new Map<string, { settings: BackendSettings; concerns: StorageConcern[]; opened?: OpenedBackend }>();
  for (const c of STORAGE_CONCERNS) {
    const k = settingsKey(chosen[c]);
    const g = groups.get(k) ?? { settings: chosen[c], concerns: [] };
    g.concerns.push(c);
    groups.set(k, g);
  }
  const order = [...groups.values()].sort((a, b) => Number(b.concerns.includes('registry')) - Number(a.concerns.includes('registry')));
  const opened: OpenedBackend[] = [];
  const stores: Partial<Stores> = {};
  try {
    for (const g of order) {
      const { backend, ...rest } = g.settings;
      const entry = BACKENDS[backend] as (typeof BACKENDS)['sqlite'];
      g.opened = await entry.open(rest as never, { registry: stores.registry as Storage['registry'], concerns: g.concerns });
      opened.push(g.opened);
      for (const c of g.concerns)
        for (const f of CONCERN_STORES[c]) {
          const store = g.opened.stores[f];
          if (!store) throw new Error(`storage.${c}: the ${backend} backend opened without its ${f} store`);
          (stores as Record<StoreField, unknown>)[f] = store;
        }
    }
  } catch (e) {
    for (const o of opened.reverse()) await o.close().catch(() => undefined);
    throw e;
  }
  const main = groups.get(settingsKey(chosen.registry))!;
  const others = order.filter((g) => g !== main);
  return {
    ...(stores as Stores),
    backend: settings.backend,
    location: [main.opened!.location, ...others.map((g) => `${g.concerns.join(', ')} store ${g.opened!.location}`)].join('; '),
    backends: Object.fromEntries(STORAGE_CONCERNS.map((c) => [c, chosen[c].backend])),
    problems: () => opened.flatMap((o) => o.problems()),
    busy: opened.some((o) => o.busy)
      ? () => {
          for (const o of opened) {
            const b = o.busy?.();
            if (b) return b;
          }
          return undefined;
        }
      : undefined,
    close: async () => {
      // the others first, the registry's backend (the data dir's own) last
      for (const o of [...opened].reverse()) await o.close();
    },
  };
}
