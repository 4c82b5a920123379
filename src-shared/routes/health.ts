/** `/health`, `/local/info` and `/check`. */
import { CheckAnswer } from '../check';
import { HealthAnswer, LocalInfoAnswer } from '../health';
import { route } from './define';

const tags = ['health'];

export const health = {
  health: route({
    method: 'GET',
    url: '/health',
    tags,
    summary: '200 once the engines answer; status degraded lists what does not work and what to do; the stream state when it is on',
    response: { 200: HealthAnswer },
  }),
  localInfo: route({
    method: 'GET',
    url: '/local/info',
    tags,
    summary: 'Data dir, storage and the API token (loopback callers only)',
    response: { 200: LocalInfoAnswer },
  }),
  check: route({
    method: 'GET',
    url: '/check',
    tags,
    summary:
      "Verify the data dir: every inbox message's online and offline v2 features equal its text's, no sms_id held by two users, no online row missing, every Parquet part listed in its manifest. Reads everything: one check at a time (a second caller shares the running one)",
    response: { 200: CheckAnswer },
  }),
};
