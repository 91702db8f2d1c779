//! A drift-free joint-movement angle from one IMU mounted any way: the angle the segment
//! turns about its main rotation axis.
//!
//! 1. **Still periods and gyroscope bias.** Samples where the angular rate stays below
//!    [`ImuAngleParams::still_rate_rads`] (after removing the recording's median rate) for at
//!    least [`ImuAngleParams::min_still_s`] are still. The mean rate of each still period is
//!    the bias there; between periods it is interpolated linearly (it drifts slowly), and
//!    without any still period it is the median rate. Holds count as still, so a 30 s hold
//!    also re-measures the bias.
//! 2. **Axis.** The principal direction of the bias-free angular rate
//!    ([`super::dominant_axis`]).
//! 3. **Angle.** The bias-free rate about the axis, integrated. When the axis is at least
//!    [`ImuAngleParams::min_axis_tilt_deg`] away from the vertical and there is an
//!    accelerometer, the angle is also measured absolutely from gravity (the turn of the
//!    specific force about the axis from its mean at rest) and the two are fused by a
//!    complementary filter with time constant [`ImuAngleParams::gravity_time_constant_s`]:
//!    the gyroscope gives the shape, gravity removes every drift. A rotation about the
//!    vertical (turning the foot in and out) is invisible to gravity: there the zero-rate
//!    still periods keep the integral from drifting.
//!
//! The angle's sign follows the axis, whose sign the data cannot tell for an arbitrary
//! mounting; callers orient it (see [`crate::reps`]).
//!
//! ```
//! use dorsi::motion::imu_angle::{imu_angle, ImuAngleParams};
//! use dorsi::Imu;
//! use nalgebra::Vector3;
//!
//! // A sensor tilting 20° about its y axis and back, with a gyroscope bias.
//! let rate = 100.0;
//! let n = 600;
//! let angle = |i: usize| {
//!     let t = i as f64 / rate;
//!     if (2.0..4.0).contains(&t) { 20f64.to_radians() * (std::f64::consts::PI * (t - 2.0) / 2.0).sin() } else { 0.0 }
//! };
//! let mut gyro = Vec::new();
//! let mut acc = Vec::new();
//! for i in 0..n {
//!     let w = (angle(i + 1) - angle(i.saturating_sub(1))) * rate / 2.0;
//!     gyro.push(Vector3::new(0.01, w + 0.02, -0.01));
//!     let a = angle(i);
//!     acc.push(Vector3::new(-9.81 * a.sin(), 0.0, 9.81 * a.cos()));
//! }
//! let imu = Imu { name: "foot".into(), acc_mps2: Some(acc), gyro_rads: Some(gyro),
//!     acc_unit: None, gyro_unit: None, columns: vec![] };
//! let a = imu_angle(&imu, rate, &ImuAngleParams::default())?;
//! let top = a.signal.values[300].abs().to_degrees();
//! assert!((top - 20.0).abs() < 1.0, "{top}");
//! # Ok::<(), dorsi::motion::signals::MotionError>(())
//! ```

use nalgebra::Vector3;
use serde::Serialize;

use super::signals::{MotionError, MotionSignal};
use crate::Imu;

/// Settings of [`imu_angle`], with documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ImuAngleParams {
    /// A sample is still when its angular rate (minus the median rate) is below this,
    /// rad/s. Default 0.05 (about 3°/s: well above MEMS noise, well below any deliberate
    /// movement's peak rate).
    pub still_rate_rads: f64,
    /// A still period lasts at least this long, s. Default 0.3.
    pub min_still_s: f64,
    /// Gravity corrects the angle only when the rotation axis is at least this far from the
    /// vertical, degrees. Default 35.
    pub min_axis_tilt_deg: f64,
    /// Time constant of the complementary filter, s: below it the gyroscope is trusted,
    /// above it gravity. Default 1.0.
    pub gravity_time_constant_s: f64,
}

