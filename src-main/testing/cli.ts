/**
 * The CLI as people run it, for tests: a child process under the same Node, with the developer's
 * and CI's SPAMOPS_*, CASSANDRA_* and FEAST_* settings removed (CI sets SPAMOPS_DATASET).
 * `spamopsBatch` runs a list of command lines in one child (one start instead of one per case:
 * on a loaded two-core machine each start costs seconds).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appRoot } from '../config';

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SPAMOPS_') || k.startsWith('CASSANDRA_') || k === 'FEAST_STORE_STAGE') delete env[k];
  return { ...env, ...extra };
}

/** one command line in its own process (`--data-dir` appended) */
export function spamops(args: string[], dataDir: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [join(appRoot(), 'bin', 'spamops.mjs'), ...args, '--data-dir', dataDir], { encoding: 'utf8', env: cleanEnv(env) });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** several command lines, in order, in one process (`--data-dir` appended to each) */
export function spamopsBatch(cases: { args: string[]; dataDir: string }[], env: Record<string, string> = {}): CliResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'spamops-cli-batch-'));
  try {
    const input = join(dir, 'cases.json');
    const output = join(dir, 'results.json');
    writeFileSync(input, JSON.stringify(cases.map((c) => [...c.args, '--data-dir', c.dataDir])));
    const r = spawnSync(process.execPath, [join(appRoot(), 'src-main', 'testing', 'cli-batch.mjs'), input, output], { encoding: 'utf8', env: cleanEnv(env) });
    let results: CliResult[];
    try {
      results = JSON.parse(readFileSync(output, 'utf8')) as CliResult[];
    } catch {
      throw new Error(`the CLI batch ended (${r.status ?? r.signal}) without results: ${r.stderr}`);
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
