/**
 * Every command of `spamops`: one line per command module. A new command is its module (which
 * names its help group with `.helpGroup(GROUPS.…)`) plus one line here; cli/index.ts finds the
 * commands among these exports and orders them by group.
 */
export * from './backfill';
export * from './bench';
export * from './bootstrap';
export * from './check';
export * from './drift';
export * from './export';
export * from './features';
export * from './import';
export * from './materialize';
export * from './models';
export * from './offline-sources';
export * from './offline';
export * from './registry';
export * from './release-models';
export * from './retrain';
export * from './retrieve';
export * from './runs';
export * from './sample';
export * from './serve';
export * from './simulate';
export * from './sms';
export * from './train';
