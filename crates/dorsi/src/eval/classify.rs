//! classify scoring (work in progress).
