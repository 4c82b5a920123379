/**
 * Imports made by the CLI (`spamops bootstrap`, `spamops import`) are import jobs: a version
 * trained after them names them in its lineage, and the Data pane lists them. They were not: a
 * version trained on rows the CLI imported named no import at all. Child processes, then the data
 * dir's real SQLite file read back through the engines.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngines } from '../engines';
import { SAMPLE_DATASET, tempDir, testConfig } from '../testing/fixtures';
import { spamopsBatch } from '../testing/cli';

const t = tempDir('spamops-cli-import-lineage-');
afterAll(() => t.remove());

describe('imports by the CLI in lineage', () => {
  it('records bootstrap and spamops import (a failed one too) as import jobs that a later version names', { timeout: 600_000 }, async () => {
    const csv = join(t.dir, 'more.csv');
    writeFileSync(csv, 'sms_id,text,label\ncli001,a new message from the command line,ham\ncli002,WIN a prize now call 0900,spam\nbad line\n');
    const utf16 = join(t.dir, 'wide.csv');
    writeFileSync(utf16, Buffer.from('\ufeffsms_id,text,label\n', 'utf16le'));
    const data = join(t.dir, 'data');
    const [boot, imported, refused, again, trained] = spamopsBatch(
      [
        ['bootstrap', '--models', 'v1', '--dataset', SAMPLE_DATASET],
        ['import', csv],
        ['import', utf16],
        ['import', csv],
        ['train', 'v1', '--param', 'nEstimators=7'],
      ].map((args) => ({
        args,
        dataDir: data,
      })),
    );
    expect(boot.code, boot.err).toBe(0);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.err).toMatch(/recorded as import imp-[0-9a-z-]+/);
    expect(refused.code).not.toBe(0);
    expect(again.code, again.err).toBe(0);
    expect(trained.code, trained.err).toBe(0);
    expect(trained.out).toMatch(/v1 version 2 /);

    const engines = await openEngines(testConfig(data));
    try {
      const jobs = await engines.storage.imports.page({ limit: 50 });
      // newest first: the second import (nothing new), the refused file, the import, bootstrap's
      expect(jobs.map((j) => [j.source.name, j.status, j.report?.inserted ?? null])).toEqual([
        ['more.csv', 'succeeded', 0],
        ['wide.csv', 'failed', null],
        ['more.csv', 'succeeded', 2],
        ['sample_dataset.csv', 'succeeded', expect.any(Number)],
      ]);
      const [, failed, cli, boot] = jobs;
      expect(boot.report?.inserted).toBeGreaterThan(100);
      expect(cli.source.format).toBe('seed-csv');
      expect(cli.report?.problemCount).toBe(1);
      expect(cli.steps.map((s) => [s.key, s.status])).toEqual([
        ['upload', 'done'],
        ['read', 'done'],
        ['offline-sources', 'skipped'],
        ['apply', 'skipped'],
        ['materialize', 'skipped'],
      ]);
      expect(cli.steps[2].detail).toMatch(/not run by `spamops import`/);
      expect(failed.error).toMatch(/UTF-16/);
      expect(failed.finishedAt).toBeDefined();
      // each message's origin names its file, not the machine's path to it (the console shows it)
      const [mine, seeded] = await engines.storage.labelled.get(['cli001', 'sms90001']);
      expect([mine?.origin, seeded?.origin]).toEqual(['more.csv (seed-csv)', 'sample_dataset.csv (seed-csv)']);

      // the version trained after them names the imports before it, not the one that failed having stored nothing
      const versions = await engines.storage.models.list('v1');
      const newest = versions.sort((a, b) => Number(b.version) - Number(a.version))[0];
      const named = newest.lineage?.imports.map((i) => [i.source, i.inserted, i.status]);
      expect(named).toEqual([
        ['more.csv', 0, 'succeeded'],
        ['more.csv', 2, 'succeeded'],
        ['sample_dataset.csv', boot.report?.inserted, 'succeeded'],
      ]);
    } finally {
      await engines.close();
    }
  });
});
