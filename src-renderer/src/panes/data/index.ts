/** Data: imports and training on what was imported. */
export { DataPane } from './DataPane';
export { DataPane as default } from './DataPane';
