//! The recording plot: panels of IMU, keypoint / marker and signal traces over time.

use std::path::Path;

use dorsi::{Recording, Skeleton, Space};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use crate::decimate::decimate;
use crate::draw::{
    render, Figure, GapBand, Panel, Series, AXIS_COLOURS, BOTTOM_PAD_PX, HEADER_HEIGHT_PX,
    LEFT_MARGIN_PX, PANEL_HEIGHT_PX, RIGHT_MARGIN_PX, SERIES_COLOURS, Y_AREA_PX,
};
use crate::output::{check_not_input, write_image, Draw, ImageFormat};
use crate::select::{
    display_unit, foot_point, quantity_label, select, Coord, PanelSpec, Quantity, RAD_TO_DEG,
};
use crate::PlotError;

/// The narrowest plot accepted, px.
pub(crate) const MIN_WIDTH_PX: u32 = 480;
/// The widest plot accepted, px.
pub(crate) const MAX_WIDTH_PX: u32 = 10_000;

const DEFAULT_WIDTH_PX: u32 = 1600;

/// What to draw of a [`Recording`], for [`plot_recording`].
///
/// `RecordingPlot::default()` draws up to 8 panels, IMUs first: for each IMU its
/// accelerometer (m/s²) and gyroscope (deg/s); for keypoints / markers the vertical and the
/// horizontal position of each foot's heel, toe and ankle; for plain signals one panel per
/// unit. Narrow the figure with `sensors` and `channels`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingPlot {
    /// The IMUs to draw, by name (`left_sensor`, `RightFoot`...); `None` for all. An entry
    /// may hold several names separated by commas.
    ///
    /// When given, only these IMUs are drawn, plus any keypoints or signals named in
    /// `channels`. An unknown name is an error that lists the IMUs there are.
    pub sensors: Option<Vec<String>>,
    /// The channels to draw; `None` for the default selection. An entry may hold several
    /// names separated by commas (`"acc,left_foot"`, as `--channels` takes them). Names are
    /// matched exactly, or case-insensitively when that is unambiguous:
    ///
    /// - IMUs: `acc`, `gyro` (all three axes), or single axes `acc_x`, `acc_y`, `acc_z`,
    ///   `gyro_x`, `gyro_y`, `gyro_z`; they apply to every selected IMU.
    /// - keypoints / markers: the groups `left_foot` and `right_foot` (heel, toe, ankle...),
    ///   or point names as the layout calls them (`left_heel`, `LBigToe`, `R.Heel`...).
    /// - signals: the signal names (`ankle_angle_r`, `RightAnkleAngle/ML/X`...).
    ///
    /// An unknown name is an error that lists the available channels.
    pub channels: Option<Vec<String>>,
    /// Width of the image, px (480 to 10 000). Each panel is 220 px high.
    pub width_px: u32,
    /// The figure's title; `None` for the input file name(s).
    pub title: Option<String>,
}

impl Default for RecordingPlot {
    fn default() -> Self {
        RecordingPlot {
            sensors: None,
            channels: None,
            width_px: DEFAULT_WIDTH_PX,
            title: None,
        }
    }
}

/// Draws `rec` as a multi-panel figure over time and writes it to `path`.
///
/// The format comes from the extension (`.png` or `.svg`, any case). The file is written
/// atomically (a temporary file in the same directory, then renamed), and never over one of
/// the recording's input files (`rec.source.files`). See [`RecordingPlot`] for what is
/// drawn; the x axis is time in seconds on the recording's own clock.
///
/// # Errors
///
/// [`PlotError::UnsupportedFormat`] for another extension, [`PlotError::OverwritesInput`],
/// [`PlotError::UnknownSensor`] / [`PlotError::UnknownChannel`] (listing what exists),
/// [`PlotError::InvalidWidth`], [`PlotError::InvalidRecording`] for a recording without
/// samples or with a bad sampling rate, [`PlotError::Io`] when the file cannot be written.
pub fn plot_recording(rec: &Recording, opts: &RecordingPlot, path: &Path) -> Result<(), PlotError> {
    let format = ImageFormat::from_path(path)?;
    check_not_input(path, &rec.source.files)?;
    if !(MIN_WIDTH_PX..=MAX_WIDTH_PX).contains(&opts.width_px) {
        return Err(PlotError::InvalidWidth {
            width_px: opts.width_px,
        });
    }
    check_recording(rec)?;
    let (specs, hidden) = select(rec, opts)?;
    crate::register_fonts()?;

    let fig = build_figure(rec, opts, &specs, hidden);
    let width = opts.width_px;
    let height = HEADER_HEIGHT_PX + PANEL_HEIGHT_PX * fig.panels.len() as u32 + BOTTOM_PAD_PX;
    write_image(path, format, (width, height), &fig)
}

