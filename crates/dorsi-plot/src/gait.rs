//! The gait plot: the verdict per side with its reasons, foot pitch (and toe height and
//! ankle angle when measured) over time with the gait events and the flagged strides, and
//! the per-stride metrics against healthy ranges.

use std::path::Path;

use dorsi::detect::{EventKind, Verdict};
use dorsi::gait::drag::DragParams;
use dorsi::gait::metrics::FootTrack;
use dorsi::gait::{GaitReport, GaitStride};
use dorsi::{Modality, Recording};
use plotters::coord::Shift;
use plotters::element::{Cross, TriangleMarker};
use plotters::prelude::{
    ChartBuilder, Circle, Color, DrawingArea, DrawingBackend, LineSeries, PathElement, RGBColor,
    Rectangle, TextStyle, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::decimate::{decimate, runs};
use crate::draw::{
    decimals_for, fit_text, font, format_tick, render_error, text_width, tick_step, AXIS, GRID,
    GRID_LIGHT, INK, LEFT_MARGIN_PX, MUTED, RIGHT_MARGIN_PX, Y_AREA_PX,
};
use crate::legend::{draw_keys, draw_strip, Key, TEXT_X};
use crate::output::{check_not_input, write_image, Draw, ImageFormat};
use crate::trace::{check_recording, file_label, format_duration, format_rate};
use crate::PlotError;

/// Width of the figure, px.
const WIDTH_PX: u32 = 1600;
/// Recordings longer than this show a window in detail and the whole in an overview, s.
const WHOLE_MAX_S: f64 = 25.0;
/// Length of the detailed window of a long recording, s.
const WINDOW_S: f64 = 20.0;

/// Heights, px.
const TITLE_BLOCK_PX: i32 = 62;
const SIDE_ROW_PX: i32 = 30;
const REASON_LINE_PX: i32 = 19;
const SIDE_GAP_PX: i32 = 8;
const MAX_REASON_LINES: usize = 3;
const SECTION_PX: i32 = 34;
const PITCH_PANEL_PX: i32 = 230;
const OTHER_PANEL_PX: i32 = 185;
const OVERVIEW_PANEL_PX: i32 = 150;
const METRIC_PANEL_PX: i32 = 250;
const MESSAGE_PX: i32 = 60;
const BOTTOM_PX: i32 = 10;
/// The title-and-legend line above each chart, px.
const STRIP_PX: i32 = 26;
/// The x-axis labels under each chart, px.
const X_AREA_PX: u32 = 40;
/// Side colours, used for every line, dot and tint of that side (Okabe–Ito blue and
/// vermillion; a foot without a side is dark grey).
const LEFT: RGBColor = RGBColor(0, 114, 178);
const RIGHT: RGBColor = RGBColor(213, 94, 0);
const NO_SIDE: RGBColor = RGBColor(80, 80, 80);
/// Verdict badges.
const FOOT_DROP: RGBColor = RGBColor(178, 24, 43);
const NORMAL: RGBColor = RGBColor(26, 128, 60);
const INCONCLUSIVE: RGBColor = RGBColor(120, 120, 120);
/// Opacity of the tint of flagged strides.
const FLAG_ALPHA: f64 = 0.13;
/// Stretches without data.
const GAP: RGBColor = RGBColor(215, 215, 215);
/// Healthy ranges.
const HEALTHY: RGBColor = RGBColor(0, 158, 115);
/// The detector's limits.
const LIMIT: RGBColor = RGBColor(178, 24, 43);

/// Healthy foot-strike angle with markers, degrees (DESIGN.md).
const HEALTHY_STRIKE_DEG: (f64, f64) = (20.0, 28.0);
/// Healthy minimum toe clearance, 13 ± 4 mm (DESIGN.md), mm.
const HEALTHY_MTC_MM: (f64, f64) = (9.0, 17.0);

/// Draws a gait analysis and writes it to `path`: a header with the file and, per side, the
/// verdict (coloured), its confidence, the number of flagged strides, the medians and the
/// reasons; foot pitch over time per side (left blue, right vermillion throughout), with
/// initial contacts (dots) and final contacts (triangles) and the flagged strides shaded,
/// plus toe height and ankle angle when the recording gives them; and the per-stride
/// foot-strike angle, late-swing foot pitch, minimum toe clearance and stride time of each
/// side against healthy ranges and the detector's limits.
///
/// Recordings longer than 25 s show a 20 s window in detail (the one with the most flagged
/// strides, else the most strides) under an overview of the whole recording; the per-stride
/// panels always cover the whole recording. A recording without strides or without a
/// measurable foot pitch gets a message in place of the missing panels.
///
/// The format comes from the extension (`.png` or `.svg`, any case); the file is written
/// atomically and never over one of the recording's input files. The image is 1600 px wide.
///
/// # Errors
///
/// [`PlotError::UnsupportedFormat`] for another extension, [`PlotError::OverwritesInput`],
/// [`PlotError::InvalidRecording`] for a recording without samples or with a bad sampling
/// rate, [`PlotError::Io`] when the file cannot be written.
pub fn plot_gait(rec: &Recording, report: &GaitReport, path: &Path) -> Result<(), PlotError> {
    let format = ImageFormat::from_path(path)?;
    check_not_input(path, &rec.source.files)?;
    check_recording(rec)?;
    crate::register_fonts()?;
    let fig = GaitFigure::new(rec, report);
    let height = fig.height_px().max(200) as u32;
    write_image(path, format, (WIDTH_PX, height), &fig)
}

/// The colour of a side.
fn side_colour(side: &str) -> RGBColor {
    match side {
        "left" => LEFT,
        "right" => RIGHT,
        _ => NO_SIDE,
    }
}

/// `left` -> `Left`, `` -> `Foot`.
fn side_title(side: &str) -> String {
    let mut chars = side.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Foot (side unknown)".into(),
    }
}

/// The order sides are drawn in: left, right, then any others.
fn side_rank(side: &str) -> (u8, String) {
    match side {
        "left" => (0, String::new()),
        "right" => (1, String::new()),
        other => (2, other.to_string()),
    }
}

