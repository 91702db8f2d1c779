//! Ground truth in one shape, whatever the label file it came from.
//!
//! Every label format found beside the real recordings (and the synthetic `dorsi.labels/1`)
//! has a [`Loader`]; [`load`] turns a label file into a [`Truth`]: gait events, strides,
//! repetitions, bouts, a count, per-side foot-drop labels and the annotated span.
//!
//! All times are in seconds on the **recording's** clock, the clock [`crate::io::read`] gives
//! the recording the labels belong to: sample indices are converted with the recording's rate
//! and the time of its sample 0 ([`LoadOptions`]), event times given in seconds are kept.
//!
//! ```
//! use dorsi::eval::truth::{load_str, Loader, LoadOptions, EventKind};
//! let csv = "side,event,time_s\nright,foot_strike,0.6182\nright,foot_off,1.4086\n";
//! let truth = load_str(Loader::EventsCsv, "events.csv", csv, &LoadOptions::default())?;
//! assert_eq!(truth.events.len(), 2);
//! assert_eq!(truth.events[0].kind, EventKind::InitialContact);
//! assert_eq!(truth.span_s, Some((0.6182, 1.4086)));
//! # Ok::<(), dorsi::eval::truth::TruthError>(())
//! ```

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::io::Location;
use crate::synth::labels::{Label, Labels};

pub use crate::detect::EventKind;

/// One labelled gait event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthEvent {
    /// `left` or `right`; `None` when the label does not say.
    pub side: Option<String>,
    /// Initial or final contact.
    pub kind: EventKind,
    /// Time on the recording's clock, s.
    pub time_s: f64,
}

/// One labelled stride: initial contact to the next initial contact of the same foot
/// (every loader converts to this definition; see its notes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthStride {
    /// `left` or `right`; `None` when the label does not say.
    pub side: Option<String>,
    /// Initial contact starting the stride, s.
    pub start_s: f64,
    /// Next initial contact of the same foot, s.
    pub end_s: f64,
    /// Whether a foot-drag detector should flag the stride; `None` when not labelled.
    pub flagged: Option<bool>,
}

/// One labelled repetition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthRep {
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Peak (or middle of the hold), s; `None` when not labelled.
    pub peak_s: Option<f64>,
    /// Time held at the peak, s; `None` when not labelled.
    pub hold_s: Option<f64>,
    /// Whether the rep reached its prescribed range; `None` when not labelled.
    pub complete: Option<bool>,
}

/// A labelled bout: a walking bout, or a set of repetitions between rests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthBout {
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Repetitions in the bout (sets only); `None` for walking bouts.
    pub count: Option<u32>,
}

/// The foot-drop label of one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TruthSide {
    /// `left` or `right`.
    pub side: String,
    /// Whether the side has foot drop.
    pub foot_drop: bool,
}

/// Ground truth of one recording. Empty vectors mean "not labelled", not "none happened":
/// a label file with events only has no strides here.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Truth {
    /// Gait events, in time order.
    pub events: Vec<TruthEvent>,
    /// Strides (initial contact to initial contact), in time order.
    pub strides: Vec<TruthStride>,
    /// Repetitions, in time order.
    pub reps: Vec<TruthRep>,
    /// Walking bouts or sets, in time order: where the labels say activity happened.
    pub bouts: Vec<TruthBout>,
    /// The number of repetitions in the recording, where the labels give one (for per-set
    /// and per-video counts it is the only rep label).
    pub count: Option<u32>,
    /// Per-side foot-drop labels.
    pub sides: Vec<TruthSide>,
    /// The annotated span `(start_s, end_s)`: the labels are complete inside it and say
    /// nothing outside it, so scoring should be restricted to it (keeping detections within
    /// the matching tolerance of its borders). `None`: the whole recording is annotated.
    pub span_s: Option<(f64, f64)>,
    /// What the loader did that a reader of the scores should know (rows skipped,
    /// definitions converted...).
    pub notes: Vec<String>,
}

/// A label format, by the name manifests use ([`Loader::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Loader {
    /// gaitmap `stride_events_sample.csv`: `s_id,foot,start,end,ic,tc,min_vel,pre_ic` in
    /// samples (204.8 Hz by default). Events: `ic` and `tc` of every stride; strides
    /// `pre_ic`→`ic` (the file's own `min_vel`→`min_vel` borders are not used).
    GaitmapStrideEvents,
    /// gaitmap `stride_borders_sample_ic_stride.csv`: `s_id,foot,start,end` initial contact
    /// to initial contact, in samples (102.4 Hz by default). Events: the initial contacts.
    GaitmapIcStrides,
    /// Voisard et al. trial JSON: `LeftFootEvents` / `RightFootEvents` as
    /// `[toe_off, heel_strike]` pairs in PacketCounter units (100 Hz by default);
    /// `TrialBoundaries` gives the span.
    VoisardJson,
    /// An event table `side,event,time_s` (event `foot_strike` / `foot_off`), times in
    /// seconds on the recording's clock: the KTK `walk_events.csv` and the OpenSim
    /// `*_events_from_grf.csv`.
    EventsCsv,
    /// mobgap reference initial contacts `*_ref_{INDIP,Stereophoto}_ic.csv`
    /// (`wb_id,time_s,sample,sample_matlab,side`, 100 Hz by default); the walking bouts come
    /// from the sibling `*_wb.csv`.
    MobgapIc,
    /// CMU `rep_segments.csv`: one row per rep
    /// (`exercise,rep,t_start_s,t_end_s,...`); [`Selection::exercise`] picks the exercise.
    CmuReps,
    /// Exermote `rep_segments.csv`: `rep,exercise,start_idx,start_s,end_idx,end_s`. Sets are
    /// runs of reps of one exercise with less than 10 s between them.
    ExermoteReps,
    /// Ebbelaar `sets.csv`: one row per recording with `expected_reps`;
    /// [`Selection::set_id`] picks the set.
    EbbelaarSets,
    /// Countix `annotation_test.csv`: `,type,name,count,...`; [`Selection::video`] picks
    /// the video (matched without its extension, so `squat017.npy` finds `squat017.mp4`).
    CountixCounts,
    /// The synthetic `dorsi.labels/1` CSV.
    DorsiLabels,
}

impl Loader {
    /// Every loader.
    pub const ALL: [Loader; 10] = [
        Loader::GaitmapStrideEvents,
        Loader::GaitmapIcStrides,
        Loader::VoisardJson,
        Loader::EventsCsv,
        Loader::MobgapIc,
        Loader::CmuReps,
        Loader::ExermoteReps,
        Loader::EbbelaarSets,
        Loader::CountixCounts,
        Loader::DorsiLabels,
    ];

