/**
 * Data dirs written before the typed stores kept runs, model versions, aliases, feedback, import jobs, drift reports, alerts and retrain decisions as
 * JSON in `documents`. On open, their rows move into the typed tables, in one transaction: copied
 * (a row there already is left as it is) and then removed from `documents`, so a second open finds
 * nothing to do. A row that is not valid JSON stays in `documents`, untouched.
 */
import type Database from 'better-sqlite3';
import type { Alert, DriftReport, FeedbackRecord, ImportJob, RetrainDecision, StoredModelVersion } from '../types';
import type { RunRecord } from '../../../src-shared/training';
import { feedbackRow } from './feedback';
import { importRow, PUT_IMPORT } from './imports';
import { alertRow, decisionRow, PUT_ALERT, PUT_DECISION, PUT_REPORT, reportRow } from './monitoring';
import { versionNumber } from './model-versions';

type DB = Database.Database;

/** the collections the old code wrote (training/runs.ts, training/model-registry.ts, monitoring/feedback.ts, monitor.ts and retrain.ts, setup/data-imports.ts) */
export const LEGACY_COLLECTIONS = [
  'training_runs',
  'model_versions',
  'model_aliases',
  'feedback',
  'data_imports',
  'drift_reports',
  'alerts',
  'retraining_decisions',
] as const;

/** aliases set before their history was kept get one move: to where they point, at the time last written */
export const MIGRATED_ALIAS_NOTE = 'set before alias history was kept';

export function migrateLegacyDocuments(db: DB): { moved: number; kept: number } {
  const inList = LEGACY_COLLECTIONS.map(() => '?').join(', ');
  const any = db
    .prepare(`SELECT 1 FROM documents WHERE collection IN (${inList}) LIMIT 1`)
    .pluck()
    .get(...LEGACY_COLLECTIONS);
  if (!any) return { moved: 0, kept: 0 };
  const run = db.transaction(() => {
    const rows = db
      .prepare(`SELECT collection, id, json, updated_at FROM documents WHERE collection IN (${inList}) ORDER BY collection, id`)
      .all(...LEGACY_COLLECTIONS) as {
      collection: (typeof LEGACY_COLLECTIONS)[number];
      id: string;
      json: string;
      updated_at: number;
    }[];
    const drop = db.prepare('DELETE FROM documents WHERE collection = ? AND id = ?');
    let moved = 0;
    let kept = 0;
    for (const r of rows) {
      try {
        copy(db, r);
      } catch {
        // not JSON, or a record that misses a column's value: left where it is (a statement's failure undoes only itself)
        kept++;
        continue;
      }
      drop.run(r.collection, r.id);
      moved++;
    }
    return { moved, kept };
  });
  // IMMEDIATE: two processes opening the same old data dir at once take turns instead of deadlocking
  return run.immediate();
}

function copy(db: DB, r: { collection: (typeof LEGACY_COLLECTIONS)[number]; id: string; json: string; updated_at: number }): void {
  const doc = JSON.parse(r.json) as Record<string, unknown>;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
  if (r.collection === 'training_runs') {
    const run = doc as unknown as RunRecord;
    db.prepare(
      `INSERT OR IGNORE INTO training_runs (id, model, status, created_at, owner_pid, owner_host, record_json, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(run.id ?? r.id, run.model ?? '', run.status ?? '', run.createdAt ?? '', run.owner?.pid ?? null, run.owner?.host ?? null, r.json, r.updated_at);
  } else if (r.collection === 'model_versions') {
    const { aliases: _, ...v } = doc as unknown as StoredModelVersion & { aliases?: unknown };
    db.prepare(
      `INSERT OR IGNORE INTO model_versions (name, version, version_num, base, kind, run_id, created_at, dir, record_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(v.name, v.version, versionNumber(String(v.version)), v.base ?? '', v.kind ?? '', v.runId ?? '', v.createdAt ?? '', v.dir ?? '', JSON.stringify(v));
  } else if (r.collection === 'model_aliases') {
    const a = doc as { name: string; alias: string; version: string };
    const added = db.prepare('INSERT OR IGNORE INTO model_aliases (name, alias, version) VALUES (?, ?, ?)').run(a.name, a.alias, a.version).changes;
    if (added)
      db.prepare('INSERT INTO model_alias_moves (name, alias, at, from_version, to_version, note) VALUES (?, ?, ?, NULL, ?, ?)').run(
        a.name,
        a.alias,
        r.updated_at,
        a.version,
        MIGRATED_ALIAS_NOTE,
      );
  } else if (r.collection === 'drift_reports') {
    db.prepare(PUT_REPORT.replace('INSERT OR REPLACE', 'INSERT OR IGNORE')).run(...reportRow({ ...(doc as unknown as DriftReport), id: r.id }));
  } else if (r.collection === 'alerts') {
    db.prepare(PUT_ALERT.replace('INSERT OR REPLACE', 'INSERT OR IGNORE')).run(...alertRow({ ...(doc as unknown as Alert), id: r.id }));
  } else if (r.collection === 'retraining_decisions') {
    db.prepare(PUT_DECISION.replace('INSERT OR REPLACE', 'INSERT OR IGNORE')).run(...decisionRow({ ...(doc as unknown as RetrainDecision), id: r.id }));
  } else if (r.collection === 'data_imports') {
    // a job there already is left as it is, as every record the move finds in its table
    db.prepare(PUT_IMPORT.replace('INSERT OR REPLACE', 'INSERT OR IGNORE')).run(...importRow(doc as unknown as ImportJob));
  } else {
    const f = { caller: '', ...doc, id: (doc.id as string | undefined) ?? r.id } as FeedbackRecord;
    db.prepare(INSERT_OR_IGNORE_FEEDBACK).run(...feedbackRow(f));
  }
}

const INSERT_OR_IGNORE_FEEDBACK = `INSERT OR IGNORE INTO feedback (id, at, sms_id, true_label, caller, user_id, predicted_label, model_version, architecture, note, source_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
