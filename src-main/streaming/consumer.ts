/**
 * A durable JetStream consumer that handles messages in batches: what arrives while a batch is
 * handled waits for the next one, so a lone message goes at once and a burst costs one handling
 * per batch (one transaction, one push). Each message is acknowledged only after its batch was
 * handled; a failed one is delivered again with backoff, and after maxDeliver deliveries (or at
 * once when it can never succeed) it goes to the dead letters with the reason, then is acknowledged.
 * A batch that met a passing state (the store locked by another program) is delivered again until
 * that passes, without counting against maxDeliver: waiting out a lock is no reason for a dead letter.
 * The server bounds what is in flight (max_ack_pending, per consumer), which is the back-pressure.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { RateMeter } from '../platform';
import type { ConsumerStats } from '../../src-shared/ingestion';
import type { Link } from './connection';
import type { DeadLetters } from './dead-letters';
import { heldBy, ownerDescription, StreamClaimedError, type StoreOwner } from './lease';

/**
 * what became of one message: done (`items`: how many it held, for the rate; 1 unless said), try
 * again later (counted against maxDeliver), wait for a passing state to pass (not counted:
 * redelivered until it goes), or never (dead letter)
 */
/** `after`: acknowledge once it resolves (the next batch is taken meanwhile; it never rejects) */
export type Outcome = { ok: true; items?: number; after?: Promise<void> } | { retry: string } | { wait: string } | { dead: string; smsId?: string };

export interface ConsumerSpec {
  stream: string;
  durable: string;
  filter: string;
  /** the store the consumer belongs to (its description): another store's consumer is refused */
  owner: StoreOwner;
  maxDeliver: number;
  ackWaitMs: number;
  /** handles a batch; one outcome per message, in order (a rejection retries them all) */
  handle(msgs: JsMsg[]): Promise<Outcome[]>;
  /** a rejection that passes by itself (the store locked a while): the batch waits, whatever maxDeliver says */
  transient?(e: unknown): boolean;
  /**
   * The id a message is (or would be) stored under, for its dead letter whatever sent it there: a
   * message stored by a delivery whose answer was lost (the process killed, the store failing
   * after the commit) was stored a second time, under a new id, by the retry of its dead letter.
   */
  storedIdOf?(m: JsMsg): string | undefined;
  /**
   * Under sustained load, how long a small batch waits for more before it is cut: fewer, larger
   * batches (for the feature step: fewer Parquet parts to write and merge). A batch after a quiet
   * spell goes at once.
   */
  lingerMs?: number;
  /** the consumer or its stream was deleted while SpamOps runs (the client says so): set them up again */
  onMissing?(reason: string): void;
  /**
   * Messages delivered and not yet acknowledged, at most (the server's max_ack_pending, and what
   * this process buffers): the back-pressure. MAX_ACK_PENDING unless said; a consumer of messages
   * that each hold many (change envelopes of up to 256 events) keeps it low.
   */
  maxAckPending?: number;
}

/** a batch holds at most BATCH messages and about BATCH_BYTES of payload (a change envelope holds many messages) */
const BATCH = 512;
const BATCH_BYTES = 1024 * 1024;
const MAX_ACK_PENDING = 4096;
/** what the client pulls ahead, at most */
const PULL_MESSAGES = 1024;
const NS_PER_MS = 1_000_000;
/**
 * A failed message comes back after 2 s, then 4, 8, … up to 60 s: with the default five
 * deliveries a failure that lasts about 30 s (the store down) sends what arrives meanwhile to the
 * dead letters, from where Retry sends it back; more deliveries wait longer.
 */
const NAK_FIRST_MS = 2000;
const NAK_MAX_MS = 60_000;
/** a message that met a passing state comes back after 1 s, then 2, 4, at most 5 s */
const WAIT_FIRST_MS = 1000;
const WAIT_MAX_MS = 5000;

export const isApiError = (e: unknown, code: number) => e instanceof JetStreamApiError && e.code === code;

export class BatchConsumer {
  readonly meter = new RateMeter();
  redelivered = 0;
  failures = 0;
  lastError: string | undefined;
  private queue: JsMsg[] = [];
  private flushing: Promise<void> | undefined;
  private messages: ConsumerMessages | undefined;
  /** the last error of a message still being retried, by stream sequence (for its dead letter) */
  private readonly errors = new Map<number, string>();
  /** deliveries spent waiting for a passing state, by stream sequence: they do not count against maxDeliver */
  private readonly waits = new Map<number, number>();

  constructor(
    private readonly spec: ConsumerSpec,
    private readonly dead: DeadLetters,
  ) {}

