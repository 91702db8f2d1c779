//! Running benchmarks: each manifest entry's recording is read, its detector run, and the
//! result scored against the entry's ground truth; synthetic suites are generated from their
//! seeds and scored the same way. Parallelism and progress display are the caller's (the CLI
//! runs entries on a thread pool): every function here works on one item.
//!
//! Gait events are matched per side and kind (a left initial contact never matches a right
//! one), then pooled over the sides. Labels that cover only some walking bouts (and say so)
//! are scored inside those bouts.

use std::time::Instant;

use serde::Serialize;

use super::classify::{pool_classifications, score_classification, ClassificationScore};
use super::events::{
    pool_events, pool_strides, EventScore, EventScorer, PooledEventScore, StrideScore,
};
use super::manifest::{Detector, Entry, Suite, SuiteKind, SynthModality, Task};
use super::reps::{pool_reps, PooledRepScore, RepInterval, RepScore, RepScorer};
use super::truth::{self, LoadOptions, Loader, Truth};
use crate::detect::{
    DetectedEvent, DetectedRep, EventDetector, EventKind, FootDropClassifier, RepSegmenter,
    SideVerdict, Verdict,
};
use crate::io::ReadOptions;
use crate::Recording;

/// What happened to one benchmark item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum Status {
    /// Detected and scored.
    Scored,
    /// Dorsi has no detector for this task and modality yet.
    NoDetector(String),
    /// The recording, the labels or the detector failed; the message says which.
    Failed(String),
}

/// The scores of one kind of gait event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindScore {
    /// The event kind.
    pub kind: &'static str,
    /// Pooled over the sides.
    pub score: PooledEventScore,
    /// Per side (for pooling over recordings).
    #[serde(skip)]
    pub per_side: Vec<EventScore>,
    /// Per side, for strides (for pooling over recordings).
    #[serde(skip)]
    pub per_side_strides: Vec<StrideScore>,
}

/// The outcome of one manifest entry or one synthetic recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Entry name (suites: `<suite>/severity <s>/seed <n>`).
    pub name: String,
    /// The dataset it belongs to (the entry name, or the suite name and case).
    pub dataset: String,
    /// The task.
    pub task: String,
    /// The detector.
    pub detector: String,
    /// What happened.
    #[serde(flatten)]
    pub status: Status,
    /// Samples in the recording.
    pub samples: usize,
    /// Time the detector took, s.
    pub detect_s: f64,
    /// Gait-event scores, one per kind.
    pub events: Vec<KindScore>,
    /// Stride scores (both borders within the tolerance), per side; pooled over sides.
    pub strides: Option<KindScore>,
    /// Repetition scores (reps task).
    pub reps: Option<RepScore>,
    /// Per-side foot-drop verdicts against the labels (foot_drop task, or any entry whose
    /// labels say which sides have foot drop, when a classifier ran).
    pub sides: Option<ClassificationScore>,
}

/// Scores pooled over the recordings of one dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetScore {
    /// The dataset.
    pub dataset: String,
    /// The task.
    pub task: String,
    /// The detector.
    pub detector: String,
    /// Recordings scored.
    pub scored: usize,
    /// Recordings with no detector or a failure.
    pub not_scored: usize,
    /// Gait-event scores per kind, pooled over sides and recordings.
    pub events: Vec<KindScore>,
    /// Stride scores pooled over sides and recordings.
    pub strides: Option<KindScore>,
    /// Repetition scores pooled over the recordings.
    pub reps: Option<PooledRepScore>,
    /// Per-side verdicts pooled over the recordings.
    pub sides: Option<ClassificationScore>,
    /// Samples per second of detection over the dataset.
    pub samples_per_s: Option<f64>,
}

