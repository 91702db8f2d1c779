//! Dataset manifests: TOML files that tie recordings to their ground truth, the detector
//! that applies and how to score it (`bench/real.toml`, `bench/synthetic.toml`).
//!
//! A manifest holds `[[entry]]` tables (labelled recordings on disk) and `[[suite]]` tables
//! (synthetic recordings generated from seeds). Paths are relative to the manifest's folder.
//!
//! ```toml
//! [[entry]]
//! name = "ktk_walk_cgm21"
//! task = "gait_events"            # gait_events | reps | foot_drop
//! files = ["../../shared/data/real/ktk_walk_cgm21/walk_lowerlimb_markers.trc"]
//! labels = "../../shared/data/real/ktk_walk_cgm21/walk_events.csv"
//! loader = "events_csv"           # a truth::Loader name
//! detector = "gait_keypoints"
//! sides = { left = "normal", right = "normal" }
//! tolerances_s = [0.03, 0.05]
//! licence = "Apache-2.0 (Kinetics Toolkit)"
//!
//! [[suite]]
//! name = "synthetic_gait_imu"
//! task = "gait_events"
//! kind = "gait"                   # gait | exercise
//! modality = "imu"                # imu | keypoints
//! seeds = 100                     # seeds 0..100; or [start, end)
//! severity = [0.0, 0.5, 1.0]
//! detector = "gait_imu"
//! ```
//!
//! # Entry keys
//!
//! | key | meaning |
//! | --- | --- |
//! | `name` | unique in the manifest |
//! | `dataset` | optional: the dataset the entry's scores are pooled under (default: its name), so the 57 sets of one study score as one |
//! | `task` | `gait_events`, `reps` or `foot_drop`: the table the entry is reported in. The runner also scores what else the truth holds (per-side labels of a gait entry, say) |
//! | `files` | the parts of one recording, as [`crate::io::read`] takes them |
//! | `format`, `rate_hz`, `acc_unit` (`g`, `m/s^2`), `gyro_unit` (`deg/s`, `rad/s`) | reader options ([`Entry::read`]) |
//! | `concat` | `true`: `files` are consecutive pieces of one session (the CMU one-rep-per-file trials). The runner reads each file on its own, lays them on one time axis and fills the gaps between them by linear interpolation |
//! | `offsets_s` | with `concat`: the start time of each file on that axis, for files without a clock of their own (the CMU joint-angle files); without it each file keeps its own clock |
//! | `sensor`, `side`, `signal` | which IMU, body side or named signal to analyse (as `--sensor`, `--side`, `--signal`); a gait entry with `side` is scored on that side's labels only |
//! | `labels`, `loader`, `select` | the label file, its [`Loader`], and which recording's labels to take from a shared file (`select = { exercise = "HeelRaise" }`, `{ set_id = "S005" }`, `{ video = "squat017.npy" }`) |
//! | `sides` | per-side foot-drop labels the label file does not hold (from SOURCE.md): `sides = { left = "normal", right = "normal" }` (`normal` or `foot_drop`); they replace the loader's |
//! | `detector` | `gait_imu`, `gait_keypoints` (keypoints and markers), `gait_lowerback` (one lower-back IMU: initial contacts and their side) or `reps` |
//! | `exercise` | for `reps`: an exercise of the programme (`heel_raise`...) or `auto` |
//! | `tolerances_s` | matching tolerances, s (default: the scorer's) |
//! | `licence` | the licence note of the data (required) |
//! | `notes` | free text: caveats of the labels |
//!
//! # Suite keys
//!
//! `name`, `task`, `kind` (`gait` or `exercise`), `modality` (`imu` or `keypoints`), `seeds`
//! (a count `n` for seeds `0..n`, or `[start, end)`), `detector`, `tolerances_s`; for gait
//! suites `severity` (a list of foot-drop severities 0–1 of the `affected_side`, default
//! `left`; one case per severity, the other side healthy), `duration_s` and, for IMU
//! suites, `segment` (`foot`, the default, or `shank`: where the two IMUs are worn); for
//! exercise suites `exercise` (a programme exercise name).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::truth::{self, LoadOptions, Loader, Selection, Truth, TruthError, TruthSide};
use crate::io::ReadOptions;
use crate::recording::{AccUnit, GyroUnit};
use crate::synth::body::Segment;
use crate::synth::exercise::Exercise;

/// What an entry or suite is scored on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Task {
    /// Gait events and strides.
    GaitEvents,
    /// Repetitions, sets and counts.
    Reps,
    /// The per-side foot-drop verdict.
    FootDrop,
}

impl Task {
    /// Every task.
    pub const ALL: [Task; 3] = [Task::GaitEvents, Task::Reps, Task::FootDrop];

