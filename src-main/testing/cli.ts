/**
 * The CLI as people run it, for tests: a child process under the same Node, with the developer's
 * and CI's SPAMOPS_*, CASSANDRA_* and FEAST_* settings removed (CI sets SPAMOPS_DATASET).
 * `spamopsBatch` runs a list of command lines in one child (one start instead of one per case:
 * on a loaded two-core machine each start costs seconds).
 */
import { spawn, spawnSync } from 'node:child_process';
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

type Case = { args: string[]; dataDir: string };
const RUNNER = join(appRoot(), 'src-main', 'testing', 'cli-batch.mjs');

function batchFiles(cases: Case[]): { input: string; output: string; results: (ended: string) => CliResult[] } {
  const dir = mkdtempSync(join(tmpdir(), 'spamops-cli-batch-'));
  const input = join(dir, 'cases.json');
  const output = join(dir, 'results.json');
  writeFileSync(input, JSON.stringify(cases.map((c) => [...c.args, '--data-dir', c.dataDir])));
  return {
    input,
    output,
    results: (ended) => {
      try {
        return JSON.parse(readFileSync(output, 'utf8')) as CliResult[];
      } catch {
        throw new Error(`the CLI batch ended without results: ${ended}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** several command lines, in order, in one process (`--data-dir` appended to each) */
export function spamopsBatch(cases: Case[], env: Record<string, string> = {}): CliResult[] {
  const f = batchFiles(cases);
  const r = spawnSync(process.execPath, [RUNNER, f.input, f.output], { encoding: 'utf8', env: cleanEnv(env) });
  return f.results(`${r.status ?? r.signal}: ${r.stderr}`);
}

/** the same without blocking this process (a test that serves something to the CLI) */
export function spamopsBatchAsync(cases: Case[], env: Record<string, string> = {}): Promise<CliResult[]> {
  const f = batchFiles(cases);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, f.input, f.output], { env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code, signal) => {
      try {
        resolve(f.results(`${code ?? signal}: ${err}`));
      } catch (e) {
        reject(e);
      }
    });
  });
}
