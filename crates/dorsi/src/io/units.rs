//! Units: parsing the labels files use, and inferring accelerometer and gyroscope units from
//! the data when the file does not say.
//!
//! * Accelerometer: the median norm of the specific force is 1 in g and 9.81 in m/s²
//!   (gravity dominates the median of any human-motion recording, walking included).
//! * Gyroscope: the direction of gravity seen by the sensor turns at exactly the rate the
//!   gyroscope measures across it: `d ĝ/dt = −ω × ĝ`. A least-squares fit of the scale between
//!   the two gives 1 for rad/s and π/180 ≈ 0.0175 for deg/s. Where the sensor barely tilts or
//!   has no accelerometer, the size of the rates decides (human segments rarely pass
//!   25 rad/s ≈ 1400 deg/s, and rarely stay under 5 deg/s while moving).

use nalgebra::Vector3;

use crate::recording::{AccUnit, GyroUnit};
pub(crate) use crate::signal::{median, quantile};

/// A unit label understood by the readers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Unit {
    Acc(AccUnit),
    Gyro(GyroUnit),
    /// Time; the factor converts to seconds.
    Time(f64),
    /// Angle; the factor converts to radians.
    Angle(f64),
    /// Length; the factor converts to metres.
    Length(f64),
}

/// Parse a unit label (`g`, `m/s^2`, `m/s²`, `deg/s`, `dps`, `rad/s`, `ms`, `mm`, `deg`...).
pub(crate) fn parse_unit(label: &str) -> Option<Unit> {
    let l: String = label
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let l = l.replace('²', "^2").replace("°", "deg");
    Some(match l.as_str() {
        "g" | "gs" | "gforce" => Unit::Acc(AccUnit::G),
        "m/s^2" | "m/s2" | "ms^-2" | "m*s^-2" | "m/s/s" | "mps2" | "ms2" | "m.s-2" => {
            Unit::Acc(AccUnit::MetresPerSecond2)
        }
        "deg/s" | "dps" | "degs" | "deg/sec" | "degree/s" | "degrees/s" | "degs^-1" => {
            Unit::Gyro(GyroUnit::DegPerSecond)
        }
        "rad/s" | "rads" | "rad/sec" | "rads^-1" | "radians/s" => {
            Unit::Gyro(GyroUnit::RadPerSecond)
        }
        "s" | "sec" | "second" | "seconds" => Unit::Time(1.0),
        "ms" | "msec" | "millisecond" | "milliseconds" => Unit::Time(1e-3),
        "us" | "µs" | "microseconds" => Unit::Time(1e-6),
        "ns" | "nanoseconds" => Unit::Time(1e-9),
        "deg" | "degree" | "degrees" => Unit::Angle(std::f64::consts::PI / 180.0),
        "rad" | "radian" | "radians" => Unit::Angle(1.0),
        "m" | "meter" | "meters" | "metre" | "metres" => Unit::Length(1.0),
        "cm" => Unit::Length(0.01),
        "mm" => Unit::Length(0.001),
        _ => return None,
    })
}

/// An inference and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Inferred<U> {
    /// The unit, when the evidence is clear.
    pub unit: Option<U>,
    pub evidence: String,
}

/// The accelerometer's unit from the median norm of its samples.
pub(crate) fn infer_acc(acc: &[Vector3<f64>]) -> Inferred<AccUnit> {
    let norm = median(acc.iter().map(|a| a.norm()));
    let unit = if (0.5..=2.0).contains(&norm) {
        Some(AccUnit::G)
    } else if (4.9..=19.6).contains(&norm) {
        Some(AccUnit::MetresPerSecond2)
    } else {
        None
    };
    Inferred {
        unit,
        evidence: format!("median norm {norm:.3} (about 1 in g, 9.81 in m/s^2)"),
    }
}

/// Centred moving average of a vector series over `w` samples (NaN samples skipped).
fn smooth(x: &[Vector3<f64>], w: usize) -> Vec<Vector3<f64>> {
    let n = x.len();
    let half = w / 2;
    let mut pre = Vec::with_capacity(n + 1);
    let mut cnt = Vec::with_capacity(n + 1);
    pre.push(Vector3::zeros());
    cnt.push(0usize);
    for v in x {
        let ok = v.iter().all(|c| c.is_finite());
        let last = pre[pre.len() - 1];
        pre.push(if ok { last + v } else { last });
        cnt.push(cnt[cnt.len() - 1] + usize::from(ok));
    }
    (0..n)
        .map(|i| {
            let a = i.saturating_sub(half);
            let b = (i + half + 1).min(n);
            let c = cnt[b] - cnt[a];
            if c == 0 {
                Vector3::repeat(f64::NAN)
            } else {
                (pre[b] - pre[a]) / c as f64
            }
        })
        .collect()
}