/// One side's line in the header.
struct SideRow {
    side: String,
    verdict: Option<Verdict>,
    /// `confidence 0.65 · 6 of 7 strides flagged · medians: ...`
    facts: String,
    reasons: String,
}

/// One line of a time panel.
struct Line {
    colour: RGBColor,
    points: Vec<(f64, f64)>,
}

/// A gait event as drawn on a time panel: at the track's value, or at the bottom of the
/// chart when the track has none there.
struct Marker {
    time_s: f64,
    value: Option<f64>,
    colour: RGBColor,
    kind: EventKind,
}

/// A panel over time.
struct TimePanel {
    title: String,
    y_desc: String,
    height_px: i32,
    x_range: (f64, f64),
    y_range: (f64, f64),
    lines: Vec<Line>,
    markers: Vec<Marker>,
    /// Flagged strides to shade: `(start s, end s, side colour)`.
    flagged: Vec<(f64, f64, RGBColor)>,
    keys: Vec<(Key, String)>,
    /// The detailed window, framed on the overview.
    frame: Option<(f64, f64)>,
    /// Shown instead of lines when there are none.
    empty_message: String,
}

/// A panel of one metric per stride.
struct MetricPanel {
    title: String,
    y_desc: String,
    /// `(side colour, stride start s, value)`.
    dots: Vec<(RGBColor, f64, f64)>,
    /// Swings without a clearance minimum: `(side colour, stride start s)`.
    crosses: Vec<(RGBColor, f64)>,
    band: Option<(f64, f64, String)>,
    limit: Option<(f64, String)>,
    /// The smallest y span shown, so small differences do not look large.
    min_span: f64,
}

/// Everything the gait figure draws, prepared.
struct GaitFigure {
    title: String,
    subtitle: String,
    sides: Vec<SideRow>,
    t0: f64,
    t1: f64,
    time_panels: Vec<TimePanel>,
    /// Stretches of the recording without data: `(start s, end s)`.
    gaps: Vec<(f64, f64)>,
    metric_panels: Vec<MetricPanel>,
    /// Why there are no metric panels.
    metrics_message: Option<String>,
    /// Side names and colours present, for the metric legend.
    side_keys: Vec<(String, RGBColor)>,
    /// Whether the legend needs the "no clearance minimum" cross.
    has_crosses: bool,
}

fn verdict_text(v: Verdict) -> &'static str {
    match v {
        Verdict::Normal => "normal",
        Verdict::FootDrop => "FOOT DROP",
        Verdict::Inconclusive => "inconclusive",
    }
}

fn verdict_colour(v: Verdict) -> RGBColor {
    match v {
        Verdict::Normal => NORMAL,
        Verdict::FootDrop => FOOT_DROP,
        Verdict::Inconclusive => INCONCLUSIVE,
    }
}

/// A number with a typographic minus.
fn num(v: f64, decimals: usize) -> String {
    format_tick(v, decimals)
}

/// The window of a long recording to show in detail: the `WINDOW_S` span holding the most
/// flagged strides, then the most strides, then the earliest.
fn detail_window(t0: f64, t1: f64, strides: &[GaitStride]) -> Option<(f64, f64)> {
    if t1 - t0 <= WHOLE_MAX_S {
        return None;
    }
    let mut best = (t0, (0usize, 0usize));
    let starts = std::iter::once(t0).chain(
        strides
            .iter()
            .map(|s| s.metrics.start_s - 0.3)
            .filter(|s| s.is_finite()),
    );
    for start in starts {
        let start = start.clamp(t0, (t1 - WINDOW_S).max(t0));
        let end = start + WINDOW_S;
        let inside = strides
            .iter()
            .filter(|s| s.metrics.start_s >= start && s.metrics.end_s <= end);
        let (mut flagged, mut all) = (0, 0);
        for s in inside {
            all += 1;
            flagged += usize::from(s.drag.flagged);
        }
        if (flagged, all) > best.1 {
            best = (start, (flagged, all));
        }
    }
    Some((best.0, best.0 + WINDOW_S))
}

/// The limit a stride reason with `code` reports, if any stride was flagged for it.
fn reported_limit(strides: &[GaitStride], codes: &[&str]) -> Option<f64> {
    strides
        .iter()
        .flat_map(|s| &s.drag.reasons)
        .filter(|r| codes.contains(&r.code))
        .find_map(|r| r.limit)
        .filter(|l| l.is_finite())
}

