//! Quantiles exactly as [`crate::signal::quantile`] gives them (the same value, bit for bit),
//! without copying and selecting over every value: the motion and rep pipelines take several
//! of them per recording.

/// A key whose integer order is the total order of `f64` ([`f64::total_cmp`]).
#[inline]
fn key(v: f64) -> i64 {
    let b = v.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// Below this many finite values the selection runs on all of them.
const SMALL: usize = 4096;

/// Kept values staged before they are appended (see [`quantiles`]).
const STAGE: usize = 64;

/// The `qs`-quantiles (nearest rank) of the finite values `values` gives, exactly as
/// [`crate::signal::quantile`] gives each (`NaN` when there is no finite value).
///
/// A subsample of every 16th value gives, for each quantile, two bounds a few percent of the
/// values apart; one pass over all values then counts the finite ones, counts those below
/// the lower bound and keeps those between the bounds, and the selection runs on the kept
/// values. When a bound misses (rare), that quantile falls back to a selection over all
/// values.
pub(crate) fn quantiles<I, const N: usize>(values: I, qs: [f64; N]) -> [f64; N]
where
    I: Iterator<Item = f64> + Clone,
{
    let finite = || values.clone().filter(|v| v.is_finite());
    let rank = |n: usize, q: f64| ((n - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    let select = |v: &mut [f64], k: usize| *v.select_nth_unstable_by(k, f64::total_cmp).1;
    let mut sub: Vec<f64> = values
        .clone()
        .step_by(16)
        .filter(|v| v.is_finite())
        .collect();
    if sub.len() < SMALL / 16 {
        let mut all = sub;
        all.clear();
        all.extend(finite());
        if all.is_empty() {
            return [f64::NAN; N];
        }
        let n = all.len();
        return qs.map(|q| select(&mut all, rank(n, q)));
    }
    // Bounds: the subsample's quantiles 2.5 % of the ranks either side (about 4 standard
    // errors of the subsample at the median), as total-order keys; a value is kept when its
    // key minus `lo` is at most `width` (unsigned).
    let m = sub.len();
    let bounds: [(i64, u64); N] = qs.map(|q| {
        let q = q.clamp(0.0, 1.0);
        let lo = if q - 0.025 <= 0.0 {
            i64::MIN
        } else {
            key(select(&mut sub, rank(m, q - 0.025)))
        };
        let hi = if q + 0.025 >= 1.0 {
            i64::MAX
        } else {
            key(select(&mut sub, rank(m, q + 0.025)))
        };
        (lo, hi.wrapping_sub(lo) as u64)
    });
    let mut n = 0usize;
    let mut below = [0usize; N];
    let mut kept: [Vec<f64>; N] = std::array::from_fn(|_| Vec::with_capacity(m * 16 / 12));
    // Kept values go through a small staging array written at every value and advanced
    // only for the kept ones (no branch on a test that passes at random), emptied into
    // `kept` when full; the order of the kept values is unchanged.
    let mut stage = [[0.0f64; STAGE]; N];
    let mut staged = [0usize; N];
    for v in finite() {
        n += 1;
        let k = key(v);
        for j in 0..N {
            let (lo, width) = bounds[j];
            below[j] += usize::from(k < lo);
            stage[j][staged[j]] = v;
            staged[j] += usize::from((k.wrapping_sub(lo) as u64) <= width);
            if staged[j] == STAGE {
                kept[j].extend_from_slice(&stage[j]);
                staged[j] = 0;
            }
        }
    }
    for j in 0..N {
        kept[j].extend_from_slice(&stage[j][..staged[j]]);
    }
    let mut all: Option<Vec<f64>> = None;
    let mut out = [f64::NAN; N];
    for j in 0..N {
        let (r, b) = (rank(n, qs[j]), below[j]);
        out[j] = if r >= b && r - b < kept[j].len() {
            select(&mut kept[j], r - b)
        } else {
            select(all.get_or_insert_with(|| finite().collect()), r)
        };
    }
    out
}

/// The median of the finite values, exactly as [`crate::signal::median`] gives it.
pub(crate) fn median<I>(values: I) -> f64
where
    I: Iterator<Item = f64> + Clone,
{
    quantiles(values, [0.5])[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_equal_the_plain_selection_bit_for_bit() {
        let mut rng = crate::synth::Rng::new(7);
        for n in [0usize, 1, 2, 5, 4095, 4096, 5000, 20_000, 100_003] {
            let x: Vec<f64> = (0..n)
                .map(|i| match i % 97 {
                    0 => f64::NAN,
                    1 => 0.0,
                    2 => -0.0,
                    3 => f64::INFINITY,
                    4 => (i % 5) as f64, // ties
                    _ => rng.normal() * 3.0 + (i as f64 * 1e-3).sin(),
                })
                .collect();
            let qs = [0.0, 0.005, 0.02, 0.3, 0.5, 0.9, 0.98, 0.995, 1.0];
            let fast = quantiles(x.iter().copied(), qs);
            for (q, f) in qs.iter().zip(&fast) {
                let slow = crate::signal::quantile(x.iter().copied(), *q);
                assert!(
                    f.to_bits() == slow.to_bits() || (f.is_nan() && slow.is_nan()),
                    "n {n}, q {q}: {f} against {slow}"
                );
            }
        }
        // Sorted and reversed inputs, a single repeated value.
        let sorted: Vec<f64> = (0..50_000).map(f64::from).collect();
        let rev: Vec<f64> = sorted.iter().rev().copied().collect();
        for x in [&sorted, &rev, &vec![2.5; 9000]] {
            for q in [0.02, 0.5, 0.98] {
                let f = quantiles(x.iter().copied(), [q])[0];
                assert_eq!(f, crate::signal::quantile(x.iter().copied(), q));
            }
        }
    }

    #[test]
    fn total_order_key() {
        let v = [
            f64::NEG_INFINITY,
            -3.0,
            -0.0,
            0.0,
            1e-300,
            2.0,
            f64::INFINITY,
        ];
        for a in v {
            for b in v {
                assert_eq!(key(a).cmp(&key(b)), a.total_cmp(&b), "{a} {b}");
            }
        }
    }
}

/// The rational arctangent of the Cephes library (`atan.c`): numerator and denominator
/// coefficients in `t²`.
const ATAN_P: [f64; 5] = [
    -8.750_608_600_031_904e-1,
    -1.615_753_718_733_365e1,
    -7.500_855_792_314_705e1,
    -1.228_866_684_490_136e2,
    -6.485_021_904_942_025e1,
];
const ATAN_Q: [f64; 5] = [
    2.485_846_490_142_306_3e1,
    1.650_270_098_316_988_5e2,
    4.328_810_604_912_903e2,
    4.853_903_996_359_137e2,
    1.945_506_571_482_614e2,
];
// tan(3π/8) and the low-order bits of π/2 and π/4 left out of their f64 values.
const ATAN_T3P8: f64 = 2.414_213_562_373_095;
const ATAN_MOREBITS: f64 = 6.123_233_995_736_766e-17;

/// `y.atan2(x)` to within a few units in the last place (measured below 5·10⁻¹⁶ rad against
/// the standard library), about three times faster: the per-frame angles of keypoint
/// signals take one per frame and side.
///
/// The argument is reduced to `|t| ≤ 0.66` (`t`, `(t − 1) / (t + 1)` or `−1 / t`) and the
/// arctangent there is the rational approximation of the Cephes library (`atan.c`, degree
/// 4 over 5 in `t²`); the quadrant follows from the signs. Not-a-number in, not-a-number
/// out; infinities are not expected (positions are finite or NaN).
#[inline]
pub(crate) fn atan2(y: f64, x: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};
    const P: [f64; 5] = ATAN_P;
    const Q: [f64; 5] = ATAN_Q;
    const T3P8: f64 = ATAN_T3P8;
    const MOREBITS: f64 = ATAN_MOREBITS;
    let (ax, ay) = (x.abs(), y.abs());
    if ax.is_nan() || ay.is_nan() {
        return f64::NAN;
    }
    if ax == 0.0 && ay == 0.0 {
        return y.atan2(x);
    }
    // atan(t) for t = ay / ax ≥ 0 (inf when ax = 0).
    let t = ay / ax;
    let (base, u, more) = if t > T3P8 {
        (FRAC_PI_2, -1.0 / t, MOREBITS)
    } else if t > 0.66 {
        (FRAC_PI_4, (t - 1.0) / (t + 1.0), 0.5 * MOREBITS)
    } else {
        (0.0, t, 0.0)
    };
    let z = u * u;
    let p = (((P[0] * z + P[1]) * z + P[2]) * z + P[3]) * z + P[4];
    let q = ((((z + Q[0]) * z + Q[1]) * z + Q[2]) * z + Q[3]) * z + Q[4];
    let a = base + (u * (z * p / q) + u + more);
    // Quadrant: atan2 = a, π − a, −a or −(π − a).
    let a = if x.is_sign_negative() { PI - a } else { a };
    if y.is_sign_negative() {
        -a
    } else {
        a
    }
}

/// [`atan2`] of each pair `(y[i], x[i])` (the shorter length), the same values bit for bit:
/// four pairs at a time go through [`atan2x4`], whose lanes are independent, so the
/// divisions and polynomials of several frames overlap instead of each frame waiting on
/// its own.
pub(crate) fn atan2_each(y: &[f64], x: &[f64]) -> Vec<f64> {
    let n = y.len().min(x.len());
    let (y, x) = (&y[..n], &x[..n]);
    let mut out = Vec::with_capacity(n);
    let (cy, cx) = (y.chunks_exact(4), x.chunks_exact(4));
    let (ty, tx) = (cy.remainder(), cx.remainder());
    for (a, b) in cy.zip(cx) {
        out.extend_from_slice(&atan2x4([a[0], a[1], a[2], a[3]], [b[0], b[1], b[2], b[3]]));
    }
    out.extend(ty.iter().zip(tx).map(|(&a, &b)| atan2(a, b)));
    out
}

/// [`atan2`] of four pairs: lane by lane the same operations, so the same values, with the
/// reduction and the quadrant chosen by bit masks instead of branches (the lanes vectorise);
/// lanes with a `NaN` or two zeros are redone by [`atan2`].
#[inline(always)]
fn atan2x4(y: [f64; 4], x: [f64; 4]) -> [f64; 4] {
    use std::array::from_fn;
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};
    let sel = |c: bool, a: f64, b: f64| {
        let m = 0u64.wrapping_sub(u64::from(c));
        f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
    };
    let (ax, ay) = (x.map(f64::abs), y.map(f64::abs));
    let t: [f64; 4] = from_fn(|j| ay[j] / ax[j]);
    let big: [bool; 4] = from_fn(|j| t[j] > ATAN_T3P8);
    let mid: [bool; 4] = from_fn(|j| !big[j] & (t[j] > 0.66));
    // u: −1 / t, (t − 1) / (t + 1) or t (t / 1 is t, so all lanes may divide).
    let u: [f64; 4] = if big.iter().chain(&mid).any(|&b| b) {
        let num: [f64; 4] = from_fn(|j| sel(big[j], -1.0, sel(mid[j], t[j] - 1.0, t[j])));
        let den: [f64; 4] = from_fn(|j| sel(big[j], t[j], sel(mid[j], t[j] + 1.0, 1.0)));
        from_fn(|j| num[j] / den[j])
    } else {
        t
    };
    let base: [f64; 4] = from_fn(|j| sel(big[j], FRAC_PI_2, sel(mid[j], FRAC_PI_4, 0.0)));
    let more: [f64; 4] =
        from_fn(|j| sel(big[j], ATAN_MOREBITS, sel(mid[j], 0.5 * ATAN_MOREBITS, 0.0)));
    let z: [f64; 4] = from_fn(|j| u[j] * u[j]);
    let p: [f64; 4] = from_fn(|j| {
        (((ATAN_P[0] * z[j] + ATAN_P[1]) * z[j] + ATAN_P[2]) * z[j] + ATAN_P[3]) * z[j] + ATAN_P[4]
    });
    let q: [f64; 4] = from_fn(|j| {
        ((((z[j] + ATAN_Q[0]) * z[j] + ATAN_Q[1]) * z[j] + ATAN_Q[2]) * z[j] + ATAN_Q[3]) * z[j]
            + ATAN_Q[4]
    });
    let a: [f64; 4] = from_fn(|j| base[j] + (u[j] * (z[j] * p[j] / q[j]) + u[j] + more[j]));
    let a: [f64; 4] = from_fn(|j| sel(x[j].is_sign_negative(), PI - a[j], a[j]));
    let mut out: [f64; 4] = from_fn(|j| sel(y[j].is_sign_negative(), -a[j], a[j]));
    let special =
        (0..4).any(|j| (ax[j].is_nan() | ay[j].is_nan()) | ((ax[j] == 0.0) & (ay[j] == 0.0)));
    if special {
        for j in 0..4 {
            out[j] = atan2(y[j], x[j]);
        }
    }
    out
}

#[cfg(test)]
mod atan2_tests {
    /// Against the standard library over every quadrant, the reduction's boundaries and
    /// the axes; a small LCG supplies the points (no dependency).
    #[test]
    fn atan2_is_the_standard_librarys_to_the_last_bits() {
        let mut s: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        let mut worst: f64 = 0.0;
        for i in 0..200_000 {
            let scale = 10f64.powi(i % 9 - 4);
            let (y, x) = (next() * scale, next());
            worst = worst.max((super::atan2(y, x) - y.atan2(x)).abs());
        }
        for &(y, x) in &[
            (0.66, 1.0),
            (0.660_000_000_000_001, 1.0),
            (2.414_213_562_373_095, 1.0),
            (1.0, 1.0),
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, -1.0),
            (-0.0, -1.0),
            (0.0, 1.0),
            (1e-300, -1.0),
        ] {
            worst = worst.max((super::atan2(y, x) - f64::atan2(y, x)).abs());
        }
        assert!(worst < 5e-16, "largest difference {worst:e} rad");
        // Four at a time: the same values, bit for bit, in every quadrant and reduction,
        // with zeros, signed zeros and NaN among them (an odd length: the tail too).
        let mut y: Vec<f64> = (0..1001).map(|i| next() * 10f64.powi(i % 7 - 3)).collect();
        let mut x: Vec<f64> = (0..1001).map(|_| next()).collect();
        let odd = [
            (0.0, 0.0),
            (-0.0, -1.0),
            (1.0, 0.0),
            (f64::NAN, 1.0),
            (0.0, -0.0),
        ];
        for (i, (a, b)) in odd.into_iter().enumerate() {
            (y[7 * i + 2], x[7 * i + 2]) = (a, b);
        }
        let each = super::atan2_each(&y, &x);
        assert_eq!(each.len(), 1001);
        for ((&e, &a), &b) in each.iter().zip(&y).zip(&x) {
            let one = super::atan2(a, b);
            assert!(
                e.to_bits() == one.to_bits() || (e.is_nan() && one.is_nan()),
                "{a} {b}: {e} against {one}"
            );
        }
        assert!(super::atan2(f64::NAN, 1.0).is_nan());
        assert_eq!(super::atan2(0.0, 0.0), 0.0f64.atan2(0.0));
    }
}
