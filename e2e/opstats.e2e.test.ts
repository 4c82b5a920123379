/**
 * The operator's panes in Chromium on the full dataset (SPAMOPS_DATASET): feature statistics with
 * a histogram per feature, the offline browser (filter, sort, page), the serving charts on a time
 * axis. Screenshots: e2e/artifacts/feature-statistics.png, offline-browser.png, serving-charts.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startHarness, ARTIFACTS, type Harness } from './harness';
import { fullDatasetPath } from '../src-main/testing/fixtures';

const dataset = fullDatasetPath();
let h: Harness;
beforeAll(async () => {
  if (dataset) h = await startHarness({ datasetPath: dataset, released: true });
});
afterAll(async () => h?.close());

const pick = (group: string, option: string) => h.page.getByRole('group', { name: group }).getByText(option, { exact: true }).click();
const shot = async (name: string, locator?: ReturnType<Harness['page']['locator']>) => {
  await h.page.evaluate(() => window.scrollTo(0, 0));
  if (locator) await locator.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  else await h.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
};

describe.skipIf(!dataset)("the operator's panes (full dataset)", () => {
  it('shows feature statistics with a histogram per feature', async () => {
    await h.page.goto(`${h.base}/#/features`);
    const table = h.page.getByTestId('feature-statistics');
    await table.waitFor();
    const cap = table.getByRole('row', { name: 'statistics of cap_r' });
    await expect(cap.textContent()).resolves.toMatch(/7,528.*0\.0%.*range 0 … 1/);
    await cap.getByTestId('histogram-cap_r').locator('.recharts-bar-rectangle').first().waitFor();
    await expect(cap.getByTestId('histogram-cap_r').locator('.recharts-bar-rectangle').count()).resolves.toBeGreaterThan(10);
    const card = h.page.locator('section, article, div.card').filter({ has: table }).last();
    await shot('feature-statistics', card);
    // the lookup's ids come from the store: its field holds the most recent one, the hint what the store has
    await h.page
      .getByTestId('id-suggestions')
      .filter({ hasText: /From the store/ })
      .waitFor();
    await expect(h.page.getByLabel('sms ids').inputValue()).resolves.toMatch(/^sms\d+$/);
    await pick('feature view', 'sms_labels');
    await table.getByRole('row', { name: 'statistics of label' }).filter({ hasText: 'ham (5,776), spam (1,752)' }).waitFor();
    await pick('feature view', 'sms_features2');
    await table.getByRole('row', { name: 'statistics of features' }).filter({ hasText: '180 distinct' }).waitFor();
    expect(h.consoleErrors).toEqual([]);
  });

  it('browses the offline store: filter by id prefix, sort by a column, page', async () => {
    await h.page.goto(`${h.base}/#/features`);
    const rows = h.page.getByTestId('offline-rows');
    await rows.waitFor();
    await h.page.getByLabel('id prefix').fill('sms100');
    await h.page.getByRole('button', { name: 'Filter', exact: true }).click();
    await h.page.getByText(/rows 1–50 of 99 matching/).waitFor();
    await h.page.getByRole('button', { name: 'sort by cap_r' }).click();
    await h.page.getByRole('button', { name: 'sort by cap_r' }).filter({ hasText: '▼' }).waitFor();
    const firstCap = async () => Number(await rows.locator('tbody tr').first().locator('td').nth(3).textContent());
    await expect.poll(firstCap).toBe(1);
    await h.page.getByRole('button', { name: 'Next ›' }).click();
    await h.page.getByText(/rows 51–99 of 99 matching/).waitFor();
    await expect(rows.locator('tbody tr').count()).resolves.toBe(49);
    await shot('offline-browser', h.page.getByRole('form', { name: 'offline filters' }).locator('..'));
    expect(h.consoleErrors).toEqual([]);
  });

  it('draws serving latency and throughput per route and version on a time axis', async () => {
    for (const v of ['v1', 'v3', 'v1', 'v3', 'v1']) {
      const r = await fetch(`${h.base}/model/${v}/text_to_prediction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `free prize call now ${v}` }),
      });
      expect(r.status).toBe(200);
    }
    await h.page.goto(`${h.base}/#/serving`);
    const charts = h.page.getByTestId('serving-charts');
    await charts.waitFor();
    await h.page.getByTestId('throughput-chart').locator('.recharts-legend-item', { hasText: 'text_to_prediction v3' }).waitFor();
    await h.page.getByTestId('latency-by-version').locator('.recharts-legend-item', { hasText: 'text_to_prediction v1' }).waitFor();
    // the bucket's point is drawn (a single bucket: a dot, no segment to bridge anything)
    await h.page.getByTestId('latency-chart').locator('.recharts-line-dots circle, circle.recharts-dot').first().waitFor();
    await shot('serving-charts', charts);
    expect(h.consoleErrors).toEqual([]);
  });
});

if (!dataset) it.skip('the full dataset is absent (SPAMOPS_DATASET)', () => undefined);
