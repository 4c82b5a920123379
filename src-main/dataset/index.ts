/** Labelled datasets: the formats people have (seed CSV, UCI SMS TSV, UCI YouTube CSV) and training id lists. */
export { parseDataset, detectFormat, DATASET_FORMATS } from './import';
export type { DatasetFormat, ParsedDataset, RowProblem } from './import';
export { readTrainingIds } from './training-ids';
