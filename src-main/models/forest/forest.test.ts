/** The random forest of v1 on its own: what it learns, how deep it grows, that a seed repeats it. */
import { describe, expect, it } from 'vitest';
import { binFeature, columnsOf, columnsOfMatrix, RandomForest, type ForestOptions, type TreeJson } from './forest';
import { Rng } from '../rng';

const options = (o: Partial<ForestOptions> = {}): ForestOptions => ({ nEstimators: 10, maxDepth: 10, maxFeatures: 2, minSamplesSplit: 2, seed: 7, ...o });

/** two noisy features carry the class (x0 + x1 > 1), a third is noise */
function dataset(n: number, seed: number): { X: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = [rng.next(), rng.next(), rng.next()];
    X.push(x);
    y.push(x[0] + x[1] + 0.05 * rng.normal() > 1 ? 1 : 0);
  }
  return { X, y };
}

function depth(t: { feature: number[]; left: number[]; right: number[] }, i = 0): number {
  return t.feature[i] < 0 ? 0 : 1 + Math.max(depth(t, t.left[i]), depth(t, t.right[i]));
}

/**
 * The forest as it was before histogram splits: every node sorts its rows by each candidate
 * feature and tries every boundary between two different values. It draws from the Rng in the
 * same order (the bootstrap, then a shuffle of the features at each node that may split).
 */