/// Pool outcomes by dataset, in the order datasets first appear.
pub fn pool_by_dataset(outcomes: &[Outcome]) -> Vec<DatasetScore> {
    let mut names: Vec<&str> = Vec::new();
    for o in outcomes {
        if !names.contains(&o.dataset.as_str()) {
            names.push(&o.dataset);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let mine: Vec<&Outcome> = outcomes.iter().filter(|o| o.dataset == name).collect();
            let scored: Vec<&&Outcome> =
                mine.iter().filter(|o| o.status == Status::Scored).collect();
            let mut events = Vec::new();
            for kind in [EventKind::InitialContact, EventKind::FinalContact] {
                let per_side: Vec<EventScore> = scored
                    .iter()
                    .flat_map(|o| o.events.iter().filter(|k| k.kind == kind.name()))
                    .flat_map(|k| k.per_side.iter().cloned())
                    .collect();
                if let (false, Ok(score)) = (per_side.is_empty(), pool_events(&per_side)) {
                    events.push(KindScore {
                        kind: kind.name(),
                        score,
                        per_side: Vec::new(),
                        per_side_strides: Vec::new(),
                    });
                }
            }
            let stride_scores: Vec<StrideScore> = scored
                .iter()
                .filter_map(|o| o.strides.as_ref())
                .flat_map(|k| k.per_side_strides.iter().cloned())
                .collect();
            let strides = (!stride_scores.is_empty())
                .then(|| pool_strides(&stride_scores).ok())
                .flatten()
                .map(|score| KindScore {
                    kind: "stride",
                    score,
                    per_side: Vec::new(),
                    per_side_strides: Vec::new(),
                });
            let rep_scores: Vec<RepScore> = scored.iter().filter_map(|o| o.reps.clone()).collect();
            let side_scores: Vec<ClassificationScore> =
                scored.iter().filter_map(|o| o.sides).collect();
            let samples: usize = scored.iter().map(|o| o.samples).sum();
            let secs: f64 = scored.iter().map(|o| o.detect_s).sum();
            DatasetScore {
                dataset: name.to_string(),
                task: mine.first().map(|o| o.task.clone()).unwrap_or_default(),
                detector: mine.first().map(|o| o.detector.clone()).unwrap_or_default(),
                scored: scored.len(),
                not_scored: mine.len() - scored.len(),
                events,
                strides,
                reps: (!rep_scores.is_empty())
                    .then(|| pool_reps(&rep_scores).ok())
                    .flatten(),
                sides: (!side_scores.is_empty()).then(|| pool_classifications(&side_scores)),
                samples_per_s: (secs > 0.0).then(|| samples as f64 / secs),
            }
        })
        .collect()
}

impl Outcome {
    fn new(name: String, dataset: String, task: Task, detector: Detector) -> Self {
        Outcome {
            name,
            dataset,
            task: task.name().into(),
            detector: detector.name().into(),
            status: Status::Scored,
            samples: 0,
            detect_s: 0.0,
            events: Vec::new(),
            strides: None,
            reps: None,
            sides: None,
        }
    }

    fn failed(mut self, why: impl std::fmt::Display) -> Self {
        self.status = Status::Failed(why.to_string());
        self
    }

    /// Samples per second of detection (`None` before anything ran).
    pub fn samples_per_s(&self) -> Option<f64> {
        (self.detect_s > 0.0).then(|| self.samples as f64 / self.detect_s)
    }
}

/// The detectors to run on an item. [`Detectors::builtin`] gives Dorsi's own for a manifest's
/// task and detector name; a user fills the fields with theirs to be scored the same way.
#[derive(Default)]
pub struct Detectors {
    /// Gait events.
    pub events: Option<Box<dyn EventDetector>>,
    /// Repetitions.
    pub reps: Option<Box<dyn RepSegmenter>>,
    /// Per-side foot-drop verdicts.
    pub foot_drop: Option<Box<dyn FootDropClassifier>>,
}

impl Detectors {
    /// Dorsi's detectors for a task and detector name (none where Dorsi has none yet).
    pub fn builtin(task: Task, detector: Detector) -> Self {
        let mut d = Detectors::default();
        match (task, detector) {
            (Task::GaitEvents, Detector::GaitImu) => {
                d.events = Some(Box::new(crate::gait::ImuEventDetector::default()));
                d.foot_drop = Some(Box::new(crate::gait::GaitAnalyzer::default()));
            }
            (Task::GaitEvents, Detector::GaitKeypoints) => {
                d.events = Some(Box::new(crate::gait::KeypointEventDetector::default()));
                d.foot_drop = Some(Box::new(crate::gait::GaitAnalyzer::default()));
            }
            (Task::GaitEvents, Detector::GaitLowerback) => {
                d.events = Some(Box::new(crate::gait::LowerBackEventDetector::default()));
            }
            (Task::FootDrop, Detector::GaitImu | Detector::GaitKeypoints) => {
                d.foot_drop = Some(Box::new(crate::gait::GaitAnalyzer::default()));
            }
            (Task::Reps, Detector::Reps) => {
                d.reps = Some(Box::new(crate::reps::RepAnalyzer::default()));
            }
            _ => {}
        }
        d
    }

