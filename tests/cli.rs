//! End-to-end tests of the `dorsi` command: the README's commands, the JSON contract, the
//! bundled samples.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dorsi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dorsi"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("dorsi runs")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples/walk_healthy_imu.csv")
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn readme_main_command_writes_a_png() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    assert!(readme.contains("gait data/samples/walk_left_drop_imu.csv --plot gait.png"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("gait.png");
    let walk = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples/walk_left_drop_imu.csv");
    let o = dorsi(&["gait", path_str(&walk), "--plot", path_str(&out)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("FOOT DROP"));
    let png = std::fs::read(&out).expect("the plot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000);
}

#[test]
fn bundled_samples_are_what_synth_makes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    for (name, args) in [
        ("walk_healthy_imu", &["gait", "--seed", "1"][..]),
        (
            "walk_left_drop_imu",
            &["gait", "--seed", "2", "--left-drop", "0.8"][..],
        ),
        (
            "heel_raise_imu",
            &["exercise", "--exercise", "heel_raise", "--seed", "3"][..],
        ),
        (
            "walk_left_drop_mediapipe",
            &[
                "gait",
                "--seed",
                "2",
                "--left-drop",
                "0.8",
                "--duration",
                "10",
                "--write",
                "mediapipe",
            ][..],
        ),
        (
            "heel_raise_mediapipe",
            &[
                "exercise",
                "--exercise",
                "heel_raise",
                "--seed",
                "3",
                "--reps",
                "2",
                "--write",
                "mediapipe",
            ][..],
        ),
        (
            "towel_stretch_imu",
            &[
                "exercise",
                "--exercise",
                "towel_stretch",
                "--seed",
                "4",
                "--rate",
                "25",
            ][..],
        ),
    ] {
        let out = dir.path().join(format!("{name}.csv"));
        let mut argv = vec!["synth"];
        argv.extend_from_slice(args);
        argv.extend(["-o", path_str(&out)]);
        let o = dorsi(&argv);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for ext in ["csv", "labels.csv"] {
            let made = std::fs::read(out.with_extension(ext)).expect("made");
            let bundled = std::fs::read(samples.join(format!("{name}.{ext}"))).expect("bundled");
            assert!(
                made == bundled,
                "data/samples/{name}.{ext} is not `dorsi synth {args:?}`"
            );
        }
    }
}

#[test]
fn inspect_json_is_the_report_and_nothing_else() {
    let o = dorsi(&["inspect", path_str(&sample()), "--json", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["schema"], "dorsi.inspect/1");
    assert_eq!(v["format"], "generic_csv");
    assert_eq!(v["modality"], "imu");
    assert_eq!(v["sampling_rate_hz"], 100.0);
    assert_eq!(v["duration_s"], 20.0);
    assert_eq!(v["gaps"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["landmarks"].as_array().map(Vec::len), Some(0));
    let sensors = v["sensors"].as_array().expect("sensors");
    assert_eq!(sensors.len(), 2);
    for (s, name) in sensors.iter().zip(["left_foot", "right_foot"]) {
        assert_eq!(s["name"], name);
        assert_eq!(s["acc_unit_in_file"], "m/s^2");
        assert_eq!(s["gyro_unit_in_file"], "deg/s");
        assert_eq!(s["acc_unit_basis"], "header");
        assert_eq!(s["channels"].as_array().map(Vec::len), Some(6));
    }
}

#[test]
fn plot_refuses_bad_requests_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Over the input file.
    let o = dorsi(&["plot", path_str(&sample()), "-o", path_str(&sample())]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("input file"));
    // An unknown channel lists the ones there are.
    let out = dir.path().join("x.png");
    let o = dorsi(&[
        "plot",
        path_str(&sample()),
        "-o",
        path_str(&out),
        "--channels",
        "knee",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("knee") && err.contains("gyro"), "{err}");
    // A format that is neither PNG nor SVG.
    let out = dir.path().join("x.jpg");
    let o = dorsi(&["plot", path_str(&sample()), "-o", path_str(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
}

#[test]
fn svg_plot_of_one_sensor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("left.svg");
    let o = dorsi(&[
        "plot",
        path_str(&sample()),
        "-o",
        path_str(&out),
        "--sensor",
        "left_foot",
        "--channels",
        "gyro",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(&out).expect("svg");
    assert!(svg.contains("left_foot") && svg.contains("gyroscope"));
    assert!(!svg.contains("right_foot"));
}

#[test]
fn bundled_samples_stay_under_2_mb() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    let total: u64 = std::fs::read_dir(&dir)
        .expect("samples")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    assert!(total < 2_000_000, "data/samples holds {total} bytes");
}

#[test]
fn bench_json_reports_synthetic_scores() {
    let o = dorsi(&[
        "bench",
        "bench/synthetic.toml",
        "--only",
        "synthetic_gait_imu",
        "--seeds",
        "2",
        "--json",
        "-",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["schema"], "dorsi.bench/1");
    // 3 severities x 2 seeds.
    assert_eq!(v["outcomes"].as_array().map(Vec::len), Some(6));
    let healthy = v["datasets"]
        .as_array()
        .and_then(|d| {
            d.iter()
                .find(|d| d["dataset"] == "synthetic_gait_imu (severity 0)")
        })
        .expect("the healthy case");
    let ic = &healthy["events"][0];
    assert_eq!(ic["kind"], "initial_contact");
    let f1_at_30 = ic["score"]["per_tolerance"][0]["f1"].as_f64().expect("F1");
    assert!(f1_at_30 >= 0.99, "{f1_at_30}");
}

#[test]
fn bench_refuses_a_broken_manifest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = dir.path().join("m.toml");
    std::fs::write(&m, "[[entry]]\nname = \"x\"\ntask = \"juggling\"\n").expect("write");
    let o = dorsi(&["bench", path_str(&m)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("m.toml") && err.contains("entry \"x\""),
        "{err}"
    );
}

#[test]
fn gait_plot_writes_a_png_and_refuses_bad_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.png");
    let walk = "data/samples/walk_left_drop_mediapipe.csv";
    let o = dorsi(&["gait", walk, "--plot", path_str(&out)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrote"));
    let png = std::fs::read(&out).expect("the plot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000);
    // With `--json -`, stdout is the report and stderr stays quiet.
    let o = dorsi(&["gait", walk, "--plot", path_str(&out), "--json", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("wrote"));
    let _: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    // Bad formats and folders are usage errors.
    for bad in [
        dir.path().join("out.jpg"),
        dir.path().join("no/dir/out.png"),
    ] {
        let o = dorsi(&["gait", walk, "--plot", path_str(&bad)]);
        assert_eq!(o.status.code(), Some(2), "{}", bad.display());
        assert!(!bad.exists());
    }
}

#[test]
fn reps_table_json_csv_and_plot() {
    let heel = "data/samples/heel_raise_imu.csv";
    // The table names the count.
    let o = dorsi(&["reps", heel, "--exercise", "heel_raise"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("10 reps (10 complete)"), "{table}");
    assert!(table.contains("adherence: met"), "{table}");
    // `--json -` is the dorsi.reps/1 report and nothing else.
    let o = dorsi(&["reps", heel, "--exercise", "heel_raise", "--json", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["schema"], "dorsi.reps/1");
    assert_eq!(v["exercise"], "heel_raise");
    assert_eq!(v["summary"]["reps"], 10);
    assert_eq!(v["reps"].as_array().map(Vec::len), Some(10));
    assert_eq!(v["summary"]["adherence"], "met");
    // CSV files and a PNG plot.
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("csv");
    let png = dir.path().join("reps.png");
    let o = dorsi(&[
        "reps",
        "data/samples/towel_stretch_imu.csv",
        "--exercise",
        "towel_stretch",
        "--csv",
        path_str(&csv),
        "--plot",
        path_str(&png),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let reps = std::fs::read_to_string(csv.join("reps.csv")).expect("reps.csv");
    assert!(reps.starts_with("index,start_s,peak_s,end_s,amplitude,unit,hold_s,complete"));
    let holds = std::fs::read_to_string(csv.join("holds.csv")).expect("holds.csv");
    assert!(holds.lines().count() >= 4, "{holds}");
    assert!(csv.join("sets.csv").exists());
    let bytes = std::fs::read(&png).expect("the plot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000);
}

#[test]
fn reps_refuses_unknown_exercises_and_bad_outputs_with_exit_2() {
    let heel = "data/samples/heel_raise_imu.csv";
    let o = dorsi(&["reps", heel, "--exercise", "jumping_jacks"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("jumping_jacks") && err.contains("heel_raise") && err.contains("auto"),
        "{err}"
    );
    // Never over the input.
    let o = dorsi(&["reps", heel, "--exercise", "heel_raise", "--plot", heel]);
    assert_eq!(o.status.code(), Some(2));
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("reps.jpg");
    let o = dorsi(&[
        "reps",
        heel,
        "--exercise",
        "heel_raise",
        "--plot",
        path_str(&bad),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!bad.exists());
}

#[test]
fn gait_json_table_and_csv() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    let file = samples.join("walk_left_drop_mediapipe.csv");
    let o = dorsi(&["gait", path_str(&file), "--json", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("only JSON on stdout");
    assert_eq!(v["schema"], "dorsi.gait/1");
    assert_eq!(v["source"]["modality"], "keypoints");
    let strides = v["strides"].as_array().expect("strides");
    assert!(strides.len() >= 12, "{} strides", strides.len());
    for key in [
        "side",
        "start_s",
        "stride_time_s",
        "foot_strike_angle_deg",
        "min_toe_clearance_m",
        "heel_to_toe_s",
    ] {
        assert!(strides[0].get(key).is_some(), "stride field {key}");
    }
    assert!(strides[0]["drag"]["flagged"].is_boolean());
    let verdict = |side: &str| {
        v["sides"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["side"] == side))
            .map(|x| x["verdict"].clone())
    };
    assert_eq!(verdict("left"), Some("foot_drop".into()));
    assert_eq!(verdict("right"), Some("normal".into()));

    let o = dorsi(&["gait", path_str(&samples.join("walk_healthy_imu.csv"))]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("normal") && !table.contains("FOOT DROP"),
        "{table}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let o = dorsi(&[
        "gait",
        path_str(&file),
        "--side",
        "left",
        "--csv",
        path_str(dir.path()),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(dir.path().join("strides.csv")).expect("strides.csv");
    assert!(csv.starts_with("side,start_s,"));
    assert!(csv.lines().skip(1).all(|l| l.starts_with("left,")), "{csv}");
    assert!(dir.path().join("sides.csv").exists() && dir.path().join("events.csv").exists());
}
