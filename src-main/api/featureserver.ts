/** The Feast-compatible feature server routes. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engines } from '../engines';
import { answerUntil, FeatureInputError, onlineFeaturesJson, parseTimestamp } from '../featurestore';
import { DEFAULT_TOKENIZER_SETTINGS } from '../features';
import { featureServer as routes } from '../../src-shared/routes/featurestore';
import { streamHistorical } from './historical';
import { serve } from './declare';
import type { HotHandler, HotRoutes } from './hot-routes';

export const featureServerRoutes: FastifyPluginAsync<{ engines: Engines; hot?: HotRoutes }> = async (app, { engines, hot }) => {
  const fs = engines.features;

  // lookups through Fastify, and through the hot door (hot-routes.ts) at once when the lookup is
  // known and its rows are read synchronously (no await on the way)
  const onlineFeatures: HotHandler<typeof routes.onlineFeatures> = (req) => fs.getOnlineFeatures(req.body);
  const onlineFeaturesNow: HotHandler<typeof routes.onlineFeatures> = (req) => fs.getOnlineFeaturesNow(req.body) ?? fs.getOnlineFeatures(req.body);
  // the answer written with the JSON texts the kept rows hold (online-answer.ts); the hot door
  // keeps answers by body while the registry and the online rows stay as they were read, and until
  // a ttl ends a value they serve or the store would read the rows again
  serve(app, routes.onlineFeatures, { answer: onlineFeaturesJson }, onlineFeatures);
  hot?.add(routes.onlineFeatures, onlineFeaturesNow, {
    answer: onlineFeaturesJson,
    memo: { moment: () => fs.onlineMoment(), until: answerUntil },
  });
  serve(app, routes.historicalFeatures, async (req, reply) => streamHistorical(fs, req.body, reply));
  serve(app, routes.push, async (req) => {
    pushDomainCheck(req.body.push_source_name, req.body.df, () => {
      // the tokenizer's words; where it is missing (a data dir without one yet), the setting it is fitted with
      try {
        return engines.tokenizers.get().state.settings.MAX_NUM_WORDS;
      } catch {
        return DEFAULT_TOKENIZER_SETTINGS.MAX_NUM_WORDS;
      }
    });
    const r = await fs.push(req.body.push_source_name, req.body.df, req.body.to ?? 'online');
    return { status: 'ok' as const, rows: r.rows, feature_views: r.views, to: req.body.to ?? 'online' };
  });
  serve(app, routes.materialize, async (req) =>
    fs.materialize(parseTimestamp(req.body.start_ts, 'start_ts'), parseTimestamp(req.body.end_ts, 'end_ts'), req.body.feature_views),
  );
  serve(app, routes.materializeIncremental, async (req) => fs.materializeIncremental(parseTimestamp(req.body.end_ts, 'end_ts'), req.body.feature_views));
};

/**
 * What SpamOps' own push sources take beyond their fields' types: a label is "ham" or "spam" (a
 * "maybe" was stored online and offline, then dropped by training as if missing), a token id one
 * the tokenizer gives (ids past its words were stored, refused by serving and read as padding by
 * training). Values of the wrong type are left to the store's check, which names them.
 */
function pushDomainCheck(source: string, df: Record<string, unknown[]>, wordsOf: () => number): void {
  if (source === 'labels_push' && Array.isArray(df.label))
    df.label.forEach((v, i) => {
      if (typeof v === 'string' && v !== 'ham' && v !== 'spam')
        throw new FeatureInputError(
          `df.label[${i}]`,
          `df.label[${i}]: expected "ham" or "spam" (the classes the models learn), got ${JSON.stringify(v.slice(0, 40))}`,
        );
    });
  if (source === 'smss2_push' && Array.isArray(df.features)) {
    const words = wordsOf();
    df.features.forEach((row, i) => {
      if (!Array.isArray(row)) return;
      row.forEach((v, j) => {
        if (Number.isSafeInteger(v) && ((v as number) < 0 || (v as number) >= words))
          throw new FeatureInputError(
            `df.features[${i}][${j}]`,
            `df.features[${i}][${j}]: expected a token id from 0 to ${words - 1} (the tokenizer keeps ${words} words; 0 pads), got ${v}`,
          );
      });
    });
  }
}
