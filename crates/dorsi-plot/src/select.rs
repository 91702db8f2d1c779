//! Which panels to draw: IMU quantities, foot groups, signal groups, from the options.

use dorsi::{Recording, Skeleton};

use crate::trace::RecordingPlot;
use crate::PlotError;

/// Panels drawn when nothing is selected.
const MAX_DEFAULT_PANELS: usize = 8;
/// Panels drawn at most, whatever is selected.
const MAX_PANELS: usize = 32;
/// Points per foot panel when nothing is selected.
const MAX_DEFAULT_POINTS: usize = 4;
/// Points per panel at most.
const MAX_POINTS: usize = 6;
/// Signals per panel at most.
const MAX_SIGNALS_PER_PANEL: usize = 6;

/// Degrees per radian.
pub(crate) const RAD_TO_DEG: f64 = 180.0 / std::f64::consts::PI;

/// An IMU quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantity {
    Acc,
    Gyro,
}

/// A side of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    Right,
}

impl Side {
    fn group_name(self) -> &'static str {
        match self {
            Side::Left => "left_foot",
            Side::Right => "right_foot",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Side::Left => "left foot",
            Side::Right => "right foot",
        }
    }
}

/// Which coordinate of points a panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coord {
    Vertical,
    Horizontal,
}

/// One panel to draw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PanelSpec {
    Imu {
        imu: usize,
        quantity: Quantity,
        axes: [bool; 3],
    },
    Points {
        label: String,
        points: Vec<usize>,
        coord: Coord,
    },
    /// Signals sharing one display unit.
    Signals { signals: Vec<usize> },
}

/// The index of `want` among `names`: an exact match, else the only case-insensitive one.
fn find_name<'a>(names: impl Iterator<Item = &'a str> + Clone, want: &str) -> Option<usize> {
    if let Some(i) = names.clone().position(|n| n == want) {
        return Some(i);
    }
    let mut found = names
        .enumerate()
        .filter(|(_, n)| n.eq_ignore_ascii_case(want))
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    }
}

/// `acc`, `gyro`, `acc_x`... as a quantity and an optional axis.
fn parse_imu_channel(name: &str) -> Option<(Quantity, Option<usize>)> {
    let lower = name.to_ascii_lowercase();
    let (q, axis) = match lower.split_once('_') {
        Some((q, a)) => (q.to_string(), Some(a.to_string())),
        None => (lower, None),
    };
    let quantity = match q.as_str() {
        "acc" | "accel" | "accelerometer" => Quantity::Acc,
        "gyro" | "gyr" | "gyroscope" => Quantity::Gyro,
        _ => return None,
    };
    let axis = match axis.as_deref() {
        None => None,
        Some("x") => Some(0),
        Some("y") => Some(1),
        Some("z") => Some(2),
        Some(_) => return None,
    };
    Some((quantity, axis))
}

fn imu_has(rec: &Recording, imu: usize, q: Quantity) -> bool {
    rec.imus.get(imu).is_some_and(|s| match q {
        Quantity::Acc => s.acc_mps2.is_some(),
        Quantity::Gyro => s.gyro_rads.is_some(),
    })
}

/// Which foot a point belongs to, and its rank in the foot's panel (heel, toe, ankle, other).
///
/// Knows the usual spellings: `left_heel`, `LHeel`, `L.Heel`, `LHEE`, `heel_l`, `RightToe`...
pub(crate) fn foot_point(name: &str) -> Option<(Side, u8)> {
    const SEPARATORS: &[char] = &['_', '.', '-', ' ', ':', '/'];
    /// What a foot point's name starts with once a bare `L` / `R` is removed.
    const STARTS: &[&str] = &[
        "heel", "hee", "cal", "toe", "big", "small", "ank", "mal", "mt", "meta", "fm", "foot",
        "midfoot",
    ];
    let lower = name.to_ascii_lowercase();
    let mut candidates: Vec<(Side, &str, bool)> = Vec::new();
    for (side, word, letter) in [(Side::Left, "left", 'l'), (Side::Right, "right", 'r')] {
        if let Some(r) = lower.strip_prefix(word) {
            candidates.push((side, r, false));
        }
        if let Some(r) = lower.strip_suffix(word) {
            candidates.push((side, r, false));
        }
        if let Some(r) = lower.strip_suffix(letter) {
            if r.ends_with(SEPARATORS) {
                candidates.push((side, r, false));
            }
        }
        if let Some(r) = lower.strip_prefix(letter) {
            // `L.Heel` is clearly a side; `LHEE` only when a foot word follows.
            candidates.push((side, r, !r.starts_with(SEPARATORS)));
        }
    }
    candidates.into_iter().find_map(|(side, rest, strict)| {
        let rest = rest.trim_matches(SEPARATORS);
        if strict && !STARTS.iter().any(|s| rest.starts_with(s)) {
            return None;
        }
        foot_rank(rest).map(|rank| (side, rank))
    })
}

