/**
 * The typed stores on Cassandra: training runs, model versions with their aliases and every
 * move of an alias, feedback. Small tables, one partition each (the project's), clustered so that
 * a partition reads in the order the contract asks for.
 */
import cassandra from 'cassandra-driver';
import type { RunRecord } from '../../../src-shared/training';
import {
  type Alert,
  type AlertStore,
  type AliasMove,
  AliasMovedError,
  type AliasMoveOptions,
  type DriftReport,
  type DriftReportStore,
  DuplicateKeyError,
  type FeedbackRecord,
  type FeedbackStore,
  type ImportJob,
  type ImportJobStore,
  type ModelAlias,
  type ModelVersionStore,
  type RetrainDecision,
  type RetrainDecisionStore,
  type RunStore,
  type StoredModelVersion,
} from '../types';
import { type Cql, PROJECT, str } from './cql';

const versionNumber = (version: string): number => (/^\d{1,15}$/.test(version) ? Number(version) : 0);
const opt = (r: cassandra.types.Row, c: string): string | undefined => (r.get(c) as string | null) ?? undefined;

export class CassandraRuns implements RunStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async put(run: RunRecord): Promise<void> {
    await this.cql.run(
      `INSERT INTO ${this.table} (project, id, model, status, created_at, owner_pid, owner_host, "record", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [PROJECT, run.id, run.model, run.status, run.createdAt, run.owner?.pid ?? null, run.owner?.host ?? null, JSON.stringify(run), new Date()],
    );
  }
  async get(id: string): Promise<RunRecord | undefined> {
    const r = (await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? AND id = ?`, [PROJECT, id])).first();
    return r ? (JSON.parse(str(r, 'record')) as RunRecord) : undefined;
  }
  async list(): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    for await (const r of this.cql.paged(`SELECT "record" FROM ${this.table} WHERE project = ?`, [PROJECT]))
      out.push(JSON.parse(str(r, 'record')) as RunRecord);
    return out; // clustering order: id ascending
  }
  async changedSince(sinceMs: number): Promise<{ run: RunRecord; updatedAt: number }[]> {
    // updated_at is not a clustering column: the partition is read and filtered here (runs are few)
    const out: { run: RunRecord; updatedAt: number }[] = [];
    for await (const r of this.cql.paged(`SELECT "record", updated_at FROM ${this.table} WHERE project = ?`, [PROJECT])) {
      const at = (r.get('updated_at') as Date | null)?.getTime() ?? 0;
      if (at >= sinceMs) out.push({ run: JSON.parse(str(r, 'record')) as RunRecord, updatedAt: at });
    }
    return out.sort((a, b) => a.updatedAt - b.updatedAt);
  }
  async delete(id: string): Promise<void> {
    await this.cql.run(`DELETE FROM ${this.table} WHERE project = ? AND id = ?`, [PROJECT, id]);
  }
}

