//! mot reader (being written).

use super::part::Part;
use super::{Location, ReadError};

pub(crate) fn read(name: &str, bytes: &[u8]) -> Result<Part, ReadError> {
    let _ = bytes;
    Err(ReadError::Layout {
        at: Location::file(name),
        problem: "mot reader not written yet".into(),
    })
}
