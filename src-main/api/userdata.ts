/** User data (the seed's user-data API) and the Inbox API. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { newTimeUuid, timeOfTimeUuid } from '../platform';
import type { SmsMessage } from '../storage';
import type { Sms } from '../../src-shared/userdata';
import { inbox, userData as routes } from '../../src-shared/routes/userdata';
import { HttpError } from './errors';
import { serve } from './declare';

const withDate = (m: SmsMessage): Sms => ({ ...m, date_sent: timeOfTimeUuid(m.sms_id).toISOString() });

export const userDataRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  const users = engines.storage.users;

  serve(app, routes.users, async () => users.listUsers());
  serve(app, routes.messages, async (req) => (await users.listByUser(req.params.user_id, Number(req.query.limit ?? 1000))).map(withDate));
  serve(app, routes.message, async (req) => {
    // ids are stored lower-cased (as a UUID is written); the pattern takes either case
    const m = await users.get(req.params.user_id, req.params.sms_id.toLowerCase());
    if (!m) throw new HttpError(404, 'not_found', `user ${req.params.user_id} has no message ${req.params.sms_id}`);
    return withDate(m);
  });
  serve(app, routes.write, async (req) => {
    const sms_id = newTimeUuid();
    await users.insert({ user_id: req.params.user_id, sms_id, sender_id: req.body.sender_id, sms_text: req.body.sms_text });
    return { successful: true, msg: 'message stored; its v2 features follow (change data capture)', sms_id };
  });
  serve(app, inbox.ingest, async (req, reply) => {
    const r = await engines.inbox.ingest(req.body.recipient_id, req.body.sender_id, req.body.sms_text);
    if (r.pushed)
      return { success: true, reason: 'stored; v2 features pushed to the online store (the offline store takes them within a second)', sms_id: r.sms_id };
    reply.status(202);
    return { success: true, reason: `stored; its v2 features are on their way (${r.error})`, sms_id: r.sms_id };
  });
  serve(app, inbox.outbox, async () => engines.ingestion.pending());
};
