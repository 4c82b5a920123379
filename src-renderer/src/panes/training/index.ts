/** Training runs: start with hyperparameters, live curves, runs table, comparison, model registry. */
export { TrainingPane } from './TrainingPane';
