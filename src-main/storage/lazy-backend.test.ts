/** The embedded default loads no Cassandra code and no NATS client: cassandra-driver and @nats-io are imported only when chosen. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { appRoot } from '../config';
import { tempDir } from '../testing/fixtures';

describe('storage backends', () => {
  it('opens the SQLite engines with the embedded change log (and serves a request) without loading cassandra-driver or a NATS module', () => {
    const t = tempDir('spamops-lazy-');
    try {
      const script = `
        import { createRequire } from 'node:module';
        const { loadConfig } = await import(${JSON.stringify(join(appRoot(), 'src-main', 'config.ts'))});
        const { openEngines } = await import(${JSON.stringify(join(appRoot(), 'src-main', 'engines.ts'))});
        const { buildApp } = await import(${JSON.stringify(join(appRoot(), 'src-main', 'api', 'index.ts'))});
        const e = await openEngines(loadConfig({ dataDir: ${JSON.stringify(t.dir)} }, {}));
        const app = await buildApp(e);
        const r = await app.inject({ method: 'GET', url: '/health', headers: { host: 'localhost' } });
        const cache = Object.keys(createRequire(import.meta.url).cache);
        const loaded = cache.filter((f) => f.includes('cassandra-driver'));
        const nats = cache.filter((f) => f.includes('@nats-io'));
        console.log(JSON.stringify({ status: r.statusCode, cassandraModules: loaded.length, natsModules: nats.length, ingestion: e.ingestion.mode }));
        await app.close();
        await e.close();
      `;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: appRoot(), encoding: 'utf8' });
      expect(r.stderr).not.toMatch(/Error/);
      expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}')).toEqual({ status: 200, cassandraModules: 0, natsModules: 0, ingestion: 'embedded' });
    } finally {
      t.remove();
    }
  });
});
