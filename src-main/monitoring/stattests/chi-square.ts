/** Pearson's chi-square goodness of fit of the window's category counts to the reference shares: categorical (> 2 values), small reference. */
import { chiSquareTest } from '../stats';
import { categoryShares, type StatTest } from './types';

export const chiSquare: StatTest = {
  name: 'chi_square',
  decidedBy: 'p_value',
  defaultThreshold: 0.05,
  appliesTo: ['binary', 'numeric'],
  run: (ref, cur) => {
    const s = categoryShares(ref, cur);
    const t = chiSquareTest(
      s.ref,
      s.cur.map((c) => c * cur.length),
    );
    return { statistic: t.statistic, pValue: t.pValue };
  },
  drifted: (r, th) => (r.pValue ?? 1) < th,
};
