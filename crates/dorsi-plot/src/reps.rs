//! The reps plot: a header with the exercise, the counts and the adherence verdict with its
//! reasons; the analysed signal over time with each rep shaded and numbered, peaks, holds and
//! sets marked; and the amplitude (and hold time) of each rep.

use std::path::Path;

use dorsi::reps::report::HOLD_TOLERANCE;
use dorsi::reps::{Adherence, RepsAnalysis, RepsReport};
use dorsi::{Modality, Recording};
use plotters::coord::Shift;
use plotters::element::Text;
use plotters::prelude::{
    ChartBuilder, Circle, Color, DrawingArea, DrawingBackend, LineSeries, PathElement, RGBColor,
    Rectangle, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::decimate::{decimate, runs, value_range};
use crate::draw::{
    decimals_for, fit_text, font, format_tick, render_error, text_width, tick_step, AXIS, GRID,
    GRID_LIGHT, INK, LEFT_MARGIN_PX, MUTED, RIGHT_MARGIN_PX, Y_AREA_PX,
};
use crate::legend::{draw_strip, Key};
use crate::output::{check_not_input, write_image, Draw, ImageFormat};
use crate::trace::{check_recording, file_label, format_duration, format_rate};
use crate::PlotError;

/// Width of the figure, px.
const WIDTH_PX: u32 = 1600;
/// Heights, px.
const TITLE_BLOCK_PX: i32 = 62;
const VERDICT_ROW_PX: i32 = 34;
const REASON_LINE_PX: i32 = 20;
const MAX_REASONS: usize = 4;
const HEADER_PAD_PX: i32 = 8;
const SIGNAL_PANEL_PX: i32 = 420;
const BAR_PANEL_PX: i32 = 220;
const BOTTOM_PX: i32 = 10;
/// The title-and-legend line above each chart, px.
const STRIP_PX: i32 = 28;
/// The x-axis labels under each chart, px.
const X_AREA_PX: u32 = 40;
/// Where text starts, px.
const TEXT_X: i32 = LEFT_MARGIN_PX as i32 + 10;

/// The signal (Okabe–Ito blue) and its raw samples (a pale blue).
const SIGNAL: RGBColor = RGBColor(0, 114, 178);
const RAW: RGBColor = RGBColor(150, 190, 220);
/// Complete reps (blue tints, alternating so neighbours stay apart) and incomplete ones
/// (vermillion).
const COMPLETE: RGBColor = RGBColor(0, 114, 178);
const INCOMPLETE: RGBColor = RGBColor(213, 94, 0);
/// Holds (bluish green), peaks (ink).
const HOLD: RGBColor = RGBColor(0, 140, 100);
const PEAK: RGBColor = RGBColor(34, 34, 34);
/// Sets (reddish purple).
const SET: RGBColor = RGBColor(150, 70, 130);
/// Adherence badges.
const MET: RGBColor = RGBColor(26, 128, 60);
const PARTIAL: RGBColor = RGBColor(200, 120, 0);
const NOT_MET: RGBColor = RGBColor(178, 24, 43);
const NONE: RGBColor = RGBColor(120, 120, 120);
/// Gaps: filled by interpolation, or left without data (as in the trace plots).
const GAP_FILLED: RGBColor = RGBColor(236, 236, 236);
const GAP_MISSING: RGBColor = RGBColor(208, 208, 208);

/// Draws a reps analysis and writes it to `path`: a header with the exercise, the file, the
/// signal, the counts and the adherence verdict (coloured) with its reasons; the analysed
/// signal over time (raw samples pale, the smoothed signal and the rest level over them)
/// with each rep shaded and numbered (incomplete reps in vermillion, labelled so), peaks
/// marked with dots, holds as green bars with their duration, sets as brackets along the
/// bottom; and the amplitude of each rep (and its hold time, for held exercises) against
/// the median and the prescription.
///
/// The format comes from the extension (`.png` or `.svg`, any case); the file is written
/// atomically and never over one of the recording's input files. The image is 1600 px wide.
///
/// # Errors
///
/// [`PlotError::UnsupportedFormat`] for another extension, [`PlotError::OverwritesInput`],
/// [`PlotError::InvalidRecording`] for a recording without samples or with a bad sampling
/// rate, [`PlotError::Io`] when the file cannot be written.
///
/// ```no_run
/// use dorsi::reps::{analyze, Exercise, RepOptions};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let rec = dorsi::io::read(&["heel_raise.csv"], &Default::default())?;
/// let analysis = analyze(&rec, &RepOptions::new(Exercise::HeelRaise))?;
/// dorsi_plot::plot_reps(&rec, &analysis, std::path::Path::new("reps.png"))?;
/// # Ok(()) }
/// ```
pub fn plot_reps(rec: &Recording, analysis: &RepsAnalysis, path: &Path) -> Result<(), PlotError> {
    let format = ImageFormat::from_path(path)?;
    check_not_input(path, &rec.source.files)?;
    check_recording(rec)?;
    crate::register_fonts()?;
    let fig = RepsFigure::new(rec, analysis);
    write_image(path, format, (WIDTH_PX, fig.height_px() as u32), &fig)
}

/// `heel_raise` -> `Heel raise`.
fn exercise_title(name: &str) -> String {
    if name == "auto" {
        return "Auto (any repetitive movement)".into();
    }
    let words = name.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Exercise".into(),
    }
}

