import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureExtractorV1, FeatureExtractorV2, KerasTokenizer, padSequence, textToWordSequence } from '.';

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
});
