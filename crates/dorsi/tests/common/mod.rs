//! Helpers shared by the integration tests: where the manifests and the real recordings are,
//! and reading event scores.
//! The real data sit beside the repository (`../shared/data/real`); without them a test
//! skips, except in CI (`CI` set), where it fails.
#![allow(dead_code)] // each test crate uses some of these

use std::path::PathBuf;

/// `bench/`, where the manifests are.
pub fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench")
}

/// `../shared/data/real`, or `None` (with a message) when it is absent outside CI.
pub fn real_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI must have ../shared beside the repository",
        dir.display()
    );
    eprintln!("skipping: {} not found", dir.display());
    None
}

/// Whether the real recordings are there (see [`real_dir`]).
pub fn shared_present() -> bool {
    real_dir().is_some()
}

/// A file of the real recordings, or `None` as [`real_dir`].
pub fn real(rel: &str) -> Option<PathBuf> {
    let p = real_dir()?.join(rel);
    assert!(p.exists(), "{} is missing", p.display());
    Some(p)
}

/// F1, mean and MAE of the timing error (s) of pooled event scores at one of their
/// tolerances (`NaN` for a timing error with nothing matched).
pub fn at(score: &dorsi::eval::events::PooledEventScore, tolerance_s: f64) -> (f64, f64, f64) {
    let m = score
        .per_tolerance
        .iter()
        .find(|m| (m.tolerance_s - tolerance_s).abs() < 1e-9)
        .unwrap_or_else(|| panic!("no {tolerance_s} s tolerance"));
    (
        m.detection.f1,
        m.timing_error.mean_s.unwrap_or(f64::NAN),
        m.timing_error.mae_s.unwrap_or(f64::NAN),
    )
}
