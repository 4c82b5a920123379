/**
 * The feature store: registry + offline store (Parquet) + online store (the storage layer),
 * with Feast's operations: apply/plan, historical retrieval, materialize, push and online reads.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ROWS_PER_TURN } from '../platform';
import type {
  FeatureServiceDef,
  FeatureStatus,
  FeatureValue,
  FeatureViewDef,
  FeatureServiceStatistics,
  FeatureViewStatistics,
  FieldDef,
  FileSourceDef,
  GetOnlineFeaturesRequest,
  GetOnlineFeaturesResponse,
  MaterializationRecord,
  MaterializeResponse,
  PushTarget,
  RegistryDefinitions,
} from '../../src-shared/featurestore';
import { keptTexts, rowsUntil, type OnlineRow, type OnlineStore, type RegistryStore } from '../storage';
import { FeatureRegistry } from './registry';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { rowsStatistics, viewStatistics } from './statistics';
import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { COMPACT_AFTER_PARTS, OfflineStore, asSourceError, sourceRelation, type OfflineRow, type SourceParts } from './offline';
import type { PartMark } from './parts';
import { DEFAULT_OFFLINE_MEMORY, DuckEngine, duckdbApi, releaseConnection, sqlIdent, sqlString, type OfflineEngineSettings } from './duckdb';
import {
  chunksOf,
  columnReaders,
  count,
  keepsOrder,
  latestPerEntitySql,
  loadEntities,
  newestRowsSql,
  pointInTimeSql,
  type ColumnReader,
  type EntitySpec,
  type ViewJoin,
} from './retrieval';
import { FeatureInputError, UnknownNameError } from './errors';
import { describe, isoMicros, isoUtc, parseTimestamp } from './timestamps';
import { answerWithUntil, resultWithTexts, type ValueTexts } from './online-answer';

export interface FeatureRef {
  view: FeatureViewDef;
  field: FieldDef;
}

export interface HistoricalResult {
  /** column names in order: join key, event_timestamp, then the features */
  columns: string[];
  rows: Record<string, FeatureValue>[];
}

export type Progress = (p: { view: string; done: number; total: number }) => void;

/** a chunk of a streamed historical retrieval: `read[c](i)` is column c of row i */
export interface HistoricalChunk {
  columns: string[];
  rows: number;
  read: ColumnReader[];
}

export type ExportFormat = 'parquet' | 'csv';

/** an online lookup's references and answer header, resolved once per registry snapshot (getOnlineFeatures) */
interface LookupPlan {
  refs: FeatureRef[];
  joinKey: string;
  viewNames: string[];
  /** shared by every answer of the plan: never changed */
  featureNames: readonly string[];
}
/** distinct lookups resolved per snapshot, at most (a caller may ask many lists of references) */
const MAX_LOOKUP_PLANS = 256;

const EPOCH = '1970-01-01T00:00:00Z';
/** online rows written per transaction by materialize */
const ONLINE_BATCH = 5_000;

/** What the feature store keeps in the storage layer: the online rows and the registry. */
export interface FeatureStoreStorage {
  online: OnlineStore;
  registry: RegistryStore;
}

/** what the offline browser asks of a source (validated by the caller; column names are checked here) */
export interface BrowseQuery {
  limit: number;
  offset: number;
  sort?: string;
  order?: 'asc' | 'desc';
  prefix?: string;
  label?: string;
  fromMs?: number;
  toMs?: number;
  columns?: string[];
}

/** how far ahead of this machine's clock a pushed row's event time may be (clocks differ; the inbox allows as much) */
const MAX_EVENT_AHEAD_MS = 24 * 3_600_000;

export class FeatureStore {
  readonly registry: FeatureRegistry;
  readonly offline: OfflineStore;
  private readonly storage: FeatureStoreStorage;

  constructor(storage: FeatureStoreStorage, offlineDir: string, engine: Partial<OfflineEngineSettings> = {}) {
    this.storage = storage;
    this.registry = new FeatureRegistry(storage.registry);
    const settings: OfflineEngineSettings = {
      memoryLimit: engine.memoryLimit ?? DEFAULT_OFFLINE_MEMORY,
      threads: engine.threads ?? 2,
      spillDir: engine.spillDir ?? join(offlineDir, '.duckdb-tmp'),
    };
    this.offline = new OfflineStore(offlineDir, new DuckEngine(settings));
  }

  /** loads the offline store's engine module now: the first push would pay for it (about 0.15 s of the serving thread) */
  async warm(): Promise<void> {
    await duckdbApi().catch(() => undefined); // cannot load: the first push says why
  }

  /** closes the offline store's engine (its spill files go with it) */
  close(): void {
    this.offline.engine.close();
  }

  /* ---------------- definitions ---------------- */

  async apply(defs: RegistryDefinitions, stage: string) {
    const result = await this.registry.apply(defs, stage);
    for (const v of defs.featureViews) if (v.online) await this.storage.online.ensureView(v.name, { ttlSeconds: v.ttlSeconds });
    for (const e of result.diff.entries) if (e.kind === 'feature_view' && e.change === 'removed') await this.storage.online.dropView(e.name);
    return result;
  }

  async view(name: string): Promise<FeatureViewDef> {
    const d = await this.registry.definitions();
    const v = d.featureViews.find((x) => x.name === name);
    if (!v)
      throw new UnknownNameError(
        'feature view',
        name,
        d.featureViews.map((x) => x.name),
      );
    return v;
  }

  async service(name: string): Promise<FeatureServiceDef> {
    const d = await this.registry.definitions();
    const s = d.featureServices.find((x) => x.name === name);
    if (!s)
      throw new UnknownNameError(
        'feature service',
        name,
        d.featureServices.map((x) => x.name),
      );
    return s;
  }

