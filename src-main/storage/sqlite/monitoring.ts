/** Drift reports, alerts and retrain decisions: the columns a listing filters on, the record (features, bins) as JSON. */
import type Database from 'better-sqlite3';
import type { Alert, AlertStore, DriftReport, DriftReportStore, RetrainDecision, RetrainDecisionStore } from '../types';

type DB = Database.Database;

export const PUT_REPORT = 'INSERT OR REPLACE INTO drift_reports (id, model, version, at, dataset_drift, record_json) VALUES (?, ?, ?, ?, ?, ?)';
export const reportRow = (r: DriftReport): unknown[] => [r.id, r.model ?? '', r.version ?? '', r.at ?? '', r.datasetDrift ? 1 : 0, JSON.stringify(r)];

export const PUT_ALERT =
  'INSERT OR REPLACE INTO monitoring_alerts (id, at, model, version, kind, report_id, acknowledged, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
export const alertRow = (a: Alert): unknown[] => [
  a.id,
  a.at ?? '',
  a.model ?? '',
  a.version ?? '',
  a.kind ?? '',
  a.reportId ?? '',
  a.acknowledged ? 1 : 0,
  JSON.stringify(a),
];

export class SqliteDriftReports implements DriftReportStore {
  constructor(private readonly db: DB) {}
  async put(report: DriftReport): Promise<void> {
    this.db.prepare(PUT_REPORT).run(...reportRow(report));
  }
  async recent(o: { limit: number; model?: string }): Promise<DriftReport[]> {
    // a model's ids are the range [model:, model:\uffff): the primary key's index serves it
    const rows =
      o.model === undefined
        ? this.db.prepare('SELECT record_json FROM drift_reports ORDER BY id DESC LIMIT ?').pluck().all(o.limit)
        : this.db
            .prepare('SELECT record_json FROM drift_reports WHERE id >= ? AND id < ? AND model = ? ORDER BY id DESC LIMIT ?')
            .pluck()
            .all(`${o.model}:`, `${o.model}:\uffff`, o.model, o.limit);
    return (rows as string[]).map((j) => JSON.parse(j) as DriftReport);
  }
}

export class SqliteAlerts implements AlertStore {
  constructor(private readonly db: DB) {}
  async put(alert: Alert): Promise<void> {
    this.db.prepare(PUT_ALERT).run(...alertRow(alert));
  }
  async get(id: string): Promise<Alert | undefined> {
    const json = this.db.prepare('SELECT record_json FROM monitoring_alerts WHERE id = ?').pluck().get(id) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as Alert);
  }
  async page(o: { limit: number; before?: string }): Promise<Alert[]> {
    const rows =
      o.before === undefined
        ? this.db.prepare('SELECT record_json FROM monitoring_alerts ORDER BY id DESC LIMIT ?').pluck().all(o.limit)
        : this.db.prepare('SELECT record_json FROM monitoring_alerts WHERE id < ? ORDER BY id DESC LIMIT ?').pluck().all(o.before, o.limit);
    return (rows as string[]).map((j) => JSON.parse(j) as Alert);
  }
}

export const PUT_DECISION = 'INSERT OR REPLACE INTO retrain_decisions (id, at, model, trigger, promoted, record_json) VALUES (?, ?, ?, ?, ?, ?)';
export const decisionRow = (d: RetrainDecision): unknown[] => [d.id, d.at ?? '', d.model ?? '', d.trigger ?? '', d.promoted ? 1 : 0, JSON.stringify(d)];

export class SqliteDecisions implements RetrainDecisionStore {
  constructor(private readonly db: DB) {}
  async put(d: RetrainDecision): Promise<void> {
    this.db.prepare(PUT_DECISION).run(...decisionRow(d));
  }
  async page(o: { limit: number; before?: string }): Promise<RetrainDecision[]> {
    const rows =
      o.before === undefined
        ? this.db.prepare('SELECT record_json FROM retrain_decisions ORDER BY id DESC LIMIT ?').pluck().all(o.limit)
        : this.db.prepare('SELECT record_json FROM retrain_decisions WHERE id < ? ORDER BY id DESC LIMIT ?').pluck().all(o.before, o.limit);
    return (rows as string[]).map((j) => JSON.parse(j) as RetrainDecision);
  }
}
