/**
 * A lookup's answer written by `onlineFeaturesJson` is, byte for byte, what the serializer compiled
 * from the route's declared schema writes (issue 23): for answers built by hand with hostile
 * values (escapes, lone surrogates, nested objects, numbers JSON cannot hold), from kept rows and
 * not, and for answers of a real feature store over a real SQLite online store, read from the file
 * and then from the kept rows. A kept row's values are deeply frozen with their texts; a value
 * not kept is written afresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GetOnlineFeaturesResponse } from '../../src-shared/featurestore';
import { featureServer as routes } from '../../src-shared/routes/featurestore';
import { asSent, compileSerializer } from '../api/declare';
import type { Engines } from '../engines';
import { frozenRow, keptTexts } from '../storage/kept-row';
import { testEngines } from '../testing/fixtures';
import { definitionsForStage, onlineFeaturesJson } from '.';
import { resultWithTexts } from './online-answer';

const declared = compileSerializer({
  schema: asSent(routes.onlineFeatures.response[200]),
  method: routes.onlineFeatures.method,
  url: routes.onlineFeatures.url,
  httpStatus: '200',
});

/** both writers give the same bytes, ours twice alike, and the text parses back to the answer */
function expectSameBytes(answer: GetOnlineFeaturesResponse): void {
  const first = onlineFeaturesJson(answer);
  expect(first).toBe(declared(answer));
  expect(onlineFeaturesJson(answer)).toBe(first);
  expect(JSON.parse(first)).toEqual(JSON.parse(JSON.stringify(answer)));
}

const HOSTILE_STRINGS = [
  '',
  'plain',
  'quote " and \\ backslash',
  'tab\tnew\nline\r\u0000\u001f',
  'lone \ud800 high',
  'lone \udfff low',
  '\u2028\u2029',
  'emoji 😀 é ß',
  '</script>',
];

/** a value as a store keeps it: in a frozen row, with the text the row holds */
class Kept {
  readonly value: unknown;
  readonly text: string | undefined;
  constructor(v: unknown) {
    const row = frozenRow({ entityKey: 'k', values: { f: v as never }, eventTs: 0, createdTs: 0 });
    this.value = row.values.f;
    this.text = keptTexts(row)?.f;
  }
}

/** an answer of columns of values; a `Kept` value comes with the text its row holds */
function answerOf(columns: unknown[][], names = ['sms_id', 'features', 'label']): GetOnlineFeaturesResponse {
  return {
    metadata: { feature_names: names },
    results: columns.map((column) => {
      const values = column.map((x) => (x instanceof Kept ? x.value : x));
      const texts = column.map((x) => (x instanceof Kept ? x.text : undefined));
      return resultWithTexts(
        {
          values,
          statuses: values.map((x) => (x === null ? 'NOT_FOUND' : 'PRESENT')),
          event_timestamps: values.map((_, i) => (i % 2 ? '2021-09-02T10:00:00.000500Z' : '1970-01-01T00:00:00Z')),
        },
        texts.some((t) => t !== undefined) ? { texts, of: [...values] } : undefined,
      );
    }),
  };
}

describe('onlineFeaturesJson', () => {
  it('writes what the declared schema serializer writes, for hostile values kept and not kept', () => {
    const tokens = () => Array.from({ length: 30 }, (_, i) => (i < 20 ? 0 : i * 7));
    const kept = (v: unknown) => new Kept(v);
    const values = [
      ['sms1', 'sms2', 'sms3'],
      [kept(tokens()), tokens(), null],
      [...HOSTILE_STRINGS],
      HOSTILE_STRINGS.map((s) => kept([s, s.length])),
      [0, -0, 1.5, -2e-7, 1e21, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY, true, false, null, kept('a kept string')],
      [kept({ a: [1, { b: 'c"' }], 'k"ey': null, '\ud800': [[]] }), { nested: { deeper: [1, 'two', null] } }, kept([]), kept({})],
      [],
    ];
    expectSameBytes(answerOf(values));
    expectSameBytes(answerOf(values, Object.freeze(['sms_id', 'name "quoted"', 'ünï \ud83d']) as string[]));
    expectSameBytes({ metadata: { feature_names: [] }, results: [] });
  });

  it('keeps a row’s values deeply frozen with their texts, and writes a value not kept afresh at every call', () => {
    const k = new Kept({ list: [1, 2], inner: { more: [3] } });
    const v = k.value as { list: number[]; inner: { more: number[] } };
    expect(Object.isFrozen(v) && Object.isFrozen(v.list) && Object.isFrozen(v.inner.more)).toBe(true);
    expect(() => {
      v.list.push(3);
    }).toThrow();
    expect(k.text).toBe('{"list":[1,2],"inner":{"more":[3]}}');
    // the texts are not in the row's JSON, and a copy of the row with other values has none
    const row = frozenRow({ entityKey: 'k', values: { f: [1] }, eventTs: 1, createdTs: 2 });
    expect(JSON.stringify(row)).toBe('{"entityKey":"k","values":{"f":[1]},"eventTs":1,"createdTs":2}');
    expect(keptTexts(row)).toEqual({ f: '[1]' });
    expect(keptTexts({ ...row })).toEqual({ f: '[1]' });
    expect(keptTexts({ ...row, values: { f: [2] } })).toBeUndefined();
    // frozen with the row, the texts too; a row frozen twice is the same row
    expect(Object.isFrozen(keptTexts(row))).toBe(true);
    expect(() => {
      (keptTexts(row) as Record<string, string>).f = '"poisoned"';
    }).toThrow();
    expect(frozenRow(row)).toBe(row);
    // a field named after a member of Object.prototype finds its own text or none
    const named = frozenRow({ entityKey: 'k', values: { toString: 5, constructor: 'c', __proto__x: [1], valueOf: [2] }, eventTs: 1, createdTs: 2 });
    expect(keptTexts(named)?.toString).toBeUndefined();
    expect(keptTexts(named)?.constructor).toBeUndefined();
    expect(keptTexts(named)?.valueOf).toBe('[2]');
    const loose = [1, 2];
    const answer = answerOf([[loose, k]]);
    expect(onlineFeaturesJson(answer)).toContain('"values":[[1,2],{"list":[1,2],"inner":{"more":[3]}}]');
    loose.push(3);
    expect(onlineFeaturesJson(answer)).toContain('"values":[[1,2,3],');
    expect(onlineFeaturesJson(answer)).toBe(declared(answer));
  });

  it('writes a value put in place of a kept one afresh, not the kept one’s text', () => {
    const answer = answerOf([[new Kept([1, 2]), new Kept({ a: 1 })]]);
    expect(onlineFeaturesJson(answer)).toContain('"values":[[1,2],{"a":1}]');
    answer.results[0].values[0] = null;
    answer.results[0].values[1] = [3];
    expect(onlineFeaturesJson(answer)).toContain('"values":[null,[3]]');
    expect(onlineFeaturesJson(answer)).toBe(declared(answer));
  });

  it('writes null for a value JSON cannot hold, where the schema serializer writes invalid JSON', () => {
    const answer = answerOf([[undefined, () => 1]]);
    expect(onlineFeaturesJson(answer)).toContain('"values":[null,null]');
    expect(declared(answer)).toContain('"values":[undefined,undefined]');
    expect(() => JSON.parse(onlineFeaturesJson(answer))).not.toThrow();
  });
});

