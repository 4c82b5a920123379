/**
 * One `nextTick` entry kept for the life of the process (tick-shape.ts), so that the entries made
 * after full collections keep one hidden class. Run in a child process: V8's own test function
 * (`%HaveSameMap`) and `gc()` need flags of their own.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../config';

describe('keepTickShape', () => {
  it('keeps a nextTick entry whose hidden class later entries share after full collections', () => {
    const script = `
      import { createHook } from 'node:async_hooks';
      const { keepTickShape } = await import(${JSON.stringify(join(appRoot(), 'src-main/platform/tick-shape.ts'))});
      const kept = keepTickShape();
      const again = keepTickShape();
      // an entry made now, as Node makes every one
      const entry = () => {
        let got;
        const hook = createHook({ init(_id, type, _t, resource) { if (type === 'TickObject' && got === undefined) got = resource; } }).enable();
        process.nextTick(() => {}, 1);
        hook.disable();
        return got;
      };
      for (let round = 0; round < 6; round++) {
        await new Promise((resolve) => { let n = 20000; const step = () => (--n ? process.nextTick(step, n) : resolve()); step(); });
        globalThis.gc();
      }
      const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
      const later = entry();
      console.log(JSON.stringify({
        same: kept === again,
        symbols: Object.getOwnPropertySymbols(kept).length,
        keys: Object.keys(kept),
        sameMap: sameMap(kept, later),
      }));`;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: appRoot(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    expect(out).toEqual({ same: true, symbols: 2, keys: ['callback', 'args'], sameMap: true });
  });
});
