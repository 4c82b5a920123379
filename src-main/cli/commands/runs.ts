/** `spamops runs list | show <id> | rerun <id>`: the training runs. */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { fmt, out, table, withEngines } from '../context';
import { trainWithProgress } from './training-output';

const list = new Command('list').description('every run, newest first').action(async (_o: unknown, cmd: Command) =>
  withEngines(cmd, async (e) => {
    await e.runs.init({ resume: false });
    const rows = e.runs
      .list()
      .map((r) => [
        r.id,
        r.model,
        r.status,
        r.backend ?? '-',
        r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)} s` : '-',
        fmt(r.metrics?.accuracy),
        fmt(r.metrics?.f1),
        r.version ?? '-',
      ]);
    out(table(['run', 'model', 'status', 'backend', 'duration', 'accuracy', 'f1 spam', 'version'], rows));
  }),
);

const show = new Command('show')
  .description('one run as JSON (per-batch history counted, not listed)')
  .argument('<id>', 'the run id')
  .action(async (id: string, _o: unknown, cmd: Command) =>
    withEngines(cmd, async (e) => {
      await e.runs.init({ resume: false });
      const r = e.runs.get(id);
      out(JSON.stringify({ ...r, history: { epochs: r.history.epochs, batches: `${r.history.batches.length} batches` } }, null, 2));
    }),
  );

const rerun = new Command('rerun')
  .description('repeat a run from its record (same data, parameters, seed) and compare')
  .argument('<id>', 'the run id')
  .action(async (id: string, _o: unknown, cmd: Command) =>
    withEngines(cmd, async (e) => {
      await e.runs.init({ resume: false });
      const old = e.runs.get(id);
      const r = await trainWithProgress(e, {
        model: old.model,
        base: old.base,
        params: old.params,
        backend: old.backendRequested,
        alias: old.alias,
        rerunOf: id,
      });
      out(
        `metrics of ${id}: accuracy ${fmt(old.metrics?.accuracy)}, f1 ${fmt(old.metrics?.f1)}; of ${r.id}: accuracy ${fmt(r.metrics?.accuracy)}, f1 ${fmt(r.metrics?.f1)}`,
      );
    }),
  );

export const runsCommand = new Command('runs')
  .helpGroup(GROUPS.training)
  .description('training runs: list (default), show <id>, rerun <id>')
  .addCommand(list, { isDefault: true })
  .addCommand(show)
  .addCommand(rerun);