describe('onlineFeaturesJson over a real feature store (SQLite online store)', () => {
  let engines: Engines;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ engines, cleanup } = await testEngines());
    await engines.features.apply(definitionsForStage('2021'), '2021');
    const ids = HOSTILE_STRINGS.map((_, i) => `hostile${i}`);
    const at = ids.map(() => '2021-09-02T10:00:00.000500Z');
    await engines.features.push('labels_push', { sms_id: ids, event_timestamp: at, label: HOSTILE_STRINGS }, 'online');
    await engines.features.push(
      'smss2_push',
      { sms_id: ids, event_timestamp: at, features: ids.map((_, i) => Array.from({ length: 30 }, (_, j) => (j + i) % 5)) },
      'online',
    );
  }, 60_000);
  afterAll(async () => {
    await cleanup?.();
  });

  it('answers the same bytes read from the file and then from the kept rows, by service and by references', async () => {
    const keys = [...HOSTILE_STRINGS.map((_, i) => `hostile${i}`), 'missing'];
    for (const ask of [
      { entities: { sms_id: keys }, feature_service: 'labeled_sms_2' },
      { entities: { sms_id: keys }, features: ['sms_labels:label', 'sms_features2:features'], full_feature_names: true },
    ]) {
      const fromFile = await engines.features.getOnlineFeatures(ask);
      const fromKept = await engines.features.getOnlineFeatures(ask);
      // the second answer's token arrays are the kept rows' own (frozen), with the texts written as they were kept
      const arrays = fromKept.results.flatMap((r) => r.values).filter(Array.isArray);
      expect(arrays).toHaveLength(HOSTILE_STRINGS.length);
      expect(arrays.every((a) => Object.isFrozen(a))).toBe(true);
      for (const answer of [fromFile, fromKept]) expectSameBytes(answer);
      expect(JSON.parse(onlineFeaturesJson(fromKept)).results.at(-1).values.at(-1)).toBe(null);
    }
  });

  it('answers at once, without a wait, what it answers after one, once the lookup is known (the hot door asks so)', async () => {
    const fs = engines.features;
    const ask = { entities: { sms_id: ['hostile1', 'hostile2', 'missing'] }, features: ['sms_labels:label'] };
    // a lookup not resolved yet: asked the long way
    expect(fs.getOnlineFeaturesNow(ask)).toBeUndefined();
    const waited = await fs.getOnlineFeatures(ask);
    const now = fs.getOnlineFeaturesNow(ask);
    expect(now).toBeDefined();
    expect(onlineFeaturesJson(now!)).toBe(onlineFeaturesJson(waited));
    // a row written since (a commit): the answer at once has it, not the row kept before
    await fs.push('labels_push', { sms_id: ['hostile1'], event_timestamp: ['2021-09-03T10:00:00Z'], label: ['relabelled'] }, 'online');
    expect(fs.getOnlineFeaturesNow(ask)!.results[1].values).toEqual(['relabelled', HOSTILE_STRINGS[2], null]);
    expect(onlineFeaturesJson(fs.getOnlineFeaturesNow(ask)!)).toBe(onlineFeaturesJson(await fs.getOnlineFeatures(ask)));
    // past the view's time to live, both say so alike
    const late = Date.parse('2030-01-01T00:00:00Z');
    expect(fs.getOnlineFeaturesNow(ask, late)).toEqual(await fs.getOnlineFeatures(ask, late));
    // a bad ask is refused alike, naming the field
    for (const entities of [{ id: ['hostile1'] }, { sms_id: ['hostile1', ''] }] as Record<string, string[]>[]) {
      const bad = { ...ask, entities };
      const waitedError = await fs.getOnlineFeatures(bad).catch((e: Error) => e.message);
      expect(waitedError).toMatch(/entities/);
      expect(() => fs.getOnlineFeaturesNow(bad)).toThrow(waitedError as string);
    }
  });
});
