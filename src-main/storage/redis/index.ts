/** The Redis backend: the online store only (the other stores stay where their concerns name). */
import { storeIdentity } from '../identity';
import type { BackendContext, OpenedBackend } from '../types';
import type { RedisSettings } from './settings';
import { RedisOnlineStore } from './online-store';

export { RedisOnlineStore } from './online-store';
export type { RedisOnlineSettings } from './online-store';

export async function openRedisBackend(settings: RedisSettings, ctx: BackendContext): Promise<OpenedBackend> {
  // one data dir's keys: under an id kept in its registry store, so it moves with the data dir
  const prefix = settings.prefix ?? `spamops:${(await storeIdentity(ctx.registry)).replace(/-/g, '').slice(0, 12)}:`;
  const online = new RedisOnlineStore({ url: settings.url, prefix });
  await online.ready();
  return {
    location: online.location,
    stores: { online },
    problems: () => {
      const p = online.problem();
      return p
        ? [
            {
              component: 'online store',
              detail: p,
              remedy: 'start Redis (or check SPAMOPS_ONLINE_STORE); SpamOps reconnects by itself, and features of messages stored meanwhile follow',
            },
          ]
        : [];
    },
    close: () => online.close(),
  };
}
