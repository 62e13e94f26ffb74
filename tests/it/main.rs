//! End-to-end tests of the real `kneeguard` binary, built as one test binary.

// Tests may read the clock (to check what "now" became, or to time a run).
#![allow(clippy::disallowed_methods)]

mod common;

mod add;
mod cli;
mod corpus;
mod database;
mod fake_strava;
mod fit_oracle;
mod fix;
mod import;
mod load;
mod manual;
mod pain;
mod plan;
mod report;
mod sync;
mod terminal;
