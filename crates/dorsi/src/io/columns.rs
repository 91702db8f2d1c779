//! Column names → roles. One mechanism for every header style: the header rows are joined into
//! a path (`RightFoot/Accelerometer/X`, `left_sensor/acc_x`, `Device: xRotationRate`,
//! `x-axis (deg/s)`, `acc_x_g`), the path is split into words, and the words say whether the
//! column is a clock, a counter, an IMU axis (of which sensor and quantity, in which unit), a
//! keypoint coordinate, or a plain signal.

/// The quantity an IMU column measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantity {
    /// Specific force, gravity included.
    Acc,
    /// Core Motion's user acceleration (gravity removed); combined with [`Quantity::Gravity`].
    UserAcc,
    /// Core Motion's gravity vector.
    Gravity,
    /// Angular rate.
    Gyro,
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Role {
    /// A clock. `grouped` when it belongs to one sensor of several (`Chest/Time`).
    Time { grouped: bool },
    /// A packet / frame / sample counter.
    Counter,
    /// An IMU axis.
    Channel {
        sensor: String,
        quantity: Quantity,
        axis: usize,
    },
    /// A keypoint coordinate: 0 x, 1 y, 2 z, 3 visibility / confidence.
    Landmark { name: String, coord: usize },
    /// A coordinate of a named point that is not a MediaPipe landmark (a motion-capture
    /// marker in a CSV: `L_TOE/x`): 0 x, 1 y, 2 z.
    Point { name: String, coord: usize },
    /// Anything else (a signal if numeric).
    Other,
}

/// A column's name split into its parts.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// The joined header path without the unit (`RightFoot/Accelerometer/X`).
    pub path: String,
    /// The unit, from brackets or a unit suffix word (`g`, `deg/s`, `ms`...).
    pub unit: Option<String>,
    pub role: Role,
}

/// The 33 MediaPipe / BlazePose landmark names, in index order.
pub(crate) const MEDIAPIPE_33: [&str; 33] = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
];

#[derive(Debug, Clone)]
struct Token {
    word: String,
    text: String,
    component: usize,
}

/// Split `x-axis (deg/s)` into `x-axis` and `deg/s`; `[g]` and `{g}` too.
pub(crate) fn split_unit(s: &str) -> (String, Option<String>) {
    let s = s.trim();
    for (open, close) in [('(', ')'), ('[', ']'), ('{', '}')] {
        if let (Some(a), Some(b)) = (s.rfind(open), s.rfind(close)) {
            if a < b {
                let unit = s[a + 1..b].trim().to_string();
                let rest = format!("{}{}", &s[..a], &s[b + 1..]);
                let rest = rest.trim().to_string();
                if !unit.is_empty() {
                    return (rest, Some(unit));
                }
            }
        }
    }
    (s.to_string(), None)
}

fn tokenize(path: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for (ci, comp) in path.split(['/', ':', '|']).enumerate() {
        let chars: Vec<char> = comp.chars().collect();
        let mut cur = String::new();
        let flush = |cur: &mut String, out: &mut Vec<Token>| {
            if !cur.is_empty() {
                out.push(Token {
                    word: cur.to_ascii_lowercase(),
                    text: cur.clone(),
                    component: ci,
                });
                cur.clear();
            }
        };
        for (i, &c) in chars.iter().enumerate() {
            if !c.is_alphanumeric() && c != '#' {
                flush(&mut cur, &mut out);
                continue;
            }
            if let Some(&prev) = i.checked_sub(1).and_then(|j| chars.get(j)) {
                let camel = prev.is_lowercase() && c.is_uppercase();
                let digit_edge = prev.is_alphabetic() != c.is_alphabetic() && c != '#';
                if camel || digit_edge {
                    flush(&mut cur, &mut out);
                }
            }
            cur.push(c);
        }
        flush(&mut cur, &mut out);
    }
    out
}

const UNIT_WORDS: &[&str] = &[
    "g", "dps", "degs", "rads", "mps2", "ms2", "ms", "s", "us", "ns", "deg", "rad",
];
const FILLER_WORDS: &[&str] = &["axis", "raw", "data", "value", "values", "calibrated"];
const TIME_WORDS: &[&str] = &[
    "time",
    "timestamp",
    "timestamps",
    "epoch",
    "elapsed",
    "seconds",
    "sec",
    "datetime",
];
const COUNTER_WORDS: &[&str] = &["counter", "sample", "samples", "index", "frame", "frame#"];

fn quantity_at(words: &[&str], i: usize) -> Option<(Quantity, usize)> {
    let w = words[i];
    let next = words.get(i + 1).copied().unwrap_or("");
    match w {
        "gyr" | "gyro" | "gyroscope" | "gyroscopes" | "angvel" | "omega" => {
            Some((Quantity::Gyro, 1))
        }
        "rotation" | "angular" if matches!(next, "rate" | "velocity") => Some((Quantity::Gyro, 2)),
        "gravity" | "grav" => Some((Quantity::Gravity, 1)),
        "acc" | "accel" | "accelerometer" | "acceleration" | "accelerations" | "accelero" => {
            Some((Quantity::Acc, 1))
        }
        _ => None,
    }
}

