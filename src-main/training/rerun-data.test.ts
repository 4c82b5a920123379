/**
 * A rerun reads its data again at the same time freeze: rows imported since with earlier event
 * times are in it. It says so, beside the run it repeats, instead of passing for "the same data"
 * (a hostile probe's rerun read 310,540 rows where the run had 7,528, silently).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { testEngines, SAMPLE_DATASET } from '../testing/fixtures';
import { bootstrap, buildOfflineSources } from '../setup';

let engines: Engines;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ engines, cleanup } = await testEngines());
  await bootstrap(engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
}, 120_000);
afterAll(async () => cleanup?.());

describe('a rerun against the data of the run it repeats', () => {
  it('says when rows came in since: not the same data, how many, and why', async () => {
    const first = await engines.runs.wait((await engines.runs.start({ model: 'v1', params: { nEstimators: 5 } })).id);
    expect(first.status).toBe('succeeded');
    const rows = Array.from({ length: 40 }, (_, i) => ({
      sms_id: `late${i}`,
      text: `a message imported later, number ${i}`,
      label: i % 4 ? 'ham' : 'spam',
      origin: 'later.csv',
    }));
    expect((await engines.storage.labelled.insertMany(rows)).inserted).toBe(40);
    await buildOfflineSources(engines, undefined, undefined, { keepTokenizer: true });
    const again = await engines.runs.wait((await engines.runs.rerun(first.id)).id);
    expect(again.status).toBe('succeeded');
    expect(again.data!.entities).toBe(first.data!.entities + 40);
    expect(again.rerunData!.same).toBe(false);
    expect(again.rerunData!.detail).toMatch(
      new RegExp(
        `^not the data of run ${first.id}: ${(first.data!.entities + 40).toLocaleString('en')} rows .* against ${first.data!.entities.toLocaleString('en')} `,
      ),
    );
    expect(again.rerunData!.detail).toMatch(/rows imported or labelled since with earlier event times are in it/);
  });
});
