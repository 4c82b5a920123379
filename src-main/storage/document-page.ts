/** The WHERE clause of a page of documents (DocumentStore.page), the same in SQL and CQL. */
import type { DocumentPage } from './types';

export function pageQuery(collection: string, o: DocumentPage): { where: string; args: unknown[]; order: 'ASC' | 'DESC' } {
  const desc = o.order === 'desc';
  const where = ['collection = ?'];
  const args: unknown[] = [collection];
  if (o.prefix) {
    // ids in [prefix, prefix + U+FFFF): the prefix's range in id order
    where.push('id >= ? AND id < ?');
    args.push(o.prefix, `${o.prefix}\uffff`);
  }
  if (!desc && o.after !== undefined) {
    where.push('id > ?');
    args.push(o.after);
  }
  if (desc && o.before !== undefined) {
    where.push('id < ?');
    args.push(o.before);
  }
  return { where: where.join(' AND '), args, order: desc ? 'DESC' : 'ASC' };
}
