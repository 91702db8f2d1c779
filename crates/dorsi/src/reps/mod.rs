//! Repetitions, holds and sets of the foot-drop exercise programme.
//!
//! (Being built: see issue 5.)

pub mod auto;
