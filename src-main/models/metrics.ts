/** Held-out metrics with spam as the positive class (the data is 77 % ham: accuracy alone flatters). */
import { UNSET_THRESHOLD_CUT } from '../../src-shared/curves';
import type { EvalMetrics } from '../../src-shared/training';

/** the metrics at `threshold` (spam from it up), or without one as serving says spam: above 0.5 */
export function evaluate(yTrue: ArrayLike<number>, pSpam: ArrayLike<number>, threshold?: number): EvalMetrics {
  const cut = threshold ?? UNSET_THRESHOLD_CUT;
  let tp = 0,
    fp = 0,
    tn = 0,
    fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const pred = pSpam[i] >= cut ? 1 : 0;
    if (pred === 1 && yTrue[i] === 1) tp++;
    else if (pred === 1) fp++;
    else if (yTrue[i] === 1) fn++;
    else tn++;
  }
  const n = yTrue.length || 1;
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    accuracy: (tp + tn) / n,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    rocAuc: rocAuc(yTrue, pSpam),
    confusion: [
      [tn, fp],
      [fn, tp],
    ],
    support: { ham: tn + fp, spam: tp + fn },
  };
}

/** Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties counted half. */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  const idx = Array.from({ length: yTrue.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]] === score[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (yTrue[idx[k]] === 1) {
        pos++;
        rankSum += avgRank;
      }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
