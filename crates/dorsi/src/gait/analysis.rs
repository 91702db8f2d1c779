//! The whole gait analysis of a recording: events, strides, per-stride metrics, foot-drag
//! signs and the per-side verdict, as the `dorsi.gait/1` report.

use serde::Serialize;

use super::drag::{Drag, DragParams, SideSummary};
use super::lowback::is_lower_back_recording;
use super::metrics::{self, FootTrack, MetricParams, StrideMetrics};
use super::{strides, ImuEventDetector, KeypointEventDetector, LowerBackEventDetector};
use crate::detect::{DetectError, DetectedEvent, EventDetector, FootDropClassifier, SideVerdict};
use crate::report::ReportSource;
use crate::Recording;

/// Gait analysis with Dorsi's detectors: foot (or shank) IMUs when the recording has them,
/// a lower-back IMU when that is what it has ([`is_lower_back_recording`]: events and
/// strides, no foot metrics), otherwise heel and toe keypoints or markers.
///
/// [`is_lower_back_recording`]: super::lowback::is_lower_back_recording
///
/// ```
/// use dorsi::gait::GaitAnalyzer;
/// use dorsi::synth::{body::Side, gait::{Walk, WalkParams}, imu};
///
/// let mut params = WalkParams::default();
/// params.severity = [1.0, 0.0]; // the left foot drops
/// let walk = Walk::new(params, 7);
/// let sensors = [imu::Placement::foot(Side::Left), imu::Placement::foot(Side::Right)];
/// let csv = imu::simulate(&walk, &sensors, 100.0, &Default::default(), 7).to_csv();
/// let rec = dorsi::io::read_bytes("walk.csv", csv.as_bytes(), &Default::default()).expect("reads");
///
/// let report = GaitAnalyzer::default().analyze(&rec).expect("foot IMUs");
/// assert_eq!(report.schema, "dorsi.gait/1");
/// let left = report.sides.iter().find(|s| s.side == "left").expect("left side");
/// assert_eq!(left.verdict, dorsi::detect::Verdict::FootDrop);
/// ```
#[derive(Debug, Clone, Default)]
pub struct GaitAnalyzer {
    /// Events from foot IMUs.
    pub imu: ImuEventDetector,
    /// Events from keypoints and markers.
    pub keypoints: KeypointEventDetector,
    /// Events from one lower-back IMU.
    pub lower_back: LowerBackEventDetector,
    /// Per-stride metrics.
    pub metrics: MetricParams,
    /// The foot-drag detector.
    pub drag: DragParams,
}

/// `dorsi gait --json`: the gait analysis of one recording.
#[derive(Debug, Clone, Serialize)]
pub struct GaitReport {
    /// Always `dorsi.gait/1`.
    pub schema: &'static str,
    /// What was analysed.
    pub source: ReportSource,
    /// `gait_imu` or `gait_keypoints`: the event detector used.
    pub detector: String,
    /// Every initial and final contact, in time order.
    pub events: Vec<GaitEvent>,
    /// Every stride with its metrics and foot-drag signs, in time order.
    pub strides: Vec<GaitStride>,
    /// The verdict per side.
    pub sides: Vec<SideSummary>,
    /// Foot pitch and toe height per side, sample by sample (for plots; not serialised).
    #[serde(skip)]
    pub tracks: Vec<FootTrack>,
}

/// One gait event in a [`GaitReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GaitEvent {
    /// `left` or `right` (empty when unknown).
    pub side: String,
    /// `initial_contact` or `final_contact`.
    pub kind: crate::detect::EventKind,
    /// Time on the recording's clock, s.
    pub time_s: f64,
    /// The nearest sample.
    pub sample: usize,
}

/// One stride in a [`GaitReport`]: its metrics and its foot-drag signs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GaitStride {
    /// The metrics.
    #[serde(flatten)]
    pub metrics: StrideMetrics,
    /// The foot-drag signs.
    pub drag: Drag,
}

