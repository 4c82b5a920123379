/**
 * The model layer: the registry of versions and aliases, their artifacts, and the model families
 * (forest/, lstm/) behind one interface (family.ts) and one registry of families (families.ts).
 * Training, serving and monitoring reach models only through here.
 */
export {
  ModelRegistry,
  AliasNotSetError,
  InvalidAliasError,
  ModelNotFoundError,
  NothingToRollBackError,
  ServingAliasError,
  VersionInUseError,
  VersionNotFoundError,
  stagingDirFor,
} from './model-registry';
export { checksumsOf, verifyChecksums, modelRemedy } from './artifacts';
export { FeatureVectorError } from './family';
export type {
  BatchPredictor,
  DatasetDriftRule,
  DriftInput,
  ModelFamily,
  Prediction,
  ProgressPoint,
  ServedModel,
  TrainedModel,
  TrainInput,
  TrainProgress,
} from './family';
export { familyOf, familyKinds, familyRuntimes, registerFamily, UnknownFamilyError } from './families';
export { messageSurprisal, numericReference, tokenReference } from './reference';
export type { FeatureReference, NumericReference, TokenReference } from './reference';
export { evaluate, rocAuc } from './metrics';
export { Rng } from './rng';
export { featureRow, splitColumns, tokenRows } from './training-set';
export type { TrainingSet } from './training-set';
