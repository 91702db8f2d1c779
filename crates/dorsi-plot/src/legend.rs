//! Legends and the title-and-legend line above a chart, shared by the figures.

use plotters::coord::Shift;
use plotters::element::{Cross, TriangleMarker};
use plotters::prelude::{
    Circle, Color, DrawingArea, DrawingBackend, PathElement, RGBAColor, RGBColor, Rectangle,
    TextStyle, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::draw::{fit_text, font, render_error, text_width, INK, LEFT_MARGIN_PX};
use crate::PlotError;

/// Where text starts at the left of a figure, px.
pub(crate) const TEXT_X: i32 = LEFT_MARGIN_PX as i32 + 10;

/// A legend entry.
pub(crate) enum Key {
    Line(RGBColor),
    Dot(RGBColor),
    Triangle(RGBColor),
    Band(RGBAColor),
    Dash(RGBColor),
    Cross(RGBColor),
    /// An event marker drawn hollow (no value at the event).
    Hollow(RGBColor),
    Frame,
}

const KEY_W: i32 = 20;
const KEY_GAP: i32 = 6;
const ENTRY_GAP: i32 = 18;

fn key_style() -> TextStyle<'static> {
    font(13.0, false)
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center))
}

/// The width of a legend, px.
fn keys_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, keys: &[(Key, String)]) -> i32 {
    let style = key_style();
    keys.iter()
        .map(|(_, l)| KEY_W + KEY_GAP + text_width(area, l, &style) + ENTRY_GAP)
        .sum::<i32>()
        - if keys.is_empty() { 0 } else { ENTRY_GAP }
}

/// Draws a legend ending at `right`, or starting at `left` when it does not fit; entries
/// that do not fit at all are dropped from the end.
pub(crate) fn draw_keys<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    keys: &[(Key, String)],
    left: i32,
    right: i32,
    y: i32,
) -> Result<(), PlotError> {
    let mut shown = keys.len();
    while shown > 0 && keys_width(area, &keys[..shown]) > right - left {
        shown -= 1;
    }
    let keys = &keys[..shown];
    let style = key_style();
    let mut x = right - keys_width(area, keys);
    for (key, label) in keys {
        draw_key(area, key, x, y)?;
        x += KEY_W + KEY_GAP;
        area.draw_text(label, &style, (x, y))
            .map_err(render_error)?;
        x += text_width(area, label, &style) + ENTRY_GAP;
    }
    Ok(())
}

fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: &Key,
    x: i32,
    y: i32,
) -> Result<(), PlotError> {
    let mid = x + KEY_W / 2;
    match key {
        Key::Line(c) => area.draw(&PathElement::new(
            vec![(x, y), (x + KEY_W, y)],
            c.stroke_width(3),
        )),
        Key::Dot(c) => area.draw(&Circle::new((mid, y), 5, c.filled())),
        Key::Triangle(c) => area.draw(&TriangleMarker::new((mid, y), 7, c.filled())),
        Key::Band(c) => area.draw(&Rectangle::new(
            [(x, y - 8), (x + KEY_W, y + 8)],
            c.filled(),
        )),
        Key::Dash(c) => area
            .draw(&PathElement::new(
                vec![(x, y), (x + 7, y)],
                c.stroke_width(2),
            ))
            .and_then(|()| {
                area.draw(&PathElement::new(
                    vec![(x + 13, y), (x + KEY_W, y)],
                    c.stroke_width(2),
                ))
            }),
        Key::Cross(c) => area.draw(&Cross::new((mid, y), 5, c.stroke_width(2))),
        Key::Hollow(c) => area
            .draw(&Circle::new((mid, y), 5, c.filled()))
            .and_then(|()| area.draw(&Circle::new((mid, y), 3, WHITE.filled()))),
        Key::Frame => area.draw(&Rectangle::new(
            [(x, y - 7), (x + KEY_W, y + 7)],
            INK.stroke_width(2),
        )),
    }
    .map_err(render_error)
}

/// The title-and-legend line above a chart: the title from `plot_left`, the legend ending at
/// `plot_right`; the title is shortened when both do not fit.
pub(crate) fn draw_strip<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    title: &str,
    keys: &[(Key, String)],
    plot_left: i32,
    plot_right: i32,
) -> Result<(), PlotError> {
    let y = strip.dim_in_pixel().1 as i32 / 2 + 2;
    let title_style = font(15.0, true)
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let title_w = text_width(strip, title, &title_style);
    // The title may start over the y-axis labels when the line is short of room.
    let start = if plot_left + title_w + 24 + keys_width(strip, keys) <= plot_right {
        plot_left
    } else {
        TEXT_X
    };
    let keys_left = (start + title_w + 24).min(plot_right - (plot_right - start) / 2);
    draw_keys(strip, keys, keys_left, plot_right, y)?;
    let legend_w = keys_width(strip, keys).min(plot_right - keys_left);
    let room = plot_right - start - legend_w - 24;
    let title = fit_text(strip, title, &title_style, room);
    strip
        .draw_text(&title, &title_style, (start, y))
        .map_err(render_error)
}