export class CassandraModelVersions implements ModelVersionStore {
  constructor(
    private readonly cql: Cql,
    private readonly versions: string,
    private readonly aliasTable: string,
    private readonly moves: string,
  ) {}
  async put(v: StoredModelVersion): Promise<void> {
    const { aliases: _, ...record } = v as StoredModelVersion & { aliases?: unknown };
    await this.cql.run(
      `INSERT INTO ${this.versions} (project, name, version_num, version, base, kind, run_id, created_at, dir, "record") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        PROJECT,
        v.name,
        cassandra.types.Long.fromNumber(versionNumber(v.version)),
        v.version,
        v.base ?? '',
        v.kind ?? '',
        v.runId ?? '',
        v.createdAt ?? '',
        v.dir ?? '',
        JSON.stringify(record),
      ],
    );
  }
  async get(name: string, version: string): Promise<StoredModelVersion | undefined> {
    // a number names the version whatever its leading zeros ('01' is version 1), as the documents' padded keys did
    const r = (
      /^\d{1,15}$/.test(version)
        ? await this.cql.run(`SELECT "record" FROM ${this.versions} WHERE project = ? AND name = ? AND version_num = ? LIMIT 1`, [
            PROJECT,
            name,
            cassandra.types.Long.fromNumber(Number(version)),
          ])
        : await this.cql.run(`SELECT "record" FROM ${this.versions} WHERE project = ? AND name = ? AND version_num = ? AND version = ?`, [
            PROJECT,
            name,
            cassandra.types.Long.fromNumber(0),
            version,
          ])
    ).first();
    return r ? (JSON.parse(str(r, 'record')) as StoredModelVersion) : undefined;
  }
  async list(name?: string): Promise<StoredModelVersion[]> {
    const out: StoredModelVersion[] = [];
    const [q, p] =
      name === undefined
        ? [`SELECT "record" FROM ${this.versions} WHERE project = ?`, [PROJECT]]
        : [`SELECT "record" FROM ${this.versions} WHERE project = ? AND name = ?`, [PROJECT, name]];
    for await (const r of this.cql.paged(q, p)) out.push(JSON.parse(str(r, 'record')) as StoredModelVersion);
    return out; // clustering order: name, version number
  }
  async delete(name: string, version: string): Promise<void> {
    await this.cql.run(`DELETE FROM ${this.versions} WHERE project = ? AND name = ? AND version_num = ? AND version = ?`, [
      PROJECT,
      name,
      cassandra.types.Long.fromNumber(versionNumber(version)),
      version,
    ]);
  }
  async alias(name: string, alias: string): Promise<string | undefined> {
    const r = (await this.cql.run(`SELECT version FROM ${this.aliasTable} WHERE project = ? AND name = ? AND alias = ?`, [PROJECT, name, alias])).first();
    return r ? str(r, 'version') : undefined;
  }
  async aliases(name?: string): Promise<ModelAlias[]> {
    const [q, p] =
      name === undefined
        ? [`SELECT name, alias, version FROM ${this.aliasTable} WHERE project = ?`, [PROJECT]]
        : [`SELECT name, alias, version FROM ${this.aliasTable} WHERE project = ? AND name = ?`, [PROJECT, name]];
    return (await this.cql.run(q, p)).rows.map((r) => ({ name: str(r, 'name'), alias: str(r, 'alias'), version: str(r, 'version') }));
  }
  async moveAlias(name: string, alias: string, to: string | undefined, o: AliasMoveOptions = {}): Promise<AliasMove | undefined> {
    const from = await this.alias(name, alias);
    // checked by this read: two processes moving the same alias at one moment are not kept apart here
    // (the registry keeps one process's moves apart; a lightweight transaction could not cover the move's record too)
    if (o.expect !== undefined && (from ?? null) !== o.expect) throw new AliasMovedError(name, alias, o.expect, from ?? null);
    if (from === undefined && to === undefined) return undefined;
    const at = o.at ?? Date.now();
    // the alias and its move in one logged batch: both land or neither does
    await this.cql.batch([
      to === undefined
        ? { query: `DELETE FROM ${this.aliasTable} WHERE project = ? AND name = ? AND alias = ?`, params: [PROJECT, name, alias] }
        : { query: `INSERT INTO ${this.aliasTable} (project, name, alias, version) VALUES (?, ?, ?, ?)`, params: [PROJECT, name, alias, to] },
      {
        query: `INSERT INTO ${this.moves} (project, name, move_id, alias, at, from_version, to_version, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [PROJECT, name, cassandra.types.TimeUuid.fromDate(new Date(at)), alias, new Date(at), from ?? null, to ?? null, o.note ?? null],
      },
    ]);
    return { name, alias, at, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(o.note !== undefined ? { note: o.note } : {}) };
  }
  async aliasHistory(name: string, alias?: string): Promise<AliasMove[]> {
    const out: AliasMove[] = [];
    for await (const r of this.cql.paged(`SELECT alias, at, from_version, to_version, note FROM ${this.moves} WHERE project = ? AND name = ?`, [
      PROJECT,
      name,
    ])) {
      if (alias !== undefined && str(r, 'alias') !== alias) continue;
      const from = opt(r, 'from_version');
      const to = opt(r, 'to_version');
      const note = opt(r, 'note');
      out.push({
        name,
        alias: str(r, 'alias'),
        at: (r.get('at') as Date).getTime(),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(note !== undefined ? { note } : {}),
      });
    }
    return out; // clustering order: move_id (a TimeUUID) ascending
  }
}

const FEEDBACK_COLUMNS = [
  'id',
  'at',
  'sms_id',
  'true_label',
  'caller',
  'user_id',
  'predicted_label',
  'model_version',
  'architecture',
  'note',
  'source_id',
] as const;

export class CassandraFeedback implements FeedbackStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  private of(r: cassandra.types.Row): FeedbackRecord {
    return Object.fromEntries(FEEDBACK_COLUMNS.map((c) => [c, r.get(c) as string | null]).filter(([, v]) => v !== null)) as unknown as FeedbackRecord;
  }
  async append(f: FeedbackRecord): Promise<void> {
    const v = f as unknown as Record<string, unknown>;
    const rs = await this.cql.run(
      `INSERT INTO ${this.table} (project, ${FEEDBACK_COLUMNS.join(', ')}) VALUES (?, ${FEEDBACK_COLUMNS.map(() => '?').join(', ')}) IF NOT EXISTS`,
      [PROJECT, ...FEEDBACK_COLUMNS.map((c) => v[c] ?? null)],
    );
    if (!rs.wasApplied()) throw new DuplicateKeyError(`feedback ${f.id}`);
  }
  async page(o: { limit: number; before?: string }): Promise<FeedbackRecord[]> {
    const cols = FEEDBACK_COLUMNS.join(', ');
    const rs =
      o.before === undefined
        ? await this.cql.run(`SELECT ${cols} FROM ${this.table} WHERE project = ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.limit])
        : await this.cql.run(`SELECT ${cols} FROM ${this.table} WHERE project = ? AND id < ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.before, o.limit]);
    return rs.rows.map((r) => this.of(r));
  }
  async all(): Promise<FeedbackRecord[]> {
    const out: FeedbackRecord[] = [];
    for await (const r of this.cql.paged(`SELECT ${FEEDBACK_COLUMNS.join(', ')} FROM ${this.table} WHERE project = ?`, [PROJECT])) out.push(this.of(r));
    return out; // clustering order: id ascending
  }
  async count(): Promise<number> {
    const r = (await this.cql.run(`SELECT COUNT(*) AS n FROM ${this.table} WHERE project = ?`, [PROJECT])).first();
    return Number(r?.get('n') ?? 0);
  }
}

