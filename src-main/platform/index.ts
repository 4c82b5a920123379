/** Platform pieces every engine may use: atomic files, TimeUUIDs, the install token, TypeScript worker threads, a rate meter. */
export { writeFileAtomic } from './atomic-write';
export { newTimeUuid, isTimeUuid, timeOfTimeUuid, timeUuidOf } from './timeuuid';
export { RateMeter } from './rate-meter';
export { ensureInstallToken, INSTALL_TOKEN_FILE } from './install-token';
export { tsxWorker } from './tsx-worker';
