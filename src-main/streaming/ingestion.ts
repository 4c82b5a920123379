/**
 * Ingestion on NATS JetStream, both architectures of the seed's chapter 4 on one engine:
 *
 * (A) the stream as entry point: outside actors publish {recipient_id, sender_id, sms_text} to
 *     `subject`; a durable consumer checks each like POST /sms, stores it in the user's inbox under
 *     an id derived from its place in the stream (a redelivery finds it stored instead of storing a
 *     copy), and acknowledges it. Storing records the change (B takes it from there); a message
 *     that can never be stored goes to the dead letters at once, one that fails maxDeliver times too.
 * (B) change data capture: a relay publishes the user-data store's change log to `changesSubject`
 *     (an event per stored message, whichever door it came through: POST /sms, POST /sms/{user},
 *     the CLI, imports, the stream; up to 256 events to a stream message), and the feature step
 *     consumes them with a durable consumer: features pushed online, verdicts recorded, then
 *     acknowledged; the offline rows are group-committed from the change log behind the relay.
 *
 * The relay moves its cursor only after the server stored the events (Nats-Msg-Id = the first and
 * last messages' keys: a repeat after a crash is dropped by the duplicate window), and the feature step skips
 * messages whose features are there, so every stored message gets its features once in effect.
 * While NATS is unreachable the APIs keep storing (the changes wait in the change log) and /health
 * says why; the relay catches up once the connection is back.
 */
import { DiscardPolicy, JetStreamApiCodes, RetentionPolicy, StorageType, type JsMsg } from '@nats-io/jetstream';
import { compileSchema, timeUuidOf, isTimeUuid, smsIdProblem } from '../platform';
import { StorageBusyError, storeIdentity, type RegistryStore, type SmsMessage, type UserDataStore } from '../storage';
import { ChangeFollower, IngestionError, pendingOf, STREAM_RELAY_CURSOR, type ChangeLog, type FeatureStep, type Ingestion, type PendingChange } from '../inbox';
import { InboxBody } from '../../src-shared/userdata';
import type { DeadLetter, IngestionHealth, IngestionStats, RetryAnswer } from '../../src-shared/ingestion';
import { NatsLink, type Link } from './connection';
import { BatchConsumer, isApiError, type Outcome } from './consumer';
import { DeadLetters, H } from './dead-letters';
import { parsePayload } from './payload';
import { StreamClaimedError, type StoreOwner } from './lease';
import { streamNameFor, type StreamSettings } from './settings';

export interface StreamIngestionDeps {
  users: ChangeLog & Pick<UserDataStore, 'insertMany'>;
  step: Pick<FeatureStep, 'process' | 'fail'>;
  /** the store the consumers belong to: the processes of one store share them, another store is refused */
  owner: StoreOwner;
  /**
   * The offline rows, group-committed from the change log behind the relay (offline-follower.ts,
   * following STREAM_RELAY_CURSOR); the feature step then pushes online only. Absent, the step must
   * push both (and a crash between its online write and its offline part loses the offline rows:
   * the redelivered change finds the features online and is skipped).
   */
  offline?: ChangeFollower;
}

const DAY_NS = 24 * 3600 * 1e9;
const FEATURE_LINGER_MS = 50;
const FEATURE_ACK_PENDING = 64;
const INCOMING_DURABLE = 'spamops-incoming';
const FEATURES_DURABLE = 'spamops-features';
/** Nats-Msg-Id duplicates are dropped within this window (JetStream's default) */
const DUPLICATE_WINDOW_NS = 120 * 1e9;
const encoder = new TextEncoder();

/** the change event of one stored message */
interface ChangeEvent {
  op: 'insert';
  at: number;
  message: SmsMessage;
}

/**
 * What the relay publishes: the events of up to CHANGES_PER_MESSAGE stored messages in one stream
 * message, `{"changes": [event, …]}` (a lone event, as earlier versions published, is still read).
 * One stream message per stored message cost each message a publish, its acknowledgement, a
 * delivery and an ack, in this process and in the server: the relay and the feature consumer were
 * a third of the stream's time.
 */
interface ChangeEnvelope {
  changes: ChangeEvent[];
}

