/** Served predictions kept for monitoring, pruned by age and count. */
import type Database from 'better-sqlite3';
import type { PredictionRecord, PredictionStore } from '../types';
import type { WriteBehind } from './write-behind';

type DB = Database.Database;

export class SqlitePredictions implements PredictionStore {
  /** `behind`: the thread that appends for this file (write-behind.ts); absent or stopped, this connection does */
  constructor(
    private readonly db: DB,
    private readonly behind?: WriteBehind,
  ) {}
  async appendMany(rows: PredictionRecord[]): Promise<void> {
    if (this.behind?.usable)
      return this.behind.write(
        'predictions',
        // the features as JSON where the recorder has it (a string crosses to the thread as one copy)
        rows.map((r) => [r.id, r.at, r.model, r.version, r.endpoint, r.featuresJson ?? r.features, r.spam, r.label, r.caller, r.sms_id ?? null, r.oov ?? null]),
      );
    const q = this.db.prepare(
      'INSERT OR IGNORE INTO served_predictions (id, at, model, version, endpoint, features, spam, label, caller, sms_id, oov) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of rows)
        q.run(
          r.id,
          r.at,
          r.model,
          r.version,
          r.endpoint,
          r.featuresJson ?? JSON.stringify(r.features),
          r.spam,
          r.label,
          r.caller,
          r.sms_id ?? null,
          r.oov ?? null,
        );
    })();
  }
  async recent(model: string, sinceMs: number, limit: number, beforeMs = Number.MAX_SAFE_INTEGER, beforeId?: string): Promise<PredictionRecord[]> {
    const rows = (
      beforeId === undefined
        ? this.db
            .prepare('SELECT * FROM served_predictions WHERE model = ? AND at > ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?')
            .all(model, sinceMs, beforeMs, limit)
        : this.db
            .prepare('SELECT * FROM served_predictions WHERE model = ? AND at > ? AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?')
            .all(model, sinceMs, beforeMs, beforeMs, beforeId, limit)
    ) as (Omit<PredictionRecord, 'features'> & { features: string; sms_id: string | null; oov: number | null })[];
    return rows.map((r) => ({ ...r, features: JSON.parse(r.features) as number[], sms_id: r.sms_id ?? undefined, oov: r.oov ?? undefined }));
  }
  async count(model?: string): Promise<number> {
    const q = model
      ? this.db.prepare('SELECT COUNT(*) AS n FROM served_predictions WHERE model = ?').get(model)
      : this.db.prepare('SELECT COUNT(*) AS n FROM served_predictions').get();
    return (q as { n: number }).n;
  }
  async prune(beforeMs: number, maxRows: number): Promise<number> {
    if (this.behind?.usable) return this.behind.prunePredictions(beforeMs, maxRows);
    return this.db.transaction(() => {
      let n = this.db.prepare('DELETE FROM served_predictions WHERE at < ?').run(beforeMs).changes;
      const total = (this.db.prepare('SELECT COUNT(*) AS n FROM served_predictions').get() as { n: number }).n;
      if (total > maxRows)
        n += this.db
          .prepare('DELETE FROM served_predictions WHERE id IN (SELECT id FROM served_predictions ORDER BY at ASC LIMIT ?)')
          .run(total - maxRows).changes;
      return n;
    })();
  }
}
