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
});
