/**
 * The recorder against a real SQLite prediction store: a large flush is written in slices with the
 * event loop free between them (a request is answered in the middle of a flush), and every record
 * is stored once.
 */
import { describe, expect, it } from 'vitest';
import { testEngines } from '../testing/fixtures';
import { PredictionRecorder } from './recorder';
import { InboxVerdicts } from './verdicts';
import type { ServedModel } from '../serving';

describe('PredictionRecorder', () => {
  it('writes a flush of 999 records in slices, with the event loop answering between them, each record once', async () => {
    const { engines, cleanup } = await testEngines();
    try {
      const store = engines.storage.predictions;
      const slices: number[] = [];
      const counting = {
        ...store,
        appendMany: (rows: Parameters<typeof store.appendMany>[0]) => (slices.push(rows.length), store.appendMany(rows)),
        prune: store.prune.bind(store),
      } as typeof store;
      const recorder = new PredictionRecorder(counting, { retentionDays: 30, maxRows: 1_000_000, flushEveryMs: 60_000 });
      for (let i = 0; i < 999; i++)
        recorder.record({ model: 'v1', version: '1', endpoint: 'text_to_prediction', features: [i], spam: 0.1, label: 'ham', caller: 'c' });
      let between = 0;
      const flushed = recorder.flush();
      // an immediate callback queued now runs before the flush is done: the loop is not held
      setImmediate(() => {
        between = slices.length;
      });
      await flushed;
      expect(slices.reduce((a, b) => a + b, 0)).toBe(999);
      expect(Math.max(...slices)).toBeLessThanOrEqual(200);
      expect(between).toBeGreaterThan(0);
      expect(between).toBeLessThan(slices.length);
      expect(await store.count('v1')).toBe(999);
    } finally {
      await cleanup();
    }
  });

  it('stores an inbox verdict once when two processes record it (each featured the message once)', async () => {
    const { engines, cleanup } = await testEngines();
    try {
      const store = engines.storage.predictions;
      const model = {
        name: 'v3',
        version: '7',
        info: {},
        outOfVocabularyRate: () => 0,
        textToFeatures: (t: string) => [t.length],
        predict: (rows: number[][]) => rows.map(() => ({ spam: 0.9 })),
      } as unknown as ServedModel;
      const message = { user_id: 'u', sms_id: '9b2b5a2e-7f5f-11ec-8000-000000000001', sender_id: 's', sms_text: 'WIN now' };
      // two processes: two recorders (ids of their own) and two verdict writers on one store
      const recorders = [0, 1].map(() => new PredictionRecorder(store, { retentionDays: 30, maxRows: 1_000_000, flushEveryMs: 60_000 }));
      for (const recorder of recorders) {
        const verdicts = new InboxVerdicts({ models: { getAny: async () => model }, recorder });
        verdicts.record([message]);
        await verdicts.settled();
        await recorder.flush();
      }
      expect(await store.count('v3')).toBe(1);
      // other predictions are each their own record
      for (const recorder of recorders) {
        recorder.recordServed(model, { endpoint: 'text_to_prediction', caller: 'c', features: [1], spam: 0.2, sms_id: message.sms_id });
        await recorder.flush();
      }
      expect(await store.count('v3')).toBe(3);
    } finally {
      await cleanup();
    }
  });
});
