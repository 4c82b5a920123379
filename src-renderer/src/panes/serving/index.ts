/** Serving: served versions, try-it, call log, cache hit rate and latency over time. */
export { ServingPane } from './ServingPane';
export { ServingPane as default } from './ServingPane';
