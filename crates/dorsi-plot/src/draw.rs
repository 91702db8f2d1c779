//! Drawing: the figure's layout, panels, legends, ticks and gap shading.

use plotters::coord::Shift;
use plotters::prelude::{
    ChartBuilder, Circle, Color, DrawingArea, DrawingAreaErrorKind, DrawingBackend, IntoFont,
    LineSeries, PathElement, RGBColor, Rectangle, TextStyle, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use crate::decimate::{runs, value_range};
use crate::PlotError;

/// Height of one panel, px.
pub(crate) const PANEL_HEIGHT_PX: u32 = 220;
/// Height of the figure's title block, px.
pub(crate) const HEADER_HEIGHT_PX: u32 = 62;
/// Padding below the last panel, px.
pub(crate) const BOTTOM_PAD_PX: u32 = 6;
/// Height of the title-and-legend line above each chart, px.
const STRIP_HEIGHT_PX: u32 = 24;
/// Width of the y-axis labels, px.
pub(crate) const Y_AREA_PX: u32 = 84;
/// Height of the x-axis labels, px.
const X_AREA_PX: u32 = 42;
/// Space right of each chart, px.
pub(crate) const RIGHT_MARGIN_PX: u32 = 24;
/// Space left of the figure, px.
pub(crate) const LEFT_MARGIN_PX: u32 = 6;
/// Where a panel title starts when it does not fit above the plotting area alone, px.
const TITLE_X_PX: i32 = 4;

pub(crate) const INK: RGBColor = RGBColor(34, 34, 34);
pub(crate) const MUTED: RGBColor = RGBColor(90, 90, 90);
pub(crate) const GRID: RGBColor = RGBColor(228, 228, 228);
pub(crate) const GRID_LIGHT: RGBColor = RGBColor(245, 245, 245);
pub(crate) const AXIS: RGBColor = RGBColor(120, 120, 120);
/// Shading of gaps left as `NaN` (no data).
const GAP_MISSING: RGBColor = RGBColor(208, 208, 208);
/// Shading of gaps filled by interpolation.
const GAP_FILLED: RGBColor = RGBColor(236, 236, 236);
/// x, y, z (Okabe–Ito blue, vermillion, bluish green: distinct for colour-blind readers).
pub(crate) const AXIS_COLOURS: [RGBColor; 3] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
];
/// Other series, in order (Okabe–Ito).
pub(crate) const SERIES_COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(60, 60, 60),
];

/// One line of a panel: decimated `(time_s, value)` points, `NaN` values breaking it.
pub(crate) struct Series {
    pub(crate) label: String,
    pub(crate) colour: RGBColor,
    pub(crate) points: Vec<(f64, f64)>,
}

/// One panel: a title, a y-axis label and its lines.
pub(crate) struct Panel {
    pub(crate) title: String,
    pub(crate) y_desc: String,
    pub(crate) series: Vec<Series>,
    /// The IMU, point or signal names drawn (to match gaps that concern one of them).
    pub(crate) names: Vec<String>,
}

/// A gap to shade.
pub(crate) struct GapBand {
    pub(crate) start_s: f64,
    pub(crate) end_s: f64,
    pub(crate) filled: bool,
    /// The IMU, point or signal the gap concerns; `None` for all panels.
    pub(crate) only: Option<String>,
}

/// The whole figure, ready to draw.
pub(crate) struct Figure {
    pub(crate) title: String,
    pub(crate) subtitle: String,
    pub(crate) t0: f64,
    pub(crate) t1: f64,
    pub(crate) gaps: Vec<GapBand>,
    pub(crate) panels: Vec<Panel>,
}

/// The smallest step of 1, 2 or 5 × 10^k giving at most `max_labels` ticks over `span`.
pub(crate) fn tick_step(span: f64, max_labels: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let max_labels = max_labels.max(2) as f64;
    let mut scale = 10f64.powf((span / max_labels).log10().floor());
    loop {
        for m in [1.0, 2.0, 5.0] {
            let step = scale * m;
            if (span / step).floor() + 1.0 <= max_labels {
                return step;
            }
        }
        scale *= 10.0;
    }
}

