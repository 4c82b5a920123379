/**
 * A random forest of CART trees (Gini impurity, bootstrap samples, a random subset of the
 * features per split), as scikit-learn's RandomForestClassifier that the seed's v1 used.
 *
 * Written here because the one JS library for it, ml-random-forest 2.1.0, measured on the full
 * dataset (10 trees, depth 10): 31 s to train, predicts the majority class only (accuracy 0.78),
 * and crashes computing out-of-bag estimates.
 *
 * Trained over typed columns with histogram splits, as scikit-learn's HistGradientBoosting and
 * LightGBM do: each feature is binned once into at most 255 bins (one bin per value when it has
 * at most 255 distinct values, so the 0/1 cue words and small data split exactly where sorting
 * every value would; equal-count bins otherwise); a node adds up the class counts of its rows
 * per bin of each candidate feature and scans the bins, so a node costs its rows times the
 * candidate features instead of a sort per feature. A tree's rows are one index array
 * partitioned in place; the bootstrap is a count per row. Thresholds are real values, the
 * midpoint between the largest training value left of the split and the smallest right of it,
 * so that serving, which compares raw features (`x[f] <= threshold`), routes a training row
 * where training did. On 1,000,000 rows x 9 features, 10 trees of depth 10: about 3 s and
 * ~50 MB beyond the columns, where sorting at every node took minutes (bench/run.ts measures it).
 */
import { Rng } from '../rng';

export interface ForestOptions {
  nEstimators: number;
  maxDepth: number;
  /** features tried per split; scikit-learn's default is sqrt(n_features) */
  maxFeatures: number;
  minSamplesSplit: number;
  seed: number;
}

/** A tree as flat arrays: feature < 0 marks a leaf holding class probabilities. */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[][];
}

export interface ForestJson {
  kind: 'random-forest';
  nClasses: number;
  nFeatures: number;
  options: ForestOptions;
  trees: TreeJson[];
}

/** The most bins a feature gets: its bin codes are bytes. */
export const MAX_BINS = 255;

/** What a caller can watch while a forest grows (tests do). */
export interface TrainHooks {
  /** once per tree: the leaf each training row reached, -1 for rows out of the tree's bootstrap sample */
  leaves?(tree: number, leafOf: Int32Array): void;
}

/** A feature binned: the bin of each row and the smallest and largest value that fell in each bin. */
export interface BinnedFeature {
  codes: Uint8Array;
  lo: Float64Array;
  hi: Float64Array;
}

export class RandomForest {
  constructor(readonly json: ForestJson) {}

  /** rows of numbers (small data, tests): the same forest as trainColumns on their columns */
  static train(X: ArrayLike<ArrayLike<number>>, y: ArrayLike<number>, nClasses: number, o: ForestOptions, hooks: TrainHooks = {}): RandomForest {
    return RandomForest.trainColumns(columnsOf(X), Uint8Array.from(y), nClasses, o, hooks);
  }

  /**
   * The forest over column-major features: `cols[f][i]` is feature f of row i (one array per
   * feature, each of the rows' length; columnsOfMatrix views one n*f array this way), y the
   * class of each row in [0, nClasses).
   */
  static trainColumns(cols: readonly Float64Array[], y: Uint8Array, nClasses: number, o: ForestOptions, hooks: TrainHooks = {}): RandomForest {
    const n = y.length;
    const nFeatures = cols.length;
    if (n === 0) throw new Error('random forest: no training rows');
    if (!Number.isInteger(nClasses) || nClasses < 1 || nClasses > 255) throw new Error(`random forest: nClasses must be an integer in 1..255, got ${nClasses}`);
    for (const [f, c] of cols.entries()) if (c.length !== n) throw new Error(`random forest: feature ${f} has ${c.length} values for ${n} labels`);
    for (let i = 0; i < n; i++) if (y[i] >= nClasses) throw new Error(`random forest: row ${i} has class ${y[i]}, not below nClasses ${nClasses}`);
    const bins = cols.map((c, f) => binFeature(c, MAX_BINS, f));
    const rng = new Rng(o.seed);
    const g = new Grower(bins, y, nClasses, o, rng, hooks.leaves !== undefined);
    const trees: TreeJson[] = [];
    for (let t = 0; t < o.nEstimators; t++) {
      trees.push(g.grow());
      if (hooks.leaves) hooks.leaves(t, g.leafOf!.slice());
    }
    return new RandomForest({ kind: 'random-forest', nClasses, nFeatures, options: o, trees });
  }

  /** mean of the trees' leaf class distributions, as scikit-learn's predict_proba */
  predictProba(x: ArrayLike<number>): number[] {
    const out = new Array<number>(this.json.nClasses).fill(0);
    for (const t of this.json.trees) {
      let i = 0;
      while (t.feature[i] >= 0) i = x[t.feature[i]] <= t.threshold[i] ? t.left[i] : t.right[i];
      for (const [c, p] of t.value[i].entries()) out[c] += p;
    }
    return out.map((v) => v / this.json.trees.length);
  }