impl GaitFigure {
    fn new(rec: &Recording, report: &GaitReport) -> Self {
        let t0 = rec.time_s(0);
        let mut t1 = rec.time_s(rec.n_samples.saturating_sub(1));
        if t1.partial_cmp(&t0) != Some(std::cmp::Ordering::Greater) {
            t1 = t0 + 1.0 / rec.sampling_rate_hz;
        }

        // Every side anything mentions, in a fixed order.
        let mut names: Vec<String> = report
            .sides
            .iter()
            .map(|s| s.side.clone())
            .chain(
                report
                    .tracks
                    .iter()
                    .map(|t| t.side.clone().unwrap_or_default()),
            )
            .chain(report.strides.iter().map(|s| s.metrics.side.clone()))
            .chain(report.events.iter().map(|e| e.side.clone()))
            .collect();
        names.sort_by_key(|n| side_rank(n));
        names.dedup();

        let sides = report
            .sides
            .iter()
            .map(|s| {
                let m = &s.medians;
                let mut medians = Vec::new();
                if let Some(v) = m.foot_strike_angle_deg {
                    medians.push(format!("strike {}°", num(v, 1)));
                }
                if let Some(v) = m.late_swing_pitch_deg {
                    medians.push(format!("late swing {}°", num(v, 1)));
                }
                if let Some(v) = m.min_toe_clearance_m {
                    medians.push(format!("toe clearance {} mm", num(v * 1000.0, 1)));
                }
                if let Some(v) = m.stride_time_s {
                    medians.push(format!("stride {} s", num(v, 2)));
                }
                let mut facts = Vec::new();
                if s.verdict != Verdict::Inconclusive && s.confidence.is_finite() {
                    facts.push(format!("confidence {:.2}", s.confidence));
                }
                facts.push(format!(
                    "{} of {} stride{} flagged",
                    s.flagged_strides,
                    s.strides,
                    if s.strides == 1 { "" } else { "s" }
                ));
                if !medians.is_empty() {
                    facts.push(format!("medians: {}", medians.join(", ")));
                }
                SideRow {
                    side: s.side.clone(),
                    verdict: Some(s.verdict),
                    facts: facts.join("  ·  "),
                    reasons: match s.verdict {
                        _ if s.reasons.is_empty() => String::new(),
                        Verdict::Normal => {
                            format!(
                                "signs seen (too few for foot drop): {}",
                                s.reasons.join("; ")
                            )
                        }
                        _ => format!("why: {}", s.reasons.join("; ")),
                    },
                }
            })
            .collect::<Vec<_>>();
        let mut sides = sides;
        sides.sort_by_key(|s| side_rank(&s.side));
        // Sides with events but no stride to judge.
        for n in &names {
            if !sides.iter().any(|s| &s.side == n) && report.events.iter().any(|e| &e.side == n) {
                sides.push(SideRow {
                    side: n.clone(),
                    verdict: None,
                    facts: "no complete stride: no verdict".into(),
                    reasons: String::new(),
                });
            }
        }

        let window = detail_window(t0, t1, &report.strides);
        let time_panels = time_panels(rec, report, &names, (t0, t1), window);
        let (metric_panels, metrics_message) = metric_panels(report);
        let has_crosses = metric_panels.iter().any(|p| !p.crosses.is_empty());

        let modality = match rec.source.modality {
            Modality::Imu if report.detector == dorsi::gait::lowback::NAME => "lower-back IMU",
            Modality::Imu if report.tracks.is_empty() => "IMUs",
            Modality::Imu => "foot IMUs",
            Modality::Keypoints => "video keypoints",
            Modality::Markers => "markers",
            Modality::Signals => "signals",
        };
        let mut subtitle = format!(
            "{} · {modality} · {} Hz · {} · detector {} · {} events, {} strides",
            rec.source.format,
            format_rate(rec.sampling_rate_hz),
            format_duration(rec.duration_s()),
            report.detector,
            report.events.len(),
            report.strides.len(),
        );
        let missing = rec.gaps.iter().filter(|g| !g.filled).count();
        if missing > 0 {
            subtitle.push_str(&format!(
                " · {missing} gap{} without data (grey)",
                if missing == 1 { "" } else { "s" }
            ));
        }
        GaitFigure {
            title: format!("Gait: {}", file_label(&rec.source.files)),
            subtitle,
            sides,
            t0,
            t1,
            time_panels,
            gaps: rec
                .gaps
                .iter()
                .filter(|g| !g.filled && g.start_s.is_finite() && g.end_s.is_finite())
                .map(|g| (g.start_s.min(g.end_s), g.start_s.max(g.end_s)))
                .collect(),
            metric_panels,
            metrics_message,
            side_keys: names.iter().map(|n| (n.clone(), side_colour(n))).collect(),
            has_crosses,
        }
    }

    fn header_px(&self, reason_lines: &[usize]) -> i32 {
        let rows: i32 = if self.sides.is_empty() {
            SIDE_ROW_PX
        } else {
            reason_lines
                .iter()
                .map(|&l| SIDE_ROW_PX + l as i32 * REASON_LINE_PX + SIDE_GAP_PX)
                .sum()
        };
        TITLE_BLOCK_PX + rows + 8
    }

    fn metric_grid(&self) -> (usize, usize) {
        let n = self.metric_panels.len();
        let cols = if n == 4 { 2 } else { n.clamp(1, 3) };
        (cols, n.div_ceil(cols))
    }

    fn body_px(&self) -> i32 {
        let time: i32 = self.time_panels.iter().map(|p| p.height_px).sum();
        let metrics = match &self.metrics_message {
            Some(_) => MESSAGE_PX,
            None => self.metric_grid().1 as i32 * METRIC_PANEL_PX,
        };
        time + SECTION_PX + metrics + BOTTOM_PX
    }

    /// The height of the figure. Reasons are wrapped with the font's real metrics, so this
    /// measures them on a throw-away SVG canvas.
    fn height_px(&self) -> i32 {
        let mut sink = String::new();
        let area = plotters::prelude::IntoDrawingArea::into_drawing_area(
            plotters::prelude::SVGBackend::with_string(&mut sink, (WIDTH_PX, 100)),
        );
        let lines = self.reason_lines(&area);
        self.header_px(&lines.iter().map(Vec::len).collect::<Vec<_>>()) + self.body_px()
    }

    fn reason_style() -> TextStyle<'static> {
        font(14.0, false).color(&MUTED)
    }

    /// The reasons of each side, wrapped.
    fn reason_lines<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Vec<Vec<String>> {
        let style = Self::reason_style();
        let max = WIDTH_PX as i32 - REASON_X - RIGHT_MARGIN_PX as i32;
        self.sides
            .iter()
            .map(|s| {
                if s.reasons.is_empty() {
                    Vec::new()
                } else {
                    wrap(area, &s.reasons, &style, max, MAX_REASON_LINES)
                }
            })
            .collect()
    }
}

/// Where a side's reasons start, px.
const REASON_X: i32 = TEXT_X + 34;

/// `text` broken at spaces into at most `max_lines` lines of at most `max_px`; the last
/// line ends in an ellipsis when text is left over.
fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_px: i32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || text_width(area, &candidate, style) <= max_px {
            current = candidate;
        } else {
            lines.push(std::mem::take(&mut current));
            current = word.to_string();
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = fit_text(area, &format!("{last} …"), style, max_px);
            if !last.ends_with('…') {
                last.push_str(" …");
            }
        }
    }
    lines
        .into_iter()
        .map(|l| fit_text(area, &l, style, max_px))
        .collect()
}

