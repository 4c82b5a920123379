/**
 * The recorder against a real SQLite prediction store: a large flush is written in slices with the
 * event loop free between them (a request is answered in the middle of a flush), and every record
 * is stored once.
 */
import { describe, expect, it } from 'vitest';
import { testEngines } from '../testing/fixtures';
import { PredictionRecorder } from './recorder';

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
});
