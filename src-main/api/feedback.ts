/**
 * Operator feedback: the true label of a message whose verdict was wrong (or right), from the
 * console or a tool. Kept in the storage layer for the monitoring engine (quality over time,
 * retraining on feedback).
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Engines } from '../engines';
import { isLoopbackAddress } from './security';
import { HttpError } from './errors';

const Label = Type.Union([Type.Literal('ham'), Type.Literal('spam')]);
const FeedbackBody = Type.Object(
  {
    sms_id: Type.String({ minLength: 1, maxLength: 100 }),
    true_label: Label,
    user_id: Type.Optional(Type.String({ maxLength: 100 })),
    predicted_label: Type.Optional(Label),
    model_version: Type.Optional(Type.String({ maxLength: 100 })),
    architecture: Type.Optional(Type.Union([Type.Literal('I'), Type.Literal('II')])),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
type FeedbackBody = Static<typeof FeedbackBody>;

export const feedbackRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  app.post<{ Body: FeedbackBody }>('/feedback', { schema: { tags: ['monitoring'], summary: 'State the true label of a message', body: FeedbackBody } }, async (req, reply) => {
    reply.status(201);
    return engines.feedback.record({ ...req.body, caller: req.ip });
  });
  app.get('/feedback', { schema: { tags: ['monitoring'], summary: 'Feedback labels, newest first' } }, async () =>
    (await engines.feedback.list()).reverse(),
  );

  // What the console shows about this install; the token only to local callers.
  app.get('/local/info', { schema: { tags: ['health'], summary: 'Data dir, storage and the API token (loopback callers only)' } }, async (req) => {
    if (!isLoopbackAddress(req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '')) throw new HttpError(403, 'forbidden', 'only local callers may read this');
    return { data_dir: engines.config.dataDir, storage: engines.storage.location, token: engines.config.server.token ?? null, listening: { host: engines.config.server.host, port: engines.config.server.port } };
  });
};
