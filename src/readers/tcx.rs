//! TCX reader (placeholder until implemented).

use super::ReadError;
use crate::model::ParsedFile;

/// Reads a TCX file.
pub fn read_tcx(_bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    Err(ReadError::UnknownFormat)
}