const CHANGES_PER_MESSAGE = 256;
/** well under NATS's default max_payload (1 MiB): an envelope is cut once its JSON passes this */
const ENVELOPE_BYTES = 256 * 1024;

/** failed publishes in a row of the relay, while connected, after which /health tells of it */
const RELAY_FAILING_AFTER = 3;

/** the server's error code when a new stream's subjects overlap another stream's */
const SUBJECT_OVERLAP = 10065;

type StreamRole = 'incoming' | 'changes' | 'dead letters';

/**
 * The largest message SpamOps publishes to each stream: a valid incoming message (2,000 characters,
 * each up to 12 bytes escaped in JSON), a change envelope (cut past ENVELOPE_BYTES), a dead letter
 * (whatever was published to the entry subject, up to NATS's default max_payload).
 */
const LARGEST_MESSAGE: Record<StreamRole, number> = { incoming: 64 * 1024, changes: 2 * ENVELOPE_BYTES, 'dead letters': 1024 * 1024 };

/** what makes an existing stream unusable for its role (a stream someone made before SpamOps did) */
function unusable(c: { sealed?: boolean; max_msg_size?: number; retention?: string; deny_delete?: boolean }, role: StreamRole): string[] {
  const out: string[] = [];
  if (c.sealed) out.push('it is sealed (it takes no new messages)');
  const need = LARGEST_MESSAGE[role];
  if (c.max_msg_size !== undefined && c.max_msg_size > 0 && c.max_msg_size < need)
    out.push(`max_msg_size ${c.max_msg_size} bytes, where SpamOps publishes ${role} of up to ${need} bytes to it (-1, no limit, or at least ${need})`);
  if (role === 'dead letters' && c.retention !== undefined && c.retention !== RetentionPolicy.Limits)
    out.push(`retention ${c.retention}, where dead letters must stay until retried or aged out (limits)`);
  if (role === 'dead letters' && c.deny_delete) out.push('deny_delete, where a retried dead letter is deleted from it');
  return out;
}

/** whether a stream's subject (with NATS wildcards: * one token, > the rest) takes a literal subject */
function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const t = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}

function parseJson(m: JsMsg): { value: unknown } | { error: string } {
  return parsePayload(m.data);
}

/** POST /sms's check of its body (Fastify's validator, as the route's): the same texts pass either door */
const inboxBody = compileSchema(InboxBody);

/** a failure that passes by itself (the store locked by another program): delivered again until stored, never a dead letter */
const isTransient = (e: unknown): boolean => e instanceof StorageBusyError;

