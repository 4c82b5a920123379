/**
 * What every command shares: the data dir option, opening the engines, output, and checked
 * option values (an option's parser names the option and what was expected).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig, type AppConfig, type ConfigOverrides } from '../config';
import { openEngines, type Engines } from '../engines';
import { isStage, LATEST_STAGE, parseTimestamp, type Stage } from '../featurestore';
import { tryLockDataDir } from '../platform';

/** A failure a person can act on: printed as `spamops <command>: <message>`, exit code 1. */
export class CliError extends Error {}

export const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
export const note = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

/** the configuration of a command: its data dir (a global option) and what the command overrides */
export function configOf(cmd: Command, extra: ConfigOverrides = {}): AppConfig {
  const { dataDir } = cmd.optsWithGlobals<{ dataDir?: string }>();
  return loadConfig({ dataDir, ...extra });
}

export async function withEngines<T>(cmd: Command, fn: (e: Engines) => Promise<T>, extra: ConfigOverrides = {}): Promise<T> {
  const engines = await openEngines(configOf(cmd, extra));
  try {
    return await fn(engines);
  } finally {
    await engines.close();
  }
}

/**
 * Loads the training runs for a command that trains. When no server holds the data dir, the
 * command takes it (and with it the queued runs of processes that are gone) until it ends;
 * when a server runs, the command is a guest: it trains its own runs and leaves the server's be.
 */
export async function initRunsForTraining(e: Engines): Promise<void> {
  const lock = tryLockDataDir(e.config.dataDir);
  if (lock.acquired) {
    const close = e.close;
    e.close = async () => {
      await close();
      lock.release();
    };
  }
  await e.runs.init({ resume: lock.acquired });
}

/* ---------- option parsers: commander calls them with the raw text ---------- */

export function integer(flag: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${flag}: expected an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
}

export function decimal(flag: string, min: number, max: number, o: { exclusiveMin?: boolean } = {}): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    const low = o.exclusiveMin ? n > min : n >= min;
    if (raw.trim() === '' || !Number.isFinite(n) || !low || n > max)
      throw new InvalidArgumentError(
        `${flag}: expected a number ${o.exclusiveMin ? 'above' : 'from'} ${min}${o.exclusiveMin ? ' up to' : ' to'} ${max}, got "${raw}"`,
      );
    return n;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(allowed as readonly string[]).includes(raw)) throw new InvalidArgumentError(`${flag}: expected one of ${allowed.join(', ')}, got "${raw}"`);
    return raw as T;
  };
}

export function listOf(raw: string): string[] {
  return raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** --stage, else FEAST_STORE_STAGE as in the seed, else the latest */
export function stageOf(raw: string | undefined): Stage {
  const s = raw ?? process.env.FEAST_STORE_STAGE ?? LATEST_STAGE;
  if (!isStage(s)) throw new CliError(`--stage: expected 2019, 2020 or 2021, got "${s}"`);
  return s;
}

export function timestampArg(s: string | undefined, name: string): number {
  if (!s) throw new CliError(`missing <${name}>: a timestamp such as 2019-12-31T00:00:00`);
  return parseTimestamp(s, name);
}

/* ---------- printing ---------- */

export const fmt = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(4));

export function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n');
}
