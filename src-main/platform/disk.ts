/**
 * A full disk, told apart from other failures: the API answers 507 for it, /health says which
 * folder has how much room left, and the answer never claims a write that did not happen.
 */
import { statfsSync } from 'node:fs';

/** below this much free space the data dir is reported as nearly full */
export const LOW_SPACE_BYTES = 64 * 1024 * 1024;

/** ENOSPC/EDQUOT from the file system, SQLITE_FULL from SQLite (its error text too) */
export function isDiskFullError(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | undefined;
  const code = err?.code ?? '';
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || /database or disk is full|no space left on device/i.test(err?.message ?? '');
}

let lastFull: { at: number; message: string } | undefined;

/** remembers that a write failed for lack of space (shown by /health until space is back) */
export function noteDiskFull(e: unknown): void {
  lastFull = { at: Date.now(), message: (e as Error)?.message ?? String(e) };
}

export interface DiskStatus {
  dir: string;
  freeBytes?: number;
  /** why the data dir's disk is a problem, if it is */
  problem?: string;
}

export function diskStatus(dir: string): DiskStatus {
  let freeBytes: number | undefined;
  try {
    const s = statfsSync(dir);
    freeBytes = s.bavail * s.bsize;
  } catch {
    // statfs unsupported or the dir is gone: judge by write failures only
  }
  const mb = freeBytes === undefined ? undefined : (freeBytes / 1024 / 1024).toFixed(1);
  if (freeBytes !== undefined && freeBytes < LOW_SPACE_BYTES)
    return { dir, freeBytes, problem: `the disk holding ${dir} is nearly full (${mb} MB free): writes may fail; free space there` };
  if (lastFull && (freeBytes === undefined || Date.now() - lastFull.at < 60_000))
    return {
      dir,
      freeBytes,
      problem: `a write failed for lack of space ${Math.round((Date.now() - lastFull.at) / 1000)} s ago (${lastFull.message}); free space on the disk holding ${dir}`,
    };
  return { dir, freeBytes };
}
