/** Contracts of the user-data API (the seed's 8111 service) and the Inbox API (8222). */
import { Type, type Static } from '@sinclair/typebox';

export const UserId = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^/\\s]+$' });
export const UserParam = Type.Object({ user_id: UserId });
export type UserParam = Static<typeof UserParam>;
/** version-1 UUIDs, as Cassandra's timeuuid */
export const TIMEUUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-1[0-9a-fA-F]{3}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const MessageParam = Type.Object({ user_id: UserId, sms_id: Type.String({ pattern: TIMEUUID_PATTERN, description: 'a TimeUUID (version-1 UUID)' }) });
export type MessageParam = Static<typeof MessageParam>;
export const MessagesQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })) }, { additionalProperties: false });
export type MessagesQuery = Static<typeof MessagesQuery>;

const SenderId = Type.String({ minLength: 1, maxLength: 100 });
const SmsText = Type.String({ minLength: 1, maxLength: 2000 });
/** POST /sms/{user_id}: write a message into a user's inbox */
export const WriteBody = Type.Object({ sender_id: SenderId, sms_text: SmsText }, { additionalProperties: false });
export type WriteBody = Static<typeof WriteBody>;
export const WriteAnswer = Type.Object({ successful: Type.Boolean(), msg: Type.String(), sms_id: Type.String() });
export type WriteAnswer = Static<typeof WriteAnswer>;
/** POST /sms: the Inbox API */
export const InboxBody = Type.Object({ recipient_id: UserId, sender_id: SenderId, sms_text: SmsText }, { additionalProperties: false });
export type InboxBody = Static<typeof InboxBody>;
export const InboxAnswer = Type.Object({ success: Type.Boolean(), reason: Type.String(), sms_id: Type.String() });
export type InboxAnswer = Static<typeof InboxAnswer>;

/** a message as the API answers it: `date_sent` derived from the TimeUUID */
export const Sms = Type.Object({ user_id: Type.String(), sms_id: Type.String(), sender_id: Type.String(), sms_text: Type.String(), date_sent: Type.String() });
export type Sms = Static<typeof Sms>;

/** GET /inbox/outbox: messages whose feature push is pending */
export const OutboxEntry = Type.Object({
  message: Type.Object({ user_id: Type.String(), sms_id: Type.String(), sender_id: Type.String(), sms_text: Type.String() }),
  attempts: Type.Integer(),
  lastError: Type.Optional(Type.String()),
  createdAt: Type.String(),
});
export type OutboxEntry = Static<typeof OutboxEntry>;
