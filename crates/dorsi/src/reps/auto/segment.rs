//! Period estimation (autocorrelation peak) and cycle segmentation (peaks with prominence,
//! valleys between them) on one signal of the analysis grid.

use crate::motion::moving_average;

/// The period of a signal: the lag of the autocorrelation's first strong local maximum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Period {
    /// Period, in samples (parabolic interpolation between lags).
    pub samples: f64,
    /// Autocorrelation at that lag, in [−1, 1]: how periodic the signal is.
    pub score: f64,
}

/// How a period is picked among the autocorrelation's local maxima (see
/// [`period_from_autocorrelation`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PeakRule {
    /// A shorter local maximum is the period when it reaches this share of the highest.
    pub harmonic_ratio: f64,
    /// A shorter local maximum of which the highest is the third or a later multiple is the
    /// period when local maxima stand at each multiple up to it, each reaching this share of
    /// the highest.
    pub comb_ratio: f64,
}

/// The period between `min_lag` and `max_lag` samples: among the local maxima of the
/// autocorrelation in that range, the shortest lag whose value is at least
/// `rule.harmonic_ratio` of the highest (so a cycle, not two cycles, is taken), or of which
/// the highest is a whole comb ([`PeakRule::comb_ratio`]). `None` without a local maximum.
#[cfg(test)]
pub(crate) fn estimate_period(
    x: &[f64],
    min_lag: usize,
    max_lag: usize,
    rule: PeakRule,
) -> Option<Period> {
    let r = super::fft::autocorrelation(x, max_lag.min(x.len() / 2) + 1);
    period_from_autocorrelation(&r, x.len(), min_lag, max_lag, rule)
}

/// [`estimate_period`] from a signal's autocorrelation `r` (lags 0 to at least
/// `min(max_lag, n / 2) + 1`) and its length `n`.
///
/// A periodic signal's autocorrelation peaks at every multiple of its cycle, the later ones
/// lower as the rhythm drifts; but a multiple estimated from a few cycles' overlap (a long
/// lag in a short recording) can come out higher by chance. A rep with two alike halves (up
/// and down) makes a lower peak at half its cycle, so a shorter peak needs most of the
/// highest's value; but a rep is not made of three or more alike parts: when the highest
/// peak is the m-th multiple (m ≥ 3) of a shorter one, and a local maximum stands at every
/// multiple between (within a fifth of the shorter lag), each at least `comb_ratio` of the
/// highest, the highest is a multiple of the cycle and the shorter lag the cycle.
pub(crate) fn period_from_autocorrelation(
    r: &[f64],
    n: usize,
    min_lag: usize,
    max_lag: usize,
    rule: PeakRule,
) -> Option<Period> {
    let max_lag = max_lag.min(n / 2);
    if min_lag < 1 || max_lag < min_lag + 1 || r.len() < max_lag + 2 {
        return None;
    }
    let maxima: Vec<usize> = (min_lag.max(1)..=max_lag)
        .filter(|&k| k + 1 < r.len() && r[k] > r[k - 1] && r[k] >= r[k + 1])
        .collect();
    // Compared without the biased estimator's taper (r[k] · n / (n − k)), so a cycle of two
    // similar bumps is not cut in half just because the shorter lag is less tapered.
    let n = n as f64;
    let unbiased = |k: usize| r[k] * n / (n - k as f64);
    let (top, best) = maxima
        .iter()
        .map(|&k| (k, unbiased(k)))
        .fold((0, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a });
    if !best.is_finite() || best <= 0.0 {
        return None;
    }
    // The highest peak as the m-th multiple (m ≥ 3) of lag k, with a peak at every multiple.
    let comb = |k: usize| {
        let (k, l) = (k as f64, top as f64);
        let m = (l / k).round();
        let near = |target: f64| {
            maxima.iter().any(|&q| {
                (q as f64 - target).abs() <= 0.2 * k && unbiased(q) >= rule.comb_ratio * best
            })
        };
        m >= 3.0 && (l - m * k).abs() <= 0.2 * k && (1..m as usize).all(|j| near(j as f64 * k))
    };
    let k = *maxima
        .iter()
        .find(|&&k| unbiased(k) >= rule.harmonic_ratio * best || comb(k))?;
    Some(interpolated(r, k))
}

