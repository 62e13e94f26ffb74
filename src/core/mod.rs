//! The pure core: computations over plain values, with no database, network, clock, files or
//! terminal. Everything here takes `today` and settings explicitly and is tested with tables.

pub mod descent;
pub mod load;
pub mod measure;
pub mod plan;
pub mod plausibility;
pub mod spikes;
pub mod strength;
pub mod threshold;
pub mod warnings;
pub mod zone;
