/** Drift: reference against current distributions per feature, drift over time, alerts. */
export { DriftPane } from './DriftPane';
export { DriftPane as default } from './DriftPane';
