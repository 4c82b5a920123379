/**
 * A new model family needs no edit outside its plugin: a toy family ("always ham", a constant
 * model over one feature, the text's length), declared in this file alone, is trained, saved,
 * registered, loaded, served over HTTP, predicted in batches and checked for drift through the
 * very interfaces training, serving and monitoring use.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../src-shared/training';
import type { Engines } from '../engines';
import { computeWindow } from '../monitoring';
import { OffThreadPredictor } from '../serving';
import { startTestServer, testEngines } from '../testing/fixtures';
import { until } from '../testing/wait';
import {
  evaluate,
  familyKinds,
  familyOf,
  FeatureVectorError,
  numericReference,
  registerFamily,
  stagingDirFor,
  UnknownFamilyError,
  type ModelFamily,
  type ServedModel,
  type TrainingSet,
} from '.';

const KIND = 'always-ham';

/** the toy family: whatever it is shown, it answers ham with probability 1 */
const alwaysHam: ModelFamily = {
  kind: KIND,
  keepsIds: false,
  usesTokenizer: false,
  async train({ data, dir }, progress) {
    progress.onBackend?.('constant');
    const lengths = Array.from(data.train, (i) => data.columns![0][i]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'constant.json'), JSON.stringify({ spam: 0 }));
    return {
      backend: 'constant',
      history: { epochs: [], batches: [] },
      testScores: new Float64Array(data.test.length),
      artifacts: ['constant.json'],
      reference: { length: numericReference(lengths) },
      inputShape: [1],
    };
  },
  load(info) {
    const { spam } = JSON.parse(readFileSync(join(info.dir, 'constant.json'), 'utf8')) as { spam: number };
    const model: ServedModel = {
      info,
      name: info.name,
      version: info.version,
      featureLength: 1,
      offThread: false,
      batchable: false,
      textToFeatures: (text) => [text.length],
      checkFeatures(f) {
        if (!Array.isArray(f) || f.length !== 1 || typeof f[0] !== 'number') throw new FeatureVectorError('features: expected one number, the length');
        return f as number[];
      },
      predict: (rows) => rows.map(() => ({ ham: 1 - spam, spam })),
      outOfVocabularyRate: () => undefined,
    };
    return model;
  },
  datasetDriftRule: { kind: 'share', share: 1 },
  windowReference: (_training, records) => ({ length: numericReference(records.map((r) => r.features[0])) }),
  driftInputs(reference, records) {
    const ref = reference.length;
    return ref?.kind === 'numeric' ? [{ feature: 'length', kind: 'numeric', reference: ref, current: records.map((r) => r.features[0]) }] : [];
  },
};

/** 200 messages of 10 to 29 characters, a quarter of them spam; the first 50 rows are the test split */
function toySet(): TrainingSet {
  const n = 200;
  const lengths = Float64Array.from({ length: n }, (_, i) => 10 + (i % 20));
  const labels = Int32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  return {
    n,
    width: 1,
    columns: [lengths],
    labels,
    test: order.slice(0, 50),
    train: order.slice(50),
    snapshot: {
      featureService: 'none',
      timeFreeze: '2026-01-01T00:00:00Z',
      entities: n,
      dropped: 0,
      classBalance: { ham: 150, spam: 50 },
      trainRows: 150,
      testRows: 50,
      registryVersion: 0,
    },
  };
}

