//! Scoring of detections against ground truth: event timing, repetition intervals and
//! binary classification.

pub mod classify;
pub mod events;
pub mod reps;
