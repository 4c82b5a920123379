export { RunManager, RunNotFoundError } from './runs';
export { ModelRegistry, RegistryError } from './model-registry';
export { MODEL_SPECS, resolveParams, LABELS, baseOf, isBuiltin } from '../../src-shared/model-specs';
export { runTrainJob } from './train';
export { TrainingDataError } from './dataset';
export { FusedLstm, fusedKernelAvailable } from './fused-lstm';
export type { LstmShape, LstmWeights } from './fused-lstm';
export { readLstmArtifacts, readForestArtifacts } from './artifacts';
export { RandomForest } from './forest';
