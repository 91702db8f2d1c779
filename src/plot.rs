//! `dorsi plot`: the recording over time.

use std::path::Path;

use dorsi::Recording;
use dorsi_plot::PlotError;

use crate::UsageError;

pub(crate) fn run(
    rec: &Recording,
    output: &Path,
    sensors: Option<Vec<String>>,
    channels: Option<Vec<String>>,
    width_px: u32,
) -> anyhow::Result<()> {
    crate::output::check_not_input(output, &rec.source.files)?;
    let opts = dorsi_plot::RecordingPlot {
        sensors,
        channels,
        width_px,
        ..Default::default()
    };
    dorsi_plot::plot_recording(rec, &opts, output).map_err(plot_error)?;
    eprintln!("wrote {}", output.display());
    Ok(())
}

/// A plot error as the CLI reports it: what the user asked for (the format, the path and its
/// folder, a channel, the width, the recording given) is a usage error (exit 2); anything
/// else (writing, rendering) is a failure (exit 1).
pub(crate) fn plot_error(e: PlotError) -> anyhow::Error {
    match e {
        PlotError::Io { ref source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            anyhow::Error::new(UsageError(e.to_string()))
        }
        PlotError::UnsupportedFormat { .. }
        | PlotError::OverwritesInput { .. }
        | PlotError::UnknownChannel { .. }
        | PlotError::UnknownSensor { .. }
        | PlotError::InvalidWidth { .. }
        | PlotError::NothingToPlot(_)
        | PlotError::InvalidRecording(_) => anyhow::Error::new(UsageError(e.to_string())),
        other => anyhow::Error::new(other),
    }
}
