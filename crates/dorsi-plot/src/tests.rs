//! Tests of the recording plot on hand-built recordings.

use std::path::{Path, PathBuf};
use std::time::Instant;

use dorsi::{
    Clock, Format, Gap, Imu, Layout, Modality, Point, Recording, Signal, Skeleton, Source, Space,
    Timing,
};

use crate::{plot_recording, PlotError, RecordingPlot};

const RATE_HZ: f64 = 100.0;

fn timing() -> Timing {
    Timing {
        nominal_rate_hz: Some(RATE_HZ),
        measured_rate_hz: Some(RATE_HZ),
        clock: Clock::Relative {
            column: "time".into(),
        },
        resampled: false,
    }
}

/// A walking-like foot IMU: gravity on z, swing bursts once per second.
fn imu(name: &str, n: usize, phase: f64, missing: std::ops::Range<usize>) -> Imu {
    let t = |i: usize| i as f64 / RATE_HZ + phase;
    let swing = |i: usize| {
        let c = (t(i) % 1.0) - 0.7;
        (-c * c / 0.006).exp()
    };
    let acc = (0..n)
        .map(|i| {
            if missing.contains(&i) {
                [f64::NAN; 3].into()
            } else {
                let s = swing(i);
                [
                    12.0 * s * (t(i) * 25.0).sin(),
                    1.5 * s,
                    9.81 + 8.0 * s * (t(i) * 18.0).cos(),
                ]
                .into()
            }
        })
        .collect();
    let gyro = (0..n)
        .map(|i| {
            if missing.contains(&i) {
                [f64::NAN; 3].into()
            } else {
                let s = swing(i);
                [0.4 * s, -6.0 * s * (t(i) * 9.0).sin(), 0.8 * s].into()
            }
        })
        .collect();
    Imu {
        name: name.into(),
        acc_mps2: Some(acc),
        gyro_rads: Some(gyro),
        acc_unit: None,
        gyro_unit: None,
        columns: Vec::new(),
    }
}

fn point(name: &str, n: usize, x0: f64, y0: f64, lift: f64, phase: f64) -> Point {
    let position = (0..n)
        .map(|i| {
            if (1500..1530).contains(&i) && name.ends_with("heel") {
                return [f64::NAN; 3].into();
            }
            let t = i as f64 / RATE_HZ + phase;
            let c = (t % 1.0) - 0.7;
            let s = (-c * c / 0.01).exp();
            [x0 + 0.02 * t, y0 - lift * s, 0.0].into()
        })
        .collect();
    Point {
        name: name.into(),
        position,
        confidence: None,
    }
}

/// 20 s at 100 Hz: one IMU, MediaPipe image keypoints and three signals, with an unfilled
/// gap at 8–9 s and a filled one at 12.0–12.3 s.
fn recording(files: Vec<String>) -> Recording {
    let n = 2000;
    let skeleton = Skeleton {
        layout: Layout::Mediapipe33,
        space: Space::Image { normalised: true },
        dims: 2,
        points: vec![
            point("nose", n, 0.5, 0.1, 0.0, 0.0),
            point("left_ankle", n, 0.40, 0.80, 0.02, 0.0),
            point("left_heel", n, 0.39, 0.85, 0.04, 0.0),
            point("left_foot_index", n, 0.43, 0.86, 0.02, 0.0),
            point("right_ankle", n, 0.50, 0.80, 0.02, 0.5),
            point("right_heel", n, 0.49, 0.85, 0.04, 0.5),
            point("right_foot_index", n, 0.53, 0.86, 0.02, 0.5),
        ],
        up_axis: None,
    };
    let signal = |name: &str, unit: &str, f: &dyn Fn(f64) -> f64| Signal {
        name: name.into(),
        unit: unit.into(),
        values: (0..n).map(|i| f(i as f64 / RATE_HZ)).collect(),
    };
    Recording {
        source: Source {
            files,
            format: Format::GenericCsv,
            modality: Modality::Imu,
        },
        sampling_rate_hz: RATE_HZ,
        start_s: 0.0,
        n_samples: n,
        imus: vec![imu("left_sensor", n, 0.0, 801..900)],
        skeleton: Some(skeleton),
        signals: vec![
            signal("ankle_angle_r", "rad", &|t| {
                0.2 * (t * std::f64::consts::TAU).sin()
            }),
            signal("ankle_angle_l", "rad", &|t| {
                0.15 * (t * std::f64::consts::TAU + 1.0).sin()
            }),
            signal("grf_y", "N", &|t| {
                700.0 * (t * std::f64::consts::TAU).sin().max(0.0)
            }),
        ],
        gaps: vec![
            Gap {
                start_s: 8.0,
                end_s: 9.0,
                filled: false,
                what: "all channels".into(),
            },
            Gap {
                start_s: 12.0,
                end_s: 12.3,
                filled: true,
                what: "all channels".into(),
            },
        ],
        timing: timing(),
        notes: Vec::new(),
    }
}