    /// The name used in manifests.
    pub fn name(self) -> &'static str {
        match self {
            Task::GaitEvents => "gait_events",
            Task::Reps => "reps",
            Task::FootDrop => "foot_drop",
        }
    }

    fn is_gait(self) -> bool {
        matches!(self, Task::GaitEvents | Task::FootDrop)
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A detector, by the name manifests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Detector {
    /// Gait events, strides and foot drag from foot- or shank-worn IMUs.
    GaitImu,
    /// Gait events, strides and foot drag from keypoints or markers.
    GaitKeypoints,
    /// Gait events from a lower-back IMU (`gait::LowerBackEventDetector`).
    GaitLowerback,
    /// Repetition, hold and set segmentation.
    Reps,
}

impl Detector {
    /// Every detector name a manifest may use.
    pub const ALL: [Detector; 4] = [
        Detector::GaitImu,
        Detector::GaitKeypoints,
        Detector::GaitLowerback,
        Detector::Reps,
    ];

    /// The name used in manifests.
    pub fn name(self) -> &'static str {
        match self {
            Detector::GaitImu => "gait_imu",
            Detector::GaitKeypoints => "gait_keypoints",
            Detector::GaitLowerback => "gait_lowerback",
            Detector::Reps => "reps",
        }
    }

    fn is_gait(self) -> bool {
        !matches!(self, Detector::Reps)
    }
}

impl fmt::Display for Detector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a synthetic suite generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuiteKind {
    /// Walking, with foot drop of some severity.
    Gait,
    /// A session of one programme exercise.
    Exercise,
}

/// The modality of a synthetic suite's recordings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SynthModality {
    /// Foot IMUs.
    Imu,
    /// MediaPipe-style keypoints.
    Keypoints,
}

/// One labelled recording on disk.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Unique name in the manifest.
    pub name: String,
    /// The dataset its scores are pooled under (the manifest's `dataset`, else the name):
    /// the 57 Ebbelaar sets are one dataset.
    pub dataset: String,
    /// The task the entry is reported under.
    pub task: Task,
    /// The recording's files, resolved against the manifest's folder.
    pub files: Vec<PathBuf>,
    /// Reader options (format, rate, units).
    pub read: ReadOptions,
    /// The files are consecutive pieces of one session, to be laid on one time axis with
    /// the gaps between them interpolated (see the module docs).
    pub concat: bool,
    /// With `concat`: each file's start time on the common axis, s.
    pub offsets_s: Option<Vec<f64>>,
    /// The IMU to analyse, by name (`RightFoot`, `Device`).
    pub sensor: Option<String>,
    /// The body side the recording is of (`left` / `right`); gait scoring uses only that
    /// side's labels.
    pub side: Option<String>,
    /// A named signal of the recording to analyse instead of the derived one.
    pub signal: Option<String>,
    /// The label file, resolved; `None` for entries labelled only through [`Entry::sides`].
    pub labels: Option<PathBuf>,
    /// The label file's loader.
    pub loader: Option<Loader>,
    /// Which recording's labels to take from a shared label file.
    pub select: Selection,
    /// Per-side foot-drop labels from the manifest (replace the loader's).
    pub sides: Vec<TruthSide>,
    /// The detector to run.
    pub detector: Detector,
    /// For `reps`: the exercise name (`heel_raise`, `auto`...).
    pub exercise: Option<String>,
    /// Matching tolerances, s; `None`: the scorer's defaults.
    pub tolerances_s: Option<Vec<f64>>,
    /// The licence note of the data.
    pub licence: String,
    /// Caveats of the labels.
    pub notes: Option<String>,
    /// The line of the manifest where the entry starts, when known.
    pub line: Option<usize>,
}

impl Entry {
    /// The options to load this entry's labels with: the entry's rate for sample-indexed
    /// labels, its selection.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            rate_hz: self.read.rate_hz,
            start_s: None,
            select: self.select.clone(),
        }
    }

    /// Load the entry's ground truth: the label file (if any) through its loader, with the
    /// manifest's per-side labels applied.
    pub fn load_truth(&self) -> Result<Truth, TruthError> {
        let mut t = match (&self.labels, self.loader) {
            (Some(path), Some(loader)) => truth::load(loader, path, &self.load_options())?,
            _ => Truth::default(),
        };
        if !self.sides.is_empty() {
            t.sides = self.sides.clone();
            t.notes
                .push("per-side labels from the manifest (SOURCE.md)".into());
        }
        Ok(t)
    }
}

/// A synthetic suite: recordings generated from seeds, with exact labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// Unique name in the manifest.
    pub name: String,
    /// The task the suite is reported under.
    pub task: Task,
    /// Walking or exercise sessions.
    pub kind: SuiteKind,
    /// IMU or keypoints.
    pub modality: SynthModality,
    /// The seeds, one recording per seed and case.
    pub seeds: Range<u64>,
    /// Gait: the foot-drop severities of the affected side, one case each (0 = healthy).
    pub severity: Vec<f64>,
    /// Gait: the side with foot drop (`left` or `right`).
    pub affected_side: String,
    /// Gait: the length of each recording, s; `None`: the generator's default.
    pub duration_s: Option<f64>,
    /// Gait, IMU: the segment both IMUs are worn on (foot or shank).
    pub segment: Segment,
    /// Exercise: the programme exercise.
    pub exercise: Option<Exercise>,
    /// The detector to run.
    pub detector: Detector,
    /// Matching tolerances, s; `None`: the scorer's defaults.
    pub tolerances_s: Option<Vec<f64>>,
    /// The line of the manifest where the suite starts, when known.
    pub line: Option<usize>,
}

