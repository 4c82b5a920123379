/**
 * Keyspaces written before the typed stores kept runs, model versions, aliases, feedback, import jobs, drift reports, alerts and retrain decisions as
 * documents (`spamops_documents`). On open each such document is written to its typed table, then
 * deleted: a second open finds nothing, and one interrupted half-way redoes only what is left
 * (writes are upserts; a feedback statement there already is left as it is). The same steps as
 * SQLite's migration (sqlite/migrate.ts), without its single transaction, which CQL does not have.
 */
import type { RunRecord } from '../../../src-shared/training';
import {
  type Alert,
  type DocumentStore,
  type DriftReport,
  DuplicateKeyError,
  type FeedbackRecord,
  type ImportJob,
  type RetrainDecision,
  type Storage,
  type StoredModelVersion,
} from '../types';

const MIGRATED_ALIAS_NOTE = 'set before alias history was kept';

export async function migrateLegacyDocuments(
  s: Pick<Storage, 'runs' | 'models' | 'feedback' | 'imports' | 'reports' | 'alerts' | 'decisions'>,
  docs: DocumentStore,
): Promise<number> {
  let moved = 0;
  const each = async (collection: string, write: (doc: Record<string, unknown>, id: string, updatedAt: number) => Promise<void>) => {
    for (const d of await docs.changedSince(collection, 0)) {
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(d.json) as Record<string, unknown>;
      } catch {
        continue; // not JSON: left where it is
      }
      await write(doc, d.id, d.updatedAt);
      await docs.delete(collection, d.id);
      moved++;
    }
  };
  await each('training_runs', (doc) => s.runs.put(doc as unknown as RunRecord));
  await each('model_versions', async (doc) => {
    if (!(await s.models.get(String(doc.name), String(doc.version)))) await s.models.put(doc as unknown as StoredModelVersion);
  });
  await each('model_aliases', async (doc, _id, at) => {
    const a = doc as { name: string; alias: string; version: string };
    if ((await s.models.alias(a.name, a.alias)) === undefined) await s.models.moveAlias(a.name, a.alias, a.version, { note: MIGRATED_ALIAS_NOTE, at });
  });
  await each('data_imports', async (doc) => {
    if (!(await s.imports.get(String(doc.id)))) await s.imports.put(doc as unknown as ImportJob);
  });
  // reports and alerts: upserts of the same record, so a move redone half-way writes the same again
  await each('drift_reports', (doc, id) => s.reports.put({ ...(doc as unknown as DriftReport), id }));
  await each('alerts', (doc, id) => s.alerts.put({ ...(doc as unknown as Alert), id }));
  await each('retraining_decisions', (doc, id) => s.decisions.put({ ...(doc as unknown as RetrainDecision), id }));
  await each('feedback', async (doc, id) => {
    try {
      await s.feedback.append({ caller: '', ...doc, id: (doc.id as string | undefined) ?? id } as FeedbackRecord);
    } catch (e) {
      if (!(e instanceof DuplicateKeyError)) throw e;
    }
  });
  return moved;
}
