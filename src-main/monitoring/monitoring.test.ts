/**
 * Monitoring end to end: recorded predictions, drift against the training reference, alerts
 * to a webhook. On the full dataset: a model trained on SMS only shows drift on the YouTube
 * comments and none on unseen SMS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engines } from '../engines';
import { testEngines, sampleServer, fullDatasetPath, SKIP_FULL, SAMPLE_DATASET } from '../testing/fixtures';
import { parseDataset } from '../dataset';
import { bootstrap, buildOfflineSources, queueMissingModels } from '../setup';
import { definitionsForStage } from '../featurestore';
import { KerasTokenizer } from '../features';
import { wilsonInterval } from './stattests/wilson';
import { escapeHtml } from './report-html';
import { spamopsBatchAsync } from '../testing/cli';
import { until } from '../testing/wait';

/** a loopback webhook receiver */
async function webhookSink(status = 204): Promise<{ url: string; received: unknown[]; close: () => void }> {
  const received: unknown[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hook`, received, close: () => server.close() };
}

describe('monitoring on the sample data, over HTTP', () => {
  let engines: Engines;
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ engines, base, close } = await sampleServer());
  });
  afterAll(async () => close());
  const post = (path: string, body: unknown) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('records every served prediction and reports drift per feature', async () => {
    for (const text of ['Hi, are we still on for lunch?', 'WIN a FREE prize now!!! Call 0800 123', 'ok see you later']) {
      await post('/model/v1/text_to_prediction', { text });
      await post('/model/v3/text_to_prediction', { text });
    }
    const preds = await (await fetch(`${base}/monitoring/predictions?model=v1`)).json();
    expect(preds).toHaveLength(3);
    expect(preds[0]).toMatchObject({ model: 'v1', endpoint: 'text_to_prediction', caller: '127.0.0.1' });
    expect(preds[0].features).toHaveLength(9);
    // 3 predictions: below the minimum window (200 by default), no verdict
    const early = await (await fetch(`${base}/monitoring/drift?model=v1`)).json();
    expect(early).toMatchObject({ status: 'collecting', statusText: 'collecting: 3 of 200 predictions', minWindow: 200, datasetDrift: false, features: [] });
    expect(early.window).toMatchObject({ n: 3, selection: 'the last 1000 predictions of the last 24 h' });
    expect(early.window.from <= early.window.to).toBe(true);
    expect(early.reference).toMatchObject({ kind: 'training', rows: early.referenceRows });
    expect(early.reference.description).toMatch(/^training rows of v1 v/);
    // a per-model minimum window: v1 and v3 give verdicts from 1 prediction on
    const put = await fetch(`${base}/monitoring/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ drift: { minWindowByModel: { v1: 1, v3: 1 } } }),
    });
    expect(put.status).toBe(200);
    const r1 = await (await fetch(`${base}/monitoring/drift?model=v1`)).json();
    expect(r1.status).not.toBe('collecting');
    expect(r1.features.map((f: { feature: string }) => f.feature)).toEqual([
      'cap_r',
      'nal_r',
      'cw_scores_0',
      'cw_scores_1',
      'cw_scores_2',
      'cw_scores_3',
      'cw_scores_4',
      'cw_scores_5',
      'cw_scores_6',
    ]);
    expect(r1.features[0].test).toBe('ks'); // a reference of 192 rows: the small-sample test
    expect(r1.features[0]).toMatchObject({ chosenBy: 'auto', decidedBy: 'p_value', sampleUnit: 'prediction' });
    expect(r1.features[0].reason).toMatch(/^automatic: numeric feature, \d+ reference rows \(<= 1000\) -> ks$/);
    expect(r1.features[2]).toMatchObject({ feature: 'cw_scores_0', test: 'z_test', decidedBy: 'p_value' });
    const r3 = await (await fetch(`${base}/monitoring/drift?model=v3`)).json();
    expect(r3.features.map((f: { feature: string }) => f.feature)).toEqual(['token_ids', 'length', 'oov_rate']);
    expect(r3.window.n).toBe(3);
    // token ids: the tokens that rose and fell most, each with both shares
    const tokens = r3.features[0];
    expect(tokens.gained.length).toBeGreaterThan(0);
    expect(tokens.lost.length).toBeGreaterThan(0);
    for (const m of tokens.gained) expect(m.current).toBeGreaterThan(m.reference);
    for (const m of tokens.lost) expect(m.current).toBeLessThan(m.reference);
    expect(tokens.sampleUnit).toMatch(/^message/);
    expect((await fetch(`${base}/monitoring/drift?model=nope`)).status).toBe(404);
  });

  it('takes per-feature thresholds from the settings', async () => {
    const put = await fetch(`${base}/monitoring/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ drift: { thresholds: { cap_r: 0.000001 } } }),
    });
    expect((await put.json()).drift.thresholds).toEqual({ cap_r: 0.000001 });
    const r = await (await fetch(`${base}/monitoring/drift?model=v1`)).json();
    expect(r.features[0]).toMatchObject({ feature: 'cap_r', threshold: 0.000001 });
    // a per-feature test: cap_r measured by the normed Wasserstein distance, said so in the report
    const setTest = await fetch(`${base}/monitoring/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ drift: { tests: { cap_r: 'wasserstein_normed' }, thresholds: { cap_r: 0.2 } } }),
    });
    expect(setTest.status).toBe(200);
    const rt = await (await fetch(`${base}/monitoring/drift?model=v1`)).json();
    expect(rt.features[0]).toMatchObject({ feature: 'cap_r', test: 'wasserstein_normed', chosenBy: 'setting', decidedBy: 'statistic', threshold: 0.2 });
    expect(rt.features[0].pValue).toBeUndefined();
    // a test that does not apply to the feature, or an unknown feature: 400 naming the field
    for (const [tests, field] of [
      [{ cap_r: 'z_test' }, 'body.drift.tests.cap_r'],
      [{ nope: 'ks' }, 'body.drift.tests.nope'],
    ] as const) {
      const res = await fetch(`${base}/monitoring/settings`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ drift: { tests } }),
      });
      expect(res.status).toBe(400);
      expect((await res.json()).field).toBe(field);
    }
    expect(engines.monitor.settings.drift.tests).toEqual({ cap_r: 'wasserstein_normed' });
    const bad = await fetch(`${base}/monitoring/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ qualityThreshold: 3 }),
    });
    expect(bad.status).toBe(400);
    await fetch(`${base}/monitoring/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ drift: { thresholds: {} } }),
    });
    engines.monitor.settings.drift = {};
  });

  it('raises an alert when dataset drift turns true, sends it to the webhook, lets an operator acknowledge it', async () => {
    const sink = await webhookSink();
    engines.monitor.settings.webhookUrl = sink.url;
    try {
      // a window of messages unlike the training data: shouting every cue word at once
      for (let i = 0; i < 60; i++)
        await post('/model/v1/text_to_prediction', { text: `FREE MONEY PRIZE WIN WON WINNER CASH ${i}!!!!!!!! ${'#'.repeat(i % 7)}` });
      // below the minimum window: collecting, nothing raised
      const early = await (await post('/monitoring/check', { model: 'v1', size: 60 })).json();
      expect(early).toMatchObject({ status: 'collecting', statusText: 'collecting: 60 of 200 predictions', datasetDrift: false });
      expect(await (await fetch(`${base}/monitoring/alerts`)).json()).toEqual([]);
      engines.monitor.settings.drift = { minWindow: 50 };
      const r = await (await post('/monitoring/check', { model: 'v1', size: 60 })).json();
      expect(r.status).toBe('drift');
      expect(r.datasetDrift).toBe(true);
      const alerts = await (await fetch(`${base}/monitoring/alerts`)).json();
      expect(alerts[0]).toMatchObject({ model: 'v1', kind: 'dataset_drift', acknowledged: false, webhook: { status: 204 } });
      expect(sink.received[0]).toMatchObject({ source: 'spamops', kind: 'dataset_drift', model: 'v1' });
      // still drifting: no second alert
      await post('/monitoring/check', { model: 'v1', size: 60 });
      expect((await (await fetch(`${base}/monitoring/alerts`)).json()).length).toBe(alerts.length);
      // acknowledged with a note (item 6); a note too long, or an unknown alert, is refused by name
      const long = await post(`/monitoring/alerts/${alerts[0].id}/ack`, { note: 'x'.repeat(1001) });
      expect(long.status).toBe(400);
      expect((await long.json()).field).toContain('note');
      expect((await post('/monitoring/alerts/nope/ack', {})).status).toBe(404);
      const ack = await (await post(`/monitoring/alerts/${alerts[0].id}/ack`, { note: 'a marketing blast, expected' })).json();
      expect(ack).toMatchObject({ acknowledged: true, acknowledgedNote: 'a marketing blast, expected' });
      expect((await (await fetch(`${base}/monitoring/alerts`)).json())[0].acknowledgedNote).toBe('a marketing blast, expected');
      // an older client's call, with no body at all, still acknowledges (and keeps the note)
      const bare = await fetch(`${base}/monitoring/alerts/${alerts[0].id}/ack`, { method: 'POST' });
      expect(bare.status).toBe(200);
      expect((await bare.json()).acknowledgedNote).toBe('a marketing blast, expected');

      // the webhook's test button: delivered, refused by the receiver, nobody listening, none set
      const test = await (await post('/monitoring/alerts/test-webhook', {})).json();
      expect(test).toEqual({ url: sink.url, delivered: true, status: 204 });
      expect(sink.received.at(-1)).toMatchObject({ source: 'spamops', test: true, kind: 'dataset_drift' });
      const failing = await webhookSink(500);
      engines.monitor.settings.webhookUrl = failing.url;
      expect(await (await post('/monitoring/alerts/test-webhook', {})).json()).toEqual({
        url: failing.url,
        delivered: false,
        status: 500,
        error: 'the receiver answered 500',
      });
      failing.close();
      await new Promise((r) => setTimeout(r, 100));
      const gone = await (await post('/monitoring/alerts/test-webhook', {})).json();
      expect(gone).toMatchObject({ url: failing.url, delivered: false });
      expect(gone.error).toMatch(/ECONNREFUSED|fetch failed/);
      engines.monitor.settings.webhookUrl = undefined;
      const none = await post('/monitoring/alerts/test-webhook', {});
      expect(none.status).toBe(409);
      expect((await none.json()).field).toBe('webhookUrl');

      // a retrain from the alert: its decision is shown beside it, both versions scored on the same set
      expect((await post('/monitoring/retrain', { model: 'v3', alertId: alerts[0].id })).status).toBe(400);
      expect((await post('/monitoring/retrain', { model: 'v1', alertId: 'nope' })).status).toBe(404);
      const started = await post('/monitoring/retrain', { model: 'v1', alertId: alerts[0].id });
      expect(started.status).toBe(202);
      const { challenger_run } = await started.json();
      const decided = await until('the retrain to decide', async () => {
        const a = (await (await fetch(`${base}/monitoring/alerts`)).json()).find((x: { id: string }) => x.id === alerts[0].id);
        return a.retrain?.status === 'decided' || a.retrain?.status === 'failed' ? a : undefined;
      });
      expect(decided.retrain).toMatchObject({
        runId: challenger_run,
        status: 'decided',
        champion: { f1: expect.any(Number) },
        challenger: { f1: expect.any(Number) },
      });
      expect(decided.retrain.evaluationSet).toMatch(/messages/);
      const decision = (await (await fetch(`${base}/monitoring/retrain`)).json())[0];
      expect(decision).toMatchObject({ id: decided.retrain.decisionId, trigger: 'alert', promoted: decided.retrain.promoted });
      const history = await (await fetch(`${base}/monitoring/drift/history?model=v1`)).json();
      expect(history.length).toBeGreaterThanOrEqual(2);
    } finally {
      sink.close();
      engines.monitor.settings.webhookUrl = undefined;
      engines.monitor.settings.drift = {};
    }
  });

  it('takes the window as a time range and the reference as an earlier window of live traffic', async () => {
    engines.monitor.settings.drift = { minWindowByModel: { v1: 3 } };
    const tick = () => new Promise((r) => setTimeout(r, 5));
    try {
      const t0 = Date.now();
      await tick();
      for (let i = 0; i < 4; i++) await post('/model/v1/text_to_prediction', { text: `see you at ${i} for lunch` });
      await tick();
      const t1 = Date.now();
      await tick();
      for (let i = 0; i < 3; i++) await post('/model/v1/text_to_prediction', { text: `WIN CASH NOW ${i}!!!` });
      await tick();
      const t2 = Date.now();
      const get = async (q: string) => (await fetch(`${base}/monitoring/drift?model=v1&${q}`)).json();
      const ranged = await get(`from=${t1}&to=${t2}`);
      expect(ranged.window.n).toBe(3);
      expect(ranged.window.selection).toBe(`predictions from ${new Date(t1).toISOString()} to ${new Date(t2).toISOString()} (at most 100000)`);
      expect(ranged.reference.kind).toBe('training');
      const iso = new Date(t0).toISOString();
      const vsWindow = await get(`from=${t1}&reference=window&referenceFrom=${encodeURIComponent(iso)}&referenceTo=${t1}`);
      expect(vsWindow.window.n).toBe(3);
      expect(vsWindow.reference).toMatchObject({ kind: 'window', rows: 4 });
      expect(vsWindow.referenceRows).toBe(4);
      expect(vsWindow.reference.description).toMatch(/^4 live predictions from /);
      expect(vsWindow.status).not.toBe('collecting');
      expect(vsWindow.features).toHaveLength(9);
      // POST /monitoring/check takes the same choice in its body
      const checked = await (
        await post('/monitoring/check', { model: 'v1', from: String(t1), reference: 'window', referenceTo: String(t1), referenceSize: 2 })
      ).json();
      expect(checked.reference).toMatchObject({ kind: 'window', rows: 2 });
      expect(checked.status).toBe('collecting');
      expect(checked.statusText).toBe('collecting: the reference window holds 2 of 3 predictions');
      // bad choices: 400 naming the field
      for (const [q, field] of [
        ['from=yesterday', 'querystring.from'],
        [`from=${t2}&to=${t1}`, 'query.to'],
        [`referenceTo=${t1}`, 'query.reference'],
        ['reference=window', 'query.referenceTo'],
        ['reference=live', 'querystring.reference'],
      ]) {
        const res = await fetch(`${base}/monitoring/drift?model=v1&${q}`);
        expect(res.status, q).toBe(400);
        expect((await res.json()).field, q).toBe(field);
      }
    } finally {
      engines.monitor.settings.drift = {};
    }
  });

  it('joins feedback to inbox verdicts for quality', async () => {
    const sim = engines.simulator;
    const { done } = sim.start({ idPattern: '^sms900[0-4]\\d$', count: 30, rate: 1000, labelDelayMs: 0, recipient: 'sim', labelShare: 1 });
    const s = await done;
    expect(s).toMatchObject({ status: 'done', sent: 30, labelled: 30 });
    const r = await engines.monitor.check('v3', { size: 1000 }, false);
    expect(r.quality?.n).toBe(30);
    expect(r.quality!.accuracy).toBeGreaterThan(0.5);
    // each proportion with its sample size and 95 % Wilson interval (item 8), over the same window
    const q = r.quality!;
    const correct = Math.round(q.accuracy * q.n);
    expect(q.ci95?.accuracy).toEqual(wilsonInterval(correct, 30));
    expect(q.ci95!.accuracy!.low).toBeLessThan(q.accuracy);
    expect(q.ci95!.accuracy!.high).toBeGreaterThanOrEqual(q.accuracy);
    expect(q.ci95!.precisionN + q.ci95!.recallN).toBeGreaterThan(0);
    const p = r.prediction;
    expect(p.currentN).toBe(r.window.n);
    const spam = Math.round(p.currentSpamShare * r.window.n);
    expect(p.currentCi95).toEqual(wilsonInterval(spam, r.window.n));
    expect(p.referenceN).toBeGreaterThan(0);
    expect(p.referenceCi95!.low).toBeLessThan(p.referenceSpamShare);
    // and through the API, as the Drift pane reads it
    const wire = await (await fetch(`${base}/monitoring/drift?model=v3&size=1000`)).json();
    expect(wire.quality.ci95.accuracy).toEqual(q.ci95?.accuracy);
    expect(wire.prediction.currentN).toBe(wire.window.n);
  });

  it("records each inbox verdict with v3's own features and unknown-word rate of its text, from the feature step's one encoding", async () => {
    const v3 = await engines.serving.getAny('v3');
    // the path under test: v3 encodes like the feature step's tokenizer, so its rows are reused
    expect(v3.encodesLike?.(engines.tokenizers.get())).toBe(true);
    // and not like a tokenizer whose kept ids mean other words
    expect(v3.encodesLike?.(KerasTokenizer.fit(['other words entirely'], { MAX_NUM_WORDS: 180, MAX_SEQ_LENGTH: 30 }))).toBe(false);
    const texts = new Map((await engines.storage.users.listByUser('sim', 1000)).map((m) => [m.sms_id, m.sms_text]));
    const verdicts = (await engines.storage.predictions.recent('v3', 0, 10_000)).filter((p) => p.endpoint === 'inbox' && texts.has(p.sms_id ?? ''));
    expect(verdicts.length).toBeGreaterThanOrEqual(30);
    for (const p of verdicts) {
      const text = texts.get(p.sms_id ?? '') ?? '';
      expect(p.features, text).toEqual(v3.textToFeatures(text));
      expect(p.oov, text).toBe(v3.outOfVocabularyRate(text));
    }
  });

  it('saves the report as one self-contained HTML page and as JSON (item 7)', async () => {
    engines.monitor.settings.drift = { minWindow: 10 }; // the 30 predictions above make a verdict
    try {
      await savesReport();
    } finally {
      engines.monitor.settings.drift = {};
    }
  });
  it('spamops drift --html --json writes both files', async () => {
    const dir = engines.config.dataDir;
    const html = join(dir, 'shared', 'report.html');
    const json = join(dir, 'shared', 'report.json');
    mkdirSync(join(dir, 'shared'), { recursive: true });
    const stored = (await engines.monitor.history('v3', 1000)).length;
    // the operator's saved settings judge the CLI's report too (it used the defaults)
    const saved = engines.monitor.settings.drift;
    await engines.monitor.saveSettings({ drift: { minWindowByModel: { v3: 4321 } } });
    const [r, bad] = await spamopsBatchAsync([
      { args: ['drift', 'v3', '--size', '1000', '--html', html, '--json', json], dataDir: dir },
      { args: ['drift', 'v3', '--html', join(dir, 'no', 'such', 'dir', 'r.html')], dataDir: dir },
    ]).finally(() => engines.monitor.saveSettings({ drift: { ...saved, minWindowByModel: {} } }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/of 4321 predictions/);
    // a look, not a check: not stored (it was, and raised alerts with the default settings)
    expect((await engines.monitor.history('v3', 1000)).length).toBe(stored);
    expect(r.out).toContain(`wrote ${html}`);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.model).toBe('v3');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(`<span id="status-text">${escapeHtml(report.statusText)}</span>`);
    expect(page.match(/<svg /g)?.length ?? 0).toBe(report.features.length);
    // a file that cannot be written is named with its flag, before anything is computed
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain(`--html: the folder ${join(dir, 'no', 'such', 'dir')} does not exist`);
  });
  const savesReport = async () => {
    const res = await fetch(`${base}/monitoring/drift/report?model=v3&size=1000`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="drift-v3-v\d+-[0-9T-]+Z\.html"$/);
    const html = await res.text();
    const json = await (await fetch(`${base}/monitoring/drift/report?model=v3&size=1000&format=json`)).json();
    expect(json.features.length).toBeGreaterThan(0);
    // a chart per feature, drawn as inline SVG; no script, nothing fetched from elsewhere
    expect(html.match(/<svg /g)?.length).toBe(json.features.length);
    expect(html).not.toMatch(/<script|src=|href=/i);
    // the verdict the page states is the report's
    expect(html).toContain(`<span id="status-text">${escapeHtml(json.statusText)}</span>`);
    for (const f of json.features) expect(html).toContain(`<h3>${escapeHtml(f.feature)} `);
    // bad input: named
    const bad = await fetch(`${base}/monitoring/drift/report?model=v3&format=pdf`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).field).toContain('format');
  };
});

