/**
 * A drift report: a window of served predictions against a reference (the version's training
 * rows, or an earlier window of live traffic). Per feature one test, chosen once for the reference
 * by Evidently's rules (stattests/index.ts) or set by an operator, with PSI beside it as context;
 * token ids are tested one number per message (their mean surprisal, messageSurprisal). Below the
 * minimum window the report is 'collecting': no verdict, no alert. Dataset drift by Holm's rule
 * (datasetRule below) or, when an operator sets it, when at least `datasetDriftShare` of the
 * features drift; prediction drift (share of spam) and, where feedback exists, quality.
 */
import { DEFAULT_THRESHOLD, type ModelVersion } from '../../src-shared/training';
import { DEFAULT_MIN_WINDOW, type DriftOptions, type DriftReport, type FeatureDrift } from '../../src-shared/monitoring';
export type { DriftOptions, DriftReport, FeatureDrift } from '../../src-shared/monitoring';
import type { PredictionRecord } from '../storage';
import { familyOf, messageSurprisal, type DatasetDriftRule, type FeatureReference, type NumericReference, type TokenReference } from '../models';
import { evidentlyShares, holmAdjusted, jensenShannon, psi, zTestProportions } from './stats';
import { wilsonInterval } from './stattests/wilson';
import { TESTS, chooseTest, type FeatureKind, type StatTest } from './stattests';

/** categories seen in either sample: Evidently's PSI has no bin for a value neither has */
function seenBins(refShares: number[], curShares: number[]): [number[], number[]] {
  const keep = refShares.map((r, k) => r > 0 || curShares[k] > 0);
  return [refShares.filter((_, k) => keep[k]), curShares.filter((_, k) => keep[k])];
}

type Chart = Pick<FeatureDrift, 'psi' | 'bins' | 'reference' | 'current' | 'gained' | 'lost'>;

/** the chosen test on one feature's values: the statistic, the verdict and why */
export function testFeature(feature: string, kind: FeatureKind, ref: NumericReference, cur: number[], chart: Chart, o: DriftOptions): FeatureDrift {
  const choice = chooseTest(feature, kind, ref, o.tests);
  const t = choice.test;
  const r = t.run(ref, cur);
  const threshold = o.thresholds?.[feature] ?? t.defaultThreshold;
  const rule = RULE_TESTS[kind];
  const rulePValue = rule.run(ref, cur).pValue ?? 1;
  return {
    feature,
    kind,
    test: t.name,
    sampleUnit: kind === 'tokens' ? 'message (mean token surprisal under the reference, bits)' : 'prediction',
    reason: choice.reason,
    chosenBy: choice.chosenBy,
    decidedBy: t.decidedBy,
    statistic: r.statistic,
    ...(r.pValue !== undefined ? { pValue: r.pValue } : {}),
    threshold,
    drifted: t.drifted(r, threshold),
    ...chart,
    // adjusted across the features once all are tested (datasetRule)
    datasetTest: { test: rule.name, pValue: rulePValue, adjustedPValue: rulePValue, drifted: false },
  };
}

/**
 * The dataset-drift rule's test per feature kind, whatever test decides the feature's own row: a
 * p-value for every feature, so that the features can be corrected together. KS for numbers and
 * for the per-message token statistic; Fisher's exact for binary features (rare cue words: a
 * handful of ones in a window, where a normal approximation is far off in the tail).
 */
const RULE_TESTS: Record<FeatureKind, StatTest> = { numeric: TESTS.ks, tokens: TESTS.ks, binary: TESTS.fisher_exact };

/**
 * Holm's level where none is given (datasetRule's default, and the level of the Holm column shown
 * beside a 'share' rule): 0.05, the false-alarm bound issue 21 sets (Holm bounds the chance of any
 * false alarm by alpha, for any number of features and any dependence between them). Each family
 * declares its own calibrated rule (ModelFamily.datasetDriftRule).
 */
export const DEFAULT_DATASET_DRIFT_ALPHA = 0.05;

export type DatasetRule = NonNullable<DriftReport['rule']>;

/** the features that made a report's dataset drift, by its rule (the alert names these) */
export function datasetDriftFeatures(report: Pick<DriftReport, 'features' | 'rule'>): string[] {
  return report.features.filter((f) => (report.rule?.kind === 'holm' ? f.datasetTest?.drifted : f.drifted)).map((f) => f.feature);
}