  /** creates the durable consumer, or brings its settings up to date; throws StreamClaimedError when another store holds it */
  async ensure(link: Link, retried = false): Promise<void> {
    const { stream, durable, filter, ackWaitMs, owner } = this.spec;
    const description = ownerDescription(owner);
    const want: Partial<ConsumerConfig> = {
      durable_name: durable,
      description,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ackWaitMs * NS_PER_MS,
      // redelivery is counted here, so that the last failure goes to the dead letters with its reason
      max_deliver: -1,
      max_ack_pending: this.spec.maxAckPending ?? MAX_ACK_PENDING,
      filter_subject: filter,
    };
    let ci: ConsumerInfo;
    try {
      ci = await link.jsm.consumers.info(stream, durable);
    } catch (e) {
      if (!isApiError(e, JetStreamApiCodes.ConsumerNotFound)) throw e;
      // another store may create it at the same moment: then its answer is read as any other
      const added = await link.jsm.consumers.add(stream, want).catch((err) => (retried ? Promise.reject(err) : undefined));
      if (!added) await this.ensure(link, true);
      return;
    }
    this.checkHolder(ci);
    if (
      ci.config.ack_wait !== want.ack_wait ||
      ci.config.max_ack_pending !== want.max_ack_pending ||
      ci.config.filter_subject !== filter ||
      ci.config.description !== description
    )
      await link.jsm.consumers.update(stream, durable, { ack_wait: want.ack_wait, max_ack_pending: want.max_ack_pending, filter_subject: filter, description });
  }

  /** throws StreamClaimedError when another store holds the consumer (and this one may not take it over) */
  checkHolder(ci: ConsumerInfo): void {
    const holder = heldBy(ci.config.description);
    if (holder && holder.id !== this.spec.owner.id && !this.spec.owner.takeOver) throw new StreamClaimedError(this.spec.stream, this.spec.durable, holder);
  }