    /// The name used in manifests.
    pub fn name(self) -> &'static str {
        match self {
            Loader::GaitmapStrideEvents => "gaitmap_stride_events",
            Loader::GaitmapIcStrides => "gaitmap_ic_strides",
            Loader::VoisardJson => "voisard_json",
            Loader::EventsCsv => "events_csv",
            Loader::MobgapIc => "mobgap_ic",
            Loader::CmuReps => "cmu_reps",
            Loader::ExermoteReps => "exermote_reps",
            Loader::EbbelaarSets => "ebbelaar_sets",
            Loader::CountixCounts => "countix_counts",
            Loader::DorsiLabels => "dorsi_labels",
        }
    }

    /// The loader with this name, or `None`.
    pub fn from_name(name: &str) -> Option<Loader> {
        let wanted = name.trim().to_ascii_lowercase();
        Loader::ALL.into_iter().find(|l| l.name() == wanted)
    }

    /// The rate of the sample indices in the labels when [`LoadOptions::rate_hz`] does not
    /// give one, Hz; `None` for formats whose times are in seconds.
    pub fn default_rate_hz(self) -> Option<f64> {
        match self {
            Loader::GaitmapStrideEvents => Some(204.8),
            Loader::GaitmapIcStrides => Some(102.4),
            Loader::VoisardJson | Loader::MobgapIc => Some(100.0),
            _ => None,
        }
    }

    /// Whether the loader gives gait labels (events, strides) rather than repetition labels.
    /// [`Loader::DorsiLabels`] gives either.
    pub fn is_gait(self) -> bool {
        matches!(
            self,
            Loader::GaitmapStrideEvents
                | Loader::GaitmapIcStrides
                | Loader::VoisardJson
                | Loader::EventsCsv
                | Loader::MobgapIc
                | Loader::DorsiLabels
        )
    }

    /// Whether the loader gives repetition labels (reps, sets, counts).
    pub fn is_reps(self) -> bool {
        matches!(
            self,
            Loader::CmuReps
                | Loader::ExermoteReps
                | Loader::EbbelaarSets
                | Loader::CountixCounts
                | Loader::DorsiLabels
        )
    }

    /// The names of every loader, comma-separated (for error messages).
    pub fn known() -> String {
        Loader::ALL
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which part of a label file holding several recordings' labels to load. Manifests give it
/// as `select = { exercise = "HeelRaise" }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// The exercise of a CMU `rep_segments.csv` (`HeelRaise`, `SqDL`...; case ignored).
    pub exercise: Option<String>,
    /// The set of an Ebbelaar `sets.csv` (`S005`).
    pub set_id: Option<String>,
    /// The video of a Countix annotation file (`squat017.npy` or `squat017.mp4`).
    pub video: Option<String>,
}

/// Options for [`load`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoadOptions {
    /// The recording's sampling rate, Hz, for labels given in sample indices; default the
    /// format's own ([`Loader::default_rate_hz`]).
    pub rate_hz: Option<f64>,
    /// The time of the recording's sample 0 on its clock, s (default 0).
    pub start_s: Option<f64>,
    /// Which recording's labels to take from a shared label file.
    pub select: Selection,
}

/// Why a label file could not be loaded. Each names the file and, where it applies, the
/// line and column.
#[derive(Debug, thiserror::Error)]
pub enum TruthError {
    /// The file could not be read.
    #[error("{file}: cannot read labels: {source}")]
    Io {
        /// The file.
        file: String,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The file's content is not what the format says.
    #[error("{at}: {problem}")]
    Format {
        /// Where.
        at: Location,
        /// What was found and what was expected.
        problem: String,
    },
    /// The selected recording is not in the file, or no selection was given.
    #[error("{file}: {problem}")]
    Selection {
        /// The file.
        file: String,
        /// What was asked, and what the file holds.
        problem: String,
    },
    /// An option is invalid.
    #[error("{0}")]
    Option(String),
}

/// Load the labels in `path` with `loader`.
pub fn load(loader: Loader, path: &Path, options: &LoadOptions) -> Result<Truth, TruthError> {
    let name = path.display().to_string();
    let text = read_text(path)?;
    if loader == Loader::MobgapIc {
        let wb_path = mobgap_wb_path(path);
        let wb = match &wb_path {
            Some(p) if p.is_file() => Some((p.display().to_string(), read_text(p)?)),
            _ => None,
        };
        let wb_ref = wb.as_ref().map(|(n, t)| (n.as_str(), t.as_str()));
        return mobgap_ic(&name, &text, wb_ref, options);
    }
    load_str(loader, &name, &text, options)
}

/// Load labels already in memory, as if read from a file called `name`. (The mobgap loader
/// finds no walking-bout file this way: use [`load`] for it.)
pub fn load_str(
    loader: Loader,
    name: &str,
    text: &str,
    options: &LoadOptions,
) -> Result<Truth, TruthError> {
    if let Some(r) = options.rate_hz {
        if !(r.is_finite() && r > 0.0) {
            return Err(TruthError::Option(format!(
                "{name}: the label rate must be a positive number of Hz, got {r}"
            )));
        }
    }
    if let Some(s) = options.start_s {
        if !s.is_finite() {
            return Err(TruthError::Option(format!(
                "{name}: the recording start must be a finite time, got {s}"
            )));
        }
    }
    match loader {
        Loader::GaitmapStrideEvents => {
            gaitmap_stride_events(name, text, &Clock::of(loader, options))
        }
        Loader::GaitmapIcStrides => gaitmap_ic_strides(name, text, &Clock::of(loader, options)),
        Loader::VoisardJson => voisard_json(name, text, &Clock::of(loader, options)),
        Loader::EventsCsv => events_csv(name, text),
        Loader::MobgapIc => mobgap_ic(name, text, None, options),
        Loader::CmuReps => cmu_reps(name, text, &options.select),
        Loader::ExermoteReps => exermote_reps(name, text),
        Loader::EbbelaarSets => ebbelaar_sets(name, text, &options.select),
        Loader::CountixCounts => countix_counts(name, text, &options.select),
        Loader::DorsiLabels => dorsi_labels(name, text),
    }
}

fn read_text(path: &Path) -> Result<String, TruthError> {
    std::fs::read_to_string(path).map_err(|source| TruthError::Io {
        file: path.display().to_string(),
        source,
    })
}

/// Sample index → time on the recording's clock.
struct Clock {
    rate_hz: f64,
    start_s: f64,
}

impl Clock {
    fn of(loader: Loader, options: &LoadOptions) -> Clock {
        Clock {
            rate_hz: options.rate_hz.or(loader.default_rate_hz()).unwrap_or(1.0),
            start_s: options.start_s.unwrap_or(0.0),
        }
    }

    fn time_s(&self, sample: f64) -> f64 {
        self.start_s + sample / self.rate_hz
    }
}

// ---------------------------------------------------------------------------------------
// A small CSV table with line numbers, for error messages.

struct Row {
    line: u64,
    fields: csv::StringRecord,
}

struct Table<'a> {
    file: &'a str,
    header: Vec<String>,
    rows: Vec<Row>,
}

