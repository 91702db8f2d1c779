//! Motion-capture markers: deciding the file's up axis and turning it to +z.

use nalgebra::{Matrix3, Vector3};

use super::part::RawPoint;
use crate::signal::median;

/// Rotate markers so the file's up axis becomes +z. Returns the points, the up axis with its
/// evidence (`+Y (pelvis markers above foot markers by 0.93 m)`), and a note describing the
/// rotation when one was applied.
pub(crate) fn to_z_up(
    names: Vec<String>,
    mut xyz: Vec<[Vec<f64>; 3]>,
) -> (Vec<RawPoint>, String, Option<String>) {
    let (axis, positive, evidence) = decide_up(&names, &xyz);
    let rot = rotation_to_z_up(axis, positive);
    let axis_name = format!(
        "{}{}",
        if positive { '+' } else { '-' },
        ["X", "Y", "Z"][axis]
    );
    let note = (rot != Matrix3::identity()).then(|| {
        format!(
            "marker coordinates rotated so that the file's {axis_name} axis is up (+z): {}",
            describe_rotation(&rot)
        )
    });
    for axes in &mut xyz {
        rotate(&rot, axes);
    }
    let points = names
        .into_iter()
        .zip(xyz)
        .map(|(name, xyz)| RawPoint {
            name,
            xyz,
            confidence: None,
        })
        .collect();
    (points, format!("{axis_name} ({evidence})"), note)
}

fn name_has(name: &str, words: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    words.iter().any(|w| lower.contains(w))
}

/// Pelvis-like marker names (ASIS, PSIS, sacrum, pelvis, hip).
fn is_pelvis(name: &str) -> bool {
    name_has(name, &["asi", "psi", "sacr", "pelv", "hip"])
}

/// Foot-like marker names (heel, HEE, toe, FCC calcaneus, FM5 / MT5 metatarsal heads).
fn is_foot(name: &str) -> bool {
    name_has(
        name,
        &[
            "hee", "toe", "fcc", "fm1", "fm2", "fm5", "mt1", "mt2", "mt5", "meta",
        ],
    )
}

/// The mean of the finite coordinates along `axis` of the markers chosen.
fn mean_along(xyz: &[[Vec<f64>; 3]], chosen: &[usize], axis: usize) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for &m in chosen {
        if let Some(values) = xyz.get(m) {
            for v in values[axis].iter().filter(|v| v.is_finite()) {
                sum += v;
                n += 1;
            }
        }
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// The file's up axis (0 = X, 1 = Y, 2 = Z), whether it points up positively, and the
/// evidence in words.
pub(crate) fn decide_up(names: &[String], xyz: &[[Vec<f64>; 3]]) -> (usize, bool, String) {
    let pelvis: Vec<usize> = (0..names.len()).filter(|&i| is_pelvis(&names[i])).collect();
    let foot: Vec<usize> = (0..names.len()).filter(|&i| is_foot(&names[i])).collect();
    if !pelvis.is_empty() && !foot.is_empty() {
        let diff = [0, 1, 2].map(|a| mean_along(xyz, &pelvis, a) - mean_along(xyz, &foot, a));
        if diff.iter().all(|d| d.is_finite()) {
            let mut best = 0;
            for a in 1..3 {
                if diff[a].abs() > diff[best].abs() {
                    best = a;
                }
            }
            return (
                best,
                diff[best] >= 0.0,
                format!(
                    "pelvis markers above foot markers by {:.2} m",
                    diff[best].abs()
                ),
            );
        }
    }
    if !foot.is_empty() && foot.len() == names.len() {
        // Foot markers alone cannot show which way is up from the body's shape.
        return (
            2,
            true,
            "assumed: only foot markers, and motion-capture labs are most often Z-up".into(),
        );
    }
    // The axis along which the markers of a frame spread the most.
    let n_rows = xyz.first().map_or(0, |m| m[0].len());
    let spread = [0, 1, 2].map(|a| {
        median((0..n_rows).map(|i| {
            let (lo, hi) = xyz
                .iter()
                .filter_map(|m| m[a].get(i))
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            hi - lo
        }))
    });
    let best = (0..3)
        .filter(|&a| spread[a].is_finite())
        .max_by(|&a, &b| spread[a].total_cmp(&spread[b]));
    let Some(best) = best else {
        return (
            2,
            true,
            "assumed: no marker positions to decide from".into(),
        );
    };
    (
        best,
        true,
        format!(
            "largest median within-frame marker spread, {:.2} m; no pelvis and foot markers to compare",
            spread[best]
        ),
    )
}

/// A proper rotation (det +1) taking the file's up axis (`axis`, signed) to +z. It turns
/// about one of the other axes, so that axis keeps its name: +Y up turns about x
/// (x, y, z → x, −z, y), ±X up turns about y.
pub(crate) fn rotation_to_z_up(axis: usize, positive: bool) -> Matrix3<f64> {
    match (axis, positive) {
        (0, true) => Matrix3::new(0.0, 0.0, -1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0),
        (0, false) => Matrix3::new(0.0, 0.0, 1.0, 0.0, 1.0, 0.0, -1.0, 0.0, 0.0),
        (1, true) => Matrix3::new(1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0),
        (1, false) => Matrix3::new(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, -1.0, 0.0),
        (_, true) => Matrix3::identity(),
        (_, false) => Matrix3::new(1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0),
    }
}

/// `x' = x, y' = -Z, z' = Y`: where each new axis comes from.
fn describe_rotation(r: &Matrix3<f64>) -> String {
    let mut parts = Vec::new();
    for (row, new) in ["x'", "y'", "z'"].iter().enumerate() {
        for (col, old) in ["X", "Y", "Z"].iter().enumerate() {
            let v = r[(row, col)];
            if v != 0.0 {
                let sign = if v < 0.0 { "-" } else { "" };
                parts.push(format!("{new} = {sign}{old}"));
            }
        }
    }
    parts.join(", ")
}

fn rotate(r: &Matrix3<f64>, axes: &mut [Vec<f64>; 3]) {
    let n = axes[0].len().min(axes[1].len()).min(axes[2].len());
    for i in 0..n {
        let v = r * Vector3::new(axes[0][i], axes[1][i], axes[2][i]);
        for (a, values) in axes.iter_mut().enumerate() {
            values[i] = v[a];
        }
    }
}
