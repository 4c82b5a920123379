/**
 * A feature's distribution over time: its histogram in each of the last N stored drift windows
 * (the windows the reports judged, read back from the recorded predictions) beside the reference's.
 * Numbers are binned as the drift report bins them (Evidently's: Sturges edges, or one bin per
 * value for 20 distinct reference values or fewer), with one set of bins for the reference and
 * every window so that the windows can be read side by side; binary features as 0 and 1; token ids
 * as the reference's most frequent tokens and "other", counted per token position.
 */
import type { DriftReport, FeatureHistograms } from '../../src-shared/monitoring';
import type { ModelVersion } from '../../src-shared/training';
import type { PredictionRecord, PredictionStore } from '../storage';
import { familyOf, type DriftInput, type FeatureReference } from '../models';
import { evidentlyHistograms } from './stats';

/** a feature the model's family does not monitor: answered 400 naming the field, with the known ones */
export class UnknownFeatureError extends Error {
  constructor(
    readonly feature: string,
    readonly known: string[],
  ) {
    super(`no drift feature ${feature} for this model: expected one of ${known.join(', ')}`);
    this.name = 'UnknownFeatureError';
  }
}

/** how many of the reference's most frequent tokens get a bin of their own */
export const TOP_TOKENS = 20;

export interface HistogramJob {
  version: ModelVersion;
  reference: Record<string, FeatureReference>;
  feature: string;
  /** the stored reports whose windows are drawn, oldest first */
  reports: Pick<DriftReport, 'id' | 'at' | 'version' | 'window' | 'status' | 'datasetDrift' | 'features'>[];
}

/** a record with every input a family reads (oov included), to list its features and their kinds */
const PROBE: PredictionRecord = { id: '', at: 0, model: '', version: '', endpoint: '', features: [], spam: 0, label: '', caller: '', oov: 0 };

/** the predictions of a stored report's window, newest first, as the report read them */
async function windowRecords(predictions: Pick<PredictionStore, 'recent'>, model: string, r: HistogramJob['reports'][number]): Promise<PredictionRecord[]> {
  if (!r.window.from || !r.window.to || r.window.n === 0) return [];
  const from = Date.parse(r.window.from);
  const to = Date.parse(r.window.to);
  const rows = await predictions.recent(model, from - 1, 100_000, to + 1);
  return rows.filter((p) => p.version === r.version).slice(0, r.window.n);
}

/** one feature's input in a window, by the family's own drift features (undefined: not in this window) */
function inputOf(version: ModelVersion, reference: Record<string, FeatureReference>, records: PredictionRecord[], feature: string): DriftInput | undefined {
  return familyOf(version.kind)
    .driftInputs(reference, records)
    .find((d) => d.feature === feature);
}

export async function featureHistograms(predictions: Pick<PredictionStore, 'recent'>, job: HistogramJob): Promise<FeatureHistograms> {
  const { version, reference, feature } = job;
  const declared = familyOf(version.kind).driftInputs(reference, [PROBE]);
  const refInput = declared.find((d) => d.feature === feature);
  if (!refInput)
    throw new UnknownFeatureError(
      feature,
      declared.map((d) => d.feature),
    );
  const windows = await Promise.all(job.reports.map((r) => windowRecords(predictions, version.name, r)));
  const inputs = windows.map((records) => inputOf(version, reference, records, feature));
  const kind = refInput.kind;
  let bins: string[];
  let refShares: number[];
  let refRows: number;
  let counts: number[][];
  let binning: string;
  let unit = 'predictions';
  if (refInput.kind === 'tokens') {
    const share = refInput.reference.tokenShare;
    const top = share
      .map((s, t) => [s, t] as const)
      .slice(1)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, TOP_TOKENS)
      .map(([, t]) => t);
    const binOf = new Map(top.map((t, k) => [t, k]));
    bins = [...top.map((t) => `#${t}`), 'other'];
    const topShares = top.map((t) => share[t]);
    refShares = [...topShares, Math.max(0, 1 - topShares.reduce((a, b) => a + b, 0))];
    refRows = refInput.reference.count;
    counts = inputs.map((input) => {
      const c = new Array<number>(bins.length).fill(0);
      if (input?.kind !== 'tokens') return c;
      for (const row of input.rows) for (const t of row) if (t > 0 && t < share.length) c[binOf.get(t) ?? top.length]++;
      return c;
    });
    binning = `the reference's ${top.length} most frequent tokens, the rest as "other" (token ids 1 to ${share.length - 1}; padding left out)`;
    unit = 'token positions';
  } else if (refInput.kind === 'binary') {
    bins = ['0', '1'];
    refShares = [1 - refInput.reference.mean, refInput.reference.mean];
    refRows = refInput.reference.count;
    counts = inputs.map((input) => {
      const values = input && input.kind !== 'tokens' ? input.current : [];
      const ones = values.filter((v) => v >= 0.5).length;
      return [values.length - ones, ones];
    });
    binning = 'a binary feature: 0 and 1 (the reference share of ones over all its rows)';
  } else {
    const ref = refInput.reference;
    const sample = ref.sample;
    const values = inputs.map((input) => (input && input.kind !== 'tokens' ? input.current : []));
    const h = evidentlyHistograms(sample, values);
    bins = h.bins;
    refShares = h.reference.map((c) => c / (sample.length || 1));
    refRows = ref.count;
    counts = h.windows;
    binning =
      new Set(sample).size > 20
        ? "the drift report's: Sturges histogram edges over the reference sample and every window shown"
        : "the drift report's: one bin per value (20 distinct reference values or fewer)";
  }
  return {
    model: version.name,
    version: version.version,
    feature,
    kind,
    binning,
    unit,
    bins,
    reference: { rows: refRows, shares: refShares, description: `training rows of ${version.name} v${version.version} (${refRows})` },
    windows: job.reports.map((r, k) => {
      const total = counts[k].reduce((a, b) => a + b, 0);
      const f = r.features.find((x) => x.feature === feature);
      return {
        reportId: r.id,
        at: r.at,
        version: r.version,
        from: r.window.from,
        to: r.window.to,
        n: windows[k].length,
        status: r.status ?? (r.datasetDrift ? 'drift' : 'ok'),
        ...(f ? { drifted: f.drifted } : {}),
        total,
        counts: counts[k],
        shares: counts[k].map((c) => (total ? c / total : 0)),
      };
    }),
  };
}
