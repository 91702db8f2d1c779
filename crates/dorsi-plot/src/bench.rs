//! The benchmark plot: per scored dataset, the F1 of initial and final contacts at each
//! matching tolerance, and the timing error of the events matched within 50 ms.

use std::path::Path;

use dorsi::detect::EventKind;
use dorsi::eval::events::{ErrorStats, PooledEventScore};
use dorsi::eval::run::{DatasetScore, Outcome, Status};
use plotters::coord::Shift;
use plotters::prelude::{
    ChartBuilder, Circle, Color, DrawingArea, DrawingBackend, EmptyElement, PathElement, RGBColor,
    Rectangle, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::draw::{fit_text, fit_text_middle, font, render_error, text_width, SERIES_COLOURS};
use crate::output::{write_image, Draw, ImageFormat};
use crate::PlotError;

/// The tolerance whose matched pairs give the timing error, s.
const TIMING_TOLERANCE_S: f64 = 0.050;

const WIDTH_PX: i32 = 1500;
const HEADER_PX: i32 = 62;
const LEGEND_PX: i32 = 30;
const TITLES_PX: i32 = 26;
const ROW_PX: i32 = 52;
const X_AXIS_PX: i32 = 44;
const FOOTNOTE_PX: i32 = 30;
const LEFT_PX: i32 = 14;
/// The dataset-label column, px.
const LABEL_PX: i32 = 300;
const F1_PX: i32 = 330;
const F1_GAP_PX: i32 = 46;
const TIMING_GAP_PX: i32 = 44;
const MAE_PX: i32 = 96;
const RIGHT_PX: i32 = 20;

const INK: RGBColor = RGBColor(34, 34, 34);
const MUTED: RGBColor = RGBColor(100, 100, 100);
const GRID: RGBColor = RGBColor(222, 222, 222);
const ROW_SHADE: RGBColor = RGBColor(246, 246, 246);
const AXIS: RGBColor = RGBColor(120, 120, 120);
/// Initial and final contacts in the timing panel.
const IC_COLOUR: RGBColor = SERIES_COLOURS[1];
const FC_COLOUR: RGBColor = SERIES_COLOURS[2];

/// One scored dataset, as drawn.
struct Row<'a> {
    name: &'a str,
    note: String,
    ic: Option<&'a PooledEventScore>,
    fc: Option<&'a PooledEventScore>,
}

/// Draws the benchmark results and writes them to `path`: one row per dataset with gait
/// events scored, horizontal bars of the F1 of initial and final contacts at each matching
/// tolerance, and the timing error (detected − reference, mean ± SD, and the MAE) of the
/// events matched within 50 ms. Datasets nothing scored are counted in a footnote, by
/// reason (`outcomes` gives the reasons).
///
/// The format comes from the extension (`.png` or `.svg`, any case); the file is written
/// atomically (a temporary file in the same directory, then renamed).
///
/// # Errors
///
/// [`PlotError::UnsupportedFormat`] for another extension, [`PlotError::Io`] when the file
/// cannot be written.
pub fn plot_bench(
    datasets: &[DatasetScore],
    outcomes: &[Outcome],
    path: &Path,
) -> Result<(), PlotError> {
    let format = ImageFormat::from_path(path)?;
    crate::register_fonts()?;
    let fig = BenchFigure::new(datasets, outcomes);
    let (width, height) = (WIDTH_PX as u32, fig.height_px() as u32);
    write_image(path, format, (width, height), &fig)
}

impl Draw for BenchFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        self.render(root)
    }
}

/// Datasets left out of the figure for one reason.
struct Skipped<'a> {
    /// Scored, but on something else than gait events.
    scored: bool,
    why: &'static str,
    datasets: Vec<&'a DatasetScore>,
}

