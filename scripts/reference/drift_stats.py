#!/usr/bin/python3
"""Expected drift statistics for the table in src-main/monitoring/stats.test.ts.

scipy (Debian's python3-scipy 1.10) computes the KS test (ks_2samp, method 'auto', two-sided),
the Wasserstein distance, chi-square and Jensen-Shannon; Evidently's stattests (not installable
here) are restated from its source with numpy: normed Wasserstein divides by max(np.std(ref),
0.001); PSI bins with get_binned_data (numpy 'sturges' edges over reference and current together
when the reference has more than 20 distinct values, else one bin per value seen), fills empty
shares with 0.0001 (or a millionth of the smallest share when that is at most 0.0001) and sums
(r - c) ln(r / c); the Z-test is 2 (1 - Phi(|z|)) on pooled proportions.
The samples are rebuilt by the test from the same formulas (integer arithmetic and one division,
so both languages get the same floats). Prints JSON.
"""
import json
import warnings

import numpy as np
from scipy import stats
from scipy.spatial import distance


def samples():
    ties_a = [1, 2, 2, 3, 3, 3, 4, 5, 5, 6]
    ties_b = [2, 3, 3, 4, 5, 5, 6, 6, 7, 8, 8, 9]
    # n = 30 each with ties (the exact formula for equal sizes); a shift of 1/30 leaves scipy's
    # exact sum just above 1, and scipy falls back to the asymptotic distribution
    eq_a = [k // 3 for k in range(30)]
    eq_b = [(k + 9) // 3 for k in range(30)]
    eq_c = [(k + 1) // 3 for k in range(30)]
    big_ref = [((k * 7919) % 1000) / 1000 * 3 + ((k * 31) % 17) / 17 for k in range(1000)]
    big_cur = [((k * 104729) % 1000) / 1000 * 3 + ((k * 13) % 11) / 11 + 0.15 for k in range(1000)]
    mid_cur = [((k * 7907) % 800) / 800 * 3 + ((k * 29) % 19) / 19 + 0.15 for k in range(800)]
    const_ref = [0.5] * 1000
    const_cur = [0.5 + ((k * 37) % 5) / 100 for k in range(200)]
    return {
        'ties 10 vs 12': (ties_a, ties_b),
        'ties 30 vs 30': (eq_a, eq_b),
        'ties 30 vs 30, exact sum above 1': (eq_a, eq_c),
        'formula 1000 vs 1000': (big_ref, big_cur),
        'formula 1000 vs 800': (big_ref, mid_cur),
        'constant reference 1000 vs 200': (const_ref, const_cur),
    }


def fill_zeroes(p):
    p = p.copy()
    nz = p[p != 0]
    fill = nz.min() / 10**6 if nz.min() <= 0.0001 else 0.0001
    np.place(p, p == 0, fill)
    return p


def binned(ref, cur):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    if len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
        return np.histogram(ref, bins)[0] / len(ref), np.histogram(cur, bins)[0] / len(cur), len(bins) - 1
    keys = sorted(set(ref) | set(cur))
    return np.array([np.sum(ref == k) / len(ref) for k in keys]), np.array([np.sum(cur == k) / len(cur) for k in keys]), len(keys)


def evidently_psi(r, c):
    r, c = fill_zeroes(r), fill_zeroes(c)
    return float(np.sum((r - c) * np.log(r / c)))


def main():
    out = {'pairs': {}}
    for name, (a, b) in samples().items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            ks = stats.ks_2samp(a, b)
        r, c, nbins = binned(a, b)
        out['pairs'][name] = {
            'ks_statistic': float(ks.statistic),
            'ks_pvalue': float(ks.pvalue),
            'ks_method': 'asymp' if caught or max(len(a), len(b)) > 10000 else 'exact',
            'ks_asymptotic_stephens': float(stats.kstwobign.sf((np.sqrt(len(a) * len(b) / (len(a) + len(b))) + 0.12 + 0.11 / np.sqrt(len(a) * len(b) / (len(a) + len(b)))) * ks.statistic)),
            'wasserstein_normed': float(stats.wasserstein_distance(a, b) / max(np.std(a), 0.001)),
            'psi_bins': nbins,
            'psi': evidently_psi(r, c),
        }
    # past 10,000 values ks_2samp uses kstwo.sf(D, round(mn/(m+n)))
    small = [((k * 7919) % 300) / 300 * 3 + ((k * 31) % 17) / 17 for k in range(300)]
    out['ks_asymp'] = {}
    for shift in (0.15, 0.35):
        large = [((k * 104729) % 12000) / 12000 * 3 + ((k * 13) % 11) / 11 + shift for k in range(12000)]
        r = stats.ks_2samp(small, large)
        out['ks_asymp'][shift] = [float(r.statistic), float(r.pvalue)]
    out['kstwo_sf'] = [[n, x, float(stats.kstwo.sf(x, n))] for n, x in
                       [(20, 0.2), (60, 0.1), (60, 0.3), (140, 0.15), (293, 0.05), (952, 0.05), (952, 0.1), (5000, 0.01)]]
    # chi-square of counts against reference proportions (Evidently: f_exp = ref counts * n_cur / n_ref)
    chi = {}
    for name, (p, counts) in {
        'moderate': ([0.5, 0.3, 0.2], [60, 25, 15]),
        'far tail': ([0.25, 0.25, 0.25, 0.25], [400, 50, 30, 20]),
        'many categories': ([1 / 12] * 12, [8, 12, 9, 11, 10, 7, 13, 10, 9, 11, 12, 8]),
    }.items():
        n = sum(counts)
        res = stats.chisquare(counts, [q * n for q in p])
        chi[name] = {'p': p, 'counts': counts, 'statistic': float(res.statistic), 'pvalue': float(res.pvalue),
                     'one_minus_cdf': float(1 - stats.chi2.cdf(res.statistic, len(p) - 1))}
    out['chisquare'] = chi
    z = {}
    for name, (p1, n1, p2, n2) in {'moderate': (0.6, 100, 0.5, 100), 'unequal sizes': (0.12, 1000, 0.2, 150)}.items():
        pp = (p1 * n1 + p2 * n2) / (n1 + n2)
        zz = (p1 - p2) / np.sqrt(pp * (1 - pp) * (1.0 / n1 + 1.0 / n2))
        z[name] = {'statistic': float(zz), 'pvalue': float(2 * (1 - stats.norm.cdf(abs(zz))))}
    out['z'] = z
    out['jensenshannon'] = {
        'shares': float(distance.jensenshannon([0.1, 0.4, 0.5], [0.3, 0.3, 0.4])),
        'counts': float(distance.jensenshannon([3, 0, 7, 10], [1, 5, 4, 0])),
    }
    # PSI with a share between 0 and 0.0001 (kept by Evidently) and an empty bin
    out['psi_small_share'] = evidently_psi(np.array([0.5, 0.49995, 0.00005]), np.array([0.5, 0.5, 0.0]))
    out['psi_zero_share'] = evidently_psi(np.array([0.3, 0.5, 0.2]), np.array([0.4, 0.6, 0.0]))
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
