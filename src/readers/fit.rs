//! FIT reader (placeholder until implemented).

use super::ReadError;
use crate::model::ParsedFile;

/// Reads a FIT file.
pub fn read_fit(_bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    Err(ReadError::UnknownFormat)
}