/// `not scored: 101 datasets (no detector yet: 9 gait_events, 90 reps, 2 foot_drop) · 1
/// dataset (failed: x)`, then the datasets scored on other tasks.
fn footnote(skipped: &[Skipped]) -> String {
    let describe = |g: &Skipped| {
        let n = g.datasets.len();
        let what = format!("{n} dataset{}", if n == 1 { "" } else { "s" });
        let mut tasks: Vec<(&str, usize)> = Vec::new();
        for d in &g.datasets {
            match tasks.iter_mut().find(|(t, _)| *t == d.task) {
                Some((_, k)) => *k += 1,
                None => tasks.push((&d.task, 1)),
            }
        }
        // A few names help when there are few; ninety do not.
        let detail = if n <= 3 {
            g.datasets
                .iter()
                .map(|d| d.dataset.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        } else if tasks.len() > 1 {
            tasks
                .iter()
                .map(|(t, k)| format!("{k} {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            tasks.first().map_or(String::new(), |(t, _)| t.to_string())
        };
        format!("{what} ({}: {detail})", g.why)
    };
    let part = |scored: bool, lead: &str| {
        let groups: Vec<String> = skipped
            .iter()
            .filter(|g| g.scored == scored)
            .map(describe)
            .collect();
        (!groups.is_empty()).then(|| format!("{lead}: {}", groups.join(" · ")))
    };
    [
        part(false, "not scored"),
        part(true, "scored, not drawn here"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("  |  ")
}

struct BenchFigure<'a> {
    rows: Vec<Row<'a>>,
    tolerances_s: Vec<f64>,
    subtitle: String,
    footnote: String,
}

impl<'a> BenchFigure<'a> {
    fn new(datasets: &'a [DatasetScore], outcomes: &[Outcome]) -> Self {
        let kind = |d: &'a DatasetScore, k: EventKind| {
            d.events
                .iter()
                .find(|e| e.kind == k.name())
                .map(|e| &e.score)
        };
        let mut rows = Vec::new();
        // Datasets not drawn, grouped by reason (in order of appearance): nothing scored
        // (`true`), or scored on another task (`false`).
        let mut skipped: Vec<Skipped<'a>> = Vec::new();
        let mut skip = |scored: bool, why: &'static str, d: &'a DatasetScore| match skipped
            .iter_mut()
            .find(|g| g.scored == scored && g.why == why)
        {
            Some(g) => g.datasets.push(d),
            None => skipped.push(Skipped {
                scored,
                why,
                datasets: vec![d],
            }),
        };
        for d in datasets {
            if d.scored == 0 {
                let status = outcomes
                    .iter()
                    .find(|o| o.dataset == d.dataset)
                    .map(|o| &o.status);
                let why = match status {
                    Some(Status::NoDetector(_)) => "no detector yet",
                    Some(Status::Failed(_)) => "failed",
                    _ => "nothing to score",
                };
                skip(false, why, d);
                continue;
            }
            let (ic, fc) = (
                kind(d, EventKind::InitialContact),
                kind(d, EventKind::FinalContact),
            );
            if ic.is_none() && fc.is_none() {
                // Repetitions, foot drop...: other figures' business.
                skip(true, "other tasks", d);
                continue;
            }
            let mut note = format!(
                "{} recording{}",
                d.scored,
                if d.scored == 1 { "" } else { "s" }
            );
            if d.not_scored > 0 {
                note.push_str(&format!(" · {} not scored", d.not_scored));
            }
            let refs: usize = d.events.iter().map(|e| e.score.reference_count).sum();
            note.push_str(&format!(" · {refs} reference events"));
            rows.push(Row {
                name: &d.dataset,
                note,
                ic,
                fc,
            });
        }

        let mut tolerances_s: Vec<f64> = rows
            .iter()
            .flat_map(|r| [r.ic, r.fc])
            .flatten()
            .flat_map(|s| s.per_tolerance.iter().map(|m| m.tolerance_s))
            .filter(|t| t.is_finite())
            .collect();
        tolerances_s.sort_by(f64::total_cmp);
        tolerances_s.dedup_by(|a, b| (*a - *b).abs() < 1e-9);

        let recordings: usize = datasets
            .iter()
            .filter(|d| rows.iter().any(|r| r.name == d.dataset))
            .map(|d| d.scored)
            .sum();
        let mut detectors: Vec<&str> = datasets
            .iter()
            .filter(|d| rows.iter().any(|r| r.name == d.dataset))
            .map(|d| d.detector.as_str())
            .collect();
        detectors.sort_unstable();
        detectors.dedup();
        let subtitle = if rows.is_empty() {
            "no dataset had gait events scored".to_string()
        } else {
            format!(
                "{} dataset{} scored ({} recording{}) · detector{} {} · F1 pooled over sides \
                 and recordings; timing error of the events matched within {}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                recordings,
                if recordings == 1 { "" } else { "s" },
                if detectors.len() == 1 { "" } else { "s" },
                detectors.join(", "),
                format_ms(TIMING_TOLERANCE_S)
            )
        };
        let footnote = footnote(&skipped);
        BenchFigure {
            rows,
            tolerances_s,
            subtitle,
            footnote,
        }
    }

    fn rows_top_px(&self) -> i32 {
        HEADER_PX + LEGEND_PX + TITLES_PX
    }

    fn height_px(&self) -> i32 {
        let body = if self.rows.is_empty() {
            40
        } else {
            self.rows.len() as i32 * ROW_PX + X_AXIS_PX
        };
        self.rows_top_px() + body + FOOTNOTE_PX
    }

    /// Left edges of the two F1 panels, the timing panel and the MAE column, px.
    fn columns() -> [i32; 4] {
        let ic = LEFT_PX + LABEL_PX;
        let fc = ic + F1_PX + F1_GAP_PX;
        let timing = fc + F1_PX + TIMING_GAP_PX;
        let mae = WIDTH_PX - RIGHT_PX - MAE_PX;
        [ic, fc, timing, mae]
    }

    fn render<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE).map_err(render_error)?;
        let max_text = WIDTH_PX - LEFT_PX - RIGHT_PX;
        let title_style = font(21.0, true).color(&INK);
        root.draw_text(
            "Dorsi benchmark — gait event detection",
            &title_style,
            (LEFT_PX, 10),
        )
        .map_err(render_error)?;
        let sub_style = font(14.0, false).color(&MUTED);
        let subtitle = fit_text(root, &self.subtitle, &sub_style, max_text);
        root.draw_text(&subtitle, &sub_style, (LEFT_PX, 38))
            .map_err(render_error)?;
        let foot_style = font(13.0, false).color(&MUTED);
        let footnote = fit_text(root, &self.footnote, &foot_style, max_text);
        root.draw_text(
            &footnote,
            &foot_style,
            (LEFT_PX, self.height_px() - FOOTNOTE_PX + 8),
        )
        .map_err(render_error)?;
        if self.rows.is_empty() {
            return Ok(());
        }
        self.draw_legend(root)?;
        self.draw_rows(root)?;
        let [ic_x, fc_x, timing_x, mae_x] = Self::columns();
        self.draw_f1(root, ic_x, "initial contact — F1", |r| r.ic)?;
        self.draw_f1(root, fc_x, "final contact — F1", |r| r.fc)?;
        self.draw_timing(root, timing_x, mae_x - timing_x - 16, mae_x)
    }

    /// The tolerance swatches above the F1 panels, the markers above the timing panel.
    fn draw_legend<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), PlotError> {
        let [ic_x, _, timing_x, _] = Self::columns();
        let y = HEADER_PX + LEGEND_PX / 2;
        let style = font(13.0, false)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let mut x = ic_x;
        let lead = "matching tolerance:";
        root.draw_text(lead, &style, (x, y)).map_err(render_error)?;
        x += text_width(root, lead, &style) + 12;
        for (j, &t) in self.tolerances_s.iter().enumerate() {
            root.draw(&Rectangle::new(
                [(x, y - 6), (x + 16, y + 6)],
                self.tolerance_colour(j).filled(),
            ))
            .map_err(render_error)?;
            x += 21;
            let label = format_ms(t);
            root.draw_text(&label, &style, (x, y))
                .map_err(render_error)?;
            x += text_width(root, &label, &style) + 16;
        }

        let mut x = timing_x;
        for (label, colour, square) in [
            ("initial contact", IC_COLOUR, false),
            ("final contact", FC_COLOUR, true),
        ] {
            root.draw(&PathElement::new(
                vec![(x, y), (x + 22, y)],
                colour.stroke_width(2),
            ))
            .map_err(render_error)?;
            draw_marker(root, (x + 11, y), colour, square)?;
            x += 28;
            root.draw_text(label, &style, (x, y))
                .map_err(render_error)?;
            x += text_width(root, label, &style) + 18;
        }
        root.draw_text("mean ± SD", &style.color(&MUTED), (x, y))
            .map_err(render_error)?;
        Ok(())
    }

    /// Row shading and the dataset labels.
    fn draw_rows<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), PlotError> {
        let top = self.rows_top_px();
        let name_style = font(13.5, false)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let note_style = font(11.0, false)
            .color(&MUTED)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let room = LABEL_PX - 14;
        for (i, row) in self.rows.iter().enumerate() {
            let y0 = top + i as i32 * ROW_PX;
            if i % 2 == 1 {
                root.draw(&Rectangle::new(
                    [(LEFT_PX - 6, y0), (WIDTH_PX - RIGHT_PX + 6, y0 + ROW_PX)],
                    ROW_SHADE.filled(),
                ))
                .map_err(render_error)?;
            }
            let name = fit_text_middle(root, row.name, &name_style, room);
            root.draw_text(&name, &name_style, (LEFT_PX, y0 + ROW_PX / 2 - 8))
                .map_err(render_error)?;
            let note = fit_text(root, &row.note, &note_style, room);
            root.draw_text(&note, &note_style, (LEFT_PX, y0 + ROW_PX / 2 + 10))
                .map_err(render_error)?;
        }
        Ok(())
    }

    /// The colour of the `j`th tolerance: stricter tolerances darker.
    fn tolerance_colour(&self, j: usize) -> RGBColor {
        const DARK: (f64, f64, f64) = (8.0, 48.0, 107.0);
        const LIGHT: (f64, f64, f64) = (150.0, 196.0, 226.0);
        let n = self.tolerances_s.len();
        let f = if n <= 1 {
            0.3
        } else {
            j as f64 / (n - 1) as f64
        };
        let mix = |a: f64, b: f64| (a + (b - a) * f).round() as u8;
        RGBColor(
            mix(DARK.0, LIGHT.0),
            mix(DARK.1, LIGHT.1),
            mix(DARK.2, LIGHT.2),
        )
    }

    fn draw_f1<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        x0: i32,
        title: &str,
        pick: impl Fn(&Row<'a>) -> Option<&'a PooledEventScore>,
    ) -> Result<(), PlotError> {
        let n = self.rows.len();
        let top = self.rows_top_px();
        let title_style = font(15.0, true)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        root.draw_text(title, &title_style, (x0, top - TITLES_PX / 2))
            .map_err(render_error)?;
        let area = root.clone().shrink(
            (x0, top),
            (F1_PX as u32, (n as i32 * ROW_PX + X_AXIS_PX) as u32),
        );
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(X_AXIS_PX as u32)
            .build_cartesian_2d(0.0..1.0, 0.0..n as f64)
            .map_err(render_error)?;
        let x_fmt = |v: &f64| format!("{v:.1}");
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_labels(6)
            .x_label_formatter(&x_fmt)
            .x_desc("F1")
            .label_style(font(12.0, false).color(&INK))
            .axis_desc_style(font(13.0, false).color(&MUTED))
            .bold_line_style(GRID.stroke_width(1))
            .max_light_lines(0)
            .axis_style(AXIS.stroke_width(1))
            .draw()
            .map_err(render_error)?;
        let value_style = font(10.0, false).pos(Pos::new(HPos::Left, VPos::Center));
        let none_style = font(12.0, false)
            .color(&MUTED)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let n_tol = self.tolerances_s.len().max(1);
        let band = 0.84 / n_tol as f64;
        for (i, row) in self.rows.iter().enumerate() {
            let centre = n as f64 - i as f64 - 0.5;
            let Some(score) = pick(row) else {
                let (px, py) = chart.backend_coord(&(0.0, centre));
                root.draw_text("not labelled", &none_style, (px + 8, py))
                    .map_err(render_error)?;
                continue;
            };
            for (j, &t) in self.tolerances_s.iter().enumerate() {
                let Some(m) = score
                    .per_tolerance
                    .iter()
                    .find(|m| (m.tolerance_s - t).abs() < 1e-9)
                else {
                    continue;
                };
                let f1 = m.detection.f1;
                if !f1.is_finite() {
                    continue;
                }
                let f1 = f1.clamp(0.0, 1.0);
                let hi = centre + 0.42 - j as f64 * band;
                let lo = hi - band * 0.86;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, lo), (f1, hi)],
                        self.tolerance_colour(j).filled(),
                    )))
                    .map_err(render_error)?;
                // The value: inside the bar's end when there is room, else after it.
                let label = format!("{f1:.2}");
                let w = text_width(root, &label, &value_style);
                let (end_x, mid_y) = chart.backend_coord(&(f1, (lo + hi) / 2.0));
                let (start_x, _) = chart.backend_coord(&(0.0, lo));
                let light_bar = j * 2 >= n_tol;
                let (x, colour) = if end_x - start_x > w + 8 {
                    (end_x - w - 3, if light_bar { INK } else { WHITE })
                } else {
                    (end_x + 3, INK)
                };
                root.draw_text(&label, &value_style.color(&colour), (x, mid_y))
                    .map_err(render_error)?;
            }
        }
        Ok(())
    }

    fn draw_timing<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        x0: i32,
        width: i32,
        mae_x: i32,
    ) -> Result<(), PlotError> {
        let n = self.rows.len();
        let top = self.rows_top_px();
        let title_style = font(15.0, true)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let title = format!(
            "timing error, matched within {}",
            format_ms(TIMING_TOLERANCE_S)
        );
        root.draw_text(&title, &title_style, (x0, top - TITLES_PX / 2))
            .map_err(render_error)?;
        root.draw_text("MAE (ms)", &title_style, (mae_x, top - TITLES_PX / 2))
            .map_err(render_error)?;

        // Symmetric about zero, wide enough for every mean ± SD.
        let reach_ms = self
            .rows
            .iter()
            .flat_map(|r| [stats(r.ic), stats(r.fc)])
            .flatten()
            .filter_map(|e| e.mean_s.map(|m| m.abs() + e.sd_s.unwrap_or(0.0)))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
            * 1000.0;
        let half = ((reach_ms * 1.08 / 10.0).ceil() * 10.0).max(10.0);

        let area = root.clone().shrink(
            (x0, top),
            (width as u32, (n as i32 * ROW_PX + X_AXIS_PX) as u32),
        );
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(X_AXIS_PX as u32)
            .build_cartesian_2d(-half..half, 0.0..n as f64)
            .map_err(render_error)?;
        let x_fmt = |v: &f64| format_signed(*v);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_labels(9)
            .x_label_formatter(&x_fmt)
            .x_desc("detected − reference (ms; positive = late)")
            .label_style(font(12.0, false).color(&INK))
            .axis_desc_style(font(13.0, false).color(&MUTED))
            .bold_line_style(GRID.stroke_width(1))
            .max_light_lines(0)
            .axis_style(AXIS.stroke_width(1))
            .draw()
            .map_err(render_error)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n as f64)],
                INK.stroke_width(1),
            )))
            .map_err(render_error)?;

        let value_style = font(12.5, false).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, row) in self.rows.iter().enumerate() {
            let centre = n as f64 - i as f64 - 0.5;
            for (score, colour, square, dy) in [
                (row.ic, IC_COLOUR, false, 0.2),
                (row.fc, FC_COLOUR, true, -0.2),
            ] {
                let y = centre + dy;
                let (_, py) = chart.backend_coord(&(0.0, y));
                let e = stats(score);
                let mae = e
                    .and_then(|e| e.mae_s)
                    .map_or("–".to_string(), |v| format!("{:.1}", v * 1000.0));
                let kind = if square { "FC" } else { "IC" };
                let count = e.map_or(0, |e| e.count);
                root.draw_text(
                    &format!("{kind} {mae}"),
                    &value_style.color(&colour),
                    (mae_x, py),
                )
                .map_err(render_error)?;
                let Some(mean) = e.and_then(|e| e.mean_s).filter(|m| m.is_finite()) else {
                    if score.is_some() {
                        let (left, _) = chart.backend_coord(&(-half, y));
                        root.draw_text(
                            &format!(
                                "{kind}: none matched within {}",
                                format_ms(TIMING_TOLERANCE_S)
                            ),
                            &font(12.0, false)
                                .color(&MUTED)
                                .pos(Pos::new(HPos::Left, VPos::Center)),
                            (left + 8, py),
                        )
                        .map_err(render_error)?;
                    }
                    continue;
                };
                let mean = mean * 1000.0;
                if let Some(sd) = e.and_then(|e| e.sd_s).filter(|s| s.is_finite()) {
                    let sd = sd * 1000.0;
                    let (a, b) = ((mean - sd).max(-half), (mean + sd).min(half));
                    let (ax, _) = chart.backend_coord(&(a, y));
                    let (bx, _) = chart.backend_coord(&(b, y));
                    let style = colour.stroke_width(2);
                    root.draw(&PathElement::new(vec![(ax, py), (bx, py)], style))
                        .map_err(render_error)?;
                    for x in [ax, bx] {
                        root.draw(&PathElement::new(vec![(x, py - 5), (x, py + 5)], style))
                            .map_err(render_error)?;
                    }
                }
                let (mx, _) = chart.backend_coord(&(mean.clamp(-half, half), y));
                draw_marker(root, (mx, py), colour, square)?;
                // Few matched pairs make a shaky mean: say how many.
                if count < 20 {
                    let note = format!("n={count}");
                    root.draw_text(
                        &note,
                        &font(10.0, false)
                            .color(&MUTED)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                        (mx + 8, py - 8),
                    )
                    .map_err(render_error)?;
                }
            }
        }
        Ok(())
    }
}