/**
 * Dataset drift by the operator's rule (drift.datasetDriftShare, else drift.datasetDriftAlpha), else
 * the family's: 'holm', Holm's step-down correction of the features' rule p-values at family-wise
 * `alpha` (drift when any feature rejects; those are the features named); 'share', when at least that
 * share of features are past their own thresholds. Marks each feature's datasetTest either way.
 */
export function datasetRule(
  features: FeatureDrift[],
  o: Pick<DriftOptions, 'datasetDriftShare' | 'datasetDriftAlpha'>,
  family: DatasetDriftRule = { kind: 'holm', alpha: DEFAULT_DATASET_DRIFT_ALPHA },
): { rule: DatasetRule; drift: boolean; named: string[] } {
  const chosen: DatasetDriftRule =
    o.datasetDriftShare !== undefined
      ? { kind: 'share', share: o.datasetDriftShare }
      : o.datasetDriftAlpha !== undefined
        ? { kind: 'holm', alpha: o.datasetDriftAlpha }
        : family;
  const by = o.datasetDriftShare !== undefined || o.datasetDriftAlpha !== undefined ? 'set by an operator' : "the model family's default";
  const alpha = chosen.kind === 'holm' ? chosen.alpha : DEFAULT_DATASET_DRIFT_ALPHA;
  const tested = features.filter((f) => f.datasetTest);
  const adjusted = holmAdjusted(tested.map((f) => f.datasetTest!.pValue));
  tested.forEach((f, k) => {
    f.datasetTest = { ...f.datasetTest!, adjustedPValue: adjusted[k], drifted: adjusted[k] <= alpha };
  });
  if (chosen.kind === 'share') {
    const share = chosen.share;
    const named = features.filter((f) => f.drifted).map((f) => f.feature);
    return {
      rule: { kind: 'share', share, description: `at least ${(share * 100).toFixed(0)} % of the features past their own thresholds (${by})` },
      drift: features.length > 0 && named.length / features.length >= share,
      named,
    };
  }
  const named = tested.filter((f) => f.datasetTest!.drifted).map((f) => f.feature);
  return {
    rule: {
      kind: 'holm',
      alpha,
      description: `a feature whose p-value (KS; Fisher's exact for binary features), adjusted by Holm across the ${tested.length} features, is at most ${alpha} (${by})`,
    },
    drift: named.length > 0,
    named,
  };
}

function numericDrift(name: string, ref: NumericReference, cur: number[], o: DriftOptions): FeatureDrift {
  // PSI as Evidently bins it (sturges edges over reference and current together, or one bin per
  // value for 20 distinct reference values or fewer), on the stored reference sample
  const { bins, reference: refShares, current: curShares } = evidentlyShares(ref.sample, cur);
  return testFeature(name, 'numeric', ref, cur, { psi: psi(refShares, curShares), bins, reference: refShares, current: curShares }, o);
}

function binaryDrift(name: string, ref: NumericReference, cur: number[], o: DriftOptions): FeatureDrift {
  const p1 = ref.mean;
  const c1 = cur.length ? cur.filter((v) => v >= 0.5).length / cur.length : 0;
  const refShares = [1 - p1, p1];
  const curShares = [1 - c1, c1];
  return testFeature(name, 'binary', ref, cur, { psi: psi(...seenBins(refShares, curShares)), bins: ['0', '1'], reference: refShares, current: curShares }, o);
}

/** token shares of the window, the top-20 reference tokens' chart and the PSI over all tokens (context) */
function tokenChart(ref: TokenReference, rows: number[][]): { chart: Chart; cur: number[] } {
  const counts = new Array<number>(ref.tokenShare.length).fill(0);
  let total = 0;
  for (const r of rows)
    for (const t of r)
      if (t > 0 && t < counts.length) {
        counts[t]++;
        total++;
      }
  const cur = counts.map((c) => c / (total || 1));
  const top = ref.tokenShare
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 20);
  const moved = ref.tokenShare
    .map((s, i) => ({ token: `#${i}`, reference: s, current: cur[i] }))
    .slice(1)
    .sort((a, b) => b.current - b.reference - (a.current - a.reference));
  return {
    cur,
    chart: {
      gained: moved.slice(0, 5).filter((m) => m.current > m.reference),
      lost: moved
        .slice(-5)
        .reverse()
        .filter((m) => m.current < m.reference),
      psi: psi(...seenBins(ref.tokenShare.slice(1), cur.slice(1))),
      bins: top.map(([, i]) => `#${i}`),
      reference: top.map(([s]) => s),
      current: top.map(([, i]) => cur[i]),
    },
  };
}

