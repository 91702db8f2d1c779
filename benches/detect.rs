//! Detector throughput on one hour of 100 Hz walking: gait events and the whole gait analysis
//! from an IMU on each foot or from MediaPipe keypoints, and events from a lower-back IMU.
//!
//! `cargo bench --bench detect` reports samples (recording rows) per second, reading
//! excluded; BENCHMARKS.md records the figures.

use std::sync::OnceLock;

use divan::counter::ItemsCount;
use dorsi::detect::EventDetector;
use dorsi::synth::body::Side;
use dorsi::synth::gait::{Walk, WalkParams};
use dorsi::synth::imu::{simulate, Placement, SensorErrors};
use dorsi::Recording;

fn main() {
    divan::main();
}

/// One hour of healthy walking.
fn hour_walk() -> Walk {
    Walk::new(
        WalkParams {
            duration_s: 3600.0,
            ..Default::default()
        },
        1,
    )
}

fn hour() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| {
        let walk = hour_walk();
        let places = [Placement::foot(Side::Left), Placement::foot(Side::Right)];
        let csv = simulate(&walk, &places, 100.0, &SensorErrors::default(), 1).to_csv();
        dorsi::io::read_bytes("hour.csv", csv.as_bytes(), &Default::default()).expect("reads")
    })
}

#[divan::bench(sample_count = 10)]
fn gait_events_foot_imus_one_hour(bencher: divan::Bencher) {
    let rec = hour();
    let detector = dorsi::gait::ImuEventDetector::default();
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| detector.detect_events(rec).expect("foot IMUs"));
}

fn hour_of_keypoints() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| {
        use dorsi::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
        let walk = hour_walk();
        let camera = Camera::beside(&walk);
        let video = simulate_keypoints(&walk, &camera, 30.0, &KeypointNoise::default(), 1);
        let csv = video.to_mediapipe_image_csv();
        dorsi::io::read_bytes("hour.csv", csv.as_bytes(), &Default::default()).expect("reads")
    })
}

#[divan::bench(sample_count = 10)]
fn gait_events_mediapipe_one_hour(bencher: divan::Bencher) {
    let rec = hour_of_keypoints();
    let detector = dorsi::gait::KeypointEventDetector::default();
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| detector.detect_events(rec).expect("keypoints"));
}

/// The whole gait pipeline (events, strides, per-stride metrics with the strapdown
/// integration, foot-drag verdicts) on the hour of foot IMUs.
#[divan::bench(sample_count = 10)]
fn gait_analysis_foot_imus_one_hour(bencher: divan::Bencher) {
    let rec = hour();
    let analyzer = dorsi::gait::GaitAnalyzer::default();
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| analyzer.analyze(rec).expect("foot IMUs"));
}

/// The whole gait pipeline on the hour of MediaPipe keypoints.
#[divan::bench(sample_count = 10)]
fn gait_analysis_mediapipe_one_hour(bencher: divan::Bencher) {
    let rec = hour_of_keypoints();
    let analyzer = dorsi::gait::GaitAnalyzer::default();
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| analyzer.analyze(rec).expect("keypoints"));
}

/// One hour of a lower-back IMU (`dorsi::synth::trunk`): 100 Hz, walking at 0.55 s a step
/// between a minute of standing at each end.
fn hour_of_lower_back() -> &'static Recording {
    static REC: OnceLock<Recording> = OnceLock::new();
    REC.get_or_init(|| {
        let (csv, _) = dorsi::synth::trunk::walking_trunk_csv(100.0, 3600.0, 60.0, 3540.0, 0.55);
        dorsi::io::read_bytes("back.csv", csv.as_bytes(), &Default::default()).expect("reads")
    })
}

#[divan::bench(sample_count = 10)]
fn gait_events_lower_back_one_hour(bencher: divan::Bencher) {
    let rec = hour_of_lower_back();
    let detector = dorsi::gait::LowerBackEventDetector::default();
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| detector.detect_events(rec).expect("a lower-back IMU"));
}

/// The whole gait pipeline (events, strides, cadence; a lower-back IMU has no foot to judge)
/// on the hour of a lower-back IMU.
#[divan::bench(sample_count = 10)]
fn gait_analysis_lower_back_one_hour(bencher: divan::Bencher) {
    let rec = hour_of_lower_back();
    let analyzer = dorsi::gait::GaitAnalyzer::default();
    bencher
        .counter(ItemsCount::new(rec.n_samples))
        .bench(|| analyzer.analyze(rec).expect("a lower-back IMU"));
}
