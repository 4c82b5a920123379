/**
 * The data dir's lock under the races a hostile probe found (real processes, a real file system):
 * processes starting in the same millisecond, on a fresh dir and on one whose `server.pid` a dead
 * process left, and a `server.pid` naming this very pid from another start (a container's pid 1).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appRoot } from '../config';
import { tempDir } from '../testing/fixtures';
import { isAlive, LOCK_FILE, thisProcess, tryLockDataDir } from './data-dir-lock';

const t = tempDir('spamops-lock-');
afterAll(() => t.remove());

/** `n` processes that each try the lock at the same moment and hold what they got for a while; how many took it */
async function race(dir: string, n: number): Promise<boolean[]> {
  // late enough for every child to have started (tsx, on a loaded two-core machine); each holds what it got past the last one's try
  const at = Date.now() + 4000;
  const script = `
    import { register } from 'tsx/esm/api';
    register();
    const { tryLockDataDir } = await import(${JSON.stringify(join(appRoot(), 'src-main', 'platform', 'data-dir-lock.ts'))});
    if (Date.now() > ${at}) process.stdout.write('late ');
    while (Date.now() < ${at}) {}
    const lock = tryLockDataDir(${JSON.stringify(dir)});
    process.stdout.write(String(lock.acquired));
    setTimeout(() => { lock.release(); process.exit(0); }, 3000);`;
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<boolean>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: appRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => {
            out += d;
          });
          child.stderr.on('data', (d) => {
            err += d;
          });
          child.on('exit', (code) =>
            code === 0 && !out.startsWith('late')
              ? resolve(out === 'true')
              : reject(new Error(`exit ${code}, "${out}" (late: started after the others had tried): ${err}`)),
          );
        }),
    ),
  );
}

describe('the data dir lock', () => {
  it('goes to exactly one of four processes starting at once, on a fresh dir and over a dead holder', { timeout: 120_000 }, async () => {
    for (let round = 0; round < 2; round++) {
      const fresh = join(t.dir, `fresh-${round}`);
      mkdirSync(fresh);
      expect((await race(fresh, 4)).filter(Boolean)).toHaveLength(1);
      const stale = join(t.dir, `stale-${round}`);
      mkdirSync(stale);
      writeFileSync(join(stale, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 4321, host: hostname() }));
      expect((await race(stale, 4)).filter(Boolean)).toHaveLength(1);
    }
  });

  it('is taken over a server.pid of this very pid from another start (pid 1 in a restarted container), and held against a second taker', () => {
    const dir = join(t.dir, 'own-pid');
    mkdirSync(dir);
    const before = { pid: process.pid, host: hostname(), start: thisProcess().start! - 60_000 };
    expect(isAlive(before)).toBe(false);
    expect(isAlive(thisProcess())).toBe(true);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(before));
    const lock = tryLockDataDir(dir);
    try {
      expect(lock.acquired).toBe(true);
      const second = tryLockDataDir(dir);
      expect(second.acquired).toBe(false);
      expect(second.holder).toEqual(thisProcess());
    } finally {
      lock.release();
    }
    expect(tryLockDataDir(dir).acquired).toBe(true);
  });
});
