/**
 * How deep a JSON body may nest. No route takes more than a few levels (a push's rows of
 * features: 4); a body nested thousands deep is refused before it is parsed, with the limit
 * named, instead of failing inside the parser ("Body is not valid JSON", or a stack overflow
 * in whatever walks it next).
 */
import { HttpError } from './errors';

export const MAX_JSON_DEPTH = 64;

/** a 400 naming the limit when the JSON text nests objects and arrays deeper than `max`; strings are skipped */
export function jsonDepthError(text: string, max = MAX_JSON_DEPTH): HttpError | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max)
        return new HttpError(
          400,
          'validation_error',
          `body: objects and arrays are nested more than ${max} deep (at character ${i + 1}); at most ${max} levels are accepted`,
          { field: 'body' },
        );
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return null;
}
