//! Tests of the gait plot on synthetic walks (foot IMUs and video keypoints) and on reports
//! with nothing or only `NaN` in them.

use std::path::{Path, PathBuf};

use dorsi::gait::{GaitAnalyzer, GaitReport};
use dorsi::synth::body::Side;
use dorsi::synth::gait::{Walk, WalkParams};
use dorsi::synth::imu;
use dorsi::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
use dorsi::Recording;

use crate::{plot_gait, PlotError};

/// A walk whose left foot drops.
fn walk(duration_s: f64, seed: u64) -> Walk {
    let mut params = WalkParams {
        duration_s,
        ..Default::default()
    };
    params.severity = [1.0, 0.0];
    Walk::new(params, seed)
}

fn imu_walk(duration_s: f64) -> Recording {
    let walk = walk(duration_s, 7);
    let sensors = [
        imu::Placement::foot(Side::Left),
        imu::Placement::foot(Side::Right),
    ];
    let csv = imu::simulate(&walk, &sensors, 100.0, &Default::default(), 7).to_csv();
    dorsi::io::read_bytes("walk_imu.csv", csv.as_bytes(), &Default::default()).expect("reads")
}

fn keypoint_walk() -> Recording {
    let walk = walk(10.0, 3);
    let camera = Camera::beside(&walk);
    let video = simulate_keypoints(&walk, &camera, 30.0, &KeypointNoise::default(), 3);
    let csv = video.to_mediapipe_image_csv();
    dorsi::io::read_bytes("walk_mediapipe.csv", csv.as_bytes(), &Default::default()).expect("reads")
}

fn analyze(rec: &Recording) -> GaitReport {
    GaitAnalyzer::default().analyze(rec).expect("analyses")
}

/// Where images go: `DORSI_PLOT_KEEP` (to look at them) or the temp dir.
fn out_dir(tmp: &tempfile::TempDir) -> PathBuf {
    match std::env::var_os("DORSI_PLOT_KEEP") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).expect("create DORSI_PLOT_KEEP");
            dir
        }
        None => tmp.path().to_path_buf(),
    }
}

/// The width and height of a PNG, checking its signature.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("read png");
    assert!(bytes.len() > 10_000, "png only {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// The width and height an SVG declares.
fn svg_size(text: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let key = format!("{name}=\"");
        let start = text.find(&key).expect("size attribute") + key.len();
        let end = start + text[start..].find('"').expect("closing quote");
        text[start..end].parse().expect("a number")
    };
    (attr("width"), attr("height"))
}

/// Writes the PNG and the SVG of `report`, checks both and returns the SVG text.
fn check_both(rec: &Recording, report: &GaitReport, dir: &Path, stem: &str) -> String {
    let png = dir.join(format!("{stem}.png"));
    plot_gait(rec, report, &png).expect("png");
    let (w, h) = png_size(&png);
    assert_eq!(w, 1600);
    assert!((400..6000).contains(&h), "height {h}");
    let svg = dir.join(format!("{stem}.svg"));
    plot_gait(rec, report, &svg).expect("svg");
    let text = std::fs::read_to_string(&svg).expect("read svg");
    assert!(text.starts_with("<svg"), "not an SVG");
    assert_eq!(svg_size(&text), (w, h), "PNG and SVG differ in size");
    text
}

#[test]
fn imu_walk_png_and_svg() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let rec = imu_walk(20.0);
    let report = analyze(&rec);
    assert!(!report.strides.is_empty(), "the synthetic walk has strides");
    let svg = check_both(&rec, &report, &dir, "gait_imu");
    for text in [
        "Gait: walk_imu.csv",
        "Left foot pitch",
        "Right foot pitch",
        "Foot-strike angle",
        "healthy 20–28°",
        "Stride time",
    ] {
        assert!(svg.contains(text), "no `{text}` in the SVG");
    }
    // The toe panels are drawn exactly when the report measured the toe.
    let clearance = report
        .strides
        .iter()
        .any(|s| s.metrics.min_toe_clearance_m.is_some() || s.metrics.clearance_minimum.is_some());
    assert_eq!(svg.contains("Minimum toe clearance"), clearance);
    let toe = report
        .tracks
        .iter()
        .any(|t| t.toe_height_m.iter().any(|v| v.is_finite()));
    assert_eq!(svg.contains("toe height above the stance floor"), toe);
}

