/**
 * A damaged database file (a hostile probe overwrote pages mid-file): the request that reads the
 * damaged pages answers 503 `storage_damaged` and /health says which file and what to do (it was a
 * 500 `internal_error` while /health said ok), `check` finds it (it said "nothing wrong found"),
 * and a file that is no database at all is refused at start naming the file and the remedy (it
 * said only "file is not a database"). Real SQLite files, a real HTTP server.
 */
import { closeSync, existsSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngines } from '../engines';
import { bootstrap, checkDataDir, registerReleased } from '../setup';
import { SAMPLE_DATASET, startTestServer, tempDir, testConfig } from '../testing/fixtures';

const t = tempDir('spamops-damaged-');
afterAll(() => t.remove());

/** garbage over the root page of `table` */
function damageTable(path: string, table: string): void {
  const db = new Database(path);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const root = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(table) as number;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
  closeSync(fd);
}

describe('a damaged database file', () => {
  it('answers 503 storage_damaged where its pages are read, says so in /health and check, and the rest serves', { timeout: 180_000 }, async () => {
    const config = testConfig(t.dir);
    const first = await openEngines(config);
    await bootstrap(first, { datasetPath: SAMPLE_DATASET, log: () => undefined });
    await first.close();
    const path = first.storage.location;
    damageTable(path, 'labelled_sms');

    const engines = await openEngines(testConfig(t.dir));
    const { base, close } = await startTestServer(engines);
    try {
      const summary = await fetch(`${base}/data/summary`);
      expect(summary.status).toBe(503);
      expect(await summary.json()).toMatchObject({
        error: 'storage_damaged',
        detail: expect.stringMatching(/^the database file is damaged \(.*malformed.*\)/),
      });
      const health = (await (await fetch(`${base}/health`)).json()) as {
        status: string;
        problems: { component: string; detail: string; remedy: string; file?: string }[];
      };
      expect(health.status).toBe('degraded');
      const p = health.problems.find((x) => x.component === 'storage');
      expect(p?.file).toBe(path);
      expect(p?.remedy).toMatch(/restore .* from a backup, or recover what it holds: sqlite3 ".*" ".recover"/);
      // what does not read the damaged table still serves
      expect((await fetch(`${base}/sms/max`)).status).toBe(200);
      const check = await checkDataDir(engines);
      expect(check.ok).toBe(false);
      expect(check.counts.database_damaged).toBe(1);
      expect(check.findings[0]).toMatchObject({ kind: 'database_damaged', file: path });
    } finally {
      await close();
      await engines.close();
    }

    // no database at all (its header gone): refused at start, naming the file and the remedy
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(100, 0), 0, 100, 0);
    closeSync(fd);
    await expect(openEngines(testConfig(t.dir))).rejects.toThrow(
      /the SQLite database .*spamops\.sqlite is damaged \(file is not a database\): stop SpamOps, then restore/,
    );
  });
});

describe('a database file gone', () => {
  it('is refused where the data dir shows it recorded versions, and a path in a folder that does not exist is refused', { timeout: 180_000 }, async () => {
    const dir = join(t.dir, 'gone');
    const config = testConfig(dir);
    const first = await openEngines(config);
    await registerReleased(first, { tokenizer: true, log: () => undefined });
    await first.close();
    renameSync(first.storage.location, `${first.storage.location}.moved`);
    // it started an empty install beside the versions: every model listed with none, /health ok
    await expect(openEngines(testConfig(dir))).rejects.toThrow(
      /the SQLite database .*spamops\.sqlite is missing, but .*models holds versions of v1, v2, v3 it recorded: restore the database file/,
    );
    expect(existsSync(first.storage.location)).toBe(false);
    const typo = testConfig(dir, {});
    const elsewhere = join(t.dir, 'no-such-folder', 'x.sqlite');
    await expect(openEngines({ ...typo, storage: { backend: 'sqlite', path: elsewhere } })).rejects.toThrow(/is in a folder that does not exist/);
    expect(existsSync(join(t.dir, 'no-such-folder'))).toBe(false);
  });
});
