/**
 * Addresses and the small window: what the operator selects (a run, compared runs, a version, the
 * drift model, looked-up ids) is in the URL, so a reload and the back button show it again; at
 * 1024 × 700 the Training pane's tables fit without a sideways scroll, the sidebar collapses (and
 * stays so), and every control the Tab key reaches shows a focus ring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startHarness, ARTIFACTS, type Harness } from './harness';

let h: Harness;
let runIds: string[] = [];
beforeAll(async () => {
  h = await startHarness();
  // several finished runs for the runs table (v1 trains in seconds on the sample)
  for (let i = 0; i < 3; i++) {
    const r = await h.engines.runs.start({ model: 'v1', params: {} });
    await h.engines.runs.wait(r.id);
    runIds.push(r.id);
  }
  runIds = runIds.reverse();
}, 600_000);
afterAll(async () => h?.close());

const hashParams = async () => new URLSearchParams((await h.page.evaluate(() => window.location.hash)).split('?')[1] ?? '');

describe('addresses', () => {
  it('keeps the opened run, compared runs and version over a reload, and back shows the previous run', { timeout: 300_000 }, async () => {
    const p = h.page;
    await p.goto(`${h.base}/#/training`);
    const [a, b] = runIds;
    await p.getByRole('button', { name: `open run ${a}` }).click();
    await p.waitForFunction((id) => window.location.hash.includes(`run=${id}`), a);
    await p.getByRole('button', { name: `open run ${b}` }).click();
    await p.waitForFunction((id) => window.location.hash.includes(`run=${id}`), b);
    await p.getByLabel(`compare ${a}`).check();
    await p.getByLabel(`compare ${b}`).check();
    const version = p.getByRole('button', { name: /^details of v1 version / }).first();
    const versionLabel = (await version.getAttribute('aria-label'))!;
    await version.click();
    expect((await hashParams()).get('compare')).toBe(`${a},${b}`);
    const versionKey = (await hashParams()).get('version');
    expect(versionKey).toMatch(/^v1\/\d+$/);

    await p.reload();
    await p.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    await expect.poll(() => p.locator('tr.selected').first().getAttribute('class'), { timeout: 60_000 }).toContain('selected');
    expect(
      await p
        .getByRole('button', { name: `open run ${b}` })
        .locator('xpath=ancestor::tr')
        .getAttribute('class'),
    ).toContain('selected');
    expect(await p.getByLabel(`compare ${a}`).isChecked()).toBe(true);
    expect(await p.getByLabel(`compare ${b}`).isChecked()).toBe(true);
    expect(await p.getByRole('button', { name: versionLabel }).getAttribute('aria-expanded')).toBe('true');
    await p.locator(`tr.details-row[data-version="${versionKey}"]`).waitFor();

    // back through the version, the two compare ticks, to the first opened run
    for (let i = 0; i < 4; i++) await p.goBack();
    await p.waitForFunction((id) => window.location.hash.includes(`run=${id}`), a);
    await expect
      .poll(
        async () =>
          p
            .getByRole('button', { name: `open run ${a}` })
            .locator('xpath=ancestor::tr')
            .getAttribute('class'),
        { timeout: 30_000 },
      )
      .toContain('selected');
    expect(await p.getByLabel(`compare ${a}`).isChecked()).toBe(false);
    expect(await p.locator('tr.details-row').count()).toBe(0);
  });

  it('keeps the drift model and the looked-up ids over a reload, and back returns to the previous lookup', { timeout: 300_000 }, async () => {
    const p = h.page;
    await p.goto(`${h.base}/#/drift`);
    const select = p.getByLabel('drift model');
    await expect.poll(async () => (await select.locator('option').allTextContents()).length, { timeout: 60_000 }).toBeGreaterThan(1);
    const options = await select.locator('option').allTextContents();
    const other = options.find((o) => o !== (options.includes('v3') ? 'v3' : options[0]))!;
    await select.selectOption(other);
    await p.waitForFunction((m) => window.location.hash.includes(`model=${m}`), other);
    await p.reload();
    await expect.poll(() => p.getByLabel('drift model').inputValue(), { timeout: 60_000 }).toBe(other);

    await p.getByRole('button', { name: 'Feature store' }).click();
    const ids = p.getByLabel('sms ids');
    // the button, not Enter: Enter may pick an entry of the ids' suggestion list when it is open
    const lookUp = p.getByRole('button', { name: 'Look up' });
    await ids.fill('sms90001');
    await lookUp.click();
    await p.waitForFunction(() => window.location.hash.includes('lookup=sms90001&'), undefined, { timeout: 60_000 });
    await ids.fill('sms90002, sms90003');
    await lookUp.click();
    await p.waitForFunction(() => window.location.hash.includes('lookup=sms90002%2Csms90003'), undefined, { timeout: 60_000 });
    await p.reload();
    await expect.poll(() => p.getByLabel('sms ids').inputValue(), { timeout: 60_000 }).toBe('sms90002, sms90003');
    await p.locator('table.lookup').getByText('sms90003').first().waitFor({ timeout: 60_000 });
    await p.goBack();
    await p.waitForFunction(() => window.location.hash.includes('lookup=sms90001&'), undefined, { timeout: 60_000 });
    await p.locator('table.lookup').getByText('sms90001').first().waitFor({ timeout: 60_000 });
    expect(await p.locator('table.lookup').getByText('sms90003').count()).toBe(0);
    // the field says the ids of the table shown (it kept the later lookup's text)
    await expect.poll(() => p.getByLabel('sms ids').inputValue(), { timeout: 30_000 }).toBe('sms90001');
  });
});

describe('1024 × 700', () => {
  it('fits the Training pane without a sideways scroll, with the sidebar open and collapsed', { timeout: 300_000 }, async () => {
    const p = h.page;
    await p.setViewportSize({ width: 1024, height: 700 });
    await p.goto(`${h.base}/#/training`);
    await p.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    await p.getByRole('button', { name: `open run ${runIds[0]}` }).waitFor();
    await p
      .getByRole('button', { name: /^details of v1 version / })
      .first()
      .click();
    const fits = () =>
      p.evaluate(() => {
        const page = document.scrollingElement!;
        const tables = [...document.querySelectorAll('main table')].map((t) => ({
          cls: t.className,
          over: t.scrollWidth - t.clientWidth,
          boxOver: (t.parentElement?.scrollWidth ?? 0) - (t.parentElement?.clientWidth ?? 0),
        }));
        const buttons = [...document.querySelectorAll('table.runs td.row-actions button, table.versions td.row-actions button')].map((b) => {
          const r = b.getBoundingClientRect();
          return { label: b.getAttribute('aria-label'), left: r.left, right: r.right };
        });
        return { pageOver: page.scrollWidth - page.clientWidth, tables, buttons, vw: window.innerWidth };
      });
    for (const collapsed of [false, true]) {
      const f = await fits();
      expect(f.pageOver).toBeLessThanOrEqual(0);
      expect(f.tables.length).toBeGreaterThanOrEqual(2);
      for (const t of f.tables) {
        expect(t.over, `table ${t.cls}`).toBeLessThanOrEqual(0);
        expect(t.boxOver, `the box of table ${t.cls}`).toBeLessThanOrEqual(0);
      }
      expect(f.buttons.length).toBeGreaterThanOrEqual(runIds.length);
      for (const b of f.buttons) expect(b.right, `${b.label}`).toBeLessThanOrEqual(f.vw);
      await p.screenshot({ path: join(ARTIFACTS, collapsed ? 'training-1024-collapsed.png' : 'training-1024.png') });
      if (!collapsed) {
        await p.getByRole('button', { name: 'collapse the sidebar' }).click();
        expect(await p.evaluate(() => document.documentElement.dataset.sidebar)).toBe('collapsed');
      }
    }
    // remembered over a reload
    await p.reload();
    await p.getByRole('button', { name: 'expand the sidebar' }).waitFor();
    const width = await p.locator('nav.sidebar').evaluate((n) => n.getBoundingClientRect().width);
    expect(width).toBeLessThan(100);
    await p.getByRole('button', { name: 'expand the sidebar' }).click();
    await p.getByRole('button', { name: 'collapse the sidebar' }).waitFor();
  });

  it('shows a focus ring on every control the Tab key reaches, "Switch user" included', { timeout: 300_000 }, async () => {
    const p = h.page;
    const ring = () =>
      p.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        if (!e || e === document.body) return undefined;
        const s = getComputedStyle(e);
        const outline = s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) > 0;
        return { what: `${e.tagName} ${e.getAttribute('aria-label') ?? e.textContent?.trim().slice(0, 30)}`, visible: outline || s.boxShadow !== 'none' };
      });
    await p.goto(`${h.base}/#/training`);
    await p.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    let seen = 0;
    for (let i = 0; i < 40; i++) {
      await p.keyboard.press('Tab');
      const r = await ring();
      if (!r) continue;
      seen++;
      expect(r.visible, r.what).toBe(true);
    }
    expect(seen).toBeGreaterThan(20);

    // the inbox's "Switch user" (a link-style button) had none
    await p.goto(`${h.base}/#/inbox`);
    const user = p.getByLabel('user name');
    if ((await p.getByRole('button', { name: 'Switch user' }).count()) === 0) {
      await user.fill('ada');
      await user.press('Enter');
    }
    const sw = p.getByRole('button', { name: 'Switch user' });
    await sw.waitFor();
    await sw.focus();
    await p.keyboard.press('Shift+Tab');
    await p.keyboard.press('Tab');
    expect(await ring()).toEqual({ what: expect.stringContaining('Switch user'), visible: true });
    expect(h.consoleErrors).toEqual([]);
  });
});
