//! kneeguard: import runs, watch running load and descent, log knee pain, plan next week below
//! the pain threshold.

pub mod core;
pub mod model;
pub mod readers;
