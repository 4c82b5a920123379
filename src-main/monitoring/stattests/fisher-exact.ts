/**
 * Fisher's exact test on the count of ones, window against reference: binary features of any
 * reference size. Exact where the Z-test's normal approximation fails, for rare values (a cue word
 * in 1 % of messages is about 3 of a window of 300); the dataset-drift rule's test for binary features.
 */
import { fisherExact } from '../stats';
import type { StatTest } from './types';

export const fisherExactTest: StatTest = {
  name: 'fisher_exact',
  decidedBy: 'p_value',
  defaultThreshold: 0.05,
  appliesTo: ['binary'],
  run: (ref, cur) => {
    const curOnes = cur.filter((v) => v >= 0.5).length;
    // the reference's ones from its exact mean over all its rows (its sample holds at most 1,000)
    const refOnes = Math.round(ref.mean * ref.count);
    return fisherExact(curOnes, refOnes, cur.length - curOnes, ref.count - refOnes);
  },
  drifted: (r, th) => (r.pValue ?? 1) < th,
};
