/**
 * Serving's hot routes answered in front of Fastify (issue 23). A well-formed request to a hot route
 * (a text to predict, entities to look up) is parsed, checked against the route's declared body
 * schema with Fastify's own validator compiler and options, answered by the route's own handler,
 * and serialized with Fastify's own serializer compiler from the declared answer schema: the same
 * bytes, without Fastify's request and reply objects, hooks and router (a tenth of a cached
 * answer's time on the serving thread; see the README's Benchmarks).
 *
 * Anything else goes to Fastify as before: another route or method, a content type other than
 * `application/json`, a Host not served, an Origin or Sec-Fetch-Site header, a bearer token to
 * check, trusted proxies, a body without Content-Length or above the limit, a body that is not
 * UTF-8, holds `\u` escapes, `__proto__` or `constructor`, is nested too deep, is not JSON or fails
 * its schema. A body already read is handed to Fastify's parser as it was received (a preParsing
 * hook), so Fastify answers it exactly as if it had read it itself: every refusal keeps its one
 * place, the error handler. An error of the handler itself is answered through the same mapping
 * (`errorAnswer`) and the route's declared error schema.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import AjvCompiler from '@fastify/ajv-compiler';
import type { AnswerOf, BodyOf, ParamsOf, RouteDeclaration } from '../../src-shared/routes/define';
import type { ServerConfig } from '../config';
import { asSent, compileSerializer, type AnswerWriter } from './declare';
import { utf8Text } from './body-text';
import { errorAnswer, HttpError, type ErrorAnswer } from './errors';
import { jsonDepthError } from './json-depth';
import { LOOPBACK_HOSTS, hostName, isLoopbackAddress } from './security';
import { AJV_CUSTOM_OPTIONS, BoundedMap, Doorkeeper } from '../platform';

/** what a hot route's handler is given: the parts of a Fastify request it may read */
export interface HotRequest<R extends RouteDeclaration> {
  /** `{}` for a route without parameters */
  params: R extends { params: TSchema } ? ParamsOf<R> : unknown;
  body: BodyOf<R>;
  ip: string;
}

/** a handler both doors call: Fastify's route (with its full request) and the hot one */
export type HotHandler<R extends RouteDeclaration> = (req: HotRequest<R>) => AnswerOf<R> | Promise<AnswerOf<R>>;

/** told of each answer of a hot route (serving's statistics): the request, and the milliseconds since the route took it */
export type Answered<R extends RouteDeclaration> = (req: HotRequest<R>, ms: number) => void;

/**
 * Answers a route keeps by request body, for a route whose answer is all in what it reads (a
 * lookup: no side effect, nothing counted). The same bytes asked again are answered with the kept
 * answer while `moment()` returns the same value (compared by identity) and until `until(answer)`;
 * what they skip is reading the body as JSON, checking it, the handler and writing its answer
 * (see the README's Benchmarks).
 */
export interface AnswerMemo<R extends RouteDeclaration> {
  /** what answers made now are made of; undefined: none is kept or served now */
  moment(): unknown;
  /** the last `Date.now()` at which the answer made now is still true (Infinity: while the moment holds) */
  until(answer: AnswerOf<R>): number;
}

interface Kept {
  moment: unknown;
  /** `Date.now()` when it was made, and the last at which it is true */
  made: number;
  until: number;
  payload: string;
  bytes: number;
}

/** answers kept per route, at most, and the largest body and answer kept (at most 16 MB a route) */
const MEMO_ANSWERS = 256;
/** bodies remembered by hash, so an answer is kept from its body's second sight (most bodies come once) */
const MEMO_SEEN_SLOTS = 4096;
const MEMO_MAX_BODY = 4096;
const MEMO_MAX_ANSWER = 65_536;

