/** F9 and the rest of hostile input: refused with 400 in the API's error shape, never stored broken. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleServer } from '../testing/fixtures';

let s: Awaited<ReturnType<typeof sampleServer>>;
beforeAll(async () => {
  s = await sampleServer({ train: false });
});
afterAll(async () => s?.close());

const postRaw = (path: string, raw: string) => fetch(`${s.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });

describe('F9: text that is not Unicode', () => {
  it('refuses a lone surrogate in any field of a body, naming it, and stores nothing', async () => {
    const r = await postRaw('/sms', '{"recipient_id":"ab\\ud800","sender_id":"x","sms_text":"hi"}');
    expect(r.status).toBe(400);
    const j = await r.json();
    expect(j).toMatchObject({ error: 'validation_error', field: 'body.recipient_id' });
    expect(j.detail).toMatch(/lone UTF-16 surrogate/);
    const nested = await postRaw('/get-online-features', '{"entities":{"sms_id":["ok","\\udc00"]},"feature_service":"labeled_sms_2"}');
    expect((await nested.json()).field).toBe('body.entities.sms_id[1]');
    expect(await s.engines.storage.users.listUsers()).not.toContain('ab\ud800');
    // a correct pair (an emoji) is fine
    expect((await postRaw('/sms/%F0%9F%98%80', '{"sender_id":"x","sms_text":"hi \\ud83d\\ude00"}')).status).toBe(200);
  });

  it('refuses bytes that are not UTF-8 (0xff 0xfe, stored as U+FFFD before), naming the field, and stores nothing', async () => {
    const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    const post = (path: string, body: Buffer, type = 'application/json') =>
      fetch(`${s.base}${path}`, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) });
    const r = await post('/sms', bytes('{"recipient_id":"rawbytes","sender_id":"x","sms_text":"caf', [0xff, 0xfe], '"}'));
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      error: 'validation_error',
      detail: 'body.sms_text: is not UTF-8 text (bytes ff fe 22 7d at byte 58): send the text as UTF-8',
      field: 'body.sms_text',
    });
    const form = await post('/sms/rawbytes', bytes('{"sender_id":"', [0xc3], '","sms_text":"hi"}'), 'application/x-www-form-urlencoded');
    expect(form.status).toBe(400);
    expect((await form.json()).field).toBe('body.sender_id');
    expect(await s.engines.storage.users.listUsers()).not.toContain('rawbytes');
    // UTF-8 text, a replacement character sent as such included, is fine
    expect((await post('/sms/rawbytes', bytes('{"sender_id":"x","sms_text":"caf\u00e9 \ufffd é"}'))).status).toBe(200);
  });

  it('answers a URL that is not valid UTF-8 in the {error, detail} shape', async () => {
    const r = await fetch(`${s.base}/sms/%ED%A0%80`);
    expect(r.status).toBe(400);
    const j = await r.json();
    expect(Object.keys(j).sort()).toEqual(['detail', 'error']);
    expect(j.detail).toMatch(/valid percent-encoded UTF-8/);
  });
});

describe('dates that do not exist', () => {
  it('refuses 2021-02-30 instead of rolling it over to March, with or without a time and zone', async () => {
    for (const ts of ['2021-02-30', '2021-02-30T00:00:00Z', '2021-02-29T12:00:00+02:00', '2021-04-31 00:00:00']) {
      const r = await postRaw('/materialize', JSON.stringify({ start_ts: ts, end_ts: '2021-12-31' }));
      expect(r.status, ts).toBe(400);
      expect((await r.json()).detail).toMatch(/is not a valid date/);
    }
    expect((await postRaw('/materialize', JSON.stringify({ start_ts: '2024-02-29', end_ts: '2024-03-01' }))).status).toBe(200);
  });
});
