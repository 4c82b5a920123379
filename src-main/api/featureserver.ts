/** The Feast-compatible feature server routes. */
import type { FastifyPluginAsync } from 'fastify';
import {
  GetHistoricalFeaturesRequest,
  GetOnlineFeaturesRequest,
  GetOnlineFeaturesResponse,
  HISTORICAL_BODY_LIMIT_BYTES,
  MaterializeIncrementalRequest,
  MaterializeRequest,
  MaterializeResponse,
  PushRequest,
  type PushAnswer,
} from '../../src-shared/featurestore';
import type { Engines } from '../engines';
import { parseTimestamp } from '../featurestore';
import { streamHistorical } from './historical';

export const featureServerRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const fs = engines.features;

  app.post<{ Body: GetOnlineFeaturesRequest }>(
    '/get-online-features',
    {
      schema: {
        tags: ['feature server'],
        summary: 'Latest feature values of entities, by feature refs or feature service',
        body: GetOnlineFeaturesRequest,
        response: { 200: GetOnlineFeaturesResponse },
      },
    },
    async (req) => fs.getOnlineFeatures(req.body),
  );

  app.post<{ Body: GetHistoricalFeaturesRequest }>(
    '/get-historical-features',
    {
      // the schema takes 100,000 entity rows: the body limit leaves room for them (the default 1 MiB did not)
      bodyLimit: HISTORICAL_BODY_LIMIT_BYTES,
      schema: {
        tags: ['feature server'],
        summary: 'Point-in-time correct rows of entities (or of every key: "all"), streamed as NDJSON (default) or CSV, or a Parquet file',
        body: GetHistoricalFeaturesRequest,
      },
    },
    async (req, reply) => streamHistorical(fs, req.body, reply),
  );

  app.post<{ Body: PushRequest }>(
    '/push',
    { schema: { tags: ['feature server'], summary: 'Push rows through a push source (whole batch or nothing)', body: PushRequest } },
    async (req): Promise<PushAnswer> => {
      const r = await fs.push(req.body.push_source_name, req.body.df, req.body.to ?? 'online');
      return { status: 'ok', rows: r.rows, feature_views: r.views, to: req.body.to ?? 'online' };
    },
  );

  app.post<{ Body: MaterializeRequest }>(
    '/materialize',
    {
      schema: {
        tags: ['feature server'],
        summary: 'Materialize offline rows in [start_ts, end_ts] into the online store',
        body: MaterializeRequest,
        response: { 200: MaterializeResponse },
      },
    },
    async (req) => fs.materialize(parseTimestamp(req.body.start_ts, 'start_ts'), parseTimestamp(req.body.end_ts, 'end_ts'), req.body.feature_views),
  );

  app.post<{ Body: MaterializeIncrementalRequest }>(
    '/materialize-incremental',
    {
      schema: {
        tags: ['feature server'],
        summary: 'Materialize from where each view stopped up to end_ts',
        body: MaterializeIncrementalRequest,
        response: { 200: MaterializeResponse },
      },
    },
    async (req) => fs.materializeIncremental(parseTimestamp(req.body.end_ts, 'end_ts'), req.body.feature_views),
  );
};