impl<'a> Table<'a> {
    fn parse(file: &'a str, text: &str) -> Result<Table<'a>, TruthError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let csv_err = |e: csv::Error| {
            let line = e.position().map(|p| p.line()).unwrap_or(1);
            TruthError::Format {
                at: Location::line(file, line),
                problem: format!("not readable as CSV: {e}"),
            }
        };
        let header: Vec<String> = rdr
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(str::to_string)
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(TruthError::Format {
                at: Location::line(file, 1),
                problem: "empty file; expected a header row".into(),
            });
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let fields = rec.map_err(csv_err)?;
            let line = fields.position().map(|p| p.line()).unwrap_or(0);
            if fields.iter().all(str::is_empty) {
                continue;
            }
            rows.push(Row { line, fields });
        }
        Ok(Table { file, header, rows })
    }

    /// The index of a column, or an error listing the header.
    fn column(&self, name: &str) -> Result<usize, TruthError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| TruthError::Format {
                at: Location::line(self.file, 1),
                problem: format!(
                    "no column `{name}`; the header has: {}",
                    self.header.join(", ")
                ),
            })
    }

    fn at(&self, row: &Row, col: usize) -> Location {
        let name = self.header.get(col).map(String::as_str).unwrap_or("");
        Location::line(self.file, row.line).with_column(format!("{name} ({})", col + 1))
    }

    fn text<'r>(&self, row: &'r Row, col: usize) -> &'r str {
        row.fields.get(col).unwrap_or("")
    }

    /// A number, or `None` when the cell is empty or `NaN`.
    fn opt_f64(&self, row: &Row, col: usize) -> Result<Option<f64>, TruthError> {
        let s = self.text(row, col);
        if s.is_empty() || s.eq_ignore_ascii_case("nan") {
            return Ok(None);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(TruthError::Format {
                at: self.at(row, col),
                problem: format!("expected a number, found {s:?}"),
            }),
        }
    }

    fn f64(&self, row: &Row, col: usize) -> Result<f64, TruthError> {
        self.opt_f64(row, col)?.ok_or_else(|| TruthError::Format {
            at: self.at(row, col),
            problem: "expected a number, found an empty cell".into(),
        })
    }

    /// A sample index: a non-negative whole number (written `494` or `494.0`).
    fn sample(&self, row: &Row, col: usize) -> Result<Option<f64>, TruthError> {
        match self.opt_f64(row, col)? {
            Some(v) if v < 0.0 || v.fract() != 0.0 => Err(TruthError::Format {
                at: self.at(row, col),
                problem: format!("expected a sample index (a whole number >= 0), found {v}"),
            }),
            v => Ok(v),
        }
    }

    fn count(&self, row: &Row, col: usize) -> Result<Option<u32>, TruthError> {
        let s = self.text(row, col);
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<u32>().map(Some).map_err(|_| TruthError::Format {
            at: self.at(row, col),
            problem: format!("expected a count (a whole number >= 0), found {s:?}"),
        })
    }

    fn side(&self, row: &Row, col: usize) -> Result<String, TruthError> {
        let s = self.text(row, col).to_ascii_lowercase();
        match s.as_str() {
            "left" | "l" => Ok("left".into()),
            "right" | "r" => Ok("right".into()),
            _ => Err(TruthError::Format {
                at: self.at(row, col),
                problem: format!("expected `left` or `right`, found {s:?}"),
            }),
        }
    }

    /// `start` must not be after `end`.
    fn ordered(&self, row: &Row, start: f64, end: f64, what: &str) -> Result<(), TruthError> {
        if start > end {
            return Err(TruthError::Format {
                at: Location::line(self.file, row.line),
                problem: format!("{what} starts at {start} after it ends at {end}"),
            });
        }
        Ok(())
    }
}

fn by_time_events(events: &mut [TruthEvent]) {
    events.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
}

fn by_time_strides(strides: &mut [TruthStride]) {
    strides.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
}

/// Strides from consecutive initial contacts of one foot, both inside `span`.
fn strides_from_events(events: &[TruthEvent], span: Option<(f64, f64)>) -> Vec<TruthStride> {
    let inside = |t: f64| span.is_none_or(|(a, b)| t >= a && t <= b);
    let mut strides = Vec::new();
    for side in ["left", "right"] {
        let ics: Vec<f64> = events
            .iter()
            .filter(|e| e.kind == EventKind::InitialContact && e.side.as_deref() == Some(side))
            .map(|e| e.time_s)
            .filter(|t| inside(*t))
            .collect();
        for w in ics.windows(2) {
            strides.push(TruthStride {
                side: Some(side.into()),
                start_s: w[0],
                end_s: w[1],
                flagged: None,
            });
        }
    }
    by_time_strides(&mut strides);
    strides
}

