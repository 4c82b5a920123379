/** The feature registry explorer, online-store lookup, materialization and offline previews. */
export { FeatureStorePane } from './FeatureStorePane';
export { FeatureStorePane as default } from './FeatureStorePane';
