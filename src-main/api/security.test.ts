/** Reachability rules: the token beyond loopback, trusted proxies for the caller id, feedback. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { request } from 'node:http';
import { buildApp } from '.';
import { hostName } from './security';
import { testEngines } from '../testing/fixtures';
import { ensureInstallToken } from '../platform';
import { installToken } from '../config';
import type { Engines } from '../engines';

let app: FastifyInstance | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await app?.close();
  await cleanup?.();
});

async function start(server: Partial<Engines['config']['server']>): Promise<{ base: string; engines: Engines }> {
  const t = await testEngines();
  cleanup = t.cleanup;
  Object.assign(t.engines.config.server, server);
  installToken(t.engines.config);
  app = await buildApp(t.engines);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  return { base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, engines: t.engines };
}

/** a message in an inbox (feedback labels a message the product has) */
async function inboxMessage(base: string): Promise<string> {
  const r = await fetch(`${base}/sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ recipient_id: 'otto', sender_id: 'eve', sms_text: 'Lunch at noon?' }),
  });
  return ((await r.json()) as { sms_id: string }).sms_id;
}

/** a GET with the Host header given (fetch may not set one) */
function withHost(base: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hostName', () => {
  it('reads a name or a bracketed address, then at most a port; anything else whole', () => {
    expect(hostName('localhost:8000')).toBe('localhost');
    expect(hostName('LOCALHOST')).toBe('localhost');
    expect(hostName('[::1]:8000')).toBe('[::1]');
    expect(hostName('[::1]')).toBe('[::1]');
    expect(hostName('[::1].evil.com')).toBe('[::1].evil.com');
    expect(hostName('[::1]evil:80')).toBe('[::1]evil:80');
    expect(hostName('localhost:80:80')).toBe('localhost:80:80');
  });
});

describe('reachability', () => {
  it('refuses a Host that only begins like a loopback one (a DNS-rebinding page names its own host)', async () => {
    const { base } = await start({});
    expect(await withHost(base, '/health', '[::1]:8000')).toBe(200);
    expect(await withHost(base, '/health', '[::1].evil.com')).toBe(421);
    expect(await withHost(base, '/local/info', '[::1].evil.com:8000')).toBe(421);
  });

  it('requires the install token when bound beyond loopback', async () => {
    const { base, engines } = await start({ host: '0.0.0.0' });
    const token = engines.config.server.token!;
    expect(token.length).toBeGreaterThan(20);
    expect((await fetch(`${base}/health`)).status).toBe(401);
    expect((await fetch(`${base}/health`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // the scheme's name in any case (RFC 7235); the token itself exactly
    expect((await fetch(`${base}/health`, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${base}/health`, { headers: { authorization: `BEARER ${token}` } })).status).toBe(200);
    expect((await fetch(`${base}/health`, { headers: { authorization: `Bearer ${token.toUpperCase()}x` } })).status).toBe(401);
    expect((await fetch(`${base}/health`, { headers: { authorization: token } })).status).toBe(401);
    // the same token on the next start
    expect(ensureInstallToken(engines.config.dataDir)).toBe(token);
  });

  it('believes X-Forwarded-For only from a configured proxy', async () => {
    const { base } = await start({ trustedProxies: ['127.0.0.1'] });
    const sms_id = await inboxMessage(base);
    const info = await fetch(`${base}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ sms_id, true_label: 'spam', predicted_label: 'ham', model_version: 'v3' }),
    });
    expect(info.status).toBe(201);
    const list = await (await fetch(`${base}/feedback`)).json();
    expect(list[0]).toMatchObject({ sms_id, true_label: 'spam', caller: '203.0.113.7' });
  });

  it('ignores X-Forwarded-For from anyone else, and refuses bad feedback', async () => {
    const { base } = await start({});
    const sms_id = await inboxMessage(base);
    await fetch(`${base}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ sms_id, true_label: 'ham' }),
    });
    expect((await (await fetch(`${base}/feedback`)).json())[0].caller).toBe('127.0.0.1');
    const bad = await fetch(`${base}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sms_id: 'a', true_label: 'maybe' }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).field).toMatch(/true_label/);
    const local = await (await fetch(`${base}/local/info`)).json();
    expect(local.token).toBeTruthy();
  });

  it("answers a configured origin's preflight itself (204, nothing after it runs), refuses another origin's", async () => {
    const { base } = await start({ corsOrigins: ['http://localhost:3000'] });
    const preflight = (origin: string) =>
      fetch(`${base}/model/v3/text_to_prediction`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const ok = await preflight('http://localhost:3000');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE,OPTIONS');
    expect(ok.headers.get('access-control-allow-headers')).toBe('Content-Type, Authorization');
    expect(await ok.text()).toBe('');
    const refused = await preflight('http://evil.example');
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toBe('origin_not_allowed');
    // the server goes on answering after both
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
