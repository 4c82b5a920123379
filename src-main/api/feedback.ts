/**
 * Operator feedback: the true label of a message whose verdict was wrong (or right), from the
 * console or a tool. Kept in the storage layer for the monitoring engine (quality over time,
 * retraining on feedback).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { UnknownNameError } from '../featurestore';
import { messageContexts } from '../inbox';
import { pageLimit } from '../../src-shared/paging';
import { feedback as routes } from '../../src-shared/routes/monitoring';
import { serve } from './declare';
import { HttpError } from './errors';

/** the online view the inbox pushes each message's features v2 to (a message pushed without one has them) */
const FEATURES_V2 = 'sms_features2:features';

/**
 * Feedback labels a message the product has: one in an inbox (of the user named, when one is), one
 * imported into the warehouse, or one whose features v2 were pushed to the online store. A label of
 * an id nothing has was taken (201) and went into the labels view as a row without features: the
 * feature service's statistics counted it missing.
 */
async function checkTarget(engines: Engines, smsId: string, userId: string | undefined): Promise<void> {
  const [context] = await messageContexts({ users: engines.storage.users, labelled: engines.storage.labelled }, [smsId]);
  if (context.user_id !== null && userId !== undefined && userId !== context.user_id)
    throw new HttpError(409, 'conflict', `message ${smsId} is in the inbox of ${context.user_id}, not of ${userId}`, { field: 'body.user_id' });
  if (context.found_in.length > 0) return;
  // a registry without features v2 (an earlier stage) has none; an online store that fails says so (503), not 404
  const online = await engines.features.getOnlineFeatures({ features: [FEATURES_V2], entities: { sms_id: [smsId] } }).catch((e: unknown) => {
    if (e instanceof UnknownNameError) return undefined;
    throw e;
  });
  const at = online?.metadata.feature_names.indexOf('features') ?? -1;
  if (online && at >= 0 && online.results[at].statuses[0] === 'PRESENT') return;
  throw new HttpError(
    404,
    'not_found',
    `no message ${JSON.stringify(smsId)} in any inbox, in the warehouse or in the online store's features v2: feedback labels a message the product has (POST /sms stores one, spamops import brings a dataset)`,
    { field: 'body.sms_id' },
  );
}

export const feedbackRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  serve(app, routes.record, async (req, reply) => {
    await checkTarget(engines, req.body.sms_id, req.body.user_id);
    reply.status(201);
    return engines.feedback.record({ ...req.body, caller: req.ip });
  });
  serve(app, routes.list, async (req) => engines.feedback.list({ limit: pageLimit(req.query.limit), before: req.query.before }));
};
