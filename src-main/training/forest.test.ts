/** The random forest of v1 on its own: what it learns, how deep it grows, that a seed repeats it. */
import { describe, expect, it } from 'vitest';
import { RandomForest, type ForestOptions } from './forest';
import { Rng } from './rng';

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
});
