/**
 * Drift quality on the full dataset (a quality measure, not a speed one): how often a report
 * raises dataset drift on traffic like the reference (false alarms), on YouTube comments only
 * (detection), and how soon after a switch to YouTube comments (delay). Seeded; run alone with
 * `npx tsx bench/drift.ts [seed]` or as rows of `npm run bench`.
 *
 * Set-up: the 7,528 messages (SMS + YouTube) shuffled with the seed and split in halves; the first
 * half is the reference (as a model's training rows: forest features v1, or a tokenizer fitted on
 * it for the LSTM features), the second half is held out. False alarms: 200 windows of 300
 * held-out messages drawn at random (the same mix). Detection: 200 windows of 300 held-out
 * YouTube comments. Delay: a replay of 900 held-out mixed messages, then held-out YouTube comments;
 * a report over the last 300 every 25 messages; the delay is the number of messages after the
 * switch until the first drift verdict. Each candidate rule is measured on the same reports: Holm's
 * correction at a family-wise level (the default rule: DEFAULT_DATASET_DRIFT_ALPHA) and the older
 * "at least k of n features past their own thresholds"; the share of windows in which each feature
 * drifts says which features raise the false alarms.
 */
import { readFileSync } from 'node:fs';
import { parseDataset } from '../src-main/dataset';
import { extractV1, KerasTokenizer } from '../src-main/features';
import { computeDrift } from '../src-main/monitoring';
import type { DriftReport } from '../src-shared/monitoring';
import type { PredictionRecord } from '../src-main/storage';
import { familyOf, numericReference, Rng, tokenReference, type FeatureReference } from '../src-main/models';
import type { ModelVersion } from '../src-shared/training';
import { fullDatasetPath } from '../src-main/scratch';

export const DRIFT_BENCH_SEED = 20261204;
const WINDOW = 300;
const WINDOWS = 200;

interface Msg {
  sms_id: string;
  text: string;
  label: string;
  youtube: boolean;
}

