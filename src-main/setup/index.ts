/**
 * The set-up workflows the shells share (CLI, `serve`, the desktop app's engine process, tests):
 * building the offline sources, the seed story's bootstrap, starting the engines of a long-lived
 * process. They sit above the composition root (engines.ts) and use what it composed.
 */
export { buildOfflineSources } from './offline-sources';
export { removeLeftovers } from './leftovers';
export type { OfflineSourcesDeps, SourcesReport } from './offline-sources';
export { bootstrap, queueMissingModels, needsBootstrap } from './bootstrap';
export type { BootstrapOptions } from './bootstrap';
export { startEngines } from './start';
export { releaseModels, releasedModels, registerReleased } from './release';
export type { ReleasedModel, ReleaseInfo, ReleaseOptions } from './release';
export { importBatches, emptyReport } from './warehouse-import';
export type { ImportReport } from './warehouse-import';
export { DataImports, RecordedImport, uciName } from './data-imports';
export type { ImportSource } from './data-imports';
export { checkDataDir } from './check';
export { definitionsInUse } from './registry-uses';
export type { DefinitionInUse } from './registry-uses';
export type { CheckDeps } from './check';
