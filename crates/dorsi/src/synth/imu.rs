//! Simulated inertial sensors on body segments.
//!
//! A sensor fixed to a segment at `offset_m` (segment frame) with axes `mounting` (sensor
//! frame to segment frame) measures, at time t:
//!
//! * specific force `f = Rᵀ (p̈ + g ẑ)`: a still sensor reads +9.81 m/s² along the upward
//!   direction, in any mounting;
//! * angular rate `ω` with `Rᵀ Ṙ = [ω]×` (body frame),
//!
//! where `R` is the sensor's orientation and `p` its position. Both come from the motion by
//! central differences over ±1 ms (the motions are smooth closed-form functions, so the error
//! is far below any sensor noise). Then the imperfections of real sensors are added: white
//! noise, a constant bias per axis, a random-walk drift of the gyroscope bias, timestamp
//! jitter and dropouts (rows missing from the file), each documented on [`SensorErrors`].

use nalgebra::{Rotation3, Vector3};

use super::body::{Motion, Segment, Side};
use super::Rng;
use crate::STANDARD_GRAVITY_MPS2;

/// Where a sensor sits.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Sensor name as written in the file (`left_foot`).
    pub name: String,
    /// Which leg.
    pub side: Side,
    /// Which segment.
    pub segment: Segment,
    /// Sensor axes in the segment frame (identity: sensor x, y, z = segment x, y, z).
    pub mounting: Rotation3<f64>,
    /// Sensor position in the segment frame, m.
    pub offset_m: Vector3<f64>,
}

impl Placement {
    /// A sensor on the instep of the foot (12 cm in front of the heel, 5 cm up), axes
    /// aligned with the foot: x to the toes, y left, z up.
    pub fn foot(side: Side) -> Self {
        Placement {
            name: format!("{}_foot", side.name()),
            side,
            segment: Segment::Foot,
            mounting: Rotation3::identity(),
            offset_m: Vector3::new(0.12, 0.0, 0.05),
        }
    }

    /// A sensor on the front of the shank, a third of the way up from the ankle.
    pub fn shank(side: Side) -> Self {
        Placement {
            name: format!("{}_shank", side.name()),
            side,
            segment: Segment::Shank,
            mounting: Rotation3::identity(),
            offset_m: Vector3::new(0.05, 0.0, 0.14),
        }
    }
}

/// The imperfections of a sensor. `Default` gives a consumer-grade MEMS IMU (white noise and
/// bias figures of the order of the Bosch BMI160 / InvenSense MPU-6050 data sheets).
#[derive(Debug, Clone, PartialEq)]
pub struct SensorErrors {
    /// White noise of the accelerometer, m/s² (standard deviation per sample).
    pub acc_noise_mps2: f64,
    /// White noise of the gyroscope, rad/s (standard deviation per sample).
    pub gyro_noise_rads: f64,
    /// Constant accelerometer bias, m/s² (standard deviation of each axis's bias).
    pub acc_bias_mps2: f64,
    /// Constant gyroscope bias at the start, rad/s (standard deviation per axis).
    pub gyro_bias_rads: f64,
    /// Random-walk drift of the gyroscope bias, rad/s per √s.
    pub gyro_drift_rads_per_sqrt_s: f64,
    /// Timestamp jitter, s (standard deviation; the samples are taken at the jittered times
    /// and the file says so).
    pub jitter_s: f64,
    /// Mean number of dropouts per minute (rows missing from the file).
    pub dropouts_per_min: f64,
    /// Longest dropout, s (lengths are uniform up to this).
    pub max_dropout_s: f64,
}

impl Default for SensorErrors {
    fn default() -> Self {
        SensorErrors {
            acc_noise_mps2: 0.03,
            gyro_noise_rads: 0.003,
            acc_bias_mps2: 0.05,
            gyro_bias_rads: 0.005,
            gyro_drift_rads_per_sqrt_s: 0.0002,
            jitter_s: 0.0,
            dropouts_per_min: 0.0,
            max_dropout_s: 0.1,
        }
    }
}

