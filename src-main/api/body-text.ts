/**
 * A JSON body's text and its Unicode checks, shared by the API's body parsers (app.ts) and the
 * hot routes (hot-routes.ts).
 */
import { isAscii } from 'node:buffer';
import { jsonLoneSurrogatePath, strictUtf8, utf8Problem } from '../platform';
import { HttpError } from './errors';

/**
 * A body whose strings are not valid Unicode (a lone UTF-16 surrogate, "\ud800" in JSON) is
 * refused with 400 naming the field: stored, such a string becomes invalid UTF-8 that can never
 * be read back.
 */
export function unicodeError(text: string, value: unknown): HttpError | null {
  const path = jsonLoneSurrogatePath(text, value);
  if (path === undefined) return null;
  const field = path ? `body.${path}` : 'body';
  return new HttpError(400, 'validation_error', `${field}: contains a lone UTF-16 surrogate, not valid Unicode text`, { field });
}

/** the body as text; bytes that are not UTF-8 (0xff 0xfe), read as U+FFFD before, are refused naming the field */
export function utf8Text(body: Buffer): string | HttpError {
  if (isAscii(body)) return body.toString('latin1');
  const text = strictUtf8(body);
  if (text !== undefined) return text;
  const bad = utf8Problem(body);
  const field = bad?.field ? `body.${bad.field}` : 'body';
  return new HttpError(400, 'validation_error', `${field}: ${bad?.detail ?? 'is not UTF-8 text'}`, { field });
}
