/**
 * What can be known wrong before work starts is refused at once, by name: an LSTM that cannot fit
 * the kernel's memory, a regular expression that would spin a core (user patterns run on RE2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleServer } from '../testing/fixtures';
import { compileUserPattern } from '../platform';

let s: Awaited<ReturnType<typeof sampleServer>>;
beforeAll(async () => {
  s = await sampleServer({ train: false });
});
afterAll(async () => s?.close());

const post = (path: string, body: unknown) =>
  fetch(`${s.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('preflight checks of a training run', () => {
  it('refuses an LSTM too large for the kernel with the memory it needs and the limit (not after 24 s with "memory access out of bounds")', async () => {
    const t0 = Date.now();
    const r = await post('/runs', { model: 'v3', params: { embeddingDim: 1024, lstmUnits: 1024, batchSize: 4096 } });
    expect(r.status).toBe(400);
    const j = await r.json();
    expect(j.field).toBe('params');
    expect(j.detail).toMatch(/need \d+\.\d\d GiB of LSTM kernel memory; the kernel has 1\.00 GiB/);
    expect(Date.now() - t0).toBeLessThan(2000);
    // what fits is accepted
    expect((await post('/runs', { model: 'v2', params: { batchSize: 64, epochs: 1 } })).status).toBe(202);
  });

  it('runs user patterns in linear time: ^(a+)+$ on a long id returns at once; backreferences are refused by name', async () => {
    const re = compileUserPattern('^(a+)+$', 'params.entityIdPattern');
    const t0 = Date.now();
    expect(re.test(`${'a'.repeat(50_000)}b`)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1000);
    const r = await post('/runs', { model: 'v1', params: { entityIdPattern: '(a)\\1' } });
    expect(r.status).toBe(400);
    expect((await r.json()).detail).toMatch(/params\.entityIdPattern: not a regular expression RE2 accepts/);
    const sim = await post('/monitoring/simulate', { idPattern: '(?<=x)y', count: 1 });
    expect(sim.status).toBe(400);
    expect((await sim.json()).field).toBe('body.idPattern');
  });
});