    /// Whether there is a detector for the task.
    pub fn covers(&self, task: Task) -> bool {
        match task {
            Task::GaitEvents => self.events.is_some(),
            Task::Reps => self.reps.is_some(),
            Task::FootDrop => self.foot_drop.is_some(),
        }
    }
}

/// The event detector Dorsi has for a task and detector name, if any.
pub fn event_detector(task: Task, detector: Detector) -> Option<Box<dyn EventDetector>> {
    Detectors::builtin(task, detector).events
}

/// Score detected strides against the labelled ones, per side (both borders within the
/// tolerance), pooled over the sides; `None` without labelled strides.
pub fn score_strides(
    detected: &[crate::gait::Stride],
    truth: &Truth,
    scorer: &EventScorer,
) -> Result<Option<KindScore>, super::ScoreError> {
    let mut sides: Vec<Option<String>> = truth.strides.iter().map(|s| s.side.clone()).collect();
    sides.sort();
    sides.dedup();
    let mut per_side = Vec::new();
    for side in &sides {
        let reference: Vec<(f64, f64)> = truth
            .strides
            .iter()
            .filter(|s| &s.side == side)
            .map(|s| (s.start_s, s.end_s))
            .collect();
        let found: Vec<(f64, f64)> = detected
            .iter()
            .filter(|s| side.is_none() || &s.side == side)
            .map(|s| (s.start_s, s.end_s))
            .collect();
        if !truth.bouts.is_empty() {
            for b in &truth.bouts {
                per_side.push(scorer.score_strides(
                    &reference,
                    &found,
                    Some((b.start_s, b.end_s)),
                )?);
            }
        } else {
            per_side.push(scorer.score_strides(&reference, &found, truth.span_s)?);
        }
    }
    if per_side.is_empty() {
        return Ok(None);
    }
    Ok(Some(KindScore {
        kind: "stride",
        score: pool_strides(&per_side)?,
        per_side: Vec::new(),
        per_side_strides: per_side,
    }))
}

/// Score detected repetitions against the truth: intervals (IoU matching, hold error) when
/// the labels have them, otherwise the count; and each labelled set's count when the labels
/// have two sets or more.
pub fn score_reps(
    detected: &[DetectedRep],
    truth: &Truth,
    scorer: &RepScorer,
) -> Result<RepScore, super::ScoreError> {
    let found: Vec<RepInterval> = detected
        .iter()
        .map(|r| RepInterval::new(r.start_s, r.end_s).with_hold_s(r.hold_s))
        .collect();
    let sets: Vec<(f64, f64, usize)> = truth
        .bouts
        .iter()
        .filter_map(|b| b.count.map(|c| (b.start_s, b.end_s, c as usize)))
        .collect();
    let score = if truth.reps.is_empty() {
        scorer.score_count(truth.count.unwrap_or(0) as usize, detected.len())
    } else {
        let reference: Vec<RepInterval> = truth
            .reps
            .iter()
            .map(|r| {
                let iv = RepInterval::new(r.start_s, r.end_s);
                match r.hold_s {
                    Some(h) => iv.with_hold_s(h),
                    None => iv,
                }
            })
            .collect();
        scorer.score(&reference, &found)?
    };
    Ok(score.with_sets(&sets, &found))
}

/// Score per-side verdicts against the labelled sides: foot drop is the positive class, an
/// inconclusive or missing verdict is counted as inconclusive.
pub fn score_sides(verdicts: &[SideVerdict], truth: &Truth) -> ClassificationScore {
    let pairs: Vec<(Option<bool>, bool)> = truth
        .sides
        .iter()
        .map(|t| {
            let predicted =
                verdicts
                    .iter()
                    .find(|v| v.side == t.side)
                    .and_then(|v| match v.verdict {
                        Verdict::FootDrop => Some(true),
                        Verdict::Normal => Some(false),
                        Verdict::Inconclusive => None,
                    });
            (predicted, t.foot_drop)
        })
        .collect();
    score_classification(&pairs)
}

