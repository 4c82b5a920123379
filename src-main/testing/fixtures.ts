/**
 * Helpers for tests: real engines in a temporary data dir, the sample bootstrapped, the API on a
 * loopback port. The temporary dir, its configuration and the full dataset's path come from
 * scratch/ (the bench shares them); they are re-exported here for the tests.
 */
import { afterAll, beforeAll } from 'vitest';
import { join } from 'node:path';
import { appRoot, type AppConfig } from '../config';
import { openEngines, type Engines } from '../engines';
import { scratchConfig, tempDir } from '../scratch';

export { fullDatasetPath, tempDir } from '../scratch';
/** a data dir's configuration from an empty environment: tests never pick up the developer's own settings */
export const testConfig = scratchConfig;

export async function testEngines(extra: Partial<AppConfig> = {}): Promise<{ engines: Engines; dir: string; cleanup: () => Promise<void> }> {
  const t = tempDir();
  const engines = await openEngines(testConfig(t.dir, extra));
  // the feature step follows the change log, as under `serve` (the inbox answers once it got there)
  await engines.ingestion.start();
  return {
    engines,
    dir: t.dir,
    cleanup: async () => {
      await engines.close();
      t.remove();
    },
  };
}

export const SAMPLE_DATASET = join(appRoot(), 'raw_data', 'sample_dataset.csv');
export const SKIP_FULL = 'the full dataset is absent (set SPAMOPS_DATASET to the labelled dataset file, sms_id,text,label)';

/** The one Fastify app on a loopback port; returns its base URL and a close function. */
export async function startTestServer(engines: Engines): Promise<{ base: string; close: () => Promise<void> }> {
  const { buildApp } = await import('../api');
  const app = await buildApp(engines);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  return { base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, close: () => app.close() };
}

/**
 * `n` labelled messages of a dozen words (every fourth spam, ids `<prefix>0000000`...), the offline
 * sources built from them and the registry applied: a feature store large enough that its offline
 * work takes seconds (kill and resource tests).
 */
export async function syntheticFeatureStore(engines: Engines, n: number, prefix: string): Promise<void> {
  const { buildOfflineSources } = await import('../setup');
  const { definitionsForStage } = await import('../featurestore');
  const words = ['free', 'call', 'now', 'win', 'cash', 'hello', 'see', 'you', 'later', 'prize', 'tomorrow', 'meeting'];
  for (let s = 0; s < n; s += 10_000)
    await engines.storage.labelled.insertMany(
      Array.from({ length: Math.min(10_000, n - s) }, (_, j) => {
        const i = s + j;
        return {
          sms_id: `${prefix}${String(i).padStart(7, '0')}`,
          text: Array.from({ length: 9 }, (_, w) => words[(i * 7 + w * 5 + (i % 11)) % words.length]).join(' '),
          label: i % 4 === 0 ? 'spam' : 'ham',
          origin: 'synthetic',
        };
      }),
    );
  await buildOfflineSources(engines);
  await engines.features.apply(definitionsForStage('2021'), '2021');
}

/**
 * Engines bootstrapped with the project's sample (models trained unless `train: false`) and the
 * API on a loopback port: what the HTTP tests start from.
 */
export async function sampleServer(
  o: { train?: boolean; config?: Partial<AppConfig> } = {},
): Promise<{ engines: Engines; dir: string; base: string; close: () => Promise<void> }> {
  const { bootstrap, queueMissingModels } = await import('../setup');
  const { engines, dir, cleanup } = await testEngines(o.config);
  await bootstrap(engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
  if (o.train !== false) for (const r of await queueMissingModels(engines)) await engines.runs.wait(r.id);
  const server = await startTestServer(engines);
  return {
    engines,
    dir,
    base: server.base,
    close: async () => {
      await server.close();
      await cleanup();
    },
  };
}

/**
 * A sampleServer for one test file, started before its tests and closed after them, with JSON
 * calls that answer their status and parsed body (each HTTP test file wrote these lines again).
 */
export function sampleServerForFile(o: { train?: boolean; config?: Partial<AppConfig> } = {}) {
  let s: Awaited<ReturnType<typeof sampleServer>> | undefined;
  beforeAll(async () => {
    s = await sampleServer(o);
  }, 180_000);
  afterAll(async () => s?.close());
  const started = () => {
    if (!s) throw new Error('the sample server is not started yet (use it inside a test)');
    return s;
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const r = await fetch(started().base + path, init);
    return { status: r.status, body: await r.json() };
  };
  return {
    get engines(): Engines {
      return started().engines;
    },
    get base(): string {
      return started().base;
    },
    post: (path: string, body: unknown) => call('POST', path, body),
    del: (path: string) => call('DELETE', path),
  };
}
