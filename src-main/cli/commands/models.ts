/** `spamops models list | delete <name> [version] | alias <name> <alias> <version>`: the model registry. */
import { Command } from 'commander';
import { MODEL_NAMES } from '../../../src-shared/training';
import { ModelRegistry, VersionInUseError } from '../../training';
import { CliError, fmt, out, table, withEngines } from '../context';

const modelName = (raw: string): string => {
  if (!ModelRegistry.isModelName(raw)) throw new CliError(`expected a model id such as ${MODEL_NAMES.join(', ')}, got "${raw}"`);
  return raw;
};

const list = new Command('list').description('every version with its metrics, aliases and whether it is served').action(async (_o: unknown, cmd: Command) =>
  withEngines(cmd, async (e) => {
    const served = new Map<string, string | undefined>();
    for (const m of MODEL_NAMES) served.set(m, (await e.models.resolve(m))?.version);
    const rows = (await e.models.list()).map((m) => [
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

export const modelsCommand = new Command('models')
  .description('the model registry: list (default), delete, alias')
  .addCommand(list, { isDefault: true })
  .addCommand(del)
  .addCommand(alias);
