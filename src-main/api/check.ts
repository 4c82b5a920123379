/** `GET /check`: the data dir verified (as `spamops check`): features equal to their text's, ids held once, parts listed. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import type { CheckAnswer } from '../../src-shared/check';
import { health as routes } from '../../src-shared/routes/health';
import { checkDataDir } from '../setup';
import { serve } from './declare';

export const checkRoutes: FastifyPluginAsync<{ engines: Engines }> = async (app, { engines }) => {
  let running: Promise<CheckAnswer> | undefined;
  serve(app, routes.check, async () => {
    running ??= checkDataDir(engines).finally(() => {
      running = undefined;
    });
    return running;
  });
};
