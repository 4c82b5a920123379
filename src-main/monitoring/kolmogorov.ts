/**
 * The distribution of the one-sample two-sided Kolmogorov-Smirnov statistic D_n, P(D_n > x):
 * what scipy's kstwo.sf computes and ks_2samp uses past 10,000 values (with n = round(mn/(m+n))).
 * The method per region follows Simard and L'Ecuyer (2011), as scipy does: exact formulas of
 * Ruben and Gambino at both ends, the Durbin matrix (Marsaglia-Tsang-Wang) and Pomeranz
 * recursions for small n x^2, twice Smirnov's one-sided tail for large n x^2, and the
 * Pelz-Good asymptotic series for large n.
 */

const TWO_128 = 2 ** 128;
const TWO_M128 = 2 ** -128;
const clip = (p: number) => Math.min(1, Math.max(0, p));

/** P(D_n > x), two-sided */
export function kolmogorovSmirnovSurvival(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // P(D_n <= x) = n!/n^n (2t - 1)^n for 1/2n <= x <= 1/n
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnov(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - durbinMatrix(n, x));
    if (nx2 <= 4) return clip(1 - pomeranz(n, x));
    return clip(2 * smirnov(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnov(n, x));
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? durbinMatrix(n, x) : pelzGood(n, x);
  return clip(1 - cdf);
}

/** log(n!/n^n) by Stirling's series (n*log(n) taken out first) */
function logFactorialOverPower(n: number): number {
  // B_2j / (2j (2j-1)) for j = 8 .. 1, highest power first
  const coeffs = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];
  const rn = 1 / n;
  let poly = 0;
  for (const c of coeffs) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/** Smirnov's one-sided tail P(D+_n >= x), the sum of Birnbaum and Tingey, term by term in logs */
export function smirnov(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x));
  // log binom(n, v) built up from v = 0, where the largest terms are (exact to a few ulps there)
  let logBinom = 0;
  let p = 0;
  for (let v = 0; v <= last; v++) {
    if (v > 0) logBinom += Math.log((n - v + 1) / v);
    const a = x + v / n;
    if (a >= 1) continue; // (1 - x - v/n)^(n-v) = 0
    p += Math.exp(logBinom + (v - 1) * Math.log(a) + (n - v) * Math.log1p(-a));
  }
  return p * x;
}

function matmul(a: Float64Array[], b: Float64Array[]): Float64Array[] {
  const m = a.length;
  const out = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 0; i < m; i++)
    for (let k = 0; k < m; k++) {
      const aik = a[i][k];
      if (aik === 0) continue;
      const bk = b[k];
      const oi = out[i];
      for (let j = 0; j < m; j++) oi[j] += aik * bk[j];
    }
  return out;
}

/** P(D_n <= d) by the Durbin matrix: the k-th diagonal entry of n!/n^n H^n, H of size 2k-1 */
function durbinMatrix(n: number, d: number): number {
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  // H: 1/(i-j+1)! on and below the first superdiagonal, the first column and last row corrected
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  v[m - 1] = (1 + (Math.max(2 * h - 1, 0) ** m - 2 * h ** m)) * fac;
  let H: Float64Array[] = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r][i] = w[r - i + 1];
  for (let r = 0; r < m; r++) H[r][0] = v[r];
  for (let c = 0; c < m; c++) H[m - 1][c] = v[m - 1 - c];
  // H^n by squaring, keeping the entries in range with powers of 2^128 on the side
  let P: Float64Array[] = Array.from({ length: m }, (_, i) => {
    const row = new Float64Array(m);
    row[i] = 1;
    return row;
  });
  let exp = 0;
  let hExp = 0;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2) {
      P = matmul(P, H);
      exp += hExp;
    }
    H = matmul(H, H);
    hExp *= 2;
    if (Math.abs(H[k - 1][k - 1]) > TWO_128) {
      for (const row of H) for (let c = 0; c < m; c++) row[c] /= TWO_128;
      hExp += 128;
    }
  }
  let p = P[k - 1][k - 1];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < TWO_M128) {
      p *= TWO_128;
      exp -= 128;
    }
  }
  return exp !== 0 ? p * 2 ** exp : p;
}

/** the endpoints of row i's non-zero entries in Pomeranz' recursion */
function pomeranzRange(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** P(D_n <= x) by Pomeranz' recursion: rows convolved with Poisson-like weights, times n! */
function pomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const size = 2 * (ll + 1);
  const gp = new Float64Array(size);
  const twoGp = new Float64Array(size);
  const oneMinusTwoGp = new Float64Array(size);
  gp[0] = twoGp[0] = oneMinusTwoGp[0] = 1;
  for (let k = 1; k < size; k++) {
    gp[k] = (gp[k - 1] * (g / n)) / k;
    twoGp[k] = (twoGp[k - 1] * ((2 * g) / n)) / k;
    oneMinusTwoGp[k] = (oneMinusTwoGp[k - 1] * ((1 - 2 * g) / n)) / k;
  }
  let v0 = new Float64Array(size);
  let v1 = new Float64Array(size);
  v1[0] = 1;
  let s0 = 0;
  let s1 = 0;
  let exp = 0;
  let [j1, j2] = pomeranzRange(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [s0, s1] = [s1, s0];
    v1.fill(0);
    [j1, j2] = pomeranzRange(i, n, ll, ceilf, roundf);
    const w = i === 1 || i === 2 * n + 1 ? gp : i % 2 ? twoGp : oneMinusTwoGp;
    const len = j2 - k1 + 1;
    if (len > 0) {
      // entries j1-k1 .. j2-k1 of the full convolution of v0[k1-s0 ..] (len values) with w[0 .. len)
      const from = j1 - k1;
      const count = j2 - j1 + 1;
      let max = 0;
      for (let c = 0; c < count; c++) {
        const idx = from + c;
        let s = 0;
        for (let a = Math.max(0, idx - len + 1); a <= Math.min(idx, len - 1); a++) s += v0[k1 - s0 + a] * w[idx - a];
        v1[c] = s;
        if (s > max) max = s;
      }
      if (max > 0 && max < TWO_M128) {
        for (let c = 0; c < size; c++) v1[c] *= TWO_128;
        exp -= 128;
      }
      s1 = s0 + j1 - k1;
    }
  }
  let ans = v1[n - s1];
  for (let k = 1; k <= n; k++) {
    if (Math.abs(ans) > TWO_128) {
      ans *= TWO_M128;
      exp += 128;
    }
    ans *= k;
  }
  return exp !== 0 ? ans * 2 ** exp : ans;
}

/** P(D_n <= x) by the Pelz-Good series in z = x sqrt(n) (Jacobi theta forms for small z) */
function pelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const pi2 = Math.PI ** 2;
  const pi4 = Math.PI ** 4;
  const pi6 = Math.PI ** 6;
  const qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  // sums of c_m q^(m^2) over odd m, by Horner in q^8k
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qp = q ** (8 * k);
    const c = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qp + c[i];
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const den = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * sqrt2pi) / den[i];
  // the sums over all k of K_2's and K_3's extra terms
  q = Math.exp(-pi2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const qk = q ** (k * k);
    k2extra += k * k * qk;
    k3extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k * k * qk;
  }
  K[2] += (k2extra * pi2 * sqrt2pi) / (-36 * z3);
  K[3] += (k3extra * pi2 * sqrt2pi) / (216 * z6);
  return K[0] + K[1] / n ** 0.5 + K[2] / n + K[3] / n ** 1.5;
}
