//! # Dorsi
//!
//! Motion analysis for foot-drop rehabilitation: read IMU, keypoint and marker recordings
//! into one [`Recording`] model, then (in later modules) segment exercise repetitions and
//! analyse gait.
//!
//! ```
//! # fn main() -> Result<(), dorsi::io::ReadError> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/walk_healthy_imu.csv");
//! let rec = dorsi::io::read(&[path], &dorsi::io::ReadOptions::default())?;
//! println!(
//!     "{} ({}): {:.1} s at {} Hz, {} IMU(s)",
//!     rec.source.files[0],
//!     rec.source.format,
//!     rec.duration_s(),
//!     rec.sampling_rate_hz,
//!     rec.imus.len()
//! );
//! # Ok(()) }
//! ```
//!
//! Units are SI inside (s, m, m/s², rad/s, rad); time is in seconds on the recording's own
//! clock. Bad input never panics: readers return a [`io::ReadError`] naming the file, line
//! and column.
#![deny(missing_docs)]

pub mod detect;
pub mod eval;
pub mod gait;
pub mod io;
pub mod motion;
pub mod recording;
pub mod report;
pub mod reps;
pub mod signal;
pub mod synth;

pub use recording::{
    AccUnit, Clock, Format, Gap, GyroUnit, Imu, Layout, Modality, Point, Recording, Signal,
    Skeleton, Source, Space, Timing, UnitBasis, UnitDecision,
};

/// Standard gravity, m/s² (the conventional value, used to convert g to m/s²).
pub const STANDARD_GRAVITY_MPS2: f64 = 9.80665;

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the unit tests.
    use std::path::PathBuf;

    /// A file of `../shared/data/real/` (beside the repository), or `None` with a message when
    /// the folder is absent. In CI (`CI` set) a missing folder fails the test instead.
    pub(crate) fn real_data(rel: &str) -> Option<PathBuf> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/real")
            .join(rel);
        if p.exists() {
            return Some(p);
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing (CI is set, so this test must not skip)",
            p.display()
        );
        eprintln!("skipping: {} not found", p.display());
        None
    }
}