/// Score detected events against the truth: per side and kind, pooled over sides.
pub fn score_events(
    detected: &[DetectedEvent],
    truth: &Truth,
    scorer: &EventScorer,
) -> Result<Vec<KindScore>, super::ScoreError> {
    let mut out = Vec::new();
    for kind in [EventKind::InitialContact, EventKind::FinalContact] {
        let mut sides: Vec<Option<String>> = truth
            .events
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.side.clone())
            .collect();
        sides.sort();
        sides.dedup();
        if sides.is_empty() {
            continue;
        }
        let mut per_side = Vec::new();
        for side in &sides {
            let reference: Vec<f64> = truth
                .events
                .iter()
                .filter(|e| e.kind == kind && &e.side == side)
                .map(|e| e.time_s)
                .collect();
            // Without a side in the truth, every detection of the kind counts.
            let found: Vec<f64> = detected
                .iter()
                .filter(|d| d.kind == kind && (side.is_none() || &d.side == side))
                .map(|d| d.time_s)
                .collect();
            // Labels that cover walking bouts only are scored bout by bout: detections
            // between bouts (turns, standing) are neither hits nor false alarms.
            if !truth.bouts.is_empty() {
                for b in &truth.bouts {
                    per_side.push(scorer.score(&reference, &found, Some((b.start_s, b.end_s)))?);
                }
            } else {
                per_side.push(scorer.score(&reference, &found, truth.span_s)?);
            }
        }
        out.push(KindScore {
            kind: kind.name(),
            score: pool_events(&per_side)?,
            per_side,
            per_side_strides: Vec::new(),
        });
    }
    Ok(out)
}

/// Run the item's detectors on a recording and score what they find.
fn detect_and_score(
    mut out: Outcome,
    rec: &Recording,
    truth: &Truth,
    detectors: &Detectors,
    settings: &Settings,
) -> Outcome {
    out.samples = rec.n_samples;
    let t0 = Instant::now();
    if let Some(detector) = &detectors.events {
        let mut detected = match detector.detect_events(rec) {
            Ok(d) => d,
            Err(e) => return out.failed(e),
        };
        // A file of one foot (the entry says which) gives events of that side.
        if let Some(side) = &settings.side {
            for d in detected.iter_mut().filter(|d| d.side.is_none()) {
                d.side = Some(side.clone());
            }
        }
        match score_events(&detected, truth, &settings.events) {
            Ok(events) => out.events = events,
            Err(e) => return out.failed(e),
        }
        if !truth.strides.is_empty() {
            match score_strides(&crate::gait::strides(&detected), truth, &settings.events) {
                Ok(s) => out.strides = s,
                Err(e) => return out.failed(e),
            }
        }
    }
    if let Some(segmenter) = &detectors.reps {
        let exercise = settings.exercise.as_deref().unwrap_or("auto");
        let detected = match segmenter.segment_reps(rec, exercise) {
            Ok(d) => d,
            Err(e) => return out.failed(e),
        };
        match score_reps(&detected, truth, &RepScorer::default()) {
            Ok(r) => out.reps = Some(r),
            Err(e) => return out.failed(e),
        }
    }
    if let (Some(classifier), false) = (&detectors.foot_drop, truth.sides.is_empty()) {
        match classifier.classify_sides(rec) {
            Ok(mut v) => {
                // A file of one foot (the entry says which) gives that side's verdict.
                if let Some(side) = &settings.side {
                    for s in v.iter_mut().filter(|s| s.side.is_empty()) {
                        s.side = side.clone();
                    }
                }
                out.sides = Some(score_sides(&v, truth))
            }
            Err(e) => return out.failed(e),
        }
    }
    out.detect_s = t0.elapsed().as_secs_f64();
    out
}

/// How one item is scored.
struct Settings {
    events: EventScorer,
    side: Option<String>,
    exercise: Option<String>,
}

