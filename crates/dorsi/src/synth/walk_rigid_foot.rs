//! Synthetic recordings with exact labels.
//!
//! This first model is a sagittal-plane rigid foot walking on level ground, with a foot-worn
//! IMU on each foot. Each stride of duration `T` (cadence / 2 strides per minute):
//!
//! | phase | share of `T` | foot |
//! | --- | --- | --- |
//! | loading | 0 – 0.10 | rolls about the heel from `+foot_strike_angle` to flat |
//! | flat stance | 0.10 – 0.40 | still |
//! | push-off | 0.40 – 0.60 | rolls about the toe from flat to `-toe_off_angle` |
//! | swing | 0.60 – 1.00 | heel travels one stride length, lifted by `swing_height_m`, pitch returns to `+foot_strike_angle` |
//!
//! Stance 60 % and swing 40 % of the stride are the textbook healthy values (Perry & Burnfield,
//! *Gait Analysis*, 2010); the default foot-strike angle 22° lies in the 20–28° marker range
//! DESIGN.md gives. Positions are closed-form and smooth, so the IMU signals are their exact
//! derivatives: specific force `f = Rᵀ(p̈ + g ẑ)` and angular rate `ω = −θ̇ ŷ` in the sensor
//! frame (x to the toes, y left, z up; toes-up pitch is a rotation about −y).
//!
//! ```
//! let walk = dorsi::synth::GaitParams::default().generate(7);
//! assert!(walk.events.iter().any(|e| e.kind == "initial_contact"));
//! let csv = walk.to_csv();
//! let rec = dorsi::io::read_bytes("walk.csv", csv.as_bytes(), &Default::default())
//!     .expect("readable");
//! assert_eq!(rec.imus.len(), 2);
//! ```

use std::f64::consts::PI;
use std::fmt::Write as _;

use nalgebra::{Rotation3, Vector3};

use super::Rng;

/// Parameters of a synthetic walk.
#[derive(Debug, Clone)]
pub struct GaitParams {
    /// Duration, s.
    pub duration_s: f64,
    /// Sampling rate, Hz.
    pub sampling_rate_hz: f64,
    /// Steps per minute (two steps per stride).
    pub cadence_spm: f64,
    /// Stride length, m.
    pub stride_length_m: f64,
    /// Foot pitch at initial contact (heel first is positive), degrees.
    pub foot_strike_angle_deg: f64,
    /// Foot pitch at toe-off (toes down), degrees.
    pub toe_off_angle_deg: f64,
    /// Peak heel lift in swing, m.
    pub swing_height_m: f64,
    /// Foot length, heel to toe, m.
    pub foot_length_m: f64,
    /// Stride-to-stride variability of the stride time (standard deviation / mean).
    pub stride_time_cv: f64,
    /// White noise of the accelerometer, m/s² (standard deviation).
    pub acc_noise_mps2: f64,
    /// White noise of the gyroscope, rad/s (standard deviation).
    pub gyro_noise_rads: f64,
}

impl Default for GaitParams {
    fn default() -> Self {
        GaitParams {
            duration_s: 20.0,
            sampling_rate_hz: 100.0,
            cadence_spm: 108.0,
            stride_length_m: 1.3,
            foot_strike_angle_deg: 22.0,
            toe_off_angle_deg: 60.0,
            swing_height_m: 0.12,
            foot_length_m: 0.26,
            stride_time_cv: 0.02,
            acc_noise_mps2: 0.05,
            gyro_noise_rads: 0.005,
        }
    }
}

/// A labelled gait event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `left` or `right`.
    pub side: &'static str,
    /// `initial_contact` or `final_contact`.
    pub kind: &'static str,
    /// Time, s.
    pub time_s: f64,
}

/// A synthetic walk: per-foot IMU samples and the exact events.
#[derive(Debug, Clone)]
pub struct SynthWalk {
    /// Sampling rate, Hz.
    pub sampling_rate_hz: f64,
    /// Per sample: time, then for each foot (left, right) specific force (m/s²) and angular
    /// rate (deg/s, as many devices write it).
    pub rows: Vec<(f64, [[Vector3<f64>; 2]; 2])>,
    /// The events, in time order.
    pub events: Vec<Event>,
}