impl Draw for Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        render(root, self)
    }
}

/// Refuses recordings whose time base cannot be drawn.
pub(crate) fn check_recording(rec: &Recording) -> Result<(), PlotError> {
    if rec.n_samples == 0 {
        return Err(PlotError::InvalidRecording("it has no samples".into()));
    }
    if !(rec.sampling_rate_hz.is_finite() && rec.sampling_rate_hz > 0.0) {
        return Err(PlotError::InvalidRecording(format!(
            "its sampling rate ({} Hz) is not a positive number",
            rec.sampling_rate_hz
        )));
    }
    if !rec.start_s.is_finite() {
        return Err(PlotError::InvalidRecording(format!(
            "its start time ({} s) is not a number",
            rec.start_s
        )));
    }
    Ok(())
}

/// The horizontal world axis (0 = x, 1 = y) along which the feet move most.
fn horizontal_axis(sk: &Skeleton) -> usize {
    let span = |axis: usize| {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for p in sk.points.iter().filter(|p| foot_point(&p.name).is_some()) {
            for v in p.position.iter().map(|v| v[axis]).filter(|v| v.is_finite()) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if hi >= lo {
            hi - lo
        } else {
            0.0
        }
    };
    if span(1) > span(0) {
        1
    } else {
        0
    }
}

fn build_panel(rec: &Recording, spec: &PanelSpec, columns: usize) -> Panel {
    let time = |i: usize| rec.time_s(i);
    match spec {
        PanelSpec::Imu {
            imu,
            quantity,
            axes,
        } => {
            let sensor = &rec.imus[*imu];
            let (data, factor, what, y_desc) = match quantity {
                Quantity::Acc => (
                    sensor.acc_mps2.as_deref(),
                    1.0,
                    "accelerometer (m/s²)",
                    "acceleration (m/s²)",
                ),
                Quantity::Gyro => (
                    sensor.gyro_rads.as_deref(),
                    RAD_TO_DEG,
                    "gyroscope (deg/s)",
                    "angular rate (deg/s)",
                ),
            };
            let data = data.unwrap_or(&[]);
            let n = rec.n_samples.min(data.len());
            let series = (0..3)
                .filter(|&a| axes[a])
                .map(|a| Series {
                    label: ["x", "y", "z"][a].to_string(),
                    colour: AXIS_COLOURS[a],
                    points: decimate(n, columns, time, |i| data[i][a] * factor),
                })
                .collect();
            Panel {
                title: format!("{} — {what}", sensor.name),
                y_desc: y_desc.to_string(),
                series,
                names: vec![sensor.name.clone()],
            }
        }
        PanelSpec::Points {
            label,
            points,
            coord,
        } => {
            let Some(sk) = &rec.skeleton else {
                return Panel {
                    title: label.clone(),
                    y_desc: String::new(),
                    series: Vec::new(),
                    names: Vec::new(),
                };
            };
            let h_axis = horizontal_axis(sk);
            // Image y points down: heights are drawn as 1 − y (normalised, the height above
            // the image's bottom edge as a fraction of its height) or −y (pixels), so up on
            // the plot is up in the image.
            let (title, y_desc, axis, offset, sign) = match (coord, sk.space) {
                (Coord::Vertical, Space::Image { normalised: true }) => (
                    format!("{label} — height in image (1 − y, image y points down)"),
                    "1 − image y (normalised)".to_string(),
                    1,
                    1.0,
                    -1.0,
                ),
                (Coord::Vertical, Space::Image { normalised: false }) => (
                    format!("{label} — height in image (−y, image y points down)"),
                    "−image y (px)".to_string(),
                    1,
                    0.0,
                    -1.0,
                ),
                (Coord::Horizontal, Space::Image { normalised }) => (
                    format!("{label} — horizontal position in image (x)"),
                    format!("image x ({})", if normalised { "normalised" } else { "px" }),
                    0,
                    0.0,
                    1.0,
                ),
                (Coord::Vertical, Space::World) => (
                    format!("{label} — vertical position z (m)"),
                    "z, up (m)".to_string(),
                    2,
                    0.0,
                    1.0,
                ),
                (Coord::Horizontal, Space::World) => {
                    let name = ["x", "y"][h_axis];
                    (
                        format!("{label} — horizontal position {name} (m)"),
                        format!("{name} (m)"),
                        h_axis,
                        0.0,
                        1.0,
                    )
                }
            };
            let series = points
                .iter()
                .filter_map(|&k| sk.points.get(k))
                .enumerate()
                .map(|(j, p)| {
                    let n = rec.n_samples.min(p.position.len());
                    Series {
                        label: p.name.clone(),
                        colour: SERIES_COLOURS[j % SERIES_COLOURS.len()],
                        points: decimate(n, columns, time, |i| offset + sign * p.position[i][axis]),
                    }
                })
                .collect();
            Panel {
                title,
                y_desc,
                series,
                names: points
                    .iter()
                    .filter_map(|&k| sk.points.get(k))
                    .map(|p| p.name.clone())
                    .collect(),
            }
        }
        PanelSpec::Signals { signals } => {
            let sigs: Vec<_> = signals.iter().filter_map(|&k| rec.signals.get(k)).collect();
            let unit = sigs
                .first()
                .map(|s| display_unit(&s.unit).0)
                .unwrap_or_default();
            let unit_text = if unit.is_empty() {
                "no unit".to_string()
            } else {
                unit.clone()
            };
            // Column paths sharing a prefix (`RightAnkle/ML/X`, `RightAnkle/ML/Y`) show the
            // prefix in the title and the rest in the legend.
            let prefix = common_path_prefix(sigs.iter().map(|s| s.name.as_str()));
            let title = match (sigs.as_slice(), prefix.is_empty()) {
                ([one], _) => format!("{} ({unit_text})", one.name),
                (_, false) => format!("{prefix}… ({unit_text})"),
                (_, true) => format!("signals ({unit_text})"),
            };
            let series = sigs
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    let factor = display_unit(&s.unit).1;
                    let n = rec.n_samples.min(s.values.len());
                    let label = match s.name.get(prefix.len()..) {
                        Some(rest) if sigs.len() > 1 && !rest.is_empty() => rest.to_string(),
                        _ => s.name.clone(),
                    };
                    Series {
                        label,
                        colour: SERIES_COLOURS[j % SERIES_COLOURS.len()],
                        points: decimate(n, columns, time, |i| s.values[i] * factor),
                    }
                })
                .collect();
            Panel {
                title,
                y_desc: quantity_label(&unit),
                series,
                names: sigs.iter().map(|s| s.name.clone()).collect(),
            }
        }
    }
}