  /** predictProba(row)[cls] of every row of column-major features (the same numbers, without a row object) */
  predictColumns(cols: readonly Float64Array[], cls: number): Float64Array {
    const n = cols[0]?.length ?? 0;
    const out = new Float64Array(n);
    for (const t of this.json.trees) {
      const leafShare = t.value.map((v) => v[cls]);
      for (let r = 0; r < n; r++) {
        let i = 0;
        while (t.feature[i] >= 0) i = cols[t.feature[i]][r] <= t.threshold[i] ? t.left[i] : t.right[i];
        out[r] += leafShare[i];
      }
    }
    const k = this.json.trees.length;
    for (let r = 0; r < n; r++) out[r] /= k;
    return out;
  }
}

/** Rows to one Float64Array per feature; `pick` keeps those rows, in its order. */
export function columnsOf(rows: ArrayLike<ArrayLike<number>>, pick?: ArrayLike<number>): Float64Array[] {
  const n = pick ? pick.length : rows.length;
  const first = n ? rows[pick ? pick[0] : 0] : undefined;
  const cols = Array.from({ length: first?.length ?? 0 }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const row = rows[pick ? pick[i] : i];
    if (row.length !== cols.length) throw new Error(`random forest: row ${pick ? pick[i] : i} has ${row.length} features, the first ${cols.length}`);
    for (let f = 0; f < cols.length; f++) cols[f][i] = row[f];
  }
  return cols;
}

/** One column-major n*nFeatures array as per-feature views (no copy). */
export function columnsOfMatrix(values: Float64Array, nFeatures: number): Float64Array[] {
  const n = values.length / nFeatures;
  if (!Number.isInteger(n)) throw new Error(`random forest: ${values.length} values are not ${nFeatures} columns`);
  return Array.from({ length: nFeatures }, (_, f) => values.subarray(f * n, (f + 1) * n));
}

/**
 * A feature's bins: one per distinct value when there are at most maxBins of them; otherwise
 * consecutive runs of distinct values of about equal row counts (a value is never split across
 * bins, a frequent one gets a bin of its own), at most maxBins.
 */
export function binFeature(values: Float64Array, maxBins = MAX_BINS, feature = 0): BinnedFeature {
  const n = values.length;
  let distinct: Float64Array;
  let counts: Float64Array;
  // most features have few values (the cue words: 2): count them without sorting the column
  const few = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new Error(`random forest: feature ${feature} of row ${i} is ${v}, not a finite number`);
    if (few.size <= maxBins) few.set(v, (few.get(v) ?? 0) + 1);
  }
  if (few.size <= maxBins) {
    distinct = Float64Array.from(few.keys()).sort();
    counts = Float64Array.from(distinct, (v) => few.get(v)!);
  } else {
    const sorted = values.slice().sort();
    let d = 1;
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) d++;
    distinct = new Float64Array(d);
    counts = new Float64Array(d);
    let k = 0;
    distinct[0] = sorted[0];
    for (let i = 0; i < n; i++) {
      if (sorted[i] !== distinct[k]) distinct[++k] = sorted[i];
      counts[k]++;
    }
  }
  // greedy equal-count bins over the distinct values: close a bin once it holds its share of
  // the rows not yet binned, or when the values left would each fit a bin of their own
  const d = distinct.length;
  const lo: number[] = [];
  const hi: number[] = [];
  let binsLeft = maxBins;
  let rest = n;
  let inBin = 0;
  let start = 0;
  for (let i = 0; i < d; i++) {
    inBin += counts[i];
    const valuesLeft = d - 1 - i;
    if (valuesLeft === 0 || valuesLeft <= binsLeft - 1 || inBin >= rest / binsLeft) {
      lo.push(distinct[start]);
      hi.push(distinct[i]);
      rest -= inBin;
      inBin = 0;
      binsLeft--;
      start = i + 1;
    }
  }
  const his = Float64Array.from(hi);
  const codes = new Uint8Array(n);
  const last = his.length - 1;
  for (let i = 0; i < n; i++) {
    // the first bin whose largest value is >= v
    const v = values[i];
    let a = 0;
    let b = last;
    while (a < b) {
      const m = (a + b) >> 1;
      if (his[m] < v) a = m + 1;
      else b = m;
    }
    codes[i] = a;
  }
  return { codes, lo: Float64Array.from(lo), hi: his };
}

const gini = (c: ArrayLike<number>, total: number) => {
  if (total === 0) return 0;
  let s = 0;
  for (let k = 0; k < c.length; k++) s += (c[k] / total) ** 2;
  return 1 - s;
};

/** a threshold between the largest value going left and the smallest going right (a < b) that keeps a left and b right */
const between = (a: number, b: number) => {
  const t = (a + b) / 2;
  return t < b ? t : a;
};