/// Decide a column's role from its joined header path.
pub(crate) fn classify(raw_path: &str) -> Column {
    let (path, bracket_unit) = split_unit(raw_path);
    let mut tokens = tokenize(&path);
    let mut unit = bracket_unit;
    // A unit written as the last word (`acc_x_g`, `gyr_x_dps`, `time_s`), only after another
    // word so that a column called `s` or `g` keeps its name.
    if unit.is_none() && tokens.len() >= 2 {
        if let Some(last) = tokens.last() {
            if UNIT_WORDS.contains(&last.word.as_str()) {
                unit = Some(match last.word.as_str() {
                    "dps" | "degs" => "deg/s".to_string(),
                    "rads" => "rad/s".to_string(),
                    "mps2" | "ms2" => "m/s^2".to_string(),
                    w => w.to_string(),
                });
                tokens.pop();
            }
        }
    }
    let words: Vec<&str> = tokens.iter().map(|t| t.word.as_str()).collect();
    let role = role_of(&path, &tokens, &words, unit.as_deref());
    Column {
        path: path.trim().to_string(),
        unit,
        role,
    }
}

fn role_of(path: &str, tokens: &[Token], words: &[&str], unit: Option<&str>) -> Role {
    // Keypoints: `<landmark>_<x|y|z|visibility>` or `x29`.
    if let Some(r) = landmark_role(words) {
        return r;
    }
    let mut removed = vec![false; tokens.len()];
    let mut quantity = None;
    let mut is_user = false;
    let mut is_linear = false;
    let mut other_quantity = false;
    let mut i = 0;
    while i < words.len() {
        if let Some((q, n)) = quantity_at(words, i) {
            quantity.get_or_insert(q);
            for r in removed.iter_mut().skip(i).take(n) {
                *r = true;
            }
            i += n;
            continue;
        }
        match words[i] {
            "user" => {
                is_user = true;
                removed[i] = true;
            }
            "linear" | "free" | "lin" => is_linear = true,
            "mag" | "magnetometer" | "magnetic" | "orientation" | "quat" | "quaternion"
            | "pitch" | "roll" | "yaw" | "euler" | "angle" | "angles" | "force" | "forces"
            | "moment" | "moments" | "torque" | "power" | "reaction" | "velocity" | "vel"
            | "cop" | "com" | "speed" => other_quantity = true,
            w if FILLER_WORDS.contains(&w) => removed[i] = true,
            _ => {}
        }
        i += 1;
    }
    // The axis: the last single-letter x / y / z word.
    let axis = words
        .iter()
        .rposition(|w| matches!(*w, "x" | "y" | "z"))
        .map(|i| {
            removed[i] = true;
            (words[i].as_bytes()[0] - b'x') as usize
        });
    // A unit alone can name the quantity (`x-axis (g)`, `x-axis (deg/s)`).
    if quantity.is_none() && !other_quantity {
        quantity = unit.and_then(|u| match super::units::parse_unit(u) {
            Some(super::units::Unit::Acc(_)) => Some(Quantity::Acc),
            Some(super::units::Unit::Gyro(_)) => Some(Quantity::Gyro),
            _ => None,
        });
    }
    let sensor = sensor_name(path, tokens, &removed);
    if let (Some(q), Some(axis), false, false) = (quantity, axis, other_quantity, is_linear) {
        let quantity = if q == Quantity::Acc && is_user {
            Quantity::UserAcc
        } else {
            q
        };
        return Role::Channel {
            sensor,
            quantity,
            axis,
        };
    }
    if quantity.is_none() && !other_quantity {
        let has = |set: &[&str]| words.iter().any(|w| set.contains(w));
        let clock_like = has(TIME_WORDS) || has(COUNTER_WORDS);
        if let (Some(coord), false, false) = (axis, sensor.is_empty(), clock_like) {
            return Role::Point {
                name: sensor,
                coord,
            };
        }
        if has(TIME_WORDS) || words == ["t"] {
            return Role::Time {
                grouped: words.len() > 1 && !sensor_is_time_only(words),
            };
        }
        if has(COUNTER_WORDS) || words.is_empty() {
            return Role::Counter;
        }
    }
    Role::Other
}

/// Whether all words of a time column are clock words (`time`, `time stamp saved`,
/// `epoch`...): such a column is the file's clock, not one sensor's.
fn sensor_is_time_only(words: &[&str]) -> bool {
    words.iter().all(|w| {
        TIME_WORDS.contains(w) || matches!(*w, "stamp" | "saved" | "recorded" | "utc" | "local")
    })
}

