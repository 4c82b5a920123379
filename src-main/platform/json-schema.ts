/**
 * JSON Schema checks as the API makes them: Fastify's validator (Ajv through @fastify/ajv-compiler)
 * with the options the API's routes are built with, so that a door other than HTTP (the stream's
 * entry subject) accepts exactly what the route accepts. Ajv counts a string's length in code
 * points, as the API's limits are stated; TypeBox's own check counts UTF-16 units, so it refused a
 * 1,500-emoji text the route takes.
 */
import AjvCompiler from '@fastify/ajv-compiler';

/** the options Fastify's validator is built with (app.ts): every check of a route's schema uses them */
export const AJV_CUSTOM_OPTIONS = { coerceTypes: false, removeAdditional: false, allErrors: false, verbose: true } as const;

export type SchemaValidate = ((data: unknown) => boolean) & { errors?: SchemaCheckError[] | null };

export interface SchemaCheckError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

const compiler = AjvCompiler()({}, { customOptions: AJV_CUSTOM_OPTIONS });

/** a validator of `schema`, as the API's routes check their bodies */
export function compileSchema(schema: unknown): SchemaValidate {
  return compiler({ schema, method: 'POST', url: '/', httpPart: 'body' } as never) as SchemaValidate;
}
