/**
 * The headless console for browser tests: real engines on a temp data dir (bootstrapped with
 * the project's sample), the real API serving the built renderer, Debian's Chromium driven by
 * Playwright. Screenshots go to e2e/artifacts/.
 */
import { chromium, type Browser, type Page } from 'playwright';
import { expect } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { appRoot, type AppConfig } from '../src-main/config';
import { testEngines, SAMPLE_DATASET } from '../src-main/testing/fixtures';
import { bootstrap, queueMissingModels } from '../src-main/setup';
import { buildApp } from '../src-main/api';
import type { Engines } from '../src-main/engines';

export const ARTIFACTS = join(appRoot(), 'e2e', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
export const CONSOLE_DIR = join(appRoot(), 'out', 'renderer');

export interface Harness {
  engines: Engines;
  base: string;
  browser: Browser;
  page: Page;
  consoleErrors: string[];
  close(): Promise<void>;
}

/**
 * `released` (the default without a dataset): a first start, the released models served at once;
 * `trainModels`: v1, v2, v3 trained on the dataset instead; `stream`: ingestion on NATS.
 */
export async function startHarness(
  o: { datasetPath?: string; trainModels?: boolean; released?: boolean; stream?: AppConfig['stream'] } = {},
): Promise<Harness> {
  if (!CHROMIUM) throw new Error('no Chromium: install Debian chromium or set CHROMIUM_PATH');
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built (${CONSOLE_DIR}): run npm run build`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const { engines, cleanup } = await testEngines(o.stream ? { stream: o.stream } : {});
  const released = o.released ?? (o.datasetPath === undefined && o.trainModels !== true);
  await bootstrap(engines, { datasetPath: o.datasetPath ?? SAMPLE_DATASET, log: () => undefined, released });
  if (o.trainModels === true) for (const r of await queueMissingModels(engines)) await engines.runs.wait(r.id);
  else await engines.runs.init();
  const app: FastifyInstance = await buildApp(engines, { consoleDir: CONSOLE_DIR });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return {
    engines,
    base,
    browser,
    page,
    consoleErrors,
    close: async () => {
      await browser.close();
      await app.close();
      await cleanup();
    },
  };
}

/**
 * Look ids up in the Feature store pane as a user does: type them, check that the field holds
 * exactly them (the pane fills an empty field with a suggestion once: a fill racing that shows here,
 * not as a wrong lookup 30 s later), then press the button (not Enter: Enter may pick an entry of
 * the ids' suggestion list when it is open).
 */
export async function lookUpIds(page: Page, ids: string): Promise<void> {
  const field = page.getByLabel('sms ids');
  await field.fill(ids);
  await expect.poll(() => field.inputValue()).toBe(ids);
  await page.getByRole('button', { name: 'Look up' }).click();
}
