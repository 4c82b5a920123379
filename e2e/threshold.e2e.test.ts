/**
 * A version's PR and ROC curves on the shared evaluation set and its decision threshold, chosen in
 * the Training pane and used by serving (the Serving pane shows it; the API answers with it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startHarness, ARTIFACTS, type Harness } from './harness';

let h: Harness;

describe('version curves and the decision threshold', () => {
  beforeAll(async () => {
    h = await startHarness();
  }, 180_000);
  afterAll(async () => h?.close());

  it('draws the PR and ROC curves, sets the best-F1 threshold, and serving uses it', async () => {
    const page = h.page;
    await page.goto(`${h.base}/#/training`);
    await page.getByRole('button', { name: 'details of v2 version 1' }).click();
    const curves = page.getByTestId('version-curves');
    await curves.getByText('Precision-recall curve').waitFor();
    await curves.getByText('ROC curve').waitFor();
    await expect.poll(() => page.getByTestId('pr-curve').locator('path.recharts-curve').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('roc-curve').locator('path.recharts-curve').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(curves.getByText(/on the shared evaluation set \(holdout-fnv1a-20: 42 messages, \d+ spam\)/).count()).resolves.toBe(1);

    await curves.getByLabel('choose the threshold by').selectOption('f1');
    await curves.getByLabel('note').fill('best F1 for the demo');
    await curves.getByRole('button', { name: 'Set threshold' }).click();
    await curves.getByText(/Threshold [\d.]+ saved/).waitFor({ timeout: 30_000 });

    const v = await (await fetch(`${h.base}/models/v2/versions/1`)).json();
    expect(v.threshold).toMatchObject({ rule: { by: 'f1' }, note: 'best F1 for the demo', set: 'holdout-fnv1a-20', messages: 42 });
    const e = await (await fetch(`${h.base}/models/v2/versions/1/evaluation`)).json();
    expect(e.atThreshold.threshold).toBe(v.threshold.value);
    await page.evaluate(() => window.scrollTo(0, 0));
    await curves.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'version-curves.png'), fullPage: false });

    // serving answers at that threshold, and the Serving pane says which
    const p = await (
      await fetch(`${h.base}/model/v2/text_to_prediction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'free entry win cash now', skip_cache: true }),
      })
    ).json();
    expect(p.top.label).toBe(p.prediction.spam >= v.threshold.value ? 'spam' : 'ham');
    await page.goto(`${h.base}/#/serving`);
    await expect.poll(() => page.getByTestId('threshold-v2').textContent(), { timeout: 30_000 }).toBe(`spam from ${v.threshold.value.toFixed(3)}`);
    expect(h.consoleErrors).toEqual([]);
  });

  it('promotes only after comparing with production, asks to confirm a worse candidate, and rolls back in one click', async () => {
    const page = h.page;
    const run = await h.engines.runs.wait((await h.engines.runs.start({ model: 'v2', params: { epochs: 1 } })).id);
    expect(run.status).toBe('succeeded');
    const cand = run.version!;
    // a threshold above every score: F1 0, worse than production's
    await fetch(`${h.base}/models/v2/versions/${cand}/threshold`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ threshold: 1 }),
    });
    await page.goto(`${h.base}/#/training`);
    await page.getByRole('button', { name: `make v2 version ${cand} production` }).click();
    const promote = page.getByTestId('promote');
    await expect.poll(() => promote.getByTestId('candidate-value').textContent(), { timeout: 30_000 }).toBe('0.0000');
    const promoteButton = promote.getByRole('button', { name: 'Promote' });
    expect(await promoteButton.isDisabled()).toBe(true);
    await promote.getByLabel(/worse than the version it replaces/).check();
    await promote.getByLabel('promotion note').fill('demo: worse on purpose');
    await promoteButton.click();
    await promote.getByText(`v2 version ${cand} is now production`).waitFor({ timeout: 30_000 });
    const history = page.getByTestId('alias-history');
    await history.getByText('demo: worse on purpose').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'promotion.png'), fullPage: false });
    await history.getByRole('button', { name: 'Roll back to version 1' }).click();
    await expect.poll(async () => (await (await fetch(`${h.base}/models/v2/versions/1`)).json()).aliases, { timeout: 30_000 }).toContain('production');
    await history.getByText(`rollback from version ${cand}`).waitFor({ timeout: 30_000 });
    expect(h.consoleErrors).toEqual([]);
  });
});
