//! # dorsi-plot
//!
//! Plots of Dorsi recordings as PNG or SVG, with the DejaVu Sans font embedded so no system
//! fonts (and no fontconfig) are needed.
//!
//! [`plot_recording`] draws a [`dorsi::Recording`] as a stack of panels over time: one per
//! IMU quantity (accelerometer in m/s², gyroscope in deg/s), one per foot for keypoints and
//! markers (vertical and horizontal position of heel, toe and ankle), and one per unit for
//! plain signals (angles shown in degrees). Gaps in the recording are shaded grey, and
//! missing (`NaN`) samples break the lines. Long recordings are decimated per pixel column
//! (minimum and maximum kept, so peaks stay visible).
//!
//! [`plot_gait`] draws a gait analysis ([`dorsi::gait::GaitReport`]) the way a clinician reads
//! it: the verdict per side with its reasons, foot pitch (and toe height, ankle angle when
//! measured) per side with the gait events and the flagged strides, and the per-stride
//! foot-strike angle, late-swing pitch, toe clearance and stride time against healthy ranges.
//! [`plot_reps`] draws an exercise session's reps, holds and sets; [`plot_bench`] the scores
//! of `dorsi bench`.
//!
//! ```
//! use dorsi::{Clock, Format, Imu, Modality, Recording, Source, Timing};
//! use dorsi_plot::{plot_recording, RecordingPlot};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A 10 s, 100 Hz recording of one foot sensor (built by hand here; a reader such as
//! // `dorsi::io::read` gives the same struct).
//! let n = 1000;
//! let acc = (0..n)
//!     .map(|i| [0.0, 0.3 * (i as f64 * 0.1).sin(), 9.81].into())
//!     .collect();
//! let gyro = (0..n).map(|i| [0.0, (i as f64 * 0.1).cos(), 0.0].into()).collect();
//! let rec = Recording {
//!     source: Source {
//!         files: vec!["walk.csv".into()],
//!         format: Format::GenericCsv,
//!         modality: Modality::Imu,
//!     },
//!     sampling_rate_hz: 100.0,
//!     start_s: 0.0,
//!     n_samples: n,
//!     imus: vec![Imu {
//!         name: "left_sensor".into(),
//!         acc_mps2: Some(acc),
//!         gyro_rads: Some(gyro),
//!         acc_unit: None,
//!         gyro_unit: None,
//!         columns: vec![],
//!     }],
//!     skeleton: None,
//!     signals: vec![],
//!     gaps: vec![],
//!     timing: Timing {
//!         nominal_rate_hz: Some(100.0),
//!         measured_rate_hz: None,
//!         clock: Clock::Rate,
//!         resampled: false,
//!     },
//!     notes: vec![],
//! };
//!
//! let out = std::env::temp_dir().join(format!("dorsi-plot-doc-{}.svg", std::process::id()));
//! let opts = RecordingPlot {
//!     channels: Some(vec!["gyro".into()]), // only the gyroscope panel
//!     ..RecordingPlot::default()
//! };
//! plot_recording(&rec, &opts, &out)?;
//! assert!(std::fs::read_to_string(&out)?.contains("left_sensor — gyroscope (deg/s)"));
//! # std::fs::remove_file(&out)?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod bench;
mod decimate;
mod draw;
mod gait;
mod legend;
mod output;
mod reps;
mod select;
mod trace;

use std::path::PathBuf;
use std::sync::OnceLock;

pub use bench::plot_bench;
pub use gait::plot_gait;
pub use reps::plot_reps;
pub use trace::{plot_recording, RecordingPlot};

/// What can go wrong when plotting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The output path's extension is not `.png` or `.svg`.
    #[error("cannot tell the image format of {}: use a .png or .svg extension", path.display())]
    UnsupportedFormat {
        /// The output path given.
        path: PathBuf,
    },
    /// The output path is one of the recording's input files.
    #[error("refusing to write the plot over the input file {}", path.display())]
    OverwritesInput {
        /// The output path given.
        path: PathBuf,
    },
    /// A requested channel does not exist in the recording.
    #[error(
        "unknown channel `{name}`; available channels: {}",
        list_names(available)
    )]
    UnknownChannel {
        /// The name asked for.
        name: String,
        /// The channel names the recording offers.
        available: Vec<String>,
    },
    /// A requested sensor does not exist in the recording.
    #[error("unknown sensor `{name}`; {}", if available.is_empty() {
        "the recording has no inertial sensors".to_string()
    } else {
        format!("available sensors: {}", list_names(available))
    })]
    UnknownSensor {
        /// The name asked for.
        name: String,
        /// The IMU names the recording has.
        available: Vec<String>,
    },
    /// The requested width is outside the supported range.
    #[error("plot width {width_px} px is outside the supported range {min}..={max} px",
        min = trace::MIN_WIDTH_PX, max = trace::MAX_WIDTH_PX)]
    InvalidWidth {
        /// The width asked for, px.
        width_px: u32,
    },
    /// The recording cannot be plotted as it is (no samples, a bad sampling rate...).
    #[error("cannot plot this recording: {0}")]
    InvalidRecording(String),
    /// The selection leaves nothing to draw.
    #[error("nothing to plot: {0}")]
    NothingToPlot(String),
    /// Writing the output file failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The embedded font could not be loaded.
    #[error("cannot load the embedded DejaVu Sans font")]
    Font,
    /// The drawing backend failed.
    #[error("drawing the plot failed: {0}")]
    Render(String),
}

/// Joins names for an error message, shortening very long lists.
fn list_names(names: &[String]) -> String {
    const SHOWN: usize = 60;
    if names.is_empty() {
        return "(none)".into();
    }
    let mut s = names
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" ... and {} more", names.len() - SHOWN));
    }
    s
}

/// Registers the embedded DejaVu Sans font (regular and bold) as plotters' `sans-serif`
/// family.
///
/// The plot functions call this themselves; call it directly only when drawing with
/// plotters yourself. It does the work once per process; later calls return the first
/// result.
pub fn register_fonts() -> Result<(), PlotError> {
    use plotters::style::{register_font, FontStyle};
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError::Font)
    }
}

#[cfg(test)]
mod tests;
