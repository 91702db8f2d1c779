//! Named motion signals: one value per sample, with a name and a unit, whatever the source
//! (an IMU, keypoints, markers, or a plain column of the recording).
//!
//! ```
//! use dorsi::motion::signals::MotionSignal;
//! let s = MotionSignal::new("foot_pitch", "rad", vec![0.0, 0.1, 0.2]);
//! let d = s.to_degrees();
//! assert_eq!(d.unit, "deg");
//! assert!((d.values[2] - 0.2f64.to_degrees()).abs() < 1e-12);
//! ```

use serde::Serialize;

use crate::Recording;

/// One motion signal: a value per sample of a recording, its name and its unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MotionSignal {
    /// What the signal is (`foot_pitch`, `foot_rotation`, `RightAnkleAngle/ML/X`...).
    pub name: String,
    /// Its unit (`rad`, `deg`, `m`, or the file's own label; empty when unknown).
    pub unit: String,
    /// Where it came from, in words (`IMU RightFoot: angle about its main rotation axis,
    /// gravity-corrected`).
    pub origin: String,
    /// One value per sample (`NaN` where it could not be measured).
    #[serde(skip)]
    pub values: Vec<f64>,
}

impl MotionSignal {
    /// A signal with no stated origin.
    pub fn new(name: impl Into<String>, unit: impl Into<String>, values: Vec<f64>) -> Self {
        MotionSignal {
            name: name.into(),
            unit: unit.into(),
            origin: String::new(),
            values,
        }
    }

    /// The same signal with its origin said.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = origin.into();
        self
    }

    /// The signal in degrees when it is in radians (reports give angles in degrees);
    /// otherwise unchanged.
    pub fn to_degrees(&self) -> MotionSignal {
        if self.unit == "rad" {
            MotionSignal {
                name: self.name.clone(),
                unit: "deg".into(),
                origin: self.origin.clone(),
                values: self.values.iter().map(|v| v.to_degrees()).collect(),
            }
        } else {
            self.clone()
        }
    }

    /// [`MotionSignal::to_degrees`] in place: the same values, without a copy.
    ///
    /// ```
    /// use dorsi::motion::signals::MotionSignal;
    /// let s = MotionSignal::new("foot_pitch", "rad", vec![0.0, 0.1]);
    /// assert_eq!(s.clone().into_degrees(), s.to_degrees());
    /// ```
    pub fn into_degrees(mut self) -> MotionSignal {
        if self.unit == "rad" {
            self.unit = "deg".into();
            for v in &mut self.values {
                *v = v.to_degrees();
            }
        }
        self
    }

    /// A plain named signal of the recording (a joint-angle column such as
    /// `RightAnkleAngle/ML/X`): exact name first, then case-insensitive, then a unique
    /// case-insensitive suffix match (`AnkleAngle/ML/X` fails when both sides exist).
    pub fn named(rec: &Recording, name: &str) -> Result<MotionSignal, MotionError> {
        let wanted = name.trim();
        let found = rec.signal(wanted).or_else(|| {
            let ci: Vec<_> = rec
                .signals
                .iter()
                .filter(|s| s.name.eq_ignore_ascii_case(wanted))
                .collect();
            if ci.len() == 1 {
                return ci.first().copied();
            }
            let lower = wanted.to_ascii_lowercase();
            let suffix: Vec<_> = rec
                .signals
                .iter()
                .filter(|s| s.name.to_ascii_lowercase().ends_with(&lower))
                .collect();
            (suffix.len() == 1).then(|| suffix[0])
        });
        let s = found.ok_or_else(|| MotionError::NoSuchSignal {
            name: wanted.to_string(),
            available: rec.signals.iter().map(|s| s.name.clone()).collect(),
        })?;
        Ok(MotionSignal {
            name: s.name.clone(),
            unit: s.unit.clone(),
            origin: format!("column {} of the recording", s.name),
            values: s.values.clone(),
        })
    }
}

/// Why a motion signal could not be derived.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MotionError {
    /// The recording has no signal of that name.
    #[error("no signal named '{name}' in the recording (signals: {})", if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    NoSuchSignal {
        /// The name asked for.
        name: String,
        /// The signals the recording has.
        available: Vec<String>,
    },
    /// The recording has no IMU of that name.
    #[error("no IMU named '{name}' in the recording (IMUs: {})", if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    NoSuchSensor {
        /// The name asked for.
        name: String,
        /// The IMUs the recording has.
        available: Vec<String>,
    },
    /// The IMU has no gyroscope (angles need one).
    #[error("IMU '{0}' has no gyroscope: angles from an IMU need the angular rate")]
    NoGyroscope(String),
    /// The IMU barely rotates: there is no movement axis to measure about.
    #[error("IMU '{0}' barely rotates: no movement axis to measure an angle about")]
    NoRotation(String),
    /// The keypoints lack a point the signal needs.
    #[error("no {point} point for the {side} side in the keypoints ({layout})")]
    MissingPoint {
        /// The point (`heel`, `toe`, `ankle`, `knee`).
        point: &'static str,
        /// `left` or `right`.
        side: &'static str,
        /// The layout of the keypoints.
        layout: String,
    },
    /// The signal needs depth the data does not have (eversion from 2D image points).
    #[error("{0} needs 3D points or image depth, and these keypoints are 2D")]
    NeedsDepth(&'static str),
    /// The recording has nothing to derive the signal from.
    #[error("the recording has no IMU, keypoints or named signal to analyse")]
    NothingToAnalyse,
}
