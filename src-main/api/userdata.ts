/** User data (the seed's user-data API) and the Inbox API. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { newTimeUuid, timeOfTimeUuid } from '../platform';
import type { SmsMessage } from '../storage';
import { InboxAnswer, InboxBody, MessageParam, MessagesQuery, OutboxEntry, Sms, UserParam, WriteAnswer, WriteBody } from '../../src-shared/userdata';
import { Type } from '@sinclair/typebox';
import { HttpError } from './errors';

const withDate = (m: SmsMessage): Sms => ({ ...m, date_sent: timeOfTimeUuid(m.sms_id).toISOString() });

export const userDataRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const users = engines.storage.users;
  const tags = ['user data'];

  app.get('/users', { schema: { tags, summary: 'Users with messages', response: { 200: Type.Array(Type.String()) } } }, async () => users.listUsers());
  app.get<{ Params: UserParam; Querystring: MessagesQuery }>(
    '/sms/:user_id',
    { schema: { tags, summary: "A user's messages, newest first", params: UserParam, querystring: MessagesQuery, response: { 200: Type.Array(Sms) } } },
    async (req) => (await users.listByUser(req.params.user_id, Number(req.query.limit ?? 1000))).map(withDate),
  );
  app.get<{ Params: MessageParam }>('/sms/:user_id/:sms_id', { schema: { tags, params: MessageParam, response: { 200: Sms } } }, async (req) => {
    const m = await users.get(req.params.user_id, req.params.sms_id);
    if (!m) throw new HttpError(404, 'not_found', `user ${req.params.user_id} has no message ${req.params.sms_id}`);
    return withDate(m);
  });
  app.post<{ Params: UserParam; Body: WriteBody }>(
    '/sms/:user_id',
    {
      schema: {
        tags,
        summary: "Write a message to a user's inbox; its change is recorded with it, so the feature step pushes its v2 features within seconds",
        params: UserParam,
        body: WriteBody,
        response: { 200: WriteAnswer },
      },
    },
    async (req): Promise<WriteAnswer> => {
      const sms_id = newTimeUuid();
      await users.insert({ user_id: req.params.user_id, sms_id, sender_id: req.body.sender_id, sms_text: req.body.sms_text });
      return { successful: true, msg: 'message stored; its v2 features follow (change data capture)', sms_id };
    },
  );
  app.post<{ Body: InboxBody }>(
    '/sms',
    {
      schema: {
        tags: ['inbox'],
        summary:
          'The Inbox API: store the message, then answer once its v2 features are pushed online and offline (200), or after 5 s with why they are late (202: stored, features on their way)',
        body: InboxBody,
        response: { 200: InboxAnswer, 202: InboxAnswer },
      },
    },
    async (req, reply): Promise<InboxAnswer> => {
      const r = await engines.inbox.ingest(req.body.recipient_id, req.body.sender_id, req.body.sms_text);
      if (r.pushed) return { success: true, reason: 'stored; v2 features pushed to the online and offline store', sms_id: r.sms_id };
      reply.status(202);
      return { success: true, reason: `stored; its v2 features are on their way (${r.error})`, sms_id: r.sms_id };
    },
  );
  app.get(
    '/inbox/outbox',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Stored messages whose change has not been handed on yet (to the feature step, or to the stream when it is on)',
        response: { 200: Type.Array(OutboxEntry) },
      },
    },
    async () => engines.ingestion.pending(),
  );
};
