/** The three model generations of the story and their default hyperparameters (shared: the engines train with them, the console fills its form from them). */
import type { BuiltinModel, ModelName, RunRecord, TrainParams } from './training';
import { MODEL_NAMES } from './training';

export interface ModelSpec {
  name: BuiltinModel;
  kind: 'random-forest' | 'lstm';
  description: string;
  featureExtractor: string;
  defaults: RunRecord['params'];
}

export const MODEL_SPECS: Record<BuiltinModel, ModelSpec> = {
  v1: {
    name: 'v1',
    kind: 'random-forest',
    description: '2019: random forest on the 9 hand-made features v1',
    featureExtractor: 'features_v1@1',
    defaults: { featureService: 'labeled_sms_1', timeFreeze: '2019-05-05T00:00:00Z', testSize: 0.2, seed: 42, nEstimators: 10, maxDepth: 10, maxFeatures: 3 },
  },
  v2: {
    name: 'v2',
    kind: 'lstm',
    description: '2020: Embedding(180, 6) - SpatialDropout1D(0.05) - LSTM(6) - Dense(2) on the token ids of features v2',
    featureExtractor: 'features_v2@1',
    defaults: {
      featureService: 'labeled_sms_2',
      timeFreeze: '2020-07-02T00:00:00Z',
      testSize: 0.25,
      seed: 42,
      embeddingDim: 6,
      spatialDropout: 0.05,
      lstmUnits: 6,
      dropout: 0.05,
      recurrentDropout: 0.05,
      epochs: 3,
      batchSize: 32,
      learningRate: 0.001,
    },
  },
  v3: {
    name: 'v3',
    kind: 'lstm',
    description: '2021: Embedding(180, 64) - SpatialDropout1D(0.3) - LSTM(96) - Dense(2) on the same features v2',
    featureExtractor: 'features_v2@1',
    defaults: {
      featureService: 'labeled_sms_2',
      timeFreeze: '2021-07-01T00:00:00Z',
      testSize: 0.25,
      seed: 42,
      embeddingDim: 64,
      spatialDropout: 0.3,
      lstmUnits: 96,
      dropout: 0.3,
      recurrentDropout: 0.25,
      epochs: 5,
      batchSize: 32,
      learningRate: 0.001,
    },
  },
};

/**
 * What the console shows of a model family: data, so that no pane branches on the family. A new
 * family adds its row here beside its plugin in src-main/models/.
 */
export interface FamilyDisplay {
  /** the family as people call it, in the model picker */
  label: string;
  /** whether it learns in epochs with a loss (the loss curves are drawn), or is evaluated once */
  hasLoss: boolean;
  /** the title of the run's per-epoch chart */
  epochChartTitle: string;
}

export const FAMILY_DISPLAY: Record<ModelSpec['kind'], FamilyDisplay> = {
  'random-forest': { label: 'random forest', hasLoss: false, epochChartTitle: 'Accuracy (one evaluation: a forest has no epochs)' },
  lstm: { label: 'LSTM', hasLoss: true, epochChartTitle: 'Per epoch: training and validation' },
};

/** how the console shows a model generation's family */
export function familyDisplayOf(base: BuiltinModel): FamilyDisplay {
  return FAMILY_DISPLAY[MODEL_SPECS[base].kind];
}

export function isBuiltin(model: string): model is BuiltinModel {
  return (MODEL_NAMES as readonly string[]).includes(model);
}

/** the generation a model is built as: its own for v1, v2, v3; else the given base (v3 by default) */
export function baseOf(model: ModelName, base?: BuiltinModel): BuiltinModel {
  return isBuiltin(model) ? model : (base ?? 'v3');
}

export function resolveParams(model: ModelName, params: TrainParams = {}, base?: BuiltinModel): RunRecord['params'] {
  const merged = { ...MODEL_SPECS[baseOf(model, base)].defaults };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return merged;
}

export const LABELS = ['ham', 'spam'];
