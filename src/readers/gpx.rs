//! GPX reader (placeholder until implemented).

use super::ReadError;
use crate::model::ParsedFile;

/// Reads a GPX file.
pub fn read_gpx(_bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    Err(ReadError::UnknownFormat)
}