/** the first thing wrong with a body, named by field, as POST /sms would answer it */
function bodyError(value: unknown): string | undefined {
  if (inboxBody(value)) return undefined;
  const first = inboxBody.errors?.[0];
  if (!first) return 'the message: expected a JSON object {recipient_id, sender_id, sms_text}';
  const missing = first.params?.missingProperty as string | undefined;
  const extra = first.params?.additionalProperty as string | undefined;
  const field = [first.instancePath.replace(/^\//, '').replace(/\//g, '.'), missing ?? extra].filter(Boolean).join('.');
  if (!field) return 'the message: expected a JSON object {recipient_id, sender_id, sms_text}';
  const what = missing
    ? 'is required'
    : extra
      ? 'is not an accepted field (expected recipient_id, sender_id, sms_text)'
      : first.keyword === 'maxLength' || first.keyword === 'minLength'
        ? `expected ${first.keyword === 'maxLength' ? 'at most' : 'at least'} ${first.params?.limit} characters`
        : first.keyword === 'pattern'
          ? `expected a string matching ${first.params?.pattern}`
          : first.keyword === 'type'
            ? `expected ${first.params?.type === 'object' ? 'an object' : `a ${first.params?.type}`}`
            : (first.message ?? 'is invalid');
  return `${field}: ${what}`;
}

const keyOf = (e: ChangeEvent) => `${e.message.user_id}/${e.message.sms_id}`;

/** the events cut into envelopes of at most CHANGES_PER_MESSAGE events and about ENVELOPE_BYTES of JSON */
function envelopes(events: ChangeEvent[]): { json: string; first: ChangeEvent; last: ChangeEvent; count: number }[] {
  const out: { json: string; first: ChangeEvent; last: ChangeEvent; count: number }[] = [];
  let parts: string[] = [];
  let bytes = 0;
  let first = 0;
  const cut = (end: number) => {
    if (parts.length) out.push({ json: `{"changes":[${parts.join(',')}]}`, first: events[first], last: events[end - 1], count: parts.length });
    parts = [];
    bytes = 0;
    first = end;
  };
  for (const [i, e] of events.entries()) {
    const json = JSON.stringify(e);
    // JSON's length in UTF-16 units bounds neither way exactly; 3 bytes a unit bounds UTF-8 above
    if (parts.length && (parts.length >= CHANGES_PER_MESSAGE || bytes + json.length * 3 > ENVELOPE_BYTES)) cut(i);
    parts.push(json);
    bytes += json.length * 3;
  }
  cut(events.length);
  return out;
}

const NOT_A_CHANGE = 'expected {"changes": [{"op": "insert", "message": {user_id, sms_id (TimeUUID), sender_id, sms_text}}, …]} or one such event';

function changeMessage(e: unknown): SmsMessage | undefined {
  const msg = (e as Partial<ChangeEvent> | null)?.message;
  if (!msg || typeof msg.user_id !== 'string' || typeof msg.sender_id !== 'string' || typeof msg.sms_text !== 'string' || !isTimeUuid(String(msg.sms_id)))
    return undefined;
  return msg;
}

/** the stored messages a change envelope (or a lone change event) names, or what is wrong with it */
function changesOf(m: JsMsg): { messages: SmsMessage[] } | { error: string } {
  const parsed = parseJson(m);
  if ('error' in parsed) return { error: `not a change event: ${parsed.error}` };
  const v = parsed.value as Partial<ChangeEnvelope> | null;
  if (v && typeof v === 'object' && 'changes' in v) {
    if (!Array.isArray(v.changes)) return { error: `not a change envelope: changes is no array; ${NOT_A_CHANGE}` };
    const messages: SmsMessage[] = [];
    for (const [k, e] of v.changes.entries()) {
      const msg = changeMessage(e);
      if (!msg) return { error: `not a change envelope: changes.${k} is no change event; ${NOT_A_CHANGE}` };
      messages.push(msg);
    }
    return { messages };
  }
  const msg = changeMessage(v);
  return msg ? { messages: [msg] } : { error: `not a change event: ${NOT_A_CHANGE}` };
}

export class StreamIngestion implements Ingestion {
  readonly mode = 'stream' as const;
  readonly relay: ChangeFollower;
  private readonly link: NatsLink;
  private readonly incoming: BatchConsumer;
  private readonly features: BatchConsumer;
  private readonly dead: DeadLetters;
  private readonly incomingStream: string;
  private readonly changesStream: string;
  private log: (line: string) => void = () => undefined;
  /** why the consumers are not ours to use (another store holds them) */
  private claimed: StreamClaimedError | undefined;

  constructor(
    private readonly settings: StreamSettings,
    private readonly deps: StreamIngestionDeps,
  ) {
    this.incomingStream = streamNameFor(settings.subject);
    this.changesStream = streamNameFor(settings.changesSubject);
    this.dead = new DeadLetters(settings.deadLetterSubject, streamNameFor(settings.deadLetterSubject));
    // a consumer or stream deleted while SpamOps runs is created again, as at start
    const common = {
      maxDeliver: settings.maxDeliver,
      ackWaitMs: settings.ackWaitMs,
      owner: deps.owner,
      onMissing: (reason: string) => this.link.lost(reason, { settle: true }),
      transient: isTransient,
    };
    this.incoming = new BatchConsumer(
      {
        ...common,
        stream: this.incomingStream,
        durable: INCOMING_DURABLE,
        filter: settings.subject,
        handle: (msgs) => this.storeIncoming(msgs),
        storedIdOf: (m) => {
          const id = this.smsIdOf(m);
          return 'smsId' in id ? id.smsId : undefined;
        },
      },
      this.dead,
    );
    this.features = new BatchConsumer(
      {
        ...common,
        stream: this.changesStream,
        durable: FEATURES_DURABLE,
        filter: settings.changesSubject,
        handle: (msgs) => this.featureChanges(msgs),
        // each batch is one online write and one batch of verdicts: under load, batches of 50 ms
        // rather than of whatever arrived during the last push (a batch after a quiet spell goes at once)
        lingerMs: FEATURE_LINGER_MS,
        // an envelope holds up to 256 changes: 64 in flight is up to 16,384 messages, not a million
        maxAckPending: FEATURE_ACK_PENDING,
      },
      this.dead,
    );
    this.relay = new ChangeFollower(deps.users, {
      cursor: STREAM_RELAY_CURSOR,
      // the offline follower reads behind the relay, so it prunes the log
      prune: !deps.offline,
      onAdvance: () => deps.offline?.wake(),
      handle: (changes) => this.publishChanges(changes.map((c) => ({ op: 'insert', at: c.at, message: c.message }))),
      // the Inbox API's answer need not wait out its timeout: the features are late, and why
      onFailure: (changes, reason) => {
        this.log(`the relay could not publish ${changes.length} change(s) to ${settings.changesSubject}: ${reason}; tried again with backoff`);
        deps.step.fail(
          changes.map((c) => c.message.sms_id),
          `the change stream is unavailable: ${reason}; the features follow when it is back`,
        );
      },
    });
    this.link = new NatsLink(
      settings.servers,
      (link) => this.setUp(link),
      (line) => this.log(line),
      (link) => this.missing(link),
    );
  }

  async start(log?: (line: string) => void): Promise<void> {
    if (log) this.log = log;
    this.relay.start();
    this.deps.offline?.start();
    await this.link.start();
    // another store holds the consumers: refused at start, naming it (found later: unavailable with why)
    if (this.claimed) {
      await this.stop();
      throw this.claimed;
    }
  }

  async stop(): Promise<void> {
    this.relay.stop();
    this.deps.offline?.stop();
    await this.stopConsuming();
    await this.link.stop();
  }

  /** both consumers stop taking messages (those in hand are finished first) */
  private stopConsuming(): Promise<unknown> {
    return Promise.all([this.incoming.stop(), this.features.stop()]);
  }

  /** streams and consumers, created when missing (the server may also have restarted empty) */
  private async setUp(link: Link): Promise<void> {
    await link.jsm.getAccountInfo(); // fails with a clear error when the server runs without JetStream
    const s = this.settings;
    await this.ensureStream(link, this.incomingStream, s.subject, 7, 'incoming');
    await this.ensureStream(link, this.changesStream, s.changesSubject, 7, 'changes');
    await this.ensureStream(link, this.dead.stream, s.deadLetterSubject, 30, 'dead letters');
    try {
      await this.incoming.ensure(link);
      await this.features.ensure(link);
      this.claimed = undefined;
    } catch (e) {
      if (!(e instanceof StreamClaimedError)) throw e;
      // taken over by another store: stop consuming before a message goes to the wrong store
      this.claimed = e;
      await this.stopConsuming();
      throw e;
    }
    await this.incoming.consume(link);
    await this.features.consume(link);
    this.relay.kick();
  }

  /** a stream or consumer setUp made that is gone (deleted while SpamOps runs), or undefined */
  private async missing(link: Link): Promise<string | undefined> {
    const s = this.settings;
    const streams: [string, string][] = [
      [this.incomingStream, s.subject],
      [this.changesStream, s.changesSubject],
      [this.dead.stream, s.deadLetterSubject],
    ];
    for (const [name, subject] of streams) {
      const gone = await link.jsm.streams.info(name).then(
        () => false,
        (e) => (isApiError(e, JetStreamApiCodes.StreamNotFound) ? true : Promise.reject(e)),
      );
      if (gone) return `stream ${name} (${subject}) was deleted while SpamOps ran: creating it again, as at start`;
    }
    for (const [consumer, stream, durable] of [
      [this.incoming, this.incomingStream, INCOMING_DURABLE],
      [this.features, this.changesStream, FEATURES_DURABLE],
    ] as const) {
      // the stream's state read before the consumer's and after it (see stoppedDelivering)
      const before = await link.jsm.streams.info(stream);
      const ci = await link.jsm.consumers
        .info(stream, durable)
        .catch((e) => (isApiError(e, JetStreamApiCodes.ConsumerNotFound) ? undefined : Promise.reject(e)));
      if (!ci) return `consumer ${durable} of stream ${stream} was deleted while SpamOps ran: creating it again, as at start`;
      // another store took it over (SPAMOPS_STREAM_TAKE_OVER): consuming stops here, before /health
      // says so. Stopped only once set up again (NATS round trips later), this store could still
      // take messages published once /health said so: on a loaded machine, in the suite, the store
      // holding the consumers did not store one within 60 s
      try {
        consumer.checkHolder(ci);
      } catch (e) {
        await this.stopConsuming();
        return (e as Error).message;
      }
      const consumerState = { pending: ci.num_pending, ackPending: ci.num_ack_pending, delivered: ci.delivered.stream_seq };
      const after = await link.jsm.streams.info(stream);
      if (stoppedDelivering(before.state, consumerState, after.state)) {
        await link.jsm.consumers.delete(stream, durable).catch(() => undefined);
        return `consumer ${durable} of stream ${stream} stopped delivering (nothing pending while the stream holds messages up to ${before.state.last_seq}, delivered up to ${consumerState.delivered}): creating it again`;
      }
    }
    return undefined;
  }

  private async ensureStream(link: Link, name: string, subject: string, days: number, role: StreamRole): Promise<void> {
    try {
      const info = await link.jsm.streams.info(name);
      if (!(info.config.subjects ?? []).includes(subject))
        throw new Error(
          `stream ${name} exists without subject ${subject} (it has ${(info.config.subjects ?? []).join(', ') || 'none'}): add the subject or choose another (SPAMOPS_STREAM_*SUBJECT)`,
        );
      const problems = unusable(info.config, role);
      if (problems.length)
        throw new Error(
          `stream ${name} exists set up in a way SpamOps cannot use: ${problems.join('; ')}. Change it (nats stream edit ${name}) or delete it (SpamOps creates it again)`,
        );
      return;
    } catch (e) {
      if (!isApiError(e, JetStreamApiCodes.StreamNotFound)) throw e;
    }
    try {
      await link.jsm.streams.add({
        name,
        subjects: [subject],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_age: days * DAY_NS,
        duplicate_window: DUPLICATE_WINDOW_NS,
      });
    } catch (e) {
      if (!isApiError(e, SUBJECT_OVERLAP)) throw e;
      // another stream takes the subject: name it (the server's error does not)
      const holders: string[] = [];
      for await (const other of link.jsm.streams.list())
        if ((other.config.subjects ?? []).some((pattern) => subjectMatches(pattern, subject)))
          holders.push(`${other.config.name} (${(other.config.subjects ?? []).join(', ')})`);
      throw new Error(
        `subject ${subject} is taken by ${holders.length ? `stream ${holders.join(', stream ')}` : 'another stream'}, so SpamOps cannot create its stream ${name}: choose other subjects (SPAMOPS_STREAM_*SUBJECT) or take ${subject} out of that stream`,
      );
    }
  }

  /** (A) store each valid message under an id derived from its place in the stream */
  private async storeIncoming(msgs: JsMsg[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(msgs.length);
    const valid: { i: number; message: SmsMessage }[] = [];
    for (const [i, m] of msgs.entries()) {
      const parsed = parseJson(m);
      const error = 'error' in parsed ? parsed.error : bodyError(parsed.value);
      if (error) {
        outcomes[i] = { dead: error };
        continue;
      }
      const body = (parsed as { value: InboxBody }).value;
      const id = this.smsIdOf(m);
      if ('error' in id) {
        outcomes[i] = { dead: id.error };
        continue;
      }
      valid.push({ i, message: { user_id: body.recipient_id, sms_id: id.smsId, sender_id: body.sender_id, sms_text: body.sms_text } });
    }
    if (valid.length) {
      const stored = await this.deps.users.insertMany(valid.map((v) => v.message));
      for (const [k, v] of valid.entries())
        outcomes[v.i] =
          stored[k] === 'conflict'
            ? { dead: `user ${v.message.user_id} has another message under sms_id ${v.message.sms_id}`, smsId: v.message.sms_id }
            : stored[k] === 'taken'
              ? { dead: `${H.smsId}: sms_id ${v.message.sms_id} is held by another user's message (unique across every inbox)`, smsId: v.message.sms_id }
              : { ok: true };
    }
    return outcomes;
  }

  /**
   * The stored id: given by the publisher (SpamOps-Sms-Id, as a retried dead letter carries), else
   * a TimeUUID of the time the stream received the message, its node bits from stream and sequence.
   * A given id that is no TimeUUID, or dated before 2000 or over a day ahead, is refused (an inbox
   * is newest first by it).
   */
  private smsIdOf(m: JsMsg): { smsId: string } | { error: string } {
    const given = m.headers?.has(H.smsId) ? m.headers.get(H.smsId) : undefined;
    if (given !== undefined) {
      const problem = smsIdProblem(given);
      return problem ? { error: `header ${H.smsId}: ${problem}` } : { smsId: given.toLowerCase() };
    }
    const ns = m.timestampNanos;
    return { smsId: timeUuidOf(Number(ns / 1_000_000n), `${m.info.stream}:${m.seq}`, Number((ns % 1_000_000n) / 100n)) };
  }

  /** (B) the feature step over change envelopes (or lone events); a malformed one goes to the dead letters whole */
  private async featureChanges(msgs: JsMsg[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(msgs.length);
    const messages: SmsMessage[] = [];
    const held: { i: number; items: number }[] = [];
    for (const [i, m] of msgs.entries()) {
      const parsed = changesOf(m);
      if ('error' in parsed) {
        outcomes[i] = { dead: parsed.error };
        continue;
      }
      for (const msg of parsed.messages) messages.push(msg);
      held.push({ i, items: parsed.messages.length });
    }
    // a failure retries the batch (the consumer naks it); the envelopes are acknowledged once
    // their verdicts are stored, while the next batch is taken
    const after = messages.length ? (await this.deps.step.process(messages)).stored : undefined;
    // the rate counts stored messages, not envelopes (an empty envelope is done too)
    for (const { i, items } of held) outcomes[i] = after ? { ok: true, items, after } : { ok: true, items };
    return outcomes;
  }

  /**
   * (B) the relay: the server stores each envelope once before the cursor moves. Its id names the
   * first and last message it holds: the same batch handed on again after a crash is dropped by the
   * duplicate window, and a batch cut differently costs the feature step a lookup per message it
   * finds featured.
   */
  private async publishChanges(events: ChangeEvent[]): Promise<void> {
    const link = this.link.link;
    if (!link || !this.link.state.connected) throw new Error(this.link.state.reason ?? 'not connected to NATS');
    try {
      await Promise.all(
        envelopes(events).map(({ json, first, last, count }) =>
          link.js.publish(this.settings.changesSubject, encoder.encode(json), {
            msgID: `${keyOf(first)}..${keyOf(last)}:${count}`,
            timeout: 10_000,
          }),
        ),
      );
    } catch (e) {
      // no stream answers for the subject on a server that has JetStream: the stream was deleted
      if ((e as Error).name !== 'JetStreamNotEnabled' || link.nc.isClosed()) throw e;
      const reason = `stream ${this.changesStream} (${this.settings.changesSubject}) was deleted while SpamOps ran: creating it again, as at start`;
      this.link.lost(reason, { settle: true });
      throw new Error(reason);
    }
  }

  /** the relay's changes, then the offline rows behind them */
  async drain(): Promise<{ handled: number; failed: number }> {
    const r = await this.relay.drain();
    const o = await this.deps.offline?.drain();
    return o ? { handled: r.handled, failed: r.failed + o.failed } : r;
  }

  async offlinePending(limit: number): Promise<string[]> {
    return this.deps.offline ? (await this.deps.offline.pending(limit)).map((c) => c.message.sms_id) : [];
  }

  pending(limit = 1000): Promise<PendingChange[]> {
    return pendingOf(this.relay, limit);
  }

  health(): IngestionHealth {
    const st = this.link.state;
    const { attempts, lastError } = this.relay;
    // connected, yet the server refuses the changes (a limit of the stream's): told as a failing step
    const failing =
      st.connected && attempts >= RELAY_FAILING_AFTER && lastError
        ? { featuresFailing: { attempts, error: `the relay cannot publish the changes to ${this.settings.changesSubject}: ${lastError}` } }
        : {};
    return { mode: 'stream', stream: st.connected ? 'connected' : 'unavailable', reason: st.reason, ...failing };
  }

  private connected(): Link | undefined {
    return this.link.state.connected ? this.link.link : undefined;
  }

  async stats(): Promise<IngestionStats> {
    const s = this.settings;
    const st = this.link.state;
    const link = this.connected();
    const [incoming, features, lag, deadLetters] = await Promise.all([
      this.incoming.stats(link),
      this.features.stats(link),
      this.relay.lag(),
      link ? this.dead.count(link).catch(() => null) : null,
    ]);
    return {
      mode: 'stream',
      stream: {
        servers: this.link.where,
        subject: s.subject,
        changes_subject: s.changesSubject,
        dead_letter_subject: s.deadLetterSubject,
        max_deliver: s.maxDeliver,
        connected: st.connected,
        reason: st.reason,
        since: new Date(st.since).toISOString(),
      },
      change_log: { consumer: `the relay to ${s.changesSubject}`, pending: lag, last_error: this.relay.lastError ?? null },
      incoming,
      features,
      offline: this.deps.offline ? { pending: await this.deps.offline.lag(), last_error: this.deps.offline.lastError ?? null } : null,
      dead_letters: deadLetters,
    };
  }

  private need(): Link {
    const link = this.connected();
    if (!link) throw new IngestionError('stream_unavailable', this.link.state.reason ?? 'not connected to NATS');
    return link;
  }

  deadLetters(limit: number): Promise<DeadLetter[]> {
    return this.dead.list(this.need(), limit);
  }

  retryDeadLetter(seq: number): Promise<RetryAnswer> {
    return this.dead.retry(this.need(), seq);
  }
}

/**
 * The stream's ingestion for these settings (this module is loaded only when the stream is on),
 * its consumers held for the store whose identity `meta` keeps (made on the first start).
 */
export async function openStreamIngestion(
  settings: StreamSettings,
  deps: Omit<StreamIngestionDeps, 'owner'> & { meta: Pick<RegistryStore, 'getMeta' | 'setMeta'>; where: string },
): Promise<StreamIngestion> {
  const owner = { id: await storeIdentity(deps.meta), where: deps.where, takeOver: settings.takeOver };
  return new StreamIngestion(settings, { users: deps.users, step: deps.step, owner, offline: deps.offline });
}

/**
 * Whether a consumer stopped delivering for good. A consumer made while its stream was deleted and
 * made again (nats-server 2.9 was seen to do this) reports nothing pending while the stream holds
 * messages it never delivered: its delivered position is behind the stream's last message, or
 * ahead of it (the old stream's), and it would never deliver them. Made again, it delivers them
 * (the handlers are idempotent: a message stored or pushed already costs a lookup). The stream
 * holds only the consumer's subject, so an idle healthy consumer has delivered up to its last
 * message.
 *
 * `before` and `after` are the stream's state read before and after the consumer's. Read once,
 * after it, messages published in between looked undelivered: under the stream bench's steady
 * 1,000 msg/s, the check (every 5 s) took a healthy consumer for a stopped one in about one run
 * in ten, deleted it and stalled the stream for about 3 s (publish to features online, p99
 * 2.5-3.2 s instead of 60 ms). A healthy consumer cannot be behind what the stream held before
 * its info was read (it would count those messages pending), nor ahead of what it holds after.
 * An empty stream has nothing to deliver.
 */
export function stoppedDelivering(
  before: { messages: number; last_seq: number },
  consumer: { pending: number; ackPending: number; delivered: number },
  after: { last_seq: number },
): boolean {
  if (consumer.pending !== 0 || consumer.ackPending !== 0) return false;
  return before.messages > 0 && (consumer.delivered < before.last_seq || consumer.delivered > after.last_seq);
}
