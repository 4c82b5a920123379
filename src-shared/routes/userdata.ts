/** User data (the seed's user-data API) and the Inbox API. */
import { Type } from '@sinclair/typebox';
import { InboxAnswer, InboxBody, MessageParam, MessagesQuery, OutboxEntry, Sms, UserParam, WriteAnswer, WriteBody } from '../userdata';
import { route } from './define';

const tags = ['user data'];

export const userData = {
  users: route({ method: 'GET', url: '/users', tags, summary: 'Users with messages', response: { 200: Type.Array(Type.String()) } }),
  messages: route({
    method: 'GET',
    url: '/sms/:user_id',
    tags,
    summary: "A user's messages, newest first",
    params: UserParam,
    querystring: MessagesQuery,
    response: { 200: Type.Array(Sms) },
  }),
  message: route({ method: 'GET', url: '/sms/:user_id/:sms_id', tags, summary: 'One message of a user', params: MessageParam, response: { 200: Sms } }),
  write: route({
    method: 'POST',
    url: '/sms/:user_id',
    tags,
    summary: "Write a message to a user's inbox; its change is recorded with it, so the feature step pushes its v2 features within seconds",
    params: UserParam,
    body: WriteBody,
    response: { 200: WriteAnswer },
  }),
};

export const inbox = {
  ingest: route({
    method: 'POST',
    url: '/sms',
    tags: ['inbox'],
    summary:
      'The Inbox API: store the message, then answer once its v2 features are pushed online (200; the offline store takes them, group-committed, within a second), or after 5 s with why they are late (202: stored, features on their way)',
    body: InboxBody,
    response: { 200: InboxAnswer, 202: InboxAnswer },
  }),
  outbox: route({
    method: 'GET',
    url: '/inbox/outbox',
    tags: ['inbox'],
    summary: 'Stored messages whose change has not been handed on yet (to the feature step, or to the stream when it is on)',
    response: { 200: Type.Array(OutboxEntry) },
  }),
};
