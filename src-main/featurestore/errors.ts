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

/** Input that does not fit the schema; `field` names what is wrong. */
export class FeatureInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FeatureInputError';
  }
}