/// The rank of a foot point's name (without its side) in a foot panel: heel 0, toe 1,
/// ankle 2, metatarsals / midfoot 3, small toe 4, other foot points 5; `None` if not a foot
/// point.
fn foot_rank(rest: &str) -> Option<u8> {
    let rank = if rest.contains("heel") || rest.starts_with("hee") || rest.starts_with("cal") {
        0
    } else if rest.contains("small") {
        4
    } else if rest.contains("toe") || (rest.contains("foot") && rest.contains("index")) {
        // `foot_index` is MediaPipe's toe; a bare `left_index` is a finger.
        1
    } else if rest.contains("ank") || rest.contains("malleol") || rest.starts_with("mal") {
        2
    } else if rest.starts_with("mt")
        || rest.starts_with("meta")
        || rest.starts_with("fm")
        || rest.contains("midfoot")
    {
        3
    } else if rest.contains("foot") {
        5
    } else {
        return None;
    };
    Some(rank)
}

/// The points of one foot: the first point of each kind (heel, toe, ankle, midfoot...) in
/// that order, then the others, so a few points cover the whole foot.
fn foot_points(sk: &Skeleton, side: Side) -> Vec<usize> {
    let mut pts: Vec<(u8, usize)> = sk
        .points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match foot_point(&p.name) {
            Some((s, rank)) if s == side => Some((rank, i)),
            _ => None,
        })
        .collect();
    pts.sort_unstable();
    let (mut first, rest): (Vec<_>, Vec<_>) = pts
        .iter()
        .enumerate()
        .partition(|(j, (rank, _))| *j == 0 || pts[j - 1].0 != *rank);
    first.extend(rest);
    first.into_iter().map(|(_, &(_, i))| i).collect()
}

/// How a signal's unit is displayed: the label and the factor from the stored value.
pub(crate) fn display_unit(unit: &str) -> (String, f64) {
    match unit.trim() {
        "rad" => ("deg".into(), RAD_TO_DEG),
        "rad/s" => ("deg/s".into(), RAD_TO_DEG),
        "rad/s^2" => ("deg/s²".into(), RAD_TO_DEG),
        "m/s^2" | "m/s2" => ("m/s²".into(), 1.0),
        "" => (String::new(), 1.0),
        other => (other.to_string(), 1.0),
    }
}

/// The y-axis label of signals in a display unit: the quantity and the unit.
pub(crate) fn quantity_label(unit: &str) -> String {
    let quantity = match unit {
        "" => return "value".into(),
        "deg" => "angle",
        "deg/s" => "angular rate",
        "deg/s²" => "angular acceleration",
        "m" | "mm" | "cm" => "position",
        "m/s" => "velocity",
        "m/s²" => "acceleration",
        "N" => "force",
        "N·m" | "Nm" | "N*m" | "N.m" => "moment",
        "W" => "power",
        "s" => "time",
        "Hz" => "frequency",
        _ => "value",
    };
    format!("{quantity} ({unit})")
}

