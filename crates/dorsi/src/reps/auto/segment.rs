//! Period estimation (autocorrelation peak) and cycle segmentation (peaks with prominence,
//! valleys between them) on one signal of the analysis grid.

use super::fft::autocorrelation;

/// The period of a signal: the lag of the autocorrelation's first strong local maximum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Period {
    /// Period, in samples (parabolic interpolation between lags).
    pub samples: f64,
    /// Autocorrelation at that lag, in [−1, 1]: how periodic the signal is.
    pub score: f64,
}

/// The period between `min_lag` and `max_lag` samples: among the local maxima of the
/// autocorrelation in that range, the shortest lag whose value is at least `harmonic_ratio`
/// of the highest (so a cycle, not two cycles, is taken). `None` without a local maximum.
pub(crate) fn estimate_period(
    x: &[f64],
    min_lag: usize,
    max_lag: usize,
    harmonic_ratio: f64,
) -> Option<Period> {
    let max_lag = max_lag.min(x.len() / 2);
    if min_lag < 1 || max_lag < min_lag + 1 {
        return None;
    }
    let r = autocorrelation(x, max_lag + 1);
    let maxima: Vec<usize> = (min_lag.max(1)..=max_lag)
        .filter(|&k| k + 1 < r.len() && r[k] > r[k - 1] && r[k] >= r[k + 1])
        .collect();
    let best = maxima
        .iter()
        .map(|&k| r[k])
        .fold(f64::NEG_INFINITY, f64::max);
    if !best.is_finite() || best <= 0.0 {
        return None;
    }
    let k = *maxima.iter().find(|&&k| r[k] >= harmonic_ratio * best)?;
    // Parabola through (k−1, k, k+1).
    let (a, b, c) = (r[k - 1], r[k], r[k + 1]);
    let den = a - 2.0 * b + c;
    let shift = if den < 0.0 {
        (0.5 * (a - c) / den).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    Some(Period {
        samples: k as f64 + shift,
        score: b,
    })
}

/// Centred moving average of width `width` applied twice (a triangular kernel): a cheap
/// zero-phase low-pass filter.
pub(crate) fn smooth(x: &[f64], width: usize) -> Vec<f64> {
    if width < 2 {
        return x.to_vec();
    }
    let once = crate::motion::moving_average(x, width);
    crate::motion::moving_average(&once, width)
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
/// `scipy.signal.peak_prominences(x, peaks, wlen)` computes it; also the bases (the lowest
/// points on each side before a higher sample or the window's edge).
pub(crate) fn prominences(x: &[f64], peaks: &[usize], wlen: usize) -> Vec<(f64, usize, usize)> {
    let n = x.len();
    let half = wlen / 2;
    peaks
        .iter()
        .map(|&p| {
            let lo = p.saturating_sub(half);
            let hi = (p + half).min(n.saturating_sub(1));
            let (mut left_min, mut left_base) = (x[p], p);
            let mut i = p;
            while i > lo {
                i -= 1;
                if x[i] > x[p] {
                    break;
                }
                if x[i] < left_min {
                    (left_min, left_base) = (x[i], i);
                }
            }
            let (mut right_min, mut right_base) = (x[p], p);
            let mut i = p;
            while i < hi {
                i += 1;
                if x[i] > x[p] {
                    break;
                }
                if x[i] < right_min {
                    (right_min, right_base) = (x[i], i);
                }
            }
            (x[p] - left_min.max(right_min), left_base, right_base)
        })
        .collect()
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
        let p = prominences(&x, &[1, 4, 7], usize::MAX);
        let got: Vec<f64> = p.iter().map(|t| t.0).collect();
        assert_eq!(got, vec![1.0, 3.0, 1.0]);
        assert_eq!((p[0].1, p[0].2), (0, 2));
        // With wlen = 3 the window of peak 4 is [3, 5]: prominence 0 like SciPy's.
        assert_eq!(prominences(&x, &[4], 3)[0].0, 0.0);
    }

    #[test]
    fn period_of_a_sampled_sine() {
        // sin(2π i / 25): period 25 samples, autocorrelation there ≈ 1 − 25/N for N samples
        // (the biased estimator's taper): 1 − 25/500 = 0.95.
        let x: Vec<f64> = (0..500)
            .map(|i| (2.0 * std::f64::consts::PI * i as f64 / 25.0).sin())
            .collect();
        let p = estimate_period(&x, 5, 200, 0.8).expect("periodic");
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
        let p = estimate_period(&noise, 5, 200, 0.8);
        assert!(p.is_none_or(|p| p.score < 0.2), "{p:?}");
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