pub(crate) fn decimals_for(step: f64) -> usize {
    let d = -(step.log10().floor());
    if d.is_finite() && d > 0.0 {
        (d as usize).min(8)
    } else {
        0
    }
}

/// A tick label with a typographic minus and no `-0`.
pub(crate) fn format_tick(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// The y range of a panel: the data with a margin, never empty.
fn y_range(panel: &Panel) -> (f64, f64) {
    let range = panel
        .series
        .iter()
        .filter_map(|s| value_range(&s.points))
        .fold(None, |acc: Option<(f64, f64)>, (lo, hi)| match acc {
            None => Some((lo, hi)),
            Some((a, b)) => Some((a.min(lo), b.max(hi))),
        });
    match range {
        None => (-1.0, 1.0),
        Some((lo, hi)) => {
            let span = hi - lo;
            if span <= 1e-9 * lo.abs().max(hi.abs()).max(1e-9) {
                let half = (hi.abs() * 0.1).max(1e-3);
                (lo - half, hi + half)
            } else {
                (lo - 0.06 * span, hi + 0.06 * span)
            }
        }
    }
}

pub(crate) fn font<'a>(size: f64, bold: bool) -> TextStyle<'a> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    TextStyle::from(("sans-serif", size, style).into_font())
}

/// Labels without the prefix they all share (`left_heel`, `left_ankle` -> `heel`, `ankle`;
/// `LHeel`, `LAnkle` -> `Heel`, `Ankle`), when it ends at a separator or is a side letter.
fn strip_shared_prefix(labels: &[String]) -> Vec<String> {
    let keep = || labels.to_vec();
    let Some(first) = labels.first() else {
        return keep();
    };
    if labels.len() < 2 {
        return keep();
    }
    let first: Vec<char> = first.chars().collect();
    let shared = labels[1..].iter().fold(first.len(), |len, l| {
        l.chars()
            .zip(&first)
            .take(len)
            .take_while(|(a, b)| a == *b)
            .count()
    });
    let is_sep = |c: char| matches!(c, '_' | '.' | '/' | '-' | ' ' | ':');
    let cut = (1..=shared).rev().find(|&k| {
        is_sep(first[k - 1])
            || (k == 1
                && matches!(first[0], 'L' | 'R' | 'l' | 'r')
                && first.get(1).is_some_and(|c| c.is_uppercase()))
    });
    match cut {
        Some(k) if labels.iter().all(|l| l.chars().count() >= k + 2) => {
            labels.iter().map(|l| l.chars().skip(k).collect()).collect()
        }
        _ => keep(),
    }
}

/// The width of `text` in `style`, px (0 when it cannot be measured).
pub(crate) fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> i32 {
    area.estimate_text_size(text, style)
        .map(|(w, _)| w as i32)
        .unwrap_or(0)
}

/// `text` shortened in the middle (`Segment3/Hip…/X`) to fit `max_px`: the start and the
/// end of names are usually what tells them apart.
pub(crate) fn fit_text_middle<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_px: i32,
) -> String {
    let width = |t: &str| text_width(area, t, style);
    if width(text) <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (2..chars.len()).rev() {
        let tail = keep * 2 / 5;
        let head = keep - tail;
        let candidate: String = chars[..head]
            .iter()
            .chain(std::iter::once(&'…'))
            .chain(&chars[chars.len() - tail..])
            .collect();
        if width(&candidate) <= max_px {
            return candidate;
        }
    }
    chars.iter().take(1).chain(std::iter::once(&'…')).collect()
}

/// `text` shortened with an ellipsis to fit `max_px`.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_px: i32,
) -> String {
    let width = |t: &str| text_width(area, t, style);
    if width(text) <= max_px {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>() + "…";
        if width(&candidate) <= max_px {
            return candidate;
        }
    }
    String::new()
}