/// A loaded and validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The manifest file.
    pub path: PathBuf,
    /// Labelled recordings.
    pub entries: Vec<Entry>,
    /// Synthetic suites.
    pub suites: Vec<Suite>,
}

/// Why a manifest could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The manifest could not be read.
    #[error("{manifest}: cannot read: {source}")]
    Io {
        /// The manifest file.
        manifest: String,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The TOML is malformed, or a table has a missing, unknown or mistyped key.
    #[error("{manifest}, line {line}, column {column}{}: {message}", table.as_deref().map(|t| format!(" ({t})")).unwrap_or_default())]
    Syntax {
        /// The manifest file.
        manifest: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The entry or suite the error is in, when it is in one (`entry "gaitmap"`).
        table: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A value is not valid.
    #[error("{manifest}{}, {table}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Invalid {
        /// The manifest file.
        manifest: String,
        /// The line where the entry or suite starts.
        line: Option<usize>,
        /// The entry or suite (`entry "gaitmap"`, `suite #2`).
        table: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A file the manifest names does not exist.
    #[error("{manifest}{}, {table}: file not found: {file}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    MissingFile {
        /// The manifest file.
        manifest: String,
        /// The line where the entry starts.
        line: Option<usize>,
        /// The entry (`entry "gaitmap"`).
        table: String,
        /// The missing file, resolved.
        file: PathBuf,
    },
}

// ---------------------------------------------------------------------------------------
// The unchecked form, as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    entry: Vec<RawEntry>,
    #[serde(default)]
    suite: Vec<RawSuite>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    dataset: Option<String>,
    task: String,
    files: Vec<String>,
    format: Option<String>,
    rate_hz: Option<f64>,
    acc_unit: Option<String>,
    gyro_unit: Option<String>,
    #[serde(default)]
    concat: bool,
    offsets_s: Option<Vec<f64>>,
    sensor: Option<String>,
    side: Option<String>,
    signal: Option<String>,
    labels: Option<String>,
    loader: Option<String>,
    #[serde(default)]
    select: Selection,
    sides: Option<BTreeMap<String, String>>,
    detector: String,
    exercise: Option<String>,
    tolerances_s: Option<Vec<f64>>,
    licence: String,
    notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "seeds as a count (100, for seeds 0..100) or a range [start, end]"
)]
enum RawSeeds {
    Count(u64),
    Range([u64; 2]),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    name: String,
    task: String,
    kind: String,
    modality: String,
    seeds: RawSeeds,
    severity: Option<Vec<f64>>,
    affected_side: Option<String>,
    duration_s: Option<f64>,
    segment: Option<String>,
    exercise: Option<String>,
    detector: String,
    tolerances_s: Option<Vec<f64>>,
}

/// Load a manifest, resolve its paths against its folder and validate it: known task,
/// loader, detector and exercise names, consistent keys, and every named file present.
pub fn load_manifest(path: &Path) -> Result<Manifest, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Io {
        manifest: path.display().to_string(),
        source,
    })?;
    parse_manifest(path, &text, true)
}

/// Parse manifest text as if read from `path` (relative paths resolve against its folder).
/// `check_files`: whether a named file that does not exist is an error.
pub fn parse_manifest(
    path: &Path,
    text: &str,
    check_files: bool,
) -> Result<Manifest, ManifestError> {
    let manifest = path.display().to_string();
    let layout = Layout::scan(text);
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let (line, column) = line_column(text, offset);
        ManifestError::Syntax {
            manifest: manifest.clone(),
            line,
            column,
            table: layout.table_at(line),
            message: e.message().trim().to_string(),
        }
    })?;
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut checker = Checker {
        manifest,
        base,
        check_files,
        names: Vec::new(),
    };
    let mut entries = Vec::with_capacity(raw.entry.len());
    for (i, e) in raw.entry.into_iter().enumerate() {
        let line = layout.entries.get(i).copied();
        entries.push(checker.entry(e, i, line)?);
    }
    let mut suites = Vec::with_capacity(raw.suite.len());
    for (i, s) in raw.suite.into_iter().enumerate() {
        let line = layout.suites.get(i).copied();
        suites.push(checker.suite(s, i, line)?);
    }
    Ok(Manifest {
        path: path.to_path_buf(),
        entries,
        suites,
    })
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

/// Where each `[[entry]]` / `[[suite]]` table starts, and its name, from the text.
struct Layout {
    entries: Vec<usize>,
    suites: Vec<usize>,
    /// (first line, description) of every table, in order.
    tables: Vec<(usize, String)>,
}