/// Merge intervals that overlap or touch, in time order.
fn merge_intervals(mut v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The loaders.

fn gaitmap_stride_events(name: &str, text: &str, clock: &Clock) -> Result<Truth, TruthError> {
    let t = Table::parse(name, text)?;
    let (foot, start, end, ic, tc, pre_ic) = (
        t.column("foot")?,
        t.column("start")?,
        t.column("end")?,
        t.column("ic")?,
        t.column("tc")?,
        t.column("pre_ic")?,
    );
    let mut truth = Truth::default();
    // Per side: the first start and last end of the labelled min_vel→min_vel strides.
    let mut cover: Vec<(String, f64, f64)> = Vec::new();
    let mut skipped = 0;
    for row in &t.rows {
        let side = t.side(row, foot)?;
        let (s, e) = (t.sample(row, start)?, t.sample(row, end)?);
        let (Some(s), Some(e)) = (s, e) else {
            skipped += 1;
            continue;
        };
        t.ordered(row, s, e, "the stride")?;
        let (s, e) = (clock.time_s(s), clock.time_s(e));
        match cover.iter_mut().find(|c| c.0 == side) {
            Some(c) => {
                c.1 = c.1.min(s);
                c.2 = c.2.max(e);
            }
            None => cover.push((side.clone(), s, e)),
        }
        let ic_t = t.sample(row, ic)?.map(|v| clock.time_s(v));
        let tc_t = t.sample(row, tc)?.map(|v| clock.time_s(v));
        let pre_t = t.sample(row, pre_ic)?.map(|v| clock.time_s(v));
        for (time, kind) in [
            (ic_t, EventKind::InitialContact),
            (tc_t, EventKind::FinalContact),
        ] {
            if let Some(time_s) = time {
                truth.events.push(TruthEvent {
                    side: Some(side.clone()),
                    kind,
                    time_s,
                });
            }
        }
        match (pre_t, ic_t) {
            (Some(a), Some(b)) => {
                t.ordered(row, a, b, "the pre_ic→ic stride")?;
                truth.strides.push(TruthStride {
                    side: Some(side),
                    start_s: a,
                    end_s: b,
                    flagged: None,
                });
            }
            _ => skipped += 1,
        }
    }
    by_time_events(&mut truth.events);
    by_time_strides(&mut truth.strides);
    // Where every foot is labelled: each side's strides are contiguous, so inside the
    // intersection of the sides' coverage every event of both feet has a label.
    if !cover.is_empty() {
        let a = cover.iter().map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
        let b = cover.iter().map(|c| c.2).fold(f64::INFINITY, f64::min);
        if a <= b {
            truth.span_s = Some((a, b));
        }
    }
    truth.notes.push(
        "strides are pre_ic→ic (initial contact to initial contact); the file's min_vel→min_vel \
         borders are not used"
            .into(),
    );
    truth.notes.push(format!(
        "sample indices at {} Hz; span: where both feet are labelled",
        clock.rate_hz
    ));
    if skipped > 0 {
        truth
            .notes
            .push(format!("{skipped} stride(s) without pre_ic or ic skipped"));
    }
    Ok(truth)
}

fn gaitmap_ic_strides(name: &str, text: &str, clock: &Clock) -> Result<Truth, TruthError> {
    let t = Table::parse(name, text)?;
    let (foot, start, end) = (t.column("foot")?, t.column("start")?, t.column("end")?);
    let mut truth = Truth::default();
    let mut runs: Vec<(f64, f64)> = Vec::new();
    for row in &t.rows {
        let side = t.side(row, foot)?;
        let s = t.sample(row, start)?;
        let e = t.sample(row, end)?;
        let (Some(s), Some(e)) = (s, e) else {
            return Err(TruthError::Format {
                at: Location::line(name, row.line),
                problem: "expected the stride's start and end samples, found an empty cell".into(),
            });
        };
        t.ordered(row, s, e, "the stride")?;
        let (s, e) = (clock.time_s(s), clock.time_s(e));
        for time_s in [s, e] {
            let known = truth.events.iter().any(|ev| {
                ev.side.as_deref() == Some(side.as_str()) && (ev.time_s - time_s).abs() < 1e-9
            });
            if !known {
                truth.events.push(TruthEvent {
                    side: Some(side.clone()),
                    kind: EventKind::InitialContact,
                    time_s,
                });
            }
        }
        truth.strides.push(TruthStride {
            side: Some(side),
            start_s: s,
            end_s: e,
            flagged: None,
        });
        runs.push((s, e));
    }
    by_time_events(&mut truth.events);
    by_time_strides(&mut truth.strides);
    truth.bouts = merge_intervals(runs)
        .into_iter()
        .map(|(start_s, end_s)| TruthBout {
            start_s,
            end_s,
            count: None,
        })
        .collect();
    if let (Some(first), Some(last)) = (truth.bouts.first(), truth.bouts.last()) {
        truth.span_s = Some((first.start_s, last.end_s));
    }
    truth.notes.push(format!(
        "initial contacts only (no final contacts labelled); sample indices at {} Hz; bouts: \
         the stretches the strides cover",
        clock.rate_hz
    ));
    Ok(truth)
}

#[derive(Deserialize)]
struct VoisardTrial {
    #[serde(rename = "TrialBoundaries")]
    trial_boundaries: Option<[f64; 2]>,
    #[serde(rename = "LeftFootEvents")]
    left: Vec<[f64; 2]>,
    #[serde(rename = "RightFootEvents")]
    right: Vec<[f64; 2]>,
}

fn voisard_json(name: &str, text: &str, clock: &Clock) -> Result<Truth, TruthError> {
    let trial: VoisardTrial = serde_json::from_str(text).map_err(|e| {
        // serde_json's message ends with the position, which the location already gives.
        let full = e.to_string();
        let message = full.split(" at line ").next().unwrap_or(&full);
        TruthError::Format {
            at: Location::line(name, e.line() as u64).with_column(e.column().to_string()),
            problem: format!(
                "{message}; expected a JSON object with LeftFootEvents and RightFootEvents \
                 lists of [toe_off, heel_strike] pairs"
            ),
        }
    })?;
    let mut truth = Truth::default();
    for (side, key, pairs) in [
        ("left", "LeftFootEvents", &trial.left),
        ("right", "RightFootEvents", &trial.right),
    ] {
        for (i, [toe_off, heel_strike]) in pairs.iter().copied().enumerate() {
            if !(toe_off >= 0.0 && toe_off <= heel_strike) {
                return Err(TruthError::Format {
                    at: Location::file(name).with_column(format!("{key}[{i}]")),
                    problem: format!(
                        "expected [toe_off, heel_strike] sample indices with toe_off <= \
                         heel_strike, found [{toe_off}, {heel_strike}]"
                    ),
                });
            }
            truth.events.push(TruthEvent {
                side: Some(side.into()),
                kind: EventKind::FinalContact,
                time_s: clock.time_s(toe_off),
            });
            truth.events.push(TruthEvent {
                side: Some(side.into()),
                kind: EventKind::InitialContact,
                time_s: clock.time_s(heel_strike),
            });
        }
    }
    by_time_events(&mut truth.events);
    if let Some([a, b]) = trial.trial_boundaries {
        if !(a >= 0.0 && a <= b) {
            return Err(TruthError::Format {
                at: Location::file(name).with_column("TrialBoundaries"),
                problem: format!("expected [start, end] with start <= end, found [{a}, {b}]"),
            });
        }
        truth.span_s = Some((clock.time_s(a), clock.time_s(b)));
        let outside = truth
            .events
            .iter()
            .filter(|e| e.time_s < clock.time_s(a) || e.time_s > clock.time_s(b))
            .count();
        if outside > 0 {
            truth.notes.push(format!(
                "{outside} event(s) lie outside the trial window (TrialBoundaries)"
            ));
        }
    }
    truth.strides = strides_from_events(&truth.events, truth.span_s);
    truth.notes.push(format!(
        "event indices are PacketCounter units at {} Hz; strides: consecutive heel strikes of \
         one foot inside the trial window",
        clock.rate_hz
    ));
    Ok(truth)
}

fn events_csv(name: &str, text: &str) -> Result<Truth, TruthError> {
    let t = Table::parse(name, text)?;
    let (side, event, time) = (t.column("side")?, t.column("event")?, t.column("time_s")?);
    let mut truth = Truth::default();
    for row in &t.rows {
        let s = t.side(row, side)?;
        let label = t.text(row, event);
        let kind = EventKind::parse(label).ok_or_else(|| TruthError::Format {
            at: t.at(row, event),
            problem: format!("expected `foot_strike` or `foot_off`, found {label:?}"),
        })?;
        truth.events.push(TruthEvent {
            side: Some(s),
            kind,
            time_s: t.f64(row, time)?,
        });
    }
    by_time_events(&mut truth.events);
    if let (Some(a), Some(b)) = (truth.events.first(), truth.events.last()) {
        truth.span_s = Some((a.time_s, b.time_s));
    }
    truth.strides = strides_from_events(&truth.events, None);
    truth.notes.push(
        "times in seconds on the recording's clock; span: first to last labelled event; \
         strides: consecutive foot strikes of one foot"
            .into(),
    );
    Ok(truth)
}

/// `X_ref_INDIP_ic.csv` → `X_ref_INDIP_wb.csv`.
fn mobgap_wb_path(ic: &Path) -> Option<std::path::PathBuf> {
    let file = ic.file_name()?.to_str()?;
    let stem = file.strip_suffix("_ic.csv")?;
    Some(ic.with_file_name(format!("{stem}_wb.csv")))
}

fn mobgap_ic(
    name: &str,
    text: &str,
    wb: Option<(&str, &str)>,
    options: &LoadOptions,
) -> Result<Truth, TruthError> {
    let clock = Clock::of(Loader::MobgapIc, options);
    let t = Table::parse(name, text)?;
    let (time, sample, side) = (t.column("time_s")?, t.column("sample")?, t.column("side")?);
    let mut truth = Truth::default();
    let (mut unlocated, mut duplicates) = (0, 0);
    let mut seen: Vec<(String, f64)> = Vec::new();
    for row in &t.rows {
        if t.opt_f64(row, time)?.is_none() {
            unlocated += 1;
            continue;
        }
        let Some(sample) = t.sample(row, sample)? else {
            return Err(TruthError::Format {
                at: t.at(row, sample),
                problem: "expected the sample of a located initial contact, found an empty cell"
                    .into(),
            });
        };
        let s = t.side(row, side)?;
        if seen.iter().any(|(ss, v)| *ss == s && *v == sample) {
            duplicates += 1;
            continue;
        }
        seen.push((s.clone(), sample));
        truth.events.push(TruthEvent {
            side: Some(s),
            kind: EventKind::InitialContact,
            time_s: clock.time_s(sample),
        });
    }
    by_time_events(&mut truth.events);
    if unlocated > 0 {
        truth.notes.push(format!(
            "{unlocated} initial contact(s) without a time (NaN in the reference) skipped"
        ));
    }
    if duplicates > 0 {
        truth.notes.push(format!(
            "{duplicates} duplicated initial contact(s) dropped"
        ));
    }
    truth.notes.push(format!(
        "times from the 0-based `sample` column at {} Hz (mobgap's convention)",
        clock.rate_hz
    ));
    match wb {
        Some((wb_name, wb_text)) => {
            let w = Table::parse(wb_name, wb_text)?;
            let (start, end) = (w.column("start")?, w.column("end")?);
            for row in &w.rows {
                let (Some(a), Some(b)) = (w.sample(row, start)?, w.sample(row, end)?) else {
                    return Err(TruthError::Format {
                        at: Location::line(wb_name, row.line),
                        problem: "expected the bout's start and end samples, found an empty cell"
                            .into(),
                    });
                };
                w.ordered(row, a, b, "the walking bout")?;
                truth.bouts.push(TruthBout {
                    start_s: clock.time_s(a),
                    end_s: clock.time_s(b),
                    count: None,
                });
            }
            truth.bouts.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
            if let (Some(a), Some(b)) = (truth.bouts.first(), truth.bouts.last()) {
                truth.span_s = Some((a.start_s, b.end_s));
            }
            truth.notes.push(
                "walking bouts from the reference; only their stretches are annotated".into(),
            );
        }
        None => truth
            .notes
            .push("no walking-bout file beside the labels: the span is unknown".into()),
    }
    Ok(truth)
}

fn required<'s>(
    name: &str,
    value: &'s Option<String>,
    what: &str,
    example: &str,
) -> Result<&'s str, TruthError> {
    value.as_deref().ok_or_else(|| TruthError::Selection {
        file: name.into(),
        problem: format!("this file holds several recordings' labels: select one with {what} (e.g. `select = {{ {what} = \"{example}\" }}`)"),
    })
}