function tokenDrift(ref: TokenReference, rows: number[][], o: DriftOptions): FeatureDrift {
  const { chart, cur } = tokenChart(ref, rows);
  if (ref.messages)
    return testFeature(
      'token_ids',
      'tokens',
      ref.messages,
      rows.map((r) => messageSurprisal(r, ref.tokenShare)),
      chart,
      o,
    );
  // a reference written before the per-message sample: the Jensen-Shannon distance of token shares
  // (a distance: it does not shrink towards "drift" as the window grows); retraining adds the sample
  const js = jensenShannon(ref.tokenShare, cur);
  const th = o.thresholds?.token_ids ?? 0.1;
  return {
    feature: 'token_ids',
    kind: 'tokens',
    test: 'jensen_shannon',
    sampleUnit: 'token position',
    reason: 'this reference has no per-message sample (trained before it existed): Jensen-Shannon distance of token shares; retrain for the per-message test',
    chosenBy: 'auto',
    decidedBy: 'statistic',
    statistic: js,
    threshold: th,
    drifted: js >= th,
    ...chart,
  };
}

/** the minimum window of a model: its own setting, else the global one, else DEFAULT_MIN_WINDOW */
export function minWindowOf(model: string, o: DriftOptions): number {
  return o.minWindowByModel?.[model] ?? o.minWindow ?? DEFAULT_MIN_WINDOW;
}

/** an earlier window of live traffic as a reference, in the training reference's form (the family's) */
export function windowReference(
  version: ModelVersion,
  training: Record<string, FeatureReference>,
  records: PredictionRecord[],
): Record<string, FeatureReference> {
  return familyOf(version.kind).windowReference(training, records);
}

/** which reference a report compares with (ReferenceInfo in the report) */
export interface ReferenceChoice {
  kind: 'training' | 'window';
  rows: number;
  from?: string | null;
  to?: string | null;
  /** the reference's predictions labelled spam, of `n` (absent: the version's held-out rows, heldOutPredictedSpam) */
  predicted?: { spam: number; n: number };
}

/**
 * What the version predicted on its held-out rows at the threshold it serves with: the share a
 * window's predictions are compared with. It was the training labels' share, against which a
 * model that misses some spam "drifted" on traffic drawn from its own training data (a hostile
 * probe: v1, recall 0.42, p = 6e-15 on 600 messages of the dataset). A threshold chosen on the
 * same rows gives its own count (from its recall and precision); else the count at 0.5.
 */
export function heldOutPredictedSpam(v: ModelVersion): { spam: number; n: number } {
  // a record without held-out figures: its training labels, as before
  if (!v.metrics?.confusion) return { spam: v.data.classBalance.spam, n: v.data.classBalance.spam + v.data.classBalance.ham };
  const [[tn, fp], [fn, tp]] = v.metrics.confusion;
  const n = tn + fp + fn + tp;
  const t = v.threshold;
  if (t && t.value !== DEFAULT_THRESHOLD && t.messages === n && t.precision > 0) return { spam: Math.round((t.recall * (fn + tp)) / t.precision), n };
  return { spam: fp + tp, n };
}

