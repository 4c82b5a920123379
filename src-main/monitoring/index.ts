/** Monitoring: recorded predictions, drift reports and alerts, feedback, retraining, the simulator. */
export { AlreadyAcknowledgedError, Monitor } from './monitor';
export type { CheckWindow, MonitorDeps } from './monitor';
export { PredictionRecorder } from './recorder';
export type { ScoringModel, ServedPrediction } from './recorder';
export { computeDrift, minWindowOf, windowReference } from './drift';
export { TESTS, applicable, autoTest, chooseTest } from './stattests';
export { DriftRunner, computeWindow } from './drift-window';
export { UnknownFeatureError } from './histograms';
export { driftReportHtml } from './report-html';

export { FeedbackLog, LABELS_PUSH_SOURCE } from './feedback';
export type { FeedbackDeps, FeedbackInput } from './feedback';
export { Retrainer, RetrainUnderWayError } from './retrain';
export type { RetrainerDeps } from './retrain';
export { InboxVerdicts } from './verdicts';
export { Simulator } from './simulator';
export type { SimulatorDeps } from './simulator';
