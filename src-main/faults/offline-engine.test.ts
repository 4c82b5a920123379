/**
 * DuckDB cannot load (no binary for the platform, a broken install): the offline store's reads
 * answer 503 saying what needs it and what to do; the rest of the API works.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Engines } from '../engines';
import { testEngines } from '../testing/fixtures';
import { definitionsForStage } from '../featurestore';
import parquet from 'parquetjs-lite';

vi.mock('@duckdb/node-api', () => {
  throw new Error('no prebuilt binary for this platform');
});

describe('the offline engine cannot load', () => {
  let e: Engines;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ engines: e, cleanup } = await testEngines());
    await e.features.apply(definitionsForStage('2021'), '2021');
    const { buildApp } = await import('../api');
    app = await buildApp(e);
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('answers 503 naming DuckDB for offline reads, and serves the rest', async () => {
    const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({ method, url, headers: { host: 'localhost', ...(payload ? { 'content-type': 'application/json' } : {}) }, payload: payload as object });
    const h = await inject('POST', '/get-historical-features', { feature_service: 'labeled_sms_1', entities: 'all' });
    expect(h.statusCode).toBe(503);
    expect(h.json()).toMatchObject({ error: 'offline_engine_unavailable' });
    // (vitest wraps the thrown message in its own words)
    expect(h.json().detail).toMatch(
      /DuckDB\) could not be loaded: .+; historical retrieval, materialize and training need it .*serving and the inbox work without it/,
    );
    expect((await inject('POST', '/materialize', { start_ts: '2019-01-01', end_ts: '2020-01-01' })).statusCode).toBe(503);
    // the online store, the inbox and health do not need it
    expect((await inject('POST', '/sms/nina', { sender_id: 'bo', sms_text: 'hello' })).statusCode).toBe(200);
    expect((await inject('GET', '/sms/nina')).json()).toHaveLength(1);
    expect((await inject('POST', '/get-online-features', { entities: { sms_id: ['x'] }, feature_service: 'labeled_sms_1' })).statusCode).toBe(200);
    expect((await inject('GET', '/health')).statusCode).toBe(200);
  });

  it('still writes pushes to the offline store (parquetjs-lite), online and offline', async () => {
    const smss2 = (await e.features.registry.definitions()).sources.find((s) => s.name === 'smss2');
    if (smss2?.kind !== 'file') throw new Error('the 2021 definitions have the smss2 file source');
    const before = await e.features.offline.partCount(smss2);
    const features = [Array.from({ length: 30 }, (_, i) => i)];
    await e.features.push('smss2_push', { sms_id: ['no-duckdb'], event_timestamp: ['2021-09-02T10:00:00.123456Z'], features }, 'online_and_offline');
    expect(await e.features.offline.partCount(smss2)).toBe(before + 1);
    expect((await e.storage.online.read('sms_features2', ['no-duckdb']))[0]?.values.features).toEqual(features[0]);
    const { parts } = await e.features.offline.parts(smss2, 'sms_id', []);
    const reader = await parquet.ParquetReader.openFile(parts[parts.length - 1].path);
    const row = await reader.getCursor().next();
    await reader.close();
    expect(String(row?.sms_id)).toBe('no-duckdb');
    expect(((row?.features ?? []) as unknown[]).map(Number)).toEqual(features[0]);
  });
});