/** Grows the trees of one forest, reusing its buffers from tree to tree. */
class Grower {
  private readonly n: number;
  private readonly nFeatures: number;
  /** bootstrap count of each row in the current tree */
  private readonly weight: Uint32Array;
  /** the current tree's rows (those drawn at least once), partitioned in place node by node */
  private readonly idx: Int32Array;
  private readonly hist: Float64Array;
  private readonly feats: Int32Array;
  readonly leafOf?: Int32Array;
  private tree!: TreeJson;

  constructor(
    private readonly bins: BinnedFeature[],
    private readonly y: Uint8Array,
    private readonly nClasses: number,
    private readonly o: ForestOptions,
    private readonly rng: Rng,
    watchLeaves: boolean,
  ) {
    this.n = y.length;
    this.nFeatures = bins.length;
    this.weight = new Uint32Array(this.n);
    this.idx = new Int32Array(this.n);
    this.hist = new Float64Array(MAX_BINS * nClasses);
    this.feats = new Int32Array(this.nFeatures);
    if (watchLeaves) this.leafOf = new Int32Array(this.n);
  }

  grow(): TreeJson {
    const { n, weight, idx, y, nClasses, rng } = this;
    // the bootstrap sample: n draws with replacement, kept as a count per row
    weight.fill(0);
    for (let k = 0; k < n; k++) weight[Math.floor(rng.next() * n)]++;
    let m = 0;
    const counts = new Array<number>(nClasses).fill(0);
    for (let r = 0; r < n; r++)
      if (weight[r] > 0) {
        idx[m++] = r;
        counts[y[r]] += weight[r];
      }
    this.leafOf?.fill(-1);
    this.tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    this.build(0, m, counts, n, 0);
    return this.tree;
  }

  /** the node of rows idx[start..end) holding `total` bootstrap draws with class counts `counts` */
  private build(start: number, end: number, counts: number[], total: number, depth: number): number {
    const { tree, o, nClasses, idx, y, weight, hist, feats, bins } = this;
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(counts.map((k) => k / total));
    const pure = counts.filter((k) => k > 0).length <= 1;
    if (pure || depth >= o.maxDepth || total < o.minSamplesSplit) return this.leaf(node, start, end);
    // the best split over a random subset of features (drawn as a shuffle of all, as before)
    for (let f = 0; f < feats.length; f++) feats[f] = f;
    this.rng.shuffle(feats);
    const parent = gini(counts, total);
    let bestGain = 0;
    let bestFeature = -1;
    let bestBin = -1;
    let bestThreshold = 0;
    let bestLeft = counts;
    const left = new Array<number>(nClasses);
    const right = new Array<number>(nClasses);
    const tried = Math.min(feats.length, Math.max(1, o.maxFeatures));
    for (let q = 0; q < tried; q++) {
      const f = feats[q];
      const { codes, lo, hi } = bins[f];
      const nb = lo.length;
      hist.fill(0, 0, nb * nClasses);
      for (let k = start; k < end; k++) {
        const r = idx[k];
        hist[codes[r] * nClasses + y[r]] += weight[r];
      }
      // boundaries between the node's non-empty bins, left to right
      left.fill(0);
      let nl = 0;
      let prev = -1;
      for (let b = 0; b < nb; b++) {
        let inBin = 0;
        for (let c = 0; c < nClasses; c++) inBin += hist[b * nClasses + c];
        if (inBin === 0) continue;
        if (prev >= 0) {
          const nr = total - nl;
          for (let c = 0; c < nClasses; c++) right[c] = counts[c] - left[c];
          const gain = parent - (nl * gini(left, nl) + nr * gini(right, nr)) / total;
          if (gain > bestGain + 1e-12) {
            bestGain = gain;
            bestFeature = f;
            bestBin = prev;
            bestThreshold = between(hi[prev], lo[b]);
            bestLeft = left.slice();
          }
        }
        for (let c = 0; c < nClasses; c++) left[c] += hist[b * nClasses + c];
        nl += inBin;
        prev = b;
      }
    }
    if (bestFeature < 0) return this.leaf(node, start, end);
    // rows of bins <= bestBin first
    const codes = bins[bestFeature].codes;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (codes[idx[i]] <= bestBin) i++;
      else {
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        j--;
      }
    }
    let nLeft = 0;
    for (const k of bestLeft) nLeft += k;
    tree.feature[node] = bestFeature;
    tree.threshold[node] = bestThreshold;
    tree.left[node] = this.build(start, i, bestLeft, nLeft, depth + 1);
    tree.right[node] = this.build(
      i,
      end,
      counts.map((k, c) => k - bestLeft[c]),
      total - nLeft,
      depth + 1,
    );
    return node;
  }

  private leaf(node: number, start: number, end: number): number {
    if (this.leafOf) for (let k = start; k < end; k++) this.leafOf[this.idx[k]] = node;
    return node;
  }
}
