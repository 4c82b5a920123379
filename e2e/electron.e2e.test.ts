/**
 * The same console in the Electron app, through Playwright's Electron support. Runs where the
 * Electron binary is installed (`npm install` on a machine that can download it); reported as
 * skipped, with the reason, where it is not (as on these build machines).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron as electron, type ElectronApplication } from 'playwright';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../src-main/config';
import { tempDir } from '../src-main/testing/fixtures';
import { ARTIFACTS } from './harness';

function electronBinary(): string | undefined {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

const bin = electronBinary();
const reason = bin ? '' : ' (skipped: the Electron binary is not installed; its download is not possible on this machine)';
if (!bin) console.log(`e2e: the Electron specs are skipped: no Electron binary in node_modules/electron (it downloads at install where the network allows)`);

describe.skipIf(!bin)(`the Electron app${reason}`, () => {
  let app: ElectronApplication;
  const t = tempDir('spamops-electron-');
  beforeAll(async () => {
    app = await electron.launch({
      executablePath: bin,
      args: [join(appRoot(), 'out', 'main', 'index.js'), '--no-sandbox'],
      env: { ...process.env, SPAMOPS_DATA_DIR: t.dir, SPAMOPS_PORT: '0', SPAMOPS_NODE: process.execPath } as Record<string, string>,
    });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    t.remove();
  });

  it('opens one window with the console and every pane', async () => {
    const page = await app.firstWindow();
    await page.getByTestId('api-status').getByText('API ok').waitFor({ timeout: 60_000 });
    for (const label of ['Inbox', 'Feature store', 'Training', 'Serving', 'Drift']) {
      await page.getByRole('navigation').getByRole('button', { name: label }).click();
      await page.screenshot({ path: join(ARTIFACTS, `electron-${label.toLowerCase().replace(' ', '-')}.png`) });
    }
    expect(app.windows()).toHaveLength(1);
    // the renderer is sandboxed: no Node in the page
    await expect(page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).resolves.toBe('undefined');
  });
});
