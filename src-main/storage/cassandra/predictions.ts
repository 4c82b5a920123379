/** Served predictions kept for monitoring, one partition per model. */
import type { PredictionRecord, PredictionStore } from '../types';
import { type Cql, ms, num, str } from './cql';
import type { Row } from './cql';

/** One partition per model, newest first. Pruning walks each model's partition (bounded by maxRows). */
export class CassandraPredictions implements PredictionStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async appendMany(rows: PredictionRecord[]): Promise<void> {
    await this.cql.many(
      `INSERT INTO ${this.table} (model, at, id, version, endpoint, features, spam, label, caller, sms_id, oov) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      rows.map((r) => [
        r.model,
        new Date(r.at),
        r.id,
        r.version,
        r.endpoint,
        JSON.stringify(r.features),
        r.spam,
        r.label,
        r.caller,
        r.sms_id ?? null,
        r.oov ?? null,
      ]),
    );
  }
  private static row(r: Row): PredictionRecord {
    const smsId = r.get('sms_id') as string | null;
    const oov = r.get('oov') as number | null;
    return {
      id: str(r, 'id'),
      at: ms(r, 'at'),
      model: str(r, 'model'),
      version: str(r, 'version'),
      endpoint: str(r, 'endpoint'),
      features: JSON.parse(str(r, 'features')) as number[],
      spam: Number(r.get('spam')),
      label: str(r, 'label'),
      caller: str(r, 'caller'),
      ...(smsId ? { sms_id: smsId } : {}),
      ...(oov !== null && oov !== undefined ? { oov: Number(oov) } : {}),
    };
  }
  async recent(model: string, sinceMs: number, limit: number, beforeMs = 8.64e15, beforeId?: string): Promise<PredictionRecord[]> {
    const out: PredictionRecord[] = [];
    // with beforeId, the records of beforeMs itself too, from the one after beforeId (the
    // clustering order is at DESC, id DESC)
    const upTo = beforeId === undefined ? '<' : '<=';
    for await (const r of this.cql.paged(`SELECT * FROM ${this.table} WHERE model = ? AND at > ? AND at ${upTo} ?`, [
      model,
      new Date(sinceMs),
      new Date(beforeMs),
    ])) {
      const row = CassandraPredictions.row(r);
      if (beforeId !== undefined && row.at === beforeMs && row.id >= beforeId) continue;
      out.push(row);
      if (out.length >= limit) break;
    }
    return out;
  }
  private async models(): Promise<string[]> {
    const seen = new Set<string>();
    for await (const r of this.cql.paged(`SELECT DISTINCT model FROM ${this.table}`, [])) seen.add(str(r, 'model'));
    return [...seen];
  }
  async count(model?: string): Promise<number> {
    let n = 0;
    for (const m of model ? [model] : await this.models())
      n += num((await this.cql.run(`SELECT COUNT(*) AS n FROM ${this.table} WHERE model = ?`, [m], { readTimeout: 120_000 })).first()!, 'n');
    return n;
  }
  async prune(beforeMs: number, maxRows: number): Promise<number> {
    let n = 0;
    for (const m of await this.models()) {
      await this.cql.run(`DELETE FROM ${this.table} WHERE model = ? AND at < ?`, [m, new Date(beforeMs)]);
      let kept = 0;
      for await (const r of this.cql.paged(`SELECT at, id FROM ${this.table} WHERE model = ?`, [m])) {
        if (++kept > maxRows) {
          await this.cql.run(`DELETE FROM ${this.table} WHERE model = ? AND at = ? AND id = ?`, [m, r.get('at'), str(r, 'id')]);
          n++;
        }
      }
    }
    return n;
  }
}
