/** `spamops bench`: the engines' speed on the full dataset (bench/run.ts), or as the data grows (`--scale`, bench/scale.ts). */
import { Command, InvalidArgumentError } from 'commander';
import { GROUPS } from '../groups';

function sizes(raw: string): number[] {
  const out = raw.split(',').map((x) => {
    const n = Number(x.trim().replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 100 || n > 50_000_000)
      throw new InvalidArgumentError(`--scale: expected message counts from 100 to 50000000 separated by commas, got "${raw}"`);
    return n;
  });
  return out;
}

export const benchCommand = new Command('bench')
  .helpGroup(GROUPS.serving)
  .description('measure the engines on the full dataset; prints a table, writes bench/results/latest.json')
  .option('--dataset <file>', 'the full labelled dataset (env SPAMOPS_DATASET)')
  .option('--quick', 'fewer repetitions')
  .option(
    '--only <part>',
    'only this part: http (the serving rows beside the ceiling, on the released models), stream (NATS JetStream ingestion) or training (v3 against PyTorch, in turn)',
    (v: string) => {
      if (v !== 'http' && v !== 'stream' && v !== 'training') throw new InvalidArgumentError(`--only: expected http, stream or training, got "${v}"`);
      return v as 'http' | 'stream' | 'training';
    },
  )
  .option('--anchors <dir>', "the seed's Python anchors (lstm_train.py), for the PyTorch rows; default: anchors/ beside the dataset's folder")
  .option('--scale <sizes>', 'instead: the feature store and v1 training on synthetic datasets of these sizes (e.g. 7500,75000,1000000)', sizes)
  .option('--lstm', 'with --scale: also train v2 for one epoch at each size (its memory)')
  .action(async (o: { dataset?: string; quick?: boolean; only?: 'http' | 'stream' | 'training'; anchors?: string; scale?: number[]; lstm?: boolean }) => {
    if (o.scale) {
      const { runScaleBench } = await import('../../../bench/scale');
      await runScaleBench({ sizes: o.scale, dataset: o.dataset, lstm: o.lstm });
      return;
    }
    const { runBench } = await import('../../../bench/run');
    await runBench({ dataset: o.dataset, quick: o.quick, only: o.only, anchors: o.anchors });
  });
