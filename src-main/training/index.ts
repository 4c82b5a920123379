export { TrainingRuns, RunEndedError, RunNotFoundError, RunOfAnotherProcessError } from './runs';
export type { TrainingRunsDeps } from './runs';
export type { TrainingWorkerSettings } from './worker';
export { MODEL_SPECS, resolveParams, LABELS, baseOf, isBuiltin } from '../../src-shared/model-specs';
export { runTrainJob } from './train';
export type { TrainJob, TrainJobDeps, TrainOutcome } from './train';
export { TrainingDataError, loadTrainingSet } from './dataset';
export type { TrainingDataSource } from './dataset';
// the model layer's registry, for the shells that reach it through training
export { ModelRegistry, InvalidAliasError, NothingToRollBackError, VersionInUseError, VersionNotFoundError, stagingDirFor, checksumsOf } from '../models';