/// The unit as shown after a number (` deg` -> `°`; dimensionless units shown as nothing).
fn unit_suffix(unit: &str) -> String {
    match unit {
        "deg" | "°" => "°".into(),
        "" | "1" => String::new(),
        u => format!(" {u}"),
    }
}

/// The unit for an axis title.
fn unit_axis(unit: &str) -> String {
    match unit {
        "deg" | "°" => " (deg)".into(),
        "" | "1" => String::new(),
        u => format!(" ({u})"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The nearest sample to `t`, if inside the recording.
fn sample_at(rec: &Recording, t: f64, n: usize) -> Option<usize> {
    let i = ((t - rec.start_s) * rec.sampling_rate_hz).round();
    (i.is_finite() && i >= 0.0 && (i as usize) < n).then_some(i as usize)
}

struct RepMark {
    index: usize,
    start_s: f64,
    end_s: f64,
    peak: Option<(f64, f64)>,
    complete: bool,
    /// Why it is incomplete.
    reason: Option<String>,
}

struct HoldMark {
    start_s: f64,
    end_s: f64,
    level: f64,
    duration_s: f64,
    /// Whether the hold lies below the rest level (its bar goes under the signal).
    below: bool,
}

struct SetMark {
    start_s: f64,
    end_s: f64,
    reps: usize,
}

/// A bar chart of one value per rep.
struct Bars {
    title: String,
    y_desc: String,
    /// (number, value, good): good bars in the first colour, others in the second.
    bars: Vec<(usize, f64, bool)>,
    /// What the bars are (`rep`, `hold`).
    x_desc: &'static str,
    /// Colours and legend labels of good and other bars.
    kinds: [(RGBColor, &'static str); 2],
    /// Dashed reference lines: (value, label, colour).
    lines: Vec<(f64, String, RGBColor)>,
}

struct RepsFigure {
    title: String,
    subtitle: String,
    adherence: Option<Adherence>,
    counts: String,
    reasons: Vec<String>,
    t0: f64,
    t1: f64,
    signal_title: String,
    y_desc: String,
    raw: Vec<(f64, f64)>,
    /// Gaps in the recording: (start s, end s, filled by interpolation).
    gaps: Vec<(f64, f64, bool)>,
    smoothed: Vec<(f64, f64)>,
    rest: Vec<(f64, f64)>,
    reps: Vec<RepMark>,
    holds: Vec<HoldMark>,
    sets: Vec<SetMark>,
    bars: Vec<Bars>,
}

fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

impl RepsFigure {
    fn new(rec: &Recording, a: &RepsAnalysis) -> Self {
        let r: &RepsReport = &a.report;
        let unit = r.signal.unit.as_str();
        let suffix = unit_suffix(unit);
        let modality = match rec.source.modality {
            Modality::Imu => "IMU",
            Modality::Keypoints => "keypoints",
            Modality::Markers => "markers",
            Modality::Signals => "signals",
        };
        let title = format!(
            "{} — {}",
            exercise_title(&r.exercise),
            file_label(&rec.source.files)
        );
        let mut subtitle = format!(
            "{modality} · {} Hz · {} · signal {}{}",
            format_rate(rec.sampling_rate_hz),
            format_duration(rec.duration_s()),
            r.signal.name,
            unit_axis(unit)
        );
        if !r.signal.origin.is_empty() {
            subtitle.push_str(&format!(": {}", r.signal.origin));
        }
        let s = &r.summary;
        let mut counts = format!(
            "{} rep{} found, {} complete · {} hold{} · {} set{}",
            s.reps,
            plural(s.reps),
            s.complete_reps,
            r.holds.len(),
            plural(r.holds.len()),
            r.sets.len(),
            plural(r.sets.len())
        );
        if let Some(m) = s.median_amplitude {
            counts.push_str(&format!(" · median amplitude {m:.1}{suffix}"));
        }
        if let Some(h) = s.median_hold_s {
            counts.push_str(&format!(" · median hold {h:.1} s"));
        }
        let p = &s.prescribed;
        counts.push_str(&match (p.reps, p.hold_s) {
            (Some(n), Some(h)) => format!(" · prescribed {n} reps held {h:.0} s"),
            (Some(n), None) => format!(" · prescribed {n} reps"),
            (None, Some(h)) => format!(" · prescribed {h:.0} s holds"),
            (None, None) => String::new(),
        });

        let n = a.signal.values.len().min(rec.n_samples);
        let t0 = rec.start_s;
        let t1 = rec.time_s(rec.n_samples.max(2) - 1).max(t0 + 1e-3);
        let columns = (WIDTH_PX - Y_AREA_PX - RIGHT_MARGIN_PX) as usize;
        let values = &a.signal.values;
        let raw = decimate(n, columns, |i| rec.time_s(i), |i| values[i]);
        let smooth_n = a.smoothed.len().min(n);
        // The smoothed line only when it differs from the signal (not for `auto`).
        let differs = a.smoothed[..smooth_n]
            .iter()
            .zip(values)
            .any(|(s, v)| s.is_finite() && v.is_finite() && (s - v).abs() > 1e-9);
        let smoothed = if differs {
            decimate(smooth_n, columns, |i| rec.time_s(i), |i| a.smoothed[i])
        } else {
            Vec::new()
        };
        let rest_n = a.rest.len().min(n);
        let rest = decimate(rest_n, columns, |i| rec.time_s(i), |i| a.rest[i]);
        let line = if differs { &a.smoothed } else { values };
        let value_at = |t: f64| -> Option<f64> {
            let i = sample_at(rec, t, line.len().min(n))?;
            let v = line[i];
            if v.is_finite() {
                Some(v)
            } else {
                values.get(i).copied().filter(|v| v.is_finite())
            }
        };
        let reps = r
            .reps
            .iter()
            .map(|x| RepMark {
                index: x.index,
                start_s: x.start_s,
                end_s: x.end_s,
                peak: value_at(x.peak_s).map(|v| (x.peak_s, v)),
                complete: x.complete,
                reason: x.reason.clone(),
            })
            .collect();
        let overall = median(&line[..line.len().min(n)]).unwrap_or(0.0);
        let holds = r
            .holds
            .iter()
            .filter_map(|h| {
                let (i, j) = (
                    sample_at(rec, h.start_s, line.len().min(n))?,
                    sample_at(rec, h.end_s, line.len().min(n))?,
                );
                let level = median(line.get(i..=j)?)?;
                let rest = a
                    .rest
                    .get((i + j) / 2)
                    .copied()
                    .filter(|v| v.is_finite())
                    .unwrap_or(overall);
                Some(HoldMark {
                    start_s: h.start_s,
                    end_s: h.end_s,
                    level,
                    duration_s: h.duration_s,
                    below: level < rest,
                })
            })
            .collect();
        let sets = r
            .sets
            .iter()
            .map(|x| SetMark {
                start_s: x.start_s,
                end_s: x.end_s,
                reps: x.reps,
            })
            .collect();

        let mut bars = Vec::new();
        if !r.reps.is_empty() {
            let mut lines = Vec::new();
            if let Some(m) = s.median_amplitude {
                lines.push((m, format!("median {m:.1}{suffix}"), MUTED));
            }
            bars.push(Bars {
                title: "Amplitude of each rep".into(),
                y_desc: format!("amplitude{}", unit_axis(unit)),
                bars: r
                    .reps
                    .iter()
                    .map(|x| (x.index, x.amplitude, x.complete))
                    .collect(),
                x_desc: "rep",
                kinds: [(COMPLETE, "complete"), (INCOMPLETE, "incomplete")],
                lines,
            });
        }
        if !r.holds.is_empty() {
            let mut lines = Vec::new();
            if let Some(h) = p.hold_s {
                lines.push((h, format!("prescribed {h:.0} s"), HOLD));
            }
            let enough = p.hold_s.map_or(0.0, |h| HOLD_TOLERANCE * h);
            let mut directions: Vec<&str> = Vec::new();
            for h in &r.holds {
                if !directions.contains(&h.direction.as_str()) {
                    directions.push(&h.direction);
                }
            }
            let title = if directions.len() > 1 {
                format!("Duration of each hold ({})", directions.join(", "))
            } else {
                "Duration of each hold".into()
            };
            bars.push(Bars {
                title,
                y_desc: "hold (s)".into(),
                bars: r
                    .holds
                    .iter()
                    .enumerate()
                    .map(|(k, h)| (k + 1, h.duration_s, h.duration_s >= enough))
                    .collect(),
                x_desc: "hold",
                kinds: [(HOLD, "long enough"), (INCOMPLETE, "too short")],
                lines,
            });
        }
        RepsFigure {
            title,
            subtitle,
            adherence: s.adherence,
            counts,
            reasons: s.reasons.clone(),
            t0,
            t1,
            signal_title: format!(
                "{}{} over time{}",
                r.signal.name,
                unit_axis(unit),
                if r.reps.is_empty() {
                    ": no reps found"
                } else {
                    ""
                }
            ),
            y_desc: format!("{}{}", r.signal.name, unit_axis(unit)),
            raw,
            gaps: rec
                .gaps
                .iter()
                .map(|g| (g.start_s, g.end_s, g.filled))
                .collect(),
            smoothed,
            rest,
            reps,
            holds,
            sets,
            bars,
        }
    }

    fn shown_reasons(&self) -> usize {
        self.reasons.len().min(MAX_REASONS)
    }

    fn header_px(&self) -> i32 {
        TITLE_BLOCK_PX
            + VERDICT_ROW_PX
            + self.shown_reasons() as i32 * REASON_LINE_PX
            + HEADER_PAD_PX
    }

    fn height_px(&self) -> i32 {
        self.header_px() + SIGNAL_PANEL_PX + self.bars_px() + BOTTOM_PX
    }

    fn bars_px(&self) -> i32 {
        if self.bars.is_empty() {
            0
        } else {
            BAR_PANEL_PX
        }
    }
}

impl Draw for RepsFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE).map_err(render_error)?;
        let (header, body) = root.split_vertically(self.header_px());
        self.draw_header(&header)?;
        let (signal, rest) = body.split_vertically(SIGNAL_PANEL_PX);
        self.draw_signal(&signal)?;
        if !self.bars.is_empty() {
            let (area, _) = rest.split_vertically(BAR_PANEL_PX);
            let cells = area.split_evenly((1, self.bars.len()));
            for (bars, cell) in self.bars.iter().zip(cells.iter()) {
                draw_bars(cell, bars)?;
            }
        }
        Ok(())
    }
}

impl RepsFigure {
    fn draw_header<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), PlotError> {
        let (width, _) = area.dim_in_pixel();
        let max_text = width as i32 - TEXT_X - RIGHT_MARGIN_PX as i32;
        let title_style = font(21.0, true).color(&INK);
        let title = fit_text(area, &self.title, &title_style, max_text);
        area.draw_text(&title, &title_style, (TEXT_X, 10))
            .map_err(render_error)?;
        let sub_style = font(14.0, false).color(&MUTED);
        let subtitle = fit_text(area, &self.subtitle, &sub_style, max_text);
        area.draw_text(&subtitle, &sub_style, (TEXT_X, 38))
            .map_err(render_error)?;

        // The adherence badge, then the counts.
        let y = TITLE_BLOCK_PX + VERDICT_ROW_PX / 2;
        let (word, colour) = match self.adherence {
            Some(Adherence::Met) => ("prescription met", MET),
            Some(Adherence::Partial) => ("prescription partly met", PARTIAL),
            Some(Adherence::NotMet) => ("prescription not met", NOT_MET),
            None => ("nothing prescribed", NONE),
        };
        let badge_style = font(15.0, true)
            .color(&WHITE)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let badge_w = text_width(area, word, &badge_style) + 20;
        area.draw(&Rectangle::new(
            [(TEXT_X, y - 13), (TEXT_X + badge_w, y + 13)],
            colour.filled(),
        ))
        .map_err(render_error)?;
        area.draw_text(word, &badge_style, (TEXT_X + 10, y))
            .map_err(render_error)?;
        let counts_style = font(15.0, false)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let x = TEXT_X + badge_w + 14;
        let counts = fit_text(area, &self.counts, &counts_style, max_text - (x - TEXT_X));
        area.draw_text(&counts, &counts_style, (x, y))
            .map_err(render_error)?;

        let reason_style = font(14.0, false)
            .color(&colour)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let shown = self.shown_reasons();
        for (k, reason) in self.reasons.iter().take(shown).enumerate() {
            let mut line = format!("• {reason}");
            if k + 1 == shown && self.reasons.len() > shown {
                line.push_str(&format!(
                    " (and {} more reason{})",
                    self.reasons.len() - shown,
                    plural(self.reasons.len() - shown)
                ));
            }
            let line = fit_text(area, &line, &reason_style, max_text - 10);
            let y = TITLE_BLOCK_PX
                + VERDICT_ROW_PX
                + k as i32 * REASON_LINE_PX
                + REASON_LINE_PX / 2
                + 2;
            area.draw_text(&line, &reason_style, (TEXT_X + 10, y))
                .map_err(render_error)?;
        }
        Ok(())
    }

    /// The y range: the signal with room above for the rep numbers and below for the sets.
    fn y_range(&self) -> (f64, f64) {
        let range = [&self.raw, &self.smoothed, &self.rest]
            .iter()
            .filter_map(|p| value_range(p))
            .chain(self.holds.iter().map(|h| (h.level, h.level)))
            .fold(None, |acc: Option<(f64, f64)>, (lo, hi)| match acc {
                None => Some((lo, hi)),
                Some((a, b)) => Some((a.min(lo), b.max(hi))),
            });
        let (lo, hi) = range.unwrap_or((-1.0, 1.0));
        let span = if hi - lo > 1e-9 {
            hi - lo
        } else {
            hi.abs().max(1.0) * 0.2
        };
        let top = if self.reps.is_empty() {
            0.06
        } else if !self.holds.iter().any(|h| !h.below) {
            0.16
        } else {
            0.24
        };
        let low_holds = if self.holds.iter().any(|h| h.below) {
            0.1
        } else {
            0.0
        };
        let bottom = low_holds + if self.sets.is_empty() { 0.06 } else { 0.16 };
        (lo - bottom * span, hi + top * span)
    }

    fn draw_signal<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), PlotError> {
        let area = area.margin(0, 0, LEFT_MARGIN_PX, 0);
        let (width, _) = area.dim_in_pixel();
        let (strip, chart_area) = area.split_vertically(STRIP_PX);
        let plot_left = Y_AREA_PX as i32;
        let plot_right = width as i32 - RIGHT_MARGIN_PX as i32;
        let plot_w = (plot_right - plot_left).max(1);
        let signal_colour = if self.smoothed.is_empty() {
            SIGNAL
        } else {
            RAW
        };
        let mut keys = vec![(Key::Line(signal_colour), "signal".to_string())];
        if !self.smoothed.is_empty() {
            keys.push((Key::Line(SIGNAL), "smoothed".into()));
        }
        if value_range(&self.rest).is_some() {
            keys.push((Key::Line(MUTED), "rest level".into()));
        }
        if self.reps.iter().any(|r| r.complete) {
            keys.push((Key::Band(COMPLETE.mix(0.22)), "complete rep".into()));
        }
        if self.reps.iter().any(|r| !r.complete) {
            keys.push((Key::Band(INCOMPLETE.mix(0.3)), "incomplete rep".into()));
        }
        if self.reps.iter().any(|r| r.peak.is_some()) {
            keys.push((Key::Dot(PEAK), "peak".into()));
        }
        if !self.holds.is_empty() {
            keys.push((Key::Line(HOLD), "hold".into()));
        }
        if !self.sets.is_empty() {
            keys.push((Key::Line(SET), "set".into()));
        }
        if self.gaps.iter().any(|g| g.2) {
            keys.push((Key::Band(GAP_FILLED.to_rgba()), "gap (interpolated)".into()));
        }
        if self.gaps.iter().any(|g| !g.2) {
            keys.push((Key::Band(GAP_MISSING.to_rgba()), "gap (no data)".into()));
        }
        draw_strip(&strip, &self.signal_title, &keys, plot_left, plot_right)?;

        let (y0, y1) = self.y_range();
        let (t0, t1) = (self.t0, self.t1);
        let mut chart = ChartBuilder::on(&chart_area)
            .margin_right(RIGHT_MARGIN_PX)
            .margin_top(4)
            .x_label_area_size(X_AREA_PX)
            .y_label_area_size(Y_AREA_PX)
            .build_cartesian_2d(t0..t1, y0..y1)
            .map_err(render_error)?;
        let x_labels = (plot_w as usize / 80).clamp(3, 24);
        let x_dec = decimals_for(tick_step(t1 - t0, x_labels));
        let y_dec = decimals_for(tick_step(y1 - y0, 6));
        let x_fmt = |v: &f64| format_tick(*v, x_dec);
        let y_fmt = |v: &f64| format_tick(*v, y_dec);
        chart
            .configure_mesh()
            .x_desc("time (s)")
            .y_desc(self.y_desc.as_str())
            .x_labels(x_labels)
            .y_labels(6)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(font(12.0, false).color(&INK))
            .axis_desc_style(font(13.0, false).color(&MUTED))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(GRID_LIGHT.stroke_width(1))
            .axis_style(AXIS.stroke_width(1))
            .draw()
            .map_err(render_error)?;

        let px_per_s = plot_w as f64 / (t1 - t0);
        let to_px = |t: f64| plot_left as f64 + (t - t0) * px_per_s;

        // Gaps, under everything else.
        for &(a, b, filled) in &self.gaps {
            let (a, b) = (a.max(t0), b.min(t1));
            if b <= a {
                continue;
            }
            let colour = if filled { GAP_FILLED } else { GAP_MISSING };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, y0), (b, y1)],
                    colour.filled(),
                )))
                .map_err(render_error)?;
        }

        // Rep shading: complete reps in alternating blue tints, incomplete in vermillion.
        let mut complete_k = 0;
        for rep in &self.reps {
            let (a, b) = (rep.start_s.max(t0), rep.end_s.min(t1));
            if b < a {
                continue;
            }
            let fill = if rep.complete {
                complete_k += 1;
                COMPLETE.mix(if complete_k % 2 == 0 { 0.16 } else { 0.24 })
            } else {
                INCOMPLETE.mix(0.3)
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, y0), (b, y1)],
                    fill.filled(),
                )))
                .map_err(render_error)?;
            if !rep.complete {
                // A vermillion frame, so incomplete reps stand out even where tints blur.
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y0), (b, y1)],
                        INCOMPLETE.stroke_width(2),
                    )))
                    .map_err(render_error)?;
            }
        }

        // Sets: brackets along the bottom, labelled, and lines between sets.
        let span = y1 - y0;
        let bracket_y = y0 + 0.05 * span;
        let set_style = font(13.0, true)
            .color(&SET)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        for (k, set) in self.sets.iter().enumerate() {
            let (a, b) = (set.start_s.max(t0), set.end_s.min(t1));
            if b < a {
                continue;
            }
            let tick = 0.03 * span;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![
                        (a, bracket_y + tick),
                        (a, bracket_y),
                        (b, bracket_y),
                        (b, bracket_y + tick),
                    ],
                    SET.stroke_width(2),
                )))
                .map_err(render_error)?;
            let label = format!("set {} · {} rep{}", k + 1, set.reps, plural(set.reps));
            let room = ((b - a) * px_per_s) as i32;
            let label = if text_width(&chart_area, &label, &set_style) <= room {
                label
            } else {
                format!("{}", k + 1)
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    ((a + b) / 2.0, bracket_y + 0.01 * span),
                    set_style.clone(),
                )))
                .map_err(render_error)?;
        }

        // The lines: raw samples, then the smoothed signal and the rest level over them.
        let draw_line = |points: &[(f64, f64)], colour: RGBColor, width: u32| {
            for run in runs(points) {
                if let [single] = run {
                    chart
                        .plotting_area()
                        .draw(&Circle::new(*single, 2, colour.filled()))
                        .map_err(render_error)?;
                } else {
                    chart
                        .plotting_area()
                        .draw(&PathElement::new(run.to_vec(), colour.stroke_width(width)))
                        .map_err(render_error)?;
                }
            }
            Ok::<(), PlotError>(())
        };
        if self.smoothed.is_empty() {
            draw_line(&self.raw, SIGNAL, 2)?;
        } else {
            draw_line(&self.raw, RAW, 1)?;
            draw_line(&self.smoothed, SIGNAL, 2)?;
        }
        draw_line(&self.rest, MUTED, 1)?;

        // Holds: a bar at the held level, with the time held above it.
        let hold_style = font(13.0, true)
            .color(&HOLD)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        for h in &self.holds {
            let (a, b) = (h.start_s.max(t0), h.end_s.min(t1));
            if b < a {
                continue;
            }
            // Just beyond the held level (away from rest), so the signal stays visible.
            let away = if h.below { -1.0 } else { 1.0 };
            let bar_y = h.level + away * 0.035 * span;
            chart
                .draw_series(LineSeries::new(
                    [(a, bar_y), (b, bar_y)],
                    HOLD.stroke_width(5),
                ))
                .map_err(render_error)?;
            let room = (b - a) * px_per_s;
            let long = format!("held {:.1} s", h.duration_s);
            let short = format!("{:.0} s", h.duration_s);
            let label = [long, short]
                .into_iter()
                .find(|l| text_width(&chart_area, l, &hold_style) as f64 <= room);
            if let Some(label) = label {
                let (y, v) = if h.below {
                    (bar_y - 0.02 * span, VPos::Top)
                } else {
                    (bar_y + 0.02 * span, VPos::Bottom)
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        label,
                        ((a + b) / 2.0, y),
                        hold_style.clone().pos(Pos::new(HPos::Center, v)),
                    )))
                    .map_err(render_error)?;
            }
        }

        // Peaks.
        for rep in &self.reps {
            if let Some(p) = rep.peak.filter(|p| p.0 >= t0 && p.0 <= t1) {
                chart
                    .draw_series(std::iter::once(Circle::new(p, 5, PEAK.filled())))
                    .map_err(render_error)?;
                chart
                    .draw_series(std::iter::once(Circle::new(p, 2, WHITE.filled())))
                    .map_err(render_error)?;
            }
        }

        // Rep numbers along the top, skipping those that would overlap their neighbour.
        let number_y = y1 - 0.015 * span;
        let mut last_right = f64::NEG_INFINITY;
        for rep in &self.reps {
            let mid = (rep.start_s.max(t0) + rep.end_s.min(t1)) / 2.0;
            let (label, colour) = if rep.complete {
                (rep.index.to_string(), INK)
            } else {
                (format!("{} incomplete", rep.index), INCOMPLETE)
            };
            let style = font(14.0, true)
                .color(&colour)
                .pos(Pos::new(HPos::Center, VPos::Top));
            let mut label = label;
            let mut w = text_width(&chart_area, &label, &style) as f64;
            let band = (rep.end_s.min(t1) - rep.start_s.max(t0)) * px_per_s;
            if !rep.complete && w > band.max(0.0) + 8.0 {
                label = format!("{}✗", rep.index);
                w = text_width(&chart_area, &label, &style) as f64;
            }
            let (left, right) = (to_px(mid) - w / 2.0, to_px(mid) + w / 2.0);
            if left < last_right + 4.0 {
                continue;
            }
            last_right = right;
            chart
                .draw_series(std::iter::once(Text::new(label, (mid, number_y), style)))
                .map_err(render_error)?;
            // Why it is incomplete, under its number, when the band has room.
            if let (false, Some(why)) = (rep.complete, &rep.reason) {
                let why_style = font(12.0, false)
                    .color(&INCOMPLETE)
                    .pos(Pos::new(HPos::Center, VPos::Top));
                if text_width(&chart_area, why, &why_style) as f64 <= band - 6.0 {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            why.clone(),
                            (mid, number_y - 0.055 * span),
                            why_style,
                        )))
                        .map_err(render_error)?;
                }
            }
        }
        Ok(())
    }
}