fn cmu_reps(name: &str, text: &str, select: &Selection) -> Result<Truth, TruthError> {
    let wanted = required(name, &select.exercise, "exercise", "HeelRaise")?;
    let t = Table::parse(name, text)?;
    let (exercise, rep, start, end) = (
        t.column("exercise")?,
        t.column("rep")?,
        t.column("t_start_s")?,
        t.column("t_end_s")?,
    );
    let mut found: Vec<(u32, TruthRep)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for row in &t.rows {
        let ex = t.text(row, exercise);
        if !names.iter().any(|n| n == ex) {
            names.push(ex.to_string());
        }
        if !ex.eq_ignore_ascii_case(wanted) {
            continue;
        }
        let index = t.count(row, rep)?.unwrap_or(0);
        let (a, b) = (t.f64(row, start)?, t.f64(row, end)?);
        t.ordered(row, a, b, "the rep")?;
        found.push((
            index,
            TruthRep {
                start_s: a,
                end_s: b,
                peak_s: None,
                hold_s: None,
                complete: None,
            },
        ));
    }
    if found.is_empty() {
        return Err(TruthError::Selection {
            file: name.into(),
            problem: format!(
                "no reps of exercise {wanted:?}; the file has: {}",
                names.join(", ")
            ),
        });
    }
    found.sort_by(|a, b| a.1.start_s.total_cmp(&b.1.start_s));
    let mut truth = Truth {
        reps: found.into_iter().map(|(_, r)| r).collect(),
        ..Truth::default()
    };
    truth.count = Some(truth.reps.len() as u32);
    if let (Some(a), Some(b)) = (truth.reps.first(), truth.reps.last()) {
        truth.span_s = Some((a.start_s, b.end_s));
    }
    truth.notes.push(
        "one file per rep on the trial clock; the samples between reps are not in the files".into(),
    );
    Ok(truth)
}

/// Reps further apart than this, s, belong to different sets (Exermote).
const EXERMOTE_SET_GAP_S: f64 = 10.0;

fn exermote_reps(name: &str, text: &str) -> Result<Truth, TruthError> {
    let t = Table::parse(name, text)?;
    let (exercise, start, end) = (
        t.column("exercise")?,
        t.column("start_s")?,
        t.column("end_s")?,
    );
    let mut reps: Vec<(String, TruthRep)> = Vec::new();
    for row in &t.rows {
        let (a, b) = (t.f64(row, start)?, t.f64(row, end)?);
        t.ordered(row, a, b, "the rep")?;
        reps.push((
            t.text(row, exercise).to_string(),
            TruthRep {
                start_s: a,
                end_s: b,
                peak_s: None,
                hold_s: None,
                complete: None,
            },
        ));
    }
    reps.sort_by(|a, b| a.1.start_s.total_cmp(&b.1.start_s));
    let mut truth = Truth::default();
    let mut last: Option<(String, f64)> = None;
    for (ex, rep) in reps {
        let same_set = last
            .as_ref()
            .is_some_and(|(e, end)| *e == ex && rep.start_s - end < EXERMOTE_SET_GAP_S);
        match truth.bouts.last_mut() {
            Some(bout) if same_set => {
                bout.end_s = rep.end_s;
                bout.count = Some(bout.count.unwrap_or(0) + 1);
            }
            _ => truth.bouts.push(TruthBout {
                start_s: rep.start_s,
                end_s: rep.end_s,
                count: Some(1),
            }),
        }
        last = Some((ex, rep.end_s));
        truth.reps.push(rep);
    }
    truth.count = Some(truth.reps.len() as u32);
    truth.notes.push(format!(
        "cue-driven labels (the prescribed schedule); sets: runs of one exercise with less than \
         {EXERMOTE_SET_GAP_S} s between reps"
    ));
    Ok(truth)
}

