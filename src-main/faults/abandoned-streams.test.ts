/**
 * Clients that stop reading a streamed historical retrieval (gone after the first bytes, or before
 * any) must not leave DuckDB's query state behind: a streamed result kept its connection's memory
 * and spill files until a garbage collection happened to run, and every retrieval after a few
 * such clients failed Out of Memory (a hostile probe: 848 MB of spill pinned, 500s for over a
 * minute, /health ok). Now the query is released when the client goes, and running out of the
 * engine's memory answers 503 naming the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { Engines } from '../engines';
import { startTestServer, syntheticFeatureStore, testEngines } from '../testing/fixtures';

const N = 150_000;

/** starts a retrieval of every entity and goes away after `bytes` bytes of its body (0: at the headers) */
function abandon(base: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/get-historical-features`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let got = 0;
      if (bytes === 0) {
        req.destroy();
        return resolve();
      }
      res.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= bytes) {
          req.destroy();
          resolve();
        }
      });
      res.on('end', resolve);
    });
    req.on('error', (e) => (req.destroyed ? resolve() : reject(e)));
    req.end(JSON.stringify({ entities: 'all', feature_service: 'labeled_sms_2', format: 'csv' }));
  });
}

describe('abandoned historical streams', () => {
  let e: Engines;
  let cleanup: () => Promise<void>;
  let server: { base: string; close: () => Promise<void> };
  const duckMemory = () =>
    e.features.offline.engine.with(async (c) =>
      Number((await c.runAndReadAll('SELECT sum(memory_usage_bytes + temporary_storage_bytes)::BIGINT FROM duckdb_memory()')).getRows()[0][0]),
    );
  beforeAll(async () => {
    ({ engines: e, cleanup } = await testEngines({ offlineEngine: { memoryLimit: '64MB', threads: 2 } }));
    await syntheticFeatureStore(e, N, 'a');
    server = await startTestServer(e);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  const whole = async () => {
    const r = await fetch(`${server.base}/get-historical-features`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entities: 'all', feature_service: 'labeled_sms_2', format: 'csv' }),
    });
    expect(r.status).toBe(200);
    expect((await r.text()).trimEnd().split('\n')).toHaveLength(N + 1);
  };

  it('releases the query of a client gone mid-stream or before the body, and the next retrievals answer whole', async () => {
    await whole();
    const idle = await duckMemory(); // what a finished retrieval leaves (caches)
    for (let i = 0; i < 4; i++) await abandon(server.base, i % 2 ? 0 : 64 * 1024);
    // what the abandoned queries held is given back as the closes arrive, not at a garbage collection
    let held = Number.POSITIVE_INFINITY;
    for (let t = 0; t < 20 && held > idle + 1024 * 1024; t++) {
      await new Promise((r) => setTimeout(r, 100));
      held = await duckMemory();
    }
    expect(held).toBeLessThanOrEqual(idle + 1024 * 1024);
    await whole();
    await whole();
  }, 120_000);

  it('answers 503 naming the limit when the engine runs out of memory, and serves again once it has room', async () => {
    const setLimit = (l: string) => e.features.offline.engine.with((c) => c.run(`SET memory_limit = '${l}'`));
    await setLimit('1MB');
    try {
      const r = await fetch(`${server.base}/get-historical-features`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entities: 'all', feature_service: 'labeled_sms_2', format: 'csv' }),
      });
      expect(r.status).toBe(503);
      const body = (await r.json()) as { error: string; detail: string };
      expect(body.error).toBe('offline_engine_out_of_memory');
      expect(body.detail).toMatch(/ran out of its memory limit \(SPAMOPS_OFFLINE_MEMORY, default 384MB\): retry once/);
    } finally {
      await setLimit('64MB');
    }
    await whole();
  }, 120_000);
});