/// One value per rep as bars (incomplete reps in vermillion), with reference lines.
fn draw_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, b: &Bars) -> Result<(), PlotError> {
    let area = area.margin(0, 0, LEFT_MARGIN_PX, 0);
    let (width, _) = area.dim_in_pixel();
    let (strip, chart_area) = area.split_vertically(STRIP_PX);
    let plot_left = Y_AREA_PX as i32;
    let plot_right = width as i32 - RIGHT_MARGIN_PX as i32;
    let [(good, good_label), (bad, bad_label)] = b.kinds;
    let mut keys = Vec::new();
    if b.bars.iter().any(|x| x.2) {
        keys.push((Key::Band(good.mix(0.7)), good_label.to_string()));
    }
    if b.bars.iter().any(|x| !x.2) {
        keys.push((Key::Band(bad.mix(0.8)), bad_label.into()));
    }
    for (_, label, colour) in &b.lines {
        keys.push((Key::Line(*colour), label.clone()));
    }
    draw_strip(&strip, &b.title, &keys, plot_left, plot_right)?;

    let n = b.bars.iter().map(|x| x.0).max().unwrap_or(1);
    let hi = b
        .bars
        .iter()
        .map(|x| x.1)
        .chain(b.lines.iter().map(|l| l.0))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let lo = b
        .bars
        .iter()
        .map(|x| x.1)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let hi = if hi - lo > 1e-9 { hi } else { lo + 1.0 };
    let (y0, y1) = (lo - 0.02 * (hi - lo), hi + 0.08 * (hi - lo));
    // At least 8 slots, so a few reps do not make wide slabs.
    let (x0, x1) = (0.4, n.max(8) as f64 + 0.6);
    let mut chart = ChartBuilder::on(&chart_area)
        .margin_right(RIGHT_MARGIN_PX)
        .margin_top(4)
        .x_label_area_size(X_AREA_PX)
        .y_label_area_size(Y_AREA_PX)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(render_error)?;
    let plot_w = (plot_right - plot_left).max(1) as usize;
    let x_labels = n.max(8).min(plot_w / 28).max(1);
    let y_dec = decimals_for(tick_step(y1 - y0, 5));
    let x_fmt = |v: &f64| {
        if (v - v.round()).abs() < 1e-6 && *v >= 1.0 && *v <= n as f64 + 1e-6 {
            format!("{}", v.round() as i64)
        } else {
            String::new()
        }
    };
    let y_fmt = |v: &f64| format_tick(*v, y_dec);
    chart
        .configure_mesh()
        .x_desc(b.x_desc)
        .y_desc(b.y_desc.as_str())
        .x_labels(x_labels + 1)
        .y_labels(5)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .disable_x_mesh()
        .max_light_lines(0)
        .label_style(font(12.0, false).color(&INK))
        .axis_desc_style(font(13.0, false).color(&MUTED))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(GRID_LIGHT.stroke_width(1))
        .axis_style(AXIS.stroke_width(1))
        .draw()
        .map_err(render_error)?;
    for &(i, v, complete) in &b.bars {
        if !v.is_finite() {
            continue;
        }
        let colour = if complete {
            good.mix(0.7)
        } else {
            bad.mix(0.8)
        };
        let x = i as f64;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.35, 0.0), (x + 0.35, v)],
                colour.filled(),
            )))
            .map_err(render_error)?;
    }
    for (v, _, colour) in &b.lines {
        chart
            .draw_series(LineSeries::new(
                [(x0, *v), (x1, *v)],
                colour.stroke_width(1),
            ))
            .map_err(render_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dorsi::reps::{analyze, Exercise, RepOptions};
    use dorsi::synth::exercise::{generate, Exercise as Synth, ExerciseParams};
    use dorsi::synth::imu::{simulate, Placement, SensorErrors};

    /// A synthetic session of `exercise` with an IMU on the working foot, read back from CSV.
    fn session(exercise: Synth, seed: u64) -> Recording {
        let params = ExerciseParams::new(exercise);
        let (session, _) = generate(&params, seed);
        let imu = simulate(
            &session,
            &[Placement::foot(params.side)],
            50.0,
            &SensorErrors::default(),
            seed,
        );
        dorsi::io::read_bytes("session.csv", imu.to_csv().as_bytes(), &Default::default())
            .expect("the synthetic CSV reads")
    }

    #[test]
    fn png_and_svg_are_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (synth, exercise) in [
            (Synth::HeelRaise, Exercise::HeelRaise),
            (Synth::TowelStretch, Exercise::TowelStretch),
        ] {
            let rec = session(synth, 3);
            let a = analyze(&rec, &RepOptions::new(exercise)).expect("analysed");
            assert!(!a.report.reps.is_empty());
            let png = dir.path().join(format!("{}.png", exercise.name()));
            plot_reps(&rec, &a, &png).expect("PNG written");
            let bytes = std::fs::read(&png).expect("the PNG");
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000);
            let svg = dir.path().join(format!("{}.SVG", exercise.name()));
            plot_reps(&rec, &a, &svg).expect("SVG written");
            let text = std::fs::read_to_string(&svg).expect("the SVG");
            assert!(text.starts_with("<svg"), "{}", &text[..80.min(text.len())]);
            assert!(text.contains(&exercise_title(exercise.name())));
            assert!(text.contains("prescription"));
        }
        // A bad extension is refused, and nothing is left behind.
        let rec = session(Synth::HeelRaise, 4);
        let a = analyze(&rec, &RepOptions::new(Exercise::HeelRaise)).expect("analysed");
        let bad = dir.path().join("reps.jpg");
        assert!(matches!(
            plot_reps(&rec, &a, &bad),
            Err(PlotError::UnsupportedFormat { .. })
        ));
        assert!(!bad.exists());
    }

    #[test]
    fn names_read_well() {
        assert_eq!(exercise_title("heel_raise"), "Heel raise");
        assert_eq!(unit_suffix("deg"), "°");
        assert_eq!(unit_suffix("1"), "");
        assert_eq!(unit_axis("m"), " (m)");
        assert_eq!(median(&[3.0, 1.0, f64::NAN, 2.0]), Some(2.0));
        assert_eq!(median(&[]), None);
    }
}
