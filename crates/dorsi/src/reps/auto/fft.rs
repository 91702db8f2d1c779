//! A small radix-2 FFT and the autocorrelation it gives in O(n log n).
//!
//! Dorsi needs the FFT only for autocorrelations of short, decimated signals, so a plain
//! iterative radix-2 transform keeps the library free of an FFT dependency.

use std::f64::consts::PI;

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
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let ang = sign * 2.0 * PI / len as f64;
        let (w_im, w_re) = ang.sin_cos();
        let half = len / 2;
        for start in (0..n).step_by(len) {
            let (mut cr, mut ci) = (1.0f64, 0.0f64);
            for k in 0..half {
                let a = start + k;
                let b = a + half;
                let tr = re[b] * cr - im[b] * ci;
                let ti = re[b] * ci + im[b] * cr;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
                let ncr = cr * w_re - ci * w_im;
                ci = cr * w_im + ci * w_re;
                cr = ncr;
            }
        }
        len <<= 1;
    }
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
    let size = (2 * n).next_power_of_two();
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
    let size = (2 * n).next_power_of_two();
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
}