impl GaitAnalyzer {
    /// The events of a recording from the detector its modality calls for, and that
    /// detector's name.
    pub fn events(&self, rec: &Recording) -> Result<(Vec<DetectedEvent>, &str), DetectError> {
        let has_imu = rec.imus.iter().any(|s| s.gyro_rads.is_some());
        if has_imu && is_lower_back_recording(rec) {
            Ok((self.lower_back.detect_events(rec)?, self.lower_back.name()))
        } else if has_imu {
            Ok((self.imu.detect_events(rec)?, self.imu.name()))
        } else if rec.skeleton.is_some() {
            Ok((self.keypoints.detect_events(rec)?, self.keypoints.name()))
        } else {
            Err(DetectError {
                detector: "gait".into(),
                message: "no gyroscope and no keypoints or markers: gait needs foot IMUs or \
                          heel and toe points"
                    .into(),
            })
        }
    }

    /// Analyse a recording of walking.
    pub fn analyze(&self, rec: &Recording) -> Result<GaitReport, DetectError> {
        let has_imu = rec.imus.iter().any(|s| s.gyro_rads.is_some());
        let (events, detector, tracks) = if has_imu && is_lower_back_recording(rec) {
            // Events and strides; no foot to measure.
            let events = self.lower_back.detect_events(rec)?;
            (events, self.lower_back.name().to_string(), Vec::new())
        } else if has_imu {
            // The rotation axes the detector found serve the foot tracks too.
            let (events, axes) = self.imu.events_and_axes(rec)?;
            let tracks = metrics::imu_tracks_with_axes(rec, &events, &self.metrics, Some(&axes));
            (events, self.imu.name().to_string(), tracks)
        } else {
            let (events, detector) = self.events(rec)?;
            let tracks = metrics::keypoint_tracks(rec, &events);
            (events, detector.to_string(), tracks)
        };
        let all = strides(&events);
        let mut measured: Vec<StrideMetrics> = Vec::new();
        for track in &tracks {
            measured.extend(metrics::stride_metrics(rec, &all, track, &self.metrics));
        }
        // Strides of a side without a track keep their times.
        for s in &all {
            if !tracks.iter().any(|t| t.side == s.side) {
                measured.extend(metrics::stride_metrics(
                    rec,
                    std::slice::from_ref(s),
                    &FootTrack::unknown(s.side.clone(), "", 0),
                    &self.metrics,
                ));
            }
        }
        measured.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let strides: Vec<GaitStride> = measured
            .into_iter()
            .map(|m| GaitStride {
                drag: self.drag.stride(&m),
                metrics: m,
            })
            .collect();
        // The sides, sorted (a few names: no copy of every stride's).
        let mut names: Vec<String> = Vec::new();
        for s in &strides {
            if !names.contains(&s.metrics.side) {
                names.push(s.metrics.side.clone());
            }
        }
        names.sort();
        let of = |side: &str| -> Vec<(&StrideMetrics, &Drag)> {
            strides
                .iter()
                .filter(|s| s.metrics.side == side)
                .map(|s| (&s.metrics, &s.drag))
                .collect()
        };
        let medians: Vec<(String, super::drag::Medians)> = names
            .iter()
            .map(|n| {
                let mine = of(n);
                let m: Vec<&StrideMetrics> = mine.iter().map(|(s, _)| *s).collect();
                (n.clone(), super::drag::Medians::of(&m))
            })
            .collect();
        let sides = names
            .iter()
            .zip(&medians)
            .map(|(n, (_, mine))| {
                let other = medians.iter().find(|(m, _)| m != n).map(|(_, m)| m);
                let other = if n.is_empty() { None } else { other };
                self.drag.side_with_medians(n, &of(n), mine.clone(), other)
            })
            .collect();
        // The detector's events are not needed after this: their side names move over.
        let events = events
            .into_iter()
            .map(|e| GaitEvent {
                side: e.side.unwrap_or_default(),
                kind: e.kind,
                time_s: e.time_s,
                sample: rec.sample_at(e.time_s),
            })
            .collect();
        Ok(GaitReport {
            schema: "dorsi.gait/1",
            source: ReportSource::new(rec),
            detector,
            events,
            strides,
            sides,
            tracks,
        })
    }
}

impl FootDropClassifier for GaitAnalyzer {
    fn name(&self) -> &str {
        "foot_drag"
    }

    fn classify_sides(&self, rec: &Recording) -> Result<Vec<SideVerdict>, DetectError> {
        Ok(self
            .analyze(rec)?
            .sides
            .into_iter()
            .map(|s| SideVerdict {
                side: s.side,
                verdict: s.verdict,
            })
            .collect())
    }
}
