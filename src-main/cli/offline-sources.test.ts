/**
 * `spamops offline-sources` on a data dir serving the released models (v2 and v3 production, each
 * trained with the released tokenizer) and holding the 240-message sample: it refitted the
 * tokenizer on those 240 messages, so the inbox's v2 features no longer matched the vocabulary
 * of production v2/v3, and a running server kept the old one until restarted. Now it keeps the
 * tokenizer; a refit is asked for, refused while versions holding an alias were trained with
 * another vocabulary (unless forced, naming them), and refused while a server holds the data dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../config';
import { openEngines } from '../engines';
import { tryLockDataDir } from '../platform';
import { SAMPLE_DATASET, tempDir, testConfig } from '../testing/fixtures';

const bin = join(appRoot(), 'bin', 'spamops.mjs');
const t = tempDir('spamops-refit-');
const dir = join(t.dir, 'data');
const tokenizerFile = join(dir, 'models', 'tokenizer', 'tokenizer.json');

function spamops(args: string[]) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SPAMOPS_') || k.startsWith('CASSANDRA_') || k === 'FEAST_STORE_STAGE') delete env[k];
  const r = spawnSync(process.execPath, [bin, ...args, '--data-dir', dir], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  // what a first start makes: the released models (alias production) and tokenizer, the sample imported
  const { bootstrap } = await import('../setup');
  const e = await openEngines(testConfig(dir));
  try {
    await bootstrap(e, { datasetPath: SAMPLE_DATASET, log: () => undefined, released: true });
    const lstms = (await e.models.list()).filter((v) => v.kind === 'lstm');
    expect(lstms.map((v) => `${v.name} ${v.version} ${v.aliases.join(',')}`).sort()).toEqual(['v2 1 production', 'v3 1 production']);
  } finally {
    await e.close();
  }
}, 120_000);
afterAll(() => t.remove());

describe('spamops offline-sources and the tokenizer the models were trained with', () => {
  it('keeps the tokenizer by default, refits only when asked, never under production versions unless forced, never beside a server', () => {
    const released = readFileSync(tokenizerFile, 'utf8');
    expect(readFileSync(join(appRoot(), 'models', 'v3', 'tokenizer.json'), 'utf8')).toBe(released);

    // by default: the sources rebuilt with the data dir's tokenizer, which stays as it was
    const kept = spamops(['offline-sources']);
    expect(kept.code, kept.err).toBe(0);
    expect(kept.out).toMatch(/smss2: 240 rows/);
    expect(kept.out).toMatch(/tokenizer: kept .*--refit-tokenizer fits a new one/);
    expect(readFileSync(tokenizerFile, 'utf8')).toBe(released);

    // asked to refit: refused, naming the versions holding an alias that the new fit would betray
    const refused = spamops(['offline-sources', '--refit-tokenizer']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refusing to refit the tokenizer/);
    expect(refused.err).toMatch(/v2 1 \(production\): \d+ of its 179 token ids/);
    expect(refused.err).toMatch(/v3 1 \(production\): \d+ of its 179 token ids/);
    expect(refused.err).toMatch(/--refit-tokenizer --force/);
    expect(readFileSync(tokenizerFile, 'utf8')).toBe(released);

    // a server holds the data dir (its lock, as `serve` takes it): refused, naming it, even when forced
    const server = tryLockDataDir(dir);
    expect(server.acquired).toBe(true);
    try {
      const beside = spamops(['offline-sources', '--refit-tokenizer', '--force']);
      expect(beside.code).toBe(1);
      expect(beside.err).toMatch(new RegExp(`a SpamOps process \\(pid ${process.pid} on [^)]+\\) holds .* Stop it, run this again`));
      expect(readFileSync(tokenizerFile, 'utf8')).toBe(released);
    } finally {
      server.release();
    }

    // forced, with no server: refitted on the 240 messages, and the versions left behind named
    const forced = spamops(['offline-sources', '--refit-tokenizer', '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).toMatch(/tokenizer: \d+ words seen, fitted on 240 messages/);
    expect(forced.out).toMatch(
      /trained with another vocabulary: (v2 1 \(production\), v3 1 \(production\)|v3 1 \(production\), v2 1 \(production\)); .*retrain them/,
    );
    expect(readFileSync(tokenizerFile, 'utf8')).not.toBe(released);
    expect(existsSync(join(dir, 'server.pid'))).toBe(false);

    // the tokenizer lost: a new fit is no way to get it back while production versions need the old one
    rmSync(tokenizerFile);
    const lost = spamops(['offline-sources']);
    expect(lost.code).toBe(1);
    expect(lost.err).toMatch(/the data dir's tokenizer cannot be kept \(.*tokenizer\.json: missing\)/);
    expect(lost.err).toMatch(/restore the one they were trained with \(copy .*models\/v[23]\/1\/tokenizer\.json to .*models\/tokenizer\/tokenizer\.json\)/);
    expect(existsSync(tokenizerFile)).toBe(false);
  }, 240_000);
});
