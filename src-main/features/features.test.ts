import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FeatureExtractorV1, FeatureExtractorV2, FEATURES_V1, KerasTokenizer, extractV1, padSequence, textToWordSequence } from '.';
import { parseDataset } from '../dataset/import';
import { fullDatasetPath, SAMPLE_DATASET, SKIP_FULL } from '../testing/fixtures';

const fixture = (name: string) => JSON.parse(gunzipSync(readFileSync(join(__dirname, 'fixtures', name))).toString());
const v1List = (text: string) => FEATURES_V1.map((n) => extractV1(text)[n]);
/** features within 1e-9 of the seed's (the issue's tolerance) */
function expectSeed(text: string, expected: number[]) {
  const got = v1List(text);
  for (const [i, g] of got.entries())
    expect(Math.abs(g - expected[i]), `${JSON.stringify(text)} ${FEATURES_V1[i]}: ${g} vs ${expected[i]}`).toBeLessThanOrEqual(1e-9);
}

describe('features v1', () => {
  const x = new FeatureExtractorV1();
  it('computes the seed example by hand', () => {
    // letters: You are A WINNER OF FREE CASH = 23, capitals 18; 7 "!" are non-alphabetic
    const f = x.extract('You are A WINNER OF FREE CASH!!!!!!!');
    expect(f.cap_r).toBeCloseTo(18 / 23, 12);
    expect(f.nal_r).toBeCloseTo(7 / 23, 12);
    expect(x.extractList('You are A WINNER OF FREE CASH!!!!!!!').slice(2)).toEqual([1, 0, 0, 0, 0, 1, 1]);
    expect(x.featureNames()).toEqual([
      'cap_r',
      'nal_r',
      'cw_scores_0',
      'cw_scores_1',
      'cw_scores_2',
      'cw_scores_3',
      'cw_scores_4',
      'cw_scores_5',
      'cw_scores_6',
    ]);
  });
  it('matches the seed API example for "I have a dream"', () => {
    expect(x.extractList('I have a dream')).toEqual([1 / 11, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('handles texts without letters and Treebank token boundaries', () => {
    expect(x.extractList('12345 !!!')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // "win!cash" splits at "!" (Treebank) so both cue words count; "free-entry" stays one token
    const f = x.extract('win!cash free-entry');
    expect([f.cw_scores_0, f.cw_scores_3, f.cw_scores_6]).toEqual([0, 1, 1]);
    // "won't" is "wo" + "n't": not the cue word "won"
    expect(x.extract("I won't go").cw_scores_4).toBe(0);
    expect(x.extract('I WON!').cw_scores_4).toBe(1);
    // a straight double quote counts as two characters (Treebank writes `` and '')
    expect(x.extract('"hi"').nal_r).toBe(4 / 2);
  });
});

// Expected values: scripts/reference/v1_features.py --text '...' (the seed's rules on NLTK 3.7)
describe('features v1 equal the seed extractor (Python Unicode rules, NLTK tokens)', () => {
  it("keeps a byte-order mark as a character, as Python does (JavaScript's \\s drops it)", () => {
    expectSeed('wierd but funny\ufeff', [0, 1 / 13, 0, 0, 0, 0, 0, 0, 0]);
    expectSeed('\ufeffCheck out my channel\ufeff', [1 / 17, 2 / 17, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('counts ı and ſ as letters (Python upper() maps them to I and S) that match no cue word', () => {
    expectSeed('Th\u0131s \u0131s a free g\u0131ft', [1 / 15, 0, 1, 0, 0, 0, 0, 0, 0]);
    expectSeed('\u017fo FREE \u017ftuff', [4 / 11, 0, 1, 0, 0, 0, 0, 0, 0]);
  });
  it('treats \\x1c and \\x85 as white space (Python str.split) and U+00A0 too', () => {
    expectSeed('free\x1ccash', [0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expectSeed('win\x85now', [0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expectSeed('free\u00a0cash', [0, 0, 1, 0, 0, 0, 0, 0, 1]);
  });
  it('splits where NLTK does: a comma before a digit stays, .. and * split, curly quotes split', () => {
    expectSeed('free,2win', [0, 2 / 7, 0, 0, 0, 0, 0, 0, 0]);
    expectSeed('free,win', [0, 1 / 7, 1, 0, 0, 1, 0, 0, 0]);
    expectSeed('free..cash', [0, 2 / 8, 1, 0, 0, 0, 0, 0, 1]);
    expectSeed('free...cash', [0, 3 / 8, 1, 0, 0, 0, 0, 0, 1]);
    expectSeed('free*cash', [0, 1 / 8, 1, 0, 0, 0, 0, 0, 1]);
    expectSeed('\u201cfree\u201dcash', [0, 2 / 8, 1, 0, 0, 0, 0, 0, 1]);
    expectSeed('\u2018win\u2019money', [0, 2 / 8, 0, 1, 0, 1, 0, 0, 0]);
    expectSeed("free'x cash", [0, 1 / 9, 1, 0, 0, 0, 0, 0, 1]);
  });
  it('follows punkt sentence breaks where they change the tokens', () => {
    // the sentence-final period rule splits "'s" off "win's." at a break (none without one)
    expectSeed("You win's. Now", [0.2, 0.2, 0, 0, 0, 1, 0, 0, 0]);
    expectSeed("cash'll. Now", [1 / 9, 2 / 9, 0, 0, 0, 0, 0, 0, 1]);
    // a break right before ' separates letters; "st." is an abbreviation of punkt's model: no break
    expectSeed("free.'cash", [0, 2 / 8, 1, 0, 0, 0, 0, 0, 1]);
    expectSeed("st.'cash", [0, 2 / 6, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('equals the reference on 3,000 random strings of tricky pieces', () => {
    const { cases } = fixture('v1-fuzz-expected.json.gz') as { cases: [string, ...number[]][] };
    let differ = 0;
    for (const [text, ...expected] of cases) if (v1List(text).some((g, i) => Math.abs(g - expected[i]) > 1e-9)) differ++;
    expect(differ).toBe(0);
  });
});

const full = fullDatasetPath();
describe.skipIf(!full)(`features v1 on the full dataset${full ? '' : ` (skipped: ${SKIP_FULL})`}`, () => {
  it('equal the seed extractor on every message (tolerance 1e-9)', () => {
    const expected = fixture('v1-expected.json.gz').features as Record<string, [number, number, number]>;
    const rows = parseDataset(readFileSync(full!, 'utf8'), 'full').rows;
    expect(rows).toHaveLength(7528);
    const differ: Record<string, number> = Object.fromEntries(FEATURES_V1.map((n) => [n, 0]));
    for (const r of rows) {
      const [capR, nalR, bits] = expected[r.sms_id];
      const want = [capR, nalR, ...CUE_BITS.map((b) => (bits >> b) & 1)];
      v1List(r.text).forEach((g, i) => {
        if (Math.abs(g - want[i]) > 1e-9) differ[FEATURES_V1[i]]++;
      });
    }
    expect(differ).toEqual(Object.fromEntries(FEATURES_V1.map((n) => [n, 0])));
  });
});
// the fixture packs the seven cue bits into one number, cw_scores_0 the highest
const CUE_BITS = [6, 5, 4, 3, 2, 1, 0];

describe('Keras-style tokenizer', () => {
  it('filters, lower-cases and splits like text_to_word_sequence', () => {
    expect(textToWordSequence("Hello, WORLD!! it's  me\tnow")).toEqual(['hello', 'world', "it's", 'me', 'now']);
  });
  it('indexes by frequency with ties in first-seen order and keeps num_words-1 words', () => {
    const t = KerasTokenizer.fit(['b a c', 'a c d', 'a'], { MAX_NUM_WORDS: 3, MAX_SEQ_LENGTH: 4 });
    expect(t.state.wordIndex).toEqual({ a: 1, c: 2, b: 3, d: 4 });
    // index < 3 kept: a, c; b and d dropped, unknown dropped
    expect(t.textToSequence('d c b a zz')).toEqual([2, 1]);
    expect(t.encode('d c b a zz')).toEqual([0, 0, 2, 1]);
    expect(t.outOfVocabularyRate('a b zz c')).toBe(0.5);
    // both from one pass over the words
    expect(t.encodeNoted('a b zz c')).toEqual({ ids: [0, 0, 1, 2], oov: 0.5 });
    expect(t.encodeNoted('')).toEqual({ ids: [0, 0, 0, 0], oov: 0 });
  });
  it("encodeNoted gives, for every text of the sample, encode's ids and the share of words the kept vocabulary lacks", () => {
    const texts = readFileSync(SAMPLE_DATASET, 'utf8').split('\n').slice(1, 400);
    const t = KerasTokenizer.fit(texts, { MAX_NUM_WORDS: 180, MAX_SEQ_LENGTH: 30 });
    for (const text of texts) {
      // the rate counted here word by word, from the fitted index
      const words = textToWordSequence(text);
      const unknown = words.filter((w) => !(t.state.wordIndex[w] < 180)).length;
      expect(t.encodeNoted(text), text).toEqual({ ids: t.encode(text), oov: words.length ? unknown / words.length : 0 });
    }
  });
  it('breaks ties at the 180-word boundary by first appearance, as Keras (scripts/reference/v2_tokenizer.py)', () => {
    const t = KerasTokenizer.fit(tieCorpus(), { MAX_NUM_WORDS: 180, MAX_SEQ_LENGTH: 30 });
    expect(Object.keys(t.state.wordIndex)).toHaveLength(182);
    const pick = Object.fromEntries(['t3', 't0', 't5', 't1', 't4', 't2', 'h0', 'h1', 'h7', 'h175'].map((w) => [w, t.state.wordIndex[w]]));
    expect(pick).toEqual({ t3: 177, t0: 178, t5: 179, t1: 180, t4: 181, t2: 182, h0: 1, h1: 152, h7: 2, h175: 26 });
    // indices below 180 are kept: t3 t0 t5 in, t1 t4 t2 out
    expect(t.encode('t3 t0 t5 t1 t4 t2 h0 h1 h175')).toEqual([...new Array(24).fill(0), 177, 178, 179, 1, 152, 26]);
    expect(t.encode('h7 zz t5')).toEqual([...new Array(28).fill(0), 2, 179]);
  });
  it('lower-cases, filters and splits Unicode text as keras-preprocessing does', () => {
    for (const [text, words] of UNICODE_EDGE) expect(textToWordSequence(text), JSON.stringify(text)).toEqual(words);
    const t = KerasTokenizer.fit(
      UNICODE_EDGE.map(([text]) => text),
      { MAX_NUM_WORDS: 180, MAX_SEQ_LENGTH: 30 },
    );
    expect(t.state.wordIndex).toEqual(UNICODE_INDEX);
  });
  it('pads and truncates at the front', () => {
    expect(padSequence([1, 2], 4)).toEqual([0, 0, 1, 2]);
    expect(padSequence([1, 2, 3, 4, 5], 3)).toEqual([3, 4, 5]);
  });
  it('persists with settings.json and loads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-'));
    const t = KerasTokenizer.fit(['free cash now', 'call me now'], { MAX_NUM_WORDS: 180, MAX_SEQ_LENGTH: 30 });
    t.save(dir);
    const back = KerasTokenizer.load(dir);
    expect(back.encode('free now')).toEqual(t.encode('free now'));
    const v2 = new FeatureExtractorV2(back);
    expect(v2.extractList('call now')).toHaveLength(30);
    expect(v2.featureNames()).toEqual(['features']);
    expect(() => KerasTokenizer.load(join(dir, 'missing'))).toThrow(/bootstrap/);
  });
  it('fingerprints its vocabulary: the same vocabulary the same hash, whatever the fit date; another vocabulary or size another', () => {
    const settings = { MAX_NUM_WORDS: 180, MAX_SEQ_LENGTH: 30 };
    const a = KerasTokenizer.fit(['free cash now', 'call me now'], settings);
    // fitted again on the same texts, at another time freeze (another fit date too): the same vocabulary
    const b = KerasTokenizer.fit(['free cash now', 'call me now'], settings, '2020-01-01T00:00:00Z');
    expect(b.state.fittedOn).not.toEqual(a.state.fittedOn);
    expect(b.state.wordIndex).toEqual(a.state.wordIndex);
    const dir = mkdtempSync(join(tmpdir(), 'tok-fp-'));
    a.save(dir);
    const reloaded = KerasTokenizer.load(dir);
    expect(a.fingerprint()).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.fingerprint()).toBe(a.fingerprint());
    expect(reloaded.fingerprint()).toBe(a.fingerprint());
    expect(new KerasTokenizer({ ...a.state, fittedAt: '2001-01-01T00:00:00Z', documentCount: 99 }).fingerprint()).toBe(a.fingerprint());
    // one more word, two words swapped, another size: each another fingerprint
    const more = KerasTokenizer.fit(['free cash now', 'call me now', 'win'], settings);
    const swapped = new KerasTokenizer({ ...a.state, wordIndex: { ...a.state.wordIndex, free: a.state.wordIndex.cash, cash: a.state.wordIndex.free } });
    const smaller = new KerasTokenizer({ ...a.state, settings: { MAX_NUM_WORDS: 100, MAX_SEQ_LENGTH: 30 } });
    const prints = [a, more, swapped, smaller].map((t) => t.fingerprint());
    expect(new Set(prints).size).toBe(4);
  });
});

/** the corpus of scripts/reference/v2_tokenizer.py tie_corpus() */
function tieCorpus(): string[] {
  const order = Array.from({ length: 176 }, (_, k) => (k * 7) % 176);
  return ['t3 t0 t5 t1 t4 t2', ...Array.from({ length: 10 }, () => order.map((k) => `h${k}`).join(' ')), 't2 t4 t1 t5 t0 t3', 'T2, t4! (t1) t5. t0? t3;'];
}

// keras-preprocessing 1.1.0's text_to_word_sequence of 22 edge strings (scripts/reference/v2_tokenizer.py)
const UNICODE_EDGE: [string, string[]][] = [
  ['\u0130stanbul FREE', ['i\u0307stanbul', 'free']],
  ['\u039f\u0394\u039f\u03a3 \u039f\u0394\u039f\u03a3.', ['\u03bf\u03b4\u03bf\u03c2', '\u03bf\u03b4\u03bf\u03c2']],
  ['Stra\u00dfe STRASSE', ['stra\u00dfe', 'strasse']],
  ['\u01c5emal \u01c8', ['\u01c6emal', '\u01c9']],
  ['\ufb01nal \ufb00', ['\ufb01nal', '\ufb00']],
  ['\u212a k', ['k', 'k']],
  ['\u0131 I', ['\u0131', 'i']],
  ['\u1e9e', ['\u00df']],
  ['win\u00a0cash', ['win\u00a0cash']],
  ['win\u2028cash', ['win\u2028cash']],
  ['win\tcash\nnow', ['win', 'cash', 'now']],
  ['win\u001ccash\u0085now', ['win\u001ccash\u0085now']],
  ['\ufeffcall now\ufeff', ['\ufeffcall', 'now\ufeff']],
  ['free\ud83d\ude00 \ud83d\ude00', ['free\ud83d\ude00', '\ud83d\ude00']],
  ['caf\u00e9 CAF\u00c9 cafe\u0301', ['caf\u00e9', 'caf\u00e9', 'cafe\u0301']],
  ['\u13a0\uab70', ['\uab70\uab70']],
  ['\u1c90\u1c91 \u10d0\u10d1', ['\u10d0\u10d1', '\u10d0\u10d1']],
  ['\uff26\uff32\uff25\uff25 \uff46\uff52\uff45\uff45', ['\uff46\uff52\uff45\uff45', '\uff46\uff52\uff45\uff45']],
  ["it's don't 'quoted'", ["it's", "don't", "'quoted'"]],
  ['a_b a-b a.b a/b', ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']],
  ['\u00a7\u00b6 ~^ \u00bf\u00a1 \u00ab\u00bb', ['\u00a7\u00b6', '\u00bf\u00a1', '\u00ab\u00bb']],
  ['  double  spaces  ', ['double', 'spaces']],
];
const UNICODE_INDEX: Record<string, number> = JSON.parse(
  '{"a": 1, "b": 2, "\\u03bf\\u03b4\\u03bf\\u03c2": 3, "k": 4, "caf\\u00e9": 5, "\\u10d0\\u10d1": 6, "\\uff46\\uff52\\uff45\\uff45": 7, "i\\u0307stanbul": 8, "free": 9, "stra\\u00dfe": 10, "strasse": 11, "\\u01c6emal": 12, "\\u01c9": 13, "\\ufb01nal": 14, "\\ufb00": 15, "\\u0131": 16, "i": 17, "\\u00df": 18, "win\\u00a0cash": 19, "win\\u2028cash": 20, "win": 21, "cash": 22, "now": 23, "win\\u001ccash\\u0085now": 24, "\\ufeffcall": 25, "now\\ufeff": 26, "free\\ud83d\\ude00": 27, "\\ud83d\\ude00": 28, "cafe\\u0301": 29, "\\uab70\\uab70": 30, "it\'s": 31, "don\'t": 32, "\'quoted\'": 33, "\\u00a7\\u00b6": 34, "\\u00bf\\u00a1": 35, "\\u00ab\\u00bb": 36, "double": 37, "spaces": 38}',
);
