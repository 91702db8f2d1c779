//! `auto`: repetitions of an unknown repetitive exercise, the signal chosen from the data.
//!
//! (Being built: see issue 5.)
