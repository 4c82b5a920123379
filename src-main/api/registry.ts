/** Read-only registry routes, for the console and for discovery (`feast registry-dump`). */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { fieldsOfSource, isoMicros } from '../featurestore';
import { registry as routes } from '../../src-shared/routes/featurestore';
import { serve } from './declare';

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

  serve(app, routes.preview, async (req) => {
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
  });
};
