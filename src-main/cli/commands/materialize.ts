/** `spamops materialize <start> <end>` and `materialize-incremental <end>`, as Feast's. */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import type { MaterializeResponse } from '../../../src-shared/featurestore';
import { viewProgress } from '../progress';
import { listOf, out, timestampArg, withEngines } from '../context';

const VIEWS = ['--views <names>', 'only these feature views (comma-separated)', listOf] as const;

function report(r: MaterializeResponse): void {
  for (const x of r.views) out(`${x.feature_view}: ${x.rows_written} rows (${x.start_ts} -> ${x.end_ts})`);
  out(`done in ${r.duration_ms.toFixed(0)} ms`);
}

export const materializeCommand = new Command('materialize')
  .helpGroup(GROUPS.data)
  .description('load the latest offline rows with event times in [start, end] into the online store')
  .argument('<start>', 'a timestamp such as 2009-01-01T00:00:00')
  .argument('<end>', 'a timestamp such as 2019-12-31T00:00:00')
  .option(...VIEWS)
  .action(async (start: string, end: string, o: { views?: string[] }, cmd: Command) => {
    const [from, to] = [timestampArg(start, 'start'), timestampArg(end, 'end')];
    await withEngines(cmd, async (e) => {
      const p = viewProgress();
      const r = await e.features.materialize(from, to, o.views, p.onProgress);
      p.stop();
      report(r);
    });
  });

export const materializeIncrementalCommand = new Command('materialize-incremental')
  .helpGroup(GROUPS.data)
  .description('materialize from where each view stopped up to end')
  .argument('<end>', 'a timestamp such as 2021-09-02T00:00:00')
  .option(...VIEWS)
  .action(async (end: string, o: { views?: string[] }, cmd: Command) => {
    const to = timestampArg(end, 'end');
    await withEngines(cmd, async (e) => {
      const p = viewProgress();
      const r = await e.features.materializeIncremental(to, o.views, p.onProgress);
      p.stop();
      report(r);
    });
  });
