//! OpenPose reader (being written).

use std::path::Path;

use super::part::Part;
use super::{Location, ReadError, ReadOptions};

pub(crate) fn read_folder(path: &Path, name: &str, opts: &ReadOptions) -> Result<Part, ReadError> {
    let _ = (path, opts);
    Err(ReadError::Layout {
        at: Location::file(name),
        problem: "openpose reader not written yet".into(),
    })
}

pub(crate) fn read_frames(
    name: &str,
    frames: &[(String, &[u8])],
    opts: &ReadOptions,
) -> Result<Part, ReadError> {
    let _ = (frames, opts);
    Err(ReadError::Layout {
        at: Location::file(name),
        problem: "openpose reader not written yet".into(),
    })
}
