/** Platform pieces every engine may use: atomic files, TimeUUIDs, the install token, TypeScript worker threads, a rate meter, a bounded map and its doorkeeper, deep freezing, CSV records and cells. */
export { writeFileAtomic, writeFileAtomicAsync } from './atomic-write';
export { newTimeUuid, isTimeUuid, timeOfTimeUuid, timeUuidOf, messageTimeProblem, smsIdProblem } from './timeuuid';
export { RateMeter } from './rate-meter';
export { BoundedMap } from './bounded-map';
export { Doorkeeper, hash32 } from './doorkeeper';
export { deepFreeze } from './deep-freeze';
export { ensureInstallToken, INSTALL_TOKEN_FILE } from './install-token';
export { tsxWorker } from './tsx-worker';
export { ThreadCalls, ThreadCallError } from './thread-calls';
export { ArtifactError, sha256File, readArtifact, readJsonArtifact } from './artifact-error';
export { installProcessPolicy, internalErrors, type InternalError } from './process-policy';
export { isDiskFullError, noteDiskFull, diskStatus, LOW_SPACE_BYTES, type DiskStatus } from './disk';
export { InputError } from './input-error';
export { compileUserPattern, type UserPattern } from './user-pattern';
export { tryLockDataDir, isAlive, thisProcess, LOCK_FILE, type DataDirLock, type ProcessId } from './data-dir-lock';
export { CsvRecords, type CsvEvent } from './csv-records';
export { csvCell, type CsvCellOptions } from './csv-cell';
export { strictUtf8, utf8Problem, jsonLoneSurrogatePath } from './unicode-text';
