/**
 * A training set as the families read it: rows of numeric feature columns (v1) or of token ids
 * (the LSTMs), labels and the seeded train/test split. Loaded by training/dataset.ts.
 */
import type { DataSnapshot } from '../../src-shared/training';

export interface TrainingSet {
  /** rows kept (features and a label present) */
  n: number;
  /** values per row: the 9 features of v1, the sequence length of the LSTMs */
  width: number;
  /** v1 (numeric features): one column per feature, n values each */
  columns?: Float64Array[];
  /** the LSTMs (token ids): row-major, n rows of `width` */
  tokens?: Int32Array;
  labels: Int32Array;
  train: Int32Array;
  test: Int32Array;
  /** the rows' ids, kept only when asked (the LSTMs' text references) */
  ids?: string[];
  snapshot: DataSnapshot;
}

/**
 * v1's columns split into the train and test rows; each column of the set is let go once split,
 * so at most the set and one column more are held (10 million rows: 0.8 GB, not 1.6).
 */
export function splitColumns(set: TrainingSet): { train: Float64Array[]; test: Float64Array[] } {
  const columns = set.columns;
  if (!columns) throw new Error('not a column training set');
  set.columns = undefined;
  const pick = (c: Float64Array, rows: Int32Array) => {
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = c[rows[i]];
    return out;
  };
  const train: Float64Array[] = [];
  const test: Float64Array[] = [];
  for (let f = 0; f < columns.length; f++) {
    train.push(pick(columns[f], set.train));
    test.push(pick(columns[f], set.test));
    columns[f] = new Float64Array(0);
  }
  return { train, test };
}

/** the token rows picked by `rows`, as views into the set's array (no copy) */
export function tokenRows(set: TrainingSet, rows?: Int32Array): Int32Array[] {
  const t = set.tokens;
  if (!t) throw new Error('not a token training set');
  const w = set.width;
  const pick = rows ?? Int32Array.from({ length: set.n }, (_, i) => i);
  return Array.from(pick, (i) => t.subarray(i * w, (i + 1) * w));
}

/** one row of features as numbers (v1: a value per column; the LSTMs: the token ids) */
export function featureRow(set: TrainingSet, i: number): number[] {
  if (set.tokens) return Array.from(set.tokens.subarray(i * set.width, (i + 1) * set.width));
  return set.columns!.map((c) => c[i]);
}
