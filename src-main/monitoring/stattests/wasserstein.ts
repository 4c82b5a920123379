/** Wasserstein distance divided by the reference's standard deviation (Evidently's "wasserstein"): numeric, large reference. */
import { wassersteinNormed } from '../stats';
import type { StatTest } from './types';

export const wasserstein: StatTest = {
  name: 'wasserstein_normed',
  decidedBy: 'statistic',
  defaultThreshold: 0.1,
  appliesTo: ['numeric', 'tokens'],
  run: (ref, cur) => ({ statistic: wassersteinNormed(ref.sample, cur) }),
  drifted: (r, th) => r.statistic >= th,
};