fn landmark_role(words: &[&str]) -> Option<Role> {
    let coord_of = |w: &str| match w {
        "x" => Some(0),
        "y" => Some(1),
        "z" => Some(2),
        "v" | "visibility" | "vis" | "score" | "confidence" | "c" => Some(3),
        _ => None,
    };
    // `x29`, `visibility29`
    if words.len() == 2 {
        if let (Some(c), Ok(i)) = (coord_of(words[0]), words[1].parse::<usize>()) {
            if i < 33 {
                return Some(Role::Landmark {
                    name: MEDIAPIPE_33[i].to_string(),
                    coord: c,
                });
            }
        }
    }
    let (last, head) = words.split_last()?;
    let coord = coord_of(last)?;
    let name = head.join("_");
    if MEDIAPIPE_33.contains(&name.as_str()) {
        return Some(Role::Landmark { name, coord });
    }
    None
}

fn sensor_name(path: &str, tokens: &[Token], removed: &[bool]) -> String {
    let mut parts = Vec::new();
    for (c, comp) in path.split(['/', ':', '|']).enumerate() {
        let idx: Vec<usize> = (0..tokens.len())
            .filter(|&i| tokens[i].component == c)
            .collect();
        let kept: Vec<&str> = idx
            .iter()
            .filter(|&&i| !removed[i])
            .map(|&i| tokens[i].text.as_str())
            .collect();
        if kept.is_empty() {
            continue;
        }
        if kept.len() == idx.len() {
            // Untouched component: keep it as written.
            parts.push(comp.trim().to_string());
        } else {
            parts.push(kept.join("_"));
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(path: &str) -> (String, Quantity, usize) {
        match classify(path).role {
            Role::Channel {
                sensor,
                quantity,
                axis,
            } => (sensor, quantity, axis),
            other => panic!("{path}: expected an IMU channel, got {other:?}"),
        }
    }

    #[test]
    fn imu_columns_of_every_header_style() {
        assert_eq!(
            channel("left_sensor/acc_x"),
            ("left_sensor".into(), Quantity::Acc, 0)
        );
        assert_eq!(
            channel("RightFoot/Gyroscope/Z"),
            ("RightFoot".into(), Quantity::Gyro, 2)
        );
        assert_eq!(channel("x-axis (g)"), ("".into(), Quantity::Acc, 0));
        assert_eq!(channel("z-axis (deg/s)"), ("".into(), Quantity::Gyro, 2));
        assert_eq!(channel("Acc_Y"), ("".into(), Quantity::Acc, 1));
        assert_eq!(channel("gyr_y_dps"), ("".into(), Quantity::Gyro, 1));
        assert_eq!(
            channel("Device: xRotationRate"),
            ("Device".into(), Quantity::Gyro, 0)
        );
        assert_eq!(
            channel("Device: zGravity"),
            ("Device".into(), Quantity::Gravity, 2)
        );
        assert_eq!(
            channel("Right Foot: yAcceleration"),
            ("Right Foot".into(), Quantity::Acc, 1)
        );
        assert_eq!(channel("left_acc_x"), ("left".into(), Quantity::Acc, 0));
        assert_eq!(
            channel("Acceleration x (m/s^2)"),
            ("".into(), Quantity::Acc, 0)
        );
        assert_eq!(classify("acc_x_g").unit.as_deref(), Some("g"));
        assert_eq!(classify("gyr_x_dps").unit.as_deref(), Some("deg/s"));
    }

    #[test]
    fn clocks_counters_landmarks_and_others() {
        assert_eq!(classify("epoch (ms)").role, Role::Time { grouped: false });
        assert_eq!(classify("epoch (ms)").unit.as_deref(), Some("ms"));
        assert_eq!(
            classify("timeStampSaved").role,
            Role::Time { grouped: false }
        );
        assert_eq!(
            classify("Right Hand: timeStampRecorded").role,
            Role::Time { grouped: true }
        );
        assert_eq!(classify("Chest/Time/S").role, Role::Time { grouped: true });
        assert_eq!(classify("time_s").role, Role::Time { grouped: false });
        assert_eq!(classify("PacketCounter").role, Role::Counter);
        assert_eq!(classify("").role, Role::Counter);
        assert_eq!(
            classify("left_heel_x").role,
            Role::Landmark {
                name: "left_heel".into(),
                coord: 0
            }
        );
        assert_eq!(
            classify("x29").role,
            Role::Landmark {
                name: "left_heel".into(),
                coord: 0
            }
        );
        assert_eq!(classify("RightFoot/Magnetometer/X").role, Role::Other);
        assert_eq!(classify("RightFoot/Orientation/X").role, Role::Other);
        assert_eq!(classify("Free_Acc_X").role, Role::Other);
        assert_eq!(classify("RightAnkleAngle/ML/X").role, Role::Other);
        assert_eq!(classify("LGroundReactionForce_X").role, Role::Other);
        assert_eq!(
            classify("L_TOE/z").role,
            Role::Point {
                name: "L_TOE".into(),
                coord: 2
            }
        );
    }
}