describe('retraining on feedback, champion against challenger', () => {
  let engines: Engines;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ engines, cleanup } = await testEngines());
    await bootstrap(engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
    for (const r of await queueMissingModels(engines, ['v2'])) await engines.runs.wait(r.id);
    engines.verdicts.model = 'v2';
    // labelled feedback on replayed messages
    await engines.simulator.start({ idPattern: '^sms901', count: 40, rate: 2000, labelDelayMs: 0, recipient: 'fb', labelShare: 1 }).done;
  });
  afterAll(async () => cleanup());

  it('promotes a challenger that beats the margin and records the decision', async () => {
    const before = (await engines.models.resolve('v2'))!.version;
    const { decision } = await engines.retrainer.start('v2', { margin: -1 });
    const d = await decision;
    expect(d.feedbackLabels).toBe(40);
    expect(d.promoted).toBe(true);
    expect(d.champion.metrics!.f1).toBeGreaterThanOrEqual(0);
    // both judged on the shared evaluation set (42 of the sample's messages), which the challenger never trained on
    expect(d.heldOutRows).toBe(42);
    expect(d.evaluationSet).toMatchObject({ set: 'holdout-fnv1a-20', messages: 42 });
    expect(d.reason).toMatch(/on 42 messages of holdout-fnv1a-20: promoted/);
    expect((await engines.models.resolve('v2'))!.version).toBe(d.challenger!.version);
    expect(d.challenger!.version).not.toBe(before);
    // the feedback messages were in the challenger's data: labels reached the feature store
    const run = engines.runs.get(d.challenger!.runId);
    expect(run.data!.entities).toBeGreaterThan(240);
  });

  it('keeps the champion when the challenger does not beat it by the margin', async () => {
    const before = (await engines.models.resolve('v2'))!.version;
    const d = await (await engines.retrainer.start('v2', { margin: 1 })).decision;
    expect(d.promoted).toBe(false);
    // the same data and parameters as the champion's own run: the same weights, nothing to judge
    expect(d.reason).toMatch(/the challenger came out the same as the champion/);
    expect((await engines.models.resolve('v2'))!.version).toBe(before);
    expect((await engines.retrainer.decisions()).map((x) => x.promoted)).toEqual([false, true]);
  });

  /** a v2 version trained for one epoch, with these params */
  const trained = async (params: Record<string, unknown>) =>
    (await engines.runs.wait((await engines.runs.start({ model: 'v2', params: { epochs: 1, ...params } })).id)).version!;

  it('leaves a promotion made while the challenger trained where it is', async () => {
    const first = (await engines.models.list('v2'))[0].version;
    await engines.models.setAlias('v2', 'production', first, 'the champion');
    const third = await trained({ seed: 13 });
    const { decision } = await engines.retrainer.start('v2', { margin: -1 }); // would promote
    await engines.models.setAlias('v2', 'production', third, 'the operator picks another');
    const d = await decision;
    expect(d.promoted).toBe(false);
    expect(d.champion.version).toBe(first);
    expect(d.reason).toMatch(
      new RegExp(
        `but production moved to version ${third} while the challenger trained: not promoted \\(the challenger is version ${d.challenger!.version}\\)`,
      ),
    );
    expect((await engines.models.resolve('v2'))!.version).toBe(third);
  });

  it('never trains the challenger on the evaluation set, even when the champion was', async () => {
    await engines.models.setAlias('v2', 'production', await trained({ trainOnEvaluation: true, seed: 5 }));
    const { run, decision } = await engines.retrainer.start('v2', { margin: 1 });
    expect(run.params.trainOnEvaluation).toBeUndefined();
    const d = await decision;
    expect(d.reason).toMatch(/champion kept/);
    expect(d.evaluationSet).toMatchObject({ championTrainedOn: true });
    expect(engines.runs.get(d.challenger!.runId).data!.evaluation).toMatchObject({ set: 'holdout-fnv1a-20', trainedOn: false });
  });

  it('records a decision that failed (its champion deleted meanwhile) instead of dropping it', async () => {
    // a champion never evaluated yet: its files are read at the decision
    const champion = await trained({ seed: 17 });
    await engines.models.setAlias('v2', 'production', champion);
    const before = (await engines.retrainer.decisions()).length;
    const { decision } = await engines.retrainer.start('v2', { margin: -1 });
    await engines.models.delete('v2', champion, { force: true });
    const d = await decision;
    expect(d.promoted).toBe(false);
    expect(d.reason).toMatch(/^the decision failed: /);
    expect(await engines.retrainer.decisions()).toHaveLength(before + 1);
  });
});

