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
import { KerasTokenizer } from '../features';

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

  it("scores the feature step's encodings when the model encodes like its tokenizer, and encodes the texts itself otherwise", async () => {
    const { engines, cleanup } = await testEngines();
    try {
      const store = engines.storage.predictions;
      const tokenizer = KerasTokenizer.fit(['win a prize now', 'see you at lunch'], { MAX_NUM_WORDS: 180, MAX_SEQ_LENGTH: 4 });
      const messages = ['win a prize', 'lunch at noon'].map((sms_text, i) => ({
        user_id: 'u',
        sms_id: `9b2b5a2e-7f5f-11ec-8000-00000000001${i}`,
        sender_id: 's',
        sms_text,
      }));
      const encoded = { tokenizer, texts: messages.map((m) => tokenizer.encodeNoted(m.sms_text)) };
      let encodedHere = 0;
      const modelLike = (alike: boolean, name: string) =>
        ({
          name,
          version: '1',
          info: {},
          encodesLike: (t: KerasTokenizer) => alike && t === tokenizer,
          outOfVocabularyRate: () => 0.25,
          textToFeatures: () => {
            encodedHere += 1;
            return [7, 7, 7, 7];
          },
          predict: (rows: number[][]) => rows.map(() => ({ spam: 0.9 })),
        }) as unknown as ServedModel;
      for (const [alike, name] of [
        [true, 'v3'],
        [false, 'v2'],
      ] as const) {
        const recorder = new PredictionRecorder(store, { retentionDays: 30, maxRows: 1_000_000, flushEveryMs: 60_000 });
        const verdicts = new InboxVerdicts({ models: { getAny: async () => modelLike(alike, name) }, recorder }, name);
        verdicts.record(messages, encoded);
        await verdicts.settled();
        await recorder.flush();
      }
      const byModel = async (model: string) => (await store.recent(model, 0, 10)).sort((a, b) => (a.sms_id! < b.sms_id! ? -1 : 1));
      // alike: the step's rows and rates, nothing encoded again
      expect((await byModel('v3')).map((r) => [r.features, r.oov])).toEqual(encoded.texts.map((e) => [e.ids, e.oov]));
      // not alike: the model's own encoding and rate
      expect((await byModel('v2')).map((r) => [r.features, r.oov])).toEqual([
        [[7, 7, 7, 7], 0.25],
        [[7, 7, 7, 7], 0.25],
      ]);
      expect(encodedHere).toBe(2);
    } finally {
      await cleanup();
    }
  });
});
