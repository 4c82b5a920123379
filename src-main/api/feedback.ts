/**
 * Operator feedback: the true label of a message whose verdict was wrong (or right), from the
 * console or a tool. Kept in the storage layer for the monitoring engine (quality over time,
 * retraining on feedback).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { pageLimit } from '../../src-shared/paging';
import { feedback as routes } from '../../src-shared/routes/monitoring';
import { serve } from './declare';

export const feedbackRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  serve(app, routes.record, async (req, reply) => {
    reply.status(201);
    return engines.feedback.record({ ...req.body, caller: req.ip });
  });
  serve(app, routes.list, async (req) => engines.feedback.list({ limit: pageLimit(req.query.limit), before: req.query.before }));
};