impl Default for ImuAngleParams {
    fn default() -> Self {
        ImuAngleParams {
            still_rate_rads: 0.05,
            min_still_s: 0.3,
            min_axis_tilt_deg: 35.0,
            gravity_time_constant_s: 1.0,
        }
    }
}

/// How the angle was kept from drifting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftCorrection {
    /// Complementary filter with gravity (axis away from the vertical).
    Gravity,
    /// Gyroscope bias measured in still periods (axis near the vertical, or no
    /// accelerometer).
    StillPeriods,
}

/// The angle and what was found about the mounting.
#[derive(Debug, Clone, PartialEq)]
pub struct ImuAngle {
    /// The angle about the axis, rad (`imu_angle`).
    pub signal: MotionSignal,
    /// The rotation axis, unit vector in the sensor frame.
    pub axis: Vector3<f64>,
    /// The direction of gravity ("up", the mean specific force at rest), unit vector in the
    /// sensor frame; `None` without an accelerometer.
    pub up: Option<Vector3<f64>>,
    /// Angle between the axis and the vertical, degrees (`None` without an accelerometer).
    pub axis_tilt_deg: Option<f64>,
    /// How drift was removed.
    pub correction: DriftCorrection,
    /// Share of the samples found still.
    pub still_fraction: f64,
}

fn finite(v: &Vector3<f64>) -> bool {
    v.iter().all(|c| c.is_finite())
}

