//! Rep pipeline throughput: reps, holds, sets and adherence of a long synthetic session
//! (the whole of `dorsi::reps::analyze`: IMU angle or keypoint signal, segmentation, report).
//!
//! `cargo bench --bench reps` reports samples (recording rows) per second, reading excluded.

use std::sync::OnceLock;

use divan::counter::ItemsCount;
use dorsi::reps::{analyze, Exercise, RepOptions};
use dorsi::synth::body::Side;
use dorsi::synth::exercise::{generate, Exercise as Synth, ExerciseParams, ExerciseSession};
use dorsi::synth::imu::{simulate, Placement, SensorErrors};
use dorsi::Recording;

fn main() {
    divan::main();
}

/// About 50 minutes: 30 sets of 10 heel raises or ankle rotations, a minute's rest between sets.
fn long_session(exercise: Synth) -> ExerciseSession {
    let mut p = ExerciseParams::new(exercise);
    p.side = Side::Right;
    p.sets = if exercise == Synth::AnkleRotation {
        10
    } else {
        30
    };
    generate(&p, 1).0
}

fn heel_raise_imu() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| {
        let s = long_session(Synth::HeelRaise);
        let csv = simulate(
            &s,
            &[Placement::foot(Side::Right)],
            100.0,
            &SensorErrors::default(),
            1,
        )
        .to_csv();
        dorsi::io::read_bytes("heel.csv", csv.as_bytes(), &Default::default()).expect("reads")
    })
}

fn rotation_keypoints() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| {
        use dorsi::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
        let s = long_session(Synth::AnkleRotation);
        let camera = Camera::beside(&s);
        let video = simulate_keypoints(&s, &camera, 30.0, &KeypointNoise::default(), 1);
        let csv = video.to_mediapipe_image_csv();
        dorsi::io::read_bytes("rot.csv", csv.as_bytes(), &Default::default()).expect("reads")
    })
}

#[divan::bench(sample_count = 10)]
fn reps_heel_raise_foot_imu(bencher: divan::Bencher) {
    let rec = heel_raise_imu();
    let options = RepOptions::new(Exercise::HeelRaise);
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| analyze(rec, &options).expect("reps"));
}

#[divan::bench(sample_count = 10)]
fn reps_ankle_rotation_mediapipe(bencher: divan::Bencher) {
    let rec = rotation_keypoints();
    let options = RepOptions::new(Exercise::AnkleRotation);
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| analyze(rec, &options).expect("reps"));
}
