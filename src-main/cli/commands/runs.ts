/** `spamops runs list | show <id> | rerun <id> | tag <id> [tags...] | compare <ids...>`: the training runs. */
import { Argument, Command } from 'commander';
import { GROUPS } from '../groups';
import { CliError, fmt, out, table, withEngines } from '../context';
import { InputError } from '../../platform';
import { trainWithProgress } from './training-output';
import { runName, runTag } from './train';
import { diffParams } from '../../../src-shared/training';

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
        r.name ?? '',
        (r.tags ?? []).join(','),
      ]);
    out(table(['run', 'model', 'status', 'backend', 'duration', 'accuracy', 'f1 spam', 'version', 'name', 'tags'], rows));
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

const compare = new Command('compare')
  .description('2 to 4 runs side by side: name, tags, status, metrics, final epoch, version, parameters (* where they differ)')
  .argument('<ids...>', '2 to 4 run ids')
  .action(async (ids: string[], _o: unknown, cmd: Command) => {
    const unique = [...new Set(ids)];
    if (unique.length !== ids.length) throw new CliError('runs compare: a run is named twice');
    if (ids.length < 2 || ids.length > 4) throw new CliError(`runs compare: expected 2 to 4 run ids, got ${ids.length}`);
    await withEngines(cmd, async (e) => {
      await e.runs.init({ resume: false });
      const runs = ids.map((id) => {
        try {
          return e.runs.get(id);
        } catch {
          throw new CliError(`runs compare: no run "${id}" (spamops runs list shows them)`);
        }
      });
      const last = (r: (typeof runs)[number]) => r.history.epochs.at(-1);
      const rows = [
        ['', 'model', ...runs.map((r) => r.model)],
        ['', 'name', ...runs.map((r) => r.name ?? '-')],
        ['', 'tags', ...runs.map((r) => (r.tags ?? []).join(',') || '-')],
        ['', 'status', ...runs.map((r) => r.status)],
        ['', 'accuracy', ...runs.map((r) => fmt(r.metrics?.accuracy))],
        ['', 'f1 spam', ...runs.map((r) => fmt(r.metrics?.f1))],
        ['', 'epochs', ...runs.map((r) => String(r.history.epochs.length))],
        ['', 'last loss', ...runs.map((r) => fmt(last(r)?.loss ?? undefined))],
        ['', 'version', ...runs.map((r) => r.version ?? '-')],
        ...diffParams(runs.map((r) => r.params as Record<string, unknown>)).map((p) => [
          p.differs ? '*' : '',
          p.key,
          ...p.values.map((x) => (x === null ? '-' : String(x))),
        ]),
      ];
      out('* marks parameters that differ');
      out(table(['', '', ...runs.map((r) => r.id)], rows));
    });
  });

const tag = new Command('tag')
  .description('add tags to a run (or remove them with --remove), or rename it with --name; its versions show them')
  .argument('<id>', 'the run id')
  .addArgument(new Argument('[tags...]', 'tags: 1 to 32 of a-z, 0-9, ".", "_", "-"').argParser(runTag))
  .option('--remove', 'remove these tags instead')
  .option('--name <text>', 'rename the run ("" removes its name)', runName)
  .action(async (id: string, tags: string[] | undefined, o: { remove?: boolean; name?: string }, cmd: Command) => {
    const checked = [...new Set(tags ?? [])];
    if (checked.length === 0 && o.name === undefined) throw new CliError('runs tag: give tags, or --name');
    await withEngines(cmd, async (e) => {
      await e.runs.init({ resume: false });
      try {
        const r = await e.runs.label(id, { ...(o.name !== undefined ? { name: o.name } : {}), ...(o.remove ? { remove: checked } : { add: checked }) });
        out(`${r.id}: ${r.name ? `"${r.name}"` : '(no name)'}, tags ${(r.tags ?? []).join(', ') || '(none)'}`);
      } catch (err) {
        if (err instanceof InputError) throw new CliError(err.message);
        throw err;
      }
    });
  });

export const runsCommand = new Command('runs')
  .helpGroup(GROUPS.training)
  .description('training runs: list (default), show <id>, rerun <id>, tag <id> [tags...], compare <ids...>')
  .addCommand(list, { isDefault: true })
  .addCommand(show)
  .addCommand(rerun)
  .addCommand(compare)
  .addCommand(tag);
