/** An empty registry answers a stable code the console branches on (REGISTRY_EMPTY), never a text to match. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_EMPTY } from '../../src-shared/errors';
import { startTestServer, testEngines } from '../testing/fixtures';

describe('the registry before any apply', () => {
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const t = await testEngines();
    const s = await startTestServer(t.engines);
    base = s.base;
    close = async () => {
      await s.close();
      await t.cleanup();
    };
  });
  afterAll(() => close?.());

  it('GET /registry/feature-views answers 409 with the error code registry_empty', async () => {
    const r = await fetch(`${base}/registry/feature-views`);
    expect(r.status).toBe(409);
    const body = await r.json();
    expect(body.error).toBe(REGISTRY_EMPTY);
    expect(REGISTRY_EMPTY).toBe('registry_empty'); // the wire value is a contract: clients already compare it
    expect(body.detail).toMatch(/apply/i);
  });
});
