/**
 * Bodies at the edges of what the API takes: nesting past the depth limit, the historical
 * retrieval's 100,000 entity rows, and values outside an enum. Each answer is a 4xx that names
 * the limit or the values allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { sampleServer } from '../testing/fixtures';
import { HISTORICAL_BODY_LIMIT_BYTES, HISTORICAL_MAX_ENTITIES } from '../../src-shared/featurestore';

let s: Awaited<ReturnType<typeof sampleServer>>;
beforeAll(async () => {
  s = await sampleServer({ train: false });
});
afterAll(async () => s?.close());

const send = (method: string, path: string, body: string, type = 'application/json') =>
  fetch(`${s.base}${path}`, { method, headers: { 'content-type': type }, body });

/** GET with a body, as the seed's curl -X GET -d sends it (fetch cannot) */
function getWithBody(path: string, body: string | Buffer, type = 'application/json'): Promise<{ status: number; json: { detail: string; field?: string } }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.base}${path}`, { method: 'GET', headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('nesting depth', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('refuses a body nested 5,000 deep with 400 naming the depth limit, whatever the content type or route', async () => {
    for (const [path, type] of [
      ['/feedback', 'application/json'],
      ['/get-online-features', 'application/json'],
      ['/get-online-features', 'application/x-www-form-urlencoded'], // curl -d
    ]) {
      const r = await send('POST', path, `{"sms_id":"a","true_label":"ham","note":${deep(5000)}}`, type);
      expect(r.status, `${path} ${type}`).toBe(400);
      const j = await r.json();
      expect(j, `${path} ${type}`).toMatchObject({ error: 'validation_error', field: 'body' });
      expect(j.detail).toMatch(/nested more than 64 deep .*at most 64 levels/);
    }
    // GET /prediction's body is read as every other: a text/plain one, bytes that are not UTF-8 and a lone surrogate are refused
    expect((await getWithBody('/prediction', '{"model_id":"v1","text":"hi"}', 'text/plain')).status).toBe(415);
    const bytes = await getWithBody('/prediction', Buffer.concat([Buffer.from('{"model_id":"v1","text":"a'), Buffer.from([0xff]), Buffer.from('"}')]));
    expect(bytes.status).toBe(400);
    expect(bytes.json.detail).toMatch(/is not UTF-8 text/);
    const lone = await getWithBody('/prediction', '{"model_id":"v1","text":"\\ud800"}');
    expect(lone.status).toBe(400);
    expect(lone.json.field).toBe('body.text');
    // curl -d's type is read as JSON: past the body, to the model (none is trained here: 404 naming it)
    const form = await getWithBody('/prediction', '{"model_id":"nosuch","text":"hi"}', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(404);
    expect(form.json.detail).toMatch(/nosuch/);
    const get = await getWithBody('/prediction', `{"model_id":"v3","text":${deep(5000)}}`);
    expect(get.status).toBe(400);
    expect(get.json.detail).toMatch(/nested more than 64 deep/);
  });

  it('counts brackets inside strings as text, and takes 64 levels', async () => {
    const r = await send('POST', '/feedback', JSON.stringify({ sms_id: 'sms90001', true_label: 'ham', note: '['.repeat(900) }));
    expect(r.status).toBe(201);
    const at64 = await send('POST', '/feedback', `{"sms_id":"a","true_label":"ham","note":${deep(63)}}`);
    expect(at64.status).toBe(400);
    expect((await at64.json()).detail).toMatch(/body.note must be string/); // the schema's answer, not the depth's
  });
});

describe('POST /get-historical-features takes the 100,000 entity rows its schema allows', () => {
  it('answers 100,000 ids with their timestamps (over 1 MiB), and names the route limit in a 413', async () => {
    const ids = Array.from({ length: HISTORICAL_MAX_ENTITIES }, (_, i) => (i < 240 ? `sms${90001 + i}` : `sms${1_000_000 + i}`));
    const body = JSON.stringify({
      feature_service: 'labeled_sms_1',
      entities: { sms_id: ids, event_timestamp: ids.map(() => '2021-09-02T00:00:00Z') },
    });
    expect(body.length).toBeGreaterThan(3 * 1024 * 1024);
    const r = await send('POST', '/get-historical-features', body);
    expect(r.status).toBe(200);
    const lines = (await r.text()).trim().split('\n');
    expect(lines).toHaveLength(HISTORICAL_MAX_ENTITIES);
    expect(JSON.parse(lines[0]).sms_id).toBe('sms90001');

    const tooLarge = await send('POST', '/get-historical-features', `{"feature_service":"labeled_sms_1","at":"${'x'.repeat(HISTORICAL_BODY_LIMIT_BYTES)}"}`);
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).detail).toMatch(/POST \/get-historical-features takes at most 33,554,432 bytes \(room for 100,000 entity rows/);
    // a push of as many rows as its schema takes (over 1 MiB: 413 before) is taken whole
    const n = 100_000;
    const pushed = await send(
      'POST',
      '/push',
      JSON.stringify({
        push_source_name: 'labels_push',
        df: {
          sms_id: Array.from({ length: n }, (_, i) => `p${i}`),
          event_timestamp: Array.from({ length: n }, () => '2021-09-02T00:00:00Z'),
          label: Array.from({ length: n }, (_, i) => (i % 4 ? 'ham' : 'spam')),
        },
        to: 'online',
      }),
    );
    expect(pushed.status, await pushed.clone().text()).toBe(200);
    expect(((await pushed.json()) as { rows: number }).rows).toBe(n);
    // every other route keeps the server's limit, and says which setting it is
    const other = await send('POST', '/feedback', `{"note":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    expect(other.status).toBe(413);
    expect((await other.json()).detail).toMatch(/POST \/feedback takes at most 1,048,576 bytes \(server\.bodyLimitBytes/);
  });
});

describe('values outside an enum', () => {
  it('are refused with the allowed values listed', async () => {
    const cases: [string, string, unknown, string, string][] = [
      ['POST', '/feedback', { sms_id: 'a', true_label: 'maybe' }, 'body.true_label', '"ham", "spam"'],
      ['POST', '/get-historical-features', { feature_service: 'labeled_sms_1', entities: 'all', format: 'xml' }, 'body.format', '"ndjson", "csv", "parquet"'],
      ['POST', '/push', { push_source_name: 'smss2_push', df: {}, to: 'nowhere' }, 'body.to', '"online", "offline", "online_and_offline"'],
      ['POST', '/data/imports/uci', { which: 'both' }, 'body.which', '"sms", "youtube", "all"'],
      ['POST', '/models', { id: 'tc-01', force_update: 'yes' }, 'body.force_update', 'a boolean, "True", "False", "true", "false"'],
      ['DELETE', '/models/tc-99?force=yes', undefined, 'querystring.force', '"true", "false"'],
    ];
    for (const [method, path, body, field, allowed] of cases) {
      const r = await fetch(`${s.base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(r.status, path).toBe(400);
      const j = await r.json();
      expect(j, path).toMatchObject({ error: 'validation_error', field });
      expect(j.detail, path).toBe(`${field}: expected one of ${allowed}`);
    }
  });

  it('still names the deepest field when a union branch got further than the value itself', async () => {
    const r = await send('POST', '/get-historical-features', JSON.stringify({ feature_service: 'labeled_sms_1', entities: { sms_id: [5] } }));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'body.entities.sms_id.0' });
  });
});