/** where an answer made now may be kept: its body's bytes, and the moment it is made of */
interface KeepAt {
  key: string;
  moment: unknown;
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
type Serialize = (value: unknown) => string;

interface HotRoute {
  /** the path's fixed parts, and between them one parameter each ("/model/", "/text_to_prediction") */
  parts: string[];
  names: string[];
  validateParams?: Validate;
  validateBody: Validate;
  answer: Serialize;
  error4xx: Serialize;
  error5xx: Serialize;
  bodyLimit: number;
  handler: (req: HotRequest<RouteDeclaration>) => unknown;
  answered?: (req: HotRequest<RouteDeclaration>, ms: number) => void;
  memo?: { moment(): unknown; until(answer: unknown): number; kept: BoundedMap<string, Kept>; seen: Doorkeeper };
}

/** a request's body as received, handed to Fastify when the hot route passes it on */
const RECEIVED = Symbol('spamops.receivedBody');
type WithBody = IncomingMessage & { [RECEIVED]?: Buffer };

/** a path parameter's characters taken here: anything percent-encoded goes to Fastify's router */
const PLAIN_PARAM = /^[A-Za-z0-9._~-]+$/;

export class HotRoutes {
  private readonly routes: HotRoute[] = [];
  private readonly compileValidator = AjvCompiler()({}, { customOptions: AJV_CUSTOM_OPTIONS });
  /** Host headers found to name loopback (a few: "127.0.0.1:8000", "localhost:8000"), so each is judged once */
  private readonly loopbackHosts = new Set<string>();
  /** every request goes to Fastify when the server listens beyond loopback (a token to check) or behind trusted proxies */
  private readonly off: boolean;
  private closing = false;

  constructor(
    private readonly cfg: ServerConfig,
    private readonly log: FastifyBaseLogger,
  ) {
    this.off = !isLoopbackAddress(cfg.host) || cfg.trustedProxies.length > 0;
  }

  /**
   * answers `decl`'s well-formed POSTs with `handler` (the one its Fastify route calls); `answer`
   * writes the 200 answer when its Fastify route has one too (`RouteExtras.answer`)
   */
  add<R extends RouteDeclaration>(decl: R, handler: HotHandler<R>, o: { answered?: Answered<R>; answer?: AnswerWriter; memo?: AnswerMemo<R> } = {}): void {
    const { answered, memo } = o;
    if (decl.method !== 'POST' || !decl.body || decl.multipart || (decl.transport && decl.transport !== 'json') || !(200 in decl.response))
      throw new Error(`${decl.method} ${decl.url}: only JSON POST routes answering 200 can be hot`);
    // a kept answer is sent without its request read: nothing may need to be told of it, and its
    // body must be all the request asks (no path parameter)
    if (memo && answered) throw new Error(`${decl.method} ${decl.url}: a route told of its answers cannot keep them`);
    if (memo && decl.params) throw new Error(`${decl.method} ${decl.url}: a route with path parameters cannot keep its answers by body`);
    // "/model/:version/text_to_prediction" splits into ["/model/", "version", "/text_to_prediction"]
    const pieces = decl.url.split(/:([A-Za-z_][A-Za-z0-9_]*)/);
    const parts = pieces.filter((_, i) => i % 2 === 0);
    const names = pieces.filter((_, i) => i % 2 === 1);
    const at = { method: decl.method, url: decl.url };
    const serializer = (status: number | string) =>
      compileSerializer({ schema: asSent(decl.response[status as keyof typeof decl.response]) as object, ...at, httpStatus: String(status) }) as Serialize;
    this.routes.push({
      parts,
      names,
      ...(decl.params ? { validateParams: this.compileValidator({ schema: decl.params, ...at, httpPart: 'params' }) as Validate } : {}),
      validateBody: this.compileValidator({ schema: decl.body, ...at, httpPart: 'body' }) as Validate,
      answer: (o.answer as Serialize | undefined) ?? serializer(200),
      error4xx: serializer('4xx'),
      error5xx: serializer('5xx'),
      bodyLimit: decl.bodyLimit ?? this.cfg.bodyLimitBytes,
      handler: handler as HotRoute['handler'],
      ...(answered ? { answered: answered as HotRoute['answered'] } : {}),
      ...(memo
        ? {
            memo: {
              moment: () => memo.moment(),
              until: (a: unknown) => memo.until(a as AnswerOf<R>),
              kept: new BoundedMap<string, Kept>(MEMO_ANSWERS),
              seen: new Doorkeeper(MEMO_SEEN_SLOTS),
            },
          }
        : {}),
    });
  }

