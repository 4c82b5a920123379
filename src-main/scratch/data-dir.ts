/** A throwaway data dir and its configuration, and the full labelled dataset by path. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appRoot, loadConfig, type AppConfig } from '../config';

export function tempDir(prefix = 'spamops-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** the configuration of `dataDir` read from an empty environment: never the developer's own settings */
export function scratchConfig(dataDir: string, extra: Partial<AppConfig> = {}): AppConfig {
  return { ...loadConfig({ dataDir }, {}), ...extra };
}

/** The full 7,528-message dataset as one file, by path (SPAMOPS_DATASET, else the lab machines' copy beside the checkout). */
export function fullDatasetPath(): string | undefined {
  const p = process.env.SPAMOPS_DATASET ?? resolve(appRoot(), '..', 'shared', 'raw_data', 'raw_dataset.csv');
  return existsSync(p) ? p : undefined;
}
