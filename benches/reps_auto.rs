//! `auto` rep segmentation throughput: one hour of heel-raise sets (100 Hz foot IMU), and
//! ten minutes of them as video keypoints (30 Hz, 33 points).
//!
//! `cargo bench --bench reps_auto` reports samples (recording rows) per second, reading
//! excluded.

use std::sync::OnceLock;

use divan::counter::ItemsCount;
use dorsi::reps::auto::{segment_auto, AutoParams};
use dorsi::synth::exercise::{generate, Exercise, ExerciseParams};
use dorsi::Recording;

fn main() {
    divan::main();
}

/// Heel-raise sets of 10 reps with a minute's rest, for about `minutes` minutes.
fn session(minutes: f64) -> (dorsi::synth::exercise::ExerciseSession, ExerciseParams) {
    let mut params = ExerciseParams::new(Exercise::HeelRaise);
    // A set of 10 reps at about 4.5 s each plus a minute of rest: about 105 s.
    params.sets = ((minutes * 60.0 / 105.0).round() as u32).max(1);
    let (s, _) = generate(&params, 1);
    (s, params)
}

fn hour_imu() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| {
        use dorsi::synth::imu::{simulate, Placement, SensorErrors};
        let (s, p) = session(60.0);
        let csv = simulate(
            &s,
            &[Placement::foot(p.side)],
            100.0,
            &SensorErrors::default(),
            1,
        )
        .to_csv();
        dorsi::io::read_bytes("hour.csv", csv.as_bytes(), &Default::default()).expect("reads")
    })
}

fn ten_minutes_keypoints() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| {
        use dorsi::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
        let (s, _) = session(10.0);
        let camera = Camera::beside(&s);
        let video = simulate_keypoints(&s, &camera, 30.0, &KeypointNoise::default(), 1);
        let csv = video.to_mediapipe_image_csv();
        dorsi::io::read_bytes("video.csv", csv.as_bytes(), &Default::default()).expect("reads")
    })
}

#[divan::bench(sample_count = 10)]
fn reps_auto_foot_imu_one_hour(bencher: divan::Bencher) {
    let rec = hour_imu();
    let params = AutoParams::default();
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| segment_auto(rec, &params).expect("segments"));
}

#[divan::bench(sample_count = 10)]
fn reps_auto_keypoints_ten_minutes(bencher: divan::Bencher) {
    let rec = ten_minutes_keypoints();
    let params = AutoParams::default();
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| segment_auto(rec, &params).expect("segments"));
}
