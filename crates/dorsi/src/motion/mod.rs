//! Motion signals from recordings: sensor axes from the data itself.
//!
//! Sensors are not assumed to be mounted in any particular way: the axis a segment mostly
//! rotates about (the medio-lateral axis, for a foot or shank in walking or in ankle
//! exercises) is the principal direction of the angular-rate samples.

pub mod imu_angle;
pub mod kinematics;
pub mod signals;
pub(crate) mod stats;

use nalgebra::{Matrix3, SymmetricEigen, Vector3};

/// The unit axis (in the sensor frame) the sensor rotates about most: the eigenvector of the
/// largest eigenvalue of the angular-rate second-moment matrix. `None` when the sensor barely
/// rotates (largest eigenvalue below `1e-6` rad²/s²) or there are no finite samples.
///
/// The sign of an axis is arbitrary; callers fix it from the signal (see
/// [`sagittal_rate`]).
///
/// ```
/// use nalgebra::Vector3;
/// let gyro: Vec<Vector3<f64>> = (0..100)
///     .map(|i| Vector3::new(0.1, (i as f64 * 0.3).sin() * 3.0, 0.05))
///     .collect();
/// let axis = dorsi::motion::dominant_axis(&gyro).expect("it rotates");
/// assert!(axis.y.abs() > 0.99);
/// ```
pub fn dominant_axis(gyro_rads: &[Vector3<f64>]) -> Option<Vector3<f64>> {
    // The matrix of mean products is symmetric: six running sums, not nine.
    let mut s = [0.0; 6];
    let mut n = 0usize;
    for w in gyro_rads.iter().filter(|w| w.iter().all(|c| c.is_finite())) {
        let products = [
            w.x * w.x,
            w.x * w.y,
            w.x * w.z,
            w.y * w.y,
            w.y * w.z,
            w.z * w.z,
        ];
        for (s, p) in s.iter_mut().zip(products) {
            *s += p;
        }
        n += 1;
    }
    if n == 0 {
        return None;
    }
    let [xx, xy, xz, yy, yz, zz] = s;
    let m = Matrix3::new(xx, xy, xz, xy, yy, yz, xz, yz, zz);
    let eig = SymmetricEigen::new(m / n as f64);
    let (i, &largest) = eig
        .eigenvalues
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    (largest > 1e-6).then(|| eig.eigenvectors.column(i).into_owned())
}

/// Centred moving average over `width` samples (NaN samples skipped).
pub fn moving_average(x: &[f64], width: usize) -> Vec<f64> {
    // The window's sum is the difference of two running sums of the finite values, one
    // ending at the window's end and one, lagging, at its start. Both add the same values
    // in the same order, so they equal the prefix sums they stand for, without storing them.
    let n = x.len();
    let half = width / 2;
    let value = |v: f64| if v.is_finite() { v } else { 0.0 };
    let (mut sum_b, mut cnt_b, mut b) = (0.0, 0usize, 0usize);
    let (mut sum_a, mut cnt_a, mut a) = (0.0, 0usize, 0usize);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let nb = (i + half + 1).min(n);
        while b < nb {
            sum_b += value(x[b]);
            cnt_b += usize::from(x[b].is_finite());
            b += 1;
        }
        let na = i.saturating_sub(half);
        while a < na {
            sum_a += value(x[a]);
            cnt_a += usize::from(x[a].is_finite());
            a += 1;
        }
        let c = cnt_b - cnt_a;
        out.push(if c == 0 {
            f64::NAN
        } else {
            (sum_b - sum_a) / c as f64
        });
    }
    out
}

/// The angular rate about the dominant axis, rad/s, signed so that the segment's longest
/// sustained rotations are positive (for a foot in walking: the swing, toes rising). Returns
/// `None` when the sensor barely rotates.
///
/// The sign is chosen on the signal smoothed over `sustain_samples` (about 0.3 s): short
/// bursts (push-off, impacts) cancel out in the smoothing, the swing does not.
pub fn sagittal_rate(gyro_rads: &[Vector3<f64>], sustain_samples: usize) -> Option<Vec<f64>> {
    let axis = sagittal_axis(gyro_rads, sustain_samples)?;
    Some(gyro_rads.iter().map(|w| w.dot(&axis)).collect())
}

