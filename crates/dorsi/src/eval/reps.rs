//! reps scoring (work in progress).
