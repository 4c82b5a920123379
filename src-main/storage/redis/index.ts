/** The Redis backend: the online store only (the other stores stay where the main backend keeps them). */
export { RedisOnlineStore } from './online-store';
export type { RedisOnlineSettings } from './online-store';
