/**
 * Ingestion: how stored messages reach the feature step. Two implementations behind one face:
 * the embedded default below (the feature step reads the change log itself, no outside service),
 * and the stream (src-main/streaming, loaded only when SPAMOPS_STREAM_URL is set: a relay
 * publishes the change log to NATS JetStream, the feature step consumes it there, and outside
 * actors may publish new messages to the stream's entry subject).
 */
import type { SmsMessage } from '../storage';
import type { DeadLetter, IngestionHealth, IngestionStats, RetryAnswer } from '../../src-shared/ingestion';
import { ChangeFollower, type ChangeLog } from './change-follower';
import { FEATURES_CURSOR } from './offline-follower';
import type { FeatureStep } from './feature-step';

/** a stored message whose change has not been handed on yet */

/** failed attempts in a row of the feature step after which /health tells of it */
const FAILING_AFTER = 3;
export interface PendingChange {
  message: SmsMessage;
  /** failed attempts at the batch it is in */
  attempts: number;
  lastError?: string;
  /** when its change was recorded (ISO 8601) */
  createdAt: string;
}

export interface Ingestion {
  readonly mode: 'embedded' | 'stream';
  /** embedded: hands on what is pending, then follows the log; stream: connects (retrying in the background) */
  start(log?: (line: string) => void): Promise<void>;
  stop(): Promise<void>;
  /** hands on what the change log holds now (tests, and the CLI's view of a data dir) */
  drain(): Promise<{ handled: number; failed: number }>;
  pending(limit?: number): Promise<PendingChange[]>;
  /** ids of messages handed on whose offline rows are still to be written (embedded, group-committed) */
  offlinePending?(limit: number): Promise<string[]>;
  stats(): Promise<IngestionStats>;
  health(): IngestionHealth;
  deadLetters(limit: number): Promise<DeadLetter[]>;
  retryDeadLetter(seq: number): Promise<RetryAnswer>;
}

/** what an ingestion route cannot do, and why: the API turns the code into a status */
export class IngestionError extends Error {
  constructor(
    readonly code: 'stream_off' | 'stream_unavailable' | 'not_found' | 'never_stored',
    message: string,
  ) {
    super(message);
    this.name = 'IngestionError';
  }
}

/** the change log's pending changes, as the API shows them */
export async function pendingOf(follower: ChangeFollower, limit: number): Promise<PendingChange[]> {
  return (await follower.pending(limit)).map((c) => ({
    message: c.message,
    attempts: follower.attempts,
    ...(follower.lastError ? { lastError: follower.lastError } : {}),
    createdAt: new Date(c.at).toISOString(),
  }));
}

export interface EmbeddedIngestionDeps {
  changes: ChangeLog;
  step: Pick<FeatureStep, 'process' | 'meter' | 'failures' | 'lastError'>;
  /** the offline rows, group-committed behind the step (which then pushes online only); absent: the step pushes both */
  offline?: ChangeFollower;
}

/** The embedded default: the feature step follows the change log from its own cursor. */
export class EmbeddedIngestion implements Ingestion {
  readonly mode = 'embedded' as const;
  readonly follower: ChangeFollower;
  readonly offline: ChangeFollower | undefined;

  constructor(private readonly deps: EmbeddedIngestionDeps) {
    this.offline = deps.offline;
    this.follower = new ChangeFollower(deps.changes, {
      cursor: FEATURES_CURSOR,
      handle: async (changes) => {
        // the cursor moves once the batch's verdicts are stored (a kill -9 lost those on their
        // way); the next batch is pushed meanwhile
        return { done: (await deps.step.process(changes.map((c) => c.message))).stored };
      },
      // the offline follower reads behind this one, so it prunes the log
      prune: !deps.offline,
      onAdvance: () => deps.offline?.wake(),
    });
  }

  async start(): Promise<void> {
    // what a previous process left (killed mid-push, or the CLI wrote while no server ran)
    const r = await this.follower.drain();
    const o = await this.offline?.drain();
    this.follower.start();
    this.offline?.start();
    if (r.failed) this.follower.kick();
    if (o?.failed) this.offline?.kick();
  }
  async stop(): Promise<void> {
    this.follower.stop();
    this.offline?.stop();
  }
  /** the feature step's changes, then the offline rows behind them */
  async drain(): Promise<{ handled: number; failed: number }> {
    const r = await this.follower.drain();
    if (this.offline) {
      const o = await this.offline.drain();
      return { handled: r.handled, failed: r.failed + o.failed };
    }
    return r;
  }
  pending(limit = 1000): Promise<PendingChange[]> {
    return pendingOf(this.follower, limit);
  }
  async offlinePending(limit: number): Promise<string[]> {
    return this.offline ? (await this.offline.pending(limit)).map((c) => c.message.sms_id) : [];
  }
  async stats(): Promise<IngestionStats> {
    const step = this.deps.step;
    const lag = await this.follower.lag();
    return {
      mode: 'embedded',
      stream: null,
      change_log: { consumer: 'the feature step', pending: lag, last_error: this.follower.lastError ?? null },
      incoming: null,
      features: {
        processed: step.meter.total,
        per_second: step.meter.perSecond(),
        pending: lag,
        ack_pending: null,
        redelivered: this.follower.redelivered,
        failures: step.failures,
        last_error: step.lastError ?? null,
      },
      offline: this.offline ? { pending: await this.offline.lag(), last_error: this.offline.lastError ?? null } : null,
      dead_letters: null,
    };
  }
  health(): IngestionHealth {
    const { attempts, lastError } = this.follower;
    // one failure is retried at once (a busy file, a lock): a few in a row is a problem to tell
    const failing = attempts >= FAILING_AFTER && lastError ? { featuresFailing: { attempts, error: lastError } } : {};
    return { mode: 'embedded', stream: 'off', reason: null, ...failing };
  }
  async deadLetters(): Promise<DeadLetter[]> {
    return [];
  }
  async retryDeadLetter(): Promise<RetryAnswer> {
    throw new IngestionError(
      'stream_off',
      'dead letters exist only when the stream is on (SPAMOPS_STREAM_URL or serve --stream); the embedded change log retries until a push succeeds',
    );
  }
}
