//! Synthetic recordings with exact labels, for tests, demos and benchmarks.
//!
//! * [`body`] — the body model every motion moves: lower-limb landmarks and segment
//!   orientations (plus a simple trunk for keypoint layouts), and the [`body::Motion`] trait.
//! * [`imu`] — simulated IMUs on the foot, shank or thigh, in any mounting, with noise, bias,
//!   drift, jitter and dropouts.
//! * [`labels`] — the `dorsi.labels/1` CSV format for events, strides, reps, holds and sets.
//! * [`gait`] — walking, healthy or with foot drop of any severity on either side, with
//!   compensations.
//! * [`trunk`] — a lower-back IMU of a walking trunk, reduced to a step bounce and a
//!   turn per stride, for lower-back detectors.
//!
//! The same seed always gives the same bytes: randomness comes from a small SplitMix64
//! generator owned by each simulation.

pub mod body;
pub mod exercise;
pub mod gait;
pub mod imu;
pub mod keypoints;
pub mod labels;
pub mod trunk;

/// A small, fast, seedable generator (SplitMix64, Steele et al. 2014) so that the same seed
/// gives the same bytes on every platform.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng {
            state: seed,
            spare: None,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller; the pair's second value is kept for the next call).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = self.uniform().max(1e-300);
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (2.0 * std::f64::consts::PI * self.uniform()).sin_cos();
        self.spare = Some(r * s);
        r * c
    }
}

/// Smooth step from 0 to 1 over [0, 1] with zero velocity and acceleration at both ends
/// (the quintic `6u⁵ − 15u⁴ + 10u³`).
pub fn smooth_step(u: f64) -> f64 {
    let u = u.clamp(0.0, 1.0);
    u * u * u * (10.0 - 15.0 * u + 6.0 * u * u)
}
