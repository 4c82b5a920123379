/** Platform pieces every engine may use: atomic files, TimeUUIDs, the install token, TypeScript worker threads. */
export { writeFileAtomic } from './atomic-write';
export { newTimeUuid, isTimeUuid, timeOfTimeUuid } from './timeuuid';
export { ensureInstallToken, INSTALL_TOKEN_FILE } from './install-token';
export { tsxWorker } from './tsx-worker';
