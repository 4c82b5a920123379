/**
 * `spamops models list | delete <name> [version] | alias <name> <alias> <version> | evaluate <name> <version>
 * | promote <name> <version> | threshold <name> <version> --precision|--recall|--f1|--value | compare <name> <versions...>`: the
 * model registry.
 */
import { Command, InvalidArgumentError } from 'commander';
import { GROUPS } from '../groups';
import { MODEL_NAMES } from '../../../src-shared/training';
import { ModelRegistry, VersionInUseError } from '../../training';
import { CliError, decimal, fmt, out, table, withEngines } from '../context';
import { InputError } from '../../platform';
import { AliasMovedError } from '../../storage';
import {
  compareRegistered,
  describeEvaluation,
  pickThreshold,
  promote,
  thresholdRule,
  ThresholdUnreachableError,
  WorseThanHolderError,
  FlatteredCandidateError,
  type PromotionMetric,
} from '../../serving';
import type { VersionEvaluation } from '../../../src-shared/training';

const modelName = (raw: string): string => {
  if (!ModelRegistry.isModelName(raw)) throw new CliError(`expected a model id such as ${MODEL_NAMES.join(', ')}, got "${raw}"`);
  return raw;
};

const list = new Command('list')
  .description('every version (of one model id, when named) with its metrics, aliases and whether it is served')
  // `spamops models bogus` reached here as an argument: commander said "too many arguments for 'list'"
  .argument('[name]', 'only the versions of this model id')
  .action(async (name: string | undefined, _o: unknown, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const served = new Map<string, string | undefined>();
      for (const m of MODEL_NAMES) served.set(m, (await e.models.resolve(m))?.version);
      const versions = await e.models.list(name);
      if (name !== undefined && versions.length === 0) {
        const known = await e.models.names();
        throw new CliError(
          `no model "${name}" is registered; models: ${known.length ? known.join(', ') : 'none yet'} (or a command: ${cmd.parent?.commands.map((c) => c.name()).join(', ')})`,
        );
      }
      const rows = versions.map((m) => [
        m.name,
        m.version,
        m.aliases.join(',') || '-',
        served.get(m.name) === m.version ? 'yes' : '',
        fmt(m.metrics.accuracy),
        fmt(m.metrics.f1),
        fmt(m.metrics.rocAuc),
        m.backend,
        m.runId,
        m.createdAt.slice(0, 19),
      ]);
      out(table(['model', 'version', 'aliases', 'served', 'accuracy', 'f1 spam', 'roc auc', 'backend', 'run', 'created'], rows));
    }),
  );

const del = new Command('delete')
  .description('delete a version (or every version) and its artifacts; a served one only with --force')
  .argument('<name>', 'the model id')
  .argument('[version]', 'the version (default: all)')
  .option('--force', 'also when it is served')
  .action(async (raw: string, version: string | undefined, o: { force?: boolean }, cmd: Command) => {
    const name = modelName(raw);
    await withEngines(cmd, async (e) => {
      const servedVersion = (await e.models.resolve(name))?.version;
      const versions = version ? [version] : (await e.models.list(name)).map((m) => m.version);
      if (versions.length === 0) throw new CliError(`model ${name} has no versions`);
      for (const ver of versions) {
        try {
          await e.models.delete(name, ver, { force: o.force, isServed: (m) => m.version === servedVersion });
        } catch (err) {
          if (err instanceof VersionInUseError) throw new CliError(err.message.replace('delete with force', 'use --force'));
          throw err;
        }
        out(`deleted ${name} version ${ver}`);
      }
    });
  });

const alias = new Command('alias')
  .description('point an alias (e.g. production) at a version')
  .argument('<name>', 'the model id')
  .argument('<alias>', 'the alias')
  .argument('<version>', 'the version')
  .action(async (raw: string, a: string, version: string, _o: unknown, cmd: Command) => {
    const name = modelName(raw);
    await withEngines(cmd, async (e) => {
      await e.models.setAlias(name, a, version);
      out(`${name}: ${a} -> version ${version}`);
    });
  });

