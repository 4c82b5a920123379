/**
 * Processes that assume they are alone, and what killed ones leave: one server per data dir, a
 * command beside a running server leaves the server's runs alone, a restart cleans up temporary
 * parts and staging folders, the database file is readable by its owner only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEngines } from '../setup';
import { openEngines } from '../engines';
import { tempDir, testConfig } from '../testing/fixtures';
import { LOCK_FILE } from '../platform';
import type { RunRecord } from '../../src-shared/training';

const t = tempDir('spamops-procs-');
afterAll(() => t.remove());
const quiet = { autoBootstrap: false, log: () => undefined };

describe('processes on one data dir', () => {
  it('refuses a second server on the same data dir, naming the first, and takes over a lock left by a dead one', async () => {
    const config = testConfig(join(t.dir, 'a'));
    const first = await startEngines(config, quiet);
    expect(statSync(config.dataDir).mode & 0o777).toBe(0o700); // a new data dir is private
    try {
      await expect(startEngines(testConfig(config.dataDir), quiet)).rejects.toThrow(new RegExp(`another SpamOps server \\(pid ${process.pid} `));
    } finally {
      await first.close();
    }
    expect(existsSync(join(config.dataDir, LOCK_FILE))).toBe(false);
    // kill -9 leaves the file: a pid that no longer runs does not hold the dir
    writeFileSync(join(config.dataDir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname() }));
    const again = await startEngines(testConfig(config.dataDir), quiet);
    await again.close();
  });

  it('a command beside a live server neither fails its running run nor requeues its queued one', async () => {
    const config = testConfig(join(t.dir, 'b'));
    const server = await openEngines(config);
    const runs = server.storage.runs;
    const me = { pid: process.pid, host: (await import('node:os')).hostname() };
    const base = {
      model: 'v1',
      base: 'v1',
      params: { featureService: 'x', timeFreeze: '2020-01-01', testSize: 0.2, seed: 1 },
      backendRequested: 'auto',
      createdAt: new Date().toISOString(),
      history: { epochs: [], batches: [] },
    };
    await runs.put({ ...base, id: 'r-running', status: 'running', owner: me } as RunRecord);
    await runs.put({ ...base, id: 'r-dead', status: 'running', owner: { ...me, pid: 2 ** 22 + 777 } } as RunRecord);
    const guest = await openEngines(config);
    await guest.runs.init({ resume: true });
    expect(guest.runs.get('r-running').status).toBe('running'); // its owner lives
    expect(guest.runs.get('r-dead').status).toBe('failed');
    expect(guest.runs.get('r-dead').error).toMatch(/interrupted/);
    await guest.close();
    await server.close();
  });

  it('removes temporary parts and staging folders that killed processes left, and keeps the database private', async () => {
    const config = testConfig(join(t.dir, 'c'));
    const part = join(config.offlineDir, 'smss2', '.part-123-abcd.parquet.tmp');
    mkdirSync(join(config.offlineDir, 'smss2'), { recursive: true });
    writeFileSync(part, 'half a parquet file');
    // the rows of a push staged as JSON for DuckDB (offline.ts), left by a push killed mid-way
    const rows = join(config.offlineDir, 'smss2', '.part-123-abcd.rows.json.tmp');
    writeFileSync(rows, '{"n":0,"k":"');
    const old = new Date(Date.now() - 3600_000);
    utimesSync(part, old, old);
    utimesSync(rows, old, old);
    const fresh = join(config.offlineDir, 'smss2', '.part-999-beef.parquet.tmp');
    writeFileSync(fresh, 'a push under way in another process');
    mkdirSync(join(config.modelsDir, '.staging', 'run-killed'), { recursive: true });
    // a manifest write cut short by a dead process goes; one of a live process (this one) stays
    const deadWrite = join(config.offlineDir, 'smss2', '_parts.json.3999999.deadbeef.tmp');
    const liveWrite = join(config.offlineDir, 'smss2', `_parts.json.${process.pid}.0badcafe.tmp`);
    writeFileSync(deadWrite, '{"version": 1, "par');
    writeFileSync(liveWrite, '{"version": 1, "par');
    const e = await startEngines(config, quiet);
    await e.close();
    expect(existsSync(part)).toBe(false);
    expect(existsSync(rows)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(deadWrite)).toBe(false);
    expect(existsSync(liveWrite)).toBe(true);
    expect(existsSync(join(config.modelsDir, '.staging', 'run-killed'))).toBe(false);
    expect(statSync(join(config.dataDir, 'spamops.sqlite')).mode & 0o777).toBe(0o600);
  });
});
