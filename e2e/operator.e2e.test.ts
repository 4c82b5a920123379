/**
 * The operator's lookups and trials in Chromium (the sample data dir, released models): an online
 * lookup shows the message behind each id (text, user, date; why not, for a warehouse message), the
 * training-set statistics of a feature service at a time, and "Try it" against a registered version
 * that is not production, saying which version answered and, asked again, that the cache did.
 * Screenshots: e2e/artifacts/lookup-message.png, try-version.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ARTIFACTS, lookUpIds, startHarness, type Harness } from './harness';

let h: Harness;
/** a second v1, trained here beside the released one (production) */
let trial = '';
beforeAll(async () => {
  h = await startHarness();
  const run = await h.engines.runs.wait((await h.engines.runs.start({ model: 'v1', params: { seed: 99 } })).id);
  trial = run.version ?? '';
}, 300_000);
afterAll(async () => h?.close());

// fiona's "Dear winner…" of the seed's sample inbox
const INBOX_ID = '87b4c000-8592-11e9-bff6-20a2e9f40feb';

describe("the operator's lookups and trials", () => {
  it('an online lookup shows the message text, its user and date beside the features', async () => {
    await h.page.goto(`${h.base}/#/features`);
    await lookUpIds(h.page, `${INBOX_ID}, sms90001`);
    const text = h.page.getByTestId(`lookup-message-${INBOX_ID}`);
    await text.filter({ hasText: 'Dear winner, please call 800-884433 to retrieve your FREE delivery' }).waitFor();
    await h.page.getByTestId(`lookup-user-${INBOX_ID}`).filter({ hasText: 'fiona' }).waitFor();
    await expect(h.page.getByTestId(`lookup-sent-${INBOX_ID}`).textContent()).resolves.toMatch(/2019/);
    // a warehouse message: its text and label, and why it has no user
    await h.page.getByTestId('lookup-message-sms90001').filter({ hasText: 'Can u ask ur brother if he still has the tent' }).waitFor();
    await h.page
      .getByTestId('lookup-user-sms90001')
      .filter({ hasText: /unknown: an imported message/ })
      .waitFor();
    await h.page.locator('table.lookup').screenshot({ path: join(ARTIFACTS, 'lookup-message.png') });
    expect(h.consoleErrors).toEqual([]);
  });

  it("shows a feature service's training-set statistics at a chosen time", async () => {
    await h.page.goto(`${h.base}/#/features`);
    await h.page.getByLabel('feature service for statistics').selectOption('labeled_sms_1');
    await h.page.getByLabel('training set time').fill('2019-01-01T00:00:00');
    await h.page.getByRole('button', { name: 'compute the training-set statistics' }).click();
    const table = h.page.getByTestId('service-statistics');
    // before the features' event times: every feature missing
    await table.getByRole('row', { name: 'statistics of cap_r' }).filter({ hasText: '100.0%' }).waitFor();
    await h.page.getByText(/labeled_sms_1 at .*2019-01-01T00:00:00\.000Z/).waitFor();
    expect(h.consoleErrors).toEqual([]);
  });

  it('"Try it" against a version that is not production says which version answered, then that the cache did', async () => {
    expect(trial).toMatch(/^[0-9]+$/);
    await h.page.goto(`${h.base}/#/serving`);
    await h.page.getByLabel('serving version').selectOption('v1');
    const picker = h.page.getByLabel('registered version to try');
    await picker.locator(`option[value="${trial}"]`).waitFor({ state: 'attached' });
    await picker.selectOption(trial);
    await h.page.getByLabel('text to classify').fill('WINNER!! Claim your FREE prize now');
    await h.page.getByRole('button', { name: 'Predict' }).click();
    const answered = h.page.getByTestId('answered-by');
    await answered.filter({ hasText: `answered by v1 version ${trial} (no alias)` }).waitFor();
    await expect(answered.textContent()).resolves.toMatch(/computed \(not from cache\)/);
    await h.page
      .getByTestId('prediction')
      .locator('..')
      .screenshot({ path: join(ARTIFACTS, 'try-version.png') });
    // the same text again: from the cache (written just after the first answer)
    await expect
      .poll(
        async () => {
          await h.page.getByRole('button', { name: 'Predict' }).click();
          await answered.waitFor();
          return answered.textContent();
        },
        { timeout: 60_000, interval: 500 },
      )
      .toMatch(new RegExp(`version ${trial} .*from cache`));
    // production, by its alias, for comparison; and the tried calls are in the call log
    await picker.selectOption('production');
    await h.page.getByRole('button', { name: 'Predict' }).click();
    await answered.filter({ hasText: /answered by v1 version 1 \(production\)/ }).waitFor();
    await h.page
      .getByRole('cell', { name: `v1@${trial}` })
      .first()
      .waitFor();
    expect(h.consoleErrors).toEqual([]);
  });
});