/// The track of a side.
fn track_of<'a>(report: &'a GaitReport, side: &str) -> Option<&'a FootTrack> {
    report
        .tracks
        .iter()
        .find(|t| t.side.as_deref().unwrap_or("") == side)
}

/// Which track quantity a panel shows.
#[derive(Clone, Copy)]
enum Quantity {
    Pitch,
    Toe,
    Ankle,
}

impl Quantity {
    fn values(self, t: &FootTrack) -> &[f64] {
        match self {
            Quantity::Pitch => &t.pitch_deg,
            Quantity::Toe => &t.toe_height_m,
            Quantity::Ankle => &t.ankle_deg,
        }
    }

    /// Display scale (m -> mm for the toe).
    fn scale(self) -> f64 {
        match self {
            Quantity::Toe => 1000.0,
            _ => 1.0,
        }
    }
}

fn time_panels(
    rec: &Recording,
    report: &GaitReport,
    names: &[String],
    whole: (f64, f64),
    window: Option<(f64, f64)>,
) -> Vec<TimePanel> {
    let measured = |q: Quantity| {
        report
            .tracks
            .iter()
            .any(|t| q.values(t).iter().any(|v| v.is_finite()))
    };
    let plot_px = (WIDTH_PX - Y_AREA_PX - RIGHT_MARGIN_PX - LEFT_MARGIN_PX) as usize;
    let line = |side: &str, q: Quantity, (a, b): (f64, f64), columns: usize| -> Option<Line> {
        let values = q.values(track_of(report, side)?);
        let len = values.len().min(rec.n_samples);
        let i0 = rec.sample_at(a).min(len);
        let i1 = (rec.sample_at(b) + 1).min(len).max(i0);
        Some(Line {
            colour: side_colour(side),
            points: decimate(
                i1 - i0,
                columns,
                |k| rec.time_s(i0 + k),
                |k| values[i0 + k] * q.scale(),
            ),
        })
    };
    let markers = |side: &str, q: Quantity, (a, b): (f64, f64)| -> Vec<Marker> {
        report
            .events
            .iter()
            .filter(|e| e.side == side && e.time_s.is_finite() && e.time_s >= a && e.time_s <= b)
            .map(|e| Marker {
                time_s: e.time_s,
                value: track_of(report, &e.side)
                    .and_then(|t| q.values(t).get(e.sample))
                    .map(|v| v * q.scale())
                    .filter(|v| v.is_finite()),
                colour: side_colour(&e.side),
                kind: e.kind,
            })
            .collect()
    };
    let flagged = |side: Option<&str>| -> Vec<(f64, f64, RGBColor)> {
        report
            .strides
            .iter()
            .filter(|s| s.drag.flagged && side.is_none_or(|n| s.metrics.side == n))
            .filter(|s| s.metrics.start_s.is_finite() && s.metrics.end_s.is_finite())
            .map(|s| {
                (
                    s.metrics.start_s,
                    s.metrics.end_s,
                    side_colour(&s.metrics.side),
                )
            })
            .collect()
    };
    let detail = window.unwrap_or(whole);
    if !measured(Quantity::Pitch) {
        // No foot pitch (a shank or lower-back IMU): the rotation the events came from.
        let panels = rate_panels(rec, report, detail, plot_px);
        if !panels.is_empty() {
            return panels;
        }
    }
    let span = if window.is_some() {
        format!(
            ", {}–{} s (framed above)",
            num(detail.0, 1),
            num(detail.1, 1)
        )
    } else {
        String::new()
    };

    let mut panels = Vec::new();
    if window.is_some() {
        let lines: Vec<Line> = names
            .iter()
            .filter_map(|n| line(n, Quantity::Pitch, whole, plot_px))
            .collect();
        panels.push(TimePanel {
            title: "Foot pitch, whole recording".into(),
            y_desc: "pitch (°)".into(),
            height_px: OVERVIEW_PANEL_PX,
            x_range: whole,
            y_range: padded_range(lines.iter().flat_map(|l| l.points.iter().map(|p| p.1))),
            lines,
            markers: Vec::new(),
            flagged: flagged(None),
            keys: names
                .iter()
                .map(|n| (Key::Line(side_colour(n)), side_label(n)))
                .chain(std::iter::once((Key::Frame, "enlarged below".into())))
                .collect(),
            frame: window,
            empty_message: "no foot pitch could be measured".into(),
        });
    }
    let quantities = [
        (Quantity::Pitch, true),
        (Quantity::Toe, measured(Quantity::Toe)),
        (Quantity::Ankle, measured(Quantity::Ankle)),
    ];
    for (q, shown) in quantities {
        if !shown {
            continue;
        }
        // Panel sides: those with a track, else (no track at all) one empty panel.
        let mut sides: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| track_of(report, n).is_some())
            .collect();
        if sides.is_empty() {
            sides.push(names.first().map_or("", String::as_str));
        }
        let built: Vec<(&str, Vec<Line>, Vec<Marker>)> = sides
            .iter()
            .map(|&n| {
                (
                    n,
                    line(n, q, detail, plot_px).into_iter().collect(),
                    markers(n, q, detail),
                )
            })
            .collect();
        // One y scale for both sides, so they compare at a glance.
        let y_range = padded_range(built.iter().flat_map(|(_, lines, markers)| {
            lines
                .iter()
                .flat_map(|l| l.points.iter().map(|p| p.1))
                .chain(markers.iter().filter_map(|m| m.value))
        }));
        for (n, lines, markers) in built {
            let colour = side_colour(n);
            let side_flagged = flagged(Some(n));
            let mut keys = Vec::new();
            if !markers.is_empty() {
                keys.push((Key::Dot(colour), "initial contact".to_string()));
                keys.push((Key::Triangle(colour), "final contact".to_string()));
            }
            if markers.iter().any(|m| m.value.is_none()) {
                keys.push((Key::Hollow(colour), "event with no value".to_string()));
            }
            if !side_flagged.is_empty() {
                keys.push((
                    Key::Band(colour.mix(FLAG_ALPHA)),
                    "flagged stride".to_string(),
                ));
            }
            let who = if n.is_empty() {
                String::new()
            } else {
                format!("{} ", side_title(n))
            };
            let (title, y_desc, height_px, empty) = match q {
                Quantity::Pitch => (
                    format!("{who}foot pitch (toes up +, 0 = flat at mid-stance){span}"),
                    "foot pitch (°)",
                    PITCH_PANEL_PX,
                    if report.events.is_empty() {
                        "no gait events found, so no foot pitch to show"
                    } else {
                        "no foot pitch could be measured"
                    },
                ),
                Quantity::Toe => (
                    format!("{who}toe height above the stance floor{span}"),
                    "toe height (mm)",
                    OTHER_PANEL_PX,
                    "no toe height measured here",
                ),
                Quantity::Ankle => (
                    format!("{who}ankle angle (dorsiflexion +){span}"),
                    "ankle (°)",
                    OTHER_PANEL_PX,
                    "no ankle angle measured here",
                ),
            };
            panels.push(TimePanel {
                title: capitalise(&title),
                y_desc: y_desc.into(),
                height_px,
                x_range: detail,
                y_range,
                lines,
                markers,
                flagged: side_flagged,
                keys,
                frame: None,
                empty_message: empty.into(),
            });
        }
    }
    panels
}

