import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVALUATION_SET, fnv1a32, inEvaluationSet } from './evaluation-set';
import { SAMPLE_DATASET } from '../testing/fixtures';

describe('the shared evaluation set', () => {
  it('hashes ids with FNV-1a 32 (the published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
  it('holds one message in five, chosen by id alone', () => {
    const ids = readFileSync(SAMPLE_DATASET, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0])
      .filter(Boolean);
    expect(ids).toHaveLength(240);
    expect(ids.filter(inEvaluationSet)).toHaveLength(42);
    const many = Array.from({ length: 20_000 }, (_, i) => `sms${i}`).filter(inEvaluationSet).length;
    expect(many / 20_000).toBeGreaterThan(0.19);
    expect(many / 20_000).toBeLessThan(0.21);
    expect(EVALUATION_SET).toBe('holdout-fnv1a-20');
  });
});