  /** the file source behind a view, following a push source to its batch source */
  async fileSourceOf(view: FeatureViewDef): Promise<FileSourceDef> {
    const d = await this.registry.definitions();
    const src = d.sources.find((s) => s.name === view.source);
    const file = src?.kind === 'push' ? d.sources.find((s) => s.name === src.batchSource) : src;
    if (file?.kind !== 'file')
      throw new UnknownNameError(
        'data source',
        view.source,
        d.sources.map((s) => s.name),
      );
    return file;
  }

  async fileSource(name: string): Promise<FileSourceDef> {
    const d = await this.registry.definitions();
    const s = d.sources.find((x) => x.name === name);
    if (s?.kind !== 'file')
      throw new UnknownNameError(
        'file source',
        name,
        d.sources.filter((x) => x.kind === 'file').map((x) => x.name),
      );
    return s;
  }

  /** the columns a file source holds: the union of the fields of the views reading it */
  async sourceFields(source: FileSourceDef): Promise<FieldDef[]> {
    return fieldsOfSource(await this.registry.definitions(), source.name);
  }

  async joinKey(view: FeatureViewDef): Promise<string> {
    const d = await this.registry.definitions();
    const entity = d.entities.find((e) => e.name === view.entities[0]);
    return entity?.joinKeys[0] ?? 'sms_id';
  }

  private async viewParts(view: FeatureViewDef): Promise<SourceParts> {
    const source = await this.fileSourceOf(view);
    return this.offline.parts(source, await this.joinKey(view), await this.sourceFields(source));
  }

  /** Feature references (`view:feature`) or a feature service, resolved against the registry. */
  async resolveRefs(req: { features?: string[]; feature_service?: string }): Promise<FeatureRef[]> {
    if (req.feature_service !== undefined && req.features !== undefined)
      throw new FeatureInputError('features', 'give either "features" or "feature_service", not both');
    const refs: FeatureRef[] = [];
    if (req.feature_service !== undefined) {
      const svc = await this.service(req.feature_service);
      for (const p of svc.features) {
        const view = await this.view(p.view);
        for (const field of view.schema) if (!p.features || p.features.includes(field.name)) refs.push({ view, field });
      }
      return refs;
    }
    if (!req.features || req.features.length === 0) throw new FeatureInputError('features', 'give "features" (a list of "view:feature") or "feature_service"');
    for (const ref of req.features) {
      const i = ref.indexOf(':');
      if (i <= 0 || i === ref.length - 1) throw new FeatureInputError('features', `features: "${ref}" is not of the form "view:feature"`);
      const view = await this.view(ref.slice(0, i));
      const name = ref.slice(i + 1);
      const field = view.schema.find((f) => f.name === name);
      if (!field)
        throw new UnknownNameError(
          `feature of view ${view.name}`,
          name,
          view.schema.map((f) => f.name),
        );
      refs.push({ view, field });
    }
    return refs;
  }

  private static columnName(ref: FeatureRef, full: boolean): string {
    return full ? `${ref.view.name}__${ref.field.name}` : ref.field.name;
  }

  private static checkNames(refs: FeatureRef[], full: boolean): void {
    const seen = new Map<string, FeatureRef>();
    for (const r of refs) {
      const n = FeatureStore.columnName(r, full);
      const before = seen.get(n);
      if (before?.view.name === r.view.name)
        throw new FeatureInputError('features', `features: "${r.view.name}:${r.field.name}" is asked for twice; ask for each feature once`);
      if (before) throw new FeatureInputError('full_feature_names', `feature name "${n}" appears in two views: set full_feature_names`);
      seen.set(n, r);
    }
  }

  /* ---------------- offline: historical retrieval ---------------- */

  /** the views of a retrieval, each with its source's current parts and the columns asked of it */
  private async joinsOf(refs: FeatureRef[], fullFeatureNames: boolean): Promise<{ joins: ViewJoin[]; joinKey: string }> {
    FeatureStore.checkNames(refs, fullFeatureNames);
    const joins: ViewJoin[] = [];
    for (const r of refs) {
      let j = joins.find((x) => x.view.name === r.view.name);
      if (!j) {
        j = { view: r.view, parts: await this.viewParts(r.view), columns: [] };
        joins.push(j);
      }
      j.columns.push({ field: r.field, name: FeatureStore.columnName(r, fullFeatureNames) });
    }
    return { joins, joinKey: refs.length ? await this.joinKey(refs[0].view) : 'sms_id' };
  }

  /**
   * Point-in-time correct training data, streamed: for each entity row, the feature values as they
   * were known at the row's time, in chunks (columns: join key, event_timestamp in epoch ms, then
   * the features; rows in the order of the entity rows; for `all` in no set order).
   */
  async *historicalChunks(
    entities: EntitySpec,
    refs: FeatureRef[],
    o: { fullFeatureNames?: boolean; onEntities?: (n: number) => void } = {},
  ): AsyncGenerator<HistoricalChunk> {
    const { joins, joinKey } = await this.joinsOf(refs, o.fullFeatureNames ?? false);
    const sources = joins.map((j) => j.parts);
    const c = await this.offline.engine.connection();
    try {
      const n = await loadEntities(c, entities, joins, joinKey).catch((e) => {
        throw asSourceError(e, sources);
      });
      o.onEntities?.(n);
      const sql = pointInTimeSql(joins, joinKey, { jsTypes: true });
      const orderBy = keepsOrder(entities) ? ' ORDER BY idx' : '';
      const result = await c.stream(`SELECT * EXCLUDE (idx, ts), (ts / 1000)::DOUBLE AS event_timestamp FROM (${sql})${orderBy}`).catch((e) => {
        throw asSourceError(e, sources);
      });
      const names = [joinKey, ...joins.flatMap((j) => j.columns.map((x) => x.name)), 'event_timestamp'];
      // the query puts event_timestamp last: readers are reordered to key, event_timestamp, features
      const order = [0, names.length - 1, ...names.slice(1, -1).map((_, i) => i + 1)];
      const columns = order.map((i) => names[i]);
      for await (const chunk of chunksOf(result, sources)) {
        const all = columnReaders(chunk);
        yield { columns, rows: chunk.rowCount, read: order.map((i) => all[i]) };
      }
    } finally {
      // a reader that stops early (a client gone) must not leave the stream's state pinned
      await releaseConnection(c);
    }
  }

