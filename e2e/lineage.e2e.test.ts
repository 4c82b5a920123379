/**
 * Lineage, run names and tags, the Versions table's filters and versions compared, in Chromium: one
 * run started from the console with a name and tags, one through the API; the table filtered by
 * tag (the filter in the address, kept by a reload); two versions compared with their PR curves
 * overlaid and the differing parameter marked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startHarness, ARTIFACTS, type Harness } from './harness';

let h: Harness;

describe('lineage, names and tags, filters, versions compared', () => {
  beforeAll(async () => {
    h = await startHarness();
  }, 180_000);
  afterAll(async () => h?.close());

  it('trains two named and tagged runs, filters the Versions table by tag, and compares the two versions', async () => {
    const page = h.page;
    await page.goto(`${h.base}/#/training`);
    // a run started from the console, with a name, tags and 5 trees
    await page.getByLabel('train model').selectOption('v1');
    await page.getByLabel('run name', { exact: true }).fill('five trees');
    await page.getByLabel('run tags').fill('lineage-demo, small');
    await page.getByLabel('nEstimators', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => h.engines.runs.list().find((r) => r.name === 'five trees')?.status, { timeout: 120_000 }).toBe('succeeded');
    const first = h.engines.runs.list().find((r) => r.name === 'five trees')!;
    expect(first.tags).toEqual(['lineage-demo', 'small']);
    expect(first.params.nEstimators).toBe(5);
    // and one through the API, with 12 trees
    const started = await (
      await fetch(`${h.base}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'v1', name: 'twelve trees', tags: ['lineage-demo'], params: { nEstimators: 12 } }),
      })
    ).json();
    const second = await h.engines.runs.wait(started.id);
    expect(second.status).toBe('succeeded');
    const [a, b] = [first.version!, second.version!];
    expect(a).not.toBe(b);

    // the run shows its name and tags
    await page.getByTestId('run-detail').getByTestId('run-labels').getByText('five trees').waitFor({ timeout: 30_000 });

    // the Versions table filtered by tag: only the two tagged versions, the filter in the address
    const rows = page.locator('tr[data-version-row]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
    // a version registered before lineage (the released v1) says so
    await page.getByRole('button', { name: 'details of v1 version 1' }).click();
    await expect.poll(() => page.getByTestId('lineage-code').textContent(), { timeout: 30_000 }).toBe('not recorded');
    expect(await page.getByTestId('lineage-tokenizer').textContent()).toBe('not recorded');
    await page.getByRole('button', { name: 'details of v1 version 1' }).click();
    await page.getByLabel('filter by tag').selectOption('lineage-demo');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    expect((await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-version-row')))).sort()).toEqual([`v1/${a}`, `v1/${b}`].sort());
    expect(new URL(page.url()).hash).toContain('versionTag=lineage-demo');
    // a metric floor that is no share is said at the field, not sent: the table keeps its rows (a
    // failed search emptied it into "No model versions yet")
    await page.getByLabel('filter by metric').selectOption('accuracy');
    await page.getByLabel('metric at least').fill('abc');
    await page.getByLabel('metric at least').press('Enter');
    await page.getByText('at least: "abc" is not a number from 0 to 1').waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).hash).not.toContain('abc');
    expect(await rows.count()).toBeGreaterThan(0);
    await page.getByLabel('metric at least').fill('');
    await page.getByLabel('filter by metric').selectOption('');
    await page.getByLabel('filter by tag').selectOption('lineage-demo');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);

    // an alias name left empty or not an alias is said at the field, and nothing is sent (an empty
    // name did nothing at all); a good one points the alias
    await page.getByLabel('alias model').selectOption('v1');
    await page.getByLabel('alias version').selectOption(b);
    await page.getByLabel('alias name').fill('');
    await page.getByRole('button', { name: 'Set alias' }).click();
    await page.getByText('Name the alias, e.g. production').waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('alias name').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('alias name').fill('Staging');
    await page.getByRole('button', { name: 'Set alias' }).click();
    await page.getByText('"Staging" is not an alias name').waitFor({ timeout: 10_000 });
    await page.getByLabel('alias name').fill('staging');
    await page.getByRole('button', { name: 'Set alias' }).click();
    await page.getByText(`v1 version ${b} is now "staging"`).waitFor({ timeout: 30_000 });
    expect(await page.getByText('is not an alias name').count()).toBe(0);
    const moves = (await (await fetch(`${h.base}/models/v1/aliases/history`)).json()) as { alias: string; to: string }[];
    expect(moves.filter((m) => m.alias === 'staging').map((m) => m.to)).toEqual([b]);

    // a version's details: its run's name and tags, and its lineage
    await page.getByRole('button', { name: `details of v1 version ${b}` }).click();
    await expect.poll(() => page.getByTestId('version-run').textContent(), { timeout: 30_000 }).toMatch(/twelve trees · tags lineage-demo/);
    const code = await page.getByTestId('lineage-code').textContent();
    expect(code).toMatch(/^version \d+\.\d+\.\d+ · commit ([0-9a-f]{12}|unknown)$/);
    expect(await page.getByTestId('lineage-tokenizer').textContent()).toMatch(/none/);
    await page.getByTestId('version-lineage').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'version-lineage.png'), fullPage: false });
    await page.getByRole('button', { name: `details of v1 version ${b}` }).click();

    // compare the two: PR curves overlaid (two series), the differing parameter marked
    await page.getByLabel(`compare v1 version ${a}`).check();
    await page.getByLabel(`compare v1 version ${b}`).check();
    const compare = page.getByTestId('version-compare');
    await compare.getByText('Precision-recall curves').waitFor({ timeout: 60_000 });
    const pr = compare.getByTestId('compare-pr');
    await expect.poll(() => pr.locator('path.recharts-line-curve').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => pr.locator('.recharts-legend-item').count(), { timeout: 30_000 }).toBe(2);
    expect(await pr.locator('.recharts-legend-item').allTextContents()).toEqual([`version ${a} · five trees`, `version ${b} · twelve trees`]);
    const trees = compare.locator('tr[data-param="nEstimators"]');
    expect(await trees.getAttribute('data-differs')).toBe('true');
    expect(await trees.locator('.differs-mark').isVisible()).toBe(true);
    expect(await trees.locator('td').allTextContents()).toEqual(['≠ differs: nEstimators', '5', '12']);
    expect(await compare.locator('tr[data-param="seed"]').getAttribute('data-differs')).toBe('false');
    // their runs' accuracy by epoch, overlaid (a forest has one evaluation: one dot per run)
    const acc = compare.getByTestId('compare-accuracy');
    await expect.poll(() => acc.locator('.recharts-legend-item').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => acc.locator('.recharts-line-dot, circle.recharts-dot').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect(new URL(page.url()).hash).toContain(`compareVersions=${encodeURIComponent(`v1/${a},v1/${b}`)}`);
    await compare.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'versions-compared.png'), fullPage: false });

    // a reload keeps the filter and the comparison
    await page.reload();
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('compare-pr').locator('path.recharts-line-curve').count(), { timeout: 60_000 }).toBe(2);

    // the tags edited in the run's view: the API and the version's row follow
    await page.getByRole('button', { name: `open run ${first.id}` }).click();
    await page.getByRole('button', { name: `edit the name and tags of run ${first.id}` }).click();
    await page.getByLabel('edit run tags').fill('lineage-demo, edited');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await (await fetch(`${h.base}/runs/${first.id}`)).json()).tags, { timeout: 30_000 }).toEqual(['lineage-demo', 'edited']);
    await expect.poll(() => page.locator(`tr[data-version-row="v1/${a}"] .tag`).allTextContents(), { timeout: 30_000 }).toEqual(['lineage-demo', 'edited']);

    // 1024 × 700 with a version's lineage and the comparison open: no table scrolls sideways
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByRole('button', { name: `details of v1 version ${a}` }).click();
    await page.getByTestId('version-lineage').waitFor();
    const over = await page.evaluate(() =>
      [...document.querySelectorAll('main table')].map((t) => ({
        cls: t.className,
        over: Math.max(t.scrollWidth - t.clientWidth, (t.parentElement?.scrollWidth ?? 0) - (t.parentElement?.clientWidth ?? 0)),
      })),
    );
    expect(over.length).toBeGreaterThanOrEqual(4);
    for (const t of over) expect(t.over, `table ${t.cls}`).toBeLessThanOrEqual(0);
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth)).toBeLessThanOrEqual(0);
    expect(h.consoleErrors).toEqual([]);
  });
});
