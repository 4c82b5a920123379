/** `GET /check`: the data dir verified (as `spamops check`): features equal to their text's, ids held once, parts listed. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { CheckAnswer } from '../../src-shared/check';
import { checkDataDir } from '../setup';

export const checkRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  let running: Promise<CheckAnswer> | undefined;
  app.get(
    '/check',
    {
      schema: {
        tags: ['health'],
        summary:
          "Verify the data dir: every inbox message's online and offline v2 features equal its text's, no sms_id held by two users, no online row missing, every Parquet part listed in its manifest. Reads everything: one check at a time (a second caller shares the running one)",
        response: { 200: CheckAnswer },
      },
    },
    async (): Promise<CheckAnswer> => {
      running ??= checkDataDir(engines).finally(() => {
        running = undefined;
      });
      return running;
    },
  );
};
