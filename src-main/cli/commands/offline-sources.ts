/**
 * `spamops offline-sources`: write the Parquet offline sources (the seed's create_offline_sources_1/2),
 * encoding with the data dir's tokenizer; `--refit-tokenizer` fits a new one (create_tokenizer_2).
 *
 * A running server encodes with the tokenizer it loaded, so a fit is refused while one holds the
 * data dir (its lock names it): stopping it, refitting, starting it again is the only order in
 * which the server's features and the offline store's agree.
 */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { readTrainingIds } from '../../dataset';
import { buildOfflineSources } from '../../setup';
import { tryLockDataDir } from '../../platform';
import { CliError, note, out, withEngines } from '../context';
import { viewProgress } from '../progress';

export const offlineSourcesCommand = new Command('offline-sources')
  .helpGroup(GROUPS.data)
  .description("write the Parquet offline sources with the data dir's v2 tokenizer (or a new fit with --refit-tokenizer)")
  .option('--training-ids <file>', 'one sms_id per line: the messages a fit reads (default: SPAMOPS_TRAINING_IDS, else every imported id)')
  .option('--refit-tokenizer', 'fit a new v2 tokenizer on the training ids first (refused while a server runs on the data dir)')
  .option('--force', 'refit even though model versions holding an alias were trained with the old vocabulary (retrain them after)')
  .action(async (o: { trainingIds?: string; refitTokenizer?: boolean; force?: boolean }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      // a fit happens when asked for, or when there is no readable tokenizer to keep
      const fits = o.refitTokenizer === true || e.tokenizers.problem() !== undefined;
      const lock = fits ? tryLockDataDir(e.config.dataDir) : undefined;
      if (lock && !lock.acquired)
        throw new CliError(
          `a SpamOps process (pid ${lock.holder.pid} on ${lock.holder.host}: a server, or a command that trains) holds ${e.config.dataDir} and encodes with the tokenizer it loaded; a new fit would not reach it. Stop it, run this again, then start it. Nothing was written.`,
        );
      try {
        const file = o.trainingIds ?? e.config.trainingIdsPath;
        const p = viewProgress();
        const r = await buildOfflineSources(e, file ? readTrainingIds(file) : undefined, (s) => note(`  ${s}`), {
          keepTokenizer: !o.refitTokenizer,
          force: o.force,
          onProgress: p.onProgress,
        }).finally(p.stop);
        for (const s of r.sources) out(`${s.source}: ${s.rows} rows -> ${s.file}`);
        const t = r.tokenizer;
        if (!t.fitted) out(`tokenizer: kept ${t.dir} (${t.vocabulary} words seen, fitted on ${t.fittedOn} messages); --refit-tokenizer fits a new one`);
        else out(`tokenizer: ${t.vocabulary} words seen, fitted on ${t.fittedOn} messages -> ${t.dir}`);
        if (t.otherVocabulary.length)
          out(
            `trained with another vocabulary: ${t.otherVocabulary.join(', ')}; the feature store's v2 features no longer mean what they learned: retrain them (spamops train <model>)`,
          );
      } finally {
        lock?.release();
      }
    }),
  );
