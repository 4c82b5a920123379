/**
 * `spamops`: the headless engines from the command line. One module per command (or group) under
 * commands/, each with its own options, usage and checks; the help is generated from them.
 * Exit codes: 0 done, 1 the command failed (the message names what went wrong), 2 a usage error.
 */
import { Command, CommanderError } from 'commander';
import { importCommand } from './commands/import';
import { exportCommand } from './commands/export';
import { offlineSourcesCommand } from './commands/offline-sources';
import { applyCommand, exploreCommand, historyCommand, planCommand } from './commands/registry';
import { offlineRowsCommand, serviceStatisticsCommand, statisticsCommand } from './commands/offline';
import { materializeCommand, materializeIncrementalCommand } from './commands/materialize';
import { sampleCommand } from './commands/sample';
import { retrieveCommand } from './commands/retrieve';
import { backfillCommand } from './commands/backfill';
import { featuresCommand } from './commands/features';
import { bootstrapCommand } from './commands/bootstrap';
import { releaseModelsCommand } from './commands/release-models';
import { trainCommand } from './commands/train';
import { runsCommand } from './commands/runs';
import { modelsCommand } from './commands/models';
import { driftCommand } from './commands/drift';
import { simulateCommand } from './commands/simulate';
import { retrainCommand } from './commands/retrain';
import { serveCommand } from './commands/serve';
import { benchCommand } from './commands/bench';
import { smsCommand } from './commands/sms';
import { checkCommand } from './commands/check';

export { CliError } from './context';

const GROUPS: [string, Command[]][] = [
  [
    'Data and feature store',
    [
      importCommand,
      exportCommand,
      offlineSourcesCommand,
      planCommand,
      applyCommand,
      historyCommand,
      exploreCommand,
      offlineRowsCommand,
      statisticsCommand,
      serviceStatisticsCommand,
      materializeCommand,
      materializeIncrementalCommand,
      retrieveCommand,
      sampleCommand,
      backfillCommand,
      featuresCommand,
      bootstrapCommand,
      checkCommand,
    ],
  ],
  ['Inboxes', [smsCommand]],
  ['Training and models', [trainCommand, runsCommand, modelsCommand, releaseModelsCommand]],
  ['Monitoring', [driftCommand, simulateCommand, retrainCommand]],
  ['Serving', [serveCommand, benchCommand]],
];

function program(): Command {
  const p = new Command('spamops')
    .description('the SpamOps engines, headless: feature store, training, serving, monitoring')
    .option('--data-dir <dir>', "data dir (env SPAMOPS_DATA_DIR; default the app's data dir)")
    .showHelpAfterError('(run `spamops --help` for usage)')
    .exitOverride();
  for (const [group, commands] of GROUPS) {
    p.commandsGroup(group);
    for (const c of commands) p.addCommand(c);
  }
  // every command takes --data-dir, before or after its own arguments
  for (const c of p.commands) forEach(c, (x) => x.exitOverride().showHelpAfterError(`(run \`spamops ${fullName(x)} --help\` for usage)`));
  return p;
}

function forEach(c: Command, fn: (c: Command) => void): void {
  fn(c);
  for (const s of c.commands) forEach(s, fn);
}

function fullName(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names.join(' ');
}

export async function main(argv: string[]): Promise<number> {
  const p = program();
  if (argv.length === 0) {
    process.stdout.write(p.helpInformation());
    return 2;
  }
  let current = argv.find((a) => !a.startsWith('-')) ?? '';
  p.hook('preAction', (_root, action) => {
    current = fullName(action);
  });
  try {
    await p.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      // commander printed the usage error already; an unknown command is a failed command, as before
      return e.code === 'commander.unknownCommand' ? 1 : 2;
    }
    const err = e as Error;
    process.stderr.write(`spamops ${current}: ${err?.message || String(e)}\n`);
    if (process.env.SPAMOPS_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 1;
  }
}
