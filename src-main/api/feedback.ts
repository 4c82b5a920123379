/**
 * Operator feedback: the true label of a message whose verdict was wrong (or right), from the
 * console or a tool. Kept in the storage layer for the monitoring engine (quality over time,
 * retraining on feedback).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { FeedbackAnswer, FeedbackBody, type FeedbackRecord } from '../../src-shared/feedback';
import { PageQuery, pageLimit } from '../../src-shared/paging';

export const feedbackRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  app.post<{ Body: FeedbackBody }>(
    '/feedback',
    { schema: { tags: ['monitoring'], summary: 'State the true label of a message', body: FeedbackBody, response: { 201: FeedbackAnswer } } },
    async (req, reply): Promise<FeedbackAnswer> => {
      reply.status(201);
      return engines.feedback.record({ ...req.body, caller: req.ip });
    },
  );
  app.get<{ Querystring: PageQuery }>(
    '/feedback',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Feedback labels, newest first: a page of `limit` (100, at most 1000) before the id `before`',
        querystring: PageQuery,
      },
    },
    async (req) => (await engines.feedback.list({ limit: pageLimit(req.query.limit), before: req.query.before })) as FeedbackRecord[],
  );
};
