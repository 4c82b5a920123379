/**
 * F7 and F11: no request holds a connection for ever, event streams are capped and answer at
 * once, one listener serves every subscriber. Short limits here (config.json's server settings).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import http from 'node:http';
import { testEngines } from '../testing/fixtures';
import type { Engines } from '../engines';
import type { FastifyInstance } from 'fastify';

let engines: Engines;
let cleanup: () => Promise<void>;
let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  const t = await testEngines();
  engines = t.engines;
  cleanup = t.cleanup;
  Object.assign(engines.config.server, { requestTimeoutMs: 1500, headersTimeoutMs: 1000, keepAliveTimeoutMs: 500, maxEventStreams: 3 });
  await engines.runs.init();
  const { buildApp } = await import('../api');
  app = await buildApp(engines);
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await app.close();
  await cleanup();
});

/** raw bytes to the server; resolves with what came back and how long until the server closed */
function raw(payload: string, waitMs: number): Promise<{ data: string; closedAfterMs?: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let data = '';
    const sock = net.connect(port, '127.0.0.1', () => sock.write(payload));
    sock.on('data', (d) => (data += d.toString()));
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ data });
    }, waitMs);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ data, closedAfterMs: Date.now() - t0 });
    });
  });
}

describe('F7: timeouts and caps', () => {
  it('a body announced and never sent is cut off with 408 within the request timeout', async () => {
    const r = await raw('POST /sms HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"recip', 10_000);
    expect(r.closedAfterMs, 'the server closed the connection').toBeDefined();
    expect(r.closedAfterMs!).toBeLessThan(5000);
    expect(r.data).toMatch(/^HTTP\/1\.1 408/);
    expect(r.data).toMatch(/"error":"request_timeout"/);
  });

  it('a request the HTTP parser refuses is answered in the API error shape, naming what is wrong', async () => {
    // Fastify's default said {"error":"Bad Request","message":"Client Error"}
    const two = await raw(
      'POST /feedback HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{"a":1}',
      5000,
    );
    expect(two.data).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(JSON.parse(two.data.slice(two.data.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'bad_request',
      detail: 'malformed HTTP request: the request has two Content-Length headers, or Content-Length with Transfer-Encoding (HPE_UNEXPECTED_CONTENT_LENGTH)',
    });
    const nan = await raw('GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n', 5000);
    expect(nan.data).toMatch(/"detail":"malformed HTTP request: the request's Content-Length is not a number/);
  });

  it('headers that never end are cut off too', async () => {
    const r = await raw('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n', 10_000);
    expect(r.closedAfterMs).toBeDefined();
    expect(r.closedAfterMs!).toBeLessThan(5000);
  });
});

describe('F11 and the event-stream cap', () => {
  it('sends the stream headers at once, serves many subscribers with one listener, and refuses past the cap', async () => {
    const listenersBefore = engines.runs.listenerCount('event');
    const opened: http.ClientRequest[] = [];
    const open = () =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/runs-events', headers: { host: 'localhost' } }, resolve);
        req.on('error', reject);
        opened.push(req);
      });
    const t0 = Date.now();
    const first = await open();
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream');
    expect(Date.now() - t0).toBeLessThan(1000); // not after the first event or the 15 s ping
    await open();
    await open();
    expect(engines.runs.listenerCount('event')).toBe(listenersBefore + 1);
    const refused = await open();
    expect(refused.statusCode).toBe(503);
    for (const r of opened) r.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(engines.runs.listenerCount('event')).toBe(listenersBefore);
    // the slots came back
    const again = await open();
    expect(again.statusCode).toBe(200);
    again.destroy();
  });
});
