export { buildApp } from './app';
export type { AppOptions } from './app';
export { listen, COMPAT_PORTS } from './server';
export type { Listening } from './server';
export { HttpError } from './errors';