fn ebbelaar_sets(name: &str, text: &str, select: &Selection) -> Result<Truth, TruthError> {
    let wanted = required(name, &select.set_id, "set_id", "S005")?;
    let t = Table::parse(name, text)?;
    let (id, reps) = (t.column("set_id")?, t.column("expected_reps")?);
    let row = t
        .rows
        .iter()
        .find(|r| t.text(r, id).eq_ignore_ascii_case(wanted))
        .ok_or_else(|| TruthError::Selection {
            file: name.into(),
            problem: format!(
                "no set {wanted:?}; the file has {} sets ({}...)",
                t.rows.len(),
                t.rows
                    .iter()
                    .take(3)
                    .map(|r| t.text(r, id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let count = t.count(row, reps)?.ok_or_else(|| TruthError::Format {
        at: t.at(row, reps),
        problem: format!("set {wanted} has no expected rep count (a rest recording?)"),
    })?;
    Ok(Truth {
        count: Some(count),
        notes: vec![
            "count from the protocol (heavy 5, medium 10), not from annotation; no rep times"
                .into(),
        ],
        ..Truth::default()
    })
}

/// A file name without its folder and extension, lower-cased.
fn stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let base = match base.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s,
        _ => base,
    };
    base.to_ascii_lowercase()
}

fn countix_counts(name: &str, text: &str, select: &Selection) -> Result<Truth, TruthError> {
    let wanted = required(name, &select.video, "video", "squat017.npy")?;
    let t = Table::parse(name, text)?;
    let (video, count) = (t.column("name")?, t.column("count")?);
    let key = stem(wanted);
    let row = t
        .rows
        .iter()
        .find(|r| stem(t.text(r, video)) == key)
        .ok_or_else(|| TruthError::Selection {
            file: name.into(),
            problem: format!("no video named {key:?} in the `name` column"),
        })?;
    let n = t.count(row, count)?.ok_or_else(|| TruthError::Format {
        at: t.at(row, count),
        problem: format!("video {key} has no count"),
    })?;
    Ok(Truth {
        count: Some(n),
        notes: vec!["human count for the whole video; no per-rep times".into()],
        ..Truth::default()
    })
}

fn dorsi_labels(name: &str, text: &str) -> Result<Truth, TruthError> {
    let labels = Labels::from_csv(text).map_err(|problem| TruthError::Format {
        at: Location::file(name),
        problem,
    })?;
    let mut truth = Truth::default();
    let mut has_reps = false;
    for item in labels.items {
        match item {
            Label::Event { side, kind, time_s } => {
                let k = EventKind::parse(&kind).ok_or_else(|| TruthError::Format {
                    at: Location::file(name).with_column("kind"),
                    problem: format!(
                        "event kind {kind:?}; expected initial_contact or final_contact"
                    ),
                })?;
                truth.events.push(TruthEvent {
                    side: non_empty(side),
                    kind: k,
                    time_s,
                });
            }
            Label::Stride {
                side,
                start_s,
                end_s,
                flagged,
                ..
            } => truth.strides.push(TruthStride {
                side: non_empty(side),
                start_s,
                end_s,
                flagged: Some(flagged),
            }),
            Label::Rep {
                start_s,
                peak_s,
                end_s,
                hold_s,
                complete,
                ..
            } => {
                has_reps = true;
                truth.reps.push(TruthRep {
                    start_s,
                    end_s,
                    peak_s: Some(peak_s),
                    hold_s: Some(hold_s),
                    complete: Some(complete),
                });
            }
            Label::Hold { .. } => {}
            Label::Set {
                start_s,
                end_s,
                count,
                ..
            } => {
                has_reps = true;
                truth.bouts.push(TruthBout {
                    start_s,
                    end_s,
                    count: Some(count),
                });
            }
        }
    }
    by_time_events(&mut truth.events);
    by_time_strides(&mut truth.strides);
    truth.reps.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    truth.bouts.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    if has_reps {
        truth.count = Some(truth.reps.len() as u32);
    }
    for side in ["left", "right"] {
        let mut strides = truth
            .strides
            .iter()
            .filter(|s| s.side.as_deref() == Some(side))
            .peekable();
        if strides.peek().is_some() {
            let foot_drop = strides.any(|s| s.flagged == Some(true));
            truth.sides.push(TruthSide {
                side: side.into(),
                foot_drop,
            });
        }
    }
    Ok(truth)
}

fn non_empty(s: String) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// `../shared/data/real` beside the repository; `None` (test skipped) when it is
    /// missing, except in CI where a missing folder fails the test.
    fn real_dir() -> Option<PathBuf> {
        crate::test_support::real_data("")
    }

    fn load_ok(loader: Loader, path: &Path, options: &LoadOptions) -> Truth {
        load(loader, path, options).unwrap_or_else(|e| panic!("{e}"))
    }

    fn count(truth: &Truth, side: &str, kind: EventKind) -> usize {
        truth
            .events
            .iter()
            .filter(|e| e.side.as_deref() == Some(side) && e.kind == kind)
            .count()
    }

    fn strides(truth: &Truth, side: &str) -> usize {
        truth
            .strides
            .iter()
            .filter(|s| s.side.as_deref() == Some(side))
            .count()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn select(f: impl FnOnce(&mut Selection)) -> LoadOptions {
        let mut o = LoadOptions::default();
        f(&mut o.select);
        o
    }

    #[test]
    fn loader_names_round_trip() {
        for l in Loader::ALL {
            assert_eq!(Loader::from_name(l.name()), Some(l));
        }
        assert_eq!(Loader::from_name("nope"), None);
    }

    #[test]
    fn gaitmap_stride_events_real() {
        let Some(dir) = real_dir() else { return };
        let t = load_ok(
            Loader::GaitmapStrideEvents,
            &dir.join("gaitmap_foot_imu_healthy/stride_events_sample.csv"),
            &LoadOptions::default(),
        );
        assert_eq!((strides(&t, "left"), strides(&t, "right")), (28, 29));
        for (side, n) in [("left", 28), ("right", 29)] {
            assert_eq!(count(&t, side, EventKind::InitialContact), n);
            assert_eq!(count(&t, side, EventKind::FinalContact), n);
        }
        // Left stride 0: ic 657, tc 586, pre_ic 438 samples at 204.8 Hz.
        let ic = t
            .events
            .iter()
            .find(|e| e.side.as_deref() == Some("left") && e.kind == EventKind::InitialContact);
        assert!(ic.is_some_and(|e| close(e.time_s, 657.0 / 204.8)));
        let fc = t
            .events
            .iter()
            .find(|e| e.side.as_deref() == Some("left") && e.kind == EventKind::FinalContact);
        assert!(fc.is_some_and(|e| close(e.time_s, 586.0 / 204.8)));
        let s = t.strides.iter().find(|s| s.side.as_deref() == Some("left"));
        assert!(s.is_some_and(|s| close(s.start_s, 438.0 / 204.8) && close(s.end_s, 3.2080078125)));
        // Both feet labelled from the left's first min_vel to the right's last.
        let (a, b) = t.span_s.unwrap_or_default();
        assert!(close(a, 494.0 / 204.8) && close(b, 6867.0 / 204.8));
        assert!(t.events.windows(2).all(|w| w[0].time_s <= w[1].time_s));
    }

    #[test]
    fn gaitmap_ic_strides_real() {
        let Some(dir) = real_dir() else { return };
        let t = load_ok(
            Loader::GaitmapIcStrides,
            &dir.join("gaitmap_foot_imu_healthy/stride_borders_sample_ic_stride.csv"),
            &LoadOptions::default(),
        );
        assert_eq!((strides(&t, "left"), strides(&t, "right")), (7, 7));
        assert_eq!(count(&t, "left", EventKind::InitialContact), 11);
        assert_eq!(count(&t, "right", EventKind::InitialContact), 11);
        assert_eq!(t.events.len(), 22);
        assert_eq!(t.bouts.len(), 4);
        assert!(close(t.strides[0].start_s, 696.0 / 102.4));
        assert!(close(t.bouts[3].end_s, 3544.0 / 102.4));
    }

    #[test]
    fn voisard_real() {
        let Some(dir) = real_dir() else { return };
        let d = dir.join("voisard_ipol_foot_imu_healthy");
        let t = load_ok(
            Loader::VoisardJson,
            &d.join("1-1.json"),
            &LoadOptions::default(),
        );
        for (side, n) in [("left", 17), ("right", 18)] {
            assert_eq!(count(&t, side, EventKind::FinalContact), n);
            assert_eq!(count(&t, side, EventKind::InitialContact), n);
            assert_eq!(strides(&t, side), n - 1);
        }
        assert_eq!(t.span_s, Some((4.59, 24.64)));
        // First left swing [527, 574]: toe-off 5.27 s, heel strike 5.74 s.
        let left: Vec<&TruthEvent> = t
            .events
            .iter()
            .filter(|e| e.side.as_deref() == Some("left"))
            .collect();
        assert_eq!(left[0].kind, EventKind::FinalContact);
        assert!(close(left[0].time_s, 5.27) && close(left[1].time_s, 5.74));

        let t = load_ok(
            Loader::VoisardJson,
            &d.join("5-2.json"),
            &LoadOptions::default(),
        );
        assert_eq!(count(&t, "left", EventKind::InitialContact), 21);
        assert_eq!(count(&t, "right", EventKind::InitialContact), 19);
        assert_eq!(t.span_s, Some((5.70, 24.94)));
        // Swings after the trial window (left HS 3195 = 31.95 s) are kept, and noted.
        assert!(t.events.iter().any(|e| close(e.time_s, 31.95)));
        assert!(t
            .notes
            .iter()
            .any(|n| n.contains("outside the trial window")));
    }

    #[test]
    fn ktk_and_opensim_events_real() {
        let Some(dir) = real_dir() else { return };
        let ktk = load_ok(
            Loader::EventsCsv,
            &dir.join("ktk_walk_cgm21/walk_events.csv"),
            &LoadOptions::default(),
        );
        assert_eq!(ktk.events.len(), 8);
        // On the capture clock the TRC keeps (first frame 1.52 s).
        assert!(close(ktk.events[0].time_s, 1.6605));
        assert_eq!(ktk.events[0].kind, EventKind::InitialContact);
        assert_eq!(ktk.events[0].side.as_deref(), Some("right"));
        assert_eq!(ktk.span_s, Some((1.6605, 3.5)));
        assert_eq!((strides(&ktk, "left"), strides(&ktk, "right")), (1, 1));

        let os = load_ok(
            Loader::EventsCsv,
            &dir.join("opensim_subject01_walk1/subject01_walk1_events_from_grf.csv"),
            &LoadOptions::default(),
        );
        assert_eq!(os.events.len(), 8);
        assert_eq!(count(&os, "right", EventKind::InitialContact), 2);
        assert_eq!(count(&os, "left", EventKind::FinalContact), 2);
        assert!(close(os.events[0].time_s, 0.1648));
        assert_eq!(os.events[0].kind, EventKind::FinalContact);
        let right = os
            .strides
            .iter()
            .find(|s| s.side.as_deref() == Some("right"));
        assert!(right.is_some_and(|s| close(s.start_s, 0.6182) && close(s.end_s, 1.8522)));
    }

    #[test]
    fn mobgap_real() {
        let Some(dir) = real_dir() else { return };
        let d = dir.join("mobgap_lowerback_lab/csv");
        let o = LoadOptions::default();
        for (file, n) in [
            ("HA_001_Test5_Trial1_ref_INDIP_ic.csv", 9),
            ("HA_001_Test5_Trial2_ref_INDIP_ic.csv", 9),
            ("HA_001_Test11_Trial1_ref_INDIP_ic.csv", 63),
            ("HA_002_Test11_Trial1_ref_INDIP_ic.csv", 46),
            ("MS_001_Test5_Trial1_ref_INDIP_ic.csv", 9),
            ("MS_001_Test5_Trial2_ref_INDIP_ic.csv", 9),
            ("MS_001_Test11_Trial1_ref_INDIP_ic.csv", 91),
            ("HA_002_Test5_Trial1_ref_INDIP_ic.csv", 0),
        ] {
            let t = load_ok(Loader::MobgapIc, &d.join(file), &o);
            assert_eq!(t.events.len(), n, "{file}");
        }
        let t = load_ok(
            Loader::MobgapIc,
            &d.join("HA_001_Test5_Trial1_ref_INDIP_ic.csv"),
            &o,
        );
        assert_eq!(
            (
                count(&t, "left", EventKind::InitialContact),
                count(&t, "right", EventKind::InitialContact)
            ),
            (5, 4)
        );
        // time_s 5.05 is 0-based sample 504: 5.04 s on the IMU file's clock.
        assert!(close(t.events[0].time_s, 5.04));
        assert_eq!(t.bouts.len(), 1);
        assert_eq!(t.span_s, Some((5.04, 9.88)));
        let t = load_ok(
            Loader::MobgapIc,
            &d.join("MS_001_Test11_Trial1_ref_INDIP_ic.csv"),
            &o,
        );
        assert_eq!(t.bouts.len(), 6);
        assert!(t
            .notes
            .iter()
            .any(|n| n.starts_with("5 initial contact(s)")));
        assert!(t.notes.iter().any(|n| n.starts_with("2 duplicated")));
    }

    #[test]
    fn cmu_reps_real() {
        let Some(dir) = real_dir() else { return };
        let path = dir.join("cmu_imu_exercise_sub22/rep_segments.csv");
        let t = load_ok(
            Loader::CmuReps,
            &path,
            &select(|s| s.exercise = Some("HeelRaise".into())),
        );
        assert_eq!(t.reps.len(), 10);
        assert_eq!(t.count, Some(10));
        assert!(close(t.reps[0].start_s, 1.17) && close(t.reps[0].end_s, 2.31));
        assert!(close(t.reps[9].start_s, 18.03) && close(t.reps[9].end_s, 19.18));
        assert_eq!(t.span_s, Some((1.17, 19.18)));
        let sq = load_ok(
            Loader::CmuReps,
            &path,
            &select(|s| s.exercise = Some("sqdl".into())),
        );
        assert_eq!(sq.count, Some(5));
        let e = load(
            Loader::CmuReps,
            &path,
            &select(|s| s.exercise = Some("Lunge".into())),
        );
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.contains("HeelRaise") && msg.contains("\"Lunge\""),
            "{msg}"
        );
        let e = load(Loader::CmuReps, &path, &LoadOptions::default());
        assert!(matches!(e, Err(TruthError::Selection { .. })));
    }

    #[test]
    fn exermote_reps_real() {
        let Some(dir) = real_dir() else { return };
        let t = load_ok(
            Loader::ExermoteReps,
            &dir.join("exermote_cued_workout/rep_segments.csv"),
            &LoadOptions::default(),
        );
        assert_eq!(t.reps.len(), 36);
        assert_eq!(t.count, Some(36));
        let counts: Vec<Option<u32>> = t.bouts.iter().map(|b| b.count).collect();
        assert_eq!(counts, [7, 8, 6, 9, 6].map(Some));
        let starts: Vec<f64> = t.bouts.iter().map(|b| b.start_s).collect();
        for (s, want) in starts
            .iter()
            .zip([14.995, 70.595, 135.195, 187.997, 254.294])
        {
            assert!(close(*s, want), "{s} vs {want}");
        }
        assert!(close(t.reps[35].end_s, 291.995));
        assert_eq!(t.span_s, None);
    }

    #[test]
    fn ebbelaar_sets_real() {
        let Some(dir) = real_dir() else { return };
        let path = dir.join("ebbelaar_barbell_metamotion/sets.csv");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let ids: Vec<String> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next().map(str::to_string))
            .collect();
        assert_eq!(ids.len(), 59);
        let mut counts = Vec::new();
        let mut rest = 0;
        for id in &ids {
            match load(
                Loader::EbbelaarSets,
                &path,
                &select(|s| s.set_id = Some(id.clone())),
            ) {
                Ok(t) => counts.push(t.count),
                Err(e) => {
                    assert!(e.to_string().contains("no expected rep count"), "{e}");
                    rest += 1;
                }
            }
        }
        assert_eq!((counts.len(), rest), (57, 2));
        assert!(counts.iter().all(|c| matches!(c, Some(5) | Some(10))));
        assert_eq!(counts.iter().filter(|c| **c == Some(5)).count(), 32);
        let s000 = load_ok(
            Loader::EbbelaarSets,
            &path,
            &select(|s| s.set_id = Some("S000".into())),
        );
        assert_eq!(s000.count, Some(5));
        let e = load(
            Loader::EbbelaarSets,
            &path,
            &select(|s| s.set_id = Some("S999".into())),
        );
        assert!(matches!(e, Err(TruthError::Selection { .. })));
    }

    #[test]
    fn countix_counts_real() {
        let Some(dir) = real_dir() else { return };
        let d = dir.join("countix_fitness_pose");
        let path = d.join("annotation_test.csv");
        let video = |v: &str| select(|s| s.video = Some(v.into()));
        assert_eq!(
            load_ok(Loader::CountixCounts, &path, &video("squat017.npy")).count,
            Some(4)
        );
        assert_eq!(
            load_ok(Loader::CountixCounts, &path, &video("squat030.npy")).count,
            Some(15)
        );
        assert_eq!(
            load_ok(Loader::CountixCounts, &path, &video("lunge6.npy")).count,
            Some(14)
        );
        // Every copied sequence has a count in the ranges SOURCE.md gives.
        let mut n = (0, 0);
        for entry in std::fs::read_dir(d.join("test_poses"))
            .into_iter()
            .flatten()
        {
            let Ok(entry) = entry else { continue };
            let file = entry.file_name().to_string_lossy().to_string();
            let c = load_ok(Loader::CountixCounts, &path, &video(&file))
                .count
                .unwrap_or(0);
            if file.starts_with("squat") {
                assert!((2..=15).contains(&c), "{file}: {c}");
                n.0 += 1;
            } else {
                assert!((3..=14).contains(&c), "{file}: {c}");
                n.1 += 1;
            }
        }
        assert_eq!(n, (19, 11));
    }

    #[test]
    fn synthetic_labels_map_to_truth() {
        let csv = "# dorsi.labels/1\n\
            record,side,kind,index,time_s,start_s,peak_s,end_s,hold_s,complete,severity,flag,count\n\
            event,right,initial_contact,,0.2684,,,,,,,,\n\
            stride,right,,,,0.2684,,1.3645,,,0.000,false,\n\
            event,left,final_contact,,0.3888,,,,,,,,\n\
            stride,left,,,,0.8332,,1.9215,,,0.800,true,\n\
            stride,left,,,,1.9215,,3.0,,,0.800,false,\n";
        let t = load_str(
            Loader::DorsiLabels,
            "walk.labels.csv",
            csv,
            &LoadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.events.len(), 2);
        assert_eq!(t.strides.len(), 3);
        assert_eq!(t.strides[1].flagged, Some(true));
        assert_eq!(
            t.sides,
            vec![
                TruthSide {
                    side: "left".into(),
                    foot_drop: true
                },
                TruthSide {
                    side: "right".into(),
                    foot_drop: false
                },
            ]
        );
        assert_eq!(t.count, None);

        let csv = "# dorsi.labels/1\n\
            set,,,1,,5.0000,,48.0371,,,,,2\n\
            rep,,heel_raise,1,,5.0000,6.5339,8.0678,0.0000,true,,,\n\
            rep,,heel_raise,2,,9.4396,11.0563,12.6729,1.5000,false,,,\n";
        let t = load_str(
            Loader::DorsiLabels,
            "x.labels.csv",
            csv,
            &LoadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.count, Some(2));
        assert_eq!(t.bouts.len(), 1);
        assert_eq!(t.bouts[0].count, Some(2));
        assert_eq!(t.reps[1].hold_s, Some(1.5));
        assert_eq!(t.reps[1].complete, Some(false));
        assert_eq!(t.reps[0].peak_s, Some(6.5339));
    }

    #[test]
    fn bundled_samples_load() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/samples");
        let t = load_ok(
            Loader::DorsiLabels,
            &dir.join("walk_left_drop_imu.labels.csv"),
            &LoadOptions::default(),
        );
        assert!(!t.events.is_empty());
        let left = t.sides.iter().find(|s| s.side == "left");
        let right = t.sides.iter().find(|s| s.side == "right");
        assert_eq!(left.map(|s| s.foot_drop), Some(true));
        assert_eq!(right.map(|s| s.foot_drop), Some(false));
        let t = load_ok(
            Loader::DorsiLabels,
            &dir.join("heel_raise_imu.labels.csv"),
            &LoadOptions::default(),
        );
        assert_eq!(t.count, Some(t.reps.len() as u32));
        assert!(t.count.is_some_and(|c| c > 0));
    }

    #[test]
    fn sample_clock_uses_rate_and_start() {
        let csv = "s_id,foot,start,end,gsd_id\n0,left,100,200,1\n";
        let o = LoadOptions {
            rate_hz: Some(100.0),
            start_s: Some(2.0),
            ..LoadOptions::default()
        };
        let t =
            load_str(Loader::GaitmapIcStrides, "b.csv", csv, &o).unwrap_or_else(|e| panic!("{e}"));
        assert!(close(t.strides[0].start_s, 3.0) && close(t.strides[0].end_s, 4.0));
        let bad = LoadOptions {
            rate_hz: Some(0.0),
            ..LoadOptions::default()
        };
        assert!(matches!(
            load_str(Loader::GaitmapIcStrides, "b.csv", csv, &bad),
            Err(TruthError::Option(_))
        ));
    }

    fn err(loader: Loader, text: &str, o: &LoadOptions) -> String {
        match load_str(loader, "bad.csv", text, o) {
            Ok(t) => panic!("expected an error, got {t:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn malformed_inputs_give_located_errors() {
        let o = LoadOptions::default();
        // A number that is not one: file, line and column named.
        let m = err(
            Loader::GaitmapStrideEvents,
            "s_id,foot,start,end,ic,tc,min_vel,pre_ic\n0,left,494,709,6x7,586,494,438\n",
            &o,
        );
        assert!(
            m.contains("bad.csv, line 2, column ic (5)") && m.contains("\"6x7\""),
            "{m}"
        );
        // A missing column: the header is listed.
        let m = err(
            Loader::GaitmapStrideEvents,
            "s_id,foot,start,end\n0,left,1,2\n",
            &o,
        );
        assert!(m.contains("line 1") && m.contains("no column `ic`"), "{m}");
        // A side that is neither.
        let m = err(
            Loader::EventsCsv,
            "side,event,time_s\nmiddle,foot_off,1.0\n",
            &o,
        );
        assert!(
            m.contains("line 2, column side (1)") && m.contains("\"middle\""),
            "{m}"
        );
        // An unknown event.
        let m = err(Loader::EventsCsv, "side,event,time_s\nleft,jump,1.0\n", &o);
        assert!(
            m.contains("column event (2)") && m.contains("foot_strike"),
            "{m}"
        );
        // A fractional sample index.
        let m = err(
            Loader::GaitmapIcStrides,
            "s_id,foot,start,end\n0,left,1.5,9\n",
            &o,
        );
        assert!(
            m.contains("column start (3)") && m.contains("whole number"),
            "{m}"
        );
        // A stride that ends before it starts.
        let m = err(
            Loader::GaitmapIcStrides,
            "s_id,foot,start,end\n0,left,90,9\n",
            &o,
        );
        assert!(m.contains("line 2") && m.contains("after it ends"), "{m}");
        // Voisard JSON: a syntax error with line and column, and a reversed pair.
        let m = err(
            Loader::VoisardJson,
            "{\n \"LeftFootEvents\": [[1, 2],\n",
            &o,
        );
        assert!(m.contains("bad.csv, line "), "{m}");
        let m = err(
            Loader::VoisardJson,
            r#"{"LeftFootEvents": [[5, 2]], "RightFootEvents": []}"#,
            &o,
        );
        assert!(
            m.contains("LeftFootEvents[0]") && m.contains("toe_off <= heel_strike"),
            "{m}"
        );
        // A count that is not a count.
        let m = err(
            Loader::EbbelaarSets,
            "set_id,expected_reps\nS001,five\n",
            &select(|s| s.set_id = Some("S001".into())),
        );
        assert!(m.contains("line 2, column expected_reps (2)"), "{m}");
        // Synthetic labels: the parser's line and column are kept.
        let m = err(
            Loader::DorsiLabels,
            "event,left,initial_contact,,x,,,,,,,,\n",
            &o,
        );
        assert!(m.contains("bad.csv: line 1, column 5"), "{m}");
        // An empty file.
        let m = err(Loader::ExermoteReps, "", &o);
        assert!(m.contains("line 1"), "{m}");
        // A CSV row with an unterminated quote is still a located error or a parse.
        let m = err(
            Loader::MobgapIc,
            "wb_id,time_s,sample,sample_matlab,side\n0,5.05,,505,left\n",
            &o,
        );
        assert!(m.contains("line 2, column sample (3)"), "{m}");
    }

    #[test]
    fn missing_file_is_named() {
        let e = load(
            Loader::EventsCsv,
            Path::new("/nonexistent/events.csv"),
            &LoadOptions::default(),
        );
        let m = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            m.starts_with("/nonexistent/events.csv: cannot read labels"),
            "{m}"
        );
    }
}
