/** Ingestion: how stored messages reach the feature step (change log or stream), its figures, and the stream's dead letters. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Engines } from '../engines';
import { DeadLetter, DeadLetterParam, DeadLettersQuery, IngestionStats, RetryAnswer } from '../../src-shared/ingestion';

export const ingestionRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const tags = ['ingestion'];
  app.get(
    '/ingestion/stats',
    {
      schema: {
        tags,
        summary: 'Stream on or off (and why unavailable), change log and consumer lag, processed per second, redeliveries, dead letters',
        response: { 200: IngestionStats },
      },
    },
    async (): Promise<IngestionStats> => engines.ingestion.stats(),
  );
  app.get<{ Querystring: DeadLettersQuery }>(
    '/ingestion/dead-letters',
    {
      schema: {
        tags,
        summary: 'Messages the stream gave up on, newest first, with the reason (none when the stream is off; 503 while it is unreachable)',
        querystring: DeadLettersQuery,
        response: { 200: Type.Array(DeadLetter) },
      },
    },
    async (req): Promise<DeadLetter[]> => engines.ingestion.deadLetters(Number(req.query.limit ?? 50)),
  );
  app.post<{ Params: DeadLetterParam }>(
    '/ingestion/dead-letters/:seq/retry',
    {
      schema: {
        tags,
        summary: 'Publish a dead letter again to the subject it came from (it keeps the id it would be stored under), then remove it',
        params: DeadLetterParam,
        response: { 200: RetryAnswer },
      },
    },
    async (req): Promise<RetryAnswer> => engines.ingestion.retryDeadLetter(Number(req.params.seq)),
  );
};