/// The gyroscope's unit, from its consistency with the accelerometer's tilt changes where
/// there is one, otherwise from the size of the rates. `acc` may be in any unit (only its
/// direction is used).
pub(crate) fn infer_gyro(
    gyro: &[Vector3<f64>],
    acc: Option<&[Vector3<f64>]>,
    rate_hz: f64,
) -> Inferred<GyroUnit> {
    let p99 = quantile(gyro.iter().map(|g| g.norm()), 0.99);
    let mut evidence = format!("99th-percentile rate {p99:.2}");
    if let Some(acc) = acc.filter(|a| a.len() == gyro.len() && a.len() >= 10) {
        let w = ((rate_hz * 0.2).round() as usize).max(3) | 1;
        let a = smooth(acc, w);
        let g = smooth(gyro, w);
        let dir: Vec<Vector3<f64>> = a.iter().map(|v| v / v.norm()).collect();
        let (mut num, mut den) = (0.0, 0.0);
        for i in 1..dir.len().saturating_sub(1) {
            let d = (dir[i + 1] - dir[i - 1]) * (rate_hz / 2.0);
            let p = g[i].cross(&dir[i]);
            if d.iter().chain(p.iter()).all(|c| c.is_finite()) {
                num += d.norm() * p.norm();
                den += p.norm_squared();
            }
        }
        let k = num / den;
        if den > 0.0 && k.is_finite() && k > 0.0 {
            let to_rad = k.ln().abs();
            let to_deg = (k.ln() - GyroUnit::DegPerSecond.to_si().ln()).abs();
            evidence.push_str(&format!(
                "; gravity direction turns at {k:.4} x the gyro reading (1 for rad/s, 0.0175 for deg/s)"
            ));
            let best = to_rad.min(to_deg);
            // Within a factor of 3 of one hypothesis and clearly nearer it than the other.
            if best < 3f64.ln() && (to_rad - to_deg).abs() > 1.0 {
                let unit = if to_rad < to_deg {
                    GyroUnit::RadPerSecond
                } else {
                    GyroUnit::DegPerSecond
                };
                return Inferred {
                    unit: Some(unit),
                    evidence,
                };
            }
        }
    }
    let unit = if p99 > 25.0 {
        Some(GyroUnit::DegPerSecond)
    } else if p99 < 5.0 && p99 > 0.05 {
        Some(GyroUnit::RadPerSecond)
    } else {
        None
    };
    evidence.push_str(" (over 25: deg/s; 0.05 to 5: rad/s)");
    Inferred { unit, evidence }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse() {
        assert_eq!(parse_unit("g"), Some(Unit::Acc(AccUnit::G)));
        assert_eq!(
            parse_unit("m/s²"),
            Some(Unit::Acc(AccUnit::MetresPerSecond2))
        );
        assert_eq!(
            parse_unit(" deg/s"),
            Some(Unit::Gyro(GyroUnit::DegPerSecond))
        );
        assert_eq!(
            parse_unit("rad/s"),
            Some(Unit::Gyro(GyroUnit::RadPerSecond))
        );
        assert_eq!(parse_unit("ms"), Some(Unit::Time(1e-3)));
        assert_eq!(parse_unit("furlongs"), None);
    }

    /// A sensor rocking about x at 1 Hz with 30° amplitude: the tilt of gravity and the gyro
    /// agree with scale 1 in rad/s and π/180 in deg/s.
    fn rocking(rate_hz: f64, deg: bool) -> (Vec<Vector3<f64>>, Vec<Vector3<f64>>) {
        let amp = 30f64.to_radians();
        let w = 2.0 * std::f64::consts::PI;
        (0..(rate_hz as usize * 10))
            .map(|i| {
                let t = i as f64 / rate_hz;
                let th = amp * (w * t).sin();
                let rate = amp * w * (w * t).cos();
                // Sensor rotated by th about x: gravity-up in the sensor frame is R^T e_z.
                let acc = Vector3::new(0.0, th.sin(), th.cos()) * 9.81;
                let gyro = Vector3::new(if deg { rate.to_degrees() } else { rate }, 0.0, 0.0);
                (acc, gyro)
            })
            .unzip()
    }

    #[test]
    fn gyro_unit_from_tilt_consistency() {
        for deg in [false, true] {
            let (acc, gyro) = rocking(100.0, deg);
            let inf = infer_gyro(&gyro, Some(&acc), 100.0);
            let want = if deg {
                GyroUnit::DegPerSecond
            } else {
                GyroUnit::RadPerSecond
            };
            assert_eq!(inf.unit, Some(want), "{}", inf.evidence);
        }
    }

    #[test]
    fn acc_unit_from_static_norm() {
        let (acc, _) = rocking(100.0, false);
        assert_eq!(infer_acc(&acc).unit, Some(AccUnit::MetresPerSecond2));
        let in_g: Vec<_> = acc.iter().map(|a| a / 9.81).collect();
        assert_eq!(infer_acc(&in_g).unit, Some(AccUnit::G));
        let odd: Vec<_> = acc.iter().map(|a| a * 100.0).collect();
        assert_eq!(infer_acc(&odd).unit, None);
    }
}
