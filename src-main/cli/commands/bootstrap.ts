/** `spamops bootstrap`: the seed story's set-up in one go (idempotent), then the models that have no version yet. */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { bootstrap, queueMissingModels } from '../../setup';
import { MODEL_NAMES, type ModelName } from '../../../src-shared/training';
import { viewProgress } from '../progress';
import { CliError, configOf, initRunsForTraining, withEngines } from '../context';
import { existsSync, statSync } from 'node:fs';
import { followRun } from './training-output';

function modelList(raw: string): ModelName[] {
  if (raw === 'none') return [];
  const list = raw.split(',').map((x) => x.trim());
  // the built-in generations only (a model id of your own trains with `spamops train <id> --base`): "v7" was trained as a model
  for (const m of list)
    if (!(MODEL_NAMES as readonly string[]).includes(m)) throw new CliError(`--models: expected a list of ${MODEL_NAMES.join(', ')} or "none", got "${m}"`);
  return list;
}

export const bootstrapCommand = new Command('bootstrap')
  .helpGroup(GROUPS.data)
  .description("the seed story's set-up in one go (idempotent), then trains the models that have no version yet")
  .option('--dataset <file>', 'the labelled dataset to import (env SPAMOPS_DATASET; default the project sample)')
  .option('--training-ids <file>', 'the ids to fit the tokenizer on (default training_sms_ids.txt beside the dataset)')
  .option('--models <list>', 'models to train: v1,v2,v3 or none', 'v1,v2,v3')
  .action(async (o: { dataset?: string; trainingIds?: string; models: string; released?: boolean }, cmd: Command) => {
    const models = modelList(o.models);
    // checked before the data dir is opened: a bootstrap that cannot start leaves no data dir behind
    const { datasetPath } = configOf(cmd, { datasetPath: o.dataset });
    if (!existsSync(datasetPath)) throw new CliError(`--dataset: no such file ${datasetPath} (set --dataset or SPAMOPS_DATASET)`);
    if (statSync(datasetPath).isDirectory()) throw new CliError(`--dataset: ${datasetPath} is a directory: give the dataset's CSV file`);
    await withEngines(
      cmd,
      async (e) => {
        await initRunsForTraining(e);
        const p = viewProgress();
        await bootstrap(e, {
          datasetPath: e.config.datasetPath,
          trainingIdsPath: o.trainingIds ?? e.config.trainingIdsPath,
          log: (s) => process.stderr.write(`${s}\n`),
          progress: p.onProgress,
          released: o.released,
        });
        p.stop();
        for (const run of await queueMissingModels(e, models)) {
          const r = await followRun(e, run);
          if (r.status !== 'succeeded') throw new CliError(`training ${r.model} ${r.status}: ${r.error ?? ''}`);
        }
      },
      { datasetPath: o.dataset },
    );
  });
