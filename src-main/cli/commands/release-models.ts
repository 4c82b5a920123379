/** `spamops release-models --dataset FILE`: rebuild the released models of `models/` (see setup/release.ts). */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { appRoot } from '../../config';
import { releaseModels } from '../../setup';
import { CliError, integer, note, out } from '../context';

export const releaseModelsCommand = new Command('release-models')
  .helpGroup(GROUPS.training)
  .description("train v1, v2, v3 and the tokenizer on a dataset and write them to the project's models/ (what a first start serves)")
  .requiredOption('--dataset <file>', 'the labelled dataset (seed CSV, UCI SMS TSV or UCI YouTube CSV)')
  .option('--training-ids <file>', 'fit the tokenizer on these ids only (default: every message, in file order)')
  .option('--out <dir>', "where to write (default: the project's models/)")
  .option('--seed <n>', 'split and initialisation seed: the same seed gives the same metrics', integer('--seed', 0, 2 ** 31 - 1), 42)
  .action(async (o: { dataset: string; trainingIds?: string; out?: string; seed: number }) => {
    if (!existsSync(o.dataset)) throw new CliError(`no such file: ${o.dataset}`);
    const outDir = resolve(o.out ?? resolve(appRoot(), 'models'));
    const released = await releaseModels({ datasetPath: resolve(o.dataset), trainingIdsPath: o.trainingIds, outDir, seed: o.seed, log: note });
    for (const [m, r] of Object.entries(released))
      out(
        `${m}: accuracy ${r.metrics.accuracy.toFixed(4)}, F1 spam ${r.metrics.f1.toFixed(4)}, ROC AUC ${r.metrics.rocAuc.toFixed(4)} (${r.backend}; ${r.release.trainingData.trainRows} train / ${r.release.trainingData.testRows} test rows)`,
      );
    out(`written to ${outDir}`);
  });
