/**
 * A server serves the feature definitions another process applies (`spamops apply` beside it): the
 * registry reads the latest snapshot again on its watch, and keeps only a newer one, so a read that
 * was on its way while this process applied never puts the older snapshot back.
 */
import { describe, expect, it } from 'vitest';
import type { RegistryStore } from '../storage';
import { FeatureRegistry } from './registry';
import { definitionsForStage } from '.';

/** a registry store whose `latest` answers what the test says, as a read that started earlier would */
function store(): RegistryStore & { rows: { version: number; json: string }[]; stale?: { version: number; json: string } } {
  const s = {
    rows: [] as { version: number; json: string }[],
    stale: undefined as { version: number; json: string } | undefined,
    latest: async () => s.stale ?? s.rows.at(-1),
    append: async (json: string) => {
      s.rows.push({ version: s.rows.length + 1, json });
      return s.rows.length;
    },
    history: async () => s.rows,
    getMeta: async () => undefined,
    setMeta: async () => undefined,
  };
  return s;
}

describe('the registry kept by a long-lived process', () => {
  it('takes a snapshot another process applied, and never an older one', async () => {
    const st = store();
    const here = new FeatureRegistry(st);
    await here.apply(definitionsForStage('2019'), '2019');
    expect(await here.sync()).toBe(false);
    // another process applies 2021 to the same store
    const other = new FeatureRegistry(st);
    await other.apply(definitionsForStage('2021'), '2021');
    expect(here.cachedDefinitions()?.featureViews.map((v) => v.name)).not.toContain('sms_features2');
    expect(await here.sync()).toBe(true);
    expect((await here.current())?.version).toBe(2);
    expect(here.cachedDefinitions()?.featureViews.map((v) => v.name)).toContain('sms_features2');
    // a read that started before this process applied version 3 answers version 2: kept at 3
    await here.apply(definitionsForStage('2020'), '2020');
    st.stale = st.rows[1];
    expect(await here.sync()).toBe(false);
    expect((await here.current())?.version).toBe(3);
  });
});