fn scorer(tolerances_s: &Option<Vec<f64>>) -> EventScorer {
    tolerances_s
        .clone()
        .map(|t| EventScorer { tolerances_s: t })
        .unwrap_or_default()
}

/// Read an entry's recording: its files as one recording, or, with `concat`, each file on
/// its own joined on one time axis ([`super::concat`]); then only the entry's `sensor` (its
/// IMU) or `signal` (that signal alone) is kept, so any detector analyses what the entry
/// names.
pub fn read_entry(entry: &Entry) -> Result<Recording, String> {
    let mut rec = if entry.concat {
        let mut pieces = Vec::with_capacity(entry.files.len());
        for f in &entry.files {
            pieces.push(crate::io::read(&[f], &entry.read).map_err(|e| e.to_string())?);
        }
        super::concat::concat_recordings(pieces, entry.offsets_s.as_deref())?
    } else {
        crate::io::read(&entry.files, &entry.read).map_err(|e| e.to_string())?
    };
    if let Some(sensor) = &entry.sensor {
        if rec.imu(sensor).is_none() {
            let names: Vec<&str> = rec.imus.iter().map(|i| i.name.as_str()).collect();
            return Err(format!(
                "no IMU named {sensor} (IMUs: {})",
                names.join(", ")
            ));
        }
        rec.imus.retain(|i| &i.name == sensor);
    }
    if let Some(signal) = &entry.signal {
        if rec.signal(signal).is_none() {
            return Err(format!("no signal named {signal}"));
        }
        rec.signals.retain(|s| &s.name == signal);
        rec.imus.clear();
        rec.skeleton = None;
    }
    Ok(rec)
}

/// Run one manifest entry with Dorsi's detectors.
pub fn run_entry(entry: &Entry) -> Outcome {
    run_entry_with(entry, &Detectors::builtin(entry.task, entry.detector))
}

/// Run one manifest entry with the given detectors.
pub fn run_entry_with(entry: &Entry, detectors: &Detectors) -> Outcome {
    let mut out = Outcome::new(
        entry.name.clone(),
        entry.dataset.clone(),
        entry.task,
        entry.detector,
    );
    if !detectors.covers(entry.task) {
        out.status = Status::NoDetector(format!(
            "Dorsi has no {} detector for {} yet",
            entry.detector.name(),
            entry.task.name()
        ));
        return out;
    }
    let rec = match read_entry(entry) {
        Ok(r) => r,
        Err(e) => return out.failed(format!("entry {}: {e}", entry.name)),
    };
    let mut truth = match entry.load_truth() {
        Ok(t) => t,
        Err(e) => return out.failed(format!("entry {}: {e}", entry.name)),
    };
    // A file of one foot is scored against that foot's labels only.
    if let Some(side) = &entry.side {
        truth
            .events
            .retain(|e| e.side.is_none() || e.side.as_ref() == Some(side));
        truth
            .strides
            .retain(|s| s.side.is_none() || s.side.as_ref() == Some(side));
    }
    let settings = Settings {
        events: scorer(&entry.tolerances_s),
        side: entry.side.clone(),
        exercise: entry.exercise.clone(),
    };
    detect_and_score(out, &rec, &truth, detectors, &settings)
}

/// One recording of a synthetic suite: the case (severity index) and the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuiteItem {
    /// Index into the suite's severities (0 for exercise suites).
    pub case: usize,
    /// The seed.
    pub seed: u64,
}

/// The recordings a suite generates.
pub fn suite_items(suite: &Suite) -> Vec<SuiteItem> {
    let cases = match suite.kind {
        SuiteKind::Gait => suite.severity.len().max(1),
        _ => 1,
    };
    (0..cases)
        .flat_map(|case| {
            suite
                .seeds
                .clone()
                .map(move |seed| SuiteItem { case, seed })
        })
        .collect()
}