/// Where rendered images go: `DORSI_PLOT_KEEP` (to look at them) or the temp dir.
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

fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("read png");
    assert!(bytes.len() > 10_000, "png only {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Temporary files of `plot_recording` left in `dir` (by any test writing there).
fn leftover_temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp."))
        .collect()
}

#[test]
fn png_has_the_requested_width_and_all_panels() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let rec = recording(vec!["walk_left.csv".into()]);
    let out = dir.join("recording.png");
    let opts = RecordingPlot {
        width_px: 1200,
        ..RecordingPlot::default()
    };
    plot_recording(&rec, &opts, &out).expect("plot png");
    let (w, h) = png_size(&out);
    assert_eq!(w, 1200);
    // Header + 8 panels (2 IMU, 4 feet, 2 signal units) of 220 px + padding.
    assert_eq!(h, 62 + 8 * 220 + 6);
    let ours: Vec<_> = leftover_temp_files(&dir)
        .into_iter()
        .filter(|n| n.starts_with(".recording.png."))
        .collect();
    assert!(ours.is_empty(), "{ours:?}");
}

#[test]
fn svg_contains_the_panel_titles() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let rec = recording(vec!["walk_left.csv".into()]);
    let out = dir.join("recording.svg");
    plot_recording(&rec, &RecordingPlot::default(), &out).expect("plot svg");
    let svg = std::fs::read_to_string(&out).expect("read svg");
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    for title in [
        "walk_left.csv",
        "generic_csv · IMU · 100 Hz · 20.0 s · 2000 samples",
        "left_sensor — accelerometer (m/s²)",
        "left_sensor — gyroscope (deg/s)",
        "left foot — height in image (1 − y, image y points down)",
        "1 − image y (normalised)",
        "right foot — horizontal position in image (x)",
        "signals (deg)",
        "grf_y (N)",
        "ankle_angle_r",
        "time (s)",
        "angular rate (deg/s)",
    ] {
        assert!(svg.contains(title), "SVG lacks {title:?}");
    }
    assert!(!svg.contains("nose"), "nose is not a foot point");
}

#[test]
fn channels_and_sensors_narrow_the_figure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let rec = recording(vec!["walk_left.csv".into()]);
    let out = dir.join("narrow.svg");
    let opts = RecordingPlot {
        sensors: Some(vec!["left_sensor".into()]),
        channels: Some(vec!["gyro_y, LEFT_HEEL".into(), "grf_y".into()]),
        title: Some("Narrowed".into()),
        ..RecordingPlot::default()
    };
    plot_recording(&rec, &opts, &out).expect("plot");
    let svg = std::fs::read_to_string(&out).expect("read svg");
    assert!(svg.contains("Narrowed"));
    assert!(svg.contains("left_sensor — gyroscope (deg/s)"));
    assert!(!svg.contains("accelerometer"));
    assert!(svg.contains("selected points — height in image"));
    assert!(svg.contains("grf_y (N)"));
    assert!(!svg.contains("ankle_angle_r"));

    // Only the sensor: keypoints and signals are left out.
    let opts = RecordingPlot {
        sensors: Some(vec!["left_sensor".into()]),
        ..RecordingPlot::default()
    };
    let out = dir.join("sensor_only.png");
    plot_recording(&rec, &opts, &out).expect("plot");
    assert_eq!(png_size(&out), (1600, 62 + 2 * 220 + 6));
}

#[test]
fn unknown_channel_lists_the_available_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rec = recording(vec!["walk_left.csv".into()]);
    let opts = RecordingPlot {
        channels: Some(vec!["acc".into(), "magnetometer".into()]),
        ..RecordingPlot::default()
    };
    let out = tmp.path().join("x.png");
    let err = plot_recording(&rec, &opts, &out).expect_err("unknown channel");
    assert!(matches!(err, PlotError::UnknownChannel { .. }), "{err:?}");
    let msg = err.to_string();
    for name in [
        "`magnetometer`",
        "acc",
        "gyro_z",
        "left_foot",
        "right_foot",
        "left_heel",
        "ankle_angle_l",
        "grf_y",
    ] {
        assert!(msg.contains(name), "{msg:?} lacks {name}");
    }
    assert!(!out.exists());

    let opts = RecordingPlot {
        sensors: Some(vec!["right_sensor".into()]),
        ..RecordingPlot::default()
    };
    let msg = plot_recording(&rec, &opts, &out)
        .expect_err("unknown sensor")
        .to_string();
    assert!(
        msg.contains("right_sensor") && msg.contains("left_sensor"),
        "{msg}"
    );
}

