/** Verdicts off the serving thread: the helper's kernel answers what the serving thread's would. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { sampleServer } from '../testing/fixtures';
import { OffThreadPredictor } from './off-thread';

let engines: Engines;
let close: () => Promise<void>;
const predictor = new OffThreadPredictor();
beforeAll(async () => {
  ({ engines, close } = await sampleServer());
});
afterAll(async () => {
  predictor.close();
  await close?.();
});

const texts = ['WINNER!! You have won a FREE prize, call 09061701461 to claim your CASH now', 'Are we still on for dinner tonight?', 'ok'];

describe('OffThreadPredictor', () => {
  it('gives the LSTM versions the same probabilities as the serving thread, batches past the kernel size included; forests stay here', async () => {
    for (const name of ['v2', 'v3', 'v1']) {
      const m = await engines.serving.getAny(name);
      const rows = Array.from({ length: 300 }, (_, i) => m.textToFeatures(texts[i % texts.length]));
      const here = m.predict(rows);
      const there = await predictor.predict(m, rows);
      expect(there).toHaveLength(300);
      for (const [i, p] of there.entries()) {
        expect(p.spam).toBeCloseTo(here[i].spam, 6);
        expect(p.ham).toBeCloseTo(here[i].ham, 6);
      }
    }
  });

  it('predicts in this thread when the helper cannot (a version whose files are gone)', async () => {
    const m = await engines.serving.getAny('v3');
    const gone = { ...m, info: { ...m.info, dir: '/nonexistent/v3/0' }, predict: (rows: number[][]) => m.predict(rows), featureLength: m.featureLength };
    const rows = [m.textToFeatures(texts[0])];
    expect((await predictor.predict(gone, rows))[0].spam).toBeCloseTo(m.predict(rows)[0].spam, 6);
  });
});