  /** Point-in-time correct rows, whole (for small requests; see historicalChunks for large ones). */
  async getHistoricalFeatures(entityRows: { keys: string[]; timestamps: number[] }, refs: FeatureRef[], fullFeatureNames = false): Promise<HistoricalResult> {
    if (entityRows.keys.length !== entityRows.timestamps.length) throw new FeatureInputError('entity_df', 'entity keys and timestamps differ in length');
    const rows: Record<string, FeatureValue>[] = [];
    let columns: string[] = [];
    for await (const chunk of this.historicalChunks({ kind: 'rows', ...entityRows }, refs, { fullFeatureNames })) {
      columns = chunk.columns;
      for (let i = 0; i < chunk.rows; i++) {
        const row: Record<string, FeatureValue> = {};
        for (let c = 0; c < columns.length; c++) row[columns[c]] = chunk.read[c](i);
        row.event_timestamp = isoUtc(row.event_timestamp as number);
        rows.push(row);
      }
    }
    if (!columns.length)
      columns = [
        refs.length ? await this.joinKey(refs[0].view) : 'sms_id',
        'event_timestamp',
        ...refs.map((r) => FeatureStore.columnName(r, fullFeatureNames)),
      ];
    return { columns, rows };
  }

  /**
   * Historical retrieval straight to a file (Feast's `get_historical_features(...).to_df()`, to
   * disk): DuckDB writes it as it joins, so neither the entities nor the result need fit in memory.
   */
  async exportHistorical(
    entities: EntitySpec,
    refs: FeatureRef[],
    out: { file: string; format: ExportFormat },
    o: { fullFeatureNames?: boolean; onProgress?: (percent: number) => void } = {},
  ): Promise<{ rows: number; columns: string[] }> {
    const { joins, joinKey } = await this.joinsOf(refs, o.fullFeatureNames ?? false);
    const sources = joins.map((j) => j.parts);
    return this.offline.engine.with(async (c) => {
      try {
        const n = await loadEntities(c, entities, joins, joinKey);
        const sql = pointInTimeSql(joins, joinKey, { jsTypes: false });
        const columns = [joinKey, 'event_timestamp', ...joins.flatMap((j) => j.columns.map((x) => x.name))];
        const order = keepsOrder(entities) ? ' ORDER BY idx' : '';
        const select = `SELECT * EXCLUDE (idx, ts) REPLACE (make_timestamp(ts) AS event_timestamp) FROM (SELECT *, NULL AS event_timestamp FROM (${sql}))${order}`;
        const opts = out.format === 'parquet' ? '(FORMAT parquet)' : '(FORMAT csv, HEADER true)';
        const timer = o.onProgress ? setInterval(() => o.onProgress?.(Math.max(0, c.progress.percentage)), 500) : undefined;
        try {
          await c.run(`COPY (SELECT ${columns.map((x) => `"${x.replace(/"/g, '""')}"`).join(', ')} FROM (${select})) TO ${sqlString(out.file)} ${opts}`);
        } finally {
          if (timer) clearInterval(timer);
        }
        return { rows: n, columns };
      } catch (e) {
        throw asSourceError(e, sources);
      }
    });
  }

  /** the newest rows of a source, for previews */
  async previewSource(sourceName: string, limit: number): Promise<{ rows: OfflineRow[]; total: number; parts: number }> {
    const source = await this.fileSource(sourceName);
    const d = await this.registry.definitions();
    const view = d.featureViews.find(
      (v) => v.source === source.name || d.sources.some((s) => s.kind === 'push' && s.name === v.source && s.batchSource === source.name),
    );
    const fields = await this.sourceFields(source);
    const parts = await this.offline.parts(source, view ? await this.joinKey(view) : 'sms_id', fields);
    return this.offline.engine.with(async (c) => {
      try {
        const total = await count(c, `${sourceRelation(parts, { ordinals: false })} WHERE k IS NOT NULL`);
        const rows: OfflineRow[] = [];
        const result = await c.stream(newestRowsSql(parts, limit));
        for await (const chunk of chunksOf(result, [parts])) {
          const read = columnReaders(chunk);
          for (let i = 0; i < chunk.rowCount; i++) {
            const values: Record<string, FeatureValue> = {};
            fields.forEach((f, j) => {
              values[f.name] = read[3 + j](i);
            });
            rows.push({ entityKey: read[0](i) as string, eventTs: read[1](i) as number, createdTs: read[2](i) as number, values });
          }
        }
        return { rows, total, parts: parts.parts.length };
      } catch (e) {
        throw asSourceError(e, [parts]);
      }
    });
  }

  private readonly statsCache = new Map<string, { state: string; stats: Promise<FeatureViewStatistics> }>();

  /**
   * The statistics of a view's features over its offline source (every row of every part),
   * computed by DuckDB and kept until the source's parts or the view's materialization change
   * (or `refresh`). Concurrent calls for the same state share one computation.
   */
  async statistics(viewName: string, o: { refresh?: boolean } = {}): Promise<FeatureViewStatistics> {
    const view = await this.view(viewName);
    const parts = await this.viewParts(view);
    const fields = view.schema;
    const state = createHash('sha256')
      .update(JSON.stringify([parts.parts.map((x) => x.path), (await this.materializedUntil(view.name)) ?? null, fields]))
      .digest('hex')
      .slice(0, 16);
    const hit = this.statsCache.get(view.name);
    if (hit && hit.state === state && !o.refresh) return { ...(await hit.stats), cached: true };
    const stats = this.offline.engine.with(async (c) => {
      try {
        const rel = `(SELECT * FROM ${sourceRelation({ ...parts, fields }, { ordinals: false })} WHERE k IS NOT NULL)`;
        // each query reads only the columns it names from the Parquet parts (no copy of the rows:
        // a temp table of 10M token lists would spill gigabytes)
        return await viewStatistics(c, rel, {
          view: view.name,
          source: parts.source.name,
          joinKey: parts.key,
          fields,
          parts: parts.parts.length,
          stateKey: state,
        });
      } catch (e) {
        throw asSourceError(e, [parts]);
      }
    });
    this.statsCache.set(view.name, { state, stats });
    stats.catch(() => {
      if (this.statsCache.get(view.name)?.stats === stats) this.statsCache.delete(view.name);
    });
    return stats;
  }

  /**
   * The statistics of a feature service's training set at `atMs`: the point-in-time join of every
   * key its views' sources hold (as `retrieve --entities all --at`), written by DuckDB to a temporary
   * table (it spills past the memory limit), then the same statistics as a view's over its rows.
   */
  async serviceStatistics(name: string, atMs: number): Promise<FeatureServiceStatistics> {
    const refs = await this.resolveRefs({ feature_service: name });
    const { joins, joinKey } = await this.joinsOf(refs, false);
    const sources = joins.map((j) => j.parts);
    return this.offline.engine.with(async (c) => {
      try {
        await loadEntities(c, { kind: 'all', at: atMs }, joins, joinKey);
        const features = joins.flatMap((j) => j.columns.map((x) => sqlIdent(x.name)));
        await c.run(
          `CREATE TEMP TABLE training_set AS SELECT ${sqlIdent(joinKey)} AS k, ts AS ev${features.map((f) => `, ${f}`).join('')} FROM (${pointInTimeSql(joins, joinKey, { jsTypes: false })})`,
        );
        const r = await rowsStatistics(
          c,
          'training_set',
          refs.map((x) => x.field),
        );
        return {
          service: name,
          at: isoMicros(atMs),
          join_key: joinKey,
          views: joins.map((j) => j.view.name),
          rows: r.rows,
          entities: r.entities,
          computed_at: new Date().toISOString(),
          features: r.features,
        };
      } catch (e) {
        throw asSourceError(e, sources);
      }
    });
  }

  /**
   * A page of a file source's rows, sorted and filtered (the offline browser). Every column name is
   * checked against the source's columns before it reaches SQL; every value is a SQL literal.
   */
  async browseSource(sourceName: string, q: BrowseQuery): Promise<{ rows: OfflineRow[]; total: number; matched: number; parts: number; columns: string[] }> {
    const source = await this.fileSource(sourceName);
    const d = await this.registry.definitions();
    const view = d.featureViews.find(
      (v) => v.source === source.name || d.sources.some((s) => s.kind === 'push' && s.name === v.source && s.batchSource === source.name),
    );
    const all = await this.sourceFields(source);
    const names = all.map((f) => f.name);
    const known = ['entity_key', 'event_timestamp', 'created_timestamp', ...names];
    const pick = q.columns ?? names;
    for (const c of pick)
      if (!names.includes(c)) throw new FeatureInputError('columns', `columns: unknown column "${c}" of source ${source.name}; known: ${names.join(', ')}`);
    const sort = q.sort ?? 'event_timestamp';
    if (!known.includes(sort)) throw new FeatureInputError('sort', `sort: unknown column "${sort}" of source ${source.name}; known: ${known.join(', ')}`);
    if (q.label !== undefined && !names.includes('label'))
      throw new FeatureInputError('label', `label: source ${source.name} has no label column (sources with one: those of the labels views)`);
    const fields = all.filter((f) => pick.includes(f.name));
    const parts = await this.offline.parts(source, view ? await this.joinKey(view) : 'sms_id', all);
    const where = ['k IS NOT NULL'];
    if (q.prefix) where.push(`starts_with(k, ${sqlString(q.prefix)})`);
    if (q.label !== undefined) where.push(`"label" = ${sqlString(q.label)}`);
    if (q.fromMs !== undefined) where.push(`ev >= ${Math.floor(q.fromMs * 1000)}`);
    if (q.toMs !== undefined) where.push(`ev < ${Math.floor(q.toMs * 1000)}`);
    const dir = q.order === 'asc' ? 'ASC' : 'DESC';
    const sortExpr = sort === 'entity_key' ? 'k' : sort === 'event_timestamp' ? 'o.ev' : sort === 'created_timestamp' ? 'o.cr' : sqlIdent(sort);
    const sortField = all.find((f) => f.name === sort);
    // unsorted: the preview's order of old (newest first); sorted: ties broken by key and write order, so pages never overlap
    const orderBy =
      q.sort === undefined && q.order === undefined
        ? 'o.ev DESC, o.cr DESC, k, o.p DESC, o.r DESC'
        : `${sortField?.dtype === 'Array(Int64)' ? `len(${sortExpr})` : sortExpr} ${dir} NULLS LAST, k ${dir}, o.ev ${dir}, o.cr ${dir}, o.p ${dir}, o.r ${dir}`;
    const cols = [
      'k',
      '(o.ev / 1000)::DOUBLE AS ev',
      '(o.cr / 1000)::DOUBLE AS cr',
      ...fields.map((f) => `${sqlIdent(f.name)}${f.dtype === 'String' ? '' : f.dtype === 'Array(Int64)' ? '::DOUBLE[]' : '::DOUBLE'} AS ${sqlIdent(f.name)}`),
    ];
    const rel = `${sourceRelation(parts, { ordinals: true })} WHERE ${where.join(' AND ')}`;
    return this.offline.engine.with(async (c) => {
      try {
        const total = await count(c, `${sourceRelation(parts, { ordinals: false })} WHERE k IS NOT NULL`);
        const matched = where.length > 1 ? await count(c, rel) : total;
        const rows: OfflineRow[] = [];
        const result = await c.stream(`SELECT ${cols.join(', ')} FROM ${rel} ORDER BY ${orderBy} LIMIT ${q.limit} OFFSET ${q.offset}`);
        for await (const chunk of chunksOf(result, [parts])) {
          const read = columnReaders(chunk);
          for (let i = 0; i < chunk.rowCount; i++) {
            const values: Record<string, FeatureValue> = {};
            fields.forEach((f, j) => {
              values[f.name] = read[3 + j](i);
            });
            rows.push({ entityKey: read[0](i) as string, eventTs: read[1](i) as number, createdTs: read[2](i) as number, values });
          }
        }
        return { rows, total, matched, parts: parts.parts.length, columns: fields.map((f) => f.name) };
      } catch (e) {
        throw asSourceError(e, [parts]);
      }
    });
  }

  /* ---------------- online: materialize ---------------- */

  private async onlineViews(names?: string[]): Promise<FeatureViewDef[]> {
    const d = await this.registry.definitions();
    // none named (or an empty list, as Feast takes it): every online view; a view named twice runs once
    if (!names || names.length === 0) return d.featureViews.filter((v) => v.online);
    return Promise.all([...new Set(names)].map((n) => this.view(n)));
  }

  async materialize(startMs: number, endMs: number, views?: string[], onProgress?: Progress): Promise<MaterializeResponse> {
    if (!(startMs <= endMs)) throw new FeatureInputError('start_ts', 'start_ts must not be after end_ts');
    const t0 = performance.now();
    const out = await this.materializeViews(
      (await this.onlineViews(views)).map((view) => ({ view, startMs, endMs })),
      false,
      onProgress,
    );
    return { views: out, duration_ms: performance.now() - t0 };
  }

  async materializeIncremental(endMs: number, views?: string[], onProgress?: Progress): Promise<MaterializeResponse> {
    const t0 = performance.now();
    const plan: { view: FeatureViewDef; startMs: number; endMs: number }[] = [];
    const ahead: string[] = [];
    for (const view of await this.onlineViews(views)) {
      const last = await this.storage.registry.getMeta(`materialized:${view.name}`);
      // As Feast: from where the last run stopped, else from ttl before the end (or the epoch).
      const start = last ? Date.parse(last) : view.ttlSeconds > 0 ? endMs - view.ttlSeconds * 1000 : 0;
      // materialized past the end already: nothing to do for it, and said as where it stands
      if (start > endMs) ahead.push(`${view.name} (${last})`);
      plan.push({ view, startMs: start, endMs: Math.max(start, endMs) });
    }
    if (ahead.length === plan.length && plan.length > 0)
      throw new FeatureInputError(
        'end_ts',
        `end_ts ${isoUtc(endMs)} is before where the views are materialized up to (${ahead.join(', ')}): nothing to do incrementally; POST /materialize loads any range`,
      );
    return { views: await this.materializeViews(plan, true, onProgress), duration_ms: performance.now() - t0 };
  }

  /**
   * The latest row per entity of each view is computed by DuckDB (spilling past its memory limit)
   * and read back in chunks written to the online store as they come; the next view's rows are
   * computed on DuckDB's threads while this one's are written.
   */
  private async materializeViews(
    plan: { view: FeatureViewDef; startMs: number; endMs: number }[],
    incremental: boolean,
    onProgress?: Progress,
  ): Promise<MaterializeResponse['views']> {
    const stage = async (p: (typeof plan)[number]) => {
      // rows pushed from here on may be missed by this run: the next incremental one starts no later
      const startedAt = Date.now();
      const parts = await this.viewParts(p.view);
      const c = await this.offline.engine.connection();
      try {
        await c.run(`CREATE TEMP TABLE latest AS ${latestPerEntitySql(parts, p.view.schema, p.startMs, p.endMs)}`);
        const total = await count(c, 'latest');
        // in key order: SQLite's index then grows at its end; in hash order a million upserts
        // take 15x longer once the index outgrows the page cache (measured: 93 s against 6 s)
        const result = await c.stream('SELECT * FROM latest ORDER BY k');
        const first = await result.fetchChunk(); // the sort runs now, on DuckDB's threads
        return { c, parts, total, result, first, startedAt };
      } catch (e) {
        await releaseConnection(c);
        throw asSourceError(e, [parts]);
      }
    };
    const out: MaterializeResponse['views'] = [];
    const staged = plan.map(() => undefined as ReturnType<typeof stage> | undefined);
    try {
      for (const [i, p] of plan.entries()) {
        staged[i] ??= stage(p);
        const s = await staged[i];
        try {
          out.push(await this.writeLatest(p.view, s, p.startMs, p.endMs, incremental, onProgress));
        } finally {
          await releaseConnection(s.c); // its temp table and sorted rows go now, not at the next GC
        }
      }
    } finally {
      // a failure leaves later views staged: close their connections
      for (const x of staged.slice(out.length + 1))
        void x?.then(
          (s) => releaseConnection(s.c),
          () => undefined,
        );
    }
    return out;
  }

  private async writeLatest(
    view: FeatureViewDef,
    s: { c: DuckDBConnection; parts: SourceParts; total: number; result: DuckDBResult; first: DuckDBDataChunk | null; startedAt: number },
    startMs: number,
    endMs: number,
    incremental: boolean,
    onProgress?: Progress,
  ) {
    await this.storage.online.ensureView(view.name, { ttlSeconds: view.ttlSeconds });
    const { parts, total } = s;
    onProgress?.({ view: view.name, done: 0, total });
    let done = 0;
    const written = await (async () => {
      try {
        let rows: OnlineRow[] = [];
        // up to two batches in flight while the next is read and built: a store across a socket
        // (Redis) works while this thread reads DuckDB's chunks; at most three batches are held
        const inFlight: Promise<void>[] = [];
        const write = async () => {
          const batch = rows;
          rows = [];
          if (inFlight.length >= 2) await inFlight.shift();
          const w = this.storage.online.writeBatch(view.name, batch).then(() => {
            done += batch.length;
            onProgress?.({ view: view.name, done, total });
          });
          // a failed write is seen when it is awaited (at a later batch or at the end), never unobserved
          w.catch(() => undefined);
          inFlight.push(w);
        };
        const chunks = async function* () {
          if (s.first && s.first.rowCount > 0) yield s.first;
          else return;
          yield* chunksOf(s.result, [parts]);
        };
        for await (const chunk of chunks()) {
          const read = columnReaders(chunk);
          for (let i = 0; i < chunk.rowCount; i++) {
            const values: Record<string, FeatureValue> = {};
            view.schema.forEach((f, j) => {
              const v = read[3 + j](i);
              values[f.name] = v === null && f.dtype === 'Array(Int64)' ? [] : v;
            });
            rows.push({ entityKey: read[0](i) as string, eventTs: read[1](i) as number, createdTs: read[2](i) as number, values });
          }
          if (rows.length >= ONLINE_BATCH) await write();
        }
        if (rows.length) await write();
        for (const w of inFlight) await w;
        return done;
      } catch (e) {
        throw asSourceError(e, [parts]);
      }
    })();
    const record: MaterializationRecord = {
      view: view.name,
      startTs: isoUtc(startMs),
      endTs: isoUtc(endMs),
      rows: written,
      at: new Date().toISOString(),
      incremental,
    };
    // where the next incremental run starts: the end, or now when the end is later (an end in the
    // year 3000, or 2030 to take everything, left rows pushed meanwhile unread for good)
    const mark = Math.min(endMs, s.startedAt);
    const prev = await this.storage.registry.getMeta(`materialized:${view.name}`);
    if (!prev || Date.parse(prev) < mark) await this.storage.registry.setMeta(`materialized:${view.name}`, isoUtc(mark));
    const history = JSON.parse((await this.storage.registry.getMeta('materializations')) ?? '[]') as MaterializationRecord[];
    await this.storage.registry.setMeta('materializations', JSON.stringify([record, ...history].slice(0, 100)));
    return { feature_view: view.name, start_ts: record.startTs, end_ts: record.endTs, rows_written: written, entities: written };
  }

  async materializationHistory(): Promise<MaterializationRecord[]> {
    return JSON.parse((await this.storage.registry.getMeta('materializations')) ?? '[]') as MaterializationRecord[];
  }

  async materializedUntil(view: string): Promise<string | undefined> {
    return this.storage.registry.getMeta(`materialized:${view}`);
  }

  /* ---------------- online: reads ---------------- */

  /**
   * What a lookup of a feature service (or a list of references) reads and answers, resolved once
   * per registry snapshot: a snapshot's definitions are one object until the next apply, so a new
   * one starts afresh. A few hundred asks are kept; only lookups that resolved are.
   */
  private readonly lookupPlans = new WeakMap<RegistryDefinitions, Map<string, LookupPlan>>();
  /** the last `onlineMoment` */
  private moment: { defs: RegistryDefinitions; mark: number } | undefined;

  private static planKey(req: GetOnlineFeaturesRequest): string {
    return JSON.stringify([req.full_feature_names ?? false, req.feature_service ?? null, req.features ?? null]);
  }

  private async lookupPlan(req: GetOnlineFeaturesRequest): Promise<LookupPlan> {
    const full = req.full_feature_names ?? false;
    const key = FeatureStore.planKey(req);
    const d = await this.registry.definitions();
    let plans = this.lookupPlans.get(d);
    const known = plans?.get(key);
    if (known) return known;
    const refs = await this.resolveRefs(req);
    FeatureStore.checkNames(refs, full);
    const joinKey = await this.joinKey(refs[0].view);
    const plan: LookupPlan = {
      refs,
      joinKey,
      viewNames: [...new Set(refs.map((r) => r.view.name))],
      featureNames: Object.freeze([joinKey, ...refs.map((r) => FeatureStore.columnName(r, full))]),
    };
    if (!plans) {
      plans = new Map();
      this.lookupPlans.set(d, plans);
    }
    if (plans.size >= MAX_LOOKUP_PLANS) plans.clear();
    plans.set(key, plan);
    return plan;
  }

  async getOnlineFeatures(req: GetOnlineFeaturesRequest, now = Date.now()): Promise<GetOnlineFeaturesResponse> {
    const plan = await this.lookupPlan(req);
    const keys = FeatureStore.entityKeys(req, plan.joinKey);
    const online = this.storage.online;
    const byView = online.readViews ? await online.readViews(plan.viewNames, keys) : new Map<string, (OnlineRow | undefined)[]>();
    // until when the store answers these rows again as they are (Redis keeps its rows a second at most)
    let storeUntil = rowsUntil(byView);
    for (const v of plan.viewNames)
      if (!byView.has(v)) {
        const rows = await online.read(v, keys);
        storeUntil = Math.min(storeUntil, rowsUntil(rows));
        byView.set(v, rows);
      }
    return FeatureStore.onlineAnswer(plan, keys, (view) => byView.get(view)!, now, storeUntil);
  }

  /**
   * The same answer at once, without a turn of the event loop, when everything it needs is at hand:
   * the registry's snapshot read, this lookup resolved before, and an online store that reads
   * synchronously (SQLite). Else undefined: ask `getOnlineFeatures`. A bad request throws as there;
   * a store that fails here is asked again there, where a busy file is waited for.
   */
  getOnlineFeaturesNow(req: GetOnlineFeaturesRequest, now = Date.now()): GetOnlineFeaturesResponse | undefined {
    const online = this.storage.online;
    const d = this.registry.cachedDefinitions();
    if (d === undefined || !online.readViewsNow) return undefined;
    const plan = this.lookupPlans.get(d)?.get(FeatureStore.planKey(req));
    if (plan === undefined) return undefined;
    const keys = FeatureStore.entityKeys(req, plan.joinKey);
    let rows: (OnlineRow | undefined)[][];
    try {
      rows = online.readViewsNow(plan.viewNames, keys);
    } catch {
      return undefined;
    }
    return FeatureStore.onlineAnswer(plan, keys, (view) => rows[plan.viewNames.indexOf(view)], now);
  }

  /**
   * What a lookup's answer made now is made of, compared by identity: the registry's snapshot and
   * the online rows' state. The same object while neither changed; undefined where the store cannot
   * tell at once whether its rows did (a store without `changeMark`, SQLite before its file's
   * header is watched, Redis while its lookups are not tracked or a read would be refused). An
   * answer kept with it (the hot door's memo) stays true while it is returned, and until
   * `answerUntil` of the answer.
   */
  onlineMoment(): object | undefined {
    const defs = this.registry.cachedDefinitions();
    const mark = this.storage.online.changeMark?.();
    if (defs === undefined || mark === undefined) return undefined;
    const m = this.moment;
    if (m !== undefined && m.defs === defs && m.mark === mark) return m;
    this.moment = { defs, mark };
    return this.moment;
  }

  /** the lookup's entity keys: exactly the join key, a list of non-empty strings */
  private static entityKeys(req: GetOnlineFeaturesRequest, joinKey: string): string[] {
    const names = Object.keys(req.entities);
    if (names.length !== 1 || names[0] !== joinKey)
      throw new FeatureInputError(
        'entities',
        `entities: expected exactly the join key "${joinKey}" (a list of ids), got ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'nothing'}`,
      );
    const keys = req.entities[joinKey];
    keys.forEach((k, i) => {
      if (typeof k !== 'string' || k.length === 0)
        throw new FeatureInputError(`entities.${joinKey}[${i}]`, `entities.${joinKey}[${i}]: expected a non-empty string, got ${describe(k)}`);
    });
    return keys as string[];
  }

  /** a lookup's answer from its rows: `rowsOf(view)` in the order of `keys` */
  private static onlineAnswer(
    { refs, featureNames }: LookupPlan,
    keys: string[],
    rowsOf: (view: string) => (OnlineRow | undefined)[],
    now: number,
    storeUntil = Number.POSITIVE_INFINITY,
  ): GetOnlineFeaturesResponse {
    const results: GetOnlineFeaturesResponse['results'] = [{ values: [...keys], statuses: keys.map(() => 'PRESENT'), event_timestamps: keys.map(() => EPOCH) }];
    // the last moment every value served as present is within its view's ttl, and the store would
    // answer the rows as they are
    let until = storeUntil;
    for (const r of refs) {
      const rows = rowsOf(r.view.name);
      const values: FeatureValue[] = [];
      const statuses: FeatureStatus[] = [];
      const stamps: string[] = [];
      // the JSON texts of the values kept rows hold (onlineFeaturesJson serves them as they are)
      let texts: ValueTexts | undefined;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (!row) {
          values.push(null);
          statuses.push('NOT_FOUND');
          stamps.push(EPOCH);
          continue;
        }
        const v = row.values[r.field.name] ?? null;
        stamps.push(isoUtc(row.eventTs));
        if (r.view.ttlSeconds > 0 && row.eventTs < now - r.view.ttlSeconds * 1000) {
          values.push(null);
          statuses.push('OUTSIDE_MAX_AGE');
        } else {
          if (r.view.ttlSeconds > 0) until = Math.min(until, row.eventTs + r.view.ttlSeconds * 1000);
          values.push(v);
          statuses.push(v === null ? 'NULL_VALUE' : 'PRESENT');
          const text = typeof v === 'object' && v !== null ? keptTexts(row)?.[r.field.name] : undefined;
          if (text !== undefined) {
            texts ??= { texts: [], of: [] };
            texts.texts[i] = text;
            texts.of[i] = v;
          }
        }
      }
      results.push(resultWithTexts({ values, statuses, event_timestamps: stamps }, texts));
    }
    return answerWithUntil({ metadata: { feature_names: featureNames as string[] }, results }, until);
  }

  /* ---------------- push ---------------- */

  /**
   * Rows through a push source to the views reading it: to the online store, the offline
   * store, or both. The batch is checked whole against the schema first; then written whole
   * or not at all (the offline part is published only once the online write succeeded).
   */
  async push(
    pushSourceName: string,
    df: Record<string, unknown[]>,
    to: PushTarget = 'online',
    o: { mark?: PartMark } = {},
  ): Promise<{ rows: number; views: string[]; published?: boolean }> {
    const d = await this.registry.definitions();
    const src = d.sources.find((s) => s.name === pushSourceName && s.kind === 'push');
    if (src?.kind !== 'push')
      throw new UnknownNameError(
        'push source',
        pushSourceName,
        d.sources.filter((s) => s.kind === 'push').map((s) => s.name),
      );
    const views = d.featureViews.filter((v) => v.source === src.name);
    const batch = await this.fileSource(src.batchSource);
    if (views.length === 0) throw new FeatureInputError('push_source_name', `push source "${src.name}" feeds no feature view`);
    const joinKey = await this.joinKey(views[0]);
    const fields = new Map<string, FieldDef>();
    for (const v of views) for (const f of v.schema) fields.set(f.name, f);
    const expected = [joinKey, batch.timestampField, ...fields.keys()];
    for (const c of expected)
      if (!(c in df))
        throw new FeatureInputError(
          `df.${c}`,
          `df: missing column "${c}"; expected columns ${expected.join(', ')} (optional: ${batch.createdTimestampColumn})`,
        );
    for (const c of Object.keys(df)) {
      if (!expected.includes(c) && c !== batch.createdTimestampColumn)
        throw new FeatureInputError(`df.${c}`, `df: unknown column "${c}"; expected columns ${expected.join(', ')}`);
      if (!Array.isArray(df[c])) throw new FeatureInputError(`df.${c}`, `df.${c}: expected a list of values`);
    }
    const n = df[joinKey].length;
    if (n === 0) throw new FeatureInputError(`df.${joinKey}`, 'df: no rows to push');
    for (const c of Object.keys(df))
      if (df[c].length !== n) throw new FeatureInputError(`df.${c}`, `df.${c}: has ${df[c].length} values, column "${joinKey}" has ${n}`);
    const now = Date.now();
    const rows: OfflineRow[] = [];
    for (let i = 0; i < n; i++) {
      // a large push (the offline follower's gathering, a /push body) lets requests in between slices
      if (i > 0 && i % ROWS_PER_TURN === 0) await nextTurn();
      const key = df[joinKey][i];
      if (typeof key !== 'string' || key.length === 0 || key.length > 200)
        throw new FeatureInputError(`df.${joinKey}[${i}]`, `df.${joinKey}[${i}]: expected a non-empty id string, got ${describe(key)}`);
      // a lone surrogate: SQLite and DuckDB hold UTF-8, so the key could not be stored as given
      if (!key.isWellFormed())
        throw new FeatureInputError(`df.${joinKey}[${i}]`, `df.${joinKey}[${i}]: expected an id of well-formed text, got one with a lone surrogate`);
      const eventTs = parseTimestamp(df[batch.timestampField][i], `df.${batch.timestampField}[${i}]`);
      // a row dated in the far future would hold its entity's online value until then: the
      // lookup keeps the newest event, so no later push or materialization could replace it
      if (eventTs > now + MAX_EVENT_AHEAD_MS)
        throw new FeatureInputError(
          `df.${batch.timestampField}[${i}]`,
          `df.${batch.timestampField}[${i}]: ${isoUtc(eventTs)} is more than a day ahead of this machine's clock (${isoUtc(now)}); an event time is when the event happened`,
        );
      const createdCol = df[batch.createdTimestampColumn];
      const createdTs = createdCol ? parseTimestamp(createdCol[i], `df.${batch.createdTimestampColumn}[${i}]`) : now;
      const values: Record<string, FeatureValue> = {};
      for (const f of fields.values()) values[f.name] = checkValue(df[f.name][i], f, `df.${f.name}[${i}]`);
      rows.push({ entityKey: key, eventTs, createdTs, values });
    }
    const toOffline = to === 'offline' || to === 'online_and_offline';
    const toOnline = to === 'online' || to === 'online_and_offline';
    const tmp = toOffline ? await this.offline.writePartTemp(batch, joinKey, await this.sourceFields(batch), rows) : undefined;
    try {
      if (toOnline) {
        for (const v of views) {
          if (!v.online) continue;
          await this.storage.online.ensureView(v.name, { ttlSeconds: v.ttlSeconds });
          await this.storage.online.writeBatch(
            v.name,
            rows.map((r) => ({
              entityKey: r.entityKey,
              eventTs: r.eventTs,
              createdTs: r.createdTs,
              values: Object.fromEntries(v.schema.map((f) => [f.name, r.values[f.name]])),
            })),
          );
        }
      }
    } catch (e) {
      if (tmp) this.offline.discardPart(tmp);
      throw e;
    }
    if (tmp) {
      const { published } = await this.offline.publishPart(batch, tmp, o.mark);
      await this.maybeCompact(batch, joinKey);
      if (o.mark) return { rows: n, views: views.map((v) => v.name), published };
    }
    return { rows: n, views: views.map((v) => v.name) };
  }

  /** how far a log follower's offline pushes through `pushSourceName` reach (see PartMark) */
  async pushMark(pushSourceName: string, name: string): Promise<string | undefined> {
    const d = await this.registry.definitions();
    const src = d.sources.find((s) => s.name === pushSourceName && s.kind === 'push');
    if (src?.kind !== 'push') return undefined;
    return this.offline.markOf(await this.fileSource(src.batchSource), name);
  }

  private compacting = new Set<string>();
  /** after pushes: merge a source's small parts in the background (DuckDB, off the event loop) once there are many */
  private async maybeCompact(source: FileSourceDef, joinKey: string): Promise<void> {
    if (this.compacting.has(source.name) || (await this.offline.pendingMerge(source)) <= COMPACT_AFTER_PARTS) return;
    this.compacting.add(source.name);
    setImmediate(async () => {
      try {
        await this.offline.compact(source, joinKey, await this.sourceFields(source));
      } catch {
        /* a failed compaction leaves the parts as they were; the next push tries again */
      } finally {
        this.compacting.delete(source.name);
      }
    });
  }
}

