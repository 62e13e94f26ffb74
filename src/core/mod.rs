//! The pure core: computations over plain values, with no database, network, clock, files or
//! terminal. Everything here takes `today` and settings explicitly and is tested with tables.

pub mod descent;
pub mod guidance;
pub mod load;
pub mod measure;
pub(crate) mod pain_log;
pub mod plan;
pub mod plausibility;
pub mod ramp;
pub mod recovery;
#[cfg(test)]
mod sim;
pub mod spikes;
pub mod threshold;
pub mod warnings;
pub mod zone;

/// A finite, non-negative figure, or zero: how the core reads a distance, duration or descent
/// that a damaged record may hold as NaN, infinite or negative.
pub(crate) fn clean(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    }
}
