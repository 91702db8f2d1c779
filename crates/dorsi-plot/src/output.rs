//! Output files: the format from the extension, the input-file guard, atomic writes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};

use crate::draw::render_error;
use crate::PlotError;

/// An image format plots can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageFormat {
    Png,
    Svg,
}

impl ImageFormat {
    /// The format named by `path`'s extension (case-insensitive).
    pub(crate) fn from_path(path: &Path) -> Result<Self, PlotError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(ImageFormat::Png),
            Some("svg") => Ok(ImageFormat::Svg),
            _ => Err(PlotError::UnsupportedFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

/// `path` made absolute and free of symlinks as far as it exists.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(parent), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// Refuses an output path that is one of the input files.
pub(crate) fn check_not_input(out: &Path, inputs: &[String]) -> Result<(), PlotError> {
    let out_resolved = resolve(out);
    for input in inputs {
        let input = Path::new(input);
        if input == out || resolve(input) == out_resolved {
            return Err(PlotError::OverwritesInput {
                path: out.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// A temporary path beside `path`, ending in the format's extension (the PNG encoder picks
/// the format from it).
fn temp_path_for(path: &Path, format: ImageFormat) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plot".into());
    let tmp_name = format!(
        ".{name}.{}-{n}.tmp.{}",
        std::process::id(),
        format.extension()
    );
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(tmp_name),
        _ => PathBuf::from(tmp_name),
    }
}

/// Writes `path` atomically: `write` fills a temporary file in the same directory, which
/// then replaces `path`. The temporary file is removed on failure.
pub(crate) fn write_atomically(
    path: &Path,
    format: ImageFormat,
    write: impl FnOnce(&Path) -> Result<(), PlotError>,
) -> Result<(), PlotError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(PlotError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the directory {} does not exist", dir.display()),
            ),
        });
    }
    let tmp = temp_path_for(path, format);
    let result = write(&tmp).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|source| PlotError::Io {
            path: path.to_path_buf(),
            source,
        })
    });
    if result.is_err() {
        // Best effort: the temporary file may not exist at all.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A figure that draws itself on any plotters backend (PNG or SVG).
pub(crate) trait Draw {
    /// Draws the whole figure on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

/// Draws `fig` on a `size` (width, height px) image in `format` and writes it atomically
/// to `path`.
pub(crate) fn write_image(
    path: &Path,
    format: ImageFormat,
    size: (u32, u32),
    fig: &impl Draw,
) -> Result<(), PlotError> {
    write_atomically(path, format, |tmp| match format {
        ImageFormat::Png => {
            let root = BitMapBackend::new(tmp, size).into_drawing_area();
            fig.draw(&root)?;
            root.present().map_err(render_error)
        }
        ImageFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                fig.draw(&root)?;
                root.present().map_err(render_error)?;
            }
            std::fs::write(tmp, svg).map_err(|source| PlotError::Io {
                path: tmp.to_path_buf(),
                source,
            })
        }
    })
}