  /**
   * Puts the hot routes in front of `app`'s request handler, and returns the handler for the other
   * ports (the compatibility ports call it too). Call once every route is added.
   */
  install(app: FastifyInstance): (req: IncomingMessage, res: ServerResponse) => void {
    // a body read here and passed on is parsed by Fastify from what was received
    app.addHook('preParsing', (req, _reply, payload, done) => {
      const received = (req.raw as WithBody)[RECEIVED];
      if (received === undefined) return done(null, payload);
      const replay = Readable.from([received], { objectMode: false }) as Readable & { receivedEncodedLength?: number };
      replay.receivedEncodedLength = received.length;
      done(null, replay);
    });
    app.addHook('preClose', (done) => {
      this.closing = true; // Fastify answers while closing (it sets Connection: close)
      done();
    });
    const fastify = app.routing.bind(app);
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      const route = this.off || this.closing ? undefined : this.routeOf(req);
      const params = route && this.paramsOf(route, req.url as string);
      if (route && params) this.readBody(route, req as WithBody, res, params, fastify);
      else fastify(req, res);
    };
    const listeners = app.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    if (listeners.length !== 1) throw new Error(`expected Fastify's one request listener, found ${listeners.length}`);
    app.server.removeAllListeners('request');
    app.server.on('request', handle);
    return handle;
  }

  /** the hot route a request may take, judged on its headers alone */
  private routeOf(req: IncomingMessage): HotRoute | undefined {
    if (req.method !== 'POST') return undefined;
    const h = req.headers;
    if (h['content-type'] !== 'application/json' || h.origin !== undefined || h['sec-fetch-site'] !== undefined || h['transfer-encoding'] !== undefined)
      return undefined;
    const host = h.host ?? '';
    if (!this.loopbackHosts.has(host)) {
      if (!LOOPBACK_HOSTS.has(hostName(host))) return undefined;
      if (this.loopbackHosts.size < 64) this.loopbackHosts.add(host);
    }
    const url = req.url as string;
    for (const r of this.routes) if (url.startsWith(r.parts[0]) && url.endsWith(r.parts[r.parts.length - 1])) return r;
    return undefined;
  }

  /** the path's parameters when it matches the route with plain ones, else undefined */
  private paramsOf(route: HotRoute, url: string): Record<string, string> | undefined {
    const { parts, names } = route;
    if (names.length === 0) return url === parts[0] ? {} : undefined;
    const params: Record<string, string> = {};
    let at = parts[0].length;
    for (let i = 0; i < names.length; i++) {
      const next = parts[i + 1];
      const end = i === names.length - 1 ? url.length - next.length : url.indexOf(next, at);
      if (end <= at) return undefined;
      const value = url.slice(at, end);
      if (!PLAIN_PARAM.test(value)) return undefined;
      params[names[i]] = value;
      at = end + next.length;
    }
    if (at !== url.length) return undefined;
    if (route.validateParams && !route.validateParams(params)) return undefined;
    return params;
  }