/// Smooth step from 0 to 1 over [0, 1] with zero velocity and acceleration at both ends.
fn smooth(u: f64) -> f64 {
    let u = u.clamp(0.0, 1.0);
    u * u * u * (10.0 - 15.0 * u + 6.0 * u * u)
}

impl GaitParams {
    /// The foot's pitch (rad, toes up positive) and heel position (x forward, z up, m) at
    /// phase `u` ∈ [0, 1) of a stride starting with the heel at `x0`.
    fn pose(&self, u: f64, x0: f64) -> (f64, Vector3<f64>) {
        let ic = self.foot_strike_angle_deg.to_radians();
        let to = self.toe_off_angle_deg.to_radians();
        let len = self.foot_length_m;
        if u < 0.10 {
            // Rolling about the heel: the heel stays on the ground.
            (ic * (1.0 - smooth(u / 0.10)), Vector3::new(x0, 0.0, 0.0))
        } else if u < 0.40 {
            (0.0, Vector3::new(x0, 0.0, 0.0))
        } else if u < 0.60 {
            // Rolling about the toe: the toe stays at (x0 + len, 0).
            let th = -to * smooth((u - 0.40) / 0.20);
            let heel = Vector3::new(x0 + len - len * th.cos(), 0.0, -len * th.sin());
            (th, heel)
        } else {
            // Swing: from the toe-off pose to the next initial contact.
            let s = smooth((u - 0.60) / 0.40);
            let th = -to + (to + ic) * s;
            let heel_to = Vector3::new(x0 + len - len * to.cos(), 0.0, len * to.sin());
            let heel_ic = Vector3::new(x0 + self.stride_length_m, 0.0, 0.0);
            let lift = self.swing_height_m * (PI * s).sin().powi(2);
            let mut heel = heel_to + (heel_ic - heel_to) * s;
            heel.z += lift;
            (th, heel)
        }
    }

    /// Generate a walk; the same seed gives the same walk.
    pub fn generate(&self, seed: u64) -> SynthWalk {
        let mut rng = Rng::new(seed);
        let dt = 1.0 / self.sampling_rate_hz;
        let n = (self.duration_s * self.sampling_rate_hz).round() as usize;
        let mean_stride = 120.0 / self.cadence_spm;
        // Stride start times per foot. The walk is already under way at t = 0: the left foot
        // is in flat stance (a quarter into its stride), the right foot half a stride apart.
        let mut starts: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        for (k, st) in starts.iter_mut().enumerate() {
            let mut t = -mean_stride * (0.25 + 0.5 * k as f64);
            while t < self.duration_s + mean_stride {
                st.push(t);
                t += mean_stride * (1.0 + self.stride_time_cv * rng.normal());
            }
        }
        let mut events = Vec::new();
        for (k, st) in starts.iter().enumerate() {
            let side = if k == 0 { "left" } else { "right" };
            for w in st.windows(2) {
                for (kind, at) in [("initial_contact", 0.0), ("final_contact", 0.60)] {
                    let t = w[0] + at * (w[1] - w[0]);
                    if (0.0..self.duration_s).contains(&t) {
                        events.push(Event {
                            side,
                            kind,
                            time_s: t,
                        });
                    }
                }
            }
        }
        events.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        // Sensor on the instep: 0.12 m in front of the heel, 0.05 m up, in the foot frame.
        let sensor = Vector3::new(0.12, 0.0, 0.05);
        let state = |foot: usize, t: f64| -> (f64, Vector3<f64>) {
            let st = &starts[foot];
            let i = st.iter().rposition(|&s| s <= t);
            let (u, x0) = match i {
                Some(i) if i + 1 < st.len() => (
                    (t - st[i]) / (st[i + 1] - st[i]),
                    i as f64 * self.stride_length_m,
                ),
                _ => (0.2, 0.0),
            };
            let (th, heel) = self.pose(u, x0);
            let rot = Rotation3::from_axis_angle(&Vector3::y_axis(), -th);
            (th, heel + rot * sensor)
        };
        let h = 1e-4;
        let g = Vector3::new(0.0, 0.0, crate::STANDARD_GRAVITY_MPS2);
        let mut rows = Vec::with_capacity(n);
        for i in 0..n {
            let t = i as f64 * dt;
            let mut feet = [[Vector3::zeros(); 2]; 2];
            for (foot, out) in feet.iter_mut().enumerate() {
                let (th, p) = state(foot, t);
                let (th_a, p_a) = state(foot, t - h);
                let (th_b, p_b) = state(foot, t + h);
                let acc = (p_a - 2.0 * p + p_b) / (h * h);
                let rate = (th_b - th_a) / (2.0 * h);
                let rot = Rotation3::from_axis_angle(&Vector3::y_axis(), -th);
                let f = rot.inverse() * (acc + g);
                let noise_a = Vector3::from_fn(|_, _| rng.normal()) * self.acc_noise_mps2;
                let noise_g = Vector3::from_fn(|_, _| rng.normal()) * self.gyro_noise_rads;
                let w = Vector3::new(0.0, -rate, 0.0) + noise_g;
                *out = [f + noise_a, w.map(f64::to_degrees)];
            }
            rows.push((t, feet));
        }
        SynthWalk {
            sampling_rate_hz: self.sampling_rate_hz,
            rows,
            events,
        }
    }
}

