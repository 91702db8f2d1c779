//! The corpus of broken and hostile inputs: each one gets an error that names the file (and
//! the line and column where they apply) and says what was expected; none panics; the CLI
//! exits 2. Small inputs live in `tests/bad_input/`; the big ones are generated here.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad_input")
        .join(name)
}

/// Run `dorsi inspect` and return (exit code, stderr).
fn inspect(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dorsi"))
        .arg("inspect")
        .args(args)
        .output()
        .expect("dorsi runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The cases: input files (+ options), and what the message must say.
const CASES: &[(&[&str], &[&str])] = &[
    (&["empty.csv"], &["empty.csv", "empty"]),
    (&["header_only.csv"], &["header_only.csv", "header only"]),
    (
        &["ragged_row.csv"],
        &["ragged_row.csv", "line 4", "expected 4 fields", "found 3"],
    ),
    (
        &["text_in_numeric.csv"],
        &[
            "line 3",
            "'acc_y' (column 3)",
            "expected a finite number",
            "\"abc\"",
        ],
    ),
    (
        &["nan_column.csv"],
        &["nan_column.csv", "'acc_x'", "no values"],
    ),
    (
        &["infinite_value.csv"],
        &["line 4", "'acc_x' (column 2)", "finite number", "\"inf\""],
    ),
    (
        &["duplicated_timestamp.csv"],
        &[
            "line 4",
            "'time'",
            "duplicated time",
            "line 3",
            "strictly increasing",
        ],
    ),
    (
        &["decreasing_timestamp.csv"],
        &[
            "line 5",
            "'time'",
            "goes back from 0.02",
            "expected increasing",
        ],
    ),
    (
        &["four_hour_gap.csv"],
        &["line 5", "gap of 4.0 h", "split the file"],
    ),
    (
        &["unknown_unit.csv"],
        &[
            "'acc_x'",
            "unknown accelerometer unit 'furlongs/fortnight^2'",
            "g or m/s^2",
        ],
    ),
    (
        &["wrong_unit.csv"],
        &["'acc_x'", "header says g", "looks like m/s^2", "--acc-unit"],
    ),
    (
        &["ambiguous_unit.csv"],
        &["cannot tell the accelerometer unit", "--acc-unit"],
    ),
    (
        &["no_clock.csv"],
        &["no_clock.csv", "no time column", "--rate"],
    ),
    (
        &["one_column.csv"],
        &["one_column.csv", "line 1", "one column"],
    ),
    (
        &["five_header_rows.csv"],
        &["five_header_rows.csv", "line 6", "5 header rows", "1 to 3"],
    ),
    (
        &["text_in_time.csv"],
        &["line 3", "'time' (column 1)", "\"abc\""],
    ),
    (&["not_utf8.csv"], &["not_utf8.csv", "line 3", "'acc_y'"]),
    (&["binary.csv"], &["binary.csv", "binary file"]),
    (&["capture.c3d"], &["capture.c3d", "C3D", "--format"]),
    (
        &["pair_acc.csv", "pair_gyro_other_day.csv"],
        &["do not overlap in time", "pair_gyro_other_day.csv"],
    ),
    (
        &["pair_acc_epoch_only.csv", "pair_gyro_relative.csv"],
        &["cannot join", "absolute clock"],
    ),
    (
        &["wrong_marker_count.trc"],
        &["wrong_marker_count.trc", "3", "marker"],
    ),
    (&["no_endheader.mot"], &["no_endheader.mot", "endheader"]),
    (&["not_openpose.json"], &["not_openpose.json"]),
    (
        &["openpose_corrupt_frame", "--rate", "30"],
        &["walk_000000000001_keypoints.json"],
    ),
    (&["truncated.npy"], &["truncated.npy"]),
    (&["integer_dtype.npy"], &["integer_dtype.npy", "<i8"]),
    (
        &["valid_pose_no_rate.npy"],
        &["valid_pose_no_rate.npy", "--rate"],
    ),
    (
        &["does_not_exist.csv"],
        &["does_not_exist.csv", "cannot read"],
    ),
];

#[test]
fn every_bad_input_gets_a_clear_error_and_exit_code_2() {
    let mut failures = Vec::new();
    for (args, wanted) in CASES {
        let mut argv: Vec<String> = Vec::new();
        for a in args.iter() {
            let p = corpus(a);
            if a.starts_with("--") || a.parse::<f64>().is_ok() {
                argv.push((*a).to_string());
            } else {
                argv.push(p.display().to_string());
            }
        }
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let (code, err) = inspect(&argv);
        let missing: Vec<&&str> = wanted.iter().filter(|w| !err.contains(**w)).collect();
        if code != 2 || !missing.is_empty() || err.contains("panicked") {
            failures.push(format!(
                "{args:?}: exit {code}, missing {missing:?} in: {err}"
            ));
        }
    }
    assert!(CASES.len() >= 25);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn a_200_mb_file_of_one_line_is_refused_early() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("one_huge_line.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let chunk = "1.2345,".repeat(1 << 14);
        let mut written = 0;
        while written < 200 << 20 {
            f.write_all(chunk.as_bytes()).expect("write");
            written += chunk.len();
        }
    }
    let (code, err) = inspect(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("one_huge_line.csv") && err.contains("line 1"),
        "{err}"
    );
    assert!(err.contains("longer than"), "{err}");
}

#[test]
fn a_bad_option_is_a_usage_error() {
    let f = corpus("pair_acc.csv");
    let (code, err) = inspect(&[f.to_str().expect("utf-8"), "--rate=-5"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("rate"), "{err}");
    let (code, err) = inspect(&[f.to_str().expect("utf-8"), "--format", "c3d"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown format 'c3d'"), "{err}");
}