  private readBody(
    route: HotRoute,
    req: WithBody,
    res: ServerResponse,
    params: Record<string, string>,
    fastify: (req: IncomingMessage, res: ServerResponse) => void,
  ): void {
    const length = Number(req.headers['content-length']);
    if (!(length > 0 && length <= route.bodyLimit)) {
      fastify(req, res);
      return;
    }
    const from = performance.now();
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
    });
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      let keep: KeepAt | undefined;
      if (route.memo !== undefined && received === length && received <= MEMO_MAX_BODY) {
        // the moment is taken before the handler reads: a change while it reads makes the next one differ
        const moment = route.memo.moment();
        if (moment !== undefined) {
          // the bytes as they came (latin1: one character per byte, no decoding)
          const key = body.toString('latin1');
          const kept = route.memo.kept.get(key);
          const now = Date.now();
          // within when it was made and until: a clock set back does not serve an answer made later
          if (kept !== undefined && kept.moment === moment && kept.made <= now && now <= kept.until) {
            this.send(route, undefined, res, from, 200, kept.payload, kept.bytes);
            return;
          }
          keep = { key, moment };
        }
      }
      const parsed = received === length ? parseBody(body) : undefined;
      if (parsed === undefined || !route.validateBody(parsed)) {
        req[RECEIVED] = body;
        fastify(req, res);
      } else this.answer(route, { params, body: parsed, ip: req.socket.remoteAddress ?? '' }, res, from, keep);
    });
  }

  private answer(route: HotRoute, hot: HotRequest<RouteDeclaration>, res: ServerResponse, from: number, keep: KeepAt | undefined): void {
    let value: unknown;
    try {
      value = route.handler(hot);
    } catch (e) {
      this.fail(route, hot, res, from, e);
      return;
    }
    if (value instanceof Promise)
      value.then(
        (v) => this.sendAnswer(route, hot, res, from, v, keep),
        (e) => this.fail(route, hot, res, from, e),
      );
    else this.sendAnswer(route, hot, res, from, value, keep);
  }

  /** an answer the serializer cannot write is a 500, as in Fastify (never an exception on the event loop) */
  private sendAnswer(route: HotRoute, hot: HotRequest<RouteDeclaration>, res: ServerResponse, from: number, value: unknown, keep: KeepAt | undefined): void {
    let payload: string;
    try {
      payload = route.answer(value);
    } catch (e) {
      this.fail(route, hot, res, from, e);
      return;
    }
    const bytes = Buffer.byteLength(payload);
    if (keep !== undefined && route.memo !== undefined && bytes <= MEMO_MAX_ANSWER) {
      // kept from the body's second sight: a body asked once (a lookup of entities asked once) would
      // only churn the kept answers through the young generation into the old (platform/doorkeeper.ts)
      const until = route.memo.until(value);
      const made = Date.now();
      if (until >= made && route.memo.seen.seenBefore(keep.key)) route.memo.kept.set(keep.key, { moment: keep.moment, made, until, payload, bytes });
    }
    this.send(route, hot, res, from, 200, payload, bytes);
  }

  private fail(route: HotRoute, hot: HotRequest<RouteDeclaration>, res: ServerResponse, from: number, e: unknown): void {
    const { status, body, headers } = errorAnswer(e) ?? this.unknownError(e);
    if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    this.send(route, hot, res, from, status, (status < 500 ? route.error4xx : route.error5xx)(body));
  }

  /** as Fastify's error handler answers an error it does not know: a 4xx it carries, else 500 (logged) */
  private unknownError(e: unknown): ErrorAnswer {
    const err = e as { statusCode?: number; code?: string; message?: string };
    if (err?.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
      return { status: err.statusCode, body: { error: err.code ?? 'bad_request', detail: String(err.message) } };
    this.log.error({ err: e }, String(err?.message));
    return { status: 500, body: { error: 'internal_error', detail: `the server failed on this request: ${err?.message}` } };
  }

  /** `hot` undefined: a kept answer (of a route told of none) */
  private send(
    route: HotRoute,
    hot: HotRequest<RouteDeclaration> | undefined,
    res: ServerResponse,
    from: number,
    status: number,
    payload: string,
    bytes = Buffer.byteLength(payload),
  ): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes });
    res.end(payload);
    if (hot !== undefined) route.answered?.(hot, performance.now() - from);
  }
}

/**
 * The body as a value when it is plain JSON Fastify's parser would take as it is; undefined to let
 * Fastify judge it (and answer its error).
 */
function parseBody(body: Buffer): unknown {
  const text = utf8Text(body);
  if (text instanceof HttpError) return undefined;
  // escapes (lone surrogates, escaped keys) and prototype keys: Fastify's parser and checks judge those
  if (text.includes('\\u') || text.includes('__proto__') || text.includes('constructor')) return undefined;
  if (jsonDepthError(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