export function computeDrift(
  version: ModelVersion,
  reference: Record<string, FeatureReference>,
  records: PredictionRecord[],
  feedback: Map<string, string>,
  o: DriftOptions = {},
  refChoice: ReferenceChoice = { kind: 'training', rows: version.data.trainRows },
  selection?: string,
): DriftReport {
  const features: FeatureDrift[] = [];
  const minWindow = minWindowOf(version.name, o);
  const collecting = records.length < minWindow || (refChoice.kind === 'window' && refChoice.rows < minWindow);
  if (!collecting) {
    // the family says which features and computes their values from the predictions' inputs;
    // the tests per kind of feature are chosen here
    for (const d of familyOf(version.kind).driftInputs(reference, records)) {
      if (d.kind === 'tokens') features.push(tokenDrift(d.reference, d.rows, o));
      else if (d.kind === 'binary') features.push(binaryDrift(d.feature, d.reference, d.current, o));
      else features.push(numericDrift(d.feature, d.reference, d.current, o));
    }
  }
  // ---- the statistics above are per family (which features); the verdict below is common ----
  const drifting = features.filter((f) => f.drifted).length;
  const driftShare = features.length ? drifting / features.length : 0;
  const { rule, drift: datasetDrift, named } = datasetRule(features, o, familyOf(version.kind).datasetDriftRule);
  const own = `${drifting} of ${features.length} features past their own thresholds`;
  const ref = refChoice.predicted ?? heldOutPredictedSpam(version);
  const refSpam = ref.n ? ref.spam / ref.n : 0;
  const curSpamN = records.filter((r) => r.label === 'spam').length;
  const curSpam = records.length ? curSpamN / records.length : 0;
  // no verdict below the minimum window, as for the features
  const pz = records.length && ref.n && !collecting ? zTestProportions(refSpam, ref.n, curSpam, records.length).pValue : 1;
  let quality: DriftReport['quality'];
  const labelled = records.filter((r) => r.sms_id && feedback.has(r.sms_id));
  if (labelled.length) {
    let tp = 0,
      fp = 0,
      fn = 0,
      tn = 0;
    for (const r of labelled) {
      const truth = feedback.get(r.sms_id!) === 'spam';
      const pred = r.label === 'spam';
      if (pred && truth) tp++;
      else if (pred) fp++;
      else if (truth) fn++;
      else tn++;
    }
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    quality = {
      n: labelled.length,
      accuracy: (tp + tn) / labelled.length,
      precision,
      recall,
      f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
      ci95: {
        accuracy: wilsonInterval(tp + tn, labelled.length),
        precision: wilsonInterval(tp, tp + fp),
        recall: wilsonInterval(tp, tp + fn),
        precisionN: tp + fp,
        recallN: tp + fn,
      },
    };
  }
  const at = new Date().toISOString();
  return {
    id: `${version.name}:${at}`,
    at,
    model: version.name,
    version: version.version,
    window: {
      from: records.length ? new Date(records[records.length - 1].at).toISOString() : null,
      to: records.length ? new Date(records[0].at).toISOString() : null,
      n: records.length,
      ...(selection ? { selection } : {}),
    },
    referenceRows: refChoice.rows,
    reference: {
      ...refChoice,
      description:
        refChoice.kind === 'training'
          ? `training rows of ${version.name} v${version.version} (${refChoice.rows})`
          : `${refChoice.rows} live predictions from ${refChoice.from ?? '-'} to ${refChoice.to ?? '-'}`,
    },
    status: collecting ? 'collecting' : datasetDrift ? 'drift' : 'ok',
    minWindow,
    statusText: collecting
      ? refChoice.kind === 'window' && refChoice.rows < minWindow
        ? `collecting: the reference window holds ${refChoice.rows} of ${minWindow} predictions`
        : `collecting: ${records.length} of ${minWindow} predictions`
      : rule.kind === 'share'
        ? datasetDrift
          ? `dataset drift: ${drifting} of ${features.length} features drifted (${(driftShare * 100).toFixed(0)} %, rule: >= ${((rule.share ?? 0) * 100).toFixed(0)} %)`
          : `no dataset drift: ${drifting} of ${features.length} features drifted`
        : datasetDrift
          ? `dataset drift: ${named.join(', ')} drifted (Holm-adjusted p <= ${rule.alpha}; ${own})`
          : `no dataset drift: no feature's Holm-adjusted p-value is at most ${rule.alpha} (${own})`,
    features,
    driftShare,
    datasetDrift,
    ...(collecting ? {} : { rule }),
    prediction: {
      referenceSpamShare: refSpam,
      currentSpamShare: curSpam,
      pValue: pz,
      drifted: pz < 0.05,
      // predictions both: the version's on its held-out rows (or the reference window's) and the window's
      referenceN: ref.n,
      currentN: records.length,
      referenceCi95: wilsonInterval(ref.spam, ref.n),
      currentCi95: wilsonInterval(curSpamN, records.length),
    },
    quality,
  };
}