/// Panels of signals grouped by display unit (first-appearance order).
fn signal_panels(rec: &Recording, signals: &[usize]) -> Vec<PanelSpec> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for &k in signals {
        let Some(s) = rec.signals.get(k) else {
            continue;
        };
        let unit = display_unit(&s.unit).0;
        match groups.iter_mut().find(|(u, _)| *u == unit) {
            Some((_, v)) => v.push(k),
            None => groups.push((unit, vec![k])),
        }
    }
    groups
        .into_iter()
        .flat_map(|(_, v)| {
            v.chunks(MAX_SIGNALS_PER_PANEL)
                .map(|c| PanelSpec::Signals {
                    signals: c.to_vec(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Vertical panels of every group, then horizontal ones (so heights stay together).
fn point_panels(groups: Vec<(String, Vec<usize>)>) -> Vec<PanelSpec> {
    let groups: Vec<_> = groups.into_iter().filter(|(_, p)| !p.is_empty()).collect();
    [Coord::Vertical, Coord::Horizontal]
        .into_iter()
        .flat_map(|coord| {
            groups.iter().map(move |(label, points)| PanelSpec::Points {
                label: label.clone(),
                points: points.clone(),
                coord,
            })
        })
        .collect()
}

/// Every channel name `channels` accepts, for error messages.
fn available_channels(rec: &Recording, imus: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    for (q, name) in [(Quantity::Acc, "acc"), (Quantity::Gyro, "gyro")] {
        if imus.iter().any(|&k| imu_has(rec, k, q)) {
            out.push(name.to_string());
            out.extend(["x", "y", "z"].iter().map(|a| format!("{name}_{a}")));
        }
    }
    if let Some(sk) = &rec.skeleton {
        for side in [Side::Left, Side::Right] {
            if !foot_points(sk, side).is_empty() {
                out.push(side.group_name().to_string());
            }
        }
        out.extend(sk.points.iter().map(|p| p.name.clone()));
    }
    out.extend(rec.signals.iter().map(|s| s.name.clone()));
    out
}

/// The names in a list option: each entry may hold several, separated by commas.
fn split_names(list: Option<&[String]>) -> Vec<&str> {
    list.unwrap_or_default()
        .iter()
        .flat_map(|entry| entry.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect()
}

/// The panels to draw, and how many more were selected than are drawn.
pub(crate) fn select(
    rec: &Recording,
    opts: &RecordingPlot,
) -> Result<(Vec<PanelSpec>, usize), PlotError> {
    let sensors = split_names(opts.sensors.as_deref());
    let channels = split_names(opts.channels.as_deref());
    let only_sensors = !sensors.is_empty();
    let imus: Vec<usize> = if only_sensors {
        let mut v = Vec::new();
        for &name in &sensors {
            let k = find_name(rec.imus.iter().map(|s| s.name.as_str()), name).ok_or_else(|| {
                PlotError::UnknownSensor {
                    name: name.to_string(),
                    available: rec.imus.iter().map(|s| s.name.clone()).collect(),
                }
            })?;
            if !v.contains(&k) {
                v.push(k);
            }
        }
        v
    } else {
        (0..rec.imus.len()).collect()
    };

    let mut panels = Vec::new();
    let cap;
    if channels.is_empty() {
        cap = MAX_DEFAULT_PANELS;
        for &k in &imus {
            for q in [Quantity::Acc, Quantity::Gyro] {
                if imu_has(rec, k, q) {
                    panels.push(PanelSpec::Imu {
                        imu: k,
                        quantity: q,
                        axes: [true; 3],
                    });
                }
            }
        }
        if !only_sensors {
            if let Some(sk) = &rec.skeleton {
                let mut groups: Vec<(String, Vec<usize>)> = [Side::Left, Side::Right]
                    .into_iter()
                    .map(|side| {
                        let mut p = foot_points(sk, side);
                        p.truncate(MAX_DEFAULT_POINTS);
                        (side.label().to_string(), p)
                    })
                    .collect();
                if groups.iter().all(|(_, p)| p.is_empty()) {
                    let n = sk.points.len().min(MAX_DEFAULT_POINTS);
                    groups = vec![("points".into(), (0..n).collect())];
                }
                panels.extend(point_panels(groups));
            }
            let all: Vec<usize> = (0..rec.signals.len()).collect();
            panels.extend(signal_panels(rec, &all));
        }
    } else {
        cap = MAX_PANELS;
        let mut axes = [[false; 3]; 2];
        let mut sides: Vec<Side> = Vec::new();
        let mut points: Vec<usize> = Vec::new();
        let mut signals: Vec<usize> = Vec::new();
        for &name in &channels {
            if let Some((q, axis)) = parse_imu_channel(name) {
                if imus.iter().any(|&k| imu_has(rec, k, q)) {
                    let mask = &mut axes[q as usize];
                    match axis {
                        Some(a) => mask[a] = true,
                        None => *mask = [true; 3],
                    }
                    continue;
                }
            }
            if let Some(sk) = &rec.skeleton {
                let side = [Side::Left, Side::Right]
                    .into_iter()
                    .find(|s| s.group_name().eq_ignore_ascii_case(name));
                if let Some(side) = side {
                    if !foot_points(sk, side).is_empty() {
                        if !sides.contains(&side) {
                            sides.push(side);
                        }
                        continue;
                    }
                }
                if let Some(k) = find_name(sk.points.iter().map(|p| p.name.as_str()), name) {
                    if !points.contains(&k) {
                        points.push(k);
                    }
                    continue;
                }
            }
            if let Some(k) = find_name(rec.signals.iter().map(|s| s.name.as_str()), name) {
                if !signals.contains(&k) {
                    signals.push(k);
                }
                continue;
            }
            return Err(PlotError::UnknownChannel {
                name: name.to_string(),
                available: available_channels(rec, &imus),
            });
        }
        for &k in &imus {
            for q in [Quantity::Acc, Quantity::Gyro] {
                let mask = axes[q as usize];
                if mask.iter().any(|&a| a) && imu_has(rec, k, q) {
                    panels.push(PanelSpec::Imu {
                        imu: k,
                        quantity: q,
                        axes: mask,
                    });
                }
            }
        }
        if let Some(sk) = &rec.skeleton {
            let mut groups: Vec<(String, Vec<usize>)> = sides
                .iter()
                .map(|&side| {
                    let mut p = foot_points(sk, side);
                    p.truncate(MAX_POINTS);
                    (side.label().to_string(), p)
                })
                .collect();
            groups.extend(
                points
                    .chunks(MAX_POINTS)
                    .map(|c| ("selected points".to_string(), c.to_vec())),
            );
            panels.extend(point_panels(groups));
        }
        panels.extend(signal_panels(rec, &signals));
    }
    if panels.is_empty() {
        return Err(PlotError::NothingToPlot(if only_sensors {
            "the selected sensors have no accelerometer or gyroscope data".into()
        } else {
            "the recording has no IMU, keypoint, marker or signal channels".into()
        }));
    }
    let hidden = panels.len().saturating_sub(cap);
    panels.truncate(cap);
    Ok((panels, hidden))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foot_points_are_recognised_across_layouts() {
        let left = |n: &str| foot_point(n).map(|(s, r)| (s == Side::Left, r));
        assert_eq!(left("left_heel"), Some((true, 0)));
        assert_eq!(left("left_foot_index"), Some((true, 1)));
        assert_eq!(left("left_ankle"), Some((true, 2)));
        assert_eq!(left("LHeel"), Some((true, 0)));
        assert_eq!(left("LBigToe"), Some((true, 1)));
        assert_eq!(left("LSmallToe"), Some((true, 4)));
        assert_eq!(left("RHEE"), Some((false, 0)));
        assert_eq!(left("R.Toe.Tip"), Some((false, 1)));
        assert_eq!(left("LANK"), Some((true, 2)));
        assert_eq!(left("LMT5"), Some((true, 3)));
        assert_eq!(left("heel_r"), Some((false, 0)));
        assert_eq!(left("L.Heel"), Some((true, 0)));
        assert_eq!(left("lateral_malleolus_r"), Some((false, 2)));
        assert_eq!(left("RightToe"), Some((false, 1)));
        assert_eq!(left("left_big_toe"), Some((true, 1)));
        assert_eq!(left("left_small_toe"), Some((true, 4)));
        assert_eq!(left("left_knee"), None);
        assert_eq!(left("left_index"), None, "MediaPipe's finger, not the toe");
        assert_eq!(left("LKNE"), None);
        assert_eq!(left("RASI"), None);
        assert_eq!(left("nose"), None);
    }

    #[test]
    fn foot_groups_cover_the_foot_first() {
        let names = [
            "L.Heel",
            "L.Toe.Tip",
            "L.Toe.Lat",
            "L.Toe.Med",
            "L.Midfoot.Sup",
            "R.Heel",
            "L.Knee",
        ];
        let sk = Skeleton {
            layout: dorsi::Layout::Markers,
            space: dorsi::Space::World,
            dims: 3,
            points: names
                .iter()
                .map(|n| dorsi::Point {
                    name: n.to_string(),
                    position: Vec::new(),
                    confidence: None,
                })
                .collect(),
            up_axis: None,
        };
        let left: Vec<&str> = foot_points(&sk, Side::Left)
            .into_iter()
            .map(|i| names[i])
            .collect();
        assert_eq!(
            left,
            [
                "L.Heel",
                "L.Toe.Tip",
                "L.Midfoot.Sup",
                "L.Toe.Lat",
                "L.Toe.Med"
            ]
        );
    }

    #[test]
    fn imu_channels_parse() {
        assert_eq!(parse_imu_channel("acc"), Some((Quantity::Acc, None)));
        assert_eq!(parse_imu_channel("GYRO_z"), Some((Quantity::Gyro, Some(2))));
        assert_eq!(parse_imu_channel("acc_w"), None);
        assert_eq!(parse_imu_channel("left_heel"), None);
    }
}
