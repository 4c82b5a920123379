/**
 * A tie at 0.5 counted as serving says it: without a threshold a version says spam when spam
 * outscores ham (a tie is ham, as the seed's max over the classes); the held-out metrics, the
 * evaluation at 0.5 and the recorder count it so too. With a threshold t, spam is from t up.
 */
import { describe, expect, it } from 'vitest';
import { computeCurves, pointAtVersion } from '../../src-shared/curves';
import { top } from '../serving/models';
import { evaluate } from './metrics';

// a forest of even size gives exact ties: half its trees
const labels = [0, 0, 1, 1];
const scores = [0.5, 0.1, 0.5, 0.9];

describe('a score of exactly 0.5', () => {
  it('is ham without a threshold, everywhere: serving, the held-out metrics and the evaluation', () => {
    expect(top({ ham: 0.5, spam: 0.5 }).label).toBe('ham');
    const m = evaluate(labels, scores);
    // one spam found (0.9), one missed (the tie), no ham flagged
    expect(m.precision).toBe(1);
    expect(m.recall).toBe(0.5);
    expect(m.accuracy).toBe(0.75);
    const p = pointAtVersion(computeCurves(labels, scores), undefined);
    expect([p.tp, p.fp, p.fn, p.tn]).toEqual([1, 0, 1, 2]);
    expect(p.threshold).toBe(0.5);
  });

  it('is spam at a threshold of 0.5, everywhere', () => {
    expect(top({ ham: 0.5, spam: 0.5 }, 0.5).label).toBe('spam');
    const m = evaluate(labels, scores, 0.5);
    expect(m.recall).toBe(1);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    const p = pointAtVersion(computeCurves(labels, scores), 0.5);
    expect([p.tp, p.fp, p.fn, p.tn]).toEqual([2, 1, 0, 1]);
  });
});
