/**
 * The drift pane on the full dataset: a model trained on SMS only, fed unseen SMS (no drift)
 * and then YouTube comments (drift), through the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startHarness, ARTIFACTS, type Harness } from './harness';
import { fullDatasetPath, SKIP_FULL } from '../src-main/testing/fixtures';

const full = fullDatasetPath();
let h: Harness;

describe.skipIf(!full)(`drift pane on the full dataset${full ? '' : ` (skipped: ${SKIP_FULL})`}`, () => {
  beforeAll(async () => {
    h = await startHarness({ datasetPath: full, trainModels: false });
    const run = await h.engines.runs.wait(
      (await h.engines.runs.start({ model: 'sms-only', base: 'v2', params: { entityIdPattern: '^sms1([0-3]\\d{3}|4000)$' }, alias: 'production' })).id,
    );
    expect(run.status).toBe('succeeded');
    h.engines.verdicts.model = 'sms-only';
    // an operator's setting: windows of the latest 500 predictions
    await fetch(`${h.base}/monitoring/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ windowSize: 500 }) });
  }, 180_000);
  afterAll(async () => h?.close());

  const replay = async (idPattern: string, count = 500) => {
    const res = await fetch(`${h.base}/monitoring/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idPattern, count, rate: 5000, labelDelayMs: 0 }),
    });
    expect(res.status).toBe(202);
    const { id } = await res.json();
    for (let i = 0; i < 600; i++) {
      const sims = await (await fetch(`${h.base}/monitoring/simulations`)).json();
      if (sims.find((s: { id: string; status: string }) => s.id === id)?.status === 'done') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the simulation did not finish');
  };

  it('says "collecting" below the minimum window, then no drift for unseen SMS and drift for the YouTube comments', async () => {
    // 50 predictions: below the minimum window of 200, no verdict and no alert
    await replay('^sms15[0-4]\\d\\d$', 50);
    await h.page.goto(`${h.base}/#/drift`);
    await h.page.getByLabel('drift model').selectOption('sms-only');
    await h.page.getByRole('button', { name: 'Run check (store + alert)' }).click();
    await expect(
      h.page
        .getByTestId('dataset-drift')
        .locator('.value')
        .filter({ hasText: /^collecting$/ })
        .textContent(),
    ).resolves.toBe('collecting');
    await expect(h.page.getByTestId('drift-status').textContent()).resolves.toBe('collecting: 50 of 200 predictions');
    await replay('^sms15[0-4]\\d\\d$');
    await h.page.getByRole('button', { name: 'Run check (store + alert)' }).click();
    await expect(
      h.page
        .getByTestId('dataset-drift')
        .locator('.value')
        .filter({ hasText: /^no drift$/ })
        .textContent(),
    ).resolves.toBe('no drift');
    await h.page.evaluate(() => window.scrollTo(0, 0));
    await h.page.screenshot({ path: join(ARTIFACTS, 'drift-sms-replay.png'), fullPage: true });
    await replay('^sms1(557[3-9]|55[89]\\d|5[6-9]\\d\\d|[67]\\d\\d\\d)$');
    await h.page.getByRole('button', { name: 'Run check (store + alert)' }).click();
    await expect(
      h.page
        .getByTestId('dataset-drift')
        .locator('.value')
        .filter({ hasText: /^DRIFT$/ })
        .textContent(),
    ).resolves.toBe('DRIFT');
    await h.page.getByText(/dataset drift on sms-only/).waitFor();
    await h.page.evaluate(() => window.scrollTo(0, 0));
    await h.page.screenshot({ path: join(ARTIFACTS, 'drift-youtube-replay.png'), fullPage: true });
    expect(h.consoleErrors).toEqual([]);
  }, 120_000);

  it("draws a feature's histograms in the stored windows on a time axis, beside the reference's", async () => {
    const p = h.page;
    await p.getByLabel('history feature').selectOption('length');
    const api = await (await fetch(`${h.base}/monitoring/drift/sms-only/features/length/histograms`)).json();
    // the three stored checks of the test before: collecting, no drift, drift
    expect(api.windows.length).toBe(3);
    const grid = p.getByTestId('histograms-over-time');
    await grid.getByText(/length.*in the last 3 stored windows/).waitFor();
    // one cell per window and bin, one reference bar per bin, ticks on the time axis
    await expect.poll(() => grid.locator('rect.heat-cell').count(), { timeout: 30_000 }).toBe(api.windows.length * api.bins.length);
    expect(await p.getByTestId('histograms-reference').locator('.recharts-bar-rectangle').count()).toBe(
      api.bins.filter((_: string, i: number) => api.reference.shares[i] > 0).length,
    );
    expect(await grid.locator('.recharts-xAxis .recharts-cartesian-axis-tick').count()).toBeGreaterThan(0);
    // the YouTube window drifted: its column is outlined
    expect(await grid.locator(`rect.heat-cell[stroke="#ef4444"]`).count()).toBe(api.bins.length);
    await p.getByTestId('feature-histograms').scrollIntoViewIfNeeded();
    await p.screenshot({ path: join(ARTIFACTS, 'drift-histograms.png'), fullPage: false });
    // token ids: the 20 most frequent reference tokens and "other"
    await p.getByLabel('history feature').selectOption('token_ids');
    await expect.poll(() => grid.locator('rect.heat-cell').count(), { timeout: 30_000 }).toBe(3 * 21);
    expect(h.consoleErrors).toEqual([]);
  }, 120_000);

  it('saves the report as one HTML page that opens offline, charts drawn (item 7)', async () => {
    const p = h.page;
    await p.evaluate(() => window.scrollTo(0, 0));
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download report (HTML)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^drift-sms-only-.*\.html$/);
    const file = join(ARTIFACTS, 'drift-report.html');
    await download.saveAs(file);
    // opened from disk, with every request off: nothing it needs is elsewhere
    const page = await h.browser.newPage({ viewport: { width: 1100, height: 900 } });
    try {
      await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
      await page.goto(pathToFileURL(file).href);
      await expect(page.locator('#verdict').textContent()).resolves.toBe('DATASET DRIFT');
      const charts = await page.locator('svg.histogram').count();
      expect(charts).toBeGreaterThan(0);
      expect(await page.locator('svg.histogram rect.cur').count()).toBeGreaterThan(0);
      // drawn: the bars have a size on the page
      const box = await page.locator('svg.histogram').first().boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      await page.screenshot({ path: join(ARTIFACTS, 'drift-report-html.png'), fullPage: false });
    } finally {
      await page.close();
    }
    expect(h.consoleErrors).toEqual([]);
  }, 120_000);

  it('replays, stops a replay and retrains from the console, showing the decision', async () => {
    const p = h.page;
    const card = p.getByRole('region', { name: 'Replay and retrain' });
    await card.getByLabel('messages to replay').selectOption('youtube');
    await card.getByLabel('messages', { exact: true }).fill('40');
    await card.getByLabel('per second').fill('1000');
    await card.getByRole('button', { name: 'Start replay' }).click();
    const replays = p.getByTestId('replays');
    await replays.getByText('YouTube comments (drift)').first().waitFor({ timeout: 60_000 });
    await expect.poll(() => replays.locator('tbody tr').first().locator('td').nth(1).textContent(), { timeout: 60_000 }).toBe('done');
    // a slow one, stopped
    await card.getByLabel('messages to replay').selectOption('sms');
    await card.getByLabel('messages', { exact: true }).fill('5000');
    await card.getByLabel('per second').fill('5');
    await card.getByRole('button', { name: 'Start replay' }).click();
    await replays.getByRole('button', { name: 'Stop' }).click({ timeout: 60_000 });
    await expect.poll(() => replays.locator('tbody tr').first().locator('td').nth(1).textContent(), { timeout: 60_000 }).toBe('stopped');
    // retrain on the feedback labels: a decision with both scores on the shared evaluation set
    await card.getByRole('button', { name: /Retrain sms-only on the feedback labels/ }).click();
    const decisions = p.getByTestId('decisions');
    await decisions
      .getByText(/champion kept|challenger promoted/)
      .first()
      .waitFor({ timeout: 240_000 });
    const sims = await (await fetch(`${h.base}/monitoring/simulations`)).json();
    expect(sims.map((s: { status: string }) => s.status)).toEqual(expect.arrayContaining(['done', 'stopped']));
    const made = await (await fetch(`${h.base}/monitoring/retrain`)).json();
    expect(made[0]).toMatchObject({ model: 'sms-only', evaluationSet: { set: 'holdout-fnv1a-20' } });
    await card.scrollIntoViewIfNeeded();
    await p.screenshot({ path: join(ARTIFACTS, 'replay-retrain.png'), fullPage: false });
    expect(h.consoleErrors).toEqual([]);
  }, 300_000);

  it('acknowledges the drift alert with a note (item 6)', async () => {
    const p = h.page;
    const item = p
      .getByTestId('alert-item')
      .filter({ hasText: /dataset drift on sms-only/ })
      .first();
    await item.getByRole('button', { name: /^acknowledge the dataset_drift alert/ }).click();
    await item.getByLabel(/^note for the dataset_drift alert/).fill('YouTube comments arrived: expected after the launch');
    await item.getByRole('button', { name: 'acknowledge', exact: true }).click();
    await expect(item.getByTestId('alert-ack').textContent({ timeout: 30_000 })).resolves.toContain('“YouTube comments arrived: expected after the launch”');
    const alerts = await (await fetch(`${h.base}/monitoring/alerts`)).json();
    expect(alerts.find((a: { message: string }) => /dataset drift on sms-only/.test(a.message))).toMatchObject({
      acknowledged: true,
      acknowledgedNote: 'YouTube comments arrived: expected after the launch',
    });
    await item.scrollIntoViewIfNeeded();
    await p.screenshot({ path: join(ARTIFACTS, 'drift-alert-ack.png'), fullPage: false });
    expect(h.consoleErrors).toEqual([]);
  }, 120_000);
});
