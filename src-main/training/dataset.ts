/**
 * Training data from the feature store, as the seed's notebooks got it: the training ids at a
 * time freeze, features and labels by point-in-time retrieval through a feature service, then a
 * seeded train/test split.
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { FeatureStore } from '../featurestore';
import type { LabelledMessageStore } from '../storage';
import type { DataSnapshot, RunRecord } from '../../src-shared/training';
import type { FeatureValue } from '../../src-shared/featurestore';
import { parseTimestamp } from '../featurestore';
import { compileUserPattern } from '../platform';
import { EVALUATION_SET, inEvaluationSet, readTrainingIds } from '../dataset';
import { FEATURES_V1 } from '../features';
import { Rng, type TrainingSet } from '../models';
import { LABELS } from '../../src-shared/model-specs';

export class TrainingDataError extends Error {}

/** Where training data comes from: the feature store, the warehouse's ids, the seed's training ids file. */
export interface TrainingDataSource {
  features: FeatureStore;
  labelled: LabelledMessageStore;
  /** one sms_id per line; all labelled ids when absent */
  trainingIdsPath?: string;
}

/** a typed array that grows by doubling (rows arrive in chunks of unknown total) */
class Grow<T extends Float64Array | Int32Array> {
  n = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  reserve(extra: number): void {
    if (this.n + extra <= this.data.length) return;
    const next = this.make(this.n === 0 ? extra : Math.max(this.n + extra, this.data.length * 2));
    next.set(this.data.subarray(0, this.n));
    this.data = next;
  }
  done(): T {
    return this.data.subarray(0, this.n) as T;
  }
}

/** the training entities' ids, in batches: given ids, the seed's ids file, or every id of the warehouse */
async function* entityIds(src: TrainingDataSource, p: RunRecord['params']): AsyncGenerator<string[]> {
  const re = p.entityIdPattern ? compileUserPattern(p.entityIdPattern, 'params.entityIdPattern') : undefined;
  const pick = (ids: string[]) => (re ? ids.filter((id) => re.test(id)) : ids);
  if (p.entityIds) yield pick(p.entityIds);
  else if (src.trainingIdsPath && existsSync(src.trainingIdsPath)) yield pick(readTrainingIds(src.trainingIdsPath));
  else for await (const batch of src.labelled.scanIds()) yield pick(batch);
  // ids added to whichever set (the feedback labels of inbox messages a retrain learns from)
  if (p.extraEntityIds?.length) yield p.extraEntityIds;
}

/**
 * The training set, streamed from the feature store into typed arrays: v1's features as columns,
 * the LSTMs' token ids as one row-major array; no object per row, no text unless `keepIds`.
 */
