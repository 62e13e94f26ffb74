//! End-to-end tests of the real `kneeguard` binary, built as one test binary.

mod common;

mod add;
mod cli;
mod corpus;
mod fake_strava;
mod import;
mod load;
mod pain;
mod plan;
mod report;
mod sync;
