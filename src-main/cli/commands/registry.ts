/** `spamops plan | apply | history | explore`: the feature registry, as `feast plan`, `feast apply` and the seed's explorer. */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { definitionsForStage, formatDiff } from '../../featurestore';
import { CliError, out, stageOf, withEngines } from '../context';
import { definitionsInUse } from '../../setup';

const STAGE = ['--stage <stage>', 'the story stage 2019, 2020 or 2021 (env FEAST_STORE_STAGE; default 2021)'] as const;

export const planCommand = new Command('plan')
  .helpGroup(GROUPS.data)
  .description('show what apply would change in the registry')
  .option(...STAGE)
  .action(async (o: { stage?: string }, cmd: Command) =>
    withEngines(cmd, async (e) => out(formatDiff(await e.features.registry.plan(definitionsForStage(stageOf(o.stage)))))),
  );

export const applyCommand = new Command('apply')
  .helpGroup(GROUPS.data)
  .description('apply the feature definitions of a stage (a snapshot with its diff is kept)')
  .option(...STAGE)
  .option('--force', 'apply even when it removes definitions that trained models, the inbox or feedback use')
  .action(async (o: { stage?: string; force?: boolean }, cmd: Command) => {
    const stage = stageOf(o.stage);
    await withEngines(cmd, async (e) => {
      const defs = definitionsForStage(stage);
      const diff = await e.features.registry.plan(defs);
      const inUse = await definitionsInUse(e, (await e.features.registry.current())?.definitions, diff);
      if (inUse.length && !o.force)
        throw new CliError(
          `stage ${stage} would remove definitions in use (their online rows go too):\n${inUse
            .map((u) => `  - ${u.kind.replace('_', ' ')} ${u.name}: used by ${u.usedBy.join('; ')}`)
            .join('\n')}\nServing lookups, retraining and the inbox's features would fail. Apply a later stage, or pass --force to apply anyway.`,
        );
      const r = await e.features.apply(defs, stage);
      out(formatDiff(r.diff));
      out(r.changed ? `applied: registry version ${r.snapshot.version} (stage ${stage})` : `registry unchanged at version ${r.snapshot.version}`);
    });
  });

export const historyCommand = new Command('history')
  .helpGroup(GROUPS.data)
  .description('registry snapshots with their diffs')
  .action(async (_o: unknown, cmd: Command) =>
    withEngines(cmd, async (e) => {
      for (const s of await e.features.registry.history())
        out(`version ${s.version}  ${s.appliedAt}  stage ${s.stage}\n${formatDiff(s.diff).replace(/^/gm, '  ')}`);
    }),
  );

export const exploreCommand = new Command('explore')
  .helpGroup(GROUPS.data)
  .description('entities, sources, feature views and services')
  .action(async (_o: unknown, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const d = await e.features.registry.definitions();
      out(`Project ${d.project}`);
      out('\nEntities:');
      for (const x of d.entities) out(`  ${x.name} (join keys: ${x.joinKeys.join(', ')}) — ${x.description}`);
      out('\nData sources:');
      for (const s of d.sources) out(`  ${s.name} [${s.kind}] ${s.kind === 'push' ? `over ${s.batchSource}` : `${s.path}/, time ${s.timestampField}`}`);
      out('\nFeature views:');
      for (const fv of d.featureViews) {
        out(
          `  ${fv.name} (source ${fv.source}, ttl ${fv.ttlSeconds || 'none'}, online ${fv.online}, tags ${JSON.stringify(fv.tags)}, materialized until ${(await e.features.materializedUntil(fv.name)) ?? 'never'})`,
        );
        for (const f of fv.schema) out(`    - ${f.name}: ${f.dtype}${f.length ? `[${f.length}]` : ''} — ${f.description}`);
      }
      out('\nFeature services:');
      for (const s of d.featureServices) out(`  ${s.name}: ${s.features.map((f) => f.view + (f.features ? `[${f.features.join(',')}]` : '')).join(' + ')}`);
    }),
  );
