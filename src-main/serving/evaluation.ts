/**
 * Every version evaluated on the shared evaluation set (dataset/evaluation-set.ts): the labelled
 * messages of the set, each version's own features of their text, its spam scores, and from them
 * the PR and ROC curves, average precision and ROC AUC. The same messages for every version, so
 * versions compare (the Versions table, promotion, the retrain's champion and challenger).
 * Scores are kept per version until the warehouse's message count changes.
 */
import type { LabelledMessageStore } from '../storage';
import type { TokenizerSource } from '../features';
import {
  diffParams,
  type EpochMetrics,
  type EvaluationMetricName,
  type ModelVersion,
  type PromotionCheck,
  type RunRecord,
  type ThresholdBody,
  type VersionComparison,
  type VersionEvaluation,
  type VersionRun,
  type VersionThreshold,
} from '../../src-shared/training';
import { chooseThreshold, computeCurves, pointAtVersion, type Curves, type ThresholdPoint, type ThresholdRule } from '../../src-shared/curves';
import { EVALUATION_SET, inEvaluationSet } from '../dataset';
import { InputError } from '../platform';
import { loadServedModel } from './models';

/** no point of the curve meets the asked target: answered 422, naming the best there is */
export class ThresholdUnreachableError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ThresholdUnreachableError';
  }
}

export interface EvaluationScores {
  set: string;
  /** the set's messages scored (labelled ham or spam) */
  ids: string[];
  labels: Uint8Array;
  scores: Float64Array;
  curves: Curves;
  /** whether the version was trained on some of these messages: false, true, or unknown (registered before the set) */
  trainedOn: boolean | 'unknown';
}

export interface VersionEvaluationsDeps {
  labelled: LabelledMessageStore;
  tokenizers: TokenizerSource;
}

/** yields to the event loop between batches: a large set never holds a request up for long */
const BATCH = 256;
const yieldLoop = () => new Promise<void>((r) => setImmediate(r));

export class VersionEvaluations {
  private readonly cache = new Map<string, Promise<EvaluationScores>>();
  private set: Promise<{ count: number; ids: string[]; texts: string[]; labels: Uint8Array }> | undefined;
  private setCount = -1;

  constructor(private readonly deps: VersionEvaluationsDeps) {}

  /** the set's labelled messages, read again when the warehouse's count changes */
  private async messages(): Promise<{ ids: string[]; texts: string[]; labels: Uint8Array }> {
    const count = await this.deps.labelled.count();
    if (!this.set || count !== this.setCount) {
      this.setCount = count;
      this.cache.clear();
      this.set = (async () => {
        const ids: string[] = [];
        const texts: string[] = [];
        const labels: number[] = [];
        for await (const batch of this.deps.labelled.scan({ batchSize: 5000, ordered: true }))
          for (const m of batch)
            if ((m.label === 'spam' || m.label === 'ham') && inEvaluationSet(m.sms_id)) {
              ids.push(m.sms_id);
              texts.push(m.text);
              labels.push(m.label === 'spam' ? 1 : 0);
            }
        return { count, ids, texts, labels: Uint8Array.from(labels) };
      })();
      this.set.catch(() => {
        this.set = undefined;
      });
    }
    return this.set;
  }