export async function loadTrainingSet(src: TrainingDataSource, p: RunRecord['params'], o: { keepIds?: boolean } = {}): Promise<TrainingSet> {
  const fs = src.features;
  const freeze = parseTimestamp(p.timeFreeze, 'params.timeFreeze');
  const refs = await fs.resolveRefs({ feature_service: p.featureService });
  const labelRef = refs.find((r) => r.field.name === 'label');
  if (!labelRef) throw new TrainingDataError(`feature service ${p.featureService} has no label feature`);
  const featureRefs = refs.filter((r) => r !== labelRef);
  const isTokens = featureRefs.length === 1 && featureRefs[0].field.dtype === 'Array(Int64)';
  if (!isTokens && featureRefs.some((r) => r.field.dtype === 'String' || r.field.dtype === 'Array(Int64)'))
    throw new TrainingDataError(`feature service ${p.featureService}: a model trains on numbers or on one list of token ids`);
  const width = isTokens ? (featureRefs[0].field.length ?? 0) : featureRefs.length;
  if (width === 0) throw new TrainingDataError(`feature service ${p.featureService}: the token ids have no fixed length`);
  if (!isTokens && width === 9 && featureRefs.some((r, i) => r.field.name !== FEATURES_V1[i])) throw new TrainingDataError('unexpected v1 feature order');

  const columns = isTokens ? [] : featureRefs.map(() => new Grow(new Float64Array(1024), (n) => new Float64Array(n)));
  const tokens = new Grow(new Int32Array(isTokens ? 1024 * width : 0), (n) => new Int32Array(n));
  const labels = new Grow(new Int32Array(1024), (n) => new Int32Array(n));
  const ids: string[] | undefined = o.keepIds ? [] : undefined;
  const shared = (p.split ?? 'evaluation-set') === 'evaluation-set';
  const held = new Grow(new Int32Array(1024), (n) => new Int32Array(n));
  const hash = createHash('sha256');
  let entities = 0;
  let dropped = 0;
  const vals: (FeatureValue | undefined)[] = new Array(featureRefs.length);
  for await (const chunk of fs.historicalChunks({ kind: 'keys', batches: entityIds(src, p), at: freeze, unique: true }, [...featureRefs, labelRef], {
    onEntities: (n) => {
      entities = n;
      // the entity count bounds the rows kept: one allocation each, no doubling
      labels.reserve(n);
      for (const c of columns) c.reserve(n);
      if (isTokens) tokens.reserve(n * width);
    },
  })) {
    const labelAt = chunk.columns.indexOf('label');
    const keyAt = 0;
    const featAt = featureRefs.map((r) => chunk.columns.indexOf(r.field.name));
    labels.reserve(chunk.rows);
    for (const c of columns) c.reserve(chunk.rows);
    if (isTokens) tokens.reserve(chunk.rows * width);
    for (let i = 0; i < chunk.rows; i++) {
      const label = chunk.read[labelAt](i);
      const li = typeof label === 'string' ? LABELS.indexOf(label as (typeof LABELS)[number]) : -1;
      let ok = li >= 0;
      for (let f = 0; ok && f < featAt.length; f++) {
        vals[f] = chunk.read[featAt[f]](i);
        if (vals[f] === null || vals[f] === undefined || (isTokens && (vals[f] as number[]).length !== width)) ok = false;
      }
      if (!ok) {
        dropped++;
        continue;
      }
      if (isTokens) {
        tokens.data.set(vals[0] as number[], tokens.n);
        tokens.n += width;
      } else for (let f = 0; f < columns.length; f++) columns[f].data[columns[f].n++] = vals[f] as number;
      labels.data[labels.n++] = li;
      const id = chunk.read[keyAt](i) as string;
      if (shared && inEvaluationSet(id)) {
        held.reserve(1);
        held.data[held.n++] = labels.n - 1;
      }
      hash.update(`${id}\t${LABELS[li]}\n`);
      ids?.push(id);
    }
  }
  if (entities === 0) throw new TrainingDataError('no training entities: import a dataset (spamops import) or check entityIds / entityIdPattern');
  const n = labels.n;
  if (n === 0)
    throw new TrainingDataError(
      p.entityIds?.length
        ? // ids asked for by name that nothing holds: the advice to materialize sent people the wrong way
          `none of the ${p.entityIds.length.toLocaleString('en')} entityIds asked for has features and a label at the time freeze ${p.timeFreeze} through ${p.featureService}: check the ids (the warehouse's sms_id, e.g. ${JSON.stringify(p.entityIds[0])}) or move the time freeze later`
        : `no rows with features and labels at the time freeze ${p.timeFreeze} through ${p.featureService} (${dropped} entities had none): materialize offline sources (spamops bootstrap) or move the time freeze later`,
    );
  const y = labels.done();
  let spam = 0;
  for (let i = 0; i < n; i++) spam += y[i];
  if (spam === 0 || spam === n) throw new TrainingDataError(`only one class in the training data (${spam} spam of ${n}): a classifier needs both ham and spam`);
  const { train, test, evaluation } = splitRows(n, held.done(), p, shared);
  const snapshot: DataSnapshot = {
    featureService: p.featureService,
    timeFreeze: p.timeFreeze,
    entities: n,
    dropped,
    classBalance: { ham: n - spam, spam },
    trainRows: train.length,
    testRows: test.length,
    registryVersion: (await fs.registry.current())?.version ?? 0,
    checksum: hash.digest('hex'),
    evaluation,
  };
  return {
    n,
    width,
    ...(isTokens ? { tokens: tokens.done() } : { columns: columns.map((c) => c.done()) }),
    labels: y,
    test,
    train,
    ...(ids ? { ids } : {}),
    snapshot,
  };
}

/**
 * Train and test rows. The shared evaluation set's rows are the test rows and are not trained on
 * (unless `trainOnEvaluation`); a set too small to split that way (a handful of chosen ids) falls
 * back to the seeded random split, and says so. `split: 'random'` is the seed's own split.
 */
function splitRows(
  n: number,
  held: Int32Array,
  p: RunRecord['params'],
  shared: boolean,
): { train: Int32Array; test: Int32Array; evaluation: NonNullable<DataSnapshot['evaluation']> } {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(p.seed);
  rng.shuffle(order);
  let note: string | undefined;
  if (shared) {
    if (held.length >= 1 && n - held.length >= 2) {
      const isHeld = new Uint8Array(n);
      for (const i of held) isHeld[i] = 1;
      const train = p.trainOnEvaluation ? order : order.filter((i) => !isHeld[i]);
      return { train, test: held, evaluation: { set: EVALUATION_SET, messages: held.length, trainedOn: p.trainOnEvaluation === true } };
    }
    note = `the shared evaluation set holds ${held.length} of these ${n} rows: too few to split on, so a random ${p.testSize} share was held out`;
  }
  const nTest = Math.max(1, Math.round(n * p.testSize));
  if (n - nTest < 2) throw new TrainingDataError(`too few rows (${n}) for a ${p.testSize} test split`);
  return {
    test: order.slice(0, nTest),
    train: order.slice(nTest),
    evaluation: { set: `random-${p.testSize}-seed-${p.seed}`, messages: nTest, trainedOn: false, ...(note ? { note } : {}) },
  };
}