/// Shank IMUs give events but no foot pitch: each shank's rotation is drawn with its side's
/// events, and the subtitle does not call the sensors foot IMUs.
#[test]
fn shank_walk_shows_the_rotation_with_its_events() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let walk = walk(12.0, 5);
    let sensors = [
        imu::Placement::shank(Side::Left),
        imu::Placement::shank(Side::Right),
    ];
    let csv = imu::simulate(&walk, &sensors, 100.0, &Default::default(), 5).to_csv();
    let rec = dorsi::io::read_bytes("walk_shank.csv", csv.as_bytes(), &Default::default())
        .expect("reads");
    let report = analyze(&rec);
    assert!(!report.events.is_empty() && report.tracks.is_empty());
    let svg = check_both(&rec, &report, &dir, "gait_shank");
    for text in [
        "left_shank: angular rate about its main rotation axis",
        "right_shank: angular rate about its main rotation axis",
        "rate (°/s)",
        "initial contact",
        "final contact",
    ] {
        assert!(svg.contains(text), "no `{text}` in the SVG");
    }
    assert!(!svg.contains("foot IMUs") && !svg.contains("foot pitch (toes up +"));
}

#[test]
fn keypoint_walk_png_and_svg() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let rec = keypoint_walk();
    let report = analyze(&rec);
    assert!(!report.strides.is_empty(), "the synthetic walk has strides");
    let svg = check_both(&rec, &report, &dir, "gait_keypoints");
    assert!(svg.contains("Left foot pitch"));
    assert!(svg.contains("Foot-strike angle"));
    // Image keypoints have no metric scale: no toe clearance, so no panel for it.
    let clearance = report
        .strides
        .iter()
        .any(|s| s.metrics.min_toe_clearance_m.is_some() || s.metrics.clearance_minimum.is_some());
    assert_eq!(svg.contains("Minimum toe clearance"), clearance);
}

#[test]
fn long_walks_show_a_window_and_the_whole() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let rec = imu_walk(40.0);
    let report = analyze(&rec);
    let svg = check_both(&rec, &report, &dir, "gait_long");
    assert!(svg.contains("Foot pitch, whole recording"));
    assert!(svg.contains("(framed above)"));
}

#[test]
fn empty_and_nan_reports_render_with_messages() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let rec = keypoint_walk();
    let full = analyze(&rec);

    // Nothing found at all.
    let mut empty = full.clone();
    empty.events.clear();
    empty.strides.clear();
    empty.sides.clear();
    empty.tracks.clear();
    let svg = check_both(&rec, &empty, &dir, "gait_empty");
    assert!(svg.contains("No side could be judged"));
    assert!(svg.contains("no gait events found, so no foot pitch"));
    assert!(svg.contains("No gait events were found"));

    // Events and strides, but tracks and metrics all NaN.
    let mut nan = full.clone();
    for t in &mut nan.tracks {
        for v in t
            .pitch_deg
            .iter_mut()
            .chain(&mut t.toe_height_m)
            .chain(&mut t.ankle_deg)
        {
            *v = f64::NAN;
        }
    }
    for s in &mut nan.strides {
        s.metrics.stride_time_s = f64::NAN;
        s.metrics.start_s = f64::NAN;
        s.metrics.foot_strike_angle_deg = Some(f64::NAN);
        s.metrics.late_swing_pitch_deg = None;
        s.metrics.min_toe_clearance_m = None;
        s.metrics.clearance_minimum = None;
    }
    for side in &mut nan.sides {
        side.confidence = f64::NAN;
    }
    let svg = check_both(&rec, &nan, &dir, "gait_nan");
    assert!(svg.contains("no foot pitch could be measured"));
    assert!(svg.contains("no measurable metric"));

    // Events but no stride.
    let mut no_strides = full;
    no_strides.strides.clear();
    no_strides.sides.clear();
    let svg = check_both(&rec, &no_strides, &dir, "gait_no_strides");
    assert!(svg.contains("No complete stride was found"));
    assert!(svg.contains("no complete stride: no verdict"));
}

#[test]
fn bad_outputs_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rec = keypoint_walk();
    let report = analyze(&rec);
    let bad = tmp.path().join("gait.jpg");
    assert!(matches!(
        plot_gait(&rec, &report, &bad),
        Err(PlotError::UnsupportedFormat { .. })
    ));
    assert!(!bad.exists());
    // Writing over the input is refused.
    let mut rec_in = rec.clone();
    let input = tmp.path().join("walk.svg");
    std::fs::write(&input, "input").expect("write input");
    rec_in.source.files = vec![input.to_string_lossy().into_owned()];
    assert!(matches!(
        plot_gait(&rec_in, &report, &input),
        Err(PlotError::OverwritesInput { .. })
    ));
    assert_eq!(std::fs::read_to_string(&input).expect("read"), "input");
    // A missing folder is an I/O error, not a panic.
    let missing = tmp.path().join("no/such/dir/gait.png");
    assert!(matches!(
        plot_gait(&rec, &report, &missing),
        Err(PlotError::Io { .. })
    ));
}
