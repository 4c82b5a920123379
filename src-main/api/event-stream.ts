/**
 * Server-Sent Events for every stream of the API (training runs, data imports, ...): one listener
 * on the source however many subscribers (a fan-out, not a listener each), headers sent at once,
 * a ping every 15 s, and a cap on subscribers across the app (503 with Retry-After beyond it).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors';

interface Subscriber<E> {
  filter: (e: E) => boolean;
  send: (e: E) => void;
  endOn?: (e: E) => boolean;
  close: () => void;
}

/** every open stream of one app, counted against its cap */
export class EventStreams {
  private open = 0;
  constructor(readonly max: number) {}

  get count(): number {
    return this.open;
  }

  /** a fan-out over one source of events: `subscribe(on)` must return how to unsubscribe */
  fanout<E extends { type: string }>(subscribe: (on: (e: E) => void) => () => void): EventFanout<E> {
    return new EventFanout<E>(this, subscribe);
  }

  /** claims a slot or refuses the request */
  claim(): () => void {
    if (this.open >= this.max)
      throw new HttpError(
        503,
        'too_many_streams',
        `${this.max} event streams are open already (the limit, server.maxEventStreams); close one or retry later`,
        {},
      );
    this.open++;
    let released = false;
    return () => {
      if (!released) this.open--;
      released = true;
    };
  }
}

export class EventFanout<E extends { type: string }> {
  private readonly subscribers = new Set<Subscriber<E>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly streams: EventStreams,
    private readonly source: (on: (e: E) => void) => () => void,
  ) {}

  private deliver = (e: E): void => {
    for (const s of this.subscribers) {
      if (!s.filter(e)) continue;
      s.send(e);
      if (s.endOn?.(e)) s.close();
    }
  };

  /**
   * Answers the request with an event stream: `first` at once, then the source's events that
   * pass `filter`, until the client goes or `endOn` says so (`endOn` true for a first event ends
   * the stream right after `first`).
   */
  serve(req: FastifyRequest, reply: FastifyReply, o: { filter: (e: E) => boolean; first?: E[]; endOn?: (e: E) => boolean }): void {
    const release = this.streams.claim();
    reply.hijack();
    const res = reply.raw;
    const cors = reply.getHeader('access-control-allow-origin');
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...(cors ? { 'access-control-allow-origin': String(cors), vary: 'Origin' } : {}),
    });
    res.flushHeaders(); // the client knows at once that the stream is open
    const send = (e: E) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    const sub: Subscriber<E> = {
      filter: o.filter,
      send,
      endOn: o.endOn,
      close: () => {
        clearInterval(ping);
        this.subscribers.delete(sub);
        if (this.subscribers.size === 0) {
          this.unsubscribe?.();
          this.unsubscribe = undefined;
        }
        release();
        res.end();
      },
    };
    for (const e of o.first ?? []) send(e);
    if (o.first?.some((e) => o.endOn?.(e))) {
      clearInterval(ping);
      release();
      res.end();
      return;
    }
    this.subscribers.add(sub);
    this.unsubscribe ??= this.source(this.deliver);
    req.raw.on('close', sub.close);
  }
}
