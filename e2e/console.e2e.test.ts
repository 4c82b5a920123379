import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startHarness, ARTIFACTS, lookUpIds, type Harness } from './harness';
import { newTimeUuid } from '../src-main/platform/timeuuid';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/** choose an option of a segmented control (radio buttons drawn as a button group) */
const pick = (group: string, option: string) => h.page.getByRole('group', { name: group }).getByText(option, { exact: true }).click();
const shot = async (name: string) => {
  // a full-page shot of a scrolled page draws the sticky sidebar and top bar mid-page
  await h.page.evaluate(() => window.scrollTo(0, 0));
  await h.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
};

describe('headless console in Chromium', () => {
  it('opens every pane without a console error', async () => {
    await h.page.goto(`${h.base}/`);
    await h.page.getByTestId('api-status').getByText('API ok').waitFor();
    for (const [label, check] of [
      ['Inbox', 'Sign in'],
      ['Data', 'Warehouse'],
      ['Feature store', 'Online store lookup'],
      ['Training', 'Start a training run'],
      ['Serving', 'Served versions'],
      ['Drift', 'Data drift: a window of predictions against a reference'],
    ] as const) {
      await h.page.getByRole('navigation').getByRole('button', { name: label }).click();
      await h.page.getByRole('heading', { name: check }).waitFor();
      await h.page.waitForLoadState('networkidle');
      await shot(`pane-${label.toLowerCase().replace(' ', '-')}`);
    }
    // the dark theme, remembered across reloads
    await h.page.getByRole('button', { name: 'toggle theme' }).click();
    await h.page.reload();
    await expect(h.page.locator('html').getAttribute('data-theme')).resolves.toBe('dark');
    await h.page.getByRole('navigation').getByRole('button', { name: 'Feature store' }).click();
    await h.page.getByRole('heading', { name: 'Feature views' }).waitFor();
    await shot('pane-feature-store-dark');
    await h.page.getByRole('button', { name: 'toggle theme' }).click();
    expect(h.consoleErrors).toEqual([]);
  });

  it("signs in as fiona and flags the seed's spam message with the released models of a first start", async () => {
    await h.page.goto(`${h.base}/#/inbox`);
    // a name the user-data API would refuse (spaces) is stopped in the form, before any request
    await h.page.getByLabel('user name').fill('john smith');
    await h.page.getByRole('button', { name: 'Open inbox' }).click();
    await expect(h.page.getByLabel('user name').evaluate((el) => (el as HTMLInputElement).validity.patternMismatch)).resolves.toBe(true);
    await h.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await h.page.getByLabel('user name').fill('fiona');
    await h.page.getByRole('button', { name: 'Open inbox' }).click();
    const spam = h.page.locator('.message', { hasText: 'Dear winner, please call 800-884433' });
    await spam.waitFor();
    await spam.getByTestId('features-status').filter({ hasText: 'features v2 ✓' }).waitFor();
    // the released v3 (trained on the 7,528 public messages) flags it from the first second
    await pick('model version', 'v3');
    await h.page.getByRole('button', { name: 'Check all' }).click();
    await expect(spam.getByTestId('verdict').textContent()).resolves.toMatch(/^SPAM \d/);
    await expect(spam.getByTestId('verdict-meta').textContent()).resolves.toMatch(/^v3 · arch I\b/);
    await pick('model version', 'v1');
    await spam.getByRole('button', { name: /check message/ }).click();
    await spam
      .getByTestId('verdict-meta')
      .filter({ hasText: /^v1 · arch I\b/ })
      .waitFor();
    await expect(spam.getByTestId('verdict').textContent()).resolves.toMatch(/^SPAM \d/);
    // a message from a friend is not flagged
    await expect(h.page.locator('.message', { hasText: 'Did you read my book?' }).getByTestId('verdict').textContent()).resolves.toMatch(/^HAM/);
    // architecture II (v3): online features, then features_to_prediction
    await pick('model version', 'v3');
    await pick('architecture', 'II · online features');
    await spam.getByRole('button', { name: /check message/ }).click();
    await spam
      .getByTestId('verdict-meta')
      .filter({ hasText: /^v3 · arch II/ })
      .waitFor();
    await shot('inbox-fiona');
    expect(h.consoleErrors).toEqual([]);
  });

  it('composes a message that goes through the inbox pipeline and gets a verdict', async () => {
    await h.page.getByLabel('sender').fill('otto');
    await h.page.getByLabel('message text').fill('Congratulations! You WON a FREE cash prize, call now to claim');
    await h.page.getByRole('button', { name: 'Send' }).click();
    const msg = h.page.locator('.message', { hasText: 'You WON a FREE cash prize' });
    await msg.getByTestId('verdict').waitFor();
    await h.page.getByText(/v2 features pushed/).waitFor();
    // the feature step got there: the message shows its features v2 as present
    await msg.getByTestId('features-status').filter({ hasText: 'features v2 ✓' }).waitFor();
    await msg.getByRole('button', { name: 'Mark verdict wrong' }).click();
    await msg.getByText('feedback sent').waitFor();
    // a recheck keeps the label given and does not offer "Mark wrong" again (it offered it, and a
    // second click recorded the opposite label whenever the new verdict agreed with the first)
    const answered = h.page.waitForResponse((r) => r.url().includes('prediction') && r.request().method() === 'POST');
    await msg.getByRole('button', { name: /check message/ }).click();
    await answered;
    await expect.poll(() => msg.getByRole('button', { name: /check message/ }).isEnabled()).toBe(true);
    expect(await msg.getByText('feedback sent').count()).toBe(1);
    expect(await msg.getByRole('button', { name: 'Mark verdict wrong' }).count()).toBe(0);
    await shot('inbox-compose');
  });

  it('says when a user has more messages than are drawn, and draws the older ones on asking', async () => {
    // 1,005 messages: the inbox asked for its default 1,000 and said "1000 messages" as if they were all
    const t0 = Date.UTC(2026, 0, 1);
    await h.engines.storage.users.insertMany(
      Array.from({ length: 1005 }, (_, i) => ({
        user_id: 'many',
        sms_id: newTimeUuid(new Date(t0 + i * 60_000)),
        sender_id: 'bulk',
        sms_text: `bulk message ${i}`,
      })),
    );
    await h.page.getByRole('button', { name: 'Switch user' }).click();
    await h.page.getByLabel('user name').fill('many');
    await h.page.getByRole('button', { name: 'Open inbox' }).click();
    await h.page.getByText('the newest 1,000 messages, older ones not drawn').waitFor({ timeout: 30_000 });
    expect(await h.page.locator('.message').count()).toBe(1000);
    expect(await h.page.locator('.message', { hasText: 'bulk message 1004' }).count()).toBe(1);
    expect(await h.page.locator('.msg-text', { hasText: /^bulk message 4$/ }).count()).toBe(0);
    await h.page.getByRole('button', { name: 'Show 1,000 older' }).click();
    await h.page.getByText('1005 messages, newest first').waitFor({ timeout: 30_000 });
    expect(await h.page.locator('.message').count()).toBe(1005);
    expect(await h.page.locator('.msg-text', { hasText: /^bulk message 0$/ }).count()).toBe(1);
    expect(await h.page.getByRole('button', { name: /older$/ }).count()).toBe(0);
    await h.page.getByRole('button', { name: 'Switch user' }).click();
    await h.page.getByLabel('user name').fill('fiona');
    await h.page.getByRole('button', { name: 'Open inbox' }).click();
    await h.page.locator('.message').first().waitFor();
  });

  it('looks up an sms_id in the online store', async () => {
    await h.page.goto(`${h.base}/#/features`);
    await lookUpIds(h.page, 'sms90001, nope');
    // a loaded machine (the suite beside two CPU-bound processes) took over 30 s here once: 60 s, as the other waits
    await h.page.locator('.status.PRESENT').first().waitFor({ timeout: 60_000 });
    await expect(h.page.locator('.status.NOT_FOUND').count()).resolves.toBeGreaterThan(0);
    await shot('features-lookup');
  });

  it('trains v1 from the Training pane to metrics, and v2 with live curves', async () => {
    await h.page.goto(`${h.base}/#/training`);
    await h.page.getByRole('button', { name: 'Start run' }).click();
    await h.page.getByTestId('run-metrics').waitFor({ timeout: 60_000 });
    await expect(h.page.getByLabel('confusion matrix').isVisible()).resolves.toBe(true);
    await h.page.getByLabel('train model').selectOption('v2');
    await h.page.getByLabel('epochs').fill('2');
    await h.page.getByRole('button', { name: 'Start run' }).click();
    await h.page
      .getByTestId('run-detail')
      .getByRole('heading', { name: /· v2 succeeded$/ })
      .waitFor({ timeout: 60_000 });
    await h.page.locator('.recharts-line').first().waitFor();
    await shot('training-run');
    expect(h.consoleErrors).toEqual([]);
  });

  it('serves the API docs beside the console', async () => {
    const r = await h.page.goto(`${h.base}/docs`);
    expect(r?.status()).toBe(200);
    await h.page.waitForSelector('.swagger-ui');
  });
});
