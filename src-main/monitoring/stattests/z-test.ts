/** Two-proportion Z-test on the share of ones: binary features, small reference. */
import { zTestProportions } from '../stats';
import type { StatTest } from './types';

export const zTest: StatTest = {
  name: 'z_test',
  decidedBy: 'p_value',
  defaultThreshold: 0.05,
  appliesTo: ['binary'],
  run: (ref, cur) => zTestProportions(ref.mean, ref.count, cur.length ? cur.filter((v) => v >= 0.5).length / cur.length : 0, cur.length),
  drifted: (r, th) => (r.pValue ?? 1) < th,
};
