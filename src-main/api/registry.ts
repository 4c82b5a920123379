/** Read-only registry routes, for the console and for discovery (`feast registry-dump`). */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { fieldsOfSource, isoMicros } from '../featurestore';
import { NameParam, PreviewQuery, type OfflinePreview, type SourceInfo, type ViewInfo } from '../../src-shared/featurestore';

export const registryRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const fs = engines.features;
  const tags = ['registry'];

  app.get('/registry', { schema: { tags, summary: 'The applied definitions (latest snapshot)' } }, async () => {
    const snap = await fs.registry.current();
    return snap ?? { version: 0, definitions: null };
  });
  app.get('/registry/entities', { schema: { tags } }, async () => (await fs.registry.definitions()).entities);
  app.get('/registry/data-sources', { schema: { tags } }, async (): Promise<SourceInfo[]> => {
    const d = await fs.registry.definitions();
    return Promise.all(
      d.sources.map(async (s) => (s.kind === 'file' ? { ...s, columns: fieldsOfSource(d, s.name), parts: await fs.offline.partCount(s) } : s)),
    );
  });
  app.get('/registry/feature-views', { schema: { tags } }, async (): Promise<ViewInfo[]> => {
    const d = await fs.registry.definitions();
    return Promise.all(
      d.featureViews.map(async (v) => ({
        ...v,
        materialized_until: (await fs.materializedUntil(v.name)) ?? null,
        online_rows: v.online ? await engines.storage.online.count(v.name) : 0,
      })),
    );
  });
  app.get<{ Params: NameParam }>('/registry/feature-views/:name', { schema: { tags, params: NameParam } }, async (req) => fs.view(req.params.name));
  app.get('/registry/feature-services', { schema: { tags } }, async () => (await fs.registry.definitions()).featureServices);
  app.get<{ Params: NameParam }>('/registry/feature-services/:name', { schema: { tags, params: NameParam } }, async (req) => fs.service(req.params.name));
  app.get('/registry/history', { schema: { tags, summary: 'Every applied snapshot with the diff that produced it' } }, async () => fs.registry.history());
  app.get('/registry/materializations', { schema: { tags, summary: 'Materialization runs, newest first' } }, async () => fs.materializationHistory());

  app.get<{ Params: NameParam; Querystring: PreviewQuery }>(
    '/offline/:name/preview',
    { schema: { tags: ['offline store'], summary: 'Newest rows of a file source', params: NameParam, querystring: PreviewQuery } },
    async (req): Promise<OfflinePreview> => {
      const limit = Math.min(Number(req.query.limit ?? 50), 1000);
      const p = await fs.previewSource(req.params.name, limit);
      return {
        source: req.params.name,
        total_rows: p.total,
        parts: p.parts,
        rows: p.rows.map((r) => ({
          entity_key: r.entityKey,
          event_timestamp: isoMicros(r.eventTs),
          created_timestamp: isoMicros(r.createdTs),
          ...r.values,
        })),
      };
    },
  );
};
