/**
 * The API's log as `spamops serve` writes it (one JSON line per warning or error on stdout): the
 * app's own pino logger, not Fastify's, so that no request pays for a child logger or for
 * listening to its response's end. Run in a child process, whose stdout is the log.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../config';

describe("the API's log", () => {
  it("names the request of a 500, and carries Fastify's own warnings", () => {
    const script = `
      const { buildApp } = await import(${JSON.stringify(join(appRoot(), 'src-main/api/index.ts'))});
      const { testEngines } = await import(${JSON.stringify(join(appRoot(), 'src-main/testing/fixtures.ts'))});
      const t = await testEngines();
      const app = await buildApp(t.engines, { logger: true });
      app.get('/boom', async () => { throw new Error('boom on purpose'); });
      app.get('/twice', (_req, reply) => { reply.send({ a: 1 }); reply.send({ a: 2 }); });
      const boom = await app.inject({ url: '/boom' });
      const twice = await app.inject({ url: '/twice' });
      const ok = await app.inject({ url: '/health' });
      await app.close();
      await t.cleanup();
      console.error(JSON.stringify({ statuses: [boom.statusCode, twice.statusCode, ok.statusCode] }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: appRoot(), encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}')).toEqual({ statuses: [500, 200, 200] });
    const lines = r.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; reqId?: string; err?: { message: string } });
    const error = lines.find((l) => l.level === 50);
    expect(error).toMatchObject({ msg: 'boom on purpose', reqId: expect.stringMatching(/^req-/), err: { message: 'boom on purpose' } });
    // Fastify's warning of a second send goes to the same log
    expect(lines.some((l) => l.level === 40 && /already sent/i.test(JSON.stringify(l)))).toBe(true);
    // nothing at info level: a request answered is not a line
    expect(lines.filter((l) => l.level < 40)).toEqual([]);
  });
});
