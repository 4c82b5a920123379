/**
 * The connection to NATS, kept whatever happens: the first attempt is awaited briefly (so a server
 * that is up is used from the first request), then attempts go on in the background until one
 * succeeds; afterwards the client reconnects by itself. After each (re)connection `onReady` sets up
 * streams and consumers again (the server may have restarted empty). The state (connected, or why
 * not) is what /health and the console show.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

export interface Link {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export interface LinkState {
  connected: boolean;
  reason: string | null;
  since: number;
}

const FIRST_ATTEMPT_MS = 3000;
const RETRY_MS = [500, 1000, 2000, 5000];
const READY_RETRY_MS = 5000;
/** how often a live connection checks that its streams and consumers are still there */
const CHECK_MS = 5000;

/** a NATS or JetStream failure in a sentence that says what to check */
export function explainNats(e: unknown, servers: string): string {
  const err = e as Error & { code?: string };
  const msg = err?.message ?? String(e);
  // says all there is to say (another store holds the consumers)
  if (err?.name === 'StreamClaimedError') return msg;
  if (err?.name === 'JetStreamNotEnabled' || /jetstream is not enabled|JetStream not enabled/i.test(msg))
    return `NATS at ${servers} runs without JetStream: start it with -js (nats-server -js)`;
  if (/refused|ECONNREFUSED/i.test(msg)) return `cannot reach NATS at ${servers}: connection refused — is nats-server -js running there? (SPAMOPS_STREAM_URL)`;
  if (/timeout/i.test(msg) || err?.name === 'TimeoutError') return `NATS at ${servers} did not answer in time (${msg})`;
  if (/authoriz|authenticat/i.test(msg)) return `NATS at ${servers} refused the credentials: ${msg} — put user:password@ in SPAMOPS_STREAM_URL`;
  return `NATS at ${servers}: ${msg}`;
}

/** how long a deletion the client was told of waits for more of its kind before setting up again */
const LOST_SETTLE_MS = 500;

export class NatsLink {
  link: Link | undefined;
  state: LinkState = { connected: false, reason: 'not connected yet', since: Date.now() };
  private stopped = false;
  private readyTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private readying: Promise<void> | undefined;
  /** lost while being set up: set up once more after (what was checked may be gone again) */
  private readyAgain = false;
  /** the last set-up failed because another store holds the consumers */
  private claimed = false;
  private readonly sleeping = new Set<() => void>();

  constructor(
    private readonly servers: string[],
    private readonly onReady: (link: Link) => Promise<void>,
    private readonly log: (line: string) => void,
    /** what onReady set up and is gone (a stream deleted while SpamOps runs), or undefined: it is set up again */
    private readonly check?: (link: Link) => Promise<string | undefined>,
  ) {}

  get where(): string {
    return this.servers.join(',');
  }

  /** resolves after the first attempt (at most a few seconds); later attempts run in the background */
  async start(): Promise<void> {
    const first = this.connectLoop();
    await Promise.race([first, this.sleep(FIRST_ATTEMPT_MS)]);
    // another store holding the consumers refuses the start (StreamIngestion.start) rather than serving meanwhile
    if (!this.state.connected && !this.claimed)
      this.log(`stream: ${this.state.reason}; SpamOps serves meanwhile and keeps trying (messages are stored, their changes wait in the change log)`);
  }