/// One panel per IMU: the signal its events came from, with the gait events of its side
/// (all events for a sensor of no side) at the value they happened at. Drawn when no foot
/// pitch could be measured (a shank or lower-back IMU), so the events are still seen
/// against the data. A sensor of one side shows its angular rate about its main rotation
/// axis ([`dorsi::motion::sagittal_rate`]); a sensor of no side (the lower back, which
/// turns about the vertical as much as it rocks) the size of its specific force less
/// gravity, where each heel strike shows as a jolt. One y scale per unit.
fn rate_panels(
    rec: &Recording,
    report: &GaitReport,
    (a, b): (f64, f64),
    columns: usize,
) -> Vec<TimePanel> {
    const G: f64 = 9.80665;
    let hz = rec.sampling_rate_hz;
    let sustain = (0.3 * hz).round() as usize;
    let i0 = rec.sample_at(a).min(rec.n_samples);
    let i1 = (rec.sample_at(b) + 1).min(rec.n_samples).max(i0);
    // (side, title, unit, values)
    let signals: Vec<(&str, String, &str, Vec<f64>)> = rec
        .imus
        .iter()
        .filter_map(|imu| {
            let side = match dorsi::gait::side_of(&imu.name).as_deref() {
                Some("left") => "left",
                Some("right") => "right",
                _ => "",
            };
            if side.is_empty() {
                let acc = imu.acc_mps2.as_deref()?;
                let values = acc.iter().map(|f| f.norm() - G).collect();
                let title = format!("{}: specific force less gravity", imu.name);
                return Some((side, title, "m/s²", values));
            }
            let rate = dorsi::motion::sagittal_rate(imu.gyro_rads.as_deref()?, sustain)?;
            let values = rate.iter().map(|v| v.to_degrees()).collect();
            let title = format!("{}: angular rate about its main rotation axis", imu.name);
            Some((side, title, "°/s", values))
        })
        .collect();
    let y_range = |unit: &str| {
        padded_range(
            signals
                .iter()
                .filter(|s| s.2 == unit)
                .flat_map(|(_, _, _, v)| v[i0.min(v.len())..i1.min(v.len())].iter().copied()),
        )
    };
    signals
        .iter()
        .map(|(side, title, unit, values)| {
            let colour = side_colour(side);
            let len = values.len().min(i1);
            let points = decimate(
                len.saturating_sub(i0),
                columns,
                |k| rec.time_s(i0 + k),
                |k| values[i0 + k],
            );
            let markers: Vec<Marker> = report
                .events
                .iter()
                .filter(|e| side.is_empty() || e.side == *side)
                .filter(|e| e.time_s.is_finite() && e.time_s >= a && e.time_s <= b)
                .map(|e| Marker {
                    time_s: e.time_s,
                    value: values.get(e.sample).copied().filter(|v| v.is_finite()),
                    colour: side_colour(&e.side),
                    kind: e.kind,
                })
                .collect();
            let mut keys = Vec::new();
            if markers.iter().any(|m| m.kind == EventKind::InitialContact) {
                keys.push((Key::Dot(colour), "initial contact".to_string()));
            }
            if markers.iter().any(|m| m.kind == EventKind::FinalContact) {
                keys.push((Key::Triangle(colour), "final contact".to_string()));
            }
            TimePanel {
                title: format!("{title}, {}–{} s", num(a, 1), num(b, 1)),
                y_desc: match *unit {
                    "°/s" => "rate (°/s)".into(),
                    other => format!("force − g ({other})"),
                },
                height_px: PITCH_PANEL_PX,
                x_range: (a, b),
                y_range: y_range(unit),
                lines: vec![Line { colour, points }],
                markers,
                flagged: Vec::new(),
                keys,
                frame: None,
                empty_message: "nothing measured".into(),
            }
        })
        .collect()
}

/// `text` with its first letter in upper case.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A side's name in a legend.
fn side_label(side: &str) -> String {
    if side.is_empty() {
        "foot".into()
    } else {
        side.to_string()
    }
}