#[test]
fn never_writes_over_an_input_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("walk.svg");
    std::fs::write(&input, "time,x\n0,1\n").expect("write input");
    let rec = recording(vec![input.to_string_lossy().into_owned()]);
    // The same file, spelled directly and through `.`.
    for out in [input.clone(), tmp.path().join(".").join("walk.svg")] {
        let err = plot_recording(&rec, &RecordingPlot::default(), &out).expect_err("refused");
        assert!(matches!(err, PlotError::OverwritesInput { .. }), "{err:?}");
        assert!(err.to_string().contains("walk.svg"));
    }
    assert_eq!(
        std::fs::read_to_string(&input).expect("read input"),
        "time,x\n0,1\n"
    );
    assert!(leftover_temp_files(tmp.path()).is_empty());
}

#[test]
fn bad_outputs_and_recordings_are_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rec = recording(vec!["walk_left.csv".into()]);
    let err = plot_recording(&rec, &RecordingPlot::default(), &tmp.path().join("x.jpg"))
        .expect_err("jpg");
    assert!(matches!(err, PlotError::UnsupportedFormat { .. }), "{err}");
    assert!(err.to_string().contains(".png or .svg"));

    let opts = RecordingPlot {
        width_px: 10,
        ..RecordingPlot::default()
    };
    let err = plot_recording(&rec, &opts, &tmp.path().join("x.png")).expect_err("width");
    assert!(
        matches!(err, PlotError::InvalidWidth { width_px: 10 }),
        "{err}"
    );

    // A directory that does not exist: an I/O error naming the path, no panic.
    let missing = tmp.path().join("no/such/dir/x.png");
    let err = plot_recording(&rec, &RecordingPlot::default(), &missing).expect_err("io");
    assert!(err.to_string().contains("no/such/dir"), "{err}");

    let mut empty = recording(vec!["e.csv".into()]);
    empty.n_samples = 0;
    let err = plot_recording(&empty, &RecordingPlot::default(), &tmp.path().join("e.png"))
        .expect_err("empty");
    assert!(matches!(err, PlotError::InvalidRecording(_)), "{err}");

    let mut bad_rate = recording(vec!["e.csv".into()]);
    bad_rate.sampling_rate_hz = 0.0;
    let err = plot_recording(
        &bad_rate,
        &RecordingPlot::default(),
        &tmp.path().join("e.png"),
    )
    .expect_err("rate");
    assert!(err.to_string().contains("sampling rate"), "{err}");
    assert!(leftover_temp_files(tmp.path()).is_empty());
}

/// Channels shorter than `n_samples` (an inconsistent hand-built recording) do not panic.
#[test]
fn short_channels_do_not_panic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut rec = recording(vec!["walk_left.csv".into()]);
    rec.n_samples = 5000;
    if let Some(acc) = rec.imus[0].acc_mps2.as_mut() {
        acc.truncate(10);
    }
    plot_recording(&rec, &RecordingPlot::default(), &tmp.path().join("s.svg")).expect("plot");
}