impl SynthWalk {
    /// The recording as generic CSV: a time column, then `left_foot` and `right_foot`
    /// accelerometer (m/s²) and gyroscope (deg/s) axes with units in the header.
    pub fn to_csv(&self) -> String {
        let mut s = String::with_capacity(self.rows.len() * 110);
        s.push_str("time_s");
        for foot in ["left_foot", "right_foot"] {
            for q in ["acc", "gyr"] {
                for a in ["x", "y", "z"] {
                    let unit = if q == "acc" { "m/s^2" } else { "deg/s" };
                    let _ = write!(s, ",{foot}_{q}_{a} ({unit})");
                }
            }
        }
        s.push('\n');
        for (t, feet) in &self.rows {
            let _ = write!(s, "{t:.2}");
            for foot in feet {
                for v in foot {
                    let _ = write!(s, ",{:.4},{:.4},{:.4}", v.x, v.y, v.z);
                }
            }
            s.push('\n');
        }
        s
    }

    /// The labels as CSV: `time_s,side,kind`.
    pub fn events_csv(&self) -> String {
        let mut s = String::from("time_s,side,kind\n");
        for e in &self.events {
            let _ = writeln!(s, "{:.4},{},{}", e.time_s, e.side, e.kind);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes() {
        let p = GaitParams {
            duration_s: 3.0,
            ..Default::default()
        };
        assert_eq!(p.generate(3).to_csv(), p.generate(3).to_csv());
        assert_ne!(p.generate(3).to_csv(), p.generate(4).to_csv());
    }

    #[test]
    fn still_foot_reads_gravity_and_pose_is_continuous() {
        let p = GaitParams {
            acc_noise_mps2: 0.0,
            gyro_noise_rads: 0.0,
            ..Default::default()
        };
        // Flat stance: specific force is +g along z, no rotation.
        let (th, heel) = p.pose(0.25, 0.0);
        assert_eq!((th, heel.z), (0.0, 0.0));
        let w = p.generate(1);
        let still = &w.rows[0].1[0];
        assert!((still[0] - Vector3::new(0.0, 0.0, 9.80665)).norm() < 1e-6);
        // Phase boundaries join without jumps.
        for u in [0.10, 0.40, 0.60] {
            let (a, pa) = p.pose(u - 1e-9, 0.0);
            let (b, pb) = p.pose(u + 1e-9, 0.0);
            assert!((a - b).abs() < 1e-6 && (pa - pb).norm() < 1e-6, "{u}");
        }
        // The swing ends where the next stride starts.
        let (a, pa) = p.pose(1.0 - 1e-9, 0.0);
        let (b, pb) = p.pose(0.0, p.stride_length_m);
        assert!((a - b).abs() < 1e-6 && (pa - pb).norm() < 1e-6);
    }
}