fn metric_panels(report: &GaitReport) -> (Vec<MetricPanel>, Option<String>) {
    if report.strides.is_empty() {
        let why = if report.events.is_empty() {
            "No gait events were found, so there are no strides and no per-stride metrics."
        } else {
            "No complete stride was found (initial contact to the next of the same foot), so \
             there are no per-stride metrics."
        };
        return (Vec::new(), Some(why.into()));
    }
    let defaults = DragParams::default();
    let dots = |f: &dyn Fn(&GaitStride) -> Option<f64>| -> Vec<(RGBColor, f64, f64)> {
        report
            .strides
            .iter()
            .filter_map(|s| {
                let v = f(s)?;
                (v.is_finite() && s.metrics.start_s.is_finite())
                    .then(|| (side_colour(&s.metrics.side), s.metrics.start_s, v))
            })
            .collect()
    };
    let strike_limit =
        reported_limit(&report.strides, &["flat_contact"]).unwrap_or(defaults.max_strike_angle_deg);
    let mtc_limit_mm = 1000.0
        * reported_limit(&report.strides, &["low_toe_clearance"])
            .unwrap_or(defaults.min_toe_clearance_m);
    let late_limit = defaults.max_late_swing_pitch_deg;
    let crosses: Vec<(RGBColor, f64)> = report
        .strides
        .iter()
        .filter(|s| s.metrics.clearance_minimum == Some(false) && s.metrics.start_s.is_finite())
        .map(|s| (side_colour(&s.metrics.side), s.metrics.start_s))
        .collect();
    let panels = vec![
        MetricPanel {
            title: "Foot-strike angle".into(),
            y_desc: "strike angle (°)".into(),
            dots: dots(&|s| s.metrics.foot_strike_angle_deg),
            crosses: Vec::new(),
            band: Some((
                HEALTHY_STRIKE_DEG.0,
                HEALTHY_STRIKE_DEG.1,
                format!(
                    "healthy {}–{}°",
                    num(HEALTHY_STRIKE_DEG.0, 0),
                    num(HEALTHY_STRIKE_DEG.1, 0)
                ),
            )),
            limit: Some((
                strike_limit,
                format!("flat at or below {}°", num(strike_limit, 0)),
            )),
            min_span: 20.0,
        },
        MetricPanel {
            title: "Foot pitch in late swing (85 %)".into(),
            y_desc: "pitch (°)".into(),
            dots: dots(&|s| s.metrics.late_swing_pitch_deg),
            crosses: Vec::new(),
            band: None,
            limit: Some((
                late_limit,
                format!("plantarflexed at or below {}°", num(late_limit, 0)),
            )),
            min_span: 20.0,
        },
        MetricPanel {
            title: "Minimum toe clearance".into(),
            y_desc: "clearance (mm)".into(),
            dots: dots(&|s| s.metrics.min_toe_clearance_m.map(|v| v * 1000.0)),
            crosses,
            band: Some((
                HEALTHY_MTC_MM.0,
                HEALTHY_MTC_MM.1,
                "healthy 13 ± 4 mm".into(),
            )),
            limit: Some((
                mtc_limit_mm,
                format!("too low under {} mm", num(mtc_limit_mm, 0)),
            )),
            min_span: 20.0,
        },
        MetricPanel {
            title: "Stride time".into(),
            y_desc: "stride time (s)".into(),
            dots: dots(&|s| Some(s.metrics.stride_time_s)),
            crosses: Vec::new(),
            band: None,
            limit: None,
            min_span: 0.3,
        },
    ];
    let panels: Vec<MetricPanel> = panels
        .into_iter()
        .filter(|p| !p.dots.is_empty() || !p.crosses.is_empty())
        .collect();
    if panels.is_empty() {
        return (
            panels,
            Some("The strides have no measurable metric.".into()),
        );
    }
    (panels, None)
}

/// The y range of a chart: the values with a margin, never empty.
fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return (-1.0, 1.0);
    }
    let span = hi - lo;
    if span <= 1e-9 * lo.abs().max(hi.abs()).max(1e-9) {
        let half = (hi.abs() * 0.1).max(0.5);
        (lo - half, hi + half)
    } else {
        (lo - 0.08 * span, hi + 0.08 * span)
    }
}

/// `(lo, hi)` widened about its middle to at least `min_span`.
fn widen((lo, hi): (f64, f64), min_span: f64) -> (f64, f64) {
    if hi - lo >= min_span {
        (lo, hi)
    } else {
        let mid = 0.5 * (lo + hi);
        (mid - 0.5 * min_span, mid + 0.5 * min_span)
    }
}

impl Draw for GaitFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE).map_err(render_error)?;
        let reasons = self.reason_lines(root);
        let header_px = self.header_px(&reasons.iter().map(Vec::len).collect::<Vec<_>>());
        let (header, body) = root.split_vertically(header_px);
        self.draw_header(&header, &reasons)?;

        let mut rest = body;
        for panel in &self.time_panels {
            let (area, below) = rest.split_vertically(panel.height_px);
            self.draw_time_panel(&area, panel)?;
            rest = below;
        }
        let (section, below) = rest.split_vertically(SECTION_PX);
        self.draw_metric_heading(&section)?;
        rest = below;
        if let Some(message) = &self.metrics_message {
            let (area, _) = rest.split_vertically(MESSAGE_PX);
            area.draw_text(
                message,
                &font(15.0, false)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
                (TEXT_X + 10, MESSAGE_PX / 2),
            )
            .map_err(render_error)?;
            return Ok(());
        }
        let (cols, rows) = self.metric_grid();
        let (grid, _) = rest.split_vertically(rows as i32 * METRIC_PANEL_PX);
        let cells = grid.split_evenly((rows, cols));
        for (panel, cell) in self.metric_panels.iter().zip(cells.iter()) {
            self.draw_metric_panel(cell, panel)?;
        }
        Ok(())
    }
}