impl SensorErrors {
    /// A perfect sensor: the exact kinematics.
    pub fn none() -> Self {
        SensorErrors {
            acc_noise_mps2: 0.0,
            gyro_noise_rads: 0.0,
            acc_bias_mps2: 0.0,
            gyro_bias_rads: 0.0,
            gyro_drift_rads_per_sqrt_s: 0.0,
            jitter_s: 0.0,
            dropouts_per_min: 0.0,
            max_dropout_s: 0.0,
        }
    }
}

/// The samples of several sensors on one clock.
#[derive(Debug, Clone)]
pub struct ImuRecording {
    /// Sample times, s (jittered when the errors say so).
    pub time_s: Vec<f64>,
    /// The samples of each sensor.
    pub sensors: Vec<SensorSamples>,
    /// Whether each sample reached the file (false inside a dropout).
    pub kept: Vec<bool>,
}

/// The samples of one sensor.
#[derive(Debug, Clone)]
pub struct SensorSamples {
    /// Sensor name (`left_foot`).
    pub name: String,
    /// Specific force per sample, m/s².
    pub acc_mps2: Vec<Vector3<f64>>,
    /// Angular rate per sample, rad/s.
    pub gyro_rads: Vec<Vector3<f64>>,
}

/// The exact specific force (m/s²) and angular rate (rad/s) of a placed sensor at `t_s`.
pub fn ideal_sample(
    motion: &dyn Motion,
    place: &Placement,
    t_s: f64,
) -> (Vector3<f64>, Vector3<f64>) {
    const H: f64 = 1e-3;
    let at = |t: f64| {
        let (r, origin) = motion.segment(t, place.side, place.segment);
        let p = origin + r * place.offset_m;
        (r * place.mounting, p)
    };
    let (r0, p0) = at(t_s);
    let (ra, pa) = at(t_s - H);
    let (rb, pb) = at(t_s + H);
    let acc = ((pa - p0) + (pb - p0)) / (H * H);
    let g = Vector3::new(0.0, 0.0, STANDARD_GRAVITY_MPS2);
    let f = r0.inverse() * (acc + g);
    let w = (ra.inverse() * rb).scaled_axis() / (2.0 * H);
    (f, w)
}

/// What a sensor sampling at `1 / period_s` reads at `t_s`: the specific force (m/s²) and
/// angular rate (rad/s) averaged over the sample period, as a sensor's anti-aliasing filter
/// does. Point samples of a motion with brief accelerations (a foot landing) would not
/// integrate back to the motion; averages do, exactly: the velocity change over a period is
/// the period times the averaged acceleration.
pub fn averaged_sample(
    motion: &dyn Motion,
    place: &Placement,
    t_s: f64,
    period_s: f64,
) -> (Vector3<f64>, Vector3<f64>) {
    const H: f64 = 1e-4;
    let at = |t: f64| {
        let (r, origin) = motion.segment(t, place.side, place.segment);
        (r * place.mounting, origin + r * place.offset_m)
    };
    let velocity = |t: f64| (at(t + H).1 - at(t - H).1) / (2.0 * H);
    let half = 0.5 * period_s;
    let acc = (velocity(t_s + half) - velocity(t_s - half)) / period_s;
    let (r0, _) = at(t_s);
    let (ra, _) = at(t_s - half);
    let (rb, _) = at(t_s + half);
    let g = Vector3::new(0.0, 0.0, STANDARD_GRAVITY_MPS2);
    let f = r0.inverse() * (acc + g);
    let w = (ra.inverse() * rb).scaled_axis() / period_s;
    (f, w)
}

