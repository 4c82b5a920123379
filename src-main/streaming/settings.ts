/** The stream's settings, as config.ts reads them (SPAMOPS_STREAM_*, config.json `stream`, `serve --stream`). */
export interface StreamSettings {
  /** NATS servers (nats://host:port); several for a cluster */
  servers: string[];
  /** where outside actors publish new messages (the seed's chapter 4, A); may hold wildcards */
  subject: string;
  /** where the relay publishes the user-data store's change events (chapter 4, B) */
  changesSubject: string;
  /** where messages go after maxDeliver failed deliveries, or at once when they can never succeed */
  deadLetterSubject: string;
  maxDeliver: number;
  /** how long a delivered message may stay unacknowledged before the server delivers it again */
  ackWaitMs: number;
  /** take the consumers over from another store that holds them (that store is gone for good) */
  takeOver?: boolean;
}

/** a stream's name from its subject: sms.incoming → SMS_INCOMING */
export function streamNameFor(subject: string): string {
  return subject
    .toUpperCase()
    .replace(/\*/g, 'ANY')
    .replace(/>/g, 'ALL')
    .replace(/[^A-Z0-9_-]/g, '_');
}