/// The longest prefix ending in `/` shared by all names (empty for fewer than two names).
fn common_path_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut shared = first;
    let mut count = 1;
    for name in names {
        count += 1;
        // The end of the last char both share (a char boundary in both).
        let end = shared
            .char_indices()
            .zip(name.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, c), _)| i + c.len_utf8());
        shared = &shared[..end];
    }
    if count < 2 {
        return String::new();
    }
    match shared.rfind('/') {
        Some(i) => shared[..=i].to_string(),
        None => String::new(),
    }
}

/// The names a gap's `what` can point at: IMUs, points and signals.
fn channel_names(rec: &Recording) -> impl Iterator<Item = &str> {
    rec.imus
        .iter()
        .map(|s| s.name.as_str())
        .chain(
            rec.skeleton
                .iter()
                .flat_map(|sk| sk.points.iter().map(|p| p.name.as_str())),
        )
        .chain(rec.signals.iter().map(|s| s.name.as_str()))
}

pub(crate) fn file_label(files: &[String]) -> String {
    let name = |f: &String| {
        Path::new(f)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| f.clone())
    };
    match files {
        [] => "recording".into(),
        [a] => name(a),
        [a, b] => format!("{} + {}", name(a), name(b)),
        [a, rest @ ..] => format!("{} + {} more files", name(a), rest.len()),
    }
}

