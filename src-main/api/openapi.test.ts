/**
 * The OpenAPI document of a real server on loopback against the declarations: every route has a
 * 2xx answer schema and an error schema, and the document's routes are exactly the declared ones
 * (a route registered without a declaration, or declared and not registered, fails here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../src-shared/routes';
import { startTestServer, testEngines } from '../testing/fixtures';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}
let doc: { paths: Record<string, Record<string, Operation>> };
let done: () => Promise<void>;

beforeAll(async () => {
  const { engines, cleanup } = await testEngines();
  const server = await startTestServer(engines);
  done = async () => {
    await server.close();
    await cleanup();
  };
  doc = await (await fetch(`${server.base}/openapi.json`)).json();
});
afterAll(async () => done?.());

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];
const documented = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, op })),
  );
const schemaOf = (op: Operation, status: (s: string) => boolean) =>
  Object.entries(op.responses ?? {})
    .filter(([s]) => status(s))
    .flatMap(([, r]) => Object.values(r.content ?? {}).map((c) => c.schema))
    .filter(Boolean);

describe('the OpenAPI document', () => {
  it('holds exactly the declared routes', () => {
    const declared = allRoutes.map((r) => `${r.method} ${r.url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`).sort();
    expect(new Set(declared).size).toBe(declared.length); // no route declared twice
    expect(
      documented()
        .map((d) => d.key)
        .sort(),
    ).toEqual(declared);
    expect(declared.length).toBeGreaterThanOrEqual(69);
  });

  it('gives every route a 2xx answer schema and an error schema (4xx and 5xx)', () => {
    const missing: string[] = [];
    for (const { key, op } of documented()) {
      if (schemaOf(op, (s) => /^2/.test(s)).length === 0) missing.push(`${key}: no 2xx schema`);
      if (schemaOf(op, (s) => /^4/i.test(s)).length === 0) missing.push(`${key}: no 4xx schema`);
      if (schemaOf(op, (s) => /^5/i.test(s)).length === 0) missing.push(`${key}: no 5xx schema`);
    }
    expect(missing).toEqual([]);
  });
});
