/**
 * Whether a SQLite file in WAL mode changed since the last look, read from its wal-index header in
 * the `-shm` file (native/wal-watch.c): every commit of every connection, this process's or
 * another's, rewrites those bytes. `PRAGMA data_version` answers the same in about 5 µs, as a read
 * transaction (file locks, a read of the header), which was a tenth of a hot online lookup's time
 * on the serving thread; the mapped header answers in well under a microsecond.
 *
 * The addon never closes the descriptor it maps the header from: SQLite's locks on the `-shm`
 * are POSIX record locks, released for the whole process when any descriptor of the file closes
 * (native/wal-watch.c). One descriptor per watch, for the life of the process.
 *
 * The addon is built by `npm install` (scripts/build-native.mjs); where it is not (no compiler,
 * another runtime's ABI), `openWalWatch` says why and the store asks SQLite as before.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Addon {
  open(shmPath: string): object;
  generation(handle: object): number;
  close(handle: object): void;
}

export function walWatchAddonPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'native', 'build', 'Release', 'spamops_wal_watch.node');
}

let addon: { ok: Addon } | { error: string } | undefined;

function loadAddon(): { ok: Addon } | { error: string } {
  if (addon) return addon;
  const path = walWatchAddonPath();
  if (!existsSync(path)) addon = { error: "not built (npm install builds it where a C compiler and Node's headers are present)" };
  else
    try {
      addon = { ok: createRequire(import.meta.url)(path) as Addon };
    } catch (e) {
      addon = { error: (e as Error).message.split('\n')[0] };
    }
  return addon;
}

/** a mapped wal-index header: `generation()` changes whenever a commit did since the last call */
export interface WalWatch {
  generation(): number;
  /** unmapped: call before the connection that holds the file open closes */
  close(): void;
}

/**
 * The watch of a database file's `-shm`, or why there is none. `dbPath` as SQLite resolved it
 * when it opened the file (`PRAGMA database_list`: absolute, its links resolved), which it names
 * the `-shm` after; not the name it was opened by (a relative one depends on the working directory
 * of the moment). Only while a connection of this process has read the file in WAL mode (its
 * `-shm` exists and is never truncated under it), and closed before that connection is.
 */
export function openWalWatch(dbPath: string): { ok: WalWatch } | { error: string } {
  const a = loadAddon();
  if ('error' in a) return a;
  let handle: object;
  try {
    handle = a.ok.open(`${dbPath}-shm`);
  } catch (e) {
    return { error: (e as Error).message };
  }
  let open = true;
  return {
    ok: {
      generation: () => a.ok.generation(handle),
      close: () => {
        if (open) a.ok.close(handle);
        open = false;
      },
    },
  };
}