  /** the version's scores and curves on the shared evaluation set */
  async evaluate(v: ModelVersion): Promise<EvaluationScores> {
    const set = await this.messages();
    const key = `${v.name}\u0000${v.version}\u0000${v.runId}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.score(v, set);
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  private async score(v: ModelVersion, set: { ids: string[]; texts: string[]; labels: Uint8Array }): Promise<EvaluationScores> {
    const model = loadServedModel(v, this.deps.tokenizers);
    const scores = new Float64Array(set.ids.length);
    for (let i = 0; i < set.texts.length; i += BATCH) {
      const rows = set.texts.slice(i, i + BATCH).map((t) => model.textToFeatures(t));
      const ps = model.predict(rows);
      for (let j = 0; j < ps.length; j++) scores[i + j] = ps[j].spam;
      await yieldLoop();
    }
    const e = v.data?.evaluation;
    const trainedOn: EvaluationScores['trainedOn'] = e ? (e.set === EVALUATION_SET ? e.trainedOn : true) : 'unknown';
    return { set: EVALUATION_SET, ids: set.ids, labels: set.labels, scores, curves: computeCurves(set.labels, scores), trainedOn };
  }
}

/** at most `max` of the indices 0..n-1, evenly spread, the last kept */
function spread(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out = Array.from({ length: max - 1 }, (_, i) => Math.floor((i * (n - 1)) / (max - 1)));
  out.push(n - 1);
  return out;
}

const at = (p: ThresholdPoint, n: number) => ({
  threshold: p.threshold,
  precision: p.precision,
  recall: p.recall,
  f1: p.f1,
  accuracy: n ? (p.tp + p.tn) / n : 0,
  confusion: [
    [p.tn, p.fp],
    [p.fn, p.tp],
  ],
});

/** the evaluation as the API answers it: curves thinned for drawing, numbers at the version's threshold and at 0.5 */
export function describeEvaluation(v: ModelVersion, e: EvaluationScores): VersionEvaluation {
  const c = e.curves;
  const pr = spread(c.pr.recall.length, 200);
  const roc = spread(c.roc.fpr.length, 200);
  return {
    name: v.name,
    version: v.version,
    set: e.set,
    messages: c.n,
    spam: c.positives,
    trainedOn: e.trainedOn,
    averagePrecision: c.averagePrecision,
    rocAuc: c.rocAuc,
    atThreshold: at(pointAtVersion(c, v.threshold?.value), c.n),
    atDefault: at(pointAtVersion(c, undefined), c.n),
    pr: {
      precision: pr.map((i) => c.pr.precision[i]),
      recall: pr.map((i) => c.pr.recall[i]),
      thresholds: pr.filter((i) => i < c.pr.thresholds.length).map((i) => c.pr.thresholds[i]),
    },
    roc: { fpr: roc.map((i) => c.roc.fpr[i]), tpr: roc.map((i) => c.roc.tpr[i]) },
    ...(v.threshold ? { threshold: v.threshold } : {}),
  };
}

/** the rule a threshold request names: exactly one of precision, recall, f1, threshold */
export function thresholdRule(body: ThresholdBody): ThresholdRule {
  const given = (['precision', 'recall', 'f1', 'threshold'] as const).filter((k) => body[k] !== undefined);
  if (given.length !== 1)
    throw new InputError(
      given.length ? given.join(', ') : 'body',
      `choose the threshold one way: precision (a target precision), recall (a target recall), f1: true (the best F1) or threshold (a value); got ${given.length ? given.join(' and ') : 'none'}`,
    );
  if (body.precision !== undefined) return { by: 'precision', target: body.precision };
  if (body.recall !== undefined) return { by: 'recall', target: body.recall };
  if (body.f1) return { by: 'f1' };
  return { by: 'fixed', threshold: body.threshold! };
}

/** the threshold a rule picks on the version's evaluation, ready to store; ThresholdUnreachableError when none meets it */
export function pickThreshold(e: EvaluationScores, rule: ThresholdRule, note?: string): VersionThreshold {
  const c = e.curves;
  const p = chooseThreshold(c, rule);
  if (!p) {
    const field = rule.by === 'precision' || rule.by === 'recall' ? rule.by : 'body';
    const best = rule.by === 'precision' ? Math.max(...c.points.filter((q) => q.tp > 0).map((q) => q.precision), 0) : 1;
    throw new ThresholdUnreachableError(
      field,
      `${field}: no threshold reaches ${rule.by === 'precision' || rule.by === 'recall' ? rule.target : '?'} on the evaluation set (${c.n} messages, ${c.positives} spam); the best ${field} is ${best.toFixed(4)}`,
    );
  }
  return {
    value: p.threshold,
    rule,
    setAt: new Date().toISOString(),
    ...(note ? { note } : {}),
    set: e.set,
    messages: c.n,
    precision: p.precision,
    recall: p.recall,
    f1: p.f1,
  };
}

export type PromotionMetric = 'f1' | 'averagePrecision' | 'rocAuc' | 'accuracy';

/** a version's value of the metric on the evaluation set (precision, recall, F1 and accuracy at its own threshold) */
export function metricOf(v: ModelVersion, e: EvaluationScores, metric: EvaluationMetricName): number {
  if (metric === 'averagePrecision') return e.curves.averagePrecision;
  if (metric === 'rocAuc') return e.curves.rocAuc;
  const p = pointAtVersion(e.curves, v.threshold?.value);
  if (metric === 'precision') return p.precision;
  if (metric === 'recall') return p.recall;
  return metric === 'f1' ? p.f1 : e.curves.n ? (p.tp + p.tn) / e.curves.n : 0;
}

/** what a comparison shows of one version: the version, its scores on the shared set, its run as it is now */
export interface ComparedVersion {
  version: ModelVersion;
  scores: EvaluationScores;
  run: VersionRun;
  epochs: EpochMetrics[];
}

/** what a comparison reads: the registered versions, their scores, their runs (name, tags, epochs) */
export interface CompareDeps {
  models: { get(name: string, version: string): Promise<ModelVersion> };
  evaluations: Pick<VersionEvaluations, 'evaluate'>;
  runs: { find(id: string): Pick<RunRecord, 'id' | 'name' | 'tags' | 'history'> | undefined };
}

/**
 * 2 to 4 registered versions of a model compared (the API's GET /models/{name}/compare and `spamops
 * models compare`): a version asked twice or a count outside 2-4 is an InputError on `versions`; one
 * that is not registered, VersionNotFoundError.
 */
export async function compareRegistered(deps: CompareDeps, name: string, versions: string[]): Promise<VersionComparison> {
  const asked = versions.map((x) => (/^[0-9]{1,6}$/.test(x) ? String(Number(x)) : x));
  const bad = asked.find((x) => !/^[0-9]{1,6}$/.test(x));
  if (bad !== undefined) throw new InputError('versions', `versions: expected version numbers, got "${bad}"`);
  if (asked.length < 2 || asked.length > 4) throw new InputError('versions', `versions: expected 2 to 4 versions, got ${asked.length}`);
  const twice = asked.find((x, i) => asked.indexOf(x) !== i);
  if (twice) throw new InputError('versions', `versions: each version once, got ${twice} twice`);
  const chosen: ComparedVersion[] = [];
  for (const n of asked) {
    const version = await deps.models.get(name, n);
    const r = deps.runs.find(version.runId);
    chosen.push({
      version,
      scores: await deps.evaluations.evaluate(version),
      run: { id: version.runId, ...(r?.name ? { name: r.name } : {}), tags: r?.tags ?? [] },
      epochs: r?.history.epochs ?? [],
    });
  }
  return compareVersions(name, chosen);
}

/** versions of one model side by side on the shared evaluation set: metrics, PR curves (thinned), parameters with differences marked */
export function compareVersions(name: string, chosen: ComparedVersion[]): VersionComparison {
  const first = chosen[0].scores;
  return {
    name,
    set: first.set,
    messages: first.curves.n,
    versions: chosen.map(({ version: v, scores: e, run, epochs }) => {
      const pr = spread(e.curves.pr.recall.length, 200);
      return {
        version: v.version,
        createdAt: v.createdAt,
        aliases: v.aliases,
        run,
        metrics: {
          accuracy: metricOf(v, e, 'accuracy'),
          precision: metricOf(v, e, 'precision'),
          recall: metricOf(v, e, 'recall'),
          f1: metricOf(v, e, 'f1'),
          averagePrecision: e.curves.averagePrecision,
          rocAuc: e.curves.rocAuc,
          threshold: v.threshold?.value ?? 0.5,
        },
        pr: { precision: pr.map((i) => e.curves.pr.precision[i]), recall: pr.map((i) => e.curves.pr.recall[i]) },
        epochs,
      };
    }),
    params: diffParams(chosen.map((c) => c.version.params)),
  };
}

/** the candidate beside the alias's holder on the shared evaluation set: worse when its value is lower */
export async function promotionCheck(
  evaluations: VersionEvaluations,
  candidate: ModelVersion,
  holder: ModelVersion | undefined,
  alias: string,
  metric: PromotionMetric,
): Promise<PromotionCheck> {
  const ce = await evaluations.evaluate(candidate);
  const c = metricOf(candidate, ce, metric);
  const he = holder && holder.version !== candidate.version ? await evaluations.evaluate(holder) : undefined;
  const h = holder && he ? metricOf(holder, he, metric) : undefined;
  return {
    name: candidate.name,
    alias,
    metric,
    candidate: { version: candidate.version, value: c, trainedOn: ce.trainedOn },
    holder: holder && he && h !== undefined ? { version: holder.version, value: h, trainedOn: he.trainedOn } : null,
    worse: h !== undefined && c < h,
    flattered: ce.trainedOn === true,
    set: ce.set,
    messages: ce.curves.n,
  };
}

/**
 * a guarded promotion refused: the candidate was trained on the evaluation set it is judged on,
 * so its figures flatter it (a version trained with `trainOnEvaluation`, or on a random split)
 */
export class FlatteredCandidateError extends Error {
  constructor(readonly check: PromotionCheck) {
    super(
      `${check.name} version ${check.candidate.version} was trained on the evaluation set ${check.set} it is judged on: its ${check.metric} ` +
        `${check.candidate.value.toFixed(4)} flatters it${check.holder ? ` against version ${check.holder.version}'s ${check.holder.value.toFixed(4)}` : ''}; ` +
        'train it on the shared split (without trainOnEvaluation, not a random split) for a fair comparison, or confirm to promote it anyway',
    );
    this.name = 'FlatteredCandidateError';
  }
}

/** a guarded promotion refused: the candidate is worse than the holder on the chosen metric */
export class WorseThanHolderError extends Error {
  constructor(readonly check: PromotionCheck) {
    super(
      `${check.name} version ${check.candidate.version} is worse than version ${check.holder?.version} (${check.alias}) on ${check.metric}: ` +
        `${check.candidate.value.toFixed(4)} against ${check.holder?.value.toFixed(4)} on ${check.messages} messages of ${check.set}; confirm to promote it anyway`,
    );
    this.name = 'WorseThanHolderError';
  }
}

/** what a guarded promotion needs of the registry */
export interface PromotionRegistry {
  get(name: string, version: string): Promise<ModelVersion>;
  list(name: string): Promise<ModelVersion[]>;
  setAlias(name: string, alias: string, version: string, note?: string, o?: { expect?: string | null }): Promise<unknown>;
}

/**
 * Points an alias at a version. With `guard` (a metric), the candidate is first judged beside the
 * alias's holder on the shared evaluation set and refused (WorseThanHolderError) when worse,
 * unless `confirm`. The API's POST /models/{name}/aliases and `spamops models promote` share it.
 */
export async function promote(
  registry: PromotionRegistry,
  evaluations: VersionEvaluations,
  name: string,
  alias: string,
  version: string,
  o: { guard?: PromotionMetric; confirm?: boolean; note?: string } = {},
): Promise<{ version: ModelVersion; check: PromotionCheck | null }> {
  let check: PromotionCheck | null = null;
  if (o.guard) {
    const holder = (await registry.list(name)).find((v) => v.aliases.includes(alias));
    check = await promotionCheck(evaluations, await registry.get(name, version), holder, alias, o.guard);
    if (check.flattered && !o.confirm) throw new FlatteredCandidateError(check);
    if (check.worse && !o.confirm) throw new WorseThanHolderError(check);
    // judged against this holder: moved only if it still holds the alias (AliasMovedError), so a
    // promotion made while this one's check ran is never undone by it
    await registry.setAlias(name, alias, version, o.note, { expect: holder?.version ?? null });
  } else await registry.setAlias(name, alias, version, o.note);
  return { version: await registry.get(name, version), check };
}
