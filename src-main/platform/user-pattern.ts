/**
 * Regular expressions written by users (which entity ids to train on, which messages to replay)
 * run on RE2's linear-time engine (re2js): a pattern such as `^(a+)+$` cannot spin a core, as it
 * would on JavaScript's backtracking engine. RE2 has no backreferences or lookaround; such a
 * pattern is refused by name.
 */
import { RE2JS } from 're2js';
import { InputError } from './input-error';

export interface UserPattern {
  readonly source: string;
  test(s: string): boolean;
}

export function compileUserPattern(source: string, field: string): UserPattern {
  let re: ReturnType<typeof RE2JS.compile>;
  try {
    re = RE2JS.compile(source);
  } catch (e) {
    throw new InputError(field, `${field}: not a regular expression RE2 accepts (${(e as Error).message}); backreferences and lookaround are not supported`);
  }
  return { source, test: (s) => re.matcher(s).find() };
}
