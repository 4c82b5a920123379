/** The Feast-compatible feature server routes. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { onlineFeaturesJson, parseTimestamp } from '../featurestore';
import { featureServer as routes } from '../../src-shared/routes/featurestore';
import { streamHistorical } from './historical';
import { serve } from './declare';
import type { HotHandler, HotRoutes } from './hot-routes';

export const featureServerRoutes: FastifyPluginAsync<{ engines: Engines; hot?: HotRoutes }> = async (app, { engines, hot }) => {
  const fs = engines.features;

  // lookups through Fastify, and through the hot door (hot-routes.ts) at once when the lookup is
  // known and its rows are read synchronously (no await on the way)
  const onlineFeatures: HotHandler<typeof routes.onlineFeatures> = (req) => fs.getOnlineFeatures(req.body);
  const onlineFeaturesNow: HotHandler<typeof routes.onlineFeatures> = (req) => fs.getOnlineFeaturesNow(req.body) ?? fs.getOnlineFeatures(req.body);
  // the answer written with the JSON texts the kept rows hold (online-answer.ts)
  serve(app, routes.onlineFeatures, { answer: onlineFeaturesJson }, onlineFeatures);
  hot?.add(routes.onlineFeatures, onlineFeaturesNow, { answer: onlineFeaturesJson });
  serve(app, routes.historicalFeatures, async (req, reply) => streamHistorical(fs, req.body, reply));
  serve(app, routes.push, async (req) => {
    const r = await fs.push(req.body.push_source_name, req.body.df, req.body.to ?? 'online');
    return { status: 'ok' as const, rows: r.rows, feature_views: r.views, to: req.body.to ?? 'online' };
  });
  serve(app, routes.materialize, async (req) =>
    fs.materialize(parseTimestamp(req.body.start_ts, 'start_ts'), parseTimestamp(req.body.end_ts, 'end_ts'), req.body.feature_views),
  );
  serve(app, routes.materializeIncremental, async (req) => fs.materializeIncremental(parseTimestamp(req.body.end_ts, 'end_ts'), req.body.feature_views));
};
