/** Labelled datasets: the formats people have (seed CSV, UCI SMS TSV, UCI YouTube CSV) and training id lists. */
export {
  parseDataset,
  detectFormat,
  sniffDataset,
  DatasetFileError,
  MAX_LINE_CHARS,
  formatOfFirstLine,
  readDatasetFile,
  readDataset,
  DatasetReader,
  DATASET_FORMATS,
} from './import';
export type { DatasetFormat, ParsedDataset, RowProblem, DatasetBatch, ReaderOptions } from './import';
export { readTrainingIds } from './training-ids';
export { EVALUATION_SET, inEvaluationSet } from './evaluation-set';
export { nextSmsNumber, MAX_ID_NUMBER, UCI_SMS_FIRST_ID } from './numbering';
export { UCI_ARCHIVES, UCI_WHICH, UciError, archivesOf, downloadArchive, identifyArchive, readArchive, urlOf } from './uci';
export type { UciArchive, UciWhich } from './uci';
