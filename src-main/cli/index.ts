/**
 * `spamops`: the headless engines from the command line. One module per command (or group) under
 * commands/, each with its own options, usage and checks; the help is generated from them.
 * Exit codes: 0 done, 1 the command failed (the message names what went wrong), 2 a usage error.
 */
import { Command, CommanderError } from 'commander';
import * as modules from './commands';
import { GROUP_ORDER } from './groups';

export { CliError } from './context';

/** the commands among the modules' exports, by help group (in GROUP_ORDER), then by name */
export function commands(): Command[] {
  const all = Object.values(modules).filter((x): x is Command => x instanceof Command);
  for (const c of all) {
    if (!GROUP_ORDER.includes(c.helpGroup())) throw new Error(`spamops ${c.name()}: its help group "${c.helpGroup()}" is not one of GROUPS`);
  }
  const rank = (c: Command) => GROUP_ORDER.indexOf(c.helpGroup());
  return all.sort((a, b) => rank(a) - rank(b) || a.name().localeCompare(b.name()));
}

function program(): Command {
  const p = new Command('spamops')
    .description('the SpamOps engines, headless: feature store, training, serving, monitoring')
    .option('--data-dir <dir>', "data dir (env SPAMOPS_DATA_DIR; default the app's data dir)")
    .showHelpAfterError('(run `spamops --help` for usage)')
    .exitOverride();
  for (const c of commands()) p.addCommand(c);
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

/**
 * A file system error as a sentence naming the path and what to give instead ("EISDIR: illegal
 * operation on a directory, read" for `spamops import /tmp`); undefined for any other error.
 */
export function systemErrorText(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== 'string' || typeof err.path !== 'string' || typeof err.syscall !== 'string') return undefined;
  const p = err.path;
  switch (err.code) {
    case 'EISDIR':
      return `${p} is a directory: give a file`;
    case 'ENOTDIR':
      return `${p}: a part of this path is a file, not a directory`;
    case 'EEXIST':
      return err.syscall === 'mkdir' ? `${p} exists and is not a directory: give a directory (or a path that does not exist yet)` : undefined;
    case 'ENOENT':
      return `${p}: no such file or directory`;
    case 'EACCES':
    case 'EPERM':
      return `${p}: permission denied (${err.syscall})`;
    case 'EROFS':
      return `${p}: the file system is read-only`;
    case 'ENOSPC':
      return `${p}: no space left on the disk; free some and run it again`;
    default:
      return undefined;
  }
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
    process.stderr.write(`spamops ${current}: ${systemErrorText(e) ?? (err?.message || String(e))}\n`);
    if (process.env.SPAMOPS_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 1;
  }
}