describe('model families as plugins', () => {
  let engines: Engines;
  let cleanup: () => Promise<void>;
  let base: string;
  let close: () => Promise<void>;
  let unregister: () => void;

  beforeAll(async () => {
    unregister = registerFamily(alwaysHam);
    ({ engines, cleanup } = await testEngines());
    ({ base, close } = await startTestServer(engines));
  }, 120_000);

  afterAll(async () => {
    await close?.();
    await cleanup?.();
    unregister?.();
  });

  it('names the built-in families in one registry, and a registered one beside them', () => {
    expect(familyKinds()).toEqual(['random-forest', 'lstm', KIND]);
    expect(() => registerFamily(alwaysHam)).toThrow(/already registered/);
  });

  it('refuses a family nobody registered, naming the known ones', () => {
    expect(() => familyOf('gradient-boosting')).toThrow(UnknownFamilyError);
    expect(() => familyOf('gradient-boosting')).toThrow(/"gradient-boosting" is not known here; known: random-forest, lstm, always-ham/);
  });

  it('trains, registers, serves, predicts and drifts a toy family with no edit outside this file', async () => {
    // training: the family trains and saves into the staging folder, as runTrainJob has it do
    const family = familyOf(KIND);
    const data = toySet();
    const dir = stagingDirFor(engines.models.modelsDir, 'toy-run');
    const backends: string[] = [];
    const trained = await family.train(
      {
        data,
        params: { featureService: 'none', timeFreeze: '2026-01-01T00:00:00Z', testSize: 0.25, seed: 1 },
        backend: 'auto',
        dir,
        tokenizers: engines.tokenizers,
        texts: async (ids) => ids.map(() => undefined),
      },
      { onBackend: (b) => backends.push(b) },
    );
    expect(backends).toEqual(['constant']);
    writeFileSync(join(dir, 'reference.json'), JSON.stringify({ labels: ['ham', 'spam'], features: trained.reference }));
    const yTest = Array.from(data.test, (i) => data.labels[i]);
    const v = await engines.models.register(dir, {
      name: 'toy',
      base: 'v1',
      runId: 'toy-run',
      kind: KIND as ModelVersion['kind'],
      featureExtractor: 'length@1',
      featureService: 'none',
      inputShape: trained.inputShape,
      labels: ['ham', 'spam'],
      metrics: evaluate(yTest, trained.testScores),
      params: { featureService: 'none', timeFreeze: '2026-01-01T00:00:00Z', testSize: 0.25, seed: 1 },
      backend: trained.backend,
      data: data.snapshot,
    });
    expect(v.checksums).toHaveProperty('constant.json');

    // serving: the seed's /prediction loads any registered id through its family
    const res = await fetch(`${base}/prediction`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_id: 'toy', text: 'WINNER!! You have won a 1000 cash prize. Call 09061701461 now to claim, valid 12 hours only', n_top: 2 }),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { version: string; predictions: { label: string; score: number }[] };
    expect(answer.version).toBe('1');
    expect(answer.predictions).toEqual([
      { label: 'ham', score: 1 },
      { label: 'spam', score: 0 },
    ]);

    // batch prediction as the inbox asks for it: a family without offThread predicts in this thread
    const served = await engines.serving.getAny('toy');
    expect(served.info.kind).toBe(KIND);
    expect(() => served.checkFeatures([1, 2])).toThrow(FeatureVectorError);
    const predictor = new OffThreadPredictor();
    try {
      expect(await predictor.predict(served, [[5], [500]])).toEqual([
        { ham: 1, spam: 0 },
        { ham: 1, spam: 0 },
      ]);
    } finally {
      predictor.close();
    }

    // monitoring: the recorded prediction against the training reference, by the family's drift features
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${base}/prediction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model_id: 'toy', text: `${'a much longer message than any the toy model was trained on '.repeat(3)}${i}` }),
      });
      expect(r.status).toBe(200);
    }
    const sources = { predictions: engines.storage.predictions, feedback: engines.storage.feedback };
    await until('the five toy predictions are recorded', async () => (await engines.storage.predictions.recent('toy', 0, 100)).length >= 5);
    const report = await computeWindow(sources, { version: await engines.models.get('toy', '1'), sinceMs: 0, size: 1000, options: { minWindow: 5 } });
    expect(report.window.n).toBe(5);
    expect(report.features.map((f) => [f.feature, f.kind, f.test])).toEqual([['length', 'numeric', 'ks']]);
    // served texts of 90 to 190 characters against trained lengths of 10 to 29: drift, found
    expect(report.features[0].drifted).toBe(true);
    expect(report.prediction.currentSpamShare).toBe(0);
  }, 120_000);
});
