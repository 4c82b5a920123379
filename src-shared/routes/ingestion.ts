/** Ingestion: how stored messages reach the feature step (change log or stream), its figures, and the stream's dead letters. */
import { Type } from '@sinclair/typebox';
import { DeadLetter, DeadLetterParam, DeadLettersQuery, IngestionStats, RetryAnswer } from '../ingestion';
import { route } from './define';

const tags = ['ingestion'];

export const ingestion = {
  stats: route({
    method: 'GET',
    url: '/ingestion/stats',
    tags,
    summary: 'Stream on or off (and why unavailable), change log and consumer lag, processed per second, redeliveries, dead letters',
    response: { 200: IngestionStats },
  }),
  deadLetters: route({
    method: 'GET',
    url: '/ingestion/dead-letters',
    tags,
    summary: 'Messages the stream gave up on, newest first, with the reason (none when the stream is off; 503 while it is unreachable)',
    querystring: DeadLettersQuery,
    response: { 200: Type.Array(DeadLetter) },
  }),
  retry: route({
    method: 'POST',
    url: '/ingestion/dead-letters/:seq/retry',
    tags,
    summary: 'Publish a dead letter again to the subject it came from (it keeps the id it would be stored under), then remove it',
    params: DeadLetterParam,
    response: { 200: RetryAnswer },
  }),
};
