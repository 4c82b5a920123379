/**
 * The one length limit of a message id (`sms_id`, the feature store's entity key): imports refuse
 * longer ids, and every route that looks ids up accepts them up to the same length, so an id that
 * was stored can always be asked for.
 */
import { Type } from '@sinclair/typebox';

export const SMS_ID_MAX_LENGTH = 200;

export const SmsIdString = Type.String({ minLength: 1, maxLength: SMS_ID_MAX_LENGTH, description: `a message id of 1 to ${SMS_ID_MAX_LENGTH} characters` });
