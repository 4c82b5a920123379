/** Data imports over HTTP: uploads checked by size and type, steps followed as events, the new rows usable. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleServer } from '../testing/fixtures';
import type { ImportJob } from '../../src-shared/data';

let s: Awaited<ReturnType<typeof sampleServer>>;
beforeAll(async () => {
  s = await sampleServer({ train: false });
});
afterAll(async () => s?.close());

const upload = (name: string, content: string, type = 'text/csv') => {
  const form = new FormData();
  form.append('file', new Blob([content], { type }), name);
  return fetch(`${s.base}/data/imports`, { method: 'POST', body: form });
};

/** the job's events until it ends (Server-Sent Events read with fetch) */
async function follow(id: string): Promise<{ events: ImportJob[]; last: ImportJob }> {
  const res = await fetch(`${s.base}/data/imports/${id}/events`);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const text = await res.text(); // the stream ends with the job
  const events = text
    .split('\n\n')
    .map((b) => b.split('\n').find((l) => l.startsWith('data: ')))
    .filter((l): l is string => !!l)
    .map((l) => (JSON.parse(l.slice(6)) as { job: ImportJob }).job);
  return { events, last: events[events.length - 1] };
}

describe('data imports', () => {
  it('imports an uploaded seed CSV step by step, reports bad rows by line, and the rows reach the offline store and the online store', async () => {
    const csv = 'sms_id,text,label\nu1,"WIN a FREE prize, call now",spam\nu2,see you at noon,ham\nu3,,ham\nu4,odd,maybe\n';
    const r = await upload('mine.csv', csv);
    expect(r.status).toBe(202);
    const job = (await r.json()) as ImportJob;
    expect(job.source).toMatchObject({ kind: 'file', name: 'mine.csv', format: 'seed-csv' });
    const { last } = await follow(job.id);
    expect(last.status).toBe('succeeded');
    expect(last.steps.map((x) => x.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(last.report).toMatchObject({ read: 2, inserted: 2, problemCount: 2, labels: { ham: 1, spam: 1 } });
    expect(last.report!.problems).toEqual([
      { line: 4, reason: 'empty text' },
      { line: 5, reason: 'unknown label "maybe" (expected spam or ham)' },
    ]);
    const preview = await (await fetch(`${s.base}/offline/smss1/preview?limit=1000`)).json();
    expect(preview.rows.map((x: { entity_key: string }) => x.entity_key)).toContain('u1');
    const online = await (
      await fetch(`${s.base}/get-online-features`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entities: { sms_id: ['u1'] }, feature_service: 'labeled_sms_2' }),
      })
    ).json();
    expect(online.results[1].statuses[0]).toBe('PRESENT');
    expect((await (await fetch(`${s.base}/data/summary`)).json()).labelled).toBe(242);
    expect((await (await fetch(`${s.base}/data/imports`)).json())[0].id).toBe(job.id);
  });

  it('numbers a second UCI SMS file on from the highest id, so its rows are imported, not refused as existing', async () => {
    const first = await follow(((await (await upload('SMSSpamCollection', 'ham\tfirst file one\nspam\tWIN first file two\n')).json()) as ImportJob).id);
    expect(first.last.report).toMatchObject({ read: 2, inserted: 2, duplicates: 0 });
    const second = await follow(((await (await upload('SMSSpamCollection', 'ham\tsecond file one\nham\tsecond file two\n')).json()) as ImportJob).id);
    expect(second.last.status).toBe('succeeded');
    expect(second.last.report).toMatchObject({ read: 2, inserted: 2, duplicates: 0 });
    // the first takes the seed's numbering of the collection (the sample's sms90001.. do not move it), the second goes on
    const got = await s.engines.storage.labelled.get(['sms10001', 'sms10002', 'sms10003', 'sms10004']);
    expect(got.map((m) => m?.text)).toEqual(['first file one', 'WIN first file two', 'second file one', 'second file two']);
    expect(first.last.steps[1].detail).toMatch(/numbered from sms10001/);
    expect(second.last.steps[1].detail).toMatch(/numbered from sms10003/);
  });

  it('refuses an id too long to look up at import, and looks up one at the limit', async () => {
    const atLimit = 'k'.repeat(200);
    const r = await upload('long-ids.csv', `sms_id,text,label\n${'x'.repeat(10_000)},too long an id,ham\n${atLimit},an id at the limit,spam\n`);
    const { last } = await follow(((await r.json()) as ImportJob).id);
    expect(last.report).toMatchObject({ inserted: 1, problemCount: 1 });
    expect(last.report!.problems).toEqual([{ line: 2, reason: 'sms_id has 10,000 characters; at most 200 are accepted' }]);
    const online = await fetch(`${s.base}/get-online-features`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entities: { sms_id: [atLimit] }, feature_service: 'labeled_sms_1' }),
    });
    expect(online.status).toBe(200);
    expect((await online.json()).results[1].statuses[0]).toBe('PRESENT');
    const feedback = await fetch(`${s.base}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sms_id: atLimit, true_label: 'spam' }),
    });
    expect(feedback.status).toBe(201);
  });

  it('refuses what it cannot read: not multipart 415, an unknown file 415, over the limit 413, nothing kept', async () => {
    const plain = await fetch(`${s.base}/data/imports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(plain.status).toBe(415);
    expect((await plain.json()).detail).toMatch(/multipart\/form-data/);
    const odd = await upload('notes.txt', 'just some words\nand more\n', 'text/plain');
    expect(odd.status).toBe(415);
    expect((await odd.json()).detail).toMatch(/notes\.txt: not a dataset SpamOps reads; expected a seed CSV/);
    const limit = s.engines.config.server.uploadLimitBytes;
    s.engines.config.server.uploadLimitBytes = 1000;
    // the limit is read when the plugin registers: a fresh app with the small limit
    const { buildApp } = await import('.');
    const app = await buildApp(s.engines);
    await app.listen({ host: '127.0.0.1', port: 0 });
    s.engines.config.server.uploadLimitBytes = limit;
    try {
      const form = new FormData();
      form.append('file', new Blob([`sms_id,text,label\n${'x,aaaa,ham\n'.repeat(500)}`]), 'big.csv');
      const big = await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/data/imports`, { method: 'POST', body: form });
      expect(big.status).toBe(413);
      expect((await big.json()).detail).toMatch(/larger than the upload limit/);
    } finally {
      await app.close();
    }
    const { readdirSync, existsSync } = await import('node:fs');
    const dir = `${s.engines.config.dataDir}/imports`;
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('refuses a second file, a file in another field and a malformed body with 400 saying what to send, and names the uploaded file in a failure', async () => {
    const csv = 'sms_id,text,label\nmp1,hello,ham\n';
    const two = new FormData();
    two.append('file', new Blob([csv]), 'a.csv');
    two.append('file', new Blob([csv]), 'b.csv');
    const r2 = await fetch(`${s.base}/data/imports`, { method: 'POST', body: two });
    expect(r2.status).toBe(400);
    expect((await r2.json()).detail).toMatch(/one file per import/);
    const other = new FormData();
    other.append('dataset', new Blob([csv]), 'a.csv');
    const r3 = await fetch(`${s.base}/data/imports`, { method: 'POST', body: other });
    expect(r3.status).toBe(400);
    expect((await r3.json()).detail).toMatch(/the file came in the field "dataset": send it in the field "file"/);
    const noBoundary = await fetch(`${s.base}/data/imports`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: csv });
    expect(noBoundary.status).toBe(400);
    const cut = await fetch(`${s.base}/data/imports`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XX' },
      body: `--XX\r\nContent-Disposition: form-data; name="file"; filename="t.csv"\r\n\r\n${csv}`,
    });
    expect(cut.status).toBe(400);
    expect(((await cut.json()) as { error: string }).error).toBe('bad_request');
    // a zip that is not one: the error names the file as uploaded, not the name it was saved under
    const res = await upload('mine.zip', 'PK\u0003\u0004 not really a zip', 'application/zip');
    expect(res.status).toBe(202);
    const { last } = await follow(((await res.json()) as ImportJob).id);
    expect(last.status).toBe('failed');
    expect(last.error).toMatch(/^mine\.zip is not a readable zip archive/);
    expect(last.error).not.toMatch(/\.upload/);
  });
});