impl Layout {
    fn scan(text: &str) -> Layout {
        let mut layout = Layout {
            entries: Vec::new(),
            suites: Vec::new(),
            tables: Vec::new(),
        };
        let mut current: Option<&'static str> = None;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let n = i + 1;
            if line.starts_with('[') {
                current = None;
                let header: String = line.chars().filter(|c| !c.is_whitespace()).collect();
                if header.starts_with("[[entry]]") {
                    layout.entries.push(n);
                    current = Some("entry");
                    let k = layout.entries.len();
                    layout.tables.push((n, format!("entry #{k}")));
                } else if header.starts_with("[[suite]]") {
                    layout.suites.push(n);
                    current = Some("suite");
                    let k = layout.suites.len();
                    layout.tables.push((n, format!("suite #{k}")));
                }
                continue;
            }
            if current.is_some() {
                if let Some(name) = name_value(line) {
                    if let Some(last) = layout.tables.last_mut() {
                        let kind = current.unwrap_or("entry");
                        last.1 = format!("{kind} \"{name}\"");
                    }
                }
            }
        }
        layout
    }

    fn table_at(&self, line: usize) -> Option<String> {
        self.tables
            .iter()
            .rev()
            .find(|(start, _)| *start <= line)
            .map(|(_, d)| d.clone())
    }
}

/// The value of a `name = "..."` line.
fn name_value(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("name")?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    let rest = rest.strip_prefix('"')?;
    rest.split('"').next()
}

struct Checker {
    manifest: String,
    base: PathBuf,
    check_files: bool,
    names: Vec<String>,
}

struct At {
    table: String,
    line: Option<usize>,
    manifest: String,
}

impl At {
    fn err(&self, message: impl Into<String>) -> ManifestError {
        ManifestError::Invalid {
            manifest: self.manifest.clone(),
            line: self.line,
            table: self.table.clone(),
            message: message.into(),
        }
    }
}

fn one_of<T: Copy>(
    at: &At,
    key: &str,
    value: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<T, ManifestError> {
    let v = value.trim();
    all.iter().copied().find(|x| name(*x) == v).ok_or_else(|| {
        let known: Vec<&str> = all.iter().map(|x| name(*x)).collect();
        at.err(format!(
            "unknown {key} {v:?}; expected one of: {}",
            known.join(", ")
        ))
    })
}

fn tolerances(at: &At, t: Option<Vec<f64>>) -> Result<Option<Vec<f64>>, ManifestError> {
    if let Some(v) = &t {
        if v.is_empty() || v.iter().any(|x| !(x.is_finite() && *x > 0.0 && *x <= 10.0)) {
            return Err(at.err(format!(
                "tolerances_s must be a non-empty list of positive times up to 10 s, got {v:?}"
            )));
        }
    }
    Ok(t)
}

fn side_name(at: &At, key: &str, s: &str) -> Result<String, ManifestError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "left" => Ok("left".into()),
        "right" => Ok("right".into()),
        other => Err(at.err(format!("{key} {other:?}; expected `left` or `right`"))),
    }
}

impl Checker {
    fn at(&self, kind: &str, name: &str, index: usize, line: Option<usize>) -> At {
        let table = if name.trim().is_empty() {
            format!("{kind} #{}", index + 1)
        } else {
            format!("{kind} \"{name}\"")
        };
        At {
            table,
            line,
            manifest: self.manifest.clone(),
        }
    }

    fn unique(&mut self, at: &At, name: &str) -> Result<(), ManifestError> {
        if name.trim().is_empty() {
            return Err(at.err("name is empty"));
        }
        if self.names.iter().any(|n| n == name) {
            return Err(at.err(format!("the name {name:?} is used twice")));
        }
        self.names.push(name.to_string());
        Ok(())
    }

    fn file(&self, at: &At, rel: &str) -> Result<PathBuf, ManifestError> {
        if rel.trim().is_empty() {
            return Err(at.err("an empty file path"));
        }
        let p = self.base.join(rel);
        if self.check_files && !p.exists() {
            return Err(ManifestError::MissingFile {
                manifest: self.manifest.clone(),
                line: at.line,
                table: at.table.clone(),
                file: p,
            });
        }
        Ok(p)
    }

