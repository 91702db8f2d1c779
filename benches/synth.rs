//! Synthetic data throughput: one hour of 100 Hz walking with an IMU on each foot.
//!
//! `cargo bench --bench synth` reports samples per second; BENCHMARKS.md records the figures.

use divan::counter::ItemsCount;
use dorsi::synth::body::Side;
use dorsi::synth::gait::{Walk, WalkParams};
use dorsi::synth::imu::{simulate, Placement, SensorErrors};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 5)]
fn one_hour_of_walking_two_foot_imus(bencher: divan::Bencher) {
    let walk = Walk::new(
        WalkParams {
            duration_s: 3600.0,
            ..Default::default()
        },
        1,
    );
    let places = [Placement::foot(Side::Left), Placement::foot(Side::Right)];
    bencher
        .counter(ItemsCount::new(360_000usize))
        .bench(|| simulate(&walk, &places, 100.0, &SensorErrors::default(), 1));
}