/// Motion-capture markers in metres (z up), starting at 1.52 s on the file's clock.
#[test]
fn markers_plot_in_world_coordinates() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let n = 600;
    let marker = |name: &str, lift: f64, phase: f64| {
        let position = (0..n)
            .map(|i| {
                let t = i as f64 / RATE_HZ + phase;
                let c = (t % 1.1) - 0.75;
                [0.1, 1.3 * t, 0.05 + lift * (-c * c / 0.01).exp()].into()
            })
            .collect();
        Point {
            name: name.into(),
            position,
            confidence: None,
        }
    };
    let rec = Recording {
        source: Source {
            files: vec!["trial01.trc".into()],
            format: Format::Trc,
            modality: Modality::Markers,
        },
        sampling_rate_hz: RATE_HZ,
        start_s: 1.52,
        n_samples: n,
        imus: Vec::new(),
        skeleton: Some(Skeleton {
            layout: Layout::Markers,
            space: Space::World,
            dims: 3,
            points: vec![
                marker("LASI", 0.0, 0.0),
                marker("LANK", 0.05, 0.0),
                marker("LHEE", 0.12, 0.0),
                marker("LTOE", 0.08, 0.05),
                marker("RANK", 0.05, 0.55),
                marker("RHEE", 0.12, 0.55),
                marker("RTOE", 0.02, 0.6),
            ],
            up_axis: Some("Y in the file".into()),
        }),
        signals: Vec::new(),
        gaps: Vec::new(),
        timing: timing(),
        notes: Vec::new(),
    };
    let out = dir.join("markers.png");
    plot_recording(&rec, &RecordingPlot::default(), &out).expect("plot png");
    assert_eq!(png_size(&out), (1600, 62 + 4 * 220 + 6));
    let out = dir.join("markers.svg");
    plot_recording(&rec, &RecordingPlot::default(), &out).expect("plot svg");
    let svg = std::fs::read_to_string(&out).expect("read svg");
    assert!(svg.contains("left foot — vertical position z (m)"));
    assert!(svg.contains("right foot — horizontal position y (m)"));
    assert!(svg.contains("LHEE") && svg.contains("RTOE") && !svg.contains("LASI"));
}

/// One hour at 100 Hz with two IMUs: decimation keeps this fast.
#[test]
fn an_hour_at_100_hz_plots_quickly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let n = 360_000;
    let rec = Recording {
        source: Source {
            files: vec!["left.csv".into(), "right.csv".into()],
            format: Format::MetaMotion,
            modality: Modality::Imu,
        },
        sampling_rate_hz: RATE_HZ,
        start_s: 0.0,
        n_samples: n,
        imus: vec![
            imu("left_sensor", n, 0.0, 100_000..130_000),
            imu("right_sensor", n, 0.5, 0..0),
        ],
        skeleton: None,
        signals: Vec::new(),
        gaps: vec![Gap {
            start_s: 999.99,
            end_s: 1300.0,
            filled: false,
            what: "left_sensor".into(),
        }],
        timing: timing(),
        notes: Vec::new(),
    };
    for name in ["hour.png", "hour.svg"] {
        let start = Instant::now();
        plot_recording(&rec, &RecordingPlot::default(), &dir.join(name)).expect("plot");
        let elapsed = start.elapsed();
        eprintln!("{name}: {elapsed:?}");
        // Generous for unoptimised CI builds; about 0.2 s with `--release`.
        assert!(elapsed.as_secs_f64() < 5.0, "{name} took {elapsed:?}");
    }
    assert_eq!(png_size(&dir.join("hour.png")), (1600, 62 + 4 * 220 + 6));
}

/// A narrow figure with long names: titles and legends are shortened, not overlapped.
#[test]
fn narrow_figures_shorten_long_titles_and_legends() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir(&tmp);
    let mut rec = recording(vec![
        "a_very_long_directory_name/with_a_very_long_recording_file_name_from_the_clinic.csv"
            .into(),
    ]);
    rec.imus[0].name = "RightFootSensorMountedOnTheDorsumOfTheForefoot".into();
    rec.signals = (0..13)
        .map(|k| Signal {
            name: format!("Segment{k}/HipFlexionExtensionAngleFromTheOpticalSystem/X"),
            unit: "rad".into(),
            values: (0..rec.n_samples)
                .map(|i| 0.1 * k as f64 + 0.2 * (i as f64 * 0.05 + k as f64).sin())
                .collect(),
        })
        .collect();
    let opts = RecordingPlot {
        width_px: 480,
        channels: Some(vec![
            "acc".into(),
            "left_foot".into(),
            "Segment3/HipFlexionExtensionAngleFromTheOpticalSystem/X".into(),
            "Segment4/HipFlexionExtensionAngleFromTheOpticalSystem/X".into(),
        ]),
        ..RecordingPlot::default()
    };
    let out = dir.join("narrow.png");
    plot_recording(&rec, &opts, &out).expect("plot");
    assert_eq!(png_size(&out), (480, 62 + 4 * 220 + 6));
    // The default selection with 13 signals: three signal panels, 9 panels in all.
    let out = dir.join("many.svg");
    plot_recording(&rec, &RecordingPlot::default(), &out).expect("plot");
    let svg = std::fs::read_to_string(&out).expect("read svg");
    assert!(
        svg.contains("1 more panel not shown"),
        "hidden panels are announced"
    );
}
