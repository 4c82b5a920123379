/**
 * The store's identity: a random id made once and kept in the store's meta, so it moves with the
 * data dir (or is shared by every process of one Cassandra keyspace). What belongs to one store on
 * a shared service carries it: the stream's durable consumers (their lease) and the online store's
 * keys in a shared Redis.
 */
import { randomUUID } from 'node:crypto';
import type { RegistryStore } from './types';

const KEY = 'store_id';

export async function storeIdentity(meta: Pick<RegistryStore, 'getMeta' | 'setMeta'>): Promise<string> {
  const had = await meta.getMeta(KEY);
  if (had) return had;
  await meta.setMeta(KEY, randomUUID());
  // read back: of two processes of one store making it at once (a first start), both end up with the last written
  return (await meta.getMeta(KEY)) as string;
}
