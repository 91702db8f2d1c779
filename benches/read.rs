//! Reading throughput: one hour of 100 Hz 6-axis IMU as generic CSV (about 30 MB).
//!
//! `cargo bench --bench read` reports bytes per second; BENCHMARKS.md records the figures.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use divan::counter::BytesCount;

fn main() {
    divan::main();
}

/// One hour at 100 Hz: a walking-like foot signal with 6 decimals, written once per run.
fn hour_csv() -> &'static (PathBuf, u64) {
    static FILE: OnceLock<(PathBuf, u64)> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("dorsi-bench-hour-{}.csv", std::process::id()));
        let mut s = String::with_capacity(32 << 20);
        s.push_str("time_s,acc_x (m/s^2),acc_y (m/s^2),acc_z (m/s^2),gyr_x (deg/s),gyr_y (deg/s),gyr_z (deg/s)\n");
        for i in 0..360_000u32 {
            let t = f64::from(i) / 100.0;
            let w = 2.0 * std::f64::consts::PI * t;
            let _ = writeln!(
                s,
                "{t:.2},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
                1.5 * w.sin(),
                0.3 * (2.0 * w).cos(),
                9.81 + 2.0 * w.cos(),
                20.0 * (3.0 * w).sin(),
                300.0 * w.sin(),
                15.0 * (0.5 * w).cos()
            );
        }
        std::fs::write(&path, &s).expect("temp file");
        (path, s.len() as u64)
    })
}

#[divan::bench(sample_count = 10)]
fn generic_csv_one_hour(bencher: divan::Bencher) {
    let (path, bytes) = hour_csv();
    bencher
        .counter(BytesCount::new(*bytes))
        .bench(|| dorsi::io::read(&[path], &dorsi::io::ReadOptions::default()).expect("reads"));
}
