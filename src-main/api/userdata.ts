/** User data (the seed's user-data API) and the Inbox API. */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Engines } from '../engines';
import { newTimeUuid, isTimeUuid, timeOfTimeUuid } from '../platform';
import type { SmsMessage } from '../storage';
import { HttpError } from './errors';

const UserId = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^/\\s]+$' });
const UserParam = Type.Object({ user_id: UserId });
const MessageParam = Type.Object({ user_id: UserId, sms_id: Type.String({ minLength: 1, maxLength: 100 }) });
const Text = Type.String({ minLength: 1, maxLength: 2000 });
const WriteBody = Type.Object({ sender_id: Type.String({ minLength: 1, maxLength: 100 }), sms_text: Text }, { additionalProperties: false });
const InboxBody = Type.Object({ recipient_id: UserId, sender_id: Type.String({ minLength: 1, maxLength: 100 }), sms_text: Text }, { additionalProperties: false });
const ListQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })) }, { additionalProperties: false });

const withDate = (m: SmsMessage) => ({ ...m, date_sent: timeOfTimeUuid(m.sms_id).toISOString() });

export const userDataRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const users = engines.storage.users;
  const tags = ['user data'];

  app.get('/users', { schema: { tags, summary: 'Users with messages' } }, async () => users.listUsers());
  app.get<{ Params: Static<typeof UserParam>; Querystring: Static<typeof ListQuery> }>(
    '/sms/:user_id',
    { schema: { tags, summary: "A user's messages, newest first", params: UserParam, querystring: ListQuery } },
    async (req) => (await users.listByUser(req.params.user_id, Number(req.query.limit ?? 1000))).map(withDate),
  );
  app.get<{ Params: Static<typeof MessageParam> }>('/sms/:user_id/:sms_id', { schema: { tags, params: MessageParam } }, async (req) => {
    if (!isTimeUuid(req.params.sms_id)) throw new HttpError(400, 'validation_error', `sms_id: expected a TimeUUID, got "${req.params.sms_id}"`, { field: 'params.sms_id' });
    const m = await users.get(req.params.user_id, req.params.sms_id);
    if (!m) throw new HttpError(404, 'not_found', `user ${req.params.user_id} has no message ${req.params.sms_id}`);
    return withDate(m);
  });
  app.post<{ Params: Static<typeof UserParam>; Body: Static<typeof WriteBody> }>(
    '/sms/:user_id',
    { schema: { tags, summary: "Write a message to a user's inbox (no features: see POST /sms)", params: UserParam, body: WriteBody } },
    async (req) => {
      const sms_id = newTimeUuid();
      await users.insert({ user_id: req.params.user_id, sms_id, sender_id: req.body.sender_id, sms_text: req.body.sms_text });
      return { successful: true, msg: 'message stored', sms_id };
    },
  );
  app.post<{ Body: Static<typeof InboxBody> }>(
    '/sms',
    { schema: { tags: ['inbox'], summary: 'The Inbox API: store the message, push its v2 features online and offline', body: InboxBody } },
    async (req, reply) => {
      const r = await engines.inbox.ingest(req.body.recipient_id, req.body.sender_id, req.body.sms_text);
      if (r.pushed) return { success: true, reason: 'stored; v2 features pushed to the online and offline store', sms_id: r.sms_id };
      reply.status(202);
      return { success: true, reason: `stored; the feature push failed (${r.error}) and is retried from the outbox`, sms_id: r.sms_id };
    },
  );
  app.get('/inbox/outbox', { schema: { tags: ['inbox'], summary: 'Messages whose feature push is pending' } }, async () => engines.inbox.pending());
};
