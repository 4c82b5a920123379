/** Serving: which versions answer, the models behind them, the layered prediction cache, request statistics. */
export { ServedModels, NotServedError, NoModelYetError, UnknownAliasError, parseServedNames } from './served';
export type { ServedModelsDeps, ServingProblem } from './served';
export { loadServedModel, FeatureVectorError, top } from './models';
export type { ServedModel, Prediction } from './models';
export { LayeredPredictionCache } from './cache';
export { OffThreadPredictor } from './off-thread';
export { MicroBatcher, DEFAULT_MICRO_BATCH } from './micro-batcher';
export type { MicroBatchSettings } from './micro-batcher';
export { ServingStats } from './request-stats';
export { ServingEndpoints, UnknownModelError } from './endpoints';
export type { ServingEndpointsDeps, ServedPredictionNote, AnswerFlags } from './endpoints';
export {
  VersionEvaluations,
  ThresholdUnreachableError,
  WorseThanHolderError,
  FlatteredCandidateError,
  describeEvaluation,
  pickThreshold,
  promotionCheck,
  promote,
  thresholdRule,
  compareRegistered,
  metricOf,
  type CompareDeps,
  type EvaluationScores,
  type PromotionMetric,
} from './evaluation';
