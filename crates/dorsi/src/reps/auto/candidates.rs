//! Candidate signals for `auto`: principal components of each sensor's accelerometer and
//! gyroscope (and the angle the gyroscope components integrate to), of the keypoint
//! trajectories, or of the plain signals, all on the analysis grid.

use nalgebra::{DMatrix, Matrix3, SymmetricEigen, Vector3};

use crate::{Recording, Space};

/// One candidate signal on the analysis grid.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Human-readable name (`wrist/gyro_pc1`).
    pub name: String,
    /// Unit of the values.
    pub unit: String,
    /// Values on the analysis grid, mean removed, no `NaN`.
    pub values: Vec<f64>,
    /// Whether the signal is a velocity (a gyroscope rate): it then crosses zero twice per
    /// cycle and is a poorer choice of rep boundaries than a position-like signal.
    pub velocity: bool,
}

/// The analysis grid: every `factor` samples of the recording averaged into one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    /// Recording samples per grid sample.
    pub factor: usize,
    /// Grid samples.
    pub len: usize,
    /// Grid rate, Hz.
    pub rate_hz: f64,
}

impl Grid {
    pub fn new(n_samples: usize, rate_hz: f64, max_rate_hz: f64) -> Grid {
        let factor = ((rate_hz / max_rate_hz).ceil() as usize).max(1);
        Grid {
            factor,
            len: n_samples / factor,
            rate_hz: rate_hz / factor as f64,
        }
    }

    /// Block means of one channel (non-finite samples skipped; `NaN` for an empty block).
    fn decimate(&self, x: impl Iterator<Item = f64>) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len);
        let (mut sum, mut count, mut k) = (0.0, 0usize, 0usize);
        for v in x {
            if v.is_finite() {
                sum += v;
                count += 1;
            }
            k += 1;
            if k == self.factor {
                out.push(if count > 0 {
                    sum / count as f64
                } else {
                    f64::NAN
                });
                if out.len() == self.len {
                    break;
                }
                (sum, count, k) = (0.0, 0, 0);
            }
        }
        out
    }
}

