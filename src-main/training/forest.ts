/**
 * A random forest of CART trees (Gini impurity, bootstrap samples, a random subset of the
 * features per split), as scikit-learn's RandomForestClassifier that the seed's v1 used.
 *
 * Written here because the one JS library for it, ml-random-forest 2.1.0, measured on the full
 * dataset (10 trees, depth 10): 31 s to train, predicts the majority class only (accuracy 0.78),
 * and crashes computing out-of-bag estimates; this one trains in well under a second.
 */
import { Rng } from './rng';

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

export class RandomForest {
  constructor(readonly json: ForestJson) {}

  static train(X: number[][], y: number[], nClasses: number, o: ForestOptions): RandomForest {
    const rng = new Rng(o.seed);
    const n = X.length;
    const nFeatures = X[0]?.length ?? 0;
    const trees: TreeJson[] = [];
    for (let t = 0; t < o.nEstimators; t++) {
      const sample = Int32Array.from({ length: n }, () => Math.floor(rng.next() * n));
      trees.push(growTree(X, y, sample, nClasses, nFeatures, o, rng));
    }
    return new RandomForest({ kind: 'random-forest', nClasses, nFeatures, options: o, trees });
  }

  /** mean of the trees' leaf class distributions, as scikit-learn's predict_proba */
  predictProba(x: number[]): number[] {
    const out = new Array<number>(this.json.nClasses).fill(0);
    for (const t of this.json.trees) {
      let i = 0;
      while (t.feature[i] >= 0) i = x[t.feature[i]] <= t.threshold[i] ? t.left[i] : t.right[i];
      for (const [c, p] of t.value[i].entries()) out[c] += p;
    }
    return out.map((v) => v / this.json.trees.length);
  }
}

function growTree(X: number[][], y: number[], sample: Int32Array, nClasses: number, nFeatures: number, o: ForestOptions, rng: Rng): TreeJson {
  const tree: TreeJson = { feature: [], threshold: [], left: [], right: [], value: [] };
  const counts = (idx: Int32Array) => {
    const c = new Array<number>(nClasses).fill(0);
    for (const i of idx) c[y[i]] += 1;
    return c;
  };
  const gini = (c: number[], total: number) => (total === 0 ? 0 : 1 - c.reduce((s, k) => s + (k / total) ** 2, 0));
  const build = (idx: Int32Array, depth: number): number => {
    const node = tree.feature.length;
    const c = counts(idx);
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(c.map((k) => k / idx.length));
    const pure = c.filter((k) => k > 0).length <= 1;
    if (pure || depth >= o.maxDepth || idx.length < o.minSamplesSplit) return node;
    // the best split over a random subset of features
    const feats = Array.from({ length: nFeatures }, (_, i) => i);
    rng.shuffle(feats);
    let best = { gain: 0, feature: -1, threshold: 0 };
    const parent = gini(c, idx.length);
    for (const f of feats.slice(0, Math.max(1, o.maxFeatures))) {
      const order = Array.from(idx).sort((a, b) => X[a][f] - X[b][f]);
      const left = new Array<number>(nClasses).fill(0);
      const right = [...c];
      for (let k = 0; k < order.length - 1; k++) {
        const cls = y[order[k]];
        left[cls] += 1;
        right[cls] -= 1;
        const a = X[order[k]][f];
        const b = X[order[k + 1]][f];
        if (a === b) continue;
        const nl = k + 1;
        const nr = order.length - nl;
        const gain = parent - (nl * gini(left, nl) + nr * gini(right, nr)) / order.length;
        if (gain > best.gain + 1e-12) best = { gain, feature: f, threshold: (a + b) / 2 };
      }
    }
    if (best.feature < 0) return node;
    const l: number[] = [];
    const r: number[] = [];
    for (const i of idx) (X[i][best.feature] <= best.threshold ? l : r).push(i);
    tree.feature[node] = best.feature;
    tree.threshold[node] = best.threshold;
    tree.left[node] = build(Int32Array.from(l), depth + 1);
    tree.right[node] = build(Int32Array.from(r), depth + 1);
    return node;
  };
  build(sample, 0);
  return tree;
}
