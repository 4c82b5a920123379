import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startHarness, ARTIFACTS, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('headless console in Chromium', () => {
  it('opens, shows the engines state and the feature views, without console errors', async () => {
    await h.page.goto(`${h.base}/`);
    await h.page.getByRole('heading', { name: 'SpamOps' }).waitFor();
    await h.page.getByText('sms_features2').first().waitFor();
    await expect(h.page.getByText('sqlite').first().isVisible()).resolves.toBe(true);
    await h.page.screenshot({ path: join(ARTIFACTS, 'console-home.png'), fullPage: true });
    expect(h.consoleErrors).toEqual([]);
  });

  it('serves the API docs beside the console', async () => {
    const r = await h.page.goto(`${h.base}/docs`);
    expect(r?.status()).toBe(200);
    await h.page.waitForSelector('.swagger-ui');
    await h.page.screenshot({ path: join(ARTIFACTS, 'api-docs.png') });
  });
});
