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
    sets_of(
        exercise,
        if exercise == Synth::AnkleRotation {
            10
        } else {
            30
        },
    )
}

/// `sets` sets of the exercise's default prescription on the right side (seed 1).
fn sets_of(exercise: Synth, sets: u32) -> ExerciseSession {
    let mut p = ExerciseParams::new(exercise);
    p.side = Side::Right;
    p.sets = sets;
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

/// MediaPipe image keypoints (with depth) of a synthetic session at 30 frames/s, read back
/// from CSV.
fn mediapipe(session: &ExerciseSession, name: &str) -> Recording {
    use dorsi::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
    let camera = Camera::beside(session);
    let video = simulate_keypoints(session, &camera, 30.0, &KeypointNoise::default(), 1);
    let csv = video.to_mediapipe_image_csv();
    dorsi::io::read_bytes(name, csv.as_bytes(), &Default::default()).expect("reads")
}

fn rotation_keypoints() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| mediapipe(&long_session(Synth::AnkleRotation), "rot.csv"))
}

/// Ten sets of ten eversions (about 17 minutes).
fn eversion_keypoints() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| mediapipe(&sets_of(Synth::AnkleEversion, 10), "eversion.csv"))
}

/// Ten sets of band ankle flexion (about 23 minutes).
fn flexion_keypoints() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| mediapipe(&sets_of(Synth::AnkleFlexion, 10), "flexion.csv"))
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

#[divan::bench(sample_count = 10)]
fn reps_ankle_eversion_mediapipe(bencher: divan::Bencher) {
    let rec = eversion_keypoints();
    let options = RepOptions::new(Exercise::AnkleEversion);
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| analyze(rec, &options).expect("reps"));
}

#[divan::bench(sample_count = 10)]
fn reps_ankle_flexion_mediapipe(bencher: divan::Bencher) {
    let rec = flexion_keypoints();
    let options = RepOptions::new(Exercise::AnkleFlexion);
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| analyze(rec, &options).expect("reps"));
}
