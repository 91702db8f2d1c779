//! `dorsi`: the command line. Argument parsing and output formatting only; every algorithm
//! lives in the `dorsi` library.

mod bench;
mod gait;
mod inspect;
mod output;
mod plot;
mod reps;
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use dorsi::io::{ReadError, ReadOptions};

/// Gait and foot-drop rehabilitation analysis from recorded IMU, keypoint and marker traces.
#[derive(Parser)]
#[command(name = "dorsi", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// What is in a recording: format, sensors, rate, units and how they were decided, gaps.
    Inspect {
        #[command(flatten)]
        input: Input,
        /// Write the dorsi.inspect/1 JSON report to PATH ('-' for stdout, nothing else printed).
        #[arg(long, value_name = "PATH")]
        json: Option<String>,
    },
    /// Plot the recording's signals over time (one panel per sensor quantity or point group).
    Plot {
        #[command(flatten)]
        input: Input,
        /// Output image: .png or .svg.
        #[arg(short, long, value_name = "PATH")]
        output: PathBuf,
        /// Only these sensors (comma-separated names, as `dorsi inspect` lists them).
        #[arg(long, value_delimiter = ',')]
        sensor: Option<Vec<String>>,
        /// Only these channels: acc, gyro, acc_x..., point or group names (left_foot,
        /// right_foot), or signal names (comma-separated).
        #[arg(long, value_delimiter = ',')]
        channels: Option<Vec<String>>,
        /// Image width in pixels.
        #[arg(long, default_value_t = 1600)]
        width: u32,
    },
    /// Reps, holds and sets of an exercise, and adherence to its prescription.
    Reps {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        args: reps::RepsArgs,
    },
    /// Gait events, strides, per-stride foot-drop metrics and the foot-drag verdict per side.
    Gait {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        args: gait::GaitArgs,
    },
    /// Score detectors on labelled recordings: the manifests' real entries and synthetic
    /// suites, in parallel; a table per task, and JSON.
    Bench(bench::BenchArgs),
    /// Write a synthetic recording and its exact labels.
    Synth {
        #[command(subcommand)]
        kind: SynthKind,
    },
}

#[derive(Subcommand)]
enum SynthKind {
    /// Walking, healthy or with foot drop, seen by an IMU on each foot or shank (generic
    /// CSV) or by a camera or markers (`--write`), and its labels (`FILE.labels.csv`,
    /// dorsi.labels/1).
    Gait(synth::GaitArgs),
    /// A session of one exercise of the foot-drop programme, seen by an IMU on the working
    /// foot or shank (generic CSV) or by a camera or markers (`--write`), and its labels
    /// (`FILE.labels.csv`).
    Exercise(synth::ExerciseArgs),
}

/// The files of one recording and how to read them.
#[derive(Args)]
struct Input {
    /// The files of one recording (a MetaMotion accelerometer + gyroscope pair is one
    /// recording); a folder is read as OpenPose JSON frames.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Read as this format instead of detecting it: generic_csv, metamotion, xsens, phyphox,
    /// core_motion, mediapipe_csv, mediapipe_npy, openpose_json, trc, mot.
    #[arg(long, value_parser = parse_format)]
    format: Option<dorsi::Format>,
    /// Sampling rate, Hz (needed for files without a clock: .npy, OpenPose folders, CSVs
    /// without a time column).
    #[arg(long, value_name = "HZ")]
    rate: Option<f64>,
    /// The accelerometer unit of the file, overriding the header and inference: g or m/s^2.
    #[arg(long, value_parser = parse_acc_unit)]
    acc_unit: Option<dorsi::AccUnit>,
    /// The gyroscope unit of the file, overriding the header and inference: deg/s or rad/s.
    #[arg(long, value_parser = parse_gyro_unit)]
    gyro_unit: Option<dorsi::GyroUnit>,
    /// Fill gaps up to this long by interpolation, s.
    #[arg(long, default_value_t = 0.25, value_name = "S")]
    max_fill: f64,
    /// Refuse gaps longer than this, s.
    #[arg(long, default_value_t = 600.0, value_name = "S")]
    max_gap: f64,
}

impl Input {
    fn read(&self) -> Result<dorsi::Recording, ReadError> {
        self.read_files(&self.files)
    }

    /// Read `files` (some of this input's) with this input's read options.
    fn read_files(&self, files: &[PathBuf]) -> Result<dorsi::Recording, ReadError> {
        let opts = ReadOptions {
            format: self.format,
            rate_hz: self.rate,
            acc_unit: self.acc_unit,
            gyro_unit: self.gyro_unit,
            max_fill_s: self.max_fill,
            max_gap_s: self.max_gap,
        };
        dorsi::io::read(files, &opts)
    }
}

fn parse_format(s: &str) -> Result<dorsi::Format, String> {
    dorsi::io::parse_format(s).ok_or_else(|| {
        let names: Vec<&str> = dorsi::io::FORMATS.iter().map(|f| f.name()).collect();
        format!("unknown format '{s}'; expected one of {}", names.join(", "))
    })
}

fn parse_acc_unit(s: &str) -> Result<dorsi::AccUnit, String> {
    match s.trim() {
        "g" => Ok(dorsi::AccUnit::G),
        "m/s^2" | "m/s2" | "mps2" => Ok(dorsi::AccUnit::MetresPerSecond2),
        _ => Err(format!(
            "unknown accelerometer unit '{s}'; expected g or m/s^2"
        )),
    }
}

fn parse_gyro_unit(s: &str) -> Result<dorsi::GyroUnit, String> {
    match s.trim() {
        "deg/s" | "dps" => Ok(dorsi::GyroUnit::DegPerSecond),
        "rad/s" => Ok(dorsi::GyroUnit::RadPerSecond),
        _ => Err(format!(
            "unknown gyroscope unit '{s}'; expected deg/s or rad/s"
        )),
    }
}

/// An error in what the user gave (input files, options): exit code 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect { input, json } => inspect::run(&input.read()?, json.as_deref()),
        Command::Plot {
            input,
            output,
            sensor,
            channels,
            width,
        } => plot::run(&input.read()?, &output, sensor, channels, width),
        Command::Reps { input, args } => reps::run(reps::read(&input, &args)?, &args),
        Command::Gait { input, args } => gait::run(input.read()?, &args),
        Command::Bench(args) => bench::run(&args),
        Command::Synth {
            kind: SynthKind::Gait(args),
        } => synth::gait(&args),
        Command::Synth {
            kind: SynthKind::Exercise(args),
        } => synth::exercise(&args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dorsi: {e:#}");
            let bad_input =
                e.downcast_ref::<ReadError>().is_some() || e.downcast_ref::<UsageError>().is_some();
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}
