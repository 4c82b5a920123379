/** F6: an installed `spamops` works from any working directory, training worker threads included. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { appRoot } from '../config';
import { tempDir } from '../testing/fixtures';

const t = tempDir('spamops-cwd-');
afterAll(() => t.remove());

describe('F6: run from another folder than the project', () => {
  it('bootstraps and trains (worker threads load their TypeScript loader from the package)', () => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('SPAMOPS_')) delete env[k];
    const r = spawnSync(process.execPath, [join(appRoot(), 'bin', 'spamops.mjs'), 'bootstrap', '--models', 'v1', '--data-dir', join(t.dir, 'data')], {
      cwd: t.dir,
      encoding: 'utf8',
      env,
    });
    expect(r.stderr).not.toMatch(/Cannot find package/);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/v1 version 1 .*alias production/);
  });
});