impl GaitFigure {
    fn draw_header<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        reasons: &[Vec<String>],
    ) -> Result<(), PlotError> {
        let max_text = WIDTH_PX as i32 - TEXT_X - RIGHT_MARGIN_PX as i32;
        let title_style = font(22.0, true).color(&INK);
        let title = fit_text(area, &self.title, &title_style, max_text);
        area.draw_text(&title, &title_style, (TEXT_X, 10))
            .map_err(render_error)?;
        let sub_style = font(14.0, false).color(&MUTED);
        let subtitle = fit_text(area, &self.subtitle, &sub_style, max_text);
        area.draw_text(&subtitle, &sub_style, (TEXT_X, 39))
            .map_err(render_error)?;

        let mut y = TITLE_BLOCK_PX;
        if self.sides.is_empty() {
            area.draw_text(
                "No side could be judged: no strides were found.",
                &font(15.0, false)
                    .color(&INK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
                (TEXT_X, y + SIDE_ROW_PX / 2),
            )
            .map_err(render_error)?;
        }
        let centre = Pos::new(HPos::Left, VPos::Center);
        for (row, lines) in self.sides.iter().zip(reasons) {
            let mid = y + SIDE_ROW_PX / 2;
            let colour = side_colour(&row.side);
            let mut x = TEXT_X;
            area.draw(&PathElement::new(
                vec![(x, mid), (x + 24, mid)],
                colour.stroke_width(5),
            ))
            .map_err(render_error)?;
            x += 34;
            let name_style = font(17.0, true).color(&colour).pos(centre);
            let name = side_title(&row.side);
            area.draw_text(&name, &name_style, (x, mid))
                .map_err(render_error)?;
            x += text_width(area, &name, &name_style).max(48) + 14;
            if let Some(v) = row.verdict {
                let badge_style = font(15.0, true).color(&WHITE).pos(centre);
                let text = verdict_text(v);
                let w = text_width(area, text, &badge_style) + 20;
                area.draw(&Rectangle::new(
                    [(x, mid - 12), (x + w, mid + 12)],
                    verdict_colour(v).filled(),
                ))
                .map_err(render_error)?;
                area.draw_text(text, &badge_style, (x + 10, mid))
                    .map_err(render_error)?;
                x += w + 14;
            }
            let facts_style = font(15.0, false).color(&INK).pos(centre);
            let facts = fit_text(area, &row.facts, &facts_style, max_text + TEXT_X - x);
            area.draw_text(&facts, &facts_style, (x, mid))
                .map_err(render_error)?;
            y += SIDE_ROW_PX;
            let reason_style = Self::reason_style();
            for line in lines {
                area.draw_text(line, &reason_style, (REASON_X, y + 1))
                    .map_err(render_error)?;
                y += REASON_LINE_PX;
            }
            y += SIDE_GAP_PX;
        }
        // A rule under the header.
        let (w, h) = area.dim_in_pixel();
        area.draw(&PathElement::new(
            vec![
                (TEXT_X, h as i32 - 3),
                (w as i32 - RIGHT_MARGIN_PX as i32, h as i32 - 3),
            ],
            GRID.stroke_width(1),
        ))
        .map_err(render_error)?;
        Ok(())
    }

    fn draw_metric_heading<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), PlotError> {
        let y = SECTION_PX / 2 + 4;
        let style = font(17.0, true)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let title = "Per stride, over the whole recording";
        area.draw_text(title, &style, (TEXT_X, y))
            .map_err(render_error)?;
        if self.metrics_message.is_some() {
            return Ok(());
        }
        let mut keys: Vec<(Key, String)> = self
            .side_keys
            .iter()
            .map(|(n, c)| {
                let label = if n.is_empty() {
                    "foot".into()
                } else {
                    n.clone()
                };
                (Key::Dot(*c), label)
            })
            .collect();
        if self.metric_panels.iter().any(|p| p.band.is_some()) {
            keys.push((Key::Band(HEALTHY.mix(0.16)), "healthy range".into()));
        }
        if self.metric_panels.iter().any(|p| p.limit.is_some()) {
            keys.push((Key::Dash(LIMIT), "detector's limit".into()));
        }
        if self.has_crosses {
            keys.push((
                Key::Cross(INK),
                "swing with no toe-clearance minimum".into(),
            ));
        }
        let (w, _) = area.dim_in_pixel();
        let right = w as i32 - RIGHT_MARGIN_PX as i32;
        let left = TEXT_X + text_width(area, title, &style) + 30;
        draw_keys(area, &keys, left, right, y)
    }

    fn draw_time_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &TimePanel,
    ) -> Result<(), PlotError> {
        let (strip, chart_area) = area.split_vertically(STRIP_PX);
        let (w, _) = area.dim_in_pixel();
        let plot_left = LEFT_MARGIN_PX as i32 + Y_AREA_PX as i32;
        let plot_right = w as i32 - RIGHT_MARGIN_PX as i32;
        draw_strip(&strip, &panel.title, &panel.keys, plot_left, plot_right)?;

        let (x0, x1) = panel.x_range;
        let (y0, y1) = panel.y_range;
        let chart_area = chart_area.margin(0, 0, LEFT_MARGIN_PX, 0);
        let mut chart = ChartBuilder::on(&chart_area)
            .margin_right(RIGHT_MARGIN_PX)
            .margin_top(4)
            .x_label_area_size(X_AREA_PX)
            .y_label_area_size(Y_AREA_PX)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(render_error)?;
        let plot_w = (plot_right - plot_left).max(1) as usize;
        configure_mesh(
            &mut chart,
            (x0, x1),
            (y0, y1),
            plot_w,
            "time (s)",
            &panel.y_desc,
        )?;

        for &(a, b) in &self.gaps {
            let (a, b) = (a.max(x0), b.min(x1));
            if b > a {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y0), (b, y1)],
                        GAP.filled(),
                    )))
                    .map_err(render_error)?;
            }
        }
        for &(a, b, colour) in &panel.flagged {
            let (a, b) = (a.max(x0), b.min(x1));
            if b > a {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y0), (b, y1)],
                        colour.mix(FLAG_ALPHA).filled(),
                    )))
                    .map_err(render_error)?;
            }
        }
        let overview = panel.frame.is_some();
        for line in &panel.lines {
            for run in runs(&line.points) {
                if let [single] = run {
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            *single,
                            2,
                            line.colour.filled(),
                        )))
                        .map_err(render_error)?;
                } else {
                    chart
                        .draw_series(LineSeries::new(
                            run.iter().copied(),
                            line.colour.stroke_width(if overview { 1 } else { 2 }),
                        ))
                        .map_err(render_error)?;
                }
            }
        }
        let bottom = y0 + 0.03 * (y1 - y0);
        for m in &panel.markers {
            let at = (m.time_s, m.value.unwrap_or(bottom));
            // Events where the track has no value sit hollow on the bottom edge.
            let inner = if m.value.is_some() {
                m.colour.filled()
            } else {
                WHITE.filled()
            };
            match m.kind {
                EventKind::InitialContact => chart
                    .draw_series([
                        Circle::new(at, 6, WHITE.filled()),
                        Circle::new(at, 5, m.colour.filled()),
                        Circle::new(at, 3, inner),
                    ])
                    .map(|_| ()),
                EventKind::FinalContact => chart
                    .draw_series([
                        TriangleMarker::new(at, 9, WHITE.filled()),
                        TriangleMarker::new(at, 7, m.colour.filled()),
                        TriangleMarker::new(at, 3, inner),
                    ])
                    .map(|_| ()),
            }
            .map_err(render_error)?;
        }
        if let Some((a, b)) = panel.frame {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a.max(x0), y0), (b.min(x1), y1)],
                    INK.stroke_width(2),
                )))
                .map_err(render_error)?;
        }
        if panel.lines.iter().all(|l| runs(&l.points).next().is_none()) {
            let (cw, ch) = chart_area.dim_in_pixel();
            chart_area
                .draw_text(
                    &panel.empty_message,
                    &font(15.0, false)
                        .color(&MUTED)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                    (
                        (Y_AREA_PX as i32 + cw as i32 - RIGHT_MARGIN_PX as i32) / 2,
                        (ch as i32 - X_AREA_PX as i32) / 2,
                    ),
                )
                .map_err(render_error)?;
        }
        Ok(())
    }

    fn draw_metric_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &MetricPanel,
    ) -> Result<(), PlotError> {
        const Y_AREA: u32 = 70;
        const RIGHT: u32 = 18;
        let area = area.margin(0, 0, LEFT_MARGIN_PX, 0);
        let (strip, chart_area) = area.split_vertically(STRIP_PX);
        let (w, _) = area.dim_in_pixel();
        let plot_left = Y_AREA as i32;
        let plot_right = w as i32 - RIGHT as i32;
        let mut keys = Vec::new();
        if let Some((_, _, label)) = &panel.band {
            keys.push((Key::Band(HEALTHY.mix(0.16)), label.clone()));
        }
        if let Some((_, label)) = &panel.limit {
            keys.push((Key::Dash(LIMIT), label.clone()));
        }
        draw_strip(&strip, &panel.title, &keys, plot_left, plot_right)?;

        let (x0, x1) = (self.t0, self.t1);
        let (y0, y1) = widen(
            padded_range(
                panel
                    .dots
                    .iter()
                    .map(|d| d.2)
                    .chain(panel.band.iter().flat_map(|b| [b.0, b.1]))
                    .chain(panel.limit.iter().map(|l| l.0)),
            ),
            panel.min_span,
        );
        let mut chart = ChartBuilder::on(&chart_area)
            .margin_right(RIGHT)
            .margin_top(4)
            .x_label_area_size(X_AREA_PX)
            .y_label_area_size(Y_AREA)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(render_error)?;
        let plot_w = (plot_right - plot_left).max(1) as usize;
        configure_mesh(
            &mut chart,
            (x0, x1),
            (y0, y1),
            plot_w,
            "stride start (s)",
            &panel.y_desc,
        )?;
        if let Some((a, b, _)) = &panel.band {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, *a), (x1, *b)],
                    HEALTHY.mix(0.16).filled(),
                )))
                .map_err(render_error)?;
        }
        if let Some((l, _)) = &panel.limit {
            chart
                .draw_series(dashes(x0, x1, *l, plot_w))
                .map_err(render_error)?;
        }
        // White halos first, then the dots, so no halo hides a dot. Many strides (long
        // recordings) get small dots without halos.
        let dense = panel.dots.len() as f64 > plot_w as f64 / 8.0;
        let radius = if dense { 2 } else { 4 };
        if !dense {
            chart
                .draw_series(
                    panel
                        .dots
                        .iter()
                        .map(|&(_, t, v)| Circle::new((t, v), radius + 1, WHITE.filled())),
                )
                .map_err(render_error)?;
        }
        chart
            .draw_series(
                panel
                    .dots
                    .iter()
                    .map(|&(c, t, v)| Circle::new((t, v), radius, c.filled())),
            )
            .map_err(render_error)?;
        let bottom = y0 + 0.05 * (y1 - y0);
        chart
            .draw_series(
                panel
                    .crosses
                    .iter()
                    .map(|&(c, t)| Cross::new((t, bottom), 5, c.stroke_width(2))),
            )
            .map_err(render_error)?;
        Ok(())
    }
}