/** The columns of a file source: the fields of every view reading it, directly or by push. */
export function fieldsOfSource(d: RegistryDefinitions, sourceName: string): FieldDef[] {
  const fields = new Map<string, FieldDef>();
  for (const v of d.featureViews) {
    const src = d.sources.find((s) => s.name === v.source);
    const file = src?.kind === 'push' ? src.batchSource : src?.name;
    if (file === sourceName) for (const f of v.schema) fields.set(f.name, f);
  }
  return [...fields.values()];
}

function checkValue(v: unknown, f: FieldDef, path: string): FeatureValue {
  const fail = (what: string): never => {
    throw new FeatureInputError(path, `${path}: expected ${what} for ${f.dtype} field "${f.name}", got ${describe(v)}`);
  };
  switch (f.dtype) {
    case 'String':
      if (typeof v !== 'string') fail('a string');
      return v as string;
    case 'Float32':
      // beyond FLOAT's range (about ±3.4e38) the part's cast failed: a 500 where the value is at fault
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) fail('a finite number within Float32 range (±3.4e38)');
      return v as number;
    case 'Float64':
      if (typeof v !== 'number' || !Number.isFinite(v)) fail('a finite number');
      return v as number;
    case 'Int64':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail('an integer');
      return v as number;
    case 'Array(Int64)': {
      if (!Array.isArray(v)) fail('a list of integers');
      const arr = v as unknown[];
      if (f.length !== undefined && arr.length !== f.length)
        throw new FeatureInputError(path, `${path}: expected ${f.length} integers for "${f.name}", got ${arr.length}`);
      arr.forEach((x, j) => {
        if (typeof x !== 'number' || !Number.isSafeInteger(x))
          throw new FeatureInputError(`${path}[${j}]`, `${path}[${j}]: expected an integer, got ${describe(x)}`);
      });
      return arr as number[];
    }
  }
}