function sortingForest(X: number[][], y: number[], nClasses: number, o: ForestOptions): TreeJson[] {
  const rng = new Rng(o.seed);
  const n = X.length;
  const nFeatures = X[0].length;
  const gini = (c: number[], total: number) => (total === 0 ? 0 : 1 - c.reduce((s, k) => s + (k / total) ** 2, 0));
  const trees: TreeJson[] = [];
  for (let t = 0; t < o.nEstimators; t++) {
    const sample = Int32Array.from({ length: n }, () => Math.floor(rng.next() * n));
    const tree: TreeJson = { feature: [], threshold: [], left: [], right: [], value: [] };
    const build = (idx: Int32Array, depth: number): number => {
      const node = tree.feature.length;
      const c = new Array<number>(nClasses).fill(0);
      for (const i of idx) c[y[i]] += 1;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push(c.map((k) => k / idx.length));
      if (c.filter((k) => k > 0).length <= 1 || depth >= o.maxDepth || idx.length < o.minSamplesSplit) return node;
      const feats = Array.from({ length: nFeatures }, (_, i) => i);
      rng.shuffle(feats);
      let best = { gain: 0, feature: -1, threshold: 0 };
      const parent = gini(c, idx.length);
      for (const f of feats.slice(0, Math.max(1, o.maxFeatures))) {
        const order = Array.from(idx).sort((a, b) => X[a][f] - X[b][f]);
        const left = new Array<number>(nClasses).fill(0);
        const right = [...c];
        for (let k = 0; k < order.length - 1; k++) {
          left[y[order[k]]] += 1;
          right[y[order[k]]] -= 1;
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
      tree.feature[node] = best.feature;
      tree.threshold[node] = best.threshold;
      tree.left[node] = build(
        idx.filter((i) => X[i][best.feature] <= best.threshold),
        depth + 1,
      );
      tree.right[node] = build(
        idx.filter((i) => X[i][best.feature] > best.threshold),
        depth + 1,
      );
      return node;
    };
    build(sample, 0);
    trees.push(tree);
  }
  return trees;
}

/** v1-like rows: two ratios with `levels` distinct values each, five 0/1 cue words; spam-ish when high or cued */
function discrete(n: number, levels: number, seed: number): { X: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = [
      Math.floor(rng.next() * levels) / levels,
      (Math.floor(rng.next() * levels) / levels) * 50,
      ...Array.from({ length: 5 }, () => (rng.next() < 0.1 ? 1 : 0)),
    ];
    X.push(x);
    y.push(x[0] + x[1] / 50 + x[2] + x[3] + 0.3 * rng.normal() > 1.2 ? 1 : 0);
  }
  return { X, y };
}

/** the leaf a row reaches in a tree, comparing raw values as serving does */
function leafAt(t: TreeJson, x: ArrayLike<number>): number {
  let i = 0;
  while (t.feature[i] >= 0) i = x[t.feature[i]] <= t.threshold[i] ? t.left[i] : t.right[i];
  return i;
}

describe('RandomForest', () => {
  it('learns a boundary it was not told (held-out accuracy above 0.9) and gives probabilities that sum to 1', () => {
    const train = dataset(2000, 1);
    const test = dataset(500, 2);
    const f = RandomForest.train(train.X, train.y, 2, options());
    let right = 0;
    for (const [i, x] of test.X.entries()) {
      const p = f.predictProba(x);
      expect(p[0] + p[1]).toBeCloseTo(1, 12);
      if ((p[1] > 0.5 ? 1 : 0) === test.y[i]) right++;
    }
    expect(right / test.X.length).toBeGreaterThan(0.9);
  });

  it('is repeatable for a seed and differs for another', () => {
    const d = dataset(500, 3);
    const a = RandomForest.train(d.X, d.y, 2, options({ seed: 11 }));
    const b = RandomForest.train(d.X, d.y, 2, options({ seed: 11 }));
    const c = RandomForest.train(d.X, d.y, 2, options({ seed: 12 }));
    expect(JSON.stringify(a.json)).toBe(JSON.stringify(b.json));
    expect(JSON.stringify(a.json)).not.toBe(JSON.stringify(c.json));
  });

  it('grows no tree deeper than maxDepth, and as many trees as asked', () => {
    const d = dataset(1000, 4);
    const f = RandomForest.train(d.X, d.y, 2, options({ maxDepth: 3, nEstimators: 7 }));
    expect(f.json.trees).toHaveLength(7);
    for (const t of f.json.trees) expect(depth(t)).toBeLessThanOrEqual(3);
  });

  it('makes a single leaf of a pure class or of features that never differ', () => {
    const pure = RandomForest.train([[0], [1], [2]], [1, 1, 1], 2, options({ maxFeatures: 1 }));
    expect(pure.predictProba([5])).toEqual([0, 1]);
    const flat = RandomForest.train(
      [
        [1, 1],
        [1, 1],
        [1, 1],
        [1, 1],
      ],
      [0, 1, 0, 1],
      2,
      options({ nEstimators: 1 }),
    );
    expect(flat.json.trees[0].feature).toEqual([-1]);
    const p = flat.predictProba([1, 1]);
    expect(p[0] + p[1]).toBeCloseTo(1, 12);
  });

  it('round-trips through its JSON form (the artifact serving loads)', () => {
    const d = dataset(300, 5);
    const f = RandomForest.train(d.X, d.y, 2, options());
    const back = new RandomForest(JSON.parse(JSON.stringify(f.json)));
    for (const x of d.X.slice(0, 50)) expect(back.predictProba(x)).toEqual(f.predictProba(x));
  });

  it('grows the same forest from typed columns as from rows (trainColumns under train)', () => {
    const d = dataset(1000, 6);
    const y = Uint8Array.from(d.y);
    const fromRows = RandomForest.train(d.X, d.y, 2, options());
    const fromColumns = RandomForest.trainColumns(
      [0, 1, 2].map((f) => Float64Array.from(d.X, (x) => x[f])),
      y,
      2,
      options(),
    );
    const matrix = new Float64Array(3 * d.X.length);
    for (const [i, x] of d.X.entries()) for (let f = 0; f < 3; f++) matrix[f * d.X.length + i] = x[f];
    const fromMatrix = RandomForest.trainColumns(columnsOfMatrix(matrix, 3), y, 2, options());
    expect(JSON.stringify(fromColumns.json)).toBe(JSON.stringify(fromRows.json));
    expect(JSON.stringify(fromMatrix.json)).toBe(JSON.stringify(fromRows.json));
    // and the column-wise prediction is predictProba's, number for number
    const test = dataset(200, 7);
    const p = fromRows.predictColumns(columnsOf(test.X), 1);
    for (const [i, x] of test.X.entries()) expect(p[i]).toBe(fromRows.predictProba(x)[1]);
  });

  it('with at most 255 distinct values per feature, finds the very splits sorting every value finds (the same trees for a seed)', () => {
    for (const [n, levels, seed] of [
      [600, 12, 1],
      [3000, 255, 2],
      [40, 1000, 3],
    ]) {
      const d = discrete(n, levels, seed);
      for (const o of [options({ maxFeatures: 3, seed }), options({ maxFeatures: 7, maxDepth: 6, nEstimators: 3, seed: seed + 100 })]) {
        const hist = RandomForest.train(d.X, d.y, 2, o);
        expect(hist.json.trees).toEqual(sortingForest(d.X, d.y, 2, o));
      }
    }
  });

  it('with more distinct values than bins, learns as well as sorting every value', () => {
    const train = dataset(3000, 8);
    const test = dataset(1000, 9);
    const accuracy = (trees: TreeJson[]) => {
      const f = new RandomForest({ kind: 'random-forest', nClasses: 2, nFeatures: 3, options: options(), trees });
      return test.X.filter((x, i) => (f.predictProba(x)[1] > 0.5 ? 1 : 0) === test.y[i]).length / test.X.length;
    };
    const hist = accuracy(RandomForest.train(train.X, train.y, 2, options()).json.trees);
    const sorted = accuracy(sortingForest(train.X, train.y, 2, options()));
    expect(Math.abs(hist - sorted)).toBeLessThan(0.01);
  });

  it('sends every training row, at serving, to the leaf it reached in training (thresholds on the raw scale)', () => {
    // continuous values (binned by quantiles), ties, and neighbouring doubles whose midpoint rounds
    const rng = new Rng(10);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = [
        rng.normal() * 10,
        Math.floor(rng.next() * 4),
        1 + (rng.next() < 0.5 ? 0 : Number.EPSILON) * Math.floor(rng.next() * 3),
        rng.next() < 0.3 ? 0 : rng.next() * 50,
      ];
      X.push(x);
      y.push(x[0] + x[1] + (x[2] > 1 ? 3 : 0) + x[3] / 10 + rng.normal() > 4 ? 1 : 0);
    }
    const leaves: Int32Array[] = [];
    const f = RandomForest.train(X, y, 2, options({ maxFeatures: 4, maxDepth: 12 }), { leaves: (_, leafOf) => leaves.push(leafOf) });
    expect(leaves).toHaveLength(10);
    let inBag = 0;
    for (const [t, tree] of f.json.trees.entries())
      for (const [i, x] of X.entries())
        if (leaves[t][i] >= 0) {
          inBag++;
          expect(leafAt(tree, x)).toBe(leaves[t][i]);
        }
    expect(inBag / (10 * X.length)).toBeCloseTo(1 - Math.exp(-1), 1);
    // and a split on the feature of neighbouring doubles keeps them apart
    const splits = f.json.trees.flatMap((t) => t.threshold.filter((_, i) => t.feature[i] === 2));
    for (const th of splits) expect(th === 1 || (th > 1 && th < 1 + 2 * Number.EPSILON)).toBe(true);
  });

  it('bins a feature once: one bin per value up to 255 values, at most 255 equal-count bins beyond, a frequent value alone', () => {
    const few = binFeature(Float64Array.from([3, 1, 2, 1, 3, 3, 255]));
    expect(Array.from(few.lo)).toEqual([1, 2, 3, 255]);
    expect(Array.from(few.hi)).toEqual([1, 2, 3, 255]);
    expect(Array.from(few.codes)).toEqual([2, 0, 1, 0, 2, 2, 3]);
    const rng = new Rng(11);
    const values = Float64Array.from({ length: 20000 }, () => (rng.next() < 0.5 ? 0 : rng.next() * 50));
    const b = binFeature(values);
    expect(b.lo.length).toBeLessThanOrEqual(255);
    expect(b.lo.length).toBeGreaterThan(200);
    expect(b.hi[0]).toBe(0); // the zeros, half the rows, are one bin
    const sizes = new Array<number>(b.lo.length).fill(0);
    for (const [i, v] of values.entries()) {
      sizes[b.codes[i]]++;
      expect(v >= b.lo[b.codes[i]] && v <= b.hi[b.codes[i]]).toBe(true);
      if (b.codes[i] > 0) expect(v > b.hi[b.codes[i] - 1]).toBe(true);
    }
    expect(Math.max(...sizes.slice(1))).toBeLessThan((2 * 10000) / 254 + 2);
  });

  it('refuses values that are not finite numbers and columns of the wrong length, by name', () => {
    expect(() => RandomForest.train([[0], [Number.NaN]], [0, 1], 2, options())).toThrow(/feature 0 of row 1 is NaN/);
    expect(() => RandomForest.trainColumns([new Float64Array(3)], new Uint8Array(2), 2, options())).toThrow(/feature 0 has 3 values for 2 labels/);
    expect(() => RandomForest.train([[0], [1]], [0, 2], 2, options())).toThrow(/row 1 has class 2/);
  });

  it('trains on 200,000 rows of nine v1-like features (10 trees, depth 10)', () => {
    const n = 200_000;
    const rng = new Rng(12);
    const cols = Array.from({ length: 9 }, () => new Float64Array(n));
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const spam = rng.next() < 0.23;
      y[i] = spam ? 1 : 0;
      cols[0][i] = Math.min(1, Math.max(0, (spam ? 0.25 : 0.08) + 0.1 * rng.normal()));
      cols[1][i] = rng.next() < (spam ? 0.6 : 0.1) ? rng.next() * 50 : 0;
      for (let f = 2; f < 9; f++) cols[f][i] = rng.next() < (spam ? 0.1 : 0.01) ? 1 : 0;
    }
    const f = RandomForest.trainColumns(cols, y, 2, options({ maxFeatures: 3 }));
    expect(f.json.trees).toHaveLength(10);
    for (const t of f.json.trees) expect(depth(t)).toBeLessThanOrEqual(10);
    const p = f.predictColumns(cols, 1);
    let right = 0;
    for (let i = 0; i < n; i++) if ((p[i] > 0.5 ? 1 : 0) === y[i]) right++;
    expect(right / n).toBeGreaterThan(0.85);
  });
});
