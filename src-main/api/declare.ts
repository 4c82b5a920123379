/**
 * Registers a route from its declaration in src-shared/routes: method, path, schemas (validation,
 * OpenAPI, and the serializer of every answer) come from it; the handler's input and answer are
 * typed from the same schemas, so tsc checks the handler against the wire format.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySerializerCompiler, onRequestHookHandler, onSendHookHandler } from 'fastify';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { AnswerOf, BodyOf, ParamsOf, QueryOf, RouteDeclaration } from '../../src-shared/routes/define';

export type RequestOf<R extends RouteDeclaration> = FastifyRequest<{ Params: ParamsOf<R>; Querystring: QueryOf<R>; Body: BodyOf<R> }>;

/** a JSON route answers its schema; a streamed one (events, NDJSON, a file) answers through the reply; a hot answer may come at once */
export type HandlerOf<R extends RouteDeclaration> = (
  req: RequestOf<R>,
  reply: FastifyReply,
) => MaybePromise<R extends { transport: 'json-stream' | 'event-stream' | 'file-stream' } ? AnswerOf<R> | FastifyReply : AnswerOf<R>>;

/** a handler may answer at once (Fastify sends a returned value as is) or through a promise */
type MaybePromise<T> = T | Promise<T>;

/**
 * The schema an answer is serialized with: the declared one without `required`, so that a record
 * stored by an older version (a run without `base`, ...) is answered without the field, as before,
 * instead of failing the serializer; fields not declared are still left out. The OpenAPI document
 * shows the declared schema.
 */
export function asSent(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asSent);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) if (!(k === 'required' && Array.isArray(v))) out[k] = asSent(v);
  return out;
}

/**
 * What a route adds besides its declaration: hooks of its own (statistics). Not onResponse: a
 * route with one has Fastify listen for the end of each of its responses (see app.ts's log).
 */
export interface RouteExtras {
  onRequest?: onRequestHookHandler;
  onSend?: onSendHookHandler;
  /**
   * writes the 200 answer in place of the serializer compiled from its schema, byte for byte as that
   * one would (a test of its own compares them): for a hot answer whose parts are written once
   * and kept (a lookup's kept rows). Other statuses keep their schema's serializer.
   */
  answer?: AnswerWriter;
}

/** what writes a route's 200 answer (its value is the route's answer) */
export type AnswerWriter = (answer: never) => string;

/** the serializers Fastify compiles from a route's schemas, with its default options (app.ts sets none) */
export const compileSerializer = SerializerSelector()({}, {});

/** `serve(app, decl, handler)`, or with extras before the handler as in Fastify's own `app.post(url, options, handler)` */
export function serve<R extends RouteDeclaration>(app: FastifyInstance, decl: R, handler: HandlerOf<R>): void;
export function serve<R extends RouteDeclaration>(app: FastifyInstance, decl: R, extras: RouteExtras, handler: HandlerOf<R>): void;
export function serve<R extends RouteDeclaration>(app: FastifyInstance, decl: R, a: HandlerOf<R> | RouteExtras, b?: HandlerOf<R>): void {
  const [extras, handler] = typeof a === 'function' ? [{}, a] : [a, b as HandlerOf<R>];
  const { method, url, summary, tags, params, querystring, body, response, multipart, transport, bodyLimit } = decl;
  app.route({
    method,
    url,
    ...(bodyLimit ? { bodyLimit } : {}),
    schema: {
      summary,
      tags,
      ...(params ? { params } : {}),
      ...(querystring ? { querystring } : {}),
      // a multipart body is read by the handler; its schema is for the document only
      ...(body && !multipart ? { body } : {}),
      ...(multipart ? { consumes: ['multipart/form-data'] } : {}),
      ...(transport === 'event-stream' ? { produces: ['text/event-stream'] } : {}),
      response: Object.fromEntries(Object.entries(response).map(([status, schema]) => [status, asSent(schema)])),
    },
    // the document shows the declared answers, and the form of a multipart body
    config: {
      swaggerTransform: ({ schema, url }: { schema: object; url: string }) => ({
        schema: { ...schema, response, ...(multipart && body ? { body } : {}) },
        url,
      }),
    },
    // a body whose fields are all optional may be left out (an older client's call sent none): it is then {}
    ...(body && !multipart && !(body as { required?: string[] }).required?.length
      ? {
          preValidation: (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
            if (req.body === undefined || req.body === null) req.body = {};
            done();
          },
        }
      : {}),
    ...(extras.onRequest ? { onRequest: extras.onRequest } : {}),
    ...(extras.onSend ? { onSend: extras.onSend } : {}),
    ...(extras.answer ? { serializerCompiler: answerWith(extras.answer) } : {}),
    handler: handler as unknown as (req: FastifyRequest, reply: FastifyReply) => unknown,
  });
}

/** a route's serializer compiler: `answer` for its 200 answer, its schemas' own for the others */
function answerWith(answer: AnswerWriter): FastifySerializerCompiler<unknown> {
  return (route) =>
    route.httpStatus === '200' ? (answer as (value: unknown) => string) : compileSerializer({ ...route, httpStatus: String(route.httpStatus) });
}