/// The timing error of the pairs matched within [`TIMING_TOLERANCE_S`].
fn stats(score: Option<&PooledEventScore>) -> Option<&ErrorStats> {
    score
        .and_then(|s| {
            s.per_tolerance
                .iter()
                .find(|m| (m.tolerance_s - TIMING_TOLERANCE_S).abs() < 1e-9)
        })
        .map(|m| &m.timing_error)
}

/// A filled circle (initial contact) or square (final contact) with a white rim.
fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    colour: RGBColor,
    square: bool,
) -> Result<(), PlotError> {
    if square {
        root.draw(
            &(EmptyElement::at(at)
                + Rectangle::new([(-6, -6), (6, 6)], WHITE.filled())
                + Rectangle::new([(-4, -4), (4, 4)], colour.filled())),
        )
    } else {
        root.draw(
            &(EmptyElement::at(at)
                + Circle::new((0, 0), 6, WHITE.filled())
                + Circle::new((0, 0), 5, colour.filled())),
        )
    }
    .map_err(render_error)
}

/// A tolerance in ms (`30 ms`, `12.5 ms`).
fn format_ms(s: f64) -> String {
    let ms = s * 1000.0;
    if (ms - ms.round()).abs() < 1e-6 {
        format!("{} ms", ms.round())
    } else {
        format!("{ms:.1} ms")
    }
}