const confusion = (a: VersionEvaluation['atThreshold']) =>
  `threshold ${a.threshold.toFixed(4)}: precision ${fmt(a.precision)}, recall ${fmt(a.recall)}, F1 ${fmt(a.f1)}, accuracy ${fmt(a.accuracy)}; ` +
  `ham kept ${a.confusion[0][0]}, ham flagged ${a.confusion[0][1]}, spam missed ${a.confusion[1][0]}, spam caught ${a.confusion[1][1]}`;

const evaluateCmd = new Command('evaluate')
  .description('a version on the shared evaluation set: average precision, ROC AUC, the confusion matrix at its threshold')
  .argument('<name>', 'the model id')
  .argument('<version>', 'the version')
  .option('--json', 'the whole evaluation (curves too) as JSON')
  .action(async (raw: string, version: string, o: { json?: boolean }, cmd: Command) => {
    const name = modelName(raw);
    await withEngines(cmd, async (e) => {
      const v = await e.models.get(name, version);
      const ev = describeEvaluation(v, await e.evaluations.evaluate(v));
      if (o.json) return out(JSON.stringify(ev));
      out(
        `${name} version ${v.version} on the evaluation set ${ev.set} (${ev.messages} messages, ${ev.spam} spam${ev.trainedOn === false ? '' : ev.trainedOn === true ? '; trained on some of them' : '; registered before the set: may have trained on some'})`,
      );
      out(`average precision ${fmt(ev.averagePrecision)}, ROC AUC ${fmt(ev.rocAuc)}`);
      out(`${v.threshold ? 'at its threshold' : 'at 0.5 (no threshold set)'}: ${confusion(ev.atThreshold)}`);
    });
  });

const thresholdCmd = new Command('threshold')
  .description('choose the decision threshold serving uses for a version, on the shared evaluation set')
  .argument('<name>', 'the model id')
  .argument('<version>', 'the version')
  .option('--precision <p>', 'the lowest threshold reaching this precision', decimal('--precision', 0, 1, { exclusiveMin: true }))
  .option('--recall <r>', 'the highest threshold reaching this recall', decimal('--recall', 0, 1, { exclusiveMin: true }))
  .option('--f1', 'the threshold of the best F1')
  .option('--value <t>', 'this threshold', decimal('--value', 0, 1))
  .option('--note <text>', 'why, kept with it')
  .action(async (raw: string, version: string, o: { precision?: number; recall?: number; f1?: boolean; value?: number; note?: string }, cmd: Command) => {
    const name = modelName(raw);
    let rule: ReturnType<typeof thresholdRule>;
    try {
      rule = thresholdRule({ precision: o.precision, recall: o.recall, f1: o.f1 ? true : undefined, threshold: o.value });
    } catch (err) {
      if (err instanceof InputError) throw new CliError('choose one of --precision, --recall, --f1, --value');
      throw err;
    }
    await withEngines(cmd, async (e) => {
      const v = await e.models.get(name, version);
      let t: ReturnType<typeof pickThreshold>;
      try {
        t = pickThreshold(await e.evaluations.evaluate(v), rule, o.note);
      } catch (err) {
        if (err instanceof ThresholdUnreachableError) throw new CliError(err.message.replace(/^(precision|recall):/, '--$1:'));
        throw err;
      }
      const saved = await e.models.setThreshold(name, v.version, t);
      out(
        `${name} version ${saved.version}: threshold ${t.value.toFixed(6)} (precision ${fmt(t.precision)}, recall ${fmt(t.recall)}, F1 ${fmt(t.f1)} on ${t.messages} messages of ${t.set})`,
      );
    });
  });