/// Still periods: runs of samples with rate below the threshold, at least `min_len` long.
fn still_runs(
    gyro: &[Vector3<f64>],
    centre: Vector3<f64>,
    thr: f64,
    min_len: usize,
) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, w) in gyro.iter().enumerate() {
        let still = finite(w) && (w - centre).norm_squared() < thr * thr;
        match (still, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= min_len {
                    runs.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        if gyro.len() - s >= min_len {
            runs.push((s, gyro.len()));
        }
    }
    runs
}

/// The angle a segment turns about its main rotation axis, from one IMU (see the module
/// docs).
pub fn imu_angle(
    imu: &Imu,
    sampling_rate_hz: f64,
    params: &ImuAngleParams,
) -> Result<ImuAngle, MotionError> {
    let gyro = imu
        .gyro_rads
        .as_ref()
        .ok_or_else(|| MotionError::NoGyroscope(imu.name.clone()))?;
    let n = gyro.len();
    let dt = 1.0 / sampling_rate_hz;
    let step = n.div_ceil(16_384).max(1);
    let median = |k: usize| crate::signal::median(gyro.iter().step_by(step).map(|w| w[k]));
    let centre = Vector3::new(median(0), median(1), median(2));
    let centre = if finite(&centre) {
        centre
    } else {
        Vector3::zeros()
    };
    let min_len = ((params.min_still_s * sampling_rate_hz).round() as usize).max(2);
    let runs = still_runs(gyro, centre, params.still_rate_rads, min_len);

    // Bias per still period (mean, at the period's centre), interpolated between them.
    let anchors: Vec<(f64, Vector3<f64>)> = runs
        .iter()
        .map(|&(a, b)| {
            let sum: Vector3<f64> = gyro[a..b].iter().sum();
            ((a + b - 1) as f64 / 2.0, sum / (b - a) as f64)
        })
        .collect();
    let still_samples: usize = runs.iter().map(|(a, b)| b - a).sum();
    let mut bias = vec![centre; n];
    if !anchors.is_empty() {
        let mut k = 0;
        for (i, b) in bias.iter_mut().enumerate() {
            let x = i as f64;
            while k + 1 < anchors.len() && anchors[k + 1].0 <= x {
                k += 1;
            }
            let (x0, b0) = anchors[k];
            *b = match anchors.get(k + 1) {
                Some(&(x1, b1)) if x > x0 => b0 + (b1 - b0) * ((x - x0) / (x1 - x0)),
                _ => b0,
            };
        }
    }
    let clean: Vec<Vector3<f64>> = gyro
        .iter()
        .zip(&bias)
        .map(|(w, b)| if finite(w) { w - b } else { Vector3::zeros() })
        .collect();
    let axis =
        super::dominant_axis(&clean).ok_or_else(|| MotionError::NoRotation(imu.name.clone()))?;

    // Up: the mean specific force over still samples (all samples when none are still).
    let up = imu.acc_mps2.as_ref().and_then(|acc| {
        let mut sum = Vector3::zeros();
        let mut count = 0usize;
        let mut add = |f: &Vector3<f64>| {
            if finite(f) {
                sum += f;
                count += 1;
            }
        };
        if runs.is_empty() {
            acc.iter().for_each(&mut add);
        } else {
            for &(a, b) in &runs {
                acc[a..b.min(acc.len())].iter().for_each(&mut add);
            }
        }
        (count > 0)
            .then(|| sum / count as f64)
            .and_then(|g| g.try_normalize(1e-9))
    });
    let axis_tilt_deg = up.map(|u| u.dot(&axis).clamp(-1.0, 1.0).abs().acos().to_degrees());
    let use_gravity = matches!(axis_tilt_deg, Some(t) if t >= params.min_axis_tilt_deg);

    let mut values = Vec::with_capacity(n);
    let correction;
    match (use_gravity, imu.acc_mps2.as_ref(), up) {
        (true, Some(acc), Some(up)) => {
            correction = DriftCorrection::Gravity;
            // Reference: up projected onto the plane perpendicular to the axis.
            let g0 = (up - axis * up.dot(&axis)).normalize();
            let tau = params.gravity_time_constant_s.max(dt);
            let alpha = tau / (tau + dt);
            let mut theta = f64::NAN;
            let mut prev_acc = 0.0;
            for (i, w) in clean.iter().enumerate() {
                let f = acc
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| Vector3::repeat(f64::NAN));
                let acc_angle = if finite(&f) {
                    let fp = f - axis * f.dot(&axis);
                    let raw = -axis.dot(&g0.cross(&fp)).atan2(g0.dot(&fp));
                    // Unwrap next to the previous gravity angle.
                    let mut a = raw;
                    while a - prev_acc > std::f64::consts::PI {
                        a -= std::f64::consts::TAU;
                    }
                    while a - prev_acc < -std::f64::consts::PI {
                        a += std::f64::consts::TAU;
                    }
                    prev_acc = a;
                    Some(a)
                } else {
                    None
                };
                let rate = w.dot(&axis);
                theta = match (theta.is_finite(), acc_angle) {
                    (false, Some(a)) => a,
                    (false, None) => 0.0,
                    (true, Some(a)) => alpha * (theta + rate * dt) + (1.0 - alpha) * a,
                    (true, None) => theta + rate * dt,
                };
                values.push(theta);
            }
        }
        _ => {
            correction = DriftCorrection::StillPeriods;
            let mut theta = 0.0;
            for w in &clean {
                theta += w.dot(&axis) * dt;
                values.push(theta);
            }
        }
    }
    // Samples where the gyroscope had no value stay unmeasured.
    for (v, w) in values.iter_mut().zip(gyro) {
        if !finite(w) {
            *v = f64::NAN;
        }
    }
    let how = match correction {
        DriftCorrection::Gravity => "gravity-corrected",
        DriftCorrection::StillPeriods => "bias from still periods",
    };
    let signal = MotionSignal::new("imu_angle", "rad", values).with_origin(format!(
        "IMU {}: angle about its main rotation axis ({:.2}, {:.2}, {:.2}), {how}",
        imu.name, axis.x, axis.y, axis.z
    ));
    Ok(ImuAngle {
        signal,
        axis,
        up,
        axis_tilt_deg,
        correction,
        still_fraction: if n == 0 {
            0.0
        } else {
            still_samples as f64 / n as f64
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::Rotation3;

    /// A sensor turning by `angle(t)` about `axis_world` (world frame, z up), mounted with
    /// `mount` (sensor to world at rest), plus a gyroscope bias.
    fn simulate(
        angle: impl Fn(f64) -> f64,
        axis_world: Vector3<f64>,
        mount: Rotation3<f64>,
        bias: Vector3<f64>,
        seconds: f64,
    ) -> Imu {
        let rate = 100.0;
        let n = (seconds * rate) as usize;
        let axis_world = axis_world.normalize();
        let mut gyro = Vec::new();
        let mut acc = Vec::new();
        for i in 0..n {
            let t = i as f64 / rate;
            let r =
                Rotation3::from_axis_angle(&nalgebra::Unit::new_normalize(axis_world), angle(t))
                    * mount;
            let w = (angle(t + 1e-4) - angle(t - 1e-4)) / 2e-4;
            // Body-frame rate of a rotation about a world axis.
            gyro.push(r.inverse() * axis_world * w + bias);
            acc.push(r.inverse() * Vector3::new(0.0, 0.0, 9.81));
        }
        Imu {
            name: "s".into(),
            acc_mps2: Some(acc),
            gyro_rads: Some(gyro),
            acc_unit: None,
            gyro_unit: None,
            columns: vec![],
        }
    }

    fn hold_profile(t: f64) -> f64 {
        // 2 s up to 15°, hold 30 s, 2 s down, rest; twice.
        let a = 15f64.to_radians();
        let cycle = t % 50.0;
        let up = |u: f64| crate::synth::smooth_step(u);
        if cycle < 5.0 {
            0.0
        } else if cycle < 7.0 {
            a * up((cycle - 5.0) / 2.0)
        } else if cycle < 37.0 {
            a
        } else if cycle < 39.0 {
            a * (1.0 - up((cycle - 37.0) / 2.0))
        } else {
            0.0
        }
    }

    #[test]
    fn holds_stay_flat_with_a_biased_gyroscope_any_mounting() {
        let mount = Rotation3::from_euler_angles(0.7, -0.4, 2.0);
        let bias = Vector3::new(0.01, -0.02, 0.015);
        for axis in [Vector3::y(), Vector3::z()] {
            let imu = simulate(hold_profile, axis, mount, bias, 100.0);
            let a = imu_angle(&imu, 100.0, &ImuAngleParams::default()).expect("angle");
            let v = &a.signal.values;
            let want = if axis == Vector3::z() {
                DriftCorrection::StillPeriods
            } else {
                DriftCorrection::Gravity
            };
            assert_eq!(a.correction, want);
            // Rest before, start and end of the hold, rest after, second hold.
            let at = |t: f64| v[(t * 100.0) as usize] - v[200];
            for (t, deg) in [
                (8.0, 15.0),
                (36.0, 15.0),
                (45.0, 0.0),
                (60.0, 15.0),
                (86.0, 15.0),
                (95.0, 0.0),
            ] {
                let got = at(t).abs().to_degrees();
                assert!(
                    (got - deg).abs() < 0.5,
                    "axis {axis:?} at {t}: {got} vs {deg}"
                );
            }
        }
    }

    #[test]
    fn no_gyroscope_or_no_rotation_is_an_error() {
        let mut imu = simulate(
            |_| 0.0,
            Vector3::y(),
            Rotation3::identity(),
            Vector3::zeros(),
            2.0,
        );
        assert_eq!(
            imu_angle(&imu, 100.0, &ImuAngleParams::default()).map(|_| ()),
            Err(MotionError::NoRotation("s".into()))
        );
        imu.gyro_rads = None;
        assert_eq!(
            imu_angle(&imu, 100.0, &ImuAngleParams::default()).map(|_| ()),
            Err(MotionError::NoGyroscope("s".into()))
        );
    }
}