function shuffle<T>(xs: T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function draw<T>(xs: T[], n: number, rng: Rng): T[] {
  return shuffle(xs, rng).slice(0, n);
}

interface Family {
  name: 'forest (v1 features)' | 'LSTM (token ids, length, oov_rate)';
  version: ModelVersion;
  reference: Record<string, FeatureReference>;
  record: (m: Msg, i: number) => PredictionRecord;
}

function families(reference: Msg[]): Family[] {
  const spam = reference.filter((m) => m.label === 'spam').length;
  const data = { trainRows: reference.length, entities: reference.length, classBalance: { spam, ham: reference.length - spam } };
  const base = (kind: ModelVersion['kind'], name: string) => ({ name, version: '1', kind, data }) as unknown as ModelVersion;
  const rec = (model: string, m: Msg, i: number, features: number[], oov?: number): PredictionRecord => ({
    id: `${model}-${i}`,
    at: 1_700_000_000_000 - i, // newest first, as the store answers
    model,
    version: '1',
    endpoint: 'bench',
    features,
    spam: m.label === 'spam' ? 1 : 0,
    label: m.label,
    caller: 'bench',
    sms_id: m.sms_id,
    ...(oov !== undefined ? { oov } : {}),
  });
  const v1 = reference.map((m) => Object.values(extractV1(m.text)));
  const names = Object.keys(extractV1('x'));
  const forestRef: Record<string, FeatureReference> = {};
  names.forEach((n, j) => {
    forestRef[n] = numericReference(v1.map((r) => r[j]));
  });
  const tok = KerasTokenizer.fit(reference.map((m) => m.text));
  const rows = reference.map((m) => tok.encode(m.text));
  const lstmRef: Record<string, FeatureReference> = {
    features: tokenReference(rows, 180),
    length: numericReference(rows.map((r) => r.filter((t) => t > 0).length)),
    oov_rate: numericReference(reference.map((m) => tok.outOfVocabularyRate(m.text))),
  };
  return [
    {
      name: 'forest (v1 features)',
      version: base('random-forest', 'bench-v1'),
      reference: forestRef,
      record: (m, i) => rec('bench-v1', m, i, Object.values(extractV1(m.text))),
    },
    {
      name: 'LSTM (token ids, length, oov_rate)',
      version: base('lstm', 'bench-v3'),
      reference: lstmRef,
      record: (m, i) => rec('bench-v3', m, i, tok.encode(m.text), tok.outOfVocabularyRate(m.text)),
    },
  ];
}

export interface DriftQuality {
  family: string;
  /** 'holm 0.01' (family-wise level) or 'share 2/9' */
  rule: string;
  falseAlarms: number;
  detection: number;
  /** messages after the switch until the first drift verdict (-1: none) */
  delay: number;
  features: number;
}

/** what a candidate rule needs of a report: the share of features past their own thresholds, the smallest Holm-adjusted p-value */
interface Outcome {
  share: number;
  minAdjusted: number;
}
const outcome = (r: DriftReport): Outcome => ({ share: r.driftShare, minAdjusted: Math.min(1, ...r.features.map((x) => x.datasetTest?.adjustedPValue ?? 1)) });

/** each window's report, per family (the candidate rules are applied afterwards) */
export function driftQuality(path: string, seed = DRIFT_BENCH_SEED): { results: DriftQuality[]; lines: string[] } {
  const parsed = parseDataset(readFileSync(path, 'utf8'), path);
  // ids run from sms10001 in file order; the YouTube comments start at sms15573 (README: Data)
  const msgs: Msg[] = parsed.rows.map((r) => ({ sms_id: r.sms_id, text: r.text, label: r.label, youtube: Number(r.sms_id.slice(3)) >= 15573 }));
  const rng = new Rng(seed);
  const all = shuffle(msgs, rng);
  const half = Math.floor(all.length / 2);
  const reference = all.slice(0, half);
  const heldOut = all.slice(half);
  const heldYt = heldOut.filter((m) => m.youtube);
  const heldMix = heldOut;
  const fams = families(reference);
  const lines = [
    `seed ${seed}: ${msgs.length} messages (${msgs.filter((m) => m.youtube).length} YouTube), reference ${reference.length} (${reference.filter((m) => m.youtube).length} YouTube), held out ${heldOut.length} (${heldYt.length} YouTube)`,
  ];
  const o = { minWindow: 1 };
  const share = (f: Family, ms: Msg[]) => computeDrift(f.version, f.reference, ms.map(f.record), new Map(), o);
  const per = fams.map((f) => {
    const wrng = new Rng(seed + 1);
    const faReports = Array.from({ length: WINDOWS }, () => share(f, draw(heldMix, WINDOW, wrng)));
    const detReports = Array.from({ length: WINDOWS }, () => share(f, draw(heldYt, WINDOW, wrng)));
    const fa = faReports.map(outcome);
    const det = detReports.map(outcome);
    // which features drift, each by itself, in the windows like the reference (false alarms) and in the YouTube ones
    const rate = (rs: DriftReport[], name: string, by: (x: DriftReport['features'][number]) => boolean | undefined) =>
      `${((rs.filter((r) => r.features.some((x) => x.feature === name && by(x))).length / rs.length) * 100).toFixed(1)}`;
    lines.push(
      `${f.name}: share of windows in which each feature is past its own threshold, like the reference / YouTube only: ${faReports[0].features
        .map((x) => `${x.feature} (${x.test}) ${rate(faReports, x.feature, (y) => y.drifted)} / ${rate(detReports, x.feature, (y) => y.drifted)} %`)
        .join(', ')}`,
    );
    lines.push(
      `${f.name}: same, the rule's test at p <= 0.05 unadjusted: ${faReports[0].features
        .map(
          (x) =>
            `${x.feature} (${x.datasetTest?.test}) ${rate(faReports, x.feature, (y) => (y.datasetTest?.pValue ?? 1) <= 0.05)} / ${rate(detReports, x.feature, (y) => (y.datasetTest?.pValue ?? 1) <= 0.05)} %`,
        )
        .join(', ')}`,
    );
    // the replay: 900 mixed, then YouTube only; a report over the last 300 every 25 messages
    const replayMix = draw(heldMix, 900, wrng);
    const replayYt = draw(heldYt, 600, wrng);
    const stream = [...replayMix, ...replayYt];
    const replay: ({ at: number } & Outcome)[] = [];
    for (let end = WINDOW; end <= stream.length; end += 25) replay.push({ at: end, ...outcome(share(f, stream.slice(end - WINDOW, end).reverse())) });
    const nFeatures = share(f, heldMix.slice(0, WINDOW)).features.length;
    const perFeature = share(f, heldYt.slice(0, WINDOW)).features.map((x) => `${x.feature} ${x.test} ${x.statistic.toFixed(3)}${x.drifted ? '*' : ''}`);
    lines.push(`${f.name}: one YouTube window: ${perFeature.join(', ')}`);
    return { f, fa, det, replay, nFeatures, switchAt: replayMix.length };
  });
  const results: DriftQuality[] = [];
  for (const p of per) {
    // the candidate rules: Holm at a family-wise level, or k of n features past their own thresholds
    const rules: { name: string; drift: (o: Outcome) => boolean }[] = [
      ...[0.05, 0.02, 0.01, 0.001].map((alpha) => ({ name: `holm ${alpha}`, drift: (o: Outcome) => o.minAdjusted <= alpha })),
      ...Array.from({ length: p.nFeatures }, (_, i) => ({
        name: `share ${i + 1}/${p.nFeatures}`,
        drift: (o: Outcome) => o.share >= (i + 1) / p.nFeatures - 1e-12,
      })),
    ];
    for (const rule of rules) {
      const falseAlarms = p.fa.filter(rule.drift).length / p.fa.length;
      const detection = p.det.filter(rule.drift).length / p.det.length;
      const first = p.replay.find((r) => r.at > p.switchAt && rule.drift(r));
      const beforeSwitch = p.replay.filter((r) => r.at <= p.switchAt && rule.drift(r)).length;
      results.push({ family: p.f.name, rule: rule.name, falseAlarms, detection, delay: first ? first.at - p.switchAt : -1, features: p.nFeatures });
      lines.push(
        `${p.f.name}: rule ${rule.name}: false alarms ${(falseAlarms * 100).toFixed(1)} % of ${p.fa.length}, detection ${(detection * 100).toFixed(1)} % of ${p.det.length}, delay ${first ? `${first.at - p.switchAt} messages` : 'none'} (${beforeSwitch} drift verdicts before the switch)`,
      );
    }
  }
  return { results, lines };
}

/** the bench rows: the three figures per family at its default dataset-drift rule (ModelFamily.datasetDriftRule) */
export function driftQualityRows(
  path: string,
  seed = DRIFT_BENCH_SEED,
): { name: string; value: number; unit: string; target: string; ok: boolean; note?: string }[] {
  const { results } = driftQuality(path, seed);
  return (['random-forest', 'lstm'] as const).flatMap((kind) => {
    const family = kind === 'lstm' ? 'LSTM (token ids, length, oov_rate)' : 'forest (v1 features)';
    const rule = familyOf(kind).datasetDriftRule;
    const n = results.find((x) => x.family === family)!.features;
    const name = rule.kind === 'holm' ? `holm ${rule.alpha}` : `share ${Math.ceil(rule.share * n - 1e-9)}/${n}`;
    const r = results.find((x) => x.family === family && x.rule === name)!;
    const note =
      rule.kind === 'holm'
        ? `seed ${seed}, rule: a feature's Holm-adjusted p-value <= ${rule.alpha} (of ${n})`
        : `seed ${seed}, rule >= ${Math.ceil(rule.share * n - 1e-9)} of ${n} features past their own thresholds`;
    return [
      {
        name: `drift, ${family}: false alarms, 200 windows of 300 held-out mixed messages`,
        value: r.falseAlarms * 100,
        unit: '%',
        target: '<= 5 %',
        ok: r.falseAlarms <= 0.05,
        note,
      },
      { name: `  same: detection, 200 windows of 300 YouTube comments`, value: r.detection * 100, unit: '%', target: '>= 95 %', ok: r.detection >= 0.95, note },
      {
        name: `  same: delay after a switch to YouTube only (a report every 25 messages)`,
        value: r.delay,
        unit: 'messages',
        target: '<= 300 (one window)',
        ok: r.delay >= 0 && r.delay <= 300,
        note,
      },
    ];
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = fullDatasetPath();
  if (!path) throw new Error('the full dataset is not there: set SPAMOPS_DATASET');
  const seed = process.argv[2] ? Number(process.argv[2]) : DRIFT_BENCH_SEED;
  for (const l of driftQuality(path, seed).lines) console.log(l);
  for (const r of driftQualityRows(path, seed)) console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit} (target ${r.target}) ${r.ok ? 'ok' : 'MISSED'}`);
}