/// Generate and score one recording of a synthetic suite.
pub fn run_suite_item(suite: &Suite, item: SuiteItem) -> Outcome {
    use crate::synth::{
        body::{Segment, Side},
        gait, imu,
    };
    let severity = suite.severity.get(item.case).copied().unwrap_or(0.0);
    let dataset = match suite.kind {
        SuiteKind::Gait => format!("{} (severity {severity})", suite.name),
        _ => suite.name.clone(),
    };
    let mut out = Outcome::new(
        format!("{dataset} seed {}", item.seed),
        dataset,
        suite.task,
        suite.detector,
    );
    let detectors = Detectors::builtin(suite.task, suite.detector);
    if !detectors.covers(suite.task) {
        out.status = Status::NoDetector(format!(
            "Dorsi has no {} detector for synthetic {:?} {:?} yet",
            suite.detector.name(),
            suite.kind,
            suite.modality
        ));
        return out;
    }
    if suite.kind == SuiteKind::Exercise {
        return run_exercise_item(suite, item, out, &detectors);
    }
    let affected = if suite.affected_side == "right" { 1 } else { 0 };
    let mut params = gait::WalkParams::default();
    params.severity[affected] = severity;
    if let Some(d) = suite.duration_s {
        params.duration_s = d;
    }
    let walk = gait::Walk::new(params, item.seed);
    let (name, data) = match suite.modality {
        SynthModality::Imu => {
            let place = match suite.segment {
                Segment::Shank => imu::Placement::shank,
                _ => imu::Placement::foot,
            };
            let sensors = [place(Side::Left), place(Side::Right)];
            let rec = imu::simulate(&walk, &sensors, 100.0, &Default::default(), item.seed);
            ("synthetic.csv", rec.to_csv())
        }
        SynthModality::Keypoints => {
            use crate::synth::keypoints::{simulate_keypoints, Camera, KeypointNoise};
            let camera = Camera::beside(&walk);
            let video =
                simulate_keypoints(&walk, &camera, 30.0, &KeypointNoise::default(), item.seed);
            ("synthetic_mediapipe.csv", video.to_mediapipe_image_csv())
        }
    };
    let rec = match crate::io::read_bytes(name, data.as_bytes(), &ReadOptions::default()) {
        Ok(r) => r,
        Err(e) => return out.failed(e),
    };
    let labels = walk.labels().to_csv();
    let truth = match truth::load_str(
        Loader::DorsiLabels,
        "synthetic.labels.csv",
        &labels,
        &LoadOptions::default(),
    ) {
        Ok(t) => t,
        Err(e) => return out.failed(e),
    };
    let settings = Settings {
        events: scorer(&suite.tolerances_s),
        side: None,
        exercise: None,
    };
    detect_and_score(out, &rec, &truth, &detectors, &settings)
}

