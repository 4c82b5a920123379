/** Errors of the feature store that callers turn into 4xx answers or CLI messages. */
export class UnknownNameError extends Error {
  constructor(
    readonly kind: string,
    readonly unknown: string,
    readonly known: string[],
  ) {
    super(`unknown ${kind} "${unknown}"; known: ${known.length ? known.join(', ') : '(none)'}`);
    this.name = 'UnknownNameError';
  }
}

import { InputError } from '../platform';

/** Input that does not fit the schema; `field` names what is wrong. */
export class FeatureInputError extends InputError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = 'FeatureInputError';
  }
}
