/**
 * Precision-recall and ROC curves of a binary classifier, and the choice of a decision threshold
 * on them. Spam is the positive class; a message is spam when its score is >= the threshold
 * (as `evaluate` counts). The points follow scikit-learn's `precision_recall_curve` (every
 * distinct score, thresholds ascending, then the point precision 1, recall 0: scikit-learn 1.2's,
 * which no longer cuts the curve where full recall is reached),
 * `roc_curve` (drop_intermediate: only the corners, from the point at threshold +inf) and
 * `average_precision_score`; the unit tests hold their values.
 * Shared: the engines compute them, the console redraws the confusion matrix at any point.
 */

export interface ThresholdPoint {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** false-positive rate: ham flagged as spam */
  fpr: number;
}

export interface Curves {
  /** messages and positives (spam) they were computed on */
  n: number;
  positives: number;
  /** one point per distinct score, thresholds descending */
  points: ThresholdPoint[];
  /** the PR curve as scikit-learn 1.2 returns it (thresholds ascending, ending at precision 1, recall 0) */
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  /** the ROC curve as scikit-learn returns it (drop_intermediate; the first threshold lies above every score: scikit-learn's max + 1 or inf, sent as null) */
  roc: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] };
  averagePrecision: number;
  rocAuc: number;
}

/** how to choose a threshold on the curves */
export type ThresholdRule = { by: 'precision'; target: number } | { by: 'recall'; target: number } | { by: 'f1' } | { by: 'fixed'; threshold: number };

/** counts at each distinct score, scores descending (scikit-learn's _binary_clf_curve) */
function cumulative(yTrue: ArrayLike<number>, score: ArrayLike<number>): { thresholds: number[]; tps: number[]; fps: number[] } {
  const idx = Array.from({ length: yTrue.length }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < idx.length; k++) {
    if (yTrue[idx[k]] === 1) tp++;
    else fp++;
    if (k === idx.length - 1 || score[idx[k + 1]] !== score[idx[k]]) {
      thresholds.push(score[idx[k]]);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { thresholds, tps, fps };
}

const point = (threshold: number, tp: number, fp: number, positives: number, negatives: number): ThresholdPoint => {
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = positives ? tp / positives : 0;
  return {
    threshold,
    tp,
    fp,
    tn: negatives - fp,
    fn: positives - tp,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    fpr: negatives ? fp / negatives : 0,
  };
};

export function computeCurves(yTrue: ArrayLike<number>, score: ArrayLike<number>): Curves {
  if (yTrue.length !== score.length) throw new Error(`curves: ${yTrue.length} labels but ${score.length} scores`);
  const { thresholds, tps, fps } = cumulative(yTrue, score);
  const n = yTrue.length;
  const positives = tps.length ? tps[tps.length - 1] : 0;
  const negatives = n - positives;

  const points = thresholds.map((t, i) => point(t, tps[i], fps[i], positives, negatives));

  // PR: thresholds ascending, then (precision 1, recall 0)
  const cut = [...points].reverse();
  const pr = {
    precision: cut.map((p) => (p.tp + p.fp ? p.precision : 0)).concat(1),
    recall: cut.map((p) => p.recall).concat(0),
    thresholds: cut.map((p) => p.threshold),
  };
  let averagePrecision = 0;
  for (let i = 0; i < pr.recall.length - 1; i++) averagePrecision -= (pr.recall[i + 1] - pr.recall[i]) * pr.precision[i];

  // ROC: the corners only (scikit-learn's drop_intermediate: a point on a straight line with both
  // neighbours goes), from (0, 0) at a threshold above every score
  const keep: number[] = [];
  for (let i = 0; i < tps.length; i++) {
    const inner = i > 0 && i < tps.length - 1;
    if (inner && fps[i + 1] - 2 * fps[i] + fps[i - 1] === 0 && tps[i + 1] - 2 * tps[i] + tps[i - 1] === 0) continue;
    keep.push(i);
  }
  const roc = {
    fpr: [0, ...keep.map((i) => (negatives ? fps[i] / negatives : 0))],
    tpr: [0, ...keep.map((i) => (positives ? tps[i] / positives : 0))],
    thresholds: [null, ...keep.map((i) => thresholds[i])],
  };
  let auc = 0;
  for (let i = 0; i < tps.length; i++) {
    const x0 = i ? fps[i - 1] : 0;
    const y0 = i ? tps[i - 1] : 0;
    auc += (fps[i] - x0) * (tps[i] + y0);
  }
  const rocAuc = positives && negatives ? auc / 2 / (positives * negatives) : 0.5;
  return { n, positives, points, pr, roc, averagePrecision, rocAuc };
}

/**
 * The threshold a rule picks. Target precision: the lowest threshold whose precision reaches it
 * (the most spam caught at that precision); target recall: the highest threshold whose recall
 * reaches it (the fewest false alarms at that recall); best F1: the threshold of the highest F1
 * (ties: the higher threshold). Undefined when no point meets the target.
 */
export function chooseThreshold(curves: Curves, rule: ThresholdRule): ThresholdPoint | undefined {
  const pts = curves.points; // thresholds descending
  if (rule.by === 'fixed') return pointAt(curves, rule.threshold);
  if (rule.by === 'precision') {
    let best: ThresholdPoint | undefined;
    for (const p of pts) if (p.tp > 0 && p.precision >= rule.target) best = p;
    return best;
  }
  if (rule.by === 'recall') return pts.find((p) => p.recall >= rule.target);
  let best: ThresholdPoint | undefined;
  for (const p of pts) if (!best || p.f1 > best.f1) best = p;
  return best;
}

/**
 * The lowest score a version without a threshold calls spam: any above 0.5. Serving's top label is
 * spam when spam outscores ham, so a tie at 0.5 is ham (as the seed's max over the classes); the
 * held-out metrics and the evaluation at 0.5 counted it spam, so a forest's exact ties (half its
 * trees) were counted one way and served the other.
 */
export const UNSET_THRESHOLD_CUT = 0.5 + Number.EPSILON / 2;

/** the counts at a version's threshold, or (none set) at the default rule, said as 0.5 */
export function pointAtVersion(curves: Curves, threshold: number | undefined): ThresholdPoint {
  return threshold === undefined ? { ...pointAt(curves, UNSET_THRESHOLD_CUT), threshold: 0.5 } : pointAt(curves, threshold);
}

/** the counts at any threshold: the point of the lowest listed score >= it (none flagged above the top score) */
export function pointAt(curves: Curves, threshold: number): ThresholdPoint {
  const negatives = curves.n - curves.positives;
  let hit: ThresholdPoint | undefined;
  for (const p of curves.points) {
    if (p.threshold >= threshold) hit = p;
    else break;
  }
  if (!hit) return { ...point(threshold, 0, 0, curves.positives, negatives), precision: 1 };
  return { ...hit, threshold };
}
