/** Input that does not fit what was expected: `field` names it; the API answers 400, the CLI prints it. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}
