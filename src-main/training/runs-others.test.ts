/**
 * A run trained by another process on the same data dir (a CLI `train` beside the server) shows in
 * the server's run list and on its run events as it goes (it showed only after a restart).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import type { RunRecord } from '../../src-shared/training';
import { sampleServer } from '../testing/fixtures';
import { spamopsBatchAsync } from '../testing/cli';

describe("another process's runs", () => {
  let engines: Engines;
  let dir: string;
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ engines, dir, base, close } = await sampleServer({ train: false }));
    await engines.runs.drained();
    engines.runs.followOthers(200);
  });
  afterAll(() => close?.());

  it('a CLI training run beside the server appears in GET /runs and on /runs-events while it runs and when it ends', { timeout: 240_000 }, async () => {
    const before = new Set(((await (await fetch(`${base}/runs`)).json()) as RunRecord[]).map((r) => r.id));
    // the console's view: every run's events
    const events: { type: string; runId: string; status?: string }[] = [];
    const ac = new AbortController();
    const res = await fetch(`${base}/runs-events`, { signal: ac.signal });
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const data = buf
            .slice(0, i)
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5))
            .join('');
          buf = buf.slice(i + 2);
          if (data) events.push(JSON.parse(data));
        }
      }
    })().catch(() => undefined);
    try {
      await trainBeside(before, events);
    } finally {
      ac.abort();
      await reading;
    }
  });

  async function trainBeside(before: Set<string>, events: { type: string; runId: string }[]): Promise<void> {
    const [train] = await spamopsBatchAsync([{ args: ['train', 'v2', '--epochs', '2'], dataDir: dir }]);
    expect(train.code, train.err).toBe(0);
    const runs = async () => ((await (await fetch(`${base}/runs`)).json()) as RunRecord[]).filter((r) => !before.has(r.id));
    const t0 = Date.now();
    while ((await runs()).find((r) => r.status === 'succeeded') === undefined && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    const [theirs] = await runs();
    expect(theirs.model).toBe('v2');
    expect(theirs.status).toBe('succeeded');
    const t1 = Date.now();
    while (!events.some((e) => e.type === 'done' && e.runId === theirs.id) && Date.now() - t1 < 30_000) await new Promise((r) => setTimeout(r, 100));
    const ofTheirs = events.filter((e) => e.runId === theirs.id);
    expect(ofTheirs.some((e) => e.type === 'status')).toBe(true);
    expect(ofTheirs.at(-1)?.type).toBe('done');

    // tags given by `spamops runs tag` in another process reach the server's record and its versions
    const [tagged] = await spamopsBatchAsync([{ args: ['runs', 'tag', theirs.id, 'from-cli', '--name', 'tagged beside'], dataDir: dir }]);
    expect(tagged.code, tagged.err).toBe(0);
    await expect
      .poll(async () => ((await (await fetch(`${base}/runs/${theirs.id}`)).json()) as RunRecord).tags, { timeout: 60_000, interval: 200 })
      .toEqual(['from-cli']);
    const v = await (await fetch(`${base}/models/v2/versions/${theirs.version}`)).json();
    expect(v.run).toEqual({ id: theirs.id, name: 'tagged beside', tags: ['from-cli'] });
  }
});
