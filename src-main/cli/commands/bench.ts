/** `spamops bench`: the engines' speed on the full dataset (see bench/run.ts). */
import { Command } from 'commander';

export const benchCommand = new Command('bench')
  .description('measure the engines on the full dataset; prints a table, writes bench/results/latest.json')
  .option('--dataset <file>', 'the full labelled dataset (env SPAMOPS_DATASET)')
  .option('--quick', 'fewer repetitions')
  .action(async (o: { dataset?: string; quick?: boolean }) => {
    const { runBench } = await import('../../../bench/run');
    await runBench({ dataset: o.dataset, quick: o.quick });
  });