  /** a pause that stop() cuts short */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleeping.delete(wake);
        resolve();
      }, ms);
      const wake = () => {
        clearTimeout(t);
        resolve();
      };
      this.sleeping.add(wake);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.sleeping) wake();
    this.sleeping.clear();
    clearTimeout(this.readyTimer);
    clearTimeout(this.checkTimer);
    const nc = this.link?.nc;
    this.link = undefined;
    if (nc && !nc.isClosed()) {
      // drain: acknowledgements still buffered go out before the connection closes
      await Promise.race([nc.drain().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
      if (!nc.isClosed()) await nc.close().catch(() => undefined);
    }
  }

  private setState(connected: boolean, reason: string | null): void {
    if (this.state.connected === connected && this.state.reason === reason) return;
    this.state = { connected, reason, since: Date.now() };
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: this.servers,
          name: 'spamops',
          timeout: 2000,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
          pingInterval: 10_000,
          // no stack captured per request: a sixth of the relay's time went into it (profiled)
          noAsyncTraces: true,
        });
      } catch (e) {
        this.claimed = (e as Error)?.name === 'StreamClaimedError';
        this.setState(false, explainNats(e, this.where));
        await this.sleep(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
        continue;
      }
      if (this.stopped) {
        await nc.close().catch(() => undefined);
        return;
      }
      this.link = { nc, js: jetstream(nc), jsm: await jetstreamManager(nc, { checkAPI: false }) };
      this.watch(nc);
      await this.ready();
      return;
    }
  }

  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (this.stopped) return;
        if (s.type === 'disconnect') {
          this.setState(false, `lost the connection to NATS at ${this.where}; reconnecting`);
          this.log(`stream: ${this.state.reason}`);
        } else if (s.type === 'reconnect') void this.ready();
      }
    })();
    // closed for good (not by stop()): start over
    void nc.closed().then(() => {
      if (this.stopped || this.link?.nc !== nc) return;
      this.link = undefined;
      this.setState(false, `the connection to NATS at ${this.where} closed`);
      void this.connectLoop();
    });
  }

  /**
   * What was set up is gone (a stream or consumer deleted while SpamOps runs): unavailable, with
   * why, until it is set up again, as at start.
   */
  lost(reason: string, o: { settle?: boolean } = {}): void {
    if (this.stopped || !this.link) return;
    if (this.state.connected) this.log(`stream: ${reason}`);
    this.setState(false, reason);
    if (this.readying) {
      this.readyAgain = true;
      return;
    }
    if (!o.settle) {
      void this.ready();
      return;
    }
    // a burst of deletions (an operator removing every stream) settles first: setting up while the
    // next deletion lands left nats-server 2.9 with a consumer that never delivered
    clearTimeout(this.readyTimer);
    this.readyTimer = setTimeout(() => void this.ready(), LOST_SETTLE_MS);
    this.readyTimer.unref();
  }

  private scheduleCheck(): void {
    clearTimeout(this.checkTimer);
    if (!this.check || this.stopped) return;
    this.checkTimer = setTimeout(async () => {
      const link = this.link;
      // a check that cannot be made (the connection lost meanwhile) proves nothing: the client's reconnection takes over
      const gone = link && this.state.connected && !this.readying ? await this.check?.(link).catch(() => undefined) : undefined;
      if (gone && this.link === link) this.lost(gone);
      else this.scheduleCheck();
    }, CHECK_MS);
    this.checkTimer.unref();
  }

  /** sets up streams and consumers; retried while it fails on a live connection */
  private ready(): Promise<void> {
    this.readying ??= (async () => {
      clearTimeout(this.readyTimer);
      const link = this.link;
      if (!link || this.stopped) return;
      try {
        await this.onReady(link);
        if (this.readyAgain) return;
        const was = this.state.connected;
        this.setState(true, null);
        if (!was) this.log(`stream: connected to NATS JetStream at ${this.where}`);
        this.scheduleCheck();
      } catch (e) {
        this.claimed = (e as Error)?.name === 'StreamClaimedError';
        this.setState(false, explainNats(e, this.where));
        this.log(`stream: ${this.state.reason}; trying again in ${READY_RETRY_MS / 1000} s`);
        this.readyTimer = setTimeout(() => void this.ready(), READY_RETRY_MS);
        this.readyTimer.unref();
      }
    })().finally(() => {
      this.readying = undefined;
      if (this.readyAgain) {
        this.readyAgain = false;
        void this.ready();
      }
    });
    return this.readying;
  }
}
