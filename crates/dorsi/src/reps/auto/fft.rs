//! A small radix-2 FFT and the autocorrelation it gives in O(n log n).
//!
//! Dorsi needs the FFT only for autocorrelations of short, decimated signals, so a plain
//! iterative radix-2 transform keeps the library free of an FFT dependency. Its twiddle
//! factors are tabulated once per size, and long signals whose autocorrelation is wanted at
//! few lags are correlated block by block, in transforms that fit in cache.

use std::f64::consts::PI;

/// Twiddle factors of one transform size: the size, cosines and sines.
type Twiddles = (usize, Vec<f64>, Vec<f64>);

thread_local! {
    /// Twiddle factors `exp(−2πi·k/n)`, `k < n/2`, of the last transform sizes used (real
    /// and imaginary parts), so repeated transforms of one size compute them once.
    static TWIDDLES: std::cell::RefCell<Vec<Twiddles>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Run `f` with the twiddle factors of size `n` (see [`TWIDDLES`]).
fn with_twiddles<R>(n: usize, f: impl FnOnce(&[f64], &[f64]) -> R) -> R {
    TWIDDLES.with(|cell| {
        let mut cache = cell.borrow_mut();
        let pos = match cache.iter().position(|(m, _, _)| *m == n) {
            Some(p) => p,
            None => {
                let (c, s): (Vec<f64>, Vec<f64>) = (0..n / 2)
                    .map(|k| {
                        let (s, c) = (-2.0 * PI * k as f64 / n as f64).sin_cos();
                        (c, s)
                    })
                    .unzip();
                if cache.len() >= 4 {
                    cache.remove(0);
                }
                cache.push((n, c, s));
                cache.len() - 1
            }
        };
        let (_, c, s) = &cache[pos];
        f(c, s)
    })
}

/// In-place iterative radix-2 FFT of `re` + i·`im` (both of the same power-of-two length).
/// `inverse` computes the unnormalised inverse transform (divide by the length afterwards).
fn fft_in_place(re: &mut [f64], im: &mut [f64], inverse: bool) {
    let n = re.len();
    debug_assert!(n.is_power_of_two() && im.len() == n);
    if n < 2 {
        return;
    }
    // Bit-reversal permutation.
    let mut j = 0usize;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let sign = if inverse { -1.0 } else { 1.0 };
    with_twiddles(n, |tw_re, tw_im| {
        let mut len = 2;
        while len <= n {
            let half = len / 2;
            let stride = n / len;
            for start in (0..n).step_by(len) {
                let (lo_re, hi_re) = re[start..start + len].split_at_mut(half);
                let (lo_im, hi_im) = im[start..start + len].split_at_mut(half);
                for k in 0..half {
                    let cr = tw_re[k * stride];
                    let ci = sign * tw_im[k * stride];
                    let tr = hi_re[k] * cr - hi_im[k] * ci;
                    let ti = hi_re[k] * ci + hi_im[k] * cr;
                    hi_re[k] = lo_re[k] - tr;
                    hi_im[k] = lo_im[k] - ti;
                    lo_re[k] += tr;
                    lo_im[k] += ti;
                }
            }
            len <<= 1;
        }
    });
}

/// The discrete Fourier transform of a real signal, as (real, imaginary) parts; the length
/// must be a power of two (the caller pads).
#[cfg(test)]
pub(crate) fn dft(x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut re = x.to_vec();
    let mut im = vec![0.0; x.len()];
    fft_in_place(&mut re, &mut im, false);
    (re, im)
}

/// The normalised (biased) autocorrelation of `x` after removing its mean, for lags
/// `0..=max_lag`: `r[k] = Σ (x[i]−m)(x[i+k]−m) / Σ (x[i]−m)²`, so `r[0] = 1`. This is the
/// estimator of `statsmodels.tsa.stattools.acf(x, adjusted=False)`. All zeros when `x` is
/// constant; non-finite samples must have been filled by the caller.
pub fn autocorrelation(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    let max_lag = max_lag.min(n.saturating_sub(1));
    if n == 0 {
        return Vec::new();
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    // Zero padding to n + max_lag keeps the circular correlation's wrapped products out of
    // the lags wanted (they pair samples at least the padding apart).
    let size = (n + max_lag + 1).next_power_of_two();
    let block_size = (4 * (max_lag + 1)).next_power_of_two().max(1024);
    if size > 4 * block_size {
        return blocked_pair(x, x, (mean, mean), max_lag, block_size).0;
    }
    let mut re = vec![0.0; size];
    let mut im = vec![0.0; size];
    for (r, v) in re.iter_mut().zip(x) {
        *r = v - mean;
    }
    fft_in_place(&mut re, &mut im, false);
    for (r, i) in re.iter_mut().zip(im.iter_mut()) {
        *r = *r * *r + *i * *i;
        *i = 0.0;
    }
    fft_in_place(&mut re, &mut im, true);
    let r0 = re[0];
    if r0 <= 0.0 || !r0.is_finite() {
        return vec![0.0; max_lag + 1];
    }
    re.truncate(max_lag + 1);
    for v in &mut re {
        *v /= r0;
    }
    re
}

/// [`autocorrelation`] of two signals of the same length at once: one complex FFT carries
/// both (x as the real part, y as the imaginary part), which halves the work.
pub fn autocorrelation_pair(x: &[f64], y: &[f64], max_lag: usize) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    if n == 0 || y.len() != n {
        return (autocorrelation(x, max_lag), autocorrelation(y, max_lag));
    }
    let max_lag = max_lag.min(n - 1);
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    // Padded to n + max_lag, as in `autocorrelation`.
    let size = (n + max_lag + 1).next_power_of_two();
    let block_size = (4 * (max_lag + 1)).next_power_of_two().max(1024);
    if size > 4 * block_size {
        return blocked_pair(x, y, (mx, my), max_lag, block_size);
    }
    let mut re = vec![0.0; size];
    let mut im = vec![0.0; size];
    for i in 0..n {
        re[i] = x[i] - mx;
        im[i] = y[i] - my;
    }
    fft_in_place(&mut re, &mut im, false);
    // X_k = (Z_k + conj Z_{N−k}) / 2, Y_k = (Z_k − conj Z_{N−k}) / 2i; the power spectra
    // |X_k|² and |Y_k|² go back as the real and imaginary parts of one inverse transform.
    let mut pr = vec![0.0; size];
    let mut pi = vec![0.0; size];
    for k in 0..size {
        let j = (size - k) % size;
        let (ar, ai) = (re[k], im[k]);
        let (br, bi) = (re[j], -im[j]);
        let (xr, xi) = (0.5 * (ar + br), 0.5 * (ai + bi));
        let (yr, yi) = (0.5 * (ai - bi), -0.5 * (ar - br));
        pr[k] = xr * xr + xi * xi;
        pi[k] = yr * yr + yi * yi;
    }
    fft_in_place(&mut pr, &mut pi, true);
    let norm = |v: &[f64]| {
        let r0 = v[0];
        if r0 <= 0.0 || !r0.is_finite() {
            vec![0.0; max_lag + 1]
        } else {
            v[..=max_lag].iter().map(|a| a / r0).collect()
        }
    };
    (norm(&pr), norm(&pi))
}

/// The two spectra of real signals packed as `re + i·im` and transformed together:
/// `X[k] = (Z[k] + conj Z[−k]) / 2`, `Y[k] = (Z[k] − conj Z[−k]) / 2i`, as
/// `(X.re, X.im, Y.re, Y.im)` at bin `k`.
fn unpack(re: &[f64], im: &[f64], k: usize) -> (f64, f64, f64, f64) {
    let size = re.len();
    let j = (size - k) % size;
    let (ar, ai) = (re[k], im[k]);
    let (br, bi) = (re[j], -im[j]);
    (
        0.5 * (ar + br),
        0.5 * (ai + bi),
        0.5 * (ai - bi),
        -0.5 * (ar - br),
    )
}

/// [`autocorrelation_pair`] of long signals with few lags, block by block: each block of
/// `block_size − max_lag` samples is correlated with itself and the `max_lag` samples that
/// follow it (one FFT pair of `block_size`, which stays in cache), and the sums added up.
/// The same values as one long transform, up to rounding, in fewer and faster operations.
fn blocked_pair(
    x: &[f64],
    y: &[f64],
    means: (f64, f64),
    max_lag: usize,
    block_size: usize,
) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    let step = block_size - max_lag;
    let mut acc_x = vec![0.0; max_lag + 1];
    let mut acc_y = vec![0.0; max_lag + 1];
    let mut are = vec![0.0; block_size];
    let mut aim = vec![0.0; block_size];
    let mut bre = vec![0.0; block_size];
    let mut bim = vec![0.0; block_size];
    let mut start = 0;
    while start < n {
        let end = (start + step).min(n);
        let ext = (end + max_lag).min(n);
        are.iter_mut().for_each(|v| *v = 0.0);
        aim.iter_mut().for_each(|v| *v = 0.0);
        bre.iter_mut().for_each(|v| *v = 0.0);
        bim.iter_mut().for_each(|v| *v = 0.0);
        for i in start..end {
            are[i - start] = x[i] - means.0;
            aim[i - start] = y[i] - means.1;
        }
        for i in start..ext {
            bre[i - start] = x[i] - means.0;
            bim[i - start] = y[i] - means.1;
        }
        fft_in_place(&mut are, &mut aim, false);
        fft_in_place(&mut bre, &mut bim, false);
        // Cross spectra conj(A)·B of each signal; both correlations are real, so they
        // come back together as the real and imaginary parts of one inverse transform.
        let cross: Vec<(f64, f64, f64, f64)> = (0..block_size)
            .map(|k| {
                let (axr, axi, ayr, ayi) = unpack(&are, &aim, k);
                let (bxr, bxi, byr, byi) = unpack(&bre, &bim, k);
                (
                    axr * bxr + axi * bxi,
                    axr * bxi - axi * bxr,
                    ayr * byr + ayi * byi,
                    ayr * byi - ayi * byr,
                )
            })
            .collect();
        for (k, (pxr, pxi, pyr, pyi)) in cross.into_iter().enumerate() {
            // (Px) + i·(Py) = (pxr − pyi) + i·(pxi + pyr).
            are[k] = pxr - pyi;
            aim[k] = pxi + pyr;
        }
        fft_in_place(&mut are, &mut aim, true);
        for k in 0..=max_lag {
            acc_x[k] += are[k];
            acc_y[k] += aim[k];
        }
        start = end;
    }
    let norm = |v: Vec<f64>| {
        let r0 = v[0];
        if r0 <= 0.0 || !r0.is_finite() {
            vec![0.0; max_lag + 1]
        } else {
            v.iter().map(|a| a / r0).collect()
        }
    };
    (norm(acc_x), norm(acc_y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dft_of_small_signals_by_hand() {
        // DFT of [1, 2, 3, 4] (numpy.fft.fft): [10, -2+2j, -2, -2-2j].
        let (re, im) = dft(&[1.0, 2.0, 3.0, 4.0]);
        let want = [(10.0, 0.0), (-2.0, 2.0), (-2.0, 0.0), (-2.0, -2.0)];
        for (k, (wr, wi)) in want.iter().enumerate() {
            assert!(
                (re[k] - wr).abs() < 1e-12 && (im[k] - wi).abs() < 1e-12,
                "{k}"
            );
        }
        // A cosine of 1 cycle over 8 samples: energy 4 in bins 1 and 7 only.
        let x: Vec<f64> = (0..8).map(|i| (2.0 * PI * i as f64 / 8.0).cos()).collect();
        let (re, im) = dft(&x);
        for k in 0..8 {
            let want = if k == 1 || k == 7 { 4.0 } else { 0.0 };
            assert!((re[k] - want).abs() < 1e-12 && im[k].abs() < 1e-12, "{k}");
        }
    }

    #[test]
    fn autocorrelation_matches_the_direct_sum() {
        // [1, 2, 3, 4, 5]: mean 3, deviations [-2, -1, 0, 1, 2], Σd² = 10;
        // lag 1: (2 + 0 + 0 + 2) / 10 = 0.4; lag 2: (0 − 1 + 0) / 10 = −0.1;
        // lag 3: (−2 − 2) / 10 = −0.4; lag 4: −4 / 10 = −0.4
        // (statsmodels acf([1,2,3,4,5], nlags=4) gives the same).
        let r = autocorrelation(&[1.0, 2.0, 3.0, 4.0, 5.0], 4);
        let want = [1.0, 0.4, -0.1, -0.4, -0.4];
        for (a, b) in r.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{r:?}");
        }
        assert_eq!(autocorrelation(&[2.0; 6], 3), vec![0.0; 4]);
        // Two at once: the same numbers.
        let y = [0.5, -1.0, 2.0, 0.0, 3.0];
        let (a, b) = autocorrelation_pair(&[1.0, 2.0, 3.0, 4.0, 5.0], &y, 4);
        let single = autocorrelation(&y, 4);
        for k in 0..5 {
            assert!((a[k] - want[k]).abs() < 1e-12 && (b[k] - single[k]).abs() < 1e-12);
        }
        assert!(autocorrelation(&[], 3).is_empty());
    }

    #[test]
    fn long_signals_correlate_block_by_block_as_a_whole() {
        // 20 000 samples and 50 lags go through the blocked path (blocks of 1024): the
        // direct sums, to rounding.
        let n = 20_000;
        let x: Vec<f64> = (0..n)
            .map(|i| (i as f64 * 0.05).sin() + 0.3 * (i as f64 * 0.31).cos() + 2.0)
            .collect();
        let y: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64).collect();
        let direct = |v: &[f64], k: usize| {
            let m = v.iter().sum::<f64>() / n as f64;
            let s = |k: usize| (0..n - k).map(|i| (v[i] - m) * (v[i + k] - m)).sum::<f64>();
            s(k) / s(0)
        };
        let (a, b) = autocorrelation_pair(&x, &y, 50);
        let single = autocorrelation(&y, 50);
        assert_eq!((a.len(), b.len(), single.len()), (51, 51, 51));
        for k in 0..=50 {
            assert!((a[k] - direct(&x, k)).abs() < 1e-9, "lag {k}: {}", a[k]);
            assert!((b[k] - direct(&y, k)).abs() < 1e-9, "lag {k}: {}", b[k]);
            assert!((single[k] - b[k]).abs() < 1e-9);
        }
    }
}