/// The autocorrelation peak at lag `k` (a local maximum, `0 < k < r.len() − 1`) refined by
/// the parabola through lags k − 1, k and k + 1; its score is the value at `k`.
pub(crate) fn interpolated(r: &[f64], k: usize) -> Period {
    let (a, b, c) = (r[k - 1], r[k], r[k + 1]);
    let den = a - 2.0 * b + c;
    let shift = if den < 0.0 {
        (0.5 * (a - c) / den).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    Period {
        samples: k as f64 + shift,
        score: b,
    }
}

/// The highest local maximum of the autocorrelation `r` (of a signal of `n` samples) within
/// `tolerance` (a share) of `target` lags, as a [`Period`] (parabolic interpolation, score
/// the autocorrelation there); `None` when there is none or it is not positive.
pub(crate) fn peak_near(r: &[f64], n: usize, target: f64, tolerance: f64) -> Option<Period> {
    let lo = ((target * (1.0 - tolerance)).floor() as usize).max(1);
    let hi = ((target * (1.0 + tolerance)).ceil() as usize).min(n / 2);
    let k = (lo..=hi)
        .filter(|&k| k + 1 < r.len() && r[k] > r[k - 1] && r[k] >= r[k + 1])
        .max_by(|&a, &b| r[a].total_cmp(&r[b]))?;
    if r[k] <= 0.0 {
        return None;
    }
    Some(interpolated(r, k))
}

/// Centred moving average of width `width` applied twice (a triangular kernel): a cheap
/// zero-phase low-pass filter.
pub(crate) fn smooth(x: &[f64], width: usize) -> Vec<f64> {
    if width < 2 {
        return x.to_vec();
    }
    moving_average_filled(&moving_average_filled(x, width), width)
}

/// [`moving_average`] (the centred window of `2·(width / 2) + 1` samples, shorter at the
/// ends), the same values, faster on signals with no `NaN` (the analysis grid's are filled):
/// the two running sums add the same values in the same order, without the per-sample tests
/// for missing values. Signals with a `NaN` go to [`moving_average`].
pub(crate) fn moving_average_filled(x: &[f64], width: usize) -> Vec<f64> {
    if !x.iter().all(|v| v.is_finite()) {
        return moving_average(x, width);
    }
    let n = x.len();
    let half = width / 2;
    // `ahead`: the sum of x[..i + half + 1]; `behind`: of x[..i − half].
    let mut ahead = 0.0;
    for v in &x[..half.min(n)] {
        ahead += v;
    }
    let mut behind = 0.0;
    let mut out = Vec::with_capacity(n);
    // The general step near the ends, where the window is cut.
    let step = |i: usize, ahead: &mut f64, behind: &mut f64, out: &mut Vec<f64>| {
        if let Some(v) = x.get(i + half) {
            *ahead += v;
        }
        if i > half {
            *behind += x[i - half - 1];
        }
        let count = (i + half + 1).min(n) - i.saturating_sub(half);
        out.push((*ahead - *behind) / count as f64);
    };
    // Inside, the whole window: the same operations without the tests.
    let inner = (half + 1)..n.saturating_sub(half);
    for i in 0..inner.start.min(n) {
        step(i, &mut ahead, &mut behind, &mut out);
    }
    if !inner.is_empty() {
        let count = (2 * half + 1) as f64;
        // `extend` from an iterator of known length: no capacity test per sample.
        out.extend(x[inner.start + half..].iter().zip(x).map(|(enter, leave)| {
            ahead += enter;
            behind += leave;
            (ahead - behind) / count
        }));
    }
    for i in inner.end.max(inner.start.min(n))..n {
        step(i, &mut ahead, &mut behind, &mut out);
    }
    out
}

/// Local maxima of `x` (the middle of a flat top), like `scipy.signal.find_peaks` without
/// conditions.
pub(crate) fn local_maxima(x: &[f64]) -> Vec<usize> {
    let mut out = Vec::new();
    let n = x.len();
    let mut i = 1;
    while i + 1 < n {
        if x[i - 1] < x[i] {
            let mut ahead = i + 1;
            while ahead + 1 < n && x[ahead] == x[i] {
                ahead += 1;
            }
            if x[ahead] < x[i] {
                out.push((i + ahead - 1) / 2);
                i = ahead;
            }
        }
        i += 1;
    }
    out
}

/// Keep the highest peaks at least `distance` samples apart, highest first, as
/// `scipy.signal.find_peaks(distance=...)` does; returned in time order.
pub(crate) fn select_by_distance(x: &[f64], peaks: &[usize], distance: usize) -> Vec<usize> {
    if distance <= 1 {
        return peaks.to_vec();
    }
    let mut keep = vec![true; peaks.len()];
    let mut order: Vec<usize> = (0..peaks.len()).collect();
    order.sort_by(|&a, &b| x[peaks[b]].total_cmp(&x[peaks[a]]).then(b.cmp(&a)));
    for &i in &order {
        if !keep[i] {
            continue;
        }
        let p = peaks[i];
        let mut k = i;
        while k > 0 && p - peaks[k - 1] < distance {
            k -= 1;
            keep[k] = false;
        }
        let mut k = i + 1;
        while k < peaks.len() && peaks[k] - p < distance {
            keep[k] = false;
            k += 1;
        }
    }
    peaks
        .iter()
        .zip(keep)
        .filter_map(|(&p, k)| k.then_some(p))
        .collect()
}

/// Prominence of each peak with a window of `wlen` samples centred on it, as
/// `scipy.signal.peak_prominences(x, peaks, wlen)` computes it: the peak's height over the
/// higher of the lowest points on each side (searched until a higher sample or the window's
/// edge). With `open_ends`, a side whose search ran into the end of the signal (not the
/// window's edge, nor a higher sample) is not observed in full and is ignored: a rep cut by
/// the start or end of the recording is measured on its observed side.
pub(crate) fn prominences(x: &[f64], peaks: &[usize], wlen: usize, open_ends: bool) -> Vec<f64> {
    let n = x.len();
    let half = wlen / 2;
    peaks
        .iter()
        .map(|&p| {
            let lo = p.saturating_sub(half);
            let hi = (p + half).min(n.saturating_sub(1));
            let mut left_min = x[p];
            let mut i = p;
            let mut left_open = true;
            while i > lo {
                i -= 1;
                if x[i] > x[p] {
                    left_open = false;
                    break;
                }
                left_min = left_min.min(x[i]);
            }
            left_open &= i == 0;
            let mut right_min = x[p];
            let mut i = p;
            let mut right_open = true;
            while i < hi {
                i += 1;
                if x[i] > x[p] {
                    right_open = false;
                    break;
                }
                right_min = right_min.min(x[i]);
            }
            right_open &= i + 1 == n;
            let base = match (open_ends, left_open, right_open) {
                (true, true, false) => right_min,
                (true, false, true) => left_min,
                _ => left_min.max(right_min),
            };
            x[p] - base
        })
        .collect()
}

/// Local periodicity of several channels: for each sample, the highest over `lags` of the
/// correlation between the channels over a window of `width` samples and the same channels
/// one lag later, `Σ_c Σ_i x_c[i]·x_c[i+lag] / √(Σ_c Σ_i x_c[i]² · Σ_c Σ_i x_c[i+lag]²)`,
/// with the pair of windows centred on the sample (no mean removed: the channels are
/// detrended). 0 where the channels are flat. O(n · channels · lags) with prefix sums.
pub(crate) fn local_periodicity(chans: &[Vec<f64>], lags: &[usize], width: usize) -> Vec<f64> {
    let n = chans.first().map_or(0, Vec::len);
    let mut out = vec![0.0f64; n];
    let mut prod = vec![0.0; n + 1];
    // Each sample's energy over the channels (added in channel order) and its prefix sums
    // serve every lag: the energy of the first window is a prefix of these, that of the
    // window a lag later the same energies shifted, summed afresh per lag in the same
    // order (so the same sums as accumulating them per lag).
    let mut energy = vec![0.0; n];
    for c in chans {
        for (e, v) in energy.iter_mut().zip(c) {
            *e += v * v;
        }
    }
    let mut e0 = vec![0.0; n + 1];
    for i in 0..n {
        e0[i + 1] = energy[i] + e0[i];
    }
    let mut e1 = vec![0.0; n + 1];
    for &lag in lags {
        if lag == 0 || lag >= n {
            continue;
        }
        let m = n - lag;
        prod[..=m].iter_mut().for_each(|v| *v = 0.0);
        for c in chans {
            for ((p, a), b) in prod[1..=m].iter_mut().zip(&c[..m]).zip(&c[lag..]) {
                *p += a * b;
            }
        }
        for i in 0..m {
            prod[i + 1] += prod[i];
            e1[i + 1] = energy[i + lag] + e1[i];
        }
        // The window of first samples [t − lag/2 − width/2, t − lag/2 + width/2) pairs with
        // the one a lag later: together centred on t. Its ends are whole or half samples,
        // rounded half away from zero and clamped at 0, which is ⌈·⌉ clamped at 0: in integers,
        // a = t − ⌊(lag + width)/2⌋ and b = t + ⌈(width − lag)/2⌉ (no float rounding per
        // sample, the costly part of this loop).
        let back = (lag + width) / 2;
        let ahead = (width as i64 - lag as i64 + 1).div_euclid(2);
        for (t, o) in out.iter_mut().enumerate() {
            let a = t.saturating_sub(back);
            let b = ((t as i64 + ahead).max(0) as usize).min(m);
            if b <= a {
                continue;
            }
            let den = ((e0[b] - e0[a]) * (e1[b] - e1[a])).sqrt();
            if den > 0.0 {
                *o = o.max((prod[b] - prod[a]) / den);
            }
        }
    }
    out
}

/// The index of the smallest value of `x[range]` (the first, on ties).
pub(crate) fn argmin(x: &[f64], range: std::ops::Range<usize>) -> usize {
    let start = range.start;
    x[range]
        .iter()
        .enumerate()
        .fold((start, f64::INFINITY), |(bi, bv), (i, &v)| {
            if v < bv {
                (start + i, v)
            } else {
                (bi, bv)
            }
        })
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: PeakRule = PeakRule {
        harmonic_ratio: 0.8,
        comb_ratio: 0.5,
    };

    #[test]
    fn peaks_like_scipy() {
        // scipy.signal.find_peaks([0, 2, 1, 3, 3, 3, 0, 1, 0]) -> [1, 4] (flat top: middle).
        let x = [0.0, 2.0, 1.0, 3.0, 3.0, 3.0, 0.0, 1.0, 0.0];
        assert_eq!(local_maxima(&x), vec![1, 4, 7]);
        // find_peaks(x, distance=3) keeps 4 (highest) then drops 1 (3 apart is allowed: 4−1=3
        // ≥ 3 keeps it) and 7 (4−7 = 3 keeps it): [1, 4, 7]; with distance=4: [4] and 1 and
        // 7 dropped.
        assert_eq!(select_by_distance(&x, &[1, 4, 7], 3), vec![1, 4, 7]);
        assert_eq!(select_by_distance(&x, &[1, 4, 7], 4), vec![4]);
        // scipy.signal.peak_prominences(x, [1, 4, 7]) -> [1, 3, 1] (peak 1's right side
        // stops at the 3: its higher base is the 1 at index 2).
        assert_eq!(
            prominences(&x, &[1, 4, 7], usize::MAX, false),
            vec![1.0, 3.0, 1.0]
        );
        // With wlen = 3 the window of peak 4 is [3, 5]: prominence 0 like SciPy's.
        assert_eq!(prominences(&x, &[4], 3, false), vec![0.0]);
        // Open ends: peak 1's left side runs into the start (its lowest point, 0, is the
        // first sample), so 2 − 1 = 1 either way? No: its right side is closed by the 3 and
        // its left side open, so it is measured on the right: 2 − 1 = 1 as well. A peak cut
        // by the start, [2.5, 3, 2, 0, 1, 4], is measured on its right side: 3 − 0 = 3
        // instead of SciPy's 3 − 2.5 = 0.5.
        let cut = [2.5, 3.0, 2.0, 0.0, 1.0, 4.0];
        assert_eq!(prominences(&cut, &[1], usize::MAX, false), vec![0.5]);
        assert_eq!(prominences(&cut, &[1], usize::MAX, true), vec![3.0]);
    }

    /// An autocorrelation of 200 lags with the given local maxima (lag, value) on a floor
    /// of 0 (the estimator's taper left out: `n` is taken large).
    fn acf_with(peaks: &[(usize, f64)]) -> Vec<f64> {
        let mut r = vec![0.0; 200];
        r[0] = 1.0;
        for &(k, v) in peaks {
            r[k] = v;
        }
        r
    }

    #[test]
    fn a_comb_of_three_or_more_peaks_is_its_shortest_tooth() {
        let n = 1_000_000;
        let at = |r: &[f64]| {
            period_from_autocorrelation(r, n, 5, 150, RULE).map(|p| p.samples.round() as usize)
        };
        // A rhythm of 20 samples whose third multiple came out highest: the cycle is 20.
        let comb = acf_with(&[(20, 0.13), (43, 0.13), (61, 0.2)]);
        assert_eq!(at(&comb), Some(20));
        // The same comb with a tooth too low, or missing, or teeth too far off their
        // multiples: the highest peak stands (under `harmonic_ratio` of it, the first tooth
        // alone is not the cycle).
        assert_eq!(
            at(&acf_with(&[(20, 0.13), (43, 0.09), (61, 0.2)])),
            Some(61)
        );
        assert_eq!(at(&acf_with(&[(20, 0.13), (61, 0.2)])), Some(61));
        assert_eq!(
            at(&acf_with(&[(20, 0.13), (50, 0.13), (61, 0.2)])),
            Some(61)
        );
        // Two alike halves of a rep (a peak at half the cycle): the whole cycle.
        assert_eq!(at(&acf_with(&[(30, 0.13), (61, 0.2)])), Some(61));
        // A shorter peak reaching `harmonic_ratio` of the highest is the cycle anyway.
        assert_eq!(at(&acf_with(&[(30, 0.17), (61, 0.2)])), Some(30));
    }

    #[test]
    fn period_of_a_sampled_sine() {
        // sin(2π i / 25): period 25 samples, autocorrelation there ≈ 1 − 25/N for N samples
        // (the biased estimator's taper): 1 − 25/500 = 0.95.
        let x: Vec<f64> = (0..500)
            .map(|i| (2.0 * std::f64::consts::PI * i as f64 / 25.0).sin())
            .collect();
        let p = estimate_period(&x, 5, 200, RULE).expect("periodic");
        assert!((p.samples - 25.0).abs() < 0.05, "{p:?}");
        assert!((p.score - 0.95).abs() < 0.01, "{p:?}");
        // White-ish noise from an LCG: no strong period.
        let mut s = 1u64;
        let noise: Vec<f64> = (0..500)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect();
        let p = estimate_period(&noise, 5, 200, RULE);
        assert!(p.is_none_or(|p| p.score < 0.2), "{p:?}");
    }

    #[test]
    fn window_ends_in_integers_as_rounded_halves() {
        // The integer window ends of `local_periodicity` against the rounding they stand for.
        for lag in 1..30usize {
            for width in 1..40usize {
                let back = (lag + width) / 2;
                let ahead = (width as i64 - lag as i64 + 1).div_euclid(2);
                for t in 0..100usize {
                    let centre = t as f64 - lag as f64 / 2.0;
                    let a = (centre - width as f64 / 2.0).round().max(0.0) as usize;
                    let b = (centre + width as f64 / 2.0).round().max(0.0) as usize;
                    assert_eq!(t.saturating_sub(back), a, "{lag} {width} {t}");
                    assert_eq!((t as i64 + ahead).max(0) as usize, b, "{lag} {width} {t}");
                }
            }
        }
    }

    #[test]
    fn local_periodicity_of_a_sine_between_rests() {
        // Flat, then 6 cycles of a period-20 sine, then flat: correlation 1 one period later
        // in the middle of the cycles, 0 in the flat stretches.
        let mut x = vec![0.0; 300];
        for (i, v) in x.iter_mut().enumerate().skip(100).take(120) {
            *v = (2.0 * std::f64::consts::PI * i as f64 / 20.0).sin();
        }
        let r = local_periodicity(&[x.clone()], &[18, 20, 22], 40);
        assert!((r[160] - 1.0).abs() < 1e-9, "{}", r[160]);
        assert_eq!((r[20], r[280]), (0.0, 0.0));
        // Two channels, one the other's negative: still periodic.
        let y: Vec<f64> = x.iter().map(|v| -v).collect();
        let r2 = local_periodicity(&[x, y], &[20], 40);
        assert!((r2[160] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn moving_average_of_filled_signals_as_the_general_one() {
        for n in 0..30 {
            let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64 * 0.1 - 0.3).collect();
            for width in [0, 1, 2, 3, 4, 5, 9, 40] {
                assert_eq!(
                    moving_average_filled(&x, width),
                    moving_average(&x, width),
                    "n {n} width {width}"
                );
            }
        }
        // A gap: the general path (the gap skipped).
        let x = [1.0, f64::NAN, 3.0];
        assert_eq!(moving_average_filled(&x, 3), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn argmin_and_smoothing() {
        assert_eq!(argmin(&[3.0, 1.0, 2.0, 1.0], 0..4), 1);
        assert_eq!(argmin(&[3.0, 1.0, 2.0, 1.0], 2..4), 3);
        // Triangular smoothing of an impulse with width 3: [1,2,3,2,1]/9 (interior).
        let mut x = vec![0.0; 9];
        x[4] = 9.0;
        let s = smooth(&x, 3);
        let want = [0.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0, 0.0];
        for (a, b) in s.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{s:?}");
        }
    }
}