    fn entry(
        &mut self,
        e: RawEntry,
        index: usize,
        line: Option<usize>,
    ) -> Result<Entry, ManifestError> {
        let at = self.at("entry", &e.name, index, line);
        self.unique(&at, &e.name)?;
        let task = one_of(&at, "task", &e.task, &Task::ALL, Task::name)?;
        let detector = one_of(&at, "detector", &e.detector, &Detector::ALL, Detector::name)?;
        if task.is_gait() != detector.is_gait() {
            return Err(at.err(format!(
                "detector {detector} does not do task {task}; use {}",
                if task.is_gait() {
                    "gait_imu, gait_keypoints or gait_lowerback"
                } else {
                    "reps"
                }
            )));
        }
        if e.files.is_empty() {
            return Err(at.err("files is empty; expected the recording's files"));
        }
        let mut files = Vec::with_capacity(e.files.len());
        for f in &e.files {
            files.push(self.file(&at, f)?);
        }

        let mut read = ReadOptions::default();
        if let Some(f) = &e.format {
            read.format = Some(crate::io::parse_format(f).ok_or_else(|| {
                let known: Vec<&str> = crate::io::FORMATS.iter().map(|f| f.name()).collect();
                at.err(format!(
                    "unknown format {f:?}; expected one of: {}",
                    known.join(", ")
                ))
            })?);
        }
        read.rate_hz = e.rate_hz;
        read.acc_unit = match e.acc_unit.as_deref().map(str::trim) {
            None => None,
            Some("g") => Some(AccUnit::G),
            Some("m/s^2") | Some("m/s2") => Some(AccUnit::MetresPerSecond2),
            Some(u) => return Err(at.err(format!("acc_unit {u:?}; expected `g` or `m/s^2`"))),
        };
        read.gyro_unit = match e.gyro_unit.as_deref().map(str::trim) {
            None => None,
            Some("deg/s") => Some(GyroUnit::DegPerSecond),
            Some("rad/s") => Some(GyroUnit::RadPerSecond),
            Some(u) => return Err(at.err(format!("gyro_unit {u:?}; expected `deg/s` or `rad/s`"))),
        };
        read.validate().map_err(|err| at.err(err.to_string()))?;

        if let Some(off) = &e.offsets_s {
            if !e.concat {
                return Err(at.err("offsets_s applies only with concat = true"));
            }
            if off.len() != files.len() {
                return Err(at.err(format!(
                    "offsets_s has {} values for {} files; expected one start time per file",
                    off.len(),
                    files.len()
                )));
            }
            if off.iter().any(|x| !x.is_finite()) || off.windows(2).any(|w| w[1] <= w[0]) {
                return Err(at.err(format!(
                    "offsets_s must be finite and increasing, got {off:?}"
                )));
            }
        }
        if e.concat && files.len() < 2 {
            return Err(at.err("concat = true needs at least two files"));
        }
        let side = match &e.side {
            Some(s) => Some(side_name(&at, "side", s)?),
            None => None,
        };

        let labels = match &e.labels {
            Some(l) => Some(self.file(&at, l)?),
            None => None,
        };
        let loader = match &e.loader {
            Some(l) => Some(Loader::from_name(l).ok_or_else(|| {
                at.err(format!(
                    "unknown loader {l:?}; expected one of: {}",
                    Loader::known()
                ))
            })?),
            None => None,
        };
        match (&labels, loader) {
            (Some(_), None) => return Err(at.err("labels is given without a loader")),
            (None, Some(_)) => return Err(at.err("loader is given without labels")),
            _ => {}
        }
        if let Some(l) = loader {
            let fits = if task.is_gait() {
                l.is_gait()
            } else {
                l.is_reps()
            };
            if !fits {
                return Err(at.err(format!("loader {l} gives no labels for task {task}")));
            }
            let needs = match l {
                Loader::CmuReps => Some(("exercise", e.select.exercise.is_some())),
                Loader::EbbelaarSets => Some(("set_id", e.select.set_id.is_some())),
                Loader::CountixCounts => Some(("video", e.select.video.is_some())),
                _ => None,
            };
            if let Some((key, false)) = needs {
                return Err(at.err(format!(
                    "loader {l} needs `select = {{ {key} = \"...\" }}` to pick a recording"
                )));
            }
        }

        let mut sides = Vec::new();
        for (k, v) in e.sides.iter().flatten() {
            let side = side_name(&at, "sides key", k)?;
            let foot_drop = match v.trim() {
                "normal" => false,
                "foot_drop" => true,
                other => {
                    return Err(at.err(format!(
                        "sides.{side} = {other:?}; expected `normal` or `foot_drop`"
                    )))
                }
            };
            sides.push(TruthSide { side, foot_drop });
        }
        if !sides.is_empty() && !task.is_gait() {
            return Err(at.err("sides applies to gait tasks only"));
        }
        if labels.is_none() && sides.is_empty() {
            return Err(
                at.err("no ground truth: give labels and loader, or sides (for foot_drop entries)")
            );
        }

        let exercise = match (&e.exercise, task) {
            (Some(x), Task::Reps) => {
                let x = x.trim().to_ascii_lowercase();
                if x != "auto" && Exercise::from_name(&x).is_none() {
                    let known: Vec<&str> = Exercise::ALL.iter().map(|e| e.name()).collect();
                    return Err(at.err(format!(
                        "unknown exercise {x:?}; expected auto or one of: {}",
                        known.join(", ")
                    )));
                }
                Some(x)
            }
            (None, Task::Reps) => {
                return Err(at.err("a reps entry needs an exercise (a programme name or auto)"))
            }
            (Some(_), _) => return Err(at.err("exercise applies to reps entries only")),
            (None, _) => None,
        };
        let tolerances_s = tolerances(&at, e.tolerances_s)?;
        if e.licence.trim().is_empty() {
            return Err(at.err("licence is empty; copy the note from the data's SOURCE.md"));
        }
        Ok(Entry {
            dataset: e.dataset.unwrap_or_else(|| e.name.clone()),
            name: e.name,
            task,
            files,
            read,
            concat: e.concat,
            offsets_s: e.offsets_s,
            sensor: e.sensor,
            side,
            signal: e.signal,
            labels,
            loader,
            select: e.select,
            sides,
            detector,
            exercise,
            tolerances_s,
            licence: e.licence,
            notes: e.notes,
            line,
        })
    }