/// A tick label with a typographic minus and no `-0`.
fn format_signed(v: f64) -> String {
    let s = format!("{v:.0}");
    match s.strip_prefix('-') {
        Some("0") => "0".into(),
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use dorsi::detect::{DetectedEvent, EventKind};
    use dorsi::eval::events::EventScorer;
    use dorsi::eval::run::{pool_by_dataset, score_events, Outcome, Status};
    use dorsi::eval::truth::{self, Truth, TruthEvent};

    use super::*;

    /// Strides every second on both feet: contacts at `t`, final contacts 0.6 s later.
    fn truth(n: usize) -> Truth {
        let mut events = Vec::new();
        for side in ["left", "right"] {
            let shift = if side == "left" { 0.0 } else { 0.5 };
            for i in 0..n {
                let t = 1.0 + i as f64 + shift;
                for (kind, dt) in [
                    (truth::EventKind::InitialContact, 0.0),
                    (truth::EventKind::FinalContact, 0.6),
                ] {
                    events.push(TruthEvent {
                        side: Some(side.into()),
                        kind,
                        time_s: t + dt,
                    });
                }
            }
        }
        Truth {
            events,
            ..Truth::default()
        }
    }

    /// The truth's events detected `late_s` late, with every `miss`th one missed.
    fn detected(truth: &Truth, late_s: f64, miss: usize) -> Vec<DetectedEvent> {
        truth
            .events
            .iter()
            .enumerate()
            .filter(|(i, _)| i % miss != 0)
            .map(|(i, e)| DetectedEvent {
                side: e.side.clone(),
                kind: match e.kind {
                    truth::EventKind::InitialContact => EventKind::InitialContact,
                    _ => EventKind::FinalContact,
                },
                // A little jitter so the SD is not zero.
                time_s: e.time_s + late_s + 0.004 * ((i % 5) as f64 - 2.0),
            })
            .collect()
    }

    fn outcome(dataset: &str, name: &str, status: Status, late_s: f64, miss: usize) -> Outcome {
        let scored = status == Status::Scored;
        let t = truth(30);
        Outcome {
            name: name.into(),
            dataset: dataset.into(),
            task: "gait_events".into(),
            detector: "gait_imu".into(),
            status,
            samples: 3000,
            detect_s: 0.01,
            events: if scored {
                score_events(&detected(&t, late_s, miss), &t, &EventScorer::default())
                    .expect("score events")
            } else {
                Vec::new()
            },
            strides: None,
            reps: None,
            sides: None,
        }
    }

    fn outcomes() -> Vec<Outcome> {
        let mut out = vec![
            outcome("healthy_foot_imu", "healthy/1", Status::Scored, 0.012, 7),
            outcome("healthy_foot_imu", "healthy/2", Status::Scored, 0.008, 9),
            outcome(
                "a_very_long_dataset_name_of_a_parkinsons_cohort_with_many_parts_tilted",
                "pd/1",
                Status::Scored,
                -0.02,
                3,
            ),
            outcome(
                "broken_recording",
                "broken/1",
                Status::Failed("cannot read".into()),
                0.0,
                1,
            ),
        ];
        for i in 0..5 {
            out.push(outcome(
                &format!("lowerback_{i}"),
                &format!("lowerback_{i}/1"),
                Status::NoDetector("no gait_lowerback detector".into()),
                0.0,
                1,
            ));
        }
        out
    }

    #[test]
    fn figure_lists_scored_datasets_and_counts_the_rest() {
        let outcomes = outcomes();
        let datasets = pool_by_dataset(&outcomes);
        let fig = BenchFigure::new(&datasets, &outcomes);
        let names: Vec<&str> = fig.rows.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), 2);
        assert_eq!(names[0], "healthy_foot_imu");
        assert_eq!(fig.tolerances_s, vec![0.03, 0.05, 0.1, 0.25]);
        assert_eq!(
            fig.footnote,
            "not scored: 1 dataset (failed: broken_recording) · 5 datasets (no detector yet: \
             gait_events)"
        );
        assert!(fig.rows[0].note.starts_with("2 recordings"));
    }

    #[test]
    fn png_and_svg_are_written() {
        let outcomes = outcomes();
        let datasets = pool_by_dataset(&outcomes);
        let dir = tempfile::tempdir().expect("tempdir");
        let png = dir.path().join("bench.png");
        plot_bench(&datasets, &outcomes, &png).expect("plot png");
        let bytes = std::fs::read(&png).expect("read png");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let svg = dir.path().join("bench.SVG");
        plot_bench(&datasets, &outcomes, &svg).expect("plot svg");
        let text = std::fs::read_to_string(&svg).expect("read svg");
        assert!(text.starts_with("<svg"));
        assert!(text.contains("healthy_foot_imu"));
        // The long name is shortened in the middle, keeping both ends.
        assert!(text.contains("a_very_long_dataset"));
        assert!(text.contains("…"));
        assert!(text.contains("not scored: 1 dataset (failed: broken_recording)"));
        // Only the two plots are left: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).expect("read dir").count(), 2);
    }

    #[test]
    fn nothing_scored_still_draws_and_bad_extensions_are_refused() {
        let outcomes: Vec<Outcome> = outcomes()
            .into_iter()
            .filter(|o| o.status != Status::Scored)
            .collect();
        let datasets = pool_by_dataset(&outcomes);
        let dir = tempfile::tempdir().expect("tempdir");
        let svg = dir.path().join("empty.svg");
        plot_bench(&datasets, &outcomes, &svg).expect("plot svg");
        let text = std::fs::read_to_string(&svg).expect("read svg");
        assert!(text.contains("no dataset had gait events scored"));
        assert!(matches!(
            plot_bench(&datasets, &outcomes, &dir.path().join("bench.jpg")),
            Err(PlotError::UnsupportedFormat { .. })
        ));
        assert!(matches!(
            plot_bench(&[], &[], &dir.path().join("missing").join("b.png")),
            Err(PlotError::Io { .. })
        ));
    }
}
