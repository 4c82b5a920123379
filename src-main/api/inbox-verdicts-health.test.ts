/**
 * The inbox's verdicts when SPAMOPS_INBOX_MODEL names a model with no version (a typo): messages are
 * stored and featured, no verdict is recorded, and /health says so, naming the setting (it said ok).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { loadConfig } from '../config';
import { sampleServer, sampleServerForFile } from '../testing/fixtures';

let engines: Engines;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ engines, base, close } = await sampleServer({ train: false, config: { inboxModel: 'nosuch' } }));
}, 120_000);
afterAll(async () => close());

const sms = (text: string) =>
  fetch(`${base}/sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ recipient_id: 'otto', sender_id: 'eve', sms_text: text }),
  });
const health = async () =>
  (await (await fetch(`${base}/health`)).json()) as { status: string; problems: { component: string; detail: string; remedy: string }[] };

describe('inbox verdicts of a model with no version', () => {
  it('stores the messages, and /health names the model, the setting and how many got no verdict', async () => {
    // the sample inbox bootstrap stored got none either
    await engines.verdicts.settled();
    const before = engines.verdicts.failing?.messages ?? 0;
    for (const text of ['Lunch at noon?', 'WIN a FREE prize now']) expect((await sms(text)).status).toBe(200);
    await engines.verdicts.settled();
    const h = await health();
    const p = h.problems.find((x) => x.component === 'inbox verdicts');
    expect(p, JSON.stringify(h)).toBeDefined();
    expect(p!.detail).toMatch(new RegExp(`^${before + 2} inbox message\\(s\\) since .* got no verdict of nosuch`));
    expect(p!.detail).toMatch(/got no verdict of nosuch \(SPAMOPS_INBOX_MODEL\): model nosuch has no trained version yet/);
    expect(p!.remedy).toContain('set SPAMOPS_INBOX_MODEL to a model with a version (v1, v2, v3)');
    expect(h.status).not.toBe('ok');
    // the messages themselves are stored
    expect(((await (await fetch(`${base}/sms/otto`)).json()) as unknown[]).length).toBe(2);
    expect(await engines.storage.predictions.count('nosuch')).toBe(0);
  });

  it('refuses a SPAMOPS_INBOX_MODEL that is no model id at start, naming it', () => {
    expect(() => loadConfig({}, { ...process.env, SPAMOPS_INBOX_MODEL: 'no such' })).toThrow(/SPAMOPS_INBOX_MODEL: expected a model id .* got "no such"/);
  });
});

describe('inbox verdicts once the inbox model lost its every version', () => {
  const s = sampleServerForFile({ train: false });

  it('says so in /health (it said ok while every message went without a verdict)', { timeout: 300_000 }, async () => {
    const e = s.engines;
    const run = await s.post('/runs', { model: 'v3', params: { epochs: 1 } });
    expect(run.status).toBe(202);
    const done = await e.runs.wait(run.body.id);
    expect(done.status, done.error).toBe('succeeded');
    expect((await s.post('/sms', { recipient_id: 'otto', sender_id: 'eve', sms_text: 'before the delete' })).status).toBe(200);
    await e.verdicts.settled();
    expect(e.verdicts.failing).toBeUndefined();
    expect((await s.del(`/models/v3/versions/${done.version}?force=true`)).status).toBe(200);
    expect((await s.post('/sms', { recipient_id: 'otto', sender_id: 'eve', sms_text: 'after the delete' })).status).toBe(200);
    await e.verdicts.settled();
    const h = (await (await fetch(`${s.base}/health`)).json()) as { status: string; problems: { component: string; detail: string; remedy: string }[] };
    const p = h.problems.find((x) => x.component === 'inbox verdicts');
    expect(p, JSON.stringify(h)).toBeDefined();
    expect(p!.detail).toMatch(/^1 inbox message\(s\) since .* got no verdict of v3 \(SPAMOPS_INBOX_MODEL\)/);
    expect(p!.remedy).toMatch(/^every version of v3 was deleted: train v3 again/);
    expect(h.status).toBe('degraded');
  });
});
