/**
 * Which store the stream's durable consumers belong to. Two SpamOps stores (two SQLite data dirs)
 * on one NATS server with the same subjects shared the consumers: each took half of the incoming
 * messages, and one's feature step acknowledged the other's change events, whose features were then
 * never computed. So each consumer carries its store's identity in its description (a lease held in
 * the stream): the processes of one store share it, another store is refused, naming the holder.
 */

/** the store's identity: a random id kept in the store (SQLite meta, or Cassandra's), and where it is */
export interface StoreOwner {
  id: string;
  /** the store's location and host, for the message another store gets */
  where: string;
  /** take the consumers over from another store (that store is gone for good) */
  takeOver?: boolean;
}

const PREFIX = 'SpamOps store ';

export const ownerDescription = (o: StoreOwner): string => `${PREFIX}${o.id} (${o.where})`.slice(0, 1000);

/** the store a consumer's description names, or undefined (a consumer made before leases: free to take) */
export function heldBy(description: string | undefined): { id: string; where: string } | undefined {
  if (!description?.startsWith(PREFIX)) return undefined;
  const m = /^(\S+)(?: \((.*)\))?$/.exec(description.slice(PREFIX.length));
  return m ? { id: m[1], where: m[2] ?? 'somewhere' } : undefined;
}

export class StreamClaimedError extends Error {
  constructor(stream: string, durable: string, holder: { id: string; where: string }) {
    super(
      `the consumer ${durable} of stream ${stream} belongs to another SpamOps store (${holder.where}; store ${holder.id}): ` +
        'two stores on the same subjects would split the messages between them. Give this data dir subjects of its own ' +
        '(SPAMOPS_STREAM_SUBJECT, SPAMOPS_STREAM_CHANGES_SUBJECT, SPAMOPS_STREAM_DEAD_LETTER_SUBJECT), or, if that store is gone for good, ' +
        'start once with SPAMOPS_STREAM_TAKE_OVER=1',
    );
    this.name = 'StreamClaimedError';
  }
}
