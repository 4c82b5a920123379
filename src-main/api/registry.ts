/** Read-only registry routes, for the console and for discovery (`feast registry-dump`). */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { fieldsOfSource, isoMicros, parseTimestamp } from '../featurestore';
import { registry as routes } from '../../src-shared/routes/featurestore';
import type { OfflinePreview } from '../../src-shared/featurestore';
import { serve } from './declare';
import { InputError } from '../platform';
import { messageContexts } from '../inbox';
import { MESSAGE_CONTEXT_MAX_IDS } from '../../src-shared/featurestore';
import { SMS_ID_MAX_LENGTH } from '../../src-shared/ids';
import { rowsCsv, statisticsCsv } from '../featurestore';

export const registryRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const fs = engines.features;

  serve(app, routes.current, async () => (await fs.registry.current()) ?? { version: 0 as const, definitions: null });
  serve(app, routes.entities, async () => (await fs.registry.definitions()).entities);
  serve(app, routes.sources, async () => {
    const d = await fs.registry.definitions();
    return Promise.all(
      d.sources.map(async (s) => (s.kind === 'file' ? { ...s, columns: fieldsOfSource(d, s.name), parts: await fs.offline.partCount(s) } : s)),
    );
  });
  serve(app, routes.views, async () => {
    const d = await fs.registry.definitions();
    return Promise.all(
      d.featureViews.map(async (v) => ({
        ...v,
        materialized_until: (await fs.materializedUntil(v.name)) ?? null,
        online_rows: v.online ? await engines.storage.online.count(v.name) : 0,
      })),
    );
  });
  serve(app, routes.view, async (req) => fs.view(req.params.name));
  serve(app, routes.services, async () => (await fs.registry.definitions()).featureServices);
  serve(app, routes.service, async (req) => fs.service(req.params.name));
  serve(app, routes.history, async () => fs.registry.history());
  serve(app, routes.materializations, async () => fs.materializationHistory());

  serve(app, routes.statistics, async (req, reply) => {
    const s = await fs.statistics(req.params.name, { refresh: req.query.refresh === 'true' });
    if (req.query.format !== 'csv') return s;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${s.view}-statistics.csv"`).send(statisticsCsv(s));
  });

  serve(app, routes.serviceStatistics, async (req, reply) => {
    const at = req.query.at === undefined ? Date.now() : parseTimestamp(req.query.at, 'at');
    const s = await fs.serviceStatistics(req.params.name, at);
    if (req.query.format !== 'csv') return s;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${s.service.replace(/[^\w.-]/g, '_')}-statistics.csv"`)
      .send(statisticsCsv({ view: s.service, features: s.features }));
  });

  serve(app, routes.preview, async (req, reply) => {
    const q = req.query;
    const limit = Math.min(Number(q.limit ?? 50), 1000);
    if (q.offset !== undefined && q.cursor !== undefined) throw new InputError('cursor', 'cursor: give offset or cursor, not both');
    const offset = q.cursor !== undefined ? Number(q.cursor.slice(1)) : Number(q.offset ?? 0);
    const time = (field: 'from' | 'to', v: string | undefined) => {
      if (v === undefined) return undefined;
      const ms = Date.parse(v);
      if (!Number.isFinite(ms)) throw new InputError(field, `${field}: expected an ISO 8601 time, got "${v}"`);
      return ms;
    };
    const fromMs = time('from', q.from);
    const toMs = time('to', q.to);
    if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw new InputError('to', 'to: expected a time at or after from');
    const columns = q.columns?.split(',').map((c) => c.trim());
    const p = await fs.browseSource(req.params.name, { limit, offset, sort: q.sort, order: q.order, prefix: q.prefix, label: q.label, fromMs, toMs, columns });
    const answer: OfflinePreview = {
      source: req.params.name,
      total_rows: p.total,
      parts: p.parts,
      matched_rows: p.matched,
      offset,
      limit,
      next_cursor: offset + p.rows.length < p.matched ? `o${offset + p.rows.length}` : null,
      columns: ['entity_key', 'event_timestamp', 'created_timestamp', ...p.columns],
      rows: p.rows.map((r) => ({
        entity_key: r.entityKey,
        event_timestamp: isoMicros(r.eventTs),
        created_timestamp: isoMicros(r.createdTs),
        ...r.values,
      })),
    };
    if (q.format !== 'csv') return answer;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${req.params.name.replace(/[^\w.-]/g, '_')}-rows-${offset + 1}.csv"`)
      .send(rowsCsv(answer.columns ?? [], answer.rows));
  });

  serve(app, routes.messages, async (req) => {
    const ids = req.query.ids.split(',').map((x) => x.trim());
    if (ids.length > MESSAGE_CONTEXT_MAX_IDS) throw new InputError('ids', `ids: expected at most ${MESSAGE_CONTEXT_MAX_IDS} ids, got ${ids.length}`);
    ids.forEach((id, i) => {
      if (!id || id.length > SMS_ID_MAX_LENGTH)
        throw new InputError('ids', `ids: id ${i + 1} is ${id ? 'too long' : 'empty'}: expected 1 to ${SMS_ID_MAX_LENGTH} characters`);
    });
    return { messages: await messageContexts({ users: engines.storage.users, labelled: engines.storage.labelled }, ids) };
  });

  serve(app, routes.onlineIds, async (req) => {
    const limit = Number(req.query.limit ?? 20);
    if (limit < 1 || limit > 100) throw new InputError('limit', 'limit: expected 1 to 100');
    const d = await fs.registry.definitions();
    // the source of the first online view (the ids every lookup of the console can find)
    const view = d.featureViews.find((v) => v.online) ?? d.featureViews[0];
    const source = view ? (await fs.fileSourceOf(view)).name : undefined;
    if (!source) return { source: '', ids: [] };
    const p = await fs.browseSource(source, {
      limit,
      offset: 0,
      columns: [],
      prefix: req.query.prefix,
      ...(req.query.prefix ? { sort: 'entity_key', order: 'asc' as const } : {}),
    });
    return { source, ids: [...new Set(p.rows.map((r) => r.entityKey))] };
  });
};
