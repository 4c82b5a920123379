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
import { parseTimestamp } from '../featurestore';
import { compileUserPattern } from '../platform';
import { readTrainingIds } from '../dataset';
import { FEATURES_V1 } from '../features';
import { Rng } from './rng';
import { LABELS } from '../../src-shared/model-specs';

export class TrainingDataError extends Error {}

export interface TrainingSet {
  ids: string[];
  /** v1: 9 numbers per row; v2: the token ids */
  features: number[][];
  labels: Int32Array;
  train: Int32Array;
  test: Int32Array;
  snapshot: DataSnapshot;
}

/** Where training data comes from: the feature store, the warehouse's ids, the seed's training ids file. */
export interface TrainingDataSource {
  features: FeatureStore;
  labelled: LabelledMessageStore;
  /** one sms_id per line; all labelled ids when absent */
  trainingIdsPath?: string;
}

export async function loadTrainingSet(src: TrainingDataSource, p: RunRecord['params']): Promise<TrainingSet> {
  const fs = src.features;
  let ids = p.entityIds;
  if (!ids) {
    const file = src.trainingIdsPath;
    ids = file && existsSync(file) ? readTrainingIds(file) : (await src.labelled.all()).map((m) => m.sms_id);
  }
  if (p.entityIdPattern) {
    const re = compileUserPattern(p.entityIdPattern, 'params.entityIdPattern');
    ids = ids.filter((id) => re.test(id));
  }
  if (ids.length === 0) throw new TrainingDataError('no training entities: import a dataset (spamops import) or check entityIds / entityIdPattern');
  const freeze = parseTimestamp(p.timeFreeze, 'params.timeFreeze');
  const refs = await fs.resolveRefs({ feature_service: p.featureService });
  const hist = await fs.getHistoricalFeatures({ keys: ids, timestamps: ids.map(() => freeze) }, refs);
  const featureCols = hist.columns.slice(2).filter((c) => c !== 'label');
  if (!hist.columns.includes('label')) throw new TrainingDataError(`feature service ${p.featureService} has no label feature`);
  const keptIds: string[] = [];
  const features: number[][] = [];
  const labels: number[] = [];
  let dropped = 0;
  for (const row of hist.rows) {
    const label = row.label;
    const vals = featureCols.map((c) => row[c]);
    if (typeof label !== 'string' || !LABELS.includes(label) || vals.some((v) => v === null || v === undefined)) {
      dropped++;
      continue;
    }
    keptIds.push(row.sms_id as string);
    features.push(vals.length === 1 && Array.isArray(vals[0]) ? (vals[0] as number[]) : (vals as number[]));
    labels.push(LABELS.indexOf(label));
  }
  if (keptIds.length === 0)
    throw new TrainingDataError(
      `no rows with features and labels at the time freeze ${p.timeFreeze} through ${p.featureService} (${dropped} entities had none): materialize offline sources (spamops bootstrap) or move the time freeze later`,
    );
  const spam = labels.filter((l) => l === 1).length;
  if (spam === 0 || spam === labels.length)
    throw new TrainingDataError(`only one class in the training data (${spam} spam of ${labels.length}): a classifier needs both ham and spam`);
  if (featureCols.length === 9 && featureCols.some((c, i) => c !== FEATURES_V1[i])) throw new TrainingDataError('unexpected v1 feature order');
  const order = Int32Array.from(keptIds.keys());
  new Rng(p.seed).shuffle(order);
  const nTest = Math.max(1, Math.round(order.length * p.testSize));
  if (order.length - nTest < 2) throw new TrainingDataError(`too few rows (${order.length}) for a ${p.testSize} test split`);
  const snapshot: DataSnapshot = {
    featureService: p.featureService,
    timeFreeze: p.timeFreeze,
    entities: keptIds.length,
    dropped,
    classBalance: { ham: labels.length - spam, spam },
    trainRows: order.length - nTest,
    testRows: nTest,
    registryVersion: (await fs.registry.current())?.version ?? 0,
    checksum: dataChecksum(keptIds, labels),
  };
  return { ids: keptIds, features, labels: Int32Array.from(labels), test: order.slice(0, nTest), train: order.slice(nTest), snapshot };
}

function dataChecksum(ids: string[], labels: number[]): string {
  const h = createHash('sha256');
  for (let i = 0; i < ids.length; i++) h.update(`${ids[i]}\t${LABELS[labels[i]]}\n`);
  return h.digest('hex');
}