  /** starts (or restarts, after a reconnection) delivery into batches */
  async consume(link: Link): Promise<void> {
    this.messages?.stop();
    const c = await link.js.consumers.get(this.spec.stream, this.spec.durable);
    const messages = await c.consume({
      max_messages: Math.min(PULL_MESSAGES, this.spec.maxAckPending ?? MAX_ACK_PENDING),
      callback: (m) => {
        this.queue.push(m);
        // let the messages of this burst join before the batch is cut
        if (!this.flushing) this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flush(link));
      },
    });
    this.messages = messages;
    void (async () => {
      for await (const s of messages.status()) {
        if (this.messages !== messages) return;
        if (s.type === 'consumer_deleted' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') {
          const { stream, durable } = this.spec;
          this.spec.onMissing?.(`stream ${stream} or its consumer ${durable} was deleted while SpamOps ran: creating them again, as at start`);
          return;
        }
      }
    })().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    this.messages = undefined;
    await this.flushing;
  }

  async stats(link: Link | undefined): Promise<ConsumerStats> {
    let pending: number | null = null;
    let ackPending: number | null = null;
    if (link) {
      const ci = await link.jsm.consumers.info(this.spec.stream, this.spec.durable).catch(() => undefined);
      pending = ci?.num_pending ?? null;
      ackPending = ci?.num_ack_pending ?? null;
    }
    return {
      processed: this.meter.total,
      per_second: this.meter.perSecond(),
      pending,
      ack_pending: ackPending,
      redelivered: this.redelivered,
      failures: this.failures,
      last_error: this.lastError ?? null,
    };
  }

  private async flush(link: Link): Promise<void> {
    // Messages received and not yet answered (the batch in hand, those queued behind it) tell the
    // server they are being worked on, every third of the ack wait: a slow batch (a loaded machine,
    // a large push) is not delivered again meanwhile, so only a process that died or stalled for
    // good makes the server redeliver (it did: a loaded machine sent change events to the dead
    // letters after 5 ack waits of 2 s, though each was handled in the end).
    // A handler stuck for good is not kept alive: once a batch has run max(60 s, maxDeliver ack
    // waits), nothing is vouched for until it ends, and the server's redeliveries count again.
    // (Counted from the batch's start, not from each message's arrival: a backlog queued behind
    // slow but moving batches is not redelivered for its wait.)
    let inHand: JsMsg[] = [];
    let batchStarted = Date.now();
    const vouchMs = Math.max(60_000, this.spec.maxDeliver * this.spec.ackWaitMs);
    const heartbeat = setInterval(
      () => {
        if (Date.now() - batchStarted >= vouchMs) return;
        for (const m of [...inHand, ...this.queue])
          try {
            m.working();
          } catch {
            // the connection is gone: the server delivers the message again
          }
      },
      Math.max(100, Math.floor(this.spec.ackWaitMs / 3)),
    );
    heartbeat.unref();
    try {
      for (let busy = false; this.queue.length; busy = true) {
        if (busy && this.spec.lingerMs && this.fullBatch() === undefined) await new Promise((r) => setTimeout(r, this.spec.lingerMs));
        try {
          inHand = this.queue.splice(0, this.fullBatch() ?? this.queue.length);
          batchStarted = Date.now();
          await this.handleBatch(link, inHand);
        } catch (e) {
          // an acknowledgement on a closed connection: the server delivers those messages again
          this.lastError = (e as Error).message;
        } finally {
          inHand = [];
        }
      }
    } finally {
      clearInterval(heartbeat);
      this.flushing = undefined;
    }
  }

  /** how many queued messages make a full batch (BATCH of them, or BATCH_BYTES of payload); undefined while the queue holds less */
  private fullBatch(): number | undefined {
    let bytes = 0;
    for (let i = 0; i < this.queue.length; i++) {
      bytes += this.queue[i].data.length;
      if (i + 1 >= BATCH || bytes >= BATCH_BYTES) return i + 1;
    }
    return undefined;
  }

  private async handleBatch(link: Link, batch: JsMsg[]): Promise<void> {
    const { maxDeliver } = this.spec;
    const live: JsMsg[] = [];
    for (const m of batch) {
      if (m.info.deliveryCount > 1) this.redelivered += 1;
      // delivered more often than allowed without an answer: the process died or stalled on it
      if (this.counted(m) > maxDeliver) {
        const last = this.errors.get(m.seq);
        await this.toDeadLetters(
          link,
          m,
          `delivered ${m.info.deliveryCount} times without being handled${last ? ` (last error: ${last})` : ' (the consumer stopped or timed out on it)'}`,
        );
      } else live.push(m);
    }
    if (live.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = await this.spec.handle(live);
    } catch (e) {
      const reason = (e as Error).message;
      const passing = this.spec.transient?.(e) ?? false;
      outcomes = live.map(() => (passing ? { wait: reason } : { retry: reason }));
    }
    let done = 0;
    for (const [i, m] of live.entries()) {
      const o = outcomes[i] ?? { retry: 'no outcome' };
      if ('ok' in o) {
        const ack = () => {
          m.ack();
          this.forget(m);
        };
        if (!o.after) ack();
        else
          void o.after.then(() => {
            try {
              ack();
            } catch (e) {
              // the connection closed meanwhile: the server delivers the message again
              this.lastError = (e as Error).message;
            }
          });
        done += o.items ?? 1;
      } else if ('dead' in o) {
        await this.toDeadLetters(link, m, o.dead, o.smsId, true);
      } else if ('wait' in o) {
        this.failures += 1;
        this.lastError = o.wait;
        const waited = (this.waits.get(m.seq) ?? 0) + 1;
        this.waits.set(m.seq, waited);
        m.nak(Math.min(WAIT_FIRST_MS * 2 ** (waited - 1), WAIT_MAX_MS));
      } else {
        this.failures += 1;
        this.lastError = o.retry;
        if (this.counted(m) >= maxDeliver) {
          await this.toDeadLetters(link, m, `failed ${this.counted(m)} deliveries: ${o.retry}`);
        } else {
          this.errors.set(m.seq, o.retry);
          m.nak(Math.min(NAK_FIRST_MS * 2 ** (this.counted(m) - 1), NAK_MAX_MS));
        }
      }
    }
    this.meter.add(done);
  }

  /** deliveries that count against maxDeliver: those not spent waiting for a passing state */
  private counted(m: JsMsg): number {
    return m.info.deliveryCount - (this.waits.get(m.seq) ?? 0);
  }

  private forget(m: JsMsg): void {
    this.errors.delete(m.seq);
    this.waits.delete(m.seq);
  }

  /** `never`: the handler found it can never succeed as it is (a retry is refused) */
  private async toDeadLetters(link: Link, m: JsMsg, reason: string, smsId?: string, never = false): Promise<void> {
    try {
      await this.dead.put(link, m, reason, smsId ?? this.spec.storedIdOf?.(m), never);
      // handled: it lives on in the dead letters (an ack rather than a term, which nats-server 2.9 drops when given a reason)
      m.ack();
      this.forget(m);
    } catch (e) {
      // the dead-letter subject cannot take it now: deliver it again later
      this.lastError = `cannot put a message into the dead letters: ${(e as Error).message}`;
      m.nak(5000);
    }
  }
}
