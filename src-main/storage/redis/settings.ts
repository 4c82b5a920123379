/** The Redis backend's settings, made from its URL (read by config.ts; no client loads here). */

/** `redis://[user:password@]host:port/db`; `prefix`: one data dir's keys (made from the store's id when absent) */
export interface RedisSettings {
  url: string;
  prefix?: string;
}

/** the settings a redis:// or rediss:// URL names; throws what is wrong (the caller names the setting) */
export function redisSettingsFromUrl(url: URL, raw: string, o: { prefix?: string }): RedisSettings {
  if (url.pathname.length > 1 && !/^\/\d{1,2}$/.test(url.pathname)) throw new Error(`the path names the database number (/0 to /15), got "${url.pathname}"`);
  return { url: raw, prefix: o.prefix };
}