/// Simulate sensors on a motion at `rate_hz` (each sample averaged over its period, see
/// [`averaged_sample`]).
pub fn simulate(
    motion: &dyn Motion,
    places: &[Placement],
    rate_hz: f64,
    errors: &SensorErrors,
    seed: u64,
) -> ImuRecording {
    let mut rng = Rng::new(seed);
    let n = (motion.duration_s() * rate_hz).floor() as usize;
    let dt = 1.0 / rate_hz;
    let time_s: Vec<f64> = (0..n)
        .map(|i| {
            let j = if errors.jitter_s > 0.0 {
                (errors.jitter_s * rng.normal()).clamp(-0.4 * dt, 0.4 * dt)
            } else {
                0.0
            };
            (i as f64 * dt + j).max(0.0)
        })
        .collect();
    let mut kept = vec![true; n];
    if errors.dropouts_per_min > 0.0 && n > 2 {
        let expected = errors.dropouts_per_min * motion.duration_s() / 60.0;
        let count = expected.floor() as usize + usize::from(rng.uniform() < expected.fract());
        for _ in 0..count {
            let start = 1 + (rng.uniform() * (n - 2) as f64) as usize;
            let len = ((rng.uniform() * errors.max_dropout_s * rate_hz).ceil() as usize).max(1);
            for k in kept.iter_mut().skip(start).take(len.min(n - 1 - start)) {
                *k = false;
            }
        }
    }
    let sensors = places
        .iter()
        .map(|place| {
            let acc_bias = Vector3::from_fn(|_, _| rng.normal()) * errors.acc_bias_mps2;
            let mut gyro_bias = Vector3::from_fn(|_, _| rng.normal()) * errors.gyro_bias_rads;
            let step = errors.gyro_drift_rads_per_sqrt_s * dt.sqrt();
            let mut acc = Vec::with_capacity(n);
            let mut gyro = Vec::with_capacity(n);
            for &t in &time_s {
                let (f, w) = averaged_sample(motion, place, t, dt);
                let vib = motion.drag_vibration_mps2(t, place.side);
                let shake = if vib > 0.0 && place.segment == Segment::Foot {
                    Vector3::new(rng.normal(), 0.3 * rng.normal(), rng.normal()) * vib
                } else {
                    Vector3::zeros()
                };
                acc.push(
                    f + acc_bias
                        + shake
                        + Vector3::from_fn(|_, _| rng.normal()) * errors.acc_noise_mps2,
                );
                gyro.push(
                    w + gyro_bias + Vector3::from_fn(|_, _| rng.normal()) * errors.gyro_noise_rads,
                );
                if step > 0.0 {
                    gyro_bias += Vector3::from_fn(|_, _| rng.normal()) * step;
                }
            }
            SensorSamples {
                name: place.name.clone(),
                acc_mps2: acc,
                gyro_rads: gyro,
            }
        })
        .collect();
    ImuRecording {
        time_s,
        sensors,
        kept,
    }
}

impl ImuRecording {
    /// The recording as generic CSV, the format `dorsi::io` reads: `time_s`, then per sensor
    /// `<name>_acc_<axis> (m/s^2)` and `<name>_gyr_<axis> (deg/s)`; dropped rows are left
    /// out, as a device that lost them would.
    pub fn to_csv(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::with_capacity(self.time_s.len() * (8 + 60 * self.sensors.len()));
        s.push_str("time_s");
        for SensorSamples { name, .. } in &self.sensors {
            for (q, unit) in [("acc", "m/s^2"), ("gyr", "deg/s")] {
                for a in ["x", "y", "z"] {
                    let _ = write!(s, ",{name}_{q}_{a} ({unit})");
                }
            }
        }
        s.push('\n');
        for (i, t) in self.time_s.iter().enumerate() {
            if !self.kept[i] {
                continue;
            }
            let _ = write!(s, "{t:.4}");
            for sensor in &self.sensors {
                let (a, w) = (sensor.acc_mps2[i], sensor.gyro_rads[i].map(f64::to_degrees));
                let _ = write!(
                    s,
                    ",{:.4},{:.4},{:.4},{:.3},{:.3},{:.3}",
                    a.x, a.y, a.z, w.x, w.y, w.z
                );
            }
            s.push('\n');
        }
        s
    }
}