/// Fill non-finite samples by linear interpolation (nearest value at the ends) and remove the
/// mean. Returns `None` when fewer than a fifth of the samples (or fewer than 4) are finite:
/// video keypoints are often missing for long stretches, and what remains still counts.
pub(crate) fn fill_and_centre(x: &mut [f64]) -> Option<()> {
    let n = x.len();
    let finite = x.iter().filter(|v| v.is_finite()).count();
    if finite < 4 || finite * 5 < n {
        return None;
    }
    let mut last: Option<usize> = None;
    for i in 0..n {
        if !x[i].is_finite() {
            continue;
        }
        match last {
            None => {
                let v = x[i];
                x[..i].iter_mut().for_each(|s| *s = v);
            }
            Some(j) if i > j + 1 => {
                let (a, b) = (x[j], x[i]);
                let span = (i - j) as f64;
                for k in j + 1..i {
                    x[k] = a + (b - a) * (k - j) as f64 / span;
                }
            }
            _ => {}
        }
        last = Some(i);
    }
    if let Some(j) = last {
        let v = x[j];
        x[j + 1..].iter_mut().for_each(|s| *s = v);
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    x.iter_mut().for_each(|v| *v -= mean);
    Some(())
}

/// Decimated, filled and centred x, y, z channels of 3-vectors.
fn vector_channels(grid: &Grid, v: &[Vector3<f64>]) -> Option<[Vec<f64>; 3]> {
    let mut out = [0, 1, 2].map(|axis| grid.decimate(v.iter().map(|s| s[axis])));
    for c in &mut out {
        fill_and_centre(c)?;
    }
    Some(out)
}

/// Principal directions of three centred channels, largest variance first, and the
/// projections on the first `keep`.
fn pca3(ch: &[Vec<f64>; 3], keep: usize) -> Vec<Vec<f64>> {
    let n = ch[0].len();
    let mut m = Matrix3::zeros();
    for i in 0..n {
        let v = Vector3::new(ch[0][i], ch[1][i], ch[2][i]);
        m += v * v.transpose();
    }
    let eig = SymmetricEigen::new(m);
    let mut order = [0usize, 1, 2];
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    order
        .iter()
        .take(keep)
        .map(|&k| {
            let e = eig.eigenvectors.column(k);
            (0..n)
                .map(|i| e[0] * ch[0][i] + e[1] * ch[1][i] + e[2] * ch[2][i])
                .collect()
        })
        .collect()
}

/// Principal components of many centred channels: the projections on the first `keep`
/// directions. The covariance is estimated on at most `max_rows` evenly spaced rows so the
/// cost stays linear in the length.
fn pca_many(ch: &[Vec<f64>], keep: usize, max_rows: usize) -> Vec<Vec<f64>> {
    let c = ch.len();
    let n = ch.first().map_or(0, Vec::len);
    if c == 0 || n == 0 {
        return Vec::new();
    }
    let step = n.div_ceil(max_rows).max(1);
    let mut cov = DMatrix::<f64>::zeros(c, c);
    let mut row = vec![0.0; c];
    for i in (0..n).step_by(step) {
        for (r, chan) in row.iter_mut().zip(ch) {
            *r = chan[i];
        }
        for a in 0..c {
            let ra = row[a];
            for b in a..c {
                cov[(a, b)] += ra * row[b];
            }
        }
    }
    for a in 0..c {
        for b in 0..a {
            cov[(a, b)] = cov[(b, a)];
        }
    }
    let eig = SymmetricEigen::new(cov);
    let mut order: Vec<usize> = (0..c).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    order
        .iter()
        .take(keep)
        .map(|&k| {
            let e = eig.eigenvectors.column(k);
            let mut out = vec![0.0; n];
            for (w, chan) in e.iter().zip(ch) {
                if *w != 0.0 {
                    for (o, v) in out.iter_mut().zip(chan) {
                        *o += w * v;
                    }
                }
            }
            out
        })
        .collect()
}

/// Remove a slow trend: subtract the centred moving average over `width` samples.
pub(crate) fn detrend(x: &[f64], width: usize) -> Vec<f64> {
    if width < 2 || width >= x.len() {
        let mean = x.iter().sum::<f64>() / x.len().max(1) as f64;
        return x.iter().map(|v| v - mean).collect();
    }
    let trend = crate::motion::moving_average(x, width);
    x.iter().zip(trend).map(|(v, t)| v - t).collect()
}

/// Every candidate signal of the recording on `grid`. `trend_samples` is the moving-average
/// width that removes the drift of integrated angles.
pub(crate) fn candidates(rec: &Recording, grid: &Grid, trend_samples: usize) -> Vec<Candidate> {
    let mut out = Vec::new();
    let with_gyro = rec.imus.iter().any(|s| s.gyro_rads.is_some());
    for imu in &rec.imus {
        // Sensors with a gyroscope are complete IMUs; accelerometer-only tags beside them
        // (beacons, low-rate wearables) are left out when any complete IMU is present.
        if with_gyro && imu.gyro_rads.is_none() {
            continue;
        }
        if let Some(acc) = &imu.acc_mps2 {
            if let Some(ch) = vector_channels(grid, acc) {
                for (k, values) in pca3(&ch, 2).into_iter().enumerate() {
                    out.push(Candidate {
                        name: format!("{}/acc_pc{}", imu.name, k + 1),
                        unit: "m/s^2".into(),
                        values,
                        velocity: false,
                    });
                }
            }
        }
        if let Some(gyro) = &imu.gyro_rads {
            if let Some(ch) = vector_channels(grid, gyro) {
                for (k, values) in pca3(&ch, 2).into_iter().enumerate() {
                    let dt = 1.0 / grid.rate_hz;
                    let mut angle = Vec::with_capacity(values.len());
                    let mut a = 0.0;
                    for v in &values {
                        a += v * dt;
                        angle.push(a);
                    }
                    out.push(Candidate {
                        name: format!("{}/angle_pc{}", imu.name, k + 1),
                        unit: "rad".into(),
                        values: detrend(&angle, trend_samples),
                        velocity: false,
                    });
                    out.push(Candidate {
                        name: format!("{}/gyro_pc{}", imu.name, k + 1),
                        unit: "rad/s".into(),
                        values,
                        velocity: true,
                    });
                }
            }
        }
    }
    if let Some(sk) = &rec.skeleton {
        let dims = match sk.space {
            Space::World => 3,
            Space::Image { .. } => 2,
        }
        .min(usize::from(sk.dims).max(2));
        let unit = match sk.space {
            Space::World => "m",
            Space::Image { normalised: true } => "1",
            Space::Image { normalised: false } => "px",
        };
        let mut ch = Vec::new();
        for p in &sk.points {
            for axis in 0..dims {
                let mut c = grid.decimate(p.position.iter().map(|v| v[axis]));
                if fill_and_centre(&mut c).is_some() {
                    ch.push(c);
                }
            }
        }
        for (k, values) in pca_many(&ch, 3, 4096).into_iter().enumerate() {
            out.push(Candidate {
                name: format!("keypoints/pc{}", k + 1),
                unit: unit.into(),
                values,
                velocity: false,
            });
        }
    }
    if rec.imus.is_empty() && rec.skeleton.is_none() {
        let mut ch = Vec::new();
        let mut names = Vec::new();
        for s in &rec.signals {
            let mut c = grid.decimate(s.values.iter().copied());
            if fill_and_centre(&mut c).is_none() {
                continue;
            }
            let sd = (c.iter().map(|v| v * v).sum::<f64>() / c.len().max(1) as f64).sqrt();
            if sd > 0.0 && sd.is_finite() {
                c.iter_mut().for_each(|v| *v /= sd);
                ch.push(c);
                names.push((s.name.clone(), s.unit.clone(), sd));
            }
        }
        if ch.len() == 1 {
            if let (Some(values), Some((name, unit, sd))) = (ch.pop(), names.pop()) {
                out.push(Candidate {
                    name,
                    unit,
                    values: values.iter().map(|v| v * sd).collect(),
                    velocity: false,
                });
            }
        } else {
            for (k, values) in pca_many(&ch, 3, 4096).into_iter().enumerate() {
                out.push(Candidate {
                    name: format!("signals/pc{}", k + 1),
                    unit: "1".into(),
                    values,
                    velocity: false,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_filled_and_the_mean_removed() {
        let mut x = [f64::NAN, 1.0, f64::NAN, f64::NAN, 4.0, f64::NAN];
        assert!(fill_and_centre(&mut x).is_none(), "only 2 finite");
        let mut x = [f64::NAN, 1.0, f64::NAN, 3.0, 5.0, 5.0, f64::NAN];
        assert!(fill_and_centre(&mut x).is_some());
        // Filled: [1, 1, 2, 3, 5, 5, 5], mean 22/7.
        let want = [1.0, 1.0, 2.0, 3.0, 5.0, 5.0, 5.0].map(|v| v - 22.0 / 7.0);
        for (a, b) in x.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{x:?}");
        }
    }

    #[test]
    fn block_means_skip_missing_samples() {
        let g = Grid::new(7, 100.0, 40.0);
        assert_eq!((g.factor, g.len), (3, 2));
        assert!((g.rate_hz - 100.0 / 3.0).abs() < 1e-12);
        let d = g.decimate([1.0, 2.0, 3.0, f64::NAN, 5.0, f64::NAN, 9.0].into_iter());
        assert_eq!(d, vec![2.0, 5.0]);
    }

    #[test]
    fn principal_component_of_a_tilted_line() {
        // Points along (3, 4, 0)/5 with a little orthogonal noise: PC1 is ±the position along
        // the line.
        let t: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin()).collect();
        let ch = [
            t.iter().map(|v| 0.6 * v).collect::<Vec<_>>(),
            t.iter().map(|v| 0.8 * v).collect(),
            t.iter()
                .enumerate()
                .map(|(i, _)| 1e-3 * (i % 2) as f64)
                .collect(),
        ];
        let pc = pca3(&ch, 1);
        let many = pca_many(&ch, 1, 10_000);
        for (i, v) in t.iter().enumerate() {
            assert!((pc[0][i].abs() - v.abs()).abs() < 1e-3);
            assert!((many[0][i].abs() - v.abs()).abs() < 1e-3);
        }
    }
}
