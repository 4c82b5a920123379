import { describe, expect, it } from 'vitest';
import { chooseThreshold, computeCurves, pointAt } from './curves';

// 40 labelled scores with ties, and what scikit-learn 1.2.1 answers for them
// (precision_recall_curve, roc_curve, average_precision_score, roc_auc_score, f1_score per threshold)
const y = [1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const s = [
  0.7, 0.2, 0.5, 0.3, 0.3, 0.5, 0.3, 1.0, 0.5, 0.5, 0.3, 0.3, 0.4, 0.7, 0.6, 0.0, 0.4, 0.5, 0.4, 0.8, 0.7, 0.5, 0.4, 0.2, 0.4, 0.5, 0.7, 0.7, 0.6, 0.3, 0.9,
  0.1, 0.2, 0.3, 0.5, 0.3, 0.1, 0.2, 0.2, 0.6,
];
const sk = {
  prPrecision: [0.275, 0.282051282051, 0.297297297297, 0.34375, 0.458333333333, 0.473684210526, 0.636363636364, 0.625, 1.0, 1.0, 1.0, 1.0],
  prRecall: [1.0, 1.0, 1.0, 1.0, 1.0, 0.818181818182, 0.636363636364, 0.454545454545, 0.272727272727, 0.181818181818, 0.090909090909, 0.0],
  prThresholds: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
  rocFpr: [0.0, 0.0, 0.0, 0.103448275862, 0.137931034483, 0.344827586207, 0.448275862069, 0.724137931034, 0.896551724138, 0.965517241379, 1.0],
  rocTpr: [0.0, 0.090909090909, 0.272727272727, 0.454545454545, 0.636363636364, 0.818181818182, 1.0, 1.0, 1.0, 1.0, 1.0],
  rocThresholds: [1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0],
  ap: 0.6715238509496883,
  auc: 0.8526645768025078,
  f1: {
    0.0: 0.431373,
    0.1: 0.44,
    0.2: 0.458333,
    0.3: 0.511628,
    0.4: 0.628571,
    0.5: 0.6,
    0.6: 0.636364,
    0.7: 0.526316,
    0.8: 0.428571,
    0.9: 0.307692,
    1.0: 0.166667,
  } as Record<string, number>,
};
const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i], 9);
};

describe('PR and ROC curves, as scikit-learn computes them', () => {
  const c = computeCurves(y, s);
  it('the precision-recall curve', () => {
    close(c.pr.precision, sk.prPrecision);
    close(c.pr.recall, sk.prRecall);
    close(c.pr.thresholds, sk.prThresholds);
  });
  it('the ROC curve (corners only) and its area', () => {
    close(c.roc.fpr, sk.rocFpr);
    close(c.roc.tpr, sk.rocTpr);
    expect(c.roc.thresholds[0]).toBeNull();
    close(c.roc.thresholds.slice(1) as number[], sk.rocThresholds);
    expect(c.rocAuc).toBeCloseTo(sk.auc, 12);
  });
  it('average precision', () => expect(c.averagePrecision).toBeCloseTo(sk.ap, 12));
  it('F1 at every threshold', () => {
    for (const p of c.points) expect(p.f1).toBeCloseTo(sk.f1[String(p.threshold)], 6);
    expect(c.n).toBe(40);
    expect(c.positives).toBe(11);
  });
});

describe('choosing a threshold', () => {
  const c = computeCurves(y, s);
  it('best F1 picks 0.6 (F1 0.636)', () => {
    const p = chooseThreshold(c, { by: 'f1' });
    expect(p?.threshold).toBe(0.6);
    expect(p?.f1).toBeCloseTo(0.636364, 6);
  });
  it('a target precision picks the lowest threshold reaching it', () => {
    expect(chooseThreshold(c, { by: 'precision', target: 0.6 })?.threshold).toBe(0.6);
    expect(chooseThreshold(c, { by: 'precision', target: 0.99 })?.threshold).toBe(0.8);
    expect(chooseThreshold(c, { by: 'precision', target: 0.64 })?.threshold).toBe(0.8);
  });
  it('a target recall picks the highest threshold reaching it', () => {
    expect(chooseThreshold(c, { by: 'recall', target: 0.8 })?.threshold).toBe(0.5);
    expect(chooseThreshold(c, { by: 'recall', target: 1 })?.threshold).toBe(0.4);
  });
  it('the counts at any threshold: confusion matrix between the listed scores', () => {
    const p = pointAt(c, 0.55); // flags the same messages as 0.6
    expect(p).toMatchObject({ threshold: 0.55, tp: 7, fp: 4, fn: 4, tn: 25 });
    expect(pointAt(c, 1.5)).toMatchObject({ tp: 0, fp: 0, fn: 11, tn: 29 });
    expect(pointAt(c, 0)).toMatchObject({ tp: 11, fp: 29 });
  });
  it('refuses labels and scores of different lengths', () => expect(() => computeCurves([1, 0], [0.5])).toThrow(/2 labels but 1 scores/));
});