pub(crate) fn render<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(render_error)?;
    let (width, _) = root.dim_in_pixel();
    let (header, body) = root.split_vertically(HEADER_HEIGHT_PX);
    let text_x = LEFT_MARGIN_PX as i32 + 10;
    let max_text = width as i32 - text_x - RIGHT_MARGIN_PX as i32;
    let title_style = font(21.0, true).color(&INK);
    let title = fit_text(&header, &fig.title, &title_style, max_text);
    header
        .draw_text(&title, &title_style, (text_x, 10))
        .map_err(render_error)?;
    let sub_style = font(14.0, false).color(&MUTED);
    let subtitle = fit_text(&header, &fig.subtitle, &sub_style, max_text);
    header
        .draw_text(&subtitle, &sub_style, (text_x, 38))
        .map_err(render_error)?;

    let body = body.margin(0, BOTTOM_PAD_PX, LEFT_MARGIN_PX, 0);
    let areas = body.split_evenly((fig.panels.len().max(1), 1));
    for (panel, area) in fig.panels.iter().zip(areas.iter()) {
        draw_panel(area, panel, fig)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    fig: &Figure,
) -> Result<(), PlotError> {
    let (width, _) = area.dim_in_pixel();
    let (strip, chart_area) = area.split_vertically(STRIP_HEIGHT_PX);
    let plot_left = Y_AREA_PX as i32;
    let plot_right = width as i32 - RIGHT_MARGIN_PX as i32;
    let y_mid = STRIP_HEIGHT_PX as i32 / 2 + 2;

    // Title on the left, legend on the right, both above the plotting area.
    let title_style = font(15.0, true)
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let legend_style = font(13.0, false)
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    const SWATCH: i32 = 18;
    const SWATCH_GAP: i32 = 5;
    const ENTRY_GAP: i32 = 16;
    let text_w = |t: &str, s: &TextStyle| {
        strip
            .estimate_text_size(t, s)
            .map(|(w, _)| w as i32)
            .unwrap_or(0)
    };
    // Room: the title keeps its full width when it can; otherwise the legend gets at most
    // ~45% of the line (labels shortened in the middle) and the title may start above the
    // y-axis labels. Nothing overlaps.
    let full_labels: Vec<String> = panel.series.iter().map(|s| s.label.clone()).collect();
    let legend_w = |labels: &[String]| {
        if labels.is_empty() {
            return 0;
        }
        labels
            .iter()
            .map(|l| SWATCH + SWATCH_GAP + text_w(l, &legend_style) + ENTRY_GAP)
            .sum::<i32>()
            - ENTRY_GAP
    };
    const TITLE_LEGEND_GAP: i32 = 24;
    let title_full = text_w(&panel.title, &title_style);
    let legend_full = legend_w(&full_labels);
    let line = plot_right - plot_left;
    let (title_x, labels) = if title_full + TITLE_LEGEND_GAP + legend_full <= line {
        (plot_left, full_labels)
    } else {
        let wide_line = plot_right - TITLE_X_PX;
        let legend_room = (wide_line - title_full - TITLE_LEGEND_GAP).max(wide_line * 45 / 100);
        let labels = if legend_full <= legend_room {
            full_labels
        } else {
            let full_labels = strip_shared_prefix(&full_labels);
            // Water-filling: short labels stay whole, long ones share what is left.
            let n = full_labels.len() as i32;
            let mut budget = legend_room - n * (SWATCH + SWATCH_GAP) - (n - 1) * ENTRY_GAP;
            let mut order: Vec<(i32, usize)> = full_labels
                .iter()
                .enumerate()
                .map(|(i, l)| (text_w(l, &legend_style), i))
                .collect();
            order.sort_unstable();
            let mut caps = vec![0; full_labels.len()];
            for (k, &(w, i)) in order.iter().enumerate() {
                let share = (budget / (n - k as i32)).max(30);
                caps[i] = w.min(share);
                budget -= caps[i];
            }
            full_labels
                .iter()
                .zip(&caps)
                .map(|(l, &cap)| fit_text_middle(&strip, l, &legend_style, cap))
                .collect()
        };
        let start = if title_full + TITLE_LEGEND_GAP + legend_w(&labels) <= line {
            plot_left
        } else {
            TITLE_X_PX
        };
        (start, labels)
    };
    let legend_total = legend_w(&labels);
    let title_room = plot_right - title_x - legend_total - TITLE_LEGEND_GAP;
    let title = fit_text(&strip, &panel.title, &title_style, title_room);
    strip
        .draw_text(&title, &title_style, (title_x, y_mid))
        .map_err(render_error)?;
    let mut x = plot_right - legend_total;
    for (s, label) in panel.series.iter().zip(&labels) {
        strip
            .draw(&PathElement::new(
                vec![(x, y_mid), (x + SWATCH, y_mid)],
                s.colour.stroke_width(3),
            ))
            .map_err(render_error)?;
        x += SWATCH + SWATCH_GAP;
        strip
            .draw_text(label, &legend_style, (x, y_mid))
            .map_err(render_error)?;
        x += text_w(label, &legend_style) + ENTRY_GAP;
    }

    // The chart.
    let (y0, y1) = y_range(panel);
    let plot_w = (plot_right - plot_left).max(1) as usize;
    let x_labels = (plot_w / 80).clamp(3, 24);
    let y_labels = 5;
    let x_dec = decimals_for(tick_step(fig.t1 - fig.t0, x_labels));
    let y_dec = decimals_for(tick_step(y1 - y0, y_labels));
    let x_fmt = |v: &f64| format_tick(*v, x_dec);
    let y_fmt = |v: &f64| format_tick(*v, y_dec);
    let mut chart = ChartBuilder::on(&chart_area)
        .margin_right(RIGHT_MARGIN_PX)
        .margin_top(4)
        .x_label_area_size(X_AREA_PX)
        .y_label_area_size(Y_AREA_PX)
        .build_cartesian_2d(fig.t0..fig.t1, y0..y1)
        .map_err(render_error)?;
    chart
        .configure_mesh()
        .x_desc("time (s)")
        .y_desc(panel.y_desc.as_str())
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
        .map_err(render_error)?;

    for gap in &fig.gaps {
        if gap.only.as_ref().is_some_and(|n| !panel.names.contains(n)) {
            continue;
        }
        let (a, b) = (gap.start_s.max(fig.t0), gap.end_s.min(fig.t1));
        if b < a {
            continue;
        }
        let colour = if gap.filled { GAP_FILLED } else { GAP_MISSING };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, y0), (b, y1)],
                colour.filled(),
            )))
            .map_err(render_error)?;
    }
    for s in &panel.series {
        for run in runs(&s.points) {
            if let [single] = run {
                chart
                    .draw_series(std::iter::once(Circle::new(*single, 2, s.colour.filled())))
                    .map_err(render_error)?;
            } else {
                chart
                    .draw_series(LineSeries::new(
                        run.iter().copied(),
                        s.colour.stroke_width(1),
                    ))
                    .map_err(render_error)?;
            }
        }
    }
    Ok(())
}