const compareCmd = new Command('compare')
  .description('2 to 4 versions side by side: metrics on the shared evaluation set, parameters (* where they differ), their runs')
  .argument('<name>', 'the model id')
  .argument('<versions...>', '2 to 4 version numbers')
  .option('--json', 'the comparison (PR curves and epochs too) as JSON')
  .action(async (raw: string, versions: string[], o: { json?: boolean }, cmd: Command) => {
    const name = modelName(raw);
    await withEngines(cmd, async (e) => {
      await e.runs.init({ resume: false });
      let c: Awaited<ReturnType<typeof compareRegistered>>;
      try {
        c = await compareRegistered({ models: e.models, evaluations: e.evaluations, runs: e.runs }, name, versions);
      } catch (err) {
        if (err instanceof InputError) throw new CliError(err.message);
        throw err;
      }
      if (o.json) return out(JSON.stringify(c));
      const metric = (label: string, k: keyof (typeof c.versions)[number]['metrics']) => ['', label, ...c.versions.map((v) => fmt(v.metrics[k]))];
      const rows = [
        ['', 'run', ...c.versions.map((v) => v.run.id)],
        ['', 'name', ...c.versions.map((v) => v.run.name ?? '-')],
        ['', 'tags', ...c.versions.map((v) => v.run.tags.join(',') || '-')],
        ['', 'aliases', ...c.versions.map((v) => v.aliases.join(',') || '-')],
        metric('accuracy', 'accuracy'),
        metric('precision', 'precision'),
        metric('recall', 'recall'),
        metric('f1 spam', 'f1'),
        metric('average precision', 'averagePrecision'),
        metric('roc auc', 'rocAuc'),
        metric('threshold', 'threshold'),
        ...c.params.map((p) => [p.differs ? '*' : '', p.key, ...p.values.map((x) => (x === null ? '-' : String(x)))]),
      ];
      out(`${name} on the evaluation set ${c.set} (${c.messages} messages); * marks parameters that differ`);
      out(table(['', '', ...c.versions.map((v) => `version ${v.version}`)], rows));
    });
  });

const PROMOTION_METRICS: readonly PromotionMetric[] = ['f1', 'averagePrecision', 'rocAuc', 'accuracy'];

const promoteCmd = new Command('promote')
  .description(
    'point an alias (production by default) at a version after judging it beside the holder on the shared evaluation set; a worse one only with --confirm',
  )
  .argument('<name>', 'the model id')
  .argument('<version>', 'the candidate version')
  .option('--alias <alias>', 'the alias to move', 'production')
  .option(
    '--metric <metric>',
    `the metric it is judged by: ${PROMOTION_METRICS.join(', ')}`,
    (v: string) => {
      if (!(PROMOTION_METRICS as readonly string[]).includes(v))
        throw new InvalidArgumentError(`--metric: expected one of ${PROMOTION_METRICS.join(', ')}, got "${v}"`);
      return v as PromotionMetric;
    },
    'f1' as PromotionMetric,
  )
  .option('--confirm', 'promote it even when it is worse than the holder')
  .option('--note <text>', 'why (kept in the alias history)')
  .action(async (raw: string, version: string, o: { alias: string; metric: PromotionMetric; confirm?: boolean; note?: string }, cmd: Command) => {
    const name = modelName(raw);
    await withEngines(cmd, async (e) => {
      try {
        const r = await promote(e.models, e.evaluations, name, o.alias, version, { guard: o.metric, confirm: o.confirm, note: o.note });
        const c = r.check;
        const beside = c?.holder
          ? ` (${c.metric} ${fmt(c.candidate.value)} against version ${c.holder.version}'s ${fmt(c.holder.value)} on ${c.messages} messages of ${c.set})`
          : '';
        out(`${name}: ${o.alias} -> version ${r.version.version}${beside}`);
      } catch (err) {
        if (err instanceof WorseThanHolderError || err instanceof FlatteredCandidateError) throw new CliError(`${err.message} (--confirm)`);
        if (err instanceof AliasMovedError) throw new CliError(err.message);
        if (err instanceof InputError) throw new CliError(err.message);
        throw err;
      }
    });
  });

export const modelsCommand = new Command('models')
  .helpGroup(GROUPS.training)
  .description('the model registry: list (default), delete, alias, promote, evaluate, threshold, compare')
  .addCommand(list, { isDefault: true })
  .addCommand(del)
  .addCommand(alias)
  .addCommand(promoteCmd)
  .addCommand(evaluateCmd)
  .addCommand(thresholdCmd)
  .addCommand(compareCmd);