const full = fullDatasetPath();
describe.skipIf(!full)(`drift on the full dataset${full ? '' : ` (skipped: ${SKIP_FULL})`}`, () => {
  let engines: Engines;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ engines, cleanup } = await testEngines());
    await engines.storage.labelled.insertMany(parseDataset(readFileSync(full!, 'utf8'), full!).rows);
    await buildOfflineSources(engines);
    await engines.features.apply(definitionsForStage('2021'), '2021');
    await engines.runs.init();
    // trained on the first 4,000 SMS only (sms10001-sms14000)
    const run = await engines.runs.wait(
      (await engines.runs.start({ model: 'sms-only', base: 'v2', params: { entityIdPattern: '^sms1([0-3]\\d{3}|4000)$' }, alias: 'production' })).id,
    );
    expect(run.status).toBe('succeeded');
    engines.verdicts.model = 'sms-only';
  }, 120_000);
  afterAll(async () => cleanup());

  const replay = async (idPattern: string) => {
    const { done } = engines.simulator.start({ idPattern, count: 500, rate: 5000, labelDelayMs: 0, recipient: 'replay', labelShare: 0.2 });
    expect((await done).sent).toBe(500);
    return engines.monitor.check('sms-only', { size: 500 });
  };

  it('shows no drift on unseen SMS, then drift on the YouTube comments', async () => {
    const sms = await replay('^sms15[0-4]\\d\\d$'); // 500 SMS the model never saw
    expect(sms.window.n).toBe(500);
    expect(sms.features.filter((f) => f.drifted).map((f) => f.feature)).toEqual([]);
    expect(sms.datasetDrift).toBe(false);
    const yt = await replay('^sms1(557[3-9]|55[89]\\d|5[6-9]\\d\\d|[67]\\d\\d\\d)$'); // comments from sms15573 on
    expect(yt.datasetDrift).toBe(true);
    expect(yt.features.find((f) => f.feature === 'token_ids')!.drifted).toBe(true);
    const alerts = await engines.monitor.alerts();
    expect(alerts.filter((a) => a.kind === 'dataset_drift' && a.model === 'sms-only')).toHaveLength(1);
  }, 120_000);
});
