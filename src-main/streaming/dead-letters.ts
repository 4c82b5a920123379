/**
 * Dead letters: messages the stream gave up on (never valid, or failed maxDeliver times), kept in a
 * stream of their own with why, where from and how often tried, until an operator retries them
 * (published again to where they came from, keeping the identity of the stored message) or the
 * stream's age limit drops them.
 */
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import type { DeadLetter, RetryAnswer } from '../../src-shared/ingestion';
import { IngestionError } from '../inbox';
import type { Link } from './connection';

/** the headers a dead letter carries, beside the original ones */
export const H = {
  reason: 'SpamOps-Reason',
  subject: 'SpamOps-Origin-Subject',
  stream: 'SpamOps-Origin-Stream',
  seq: 'SpamOps-Origin-Seq',
  msgId: 'SpamOps-Origin-Msg-Id',
  deliveries: 'SpamOps-Deliveries',
  failedAt: 'SpamOps-Failed-At',
  /** the id the message is (or would be) stored under: a retry keeps it, so it is never stored twice */
  smsId: 'SpamOps-Sms-Id',
  /** "true" when the message can never be stored as it is (not valid, its id held): a retry is refused */
  never: 'SpamOps-Never',
} as const;

/** header values are one line of printable text */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').slice(0, 500);
const text = new TextDecoder();

export class DeadLetters {
  constructor(
    readonly subject: string,
    readonly stream: string,
  ) {}

  /** publishes the message to the dead-letter subject; resolves once the server stored it */
  async put(link: Link, m: JsMsg, reason: string, smsId?: string, never = false): Promise<void> {
    const h = headers();
    for (const [k, vs] of m.headers ?? []) if (k !== 'Nats-Msg-Id' && !k.startsWith('SpamOps-')) for (const v of vs) h.append(k, v);
    h.set(H.reason, oneLine(reason));
    h.set(H.subject, m.subject);
    h.set(H.stream, m.info.stream);
    h.set(H.seq, String(m.seq));
    const id = m.headers?.get('Nats-Msg-Id');
    if (id) h.set(H.msgId, oneLine(id));
    h.set(H.deliveries, String(m.info.deliveryCount));
    h.set(H.failedAt, new Date().toISOString());
    if (smsId) h.set(H.smsId, smsId);
    if (never) h.set(H.never, 'true');
    // the same failure put twice (a crash before the original was acknowledged) is stored once
    await link.js.publish(this.subject, m.data, { headers: h, msgID: `dead:${m.info.stream}:${m.seq}` });
  }

  async count(link: Link): Promise<number> {
    return (await link.jsm.streams.info(this.stream)).state.messages;
  }

  /**
   * The newest dead letters first, `limit` of them while the stream holds that many: retried ones
   * leave gaps, which the stream lists (deleted_details), so only letters that are there are read.
   */
  async list(link: Link, limit: number): Promise<DeadLetter[]> {
    const { state } = await link.jsm.streams.info(this.stream, { deleted_details: true });
    const gone = new Set(state.deleted ?? []);
    const out: DeadLetter[] = [];
    for (let seq = state.last_seq; seq >= state.first_seq && seq > 0 && out.length < limit; seq--) {
      if (gone.has(seq)) continue;
      // retried or aged out since the info: not found, and the scan goes on
      const sm = await link.jsm.streams.getMessage(this.stream, { seq });
      if (sm) out.push(describe(sm.seq, sm.header, sm.data, sm.time));
    }
    return out;
  }

  /** publishes the dead letter again to its origin subject, then removes it */
  async retry(link: Link, seq: number): Promise<RetryAnswer> {
    const sm = await link.jsm.streams.getMessage(this.stream, { seq });
    if (!sm) throw new IngestionError('not_found', `no dead letter ${seq} in ${this.stream} (retried already, or past the stream's age limit)`);
    if (sm.header?.get(H.never) === 'true')
      throw new IngestionError(
        'never_stored',
        `dead letter ${seq} can never be stored as it is (${sm.header.get(H.reason) || 'no reason recorded'}): publish a corrected message to ${sm.header.get(H.subject) || 'the entry subject'} instead`,
      );
    const to = sm.header?.get(H.subject);
    if (!to) throw new IngestionError('not_found', `dead letter ${seq} does not say where it came from (no ${H.subject} header)`);
    const h = headers();
    for (const [k, vs] of sm.header ?? []) if (k !== 'Nats-Msg-Id' && (!k.startsWith('SpamOps-') || k === H.smsId)) for (const v of vs) h.append(k, v);
    const ack = await link.js.publish(to, sm.data, { headers: h, msgID: `retry:${this.stream}:${seq}` });
    await link.jsm.streams.deleteMessage(this.stream, seq, false);
    return { seq, to, new_seq: ack.seq };
  }
}

function describe(seq: number, h: MsgHdrs | undefined, data: Uint8Array, time: Date): DeadLetter {
  const num = (k: string) => {
    const n = Number(h?.get(k));
    return Number.isFinite(n) && h?.get(k) ? n : null;
  };
  return {
    seq,
    subject: h?.get(H.subject) || '?',
    reason: h?.get(H.reason) || '(no reason recorded)',
    deliveries: num(H.deliveries) ?? 0,
    failed_at: h?.get(H.failedAt) || time.toISOString(),
    origin_seq: num(H.seq),
    data: text.decode(data).slice(0, 2000),
    retryable: h?.get(H.never) !== 'true',
  };
}
