/**
 * A drift report: a model's training reference against a window of served predictions.
 * Per feature the test Evidently would choose (numeric: KS for a small reference, else normed
 * Wasserstein; binary: Z-test for a small reference, else Jensen-Shannon; token ids: chi-square
 * for a small window, else Jensen-Shannon), PSI beside it, dataset drift when at least half of the features drift;
 * prediction drift (share of spam) and, where feedback exists, quality.
 */
import type { ModelVersion } from '../../src-shared/training';
import type { DriftOptions, DriftReport, FeatureDrift } from '../../src-shared/monitoring';
export type { DriftOptions, DriftReport, FeatureDrift } from '../../src-shared/monitoring';
import type { PredictionRecord } from '../storage';
import { familyOf, type FeatureReference, type NumericReference, type TokenReference } from '../models';
import { chiSquareTest, evidentlyShares, jensenShannon, ksTwoSample, psi, wassersteinNormed, zTestProportions } from './stats';

const SMALL_REFERENCE = 1000;
/** below this many tokens in the window, token drift is tested (chi-square), not measured */
const SMALL_WINDOW_TOKENS = 3000;

/** categories seen in either sample: Evidently's PSI has no bin for a value neither has */
function seenBins(refShares: number[], curShares: number[]): [number[], number[]] {
  const keep = refShares.map((r, k) => r > 0 || curShares[k] > 0);
  return [refShares.filter((_, k) => keep[k]), curShares.filter((_, k) => keep[k])];
}

function numericDrift(name: string, ref: NumericReference, cur: number[], o: DriftOptions): FeatureDrift {
  // PSI as Evidently bins it (sturges edges over reference and current together, or one bin per
  // value for 20 distinct reference values or fewer), on the stored reference sample: all the
  // training values up to 1,000 of them, an evenly spaced sample of the sorted values beyond
  const { bins, reference: refShares, current: curShares } = evidentlyShares(ref.sample, cur);
  const base = { feature: name, kind: 'numeric' as const, psi: psi(refShares, curShares), bins, reference: refShares, current: curShares };
  if (ref.count <= SMALL_REFERENCE) {
    const t = ksTwoSample(ref.sample, cur);
    const th = o.thresholds?.[name] ?? 0.05;
    // Evidently's KS test flags drift at p <= threshold (its other tests at p < threshold)
    return { ...base, test: 'ks', statistic: t.statistic, pValue: t.pValue, threshold: th, drifted: t.pValue <= th };
  }
  const w = wassersteinNormed(ref.sample, cur);
  const th = o.thresholds?.[name] ?? 0.1;
  return { ...base, test: 'wasserstein_normed', statistic: w, threshold: th, drifted: w >= th };
}

function binaryDrift(name: string, ref: NumericReference, cur: number[], o: DriftOptions): FeatureDrift {
  const p1 = ref.mean;
  const c1 = cur.length ? cur.filter((v) => v >= 0.5).length / cur.length : 0;
  const refShares = [1 - p1, p1];
  const curShares = [1 - c1, c1];
  const base = {
    feature: name,
    kind: 'binary' as const,
    psi: psi(...seenBins(refShares, curShares)),
    bins: ['0', '1'],
    reference: refShares,
    current: curShares,
  };
  if (ref.count <= SMALL_REFERENCE) {
    const t = zTestProportions(p1, ref.count, c1, cur.length);
    const th = o.thresholds?.[name] ?? 0.05;
    return { ...base, test: 'z_test', statistic: t.statistic, pValue: t.pValue, threshold: th, drifted: t.pValue < th };
  }
  const js = jensenShannon(refShares, curShares);
  const th = o.thresholds?.[name] ?? 0.1;
  return { ...base, test: 'jensen_shannon', statistic: js, threshold: th, drifted: js >= th };
}

function tokenDrift(ref: TokenReference, rows: number[][], o: DriftOptions): FeatureDrift {
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
  const chart = { bins: top.map(([, i]) => `#${i}`), reference: top.map(([s]) => s), current: top.map(([, i]) => cur[i]) };
  const psiValue = psi(...seenBins(ref.tokenShare.slice(1), cur.slice(1)));
  if (total < SMALL_WINDOW_TOKENS) {
    // a small window: a distance over 180 sparse bins is biased upward by sampling alone, so
    // test instead (chi-square, rare tokens pooled so every expected count is at least 5)
    const keep = ref.tokenShare.map((s, i) => i > 0 && s * total >= 5);
    const refP: number[] = [];
    const curC: number[] = [];
    let otherP = 0;
    let otherC = 0;
    ref.tokenShare.forEach((s, i) => {
      if (i === 0) return;
      if (keep[i]) {
        refP.push(s);
        curC.push(counts[i]);
      } else {
        otherP += s;
        otherC += counts[i];
      }
    });
    refP.push(otherP);
    curC.push(otherC);
    const t = chiSquareTest(refP, curC);
    const th = o.thresholds?.token_ids ?? 0.05;
    return {
      feature: 'token_ids',
      kind: 'tokens',
      test: 'chi_square',
      statistic: t.statistic,
      pValue: t.pValue,
      threshold: th,
      drifted: t.pValue < th,
      psi: psiValue,
      ...chart,
    };
  }
  const js = jensenShannon(ref.tokenShare, cur);
  const th = o.thresholds?.token_ids ?? 0.1;
  return { feature: 'token_ids', kind: 'tokens', test: 'jensen_shannon', statistic: js, threshold: th, drifted: js >= th, psi: psiValue, ...chart };
}

export function computeDrift(
  version: ModelVersion,
  reference: Record<string, FeatureReference>,
  records: PredictionRecord[],
  feedback: Map<string, string>,
  o: DriftOptions = {},
): DriftReport {
  const features: FeatureDrift[] = [];
  if (records.length > 0) {
    // the family says which features and computes their values from the predictions' inputs;
    // the tests per kind of feature are chosen here
    for (const d of familyOf(version.kind).driftInputs(reference, records)) {
      if (d.kind === 'tokens') features.push(tokenDrift(d.reference, d.rows, o));
      else if (d.kind === 'binary') features.push(binaryDrift(d.feature, d.reference, d.current, o));
      else features.push(numericDrift(d.feature, d.reference, d.current, o));
    }
  }
  const drifting = features.filter((f) => f.drifted).length;
  const driftShare = features.length ? drifting / features.length : 0;
  const refSpam = version.data.classBalance.spam / (version.data.classBalance.spam + version.data.classBalance.ham || 1);
  const curSpam = records.length ? records.filter((r) => r.label === 'spam').length / records.length : 0;
  const pz = records.length ? zTestProportions(refSpam, version.data.entities, curSpam, records.length).pValue : 1;
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
    },
    referenceRows: version.data.trainRows,
    features,
    driftShare,
    datasetDrift: features.length > 0 && driftShare >= (o.datasetDriftShare ?? 0.5),
    prediction: { referenceSpamShare: refSpam, currentSpamShare: curSpam, pValue: pz, drifted: pz < 0.05 },
    quality,
  };
}