/// The dominant rotation axis (see [`dominant_axis`]) signed as in [`sagittal_rate`]: a
/// positive rotation about it is the segment's longest sustained rotation (for a foot in
/// walking, the toes rising). The angular rate about it is [`sagittal_rate`].
pub fn sagittal_axis(gyro_rads: &[Vector3<f64>], sustain_samples: usize) -> Option<Vector3<f64>> {
    let axis = dominant_axis(gyro_rads)?;
    let s: Vec<f64> = gyro_rads.iter().map(|w| w.dot(&axis)).collect();
    let smooth = moving_average(&s, sustain_samples.max(1));
    let hi = crate::signal::quantile(smooth.iter().copied(), 0.995);
    let lo = crate::signal::quantile(smooth.iter().copied(), 0.005);
    Some(if hi.abs() >= lo.abs() { axis } else { -axis })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The six running sums give the axis the full matrix of products does, bit for bit.
    #[test]
    fn dominant_axis_matches_the_full_second_moment_matrix() {
        let mut gyro: Vec<Vector3<f64>> = (0..3000)
            .map(|i| {
                let t = f64::from(i) * 0.01;
                Vector3::new(0.3 * t.sin(), 4.0 * (2.0 * t).cos(), -0.7 * (0.5 * t).sin())
            })
            .collect();
        gyro[7].y = f64::NAN;
        let mut m = Matrix3::zeros();
        let mut n = 0usize;
        for w in gyro.iter().filter(|w| w.iter().all(|c| c.is_finite())) {
            m += w * w.transpose();
            n += 1;
        }
        let eig = SymmetricEigen::new(m / n as f64);
        let i = eig.eigenvalues.imax();
        let want = eig.eigenvectors.column(i).into_owned();
        assert_eq!(dominant_axis(&gyro), Some(want));
        assert_eq!(dominant_axis(&gyro[7..8]), None);
        assert_eq!(dominant_axis(&[Vector3::zeros(); 4]), None);
    }

    #[test]
    fn moving_average_by_hand() {
        let x = [1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0];
        let m = moving_average(&x, 3);
        // Windows: [1,2], [1,2,3], [2,3,4], [3,4], [4,6], [6]
        let want = [1.5, 2.0, 3.0, 3.5, 5.0, 6.0];
        for (a, b) in m.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{m:?}");
        }
    }

    /// The prefix-sum form, bit for bit, on values with NaN, infinities, signed zeros and
    /// every width from 0 to past the length.
    #[test]
    fn moving_average_equals_the_prefix_sums() {
        let mut rng = crate::synth::Rng::new(5);
        let x: Vec<f64> = (0..300)
            .map(|i| match i % 23 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => -0.0,
                _ => rng.normal() * 1e3,
            })
            .collect();
        for width in [0, 1, 2, 3, 7, 10, 64, 299, 300, 700] {
            let half = width / 2;
            let mut sum = vec![0.0; x.len() + 1];
            let mut cnt = vec![0usize; x.len() + 1];
            for (i, v) in x.iter().enumerate() {
                let ok = v.is_finite();
                sum[i + 1] = sum[i] + if ok { *v } else { 0.0 };
                cnt[i + 1] = cnt[i] + usize::from(ok);
            }
            let m = moving_average(&x, width);
            for (i, got) in m.iter().enumerate() {
                let (a, b) = (i.saturating_sub(half), (i + half + 1).min(x.len()));
                let c = cnt[b] - cnt[a];
                let want = if c == 0 {
                    f64::NAN
                } else {
                    (sum[b] - sum[a]) / c as f64
                };
                assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "width {width}, sample {i}"
                );
            }
        }
        assert!(moving_average(&[f64::NAN; 4], 3).iter().all(|v| v.is_nan()));
        assert!(moving_average(&[], 3).is_empty());
    }

    #[test]
    fn long_rotations_are_positive_whatever_the_mounting() {
        // 1 s cycles: a long, slow positive hump and a short, faster negative burst.
        let rate = 100.0;
        let base: Vec<f64> = (0..1000)
            .map(|i| {
                let u = (i % 100) as f64 / 100.0;
                if u < 0.4 {
                    4.0 * (std::f64::consts::PI * u / 0.4).sin()
                } else if u > 0.8 && u < 0.9 {
                    -6.0 * (std::f64::consts::PI * (u - 0.8) / 0.1).sin()
                } else {
                    0.0
                }
            })
            .collect();
        for axis in [Vector3::new(0.0, 1.0, 0.0), Vector3::new(0.6, -0.8, 0.0)] {
            for flip in [1.0, -1.0] {
                let gyro: Vec<_> = base.iter().map(|&v| axis * (v * flip)).collect();
                let s = sagittal_rate(&gyro, (0.3 * rate) as usize).expect("rotates");
                assert!((s[20] - 4.0).abs() < 1e-9, "{} {flip}", s[20]);
            }
        }
    }
}
