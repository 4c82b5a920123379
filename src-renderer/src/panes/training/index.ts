/** Training runs: start with hyperparameters, live curves, runs table, comparison, model registry. */
export { TrainingPane } from './TrainingPane';
export { TrainingPane as default } from './TrainingPane';
