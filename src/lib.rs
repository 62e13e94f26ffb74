//! kneeguard: import runs, watch running load and descent, log knee pain, plan next week below
//! the pain threshold.
//!
//! The crate is a library with a thin binary. `readers` parse files, `core` computes (pure),
//! `db` stores, `import` walks inputs, `sync` fetches from Strava and intervals.icu, `render` formats, `report` draws the HTML report, and `cli` ties them to the command line.

pub mod cli;
pub mod core;
pub mod db;
pub mod import;
pub mod model;
pub mod readers;
pub mod render;
pub mod report;
pub mod settings;
pub mod sync;
pub mod synth;
