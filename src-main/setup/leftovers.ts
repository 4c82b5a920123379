/**
 * What a killed process leaves behind, removed when the server starts: Parquet parts written under
 * their temporary name and never published, with the rows staged for them as JSON (a push killed
 * mid-way: its messages are still in the change log), manifest writes a dead process cut short,
 * DuckDB staging databases of a killed rebuild, DuckDB spill folders of dead processes, and
 * staging folders of runs that are not running any more.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { AppConfig } from '../config';
import { isAlive } from '../platform';

/** a temporary part younger than this may belong to a push under way in another process */
const TMP_GRACE_MS = 10 * 60_000;
const ATOMIC_TMP = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

export function removeLeftovers(config: Pick<AppConfig, 'offlineDir' | 'modelsDir'>, activeRuns: ReadonlySet<string> = new Set(), now = Date.now()): string[] {
  const removed: string[] = [];
  if (existsSync(config.offlineDir)) {
    for (const source of readdirSync(config.offlineDir)) {
      const dir = join(config.offlineDir, source);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir)) {
        const path = join(dir, f);
        // a manifest write cut short (writeFileAtomic's <file>.<pid>.<hex>.tmp) by a process now dead
        const atomic = ATOMIC_TMP.exec(f);
        if (atomic) {
          if (!isAlive({ pid: Number(atomic[1]), host: hostname() })) {
            rmSync(path, { force: true });
            removed.push(join(source, f));
          }
          continue;
        }
        const stage = f.startsWith('.stage-') && (f.endsWith('.duckdb') || f.endsWith('.duckdb.wal'));
        if (!(f.startsWith('.part-') && f.endsWith('.tmp')) && !stage) continue;
        if (now - statSync(path).mtimeMs < TMP_GRACE_MS) continue;
        rmSync(path, { force: true });
        removed.push(join(source, f));
      }
    }
  }
  // DuckDB's spill folders are named <pid>-<tag>: those of dead processes
  const spill = join(config.offlineDir, '.duckdb-tmp');
  if (existsSync(spill)) {
    for (const d of readdirSync(spill)) {
      const pid = Number(d.split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && isAlive({ pid, host: hostname() })) continue;
      rmSync(join(spill, d), { recursive: true, force: true });
      removed.push(join('.duckdb-tmp', d));
    }
  }
  const staging = join(config.modelsDir, '.staging');
  if (existsSync(staging)) {
    for (const run of readdirSync(staging)) {
      if (activeRuns.has(run)) continue;
      rmSync(join(staging, run), { recursive: true, force: true });
      removed.push(join('.staging', run));
    }
  }
  return removed;
}
