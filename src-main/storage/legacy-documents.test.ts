/**
 * A data dir written before the typed stores (runs, model versions, aliases, feedback, import jobs, drift reports, alerts and retrain decisions as JSON
 * rows of `documents`) opens with its records in the typed tables, once: the test writes the file
 * with the old code's table and rows, opens it twice, and reads the records back through the
 * stores and the model registry.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openSqliteStorage } from '.';
import { ModelRegistry } from '../training';
import { tempDir } from '../testing/fixtures';

const tmp = tempDir('spamops-legacy-docs-');
afterAll(() => tmp.remove());

/** what the old code created (storage/sqlite/schema.ts before the typed stores): the tables these records used */
const OLD_SCHEMA = `
CREATE TABLE documents (
  collection TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, id)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

const run = (id: string, status: string) => ({
  id,
  model: 'v1',
  base: 'v1',
  status,
  params: { featureService: 'fs', timeFreeze: '2020-01-01', testSize: 0.2, seed: 1 },
  backendRequested: 'auto',
  createdAt: '2024-01-01T00:00:00.000Z',
  history: { epochs: [{ epoch: 1, loss: 0.5 }], batches: [] },
  owner: { pid: 1, host: 'old-host' },
});
const version = (name: string, v: string) => ({
  name,
  base: name,
  version: v,
  runId: `run-${v}`,
  createdAt: '2024-01-01T00:00:00.000Z',
  kind: 'random-forest',
  featureExtractor: 'fx',
  featureService: 'fs',
  inputShape: [5],
  labels: ['ham', 'spam'],
  metrics: { accuracy: 0.9 },
  params: { featureService: 'fs', timeFreeze: '2020-01-01', testSize: 0.2, seed: 1 },
  backend: 'js',
  data: {},
  dir: `${name}/${v}`,
  aliases: [],
});

const IMPORT_JOB = {
  id: 'imp-20240101t000000000z-ab12',
  createdAt: '2024-01-01T00:00:00.000Z',
  finishedAt: '2024-01-01T00:00:05.000Z',
  source: { kind: 'file', name: 'sms.csv', format: 'seed-csv' },
  status: 'succeeded',
  steps: [{ key: 'read', label: 'Rows imported into the warehouse', status: 'done' }],
};

const REPORT = {
  id: 'v1:2024-01-01T00:00:00.000Z',
  at: '2024-01-01T00:00:00.000Z',
  model: 'v1',
  version: '2',
  window: { from: null, to: null, n: 0 },
  referenceRows: 10,
  features: [],
  driftShare: 0,
  datasetDrift: false,
  prediction: { referenceSpamShare: 0.1, currentSpamShare: 0.1, pValue: 1, drifted: false },
};
const ALERT = {
  id: '20240101000000000-abcdef',
  at: '2024-01-01T00:00:00.000Z',
  model: 'v1',
  version: '2',
  kind: 'quality',
  message: 'quality dropped',
  numbers: { accuracy: 0.5 },
  reportId: REPORT.id,
  acknowledged: false,
};

const DECISION = {
  id: '20240101000000000-fedcba',
  at: '2024-01-01T00:00:00.000Z',
  model: 'v1',
  trigger: 'manual',
  metric: 'f1',
  margin: 0.01,
  champion: { version: '1' },
  feedbackLabels: 0,
  promoted: false,
  reason: 'not better',
};

function writeOldDataDir(path: string): void {
  const db = new Database(path);
  db.exec(OLD_SCHEMA);
  const put = db.prepare('INSERT INTO documents (collection, id, json, updated_at) VALUES (?, ?, ?, ?)');
  // as the old training/runs.ts, training/model-registry.ts and monitoring/feedback.ts wrote them
  put.run('training_runs', 'run-20240101-000000-aaaa', JSON.stringify(run('run-20240101-000000-aaaa', 'succeeded')), 1000);
  put.run('training_runs', 'run-20240102-000000-bbbb', JSON.stringify(run('run-20240102-000000-bbbb', 'failed')), 2000);
  put.run('model_versions', 'v1:000001', JSON.stringify(version('v1', '1')), 1100);
  put.run('model_versions', 'v1:000002', JSON.stringify(version('v1', '2')), 1200);
  put.run('model_versions', 'v1:000010', JSON.stringify(version('v1', '10')), 1300);
  put.run('model_aliases', 'v1:production', JSON.stringify({ name: 'v1', alias: 'production', version: '2' }), 1500);
  put.run(
    'feedback',
    '20240101120000000-abcdef',
    JSON.stringify({ id: '20240101120000000-abcdef', at: '2024-01-01T12:00:00.000Z', sms_id: 's1', true_label: 'spam', caller: '127.0.0.1', note: 'n' }),
    1600,
  );
  put.run('data_imports', 'imp-20240101t000000000z-ab12', JSON.stringify(IMPORT_JOB), 1650);
  put.run('drift_reports', REPORT.id, JSON.stringify(REPORT), 1660);
  put.run('alerts', ALERT.id, JSON.stringify(ALERT), 1670);
  put.run('retraining_decisions', DECISION.id, JSON.stringify(DECISION), 1680);
  // not a record: kept where it is, the open still succeeds
  put.run('feedback', 'broken', '{not json', 1700);
  // other collections stay documents
  put.run('settings', 'monitoring', JSON.stringify({ intervalMinutes: 5 }), 1800);
  db.close();
}

describe('a data dir written before the typed stores', () => {
  const path = join(tmp.dir, 'spamops.sqlite');
  writeOldDataDir(path);

  const readAll = async () => {
    const s = openSqliteStorage(path);
    try {
      return {
        runs: await s.runs.list(),
        changed: (await s.runs.changedSince(0)).map((c) => [c.run.id, c.updatedAt]),
        versions: await s.models.list('v1'),
        aliases: await s.models.aliases(),
        history: await s.models.aliasHistory('v1'),
        feedback: await s.feedback.all(),
        left: (await s.documents.list('feedback')).map((d) => d.id),
        imports: await s.imports.page({ limit: 10 }),
        reports: await s.reports.recent({ limit: 10, model: 'v1' }),
        alerts: await s.alerts.page({ limit: 10 }),
        decisions: await s.decisions.page({ limit: 10 }),
        legacyMonitoring: [
          ...(await s.documents.list('drift_reports')),
          ...(await s.documents.list('alerts')),
          ...(await s.documents.list('retraining_decisions')),
        ],
        legacyImports: await s.documents.list('data_imports'),
        settings: await s.documents.get('settings', 'monitoring'),
        legacyRuns: await s.documents.list('training_runs'),
        resolved: await new ModelRegistry(s.models, join(tmp.dir, 'models')).resolve('v1'),
      };
    } finally {
      await s.close();
    }
  };

  it('opens with its runs, versions, aliases and feedback in the typed stores', async () => {
    const got = await readAll();
    expect(got.runs.map((r) => [r.id, r.status])).toEqual([
      ['run-20240101-000000-aaaa', 'succeeded'],
      ['run-20240102-000000-bbbb', 'failed'],
    ]);
    expect(got.runs[0]).toEqual(run('run-20240101-000000-aaaa', 'succeeded'));
    // the time each was last written is kept (runs written by another process are read by it)
    expect(got.changed).toEqual([
      ['run-20240101-000000-aaaa', 1000],
      ['run-20240102-000000-bbbb', 2000],
    ]);
    expect(got.versions.map((v) => v.version)).toEqual(['1', '2', '10']);
    const { aliases: _, ...stored } = version('v1', '10');
    expect(got.versions[2]).toEqual(stored);
    expect(got.aliases).toEqual([{ name: 'v1', alias: 'production', version: '2' }]);
    expect(got.history).toEqual([{ name: 'v1', alias: 'production', at: 1500, to: '2', note: 'set before alias history was kept' }]);
    expect(got.resolved?.version).toBe('2');
    expect(got.resolved?.aliases).toEqual(['production']);
    expect(got.feedback).toEqual([
      { id: '20240101120000000-abcdef', at: '2024-01-01T12:00:00.000Z', sms_id: 's1', true_label: 'spam', caller: '127.0.0.1', note: 'n' },
    ]);
    expect(got.left).toEqual(['broken']);
    expect(got.legacyRuns).toEqual([]);
    expect(got.imports).toEqual([IMPORT_JOB]);
    expect(got.reports).toEqual([REPORT]);
    expect(got.alerts).toEqual([ALERT]);
    expect(got.decisions).toEqual([DECISION]);
    expect(got.legacyMonitoring).toEqual([]);
    expect(got.legacyImports).toEqual([]);
    expect(got.settings).toBe(JSON.stringify({ intervalMinutes: 5 }));
  });

  it('a second open changes nothing (the move happens once)', async () => {
    const first = await readAll();
    const second = await readAll();
    expect(second).toEqual(first);
    expect(second.history).toHaveLength(1);
  });
});