/// One synthetic exercise session: the programme's prescription and a typical performance
/// (`ExerciseParams::new`) on the right foot (the camera's side), an IMU on that foot at
/// 100 Hz or MediaPipe image keypoints at 30 Hz from a camera beside the body.
fn run_exercise_item(
    suite: &Suite,
    item: SuiteItem,
    out: Outcome,
    detectors: &Detectors,
) -> Outcome {
    use crate::synth::exercise::{generate, ExerciseParams};
    use crate::synth::{body::Side, imu};
    let Some(exercise) = suite.exercise else {
        return out.failed(format!("suite {}: no exercise", suite.name));
    };
    let mut params = ExerciseParams::new(exercise);
    params.side = Side::Right;
    let (session, labels) = generate(&params, item.seed);
    let (name, data) = match suite.modality {
        SynthModality::Imu => {
            let sensors = [imu::Placement::foot(params.side)];
            let rec = imu::simulate(&session, &sensors, 100.0, &Default::default(), item.seed);
            ("synthetic.csv", rec.to_csv())
        }
        SynthModality::Keypoints => {
            use crate::synth::keypoints::{
                simulate_keypoints, Camera, KeypointNoise, DEFAULT_VIDEO_RATE_HZ,
            };
            let camera = Camera::beside(&session);
            let video = simulate_keypoints(
                &session,
                &camera,
                DEFAULT_VIDEO_RATE_HZ,
                &KeypointNoise::default(),
                item.seed,
            );
            ("synthetic_mediapipe.csv", video.to_mediapipe_image_csv())
        }
    };
    let rec = match crate::io::read_bytes(name, data.as_bytes(), &ReadOptions::default()) {
        Ok(r) => r,
        Err(e) => return out.failed(e),
    };
    let truth = match truth::load_str(
        Loader::DorsiLabels,
        "synthetic.labels.csv",
        &labels.to_csv(),
        &LoadOptions::default(),
    ) {
        Ok(t) => t,
        Err(e) => return out.failed(e),
    };
    let settings = Settings {
        events: scorer(&suite.tolerances_s),
        side: None,
        exercise: Some(exercise.name().to_string()),
    };
    detect_and_score(out, &rec, &truth, detectors, &settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(score: &KindScore, tolerance_s: f64) -> f64 {
        score
            .score
            .per_tolerance
            .iter()
            .find(|m| (m.tolerance_s - tolerance_s).abs() < 1e-12)
            .map(|m| m.detection.f1)
            .unwrap_or(f64::NAN)
    }

    #[test]
    fn events_are_matched_per_side() {
        let truth = Truth {
            events: vec![
                truth::TruthEvent {
                    side: Some("left".into()),
                    kind: truth::EventKind::InitialContact,
                    time_s: 1.0,
                },
                truth::TruthEvent {
                    side: Some("right".into()),
                    kind: truth::EventKind::InitialContact,
                    time_s: 1.5,
                },
            ],
            ..Default::default()
        };
        let ic = |side: &str, t: f64| DetectedEvent {
            side: Some(side.into()),
            kind: EventKind::InitialContact,
            time_s: t,
        };
        // The right detection at 1.01 s must not take the left reference at 1.0 s.
        let detected = [ic("right", 1.01), ic("right", 1.5)];
        let s = score_events(&detected, &truth, &EventScorer::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.len(), 1);
        // Left: 1 FN. Right: 1 TP, 1 FP. Pooled micro F1 = 2·1 / (2·1 + 1 + 1) = 0.5.
        assert_eq!(at(&s[0], 0.05), 0.5);
    }

    #[test]
    fn reps_are_scored_by_intervals_or_by_count() {
        let rep = |a: f64, b: f64| DetectedRep {
            start_s: a,
            peak_s: (a + b) / 2.0,
            end_s: b,
            hold_s: 0.0,
        };
        let truth = Truth {
            reps: vec![
                truth::TruthRep {
                    start_s: 0.0,
                    end_s: 2.0,
                    peak_s: None,
                    hold_s: None,
                    complete: None,
                },
                truth::TruthRep {
                    start_s: 3.0,
                    end_s: 5.0,
                    peak_s: None,
                    hold_s: None,
                    complete: None,
                },
            ],
            ..Default::default()
        };
        // IoU 1.0 and 0.5 (3–4 against 3–5): both match at the default 0.5.
        let s = score_reps(
            &[rep(0.0, 2.0), rep(3.0, 4.0)],
            &truth,
            &RepScorer::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let iv = s.intervals.expect("intervals");
        assert_eq!(iv.detection.true_positives, 2);
        assert_eq!(iv.mean_iou_matched, Some(0.75));
        // Count-only truth: 10 reps, 9 found.
        let counted = Truth {
            count: Some(10),
            ..Default::default()
        };
        let found: Vec<DetectedRep> = (0..9).map(|i| rep(i as f64, i as f64 + 0.5)).collect();
        let s =
            score_reps(&found, &counted, &RepScorer::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.reference_count, s.count_error), (10, -1));
        assert!(s.intervals.is_none());
    }

    #[test]
    fn side_verdicts_against_labels() {
        let truth = Truth {
            sides: vec![
                truth::TruthSide {
                    side: "left".into(),
                    foot_drop: true,
                },
                truth::TruthSide {
                    side: "right".into(),
                    foot_drop: false,
                },
            ],
            ..Default::default()
        };
        let v = |side: &str, verdict| SideVerdict {
            side: side.into(),
            verdict,
        };
        let s = score_sides(
            &[
                v("left", Verdict::FootDrop),
                v("right", Verdict::Inconclusive),
            ],
            &truth,
        );
        // Left: a true positive. Right: inconclusive, outside the matrix.
        assert_eq!((s.counts.true_positives, s.inconclusive), (1, 1));
        assert_eq!(s.sensitivity, Some(1.0));
        assert_eq!(s.specificity, None);
    }
}