    fn suite(
        &mut self,
        s: RawSuite,
        index: usize,
        line: Option<usize>,
    ) -> Result<Suite, ManifestError> {
        let at = self.at("suite", &s.name, index, line);
        self.unique(&at, &s.name)?;
        let task = one_of(&at, "task", &s.task, &Task::ALL, Task::name)?;
        let kind = one_of(
            &at,
            "kind",
            &s.kind,
            &[SuiteKind::Gait, SuiteKind::Exercise],
            |k| match k {
                SuiteKind::Gait => "gait",
                SuiteKind::Exercise => "exercise",
            },
        )?;
        let modality = one_of(
            &at,
            "modality",
            &s.modality,
            &[SynthModality::Imu, SynthModality::Keypoints],
            |m| match m {
                SynthModality::Imu => "imu",
                SynthModality::Keypoints => "keypoints",
            },
        )?;
        let detector = one_of(&at, "detector", &s.detector, &Detector::ALL, Detector::name)?;
        let seeds = match s.seeds {
            RawSeeds::Count(n) => 0..n,
            RawSeeds::Range([a, b]) => a..b,
        };
        if seeds.is_empty() {
            return Err(at.err("seeds is empty; give a count or [start, end) with start < end"));
        }
        let expected = match (kind, modality) {
            (SuiteKind::Gait, SynthModality::Imu) => Detector::GaitImu,
            (SuiteKind::Gait, SynthModality::Keypoints) => Detector::GaitKeypoints,
            (SuiteKind::Exercise, _) => Detector::Reps,
        };
        if detector != expected {
            return Err(at.err(format!(
                "detector {detector} does not fit this suite; expected {expected}"
            )));
        }
        let tolerances_s = tolerances(&at, s.tolerances_s)?;
        match kind {
            SuiteKind::Gait => {
                if !task.is_gait() {
                    return Err(at.err(format!("a gait suite cannot have task {task}")));
                }
                if s.exercise.is_some() {
                    return Err(at.err("exercise applies to exercise suites only"));
                }
                let severity = s.severity.unwrap_or_else(|| vec![0.0]);
                if severity.is_empty() || severity.iter().any(|x| !(0.0..=1.0).contains(x)) {
                    return Err(at.err(format!(
                        "severity must be a non-empty list of values in 0..=1, got {severity:?}"
                    )));
                }
                if let Some(d) = s.duration_s {
                    if !(d.is_finite() && d > 0.0) {
                        return Err(at.err(format!("duration_s must be positive, got {d}")));
                    }
                }
                let affected_side = match &s.affected_side {
                    Some(x) => side_name(&at, "affected_side", x)?,
                    None => "left".into(),
                };
                let segment = match (s.segment.as_deref(), modality) {
                    (None | Some("foot"), _) => Segment::Foot,
                    (Some("shank"), SynthModality::Imu) => Segment::Shank,
                    (Some("shank"), _) => {
                        return Err(at.err("segment applies to IMU suites only"));
                    }
                    (Some(x), _) => {
                        return Err(at.err(format!("segment {x:?}; expected foot or shank")));
                    }
                };
                Ok(Suite {
                    name: s.name,
                    task,
                    kind,
                    modality,
                    seeds,
                    severity,
                    affected_side,
                    duration_s: s.duration_s,
                    segment,
                    exercise: None,
                    detector,
                    tolerances_s,
                    line,
                })
            }
            SuiteKind::Exercise => {
                if task != Task::Reps {
                    return Err(at.err(format!("an exercise suite cannot have task {task}")));
                }
                if s.severity.is_some()
                    || s.affected_side.is_some()
                    || s.duration_s.is_some()
                    || s.segment.is_some()
                {
                    return Err(at.err(
                        "severity, affected_side, duration_s and segment apply to gait suites only",
                    ));
                }
                let name = s.exercise.as_deref().unwrap_or("");
                let exercise = Exercise::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = Exercise::ALL.iter().map(|e| e.name()).collect();
                    at.err(format!(
                        "exercise {name:?}; expected one of: {}",
                        known.join(", ")
                    ))
                })?;
                Ok(Suite {
                    name: s.name,
                    task,
                    kind,
                    modality,
                    seeds,
                    severity: Vec::new(),
                    affected_side: "left".into(),
                    duration_s: None,
                    segment: Segment::Foot,
                    exercise: Some(exercise),
                    detector,
                    tolerances_s,
                    line,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench")
    }

    /// Whether `../shared/data/real` is beside the repository (in CI it must be).
    fn shared_present() -> bool {
        crate::test_support::real_data("").is_some()
    }

    #[test]
    fn synthetic_manifest_loads() {
        let m =
            load_manifest(&bench_dir().join("synthetic.toml")).unwrap_or_else(|e| panic!("{e}"));
        assert!(m.entries.is_empty());
        let gait: Vec<&Suite> = m
            .suites
            .iter()
            .filter(|s| s.kind == SuiteKind::Gait)
            .collect();
        assert_eq!(gait.len(), 3);
        for s in &gait {
            assert_eq!(s.seeds, 0..100);
            assert_eq!(s.severity, vec![0.0, 0.5, 1.0]);
        }
        let shank: Vec<&str> = gait
            .iter()
            .filter(|s| s.segment == Segment::Shank)
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(shank, ["synthetic_gait_shank_imu"]);
        for ex in Exercise::ALL {
            for modality in [SynthModality::Imu, SynthModality::Keypoints] {
                let n = m
                    .suites
                    .iter()
                    .filter(|s| s.exercise == Some(ex) && s.modality == modality)
                    .inspect(|s| assert_eq!(s.seeds.end - s.seeds.start, 50))
                    .count();
                assert_eq!(n, 1, "{} {modality:?}", ex.name());
            }
        }
    }

    #[test]
    fn real_manifest_loads_and_every_file_exists() {
        if !shared_present() {
            return;
        }
        let m = load_manifest(&bench_dir().join("real.toml")).unwrap_or_else(|e| panic!("{e}"));
        for e in &m.entries {
            for f in e.files.iter().chain(e.labels.iter()) {
                assert!(f.exists(), "{}: {}", e.name, f.display());
            }
            assert!(!e.licence.is_empty());
            // Every entry's labels load.
            let t = e
                .load_truth()
                .unwrap_or_else(|err| panic!("{}: {err}", e.name));
            match e.task {
                Task::GaitEvents => assert!(
                    !t.events.is_empty() || e.detector == Detector::GaitLowerback,
                    "{}",
                    e.name
                ),
                Task::Reps => assert!(t.count.is_some(), "{}", e.name),
                Task::FootDrop => assert!(!t.sides.is_empty(), "{}", e.name),
            }
        }
        let count = |f: &dyn Fn(&Entry) -> bool| m.entries.iter().filter(|e| f(e)).count();
        assert_eq!(count(&|e| e.loader == Some(Loader::EbbelaarSets)), 57);
        assert_eq!(count(&|e| e.loader == Some(Loader::CountixCounts)), 30);
        assert_eq!(count(&|e| e.loader == Some(Loader::VoisardJson)), 4);
        assert_eq!(count(&|e| e.loader == Some(Loader::CmuReps)), 2);
        assert_eq!(count(&|e| e.loader == Some(Loader::ExermoteReps)), 1);
        assert_eq!(count(&|e| e.task == Task::FootDrop), 2);
        assert!(count(&|e| e.loader == Some(Loader::GaitmapStrideEvents)) == 1);
        assert!(count(&|e| e.loader == Some(Loader::GaitmapIcStrides)) == 1);
        assert_eq!(count(&|e| e.loader == Some(Loader::EventsCsv)), 2);
        // Every folder with labels for a task Dorsi has a detector for is covered.
        for folder in [
            "gaitmap_foot_imu_healthy",
            "voisard_ipol_foot_imu_healthy",
            "ktk_walk_cgm21",
            "opensim_subject01_walk1",
            "cmu_imu_exercise_sub22",
            "ebbelaar_barbell_metamotion",
            "exermote_cued_workout",
            "countix_fitness_pose",
            "sports2d_demo_mediapipe",
            "mobgap_lowerback_lab",
        ] {
            assert!(
                m.entries
                    .iter()
                    .any(|e| e.files[0].to_string_lossy().contains(folder)),
                "{folder}"
            );
        }
        // The CMU joint-angle entry lays its rep files at the labelled starts.
        let ja = m
            .entries
            .iter()
            .find(|e| e.signal.is_some() && e.loader == Some(Loader::CmuReps));
        let ja = ja.unwrap_or_else(|| panic!("no CMU joint-angle entry"));
        let t = ja.load_truth().unwrap_or_else(|e| panic!("{e}"));
        let starts: Vec<f64> = t.reps.iter().map(|r| r.start_s).collect();
        assert_eq!(ja.offsets_s.as_deref(), Some(starts.as_slice()));
    }

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        parse_manifest(Path::new("/tmp/m/test.toml"), text, false)
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(m) => panic!("expected an error, got {m:?}"),
            Err(e) => e.to_string(),
        }
    }

