/** `spamops offline-sources`: fit the v2 tokenizer, write the Parquet offline sources (the seed's create_offline_sources_1/2). */
import { Command } from 'commander';
import { readTrainingIds } from '../../dataset';
import { buildOfflineSources } from '../../setup';
import { note, out, withEngines } from '../context';
import { viewProgress } from '../progress';

export const offlineSourcesCommand = new Command('offline-sources')
  .description('fit the v2 tokenizer on the training ids, write the Parquet offline sources')
  .option('--training-ids <file>', 'one sms_id per line (default: SPAMOPS_TRAINING_IDS, else every imported id)')
  .action(async (o: { trainingIds?: string }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const file = o.trainingIds ?? e.config.trainingIdsPath;
      const p = viewProgress();
      const r = await buildOfflineSources(e, file ? readTrainingIds(file) : undefined, (s) => note(`  ${s}`), { onProgress: p.onProgress }).finally(p.stop);
      for (const s of r.sources) out(`${s.source}: ${s.rows} rows -> ${s.file}`);
      out(`tokenizer: ${r.tokenizer.vocabulary} words seen, fitted on ${r.tokenizer.fittedOn} messages -> ${r.tokenizer.dir}`);
    }),
  );
