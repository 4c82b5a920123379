/** Two-sample Kolmogorov-Smirnov (scipy's ks_2samp, exact or asymptotic): numeric features, small reference. */
import { ksTwoSample } from '../stats';
import type { StatTest } from './types';

export const ks: StatTest = {
  name: 'ks',
  decidedBy: 'p_value',
  defaultThreshold: 0.05,
  appliesTo: ['numeric', 'tokens'],
  run: (ref, cur) => ksTwoSample(ref.sample, cur),
  drifted: (r, th) => (r.pValue ?? 1) <= th,
};