    const GOOD: &str = r#"
[[entry]]
name = "walk"
task = "gait_events"
files = ["walk.csv"]
rate_hz = 100.0
labels = "walk.labels.csv"
loader = "dorsi_labels"
detector = "gait_imu"
licence = "ours"
"#;

    #[test]
    fn a_good_manifest_resolves_paths() {
        let m = parse(GOOD).unwrap_or_else(|e| panic!("{e}"));
        let e = &m.entries[0];
        assert_eq!(e.files, vec![PathBuf::from("/tmp/m/walk.csv")]);
        assert_eq!(e.labels, Some(PathBuf::from("/tmp/m/walk.labels.csv")));
        assert_eq!(e.read.rate_hz, Some(100.0));
        assert_eq!(e.line, Some(2));
        assert_eq!(e.load_options().rate_hz, Some(100.0));
    }

    #[test]
    fn malformed_manifests_name_the_entry() {
        // An unknown key: line, column and entry named.
        let m = err(&GOOD.replace("rate_hz = 100.0", "rate = 100.0"));
        assert!(
            m.contains("test.toml, line ") && m.contains("entry \"walk\""),
            "{m}"
        );
        assert!(m.contains("unknown field `rate`"), "{m}");
        // A missing key.
        let m = err(&GOOD.replace("licence = \"ours\"\n", ""));
        assert!(m.contains("entry \"walk\"") && m.contains("licence"), "{m}");
        // Unknown names.
        let m = err(&GOOD.replace("gait_events", "gait"));
        assert!(
            m.contains("line 2, entry \"walk\": unknown task \"gait\""),
            "{m}"
        );
        let m = err(&GOOD.replace("dorsi_labels", "nope"));
        assert!(
            m.contains("entry \"walk\"") && m.contains("unknown loader \"nope\""),
            "{m}"
        );
        assert!(m.contains("gaitmap_stride_events"), "{m}");
        let m = err(&GOOD.replace("gait_imu", "magic"));
        assert!(m.contains("unknown detector \"magic\""), "{m}");
        // A detector that does not do the task.
        let m = err(&GOOD.replace("gait_imu", "reps"));
        assert!(m.contains("does not do task gait_events"), "{m}");
        // A loader that needs a selection.
        let m = err(&GOOD
            .replace("dorsi_labels", "cmu_reps")
            .replace("gait_events", "reps")
            .replace("gait_imu", "reps")
            .replace("licence", "exercise = \"heel_raise\"\nlicence"));
        assert!(m.contains("select = { exercise"), "{m}");
        // Duplicate names, second entry named by its line.
        let m = err(&format!("{GOOD}{GOOD}"));
        assert!(
            m.contains("line 12, entry \"walk\"") && m.contains("used twice"),
            "{m}"
        );
        // A TOML syntax error.
        let m = err("[[entry]]\nname = \"x\nfiles = []\n");
        assert!(m.contains("test.toml, line 2"), "{m}");
        // Suites.
        let suite = "[[suite]]\nname = \"s\"\ntask = \"reps\"\nkind = \"exercise\"\nmodality = \"imu\"\nseeds = 5\nexercise = \"heel_raise\"\ndetector = \"reps\"\n";
        let s = parse(suite).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.suites[0].seeds, 0..5);
        assert_eq!(s.suites[0].exercise, Some(Exercise::HeelRaise));
        let m = err(&suite.replace("heel_raise", "jumping"));
        assert!(
            m.contains("suite \"s\"") && m.contains("towel_stretch"),
            "{m}"
        );
        let m = err(&suite.replace("seeds = 5", "seeds = [5, 5]"));
        assert!(m.contains("seeds is empty"), "{m}");
        let m = err(&suite.replace("seeds = 5", "seeds = \"many\""));
        assert!(m.contains("line 6") && m.contains("suite \"s\""), "{m}");
        assert!(m.contains("a count (100"), "{m}");
        let m = err(&suite.replace("detector = \"reps\"", "detector = \"gait_imu\""));
        assert!(m.contains("expected reps"), "{m}");
        let m = err(&suite.replace("seeds = 5", "seeds = 5\nsegment = \"shank\""));
        assert!(m.contains("apply to gait suites only"), "{m}");
        // Gait suites: the IMU segment.
        let gait = "[[suite]]\nname = \"g\"\ntask = \"gait_events\"\nkind = \"gait\"\nmodality = \"imu\"\nseeds = 2\ndetector = \"gait_imu\"\n";
        let g = parse(gait).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.suites[0].segment, Segment::Foot);
        let g = parse(&format!("{gait}segment = \"shank\"\n")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.suites[0].segment, Segment::Shank);
        let m = err(&format!("{gait}segment = \"thigh\"\n"));
        assert!(m.contains("expected foot or shank"), "{m}");
        let m = err(&format!("{gait}segment = \"shank\"\n")
            .replace("\"imu\"", "\"keypoints\"")
            .replace("gait_imu", "gait_keypoints"));
        assert!(m.contains("IMU suites only"), "{m}");
    }

    #[test]
    fn a_missing_file_names_manifest_entry_and_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("m.toml");
        std::fs::write(&path, GOOD).unwrap_or_else(|e| panic!("{e}"));
        let e = load_manifest(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("m.toml, line 2, entry \"walk\": file not found: ")
                && e.contains("walk.csv"),
            "{e}"
        );
    }
}
