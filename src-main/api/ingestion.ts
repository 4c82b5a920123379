/** Ingestion: how stored messages reach the feature step (change log or stream), its figures, and the stream's dead letters. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { ingestion as routes } from '../../src-shared/routes/ingestion';
import { serve } from './declare';

export const ingestionRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  serve(app, routes.stats, async () => engines.ingestion.stats());
  serve(app, routes.deadLetters, async (req) => engines.ingestion.deadLetters(Number(req.query.limit ?? 50)));
  serve(app, routes.retry, async (req) => engines.ingestion.retryDeadLetter(Number(req.params.seq)));
};