pub(crate) fn format_duration(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.1} s")
    } else if s < 3600.0 {
        format!("{} min {:02} s", (s / 60.0).floor(), (s % 60.0).floor())
    } else {
        format!(
            "{} h {:02} min",
            (s / 3600.0).floor(),
            ((s % 3600.0) / 60.0).floor()
        )
    }
}

pub(crate) fn format_rate(hz: f64) -> String {
    let s = format!("{hz:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn build_figure(
    rec: &Recording,
    opts: &RecordingPlot,
    specs: &[PanelSpec],
    hidden: usize,
) -> Figure {
    let plot_px = opts
        .width_px
        .saturating_sub(Y_AREA_PX + RIGHT_MARGIN_PX + LEFT_MARGIN_PX)
        .max(100) as usize;
    let panels = specs.iter().map(|s| build_panel(rec, s, plot_px)).collect();
    let t0 = rec.time_s(0);
    let mut t1 = rec.time_s(rec.n_samples - 1);
    if t1.partial_cmp(&t0) != Some(std::cmp::Ordering::Greater) {
        t1 = t0 + 1.0 / rec.sampling_rate_hz;
    }
    let mut subtitle = format!(
        "{} · {} · {} Hz · {} · {} samples",
        rec.source.format,
        match rec.source.modality {
            dorsi::Modality::Imu => "IMU",
            dorsi::Modality::Keypoints => "keypoints",
            dorsi::Modality::Markers => "markers",
            dorsi::Modality::Signals => "signals",
        },
        format_rate(rec.sampling_rate_hz),
        format_duration(rec.duration_s()),
        rec.n_samples
    );
    if !rec.gaps.is_empty() {
        let missing = rec.gaps.iter().filter(|g| !g.filled).count();
        let filled = rec.gaps.len() - missing;
        let mut parts = Vec::new();
        if missing > 0 {
            parts.push(format!("{missing} without data (dark grey)"));
        }
        if filled > 0 {
            parts.push(format!("{filled} interpolated (light grey)"));
        }
        subtitle.push_str(&format!(" · gaps: {}", parts.join(", ")));
    }
    if hidden > 0 {
        subtitle.push_str(&format!(
            " · {hidden} more panel{} not shown: select sensors or channels",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    Figure {
        title: opts
            .title
            .clone()
            .unwrap_or_else(|| file_label(&rec.source.files)),
        subtitle,
        t0,
        t1,
        gaps: rec
            .gaps
            .iter()
            .filter(|g| g.start_s.is_finite() && g.end_s.is_finite())
            .map(|g| GapBand {
                start_s: g.start_s.min(g.end_s),
                end_s: g.start_s.max(g.end_s),
                filled: g.filled,
                only: channel_names(rec)
                    .any(|n| n == g.what)
                    .then(|| g.what.clone()),
            })
            .collect(),
        panels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_prefixes_are_shared_only_up_to_a_slash() {
        let p = common_path_prefix(["RightAnkle/ML/X", "RightAnkle/ML/Y"].into_iter());
        assert_eq!(p, "RightAnkle/ML/");
        assert_eq!(common_path_prefix(["ankle_r", "ankle_l"].into_iter()), "");
        assert_eq!(common_path_prefix(["a/b"].into_iter()), "");
        // Names sharing the first byte of a multi-byte char: no slicing inside it.
        assert_eq!(common_path_prefix(["é/a", "è/b"].into_iter()), "");
        assert_eq!(common_path_prefix(["pé/a", "pé/b"].into_iter()), "pé/");
    }
}
