/**
 * A damaged database file, told apart from other failures (SQLite's SQLITE_CORRUPT, SQLITE_NOTADB):
 * the request that met it answers 503 saying the file is damaged and what to do, /health says so
 * from then on, and the server keeps serving what does not read the damaged pages. It answered 500
 * `internal_error` while /health said ok (a hostile probe overwrote 50 pages mid-file).
 */

/** SQLite's codes for a file that is not (or no longer) a database it can read */
export function isDatabaseDamaged(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

let damage: { at: number; message: string } | undefined;

/** remembers that a read or write met a damaged file (shown by /health until the process ends) */
export function noteDatabaseDamaged(e: unknown): void {
  damage = { at: Date.now(), message: (e as Error)?.message ?? String(e) };
}

export function databaseDamage(): { at: number; message: string } | undefined {
  return damage;
}

/** what to do about a damaged SQLite file at `path` */
export function damagedRemedy(path: string): string {
  return `stop SpamOps, then restore ${path} from a backup, or recover what it holds: sqlite3 "${path}" ".recover" | sqlite3 recovered.sqlite, and move recovered.sqlite in its place (keep the damaged file until the recovered one serves)`;
}
