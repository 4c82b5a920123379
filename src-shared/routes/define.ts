/**
 * What a route declaration is, and the types both sides derive from it: the server's handler input
 * and answer (src-main/api/declare.ts), the console's call (src-renderer/src/api.ts).
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { ApiError } from '../errors';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** how the answer travels when it is not one JSON document */
export type Transport = 'json' | 'json-stream' | 'event-stream' | 'file-stream';

export interface RouteDeclaration {
  method: Method;
  /** Fastify's form: `/runs/:id` */
  url: string;
  summary: string;
  tags: string[];
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** every answer by status: the 2xx ones, then the errors (4xx and 5xx are added by `route`) */
  response: Record<number | '4xx' | '5xx', TSchema>;
  /** json by default; a stream's schema describes one event or row (the client reads it specially) */
  transport?: Transport;
  /** multipart/form-data instead of a JSON body */
  multipart?: boolean;
  /** a body limit above the server's default */
  bodyLimit?: number;
}

/** declares a route: every route answers errors as `ApiError` (4xx for the caller's, 5xx for ours) */
export function route<const R extends Omit<RouteDeclaration, 'response'> & { response: Record<number, TSchema> }>(
  r: R,
): R & { response: R['response'] & { '4xx': typeof ApiError; '5xx': typeof ApiError } } {
  return { ...r, response: { ...r.response, '4xx': ApiError, '5xx': ApiError } };
}

type StaticOf<S> = S extends TSchema ? Static<S> : undefined;
type SuccessStatus = 200 | 201 | 202 | 204;

export type ParamsOf<R extends RouteDeclaration> = StaticOf<R['params']>;
export type QueryOf<R extends RouteDeclaration> = StaticOf<R['querystring']>;
export type BodyOf<R extends RouteDeclaration> = StaticOf<R['body']>;
/** what a route answers on success (the union of its 2xx schemas) */
export type AnswerOf<R extends RouteDeclaration> = {
  [K in keyof R['response']]: K extends SuccessStatus ? StaticOf<R['response'][K]> : never;
}[keyof R['response']];

/** the path of a declaration with its parameters filled in (each percent-encoded) */
export function pathOf(url: string, params?: Record<string, string | number>): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`${url}: parameter "${name}" is missing`);
    return encodeURIComponent(String(v));
  });
}
