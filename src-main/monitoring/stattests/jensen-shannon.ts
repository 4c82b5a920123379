/** Jensen-Shannon distance (base e, scipy's jensenshannon) between category shares: categorical, large reference. */
import { jensenShannon } from '../stats';
import { categoryShares, type StatTest } from './types';

export const jensenShannonTest: StatTest = {
  name: 'jensen_shannon',
  decidedBy: 'statistic',
  defaultThreshold: 0.1,
  appliesTo: ['binary', 'numeric'],
  run: (ref, cur) => {
    const s = categoryShares(ref, cur);
    return { statistic: jensenShannon(s.ref, s.cur) };
  },
  drifted: (r, th) => r.statistic >= th,
};