/// A horizontal dashed line at `y` from `x0` to `x1` (about 8 px dashes).
fn dashes(x0: f64, x1: f64, y: f64, plot_w: usize) -> Vec<PathElement<(f64, f64)>> {
    let n = (plot_w / 12).max(1);
    let step = (x1 - x0) / n as f64;
    (0..n)
        .map(|k| {
            let a = x0 + k as f64 * step;
            PathElement::new(vec![(a, y), (a + step * 0.65, y)], LIMIT.stroke_width(2))
        })
        .collect()
}

fn configure_mesh<DB: DrawingBackend>(
    chart: &mut plotters::chart::ChartContext<
        '_,
        DB,
        plotters::coord::cartesian::Cartesian2d<
            plotters::coord::types::RangedCoordf64,
            plotters::coord::types::RangedCoordf64,
        >,
    >,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    plot_w: usize,
    x_desc: &str,
    y_desc: &str,
) -> Result<(), PlotError> {
    let x_labels = (plot_w / 80).clamp(3, 24);
    let y_labels = 5;
    let x_dec = decimals_for(tick_step(x1 - x0, x_labels));
    let y_dec = decimals_for(tick_step(y1 - y0, y_labels));
    let x_fmt = |v: &f64| format_tick(*v, x_dec);
    let y_fmt = |v: &f64| format_tick(*v, y_dec);
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(x_labels)
        .y_labels(y_labels)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(font(12.0, false).color(&INK))
        .axis_desc_style(font(13.0, false).color(&MUTED))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(GRID_LIGHT.stroke_width(1))
        .axis_style(AXIS.stroke_width(1))
        .draw()
        .map_err(render_error)
}

#[cfg(test)]
mod tests;
