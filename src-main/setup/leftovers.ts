/**
 * What a killed process leaves behind, removed when the server starts: Parquet parts written under
 * their temporary name and never published (a push killed mid-way: its batch is still in the
 * outbox), and staging folders of runs that are not running any more.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config';

/** a temporary part younger than this may belong to a push under way in another process */
const TMP_GRACE_MS = 10 * 60_000;

export function removeLeftovers(config: Pick<AppConfig, 'offlineDir' | 'modelsDir'>, activeRuns: ReadonlySet<string> = new Set(), now = Date.now()): string[] {
  const removed: string[] = [];
  if (existsSync(config.offlineDir)) {
    for (const source of readdirSync(config.offlineDir)) {
      const dir = join(config.offlineDir, source);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir)) {
        if (!(f.startsWith('.part-') && f.endsWith('.tmp'))) continue;
        const path = join(dir, f);
        if (now - statSync(path).mtimeMs < TMP_GRACE_MS) continue;
        rmSync(path, { force: true });
        removed.push(join(source, f));
      }
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
