/**
 * The Data pane in Chromium: a file imported through the console (each step seen with its counts,
 * bad rows by line), the new rows in the Feature store's offline preview, then v1, v2 and v3
 * trained on it with one click.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startHarness, ARTIFACTS, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const shot = async (name: string) => {
  await h.page.evaluate(() => window.scrollTo(0, 0));
  await h.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
};

describe('importing data from the console', () => {
  it('imports a dropped file step by step, shows its bad rows, and the rows reach the offline store', async () => {
    const file = join(tmpdir(), `spamops-e2e-${process.pid}.csv`);
    const rows = [
      'sms_id,text,label',
      'new001,"URGENT! You have won a 1 week FREE membership, call now",spam',
      'new002,are we meeting for lunch today?,ham',
      'new003,,ham',
      'new004,fine,perhaps',
    ];
    for (let i = 5; i < 60; i++)
      rows.push(`new${String(i).padStart(3, '0')},${i % 3 ? 'see you at the station at six' : 'WINNER claim your cash prize now'},${i % 3 ? 'ham' : 'spam'}`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    await h.page.goto(`${h.base}/#/data`);
    await h.page.getByTestId('warehouse-counts').getByText('240').waitFor();
    await h.page.getByLabel('dataset file').setInputFiles(file);
    const progress = h.page.getByTestId('import-progress');
    await progress.getByText('succeeded').waitFor({ timeout: 60_000 });
    for (const step of ['upload', 'read', 'offline-sources', 'apply', 'materialize'])
      await expect(progress.getByTestId(`step-${step}`).getAttribute('class')).resolves.toMatch(/\bdone\b/);
    await expect(progress.getByTestId('step-read').textContent()).resolves.toMatch(/57 new messages \(38 ham, 19 spam read\), 2 bad rows skipped/);
    await expect(h.page.getByTestId('bad-rows').textContent()).resolves.toMatch(/4empty text5unknown label "perhaps"/);
    await h.page.getByTestId('warehouse-counts').getByText('297').waitFor();
    await shot('data-import');
    // the new rows in the offline preview of the Feature store
    await h.page.getByRole('navigation').getByRole('button', { name: 'Feature store' }).click();
    await h.page.getByRole('heading', { name: 'Offline rows' }).waitFor();
    await h.page.getByRole('cell', { name: 'new001' }).first().waitFor();
    expect(h.consoleErrors).toEqual([]);
  });

  it('trains v1, v2 and v3 on it with one click and shows the runs', async () => {
    await h.page.getByRole('navigation').getByRole('button', { name: 'Data' }).click();
    await h.page.getByTestId('train-all').click();
    const runs = h.page.getByTestId('train-runs');
    await runs.getByText('v3').waitFor();
    await expect(runs.locator('tbody tr').count()).resolves.toBe(3);
    await runs.locator('.status-pill.run-succeeded').nth(2).waitFor({ timeout: 90_000 });
    await shot('data-train');
    // the runs are in the Training pane with their curves; production is still the release
    const models = await (await fetch(`${h.base}/models`)).json();
    for (const m of models.filter((x: { id: string }) => ['v1', 'v2', 'v3'].includes(x.id))) {
      expect(m.served_version).toBe('1');
      expect(m.versions).toHaveLength(2);
    }
    expect(h.consoleErrors).toEqual([]);
  });
});
