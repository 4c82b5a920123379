import type { FeatureValue } from '../../src-shared/featurestore';

/** One row of a source: the entity, its times (epoch ms) and its feature values. */
export interface OfflineRow {
  entityKey: string;
  eventTs: number;
  createdTs: number;
  values: Record<string, FeatureValue>;
}
