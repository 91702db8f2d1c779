//! events scoring (work in progress).