pub(crate) fn render_error<E: std::error::Error + Send + Sync>(
    e: DrawingAreaErrorKind<E>,
) -> PlotError {
    PlotError::Render(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_formatted_cleanly() {
        assert_eq!(tick_step(10.0, 5), 5.0);
        assert_eq!(tick_step(0.3, 5), 0.1);
        assert_eq!(decimals_for(0.1), 1);
        assert_eq!(decimals_for(20.0), 0);
        assert_eq!(format_tick(-0.0001, 2), "0.00");
        assert_eq!(format_tick(-1.5, 1), "−1.5");
    }

    #[test]
    fn shared_prefixes_are_stripped_at_separators() {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            strip_shared_prefix(&v(&["left_heel", "left_foot_index", "left_ankle"])),
            v(&["heel", "foot_index", "ankle"])
        );
        assert_eq!(
            strip_shared_prefix(&v(&["LHeel", "LBigToe"])),
            v(&["Heel", "BigToe"])
        );
        assert_eq!(
            strip_shared_prefix(&v(&["lateral", "lumbar"])),
            v(&["lateral", "lumbar"])
        );
        assert_eq!(
            strip_shared_prefix(&v(&["x", "y", "z"])),
            v(&["x", "y", "z"])
        );
        assert_eq!(strip_shared_prefix(&v(&["a_b", "a_c"])), v(&["a_b", "a_c"]));
    }
}
