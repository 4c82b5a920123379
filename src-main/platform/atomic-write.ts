/** Write a file so that readers see the old content or the new one, never a half-written file. */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/**
 * Writes to a temporary file beside `path`, flushes it to disk, then renames it over `path`
 * (atomic on one file system). On failure (a full disk, say) the temporary file is removed and
 * `path` keeps its old content. `mode` applies to a new file (e.g. 0o600 for secrets).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    unlinkSync(tmp);
    throw e;
  }
  renameSync(tmp, path);
}

/**
 * The same, with the write and its flush on libuv's threads: the event loop goes on while the disk
 * flushes (an fsync took 2-10 ms here, on the thread answering requests, at every manifest change).
 */
export async function writeFileAtomicAsync(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const f = await open(tmp, 'w', mode);
  try {
    await f.writeFile(data);
    await f.sync();
    await f.close();
  } catch (e) {
    await f.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await rename(tmp, path);
}
