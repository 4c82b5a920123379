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
import type { FeatureStep } from './feature-step';

/** a stored message whose change has not been handed on yet */
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
  stats(): Promise<IngestionStats>;
  health(): IngestionHealth;
  deadLetters(limit: number): Promise<DeadLetter[]>;
  retryDeadLetter(seq: number): Promise<RetryAnswer>;
}

/** what an ingestion route cannot do, and why: the API turns the code into a status */
export class IngestionError extends Error {
  constructor(
    readonly code: 'stream_off' | 'stream_unavailable' | 'not_found',
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
}

/** The embedded default: the feature step follows the change log from its own cursor. */
export class EmbeddedIngestion implements Ingestion {
  readonly mode = 'embedded' as const;
  readonly follower: ChangeFollower;

  constructor(private readonly deps: EmbeddedIngestionDeps) {
    this.follower = new ChangeFollower(deps.changes, {
      cursor: 'features',
      handle: async (changes) => {
        await deps.step.process(changes.map((c) => c.message));
      },
    });
  }

  async start(): Promise<void> {
    // what a previous process left (killed mid-push, or the CLI wrote while no server ran)
    const r = await this.follower.drain();
    this.follower.start();
    if (r.failed) this.follower.kick();
  }
  async stop(): Promise<void> {
    this.follower.stop();
  }
  drain(): Promise<{ handled: number; failed: number }> {
    return this.follower.drain();
  }
  pending(limit = 1000): Promise<PendingChange[]> {
    return pendingOf(this.follower, limit);
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
      dead_letters: null,
    };
  }
  health(): IngestionHealth {
    return { mode: 'embedded', stream: 'off', reason: null };
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
