/**
 * What a start does with the import jobs it finds running: those of a process that is gone were
 * interrupted (marked failed, saying so); another live process's are its own, and so are the
 * uploads while it imports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ImportJob } from '../../src-shared/data';
import type { Engines } from '../engines';
import { testEngines } from '../testing/fixtures';
import { DataImports } from './data-imports';

let engines: Engines;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ engines, cleanup } = await testEngines());
});
afterAll(async () => cleanup?.());

const job = (id: string, pid: number): ImportJob => ({
  id,
  createdAt: new Date().toISOString(),
  source: { kind: 'file', name: `${id}.csv`, format: 'seed-csv' },
  status: 'running',
  steps: [
    { key: 'upload', label: 'File received', status: 'done' },
    { key: 'read', label: 'Rows imported into the warehouse', status: 'pending' },
    { key: 'offline-sources', label: 'Offline sources rebuilt', status: 'pending' },
  ],
  owner: { pid, host: hostname() },
});

describe('import jobs found running at start', () => {
  it("marks a gone process's job interrupted, and leaves a live process's job and uploads alone", async () => {
    // a pid no process holds (the kernel's pid limit is below it)
    await engines.storage.imports.put(job('imp-gone', 2 ** 30));
    await engines.storage.imports.put(job('imp-live', process.pid));
    const uploads = join(engines.config.dataDir, 'imports');
    mkdirSync(uploads, { recursive: true });
    writeFileSync(join(uploads, '1-live.upload'), 'sms_id,text,label\n');

    const recovered = await new DataImports(engines).recover();
    expect(recovered.map((j) => j.id)).toEqual(['imp-gone']);
    const gone = (await engines.storage.imports.get('imp-gone'))!;
    expect(gone).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^interrupted before it started: .*nothing of it was stored: import the file again$/),
    });
    expect(gone.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'skipped']);
    expect((await engines.storage.imports.get('imp-live'))!.status).toBe('running');
    // stopped between its read and the next step: said as such, with what the read stored
    await engines.storage.imports.put({
      ...job('imp-between', 2 ** 30),
      steps: [
        { key: 'upload', label: 'File received', status: 'done' },
        { key: 'read', label: 'Rows imported into the warehouse', status: 'done' },
        { key: 'offline-sources', label: 'Offline sources rebuilt', status: 'pending' },
      ],
      report: { read: 200, inserted: 200, duplicates: 0, duplicateIds: [], problemCount: 0, problems: [], labels: { ham: 200, spam: 0 }, files: {} },
    });
    await new DataImports(engines).recover();
    expect((await engines.storage.imports.get('imp-between'))!.error).toMatch(
      /^interrupted after "Rows imported into the warehouse" \(at least 200 new rows stored of 200 read\): the server stopped/,
    );
    // one the CLI ran (`spamops import`, killed): said so, and its rows brought up to date as the server's own
    await engines.storage.imports.put({
      ...job('imp-cli', 2 ** 30),
      via: 'spamops import',
      steps: [{ key: 'read', label: 'Rows imported into the warehouse', status: 'running' }],
    });
    await new DataImports(engines).recover();
    expect((await engines.storage.imports.get('imp-cli'))!.error).toMatch(/^interrupted during "Rows imported into the warehouse": `spamops import` stopped/);
    expect(existsSync(join(uploads, '1-live.upload'))).toBe(true);
  });
});