export class CassandraImports implements ImportJobStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async put(job: ImportJob): Promise<void> {
    await this.cql.run(
      `INSERT INTO ${this.table} (project, id, created_at, finished_at, source_kind, source_name, status, error, "record") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        PROJECT,
        job.id,
        job.createdAt ?? '',
        job.finishedAt ?? null,
        job.source?.kind ?? '',
        job.source?.name ?? '',
        job.status ?? '',
        job.error ?? null,
        JSON.stringify(job),
      ],
    );
  }
  async get(id: string): Promise<ImportJob | undefined> {
    const r = (await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? AND id = ?`, [PROJECT, id])).first();
    return r ? (JSON.parse(str(r, 'record')) as ImportJob) : undefined;
  }
  async page(o: { limit: number; before?: string }): Promise<ImportJob[]> {
    const rs =
      o.before === undefined
        ? await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.limit])
        : await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? AND id < ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.before, o.limit]);
    return rs.rows.map((r) => JSON.parse(str(r, 'record')) as ImportJob);
  }
}

export class CassandraDriftReports implements DriftReportStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async put(r: DriftReport): Promise<void> {
    await this.cql.run(`INSERT INTO ${this.table} (project, id, model, version, at, dataset_drift, "record") VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      PROJECT,
      r.id,
      r.model ?? '',
      r.version ?? '',
      r.at ?? '',
      !!r.datasetDrift,
      JSON.stringify(r),
    ]);
  }
  async recent(o: { limit: number; model?: string }): Promise<DriftReport[]> {
    // a model's ids are the clustering range [model:, model:\uffff)
    const rs =
      o.model === undefined
        ? await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.limit])
        : await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? AND id >= ? AND id < ? ORDER BY id DESC LIMIT ?`, [
            PROJECT,
            `${o.model}:`,
            `${o.model}:\uffff`,
            o.limit,
          ]);
    return rs.rows.map((r) => JSON.parse(str(r, 'record')) as DriftReport).filter((r) => o.model === undefined || r.model === o.model);
  }
}

export class CassandraAlerts implements AlertStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async put(a: Alert): Promise<void> {
    await this.cql.run(
      `INSERT INTO ${this.table} (project, id, at, model, version, kind, report_id, acknowledged, "record") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [PROJECT, a.id, a.at ?? '', a.model ?? '', a.version ?? '', a.kind ?? '', a.reportId ?? '', !!a.acknowledged, JSON.stringify(a)],
    );
  }
  async get(id: string): Promise<Alert | undefined> {
    const r = (await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? AND id = ?`, [PROJECT, id])).first();
    return r ? (JSON.parse(str(r, 'record')) as Alert) : undefined;
  }
  async page(o: { limit: number; before?: string }): Promise<Alert[]> {
    const rs =
      o.before === undefined
        ? await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.limit])
        : await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? AND id < ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.before, o.limit]);
    return rs.rows.map((r) => JSON.parse(str(r, 'record')) as Alert);
  }
}

export class CassandraDecisions implements RetrainDecisionStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async put(d: RetrainDecision): Promise<void> {
    await this.cql.run(`INSERT INTO ${this.table} (project, id, at, model, trigger, promoted, "record") VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      PROJECT,
      d.id,
      d.at ?? '',
      d.model ?? '',
      d.trigger ?? '',
      !!d.promoted,
      JSON.stringify(d),
    ]);
  }
  async page(o: { limit: number; before?: string }): Promise<RetrainDecision[]> {
    const rs =
      o.before === undefined
        ? await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.limit])
        : await this.cql.run(`SELECT "record" FROM ${this.table} WHERE project = ? AND id < ? ORDER BY id DESC LIMIT ?`, [PROJECT, o.before, o.limit]);
    return rs.rows.map((r) => JSON.parse(str(r, 'record')) as RetrainDecision);
  }
}
