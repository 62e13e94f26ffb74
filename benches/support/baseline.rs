//! The benchmark baseline: fitparser's streaming processor alone — every object deserialized,
//! every data message decoded, nothing kept. Shared by `benches/import.rs` and
//! `examples/fit_decode.rs`.

use fitparser::de::{FitObject, FitStreamProcessor};

/// Decodes a whole FIT file and returns the number of data messages.
pub fn decode_only(bytes: &[u8]) -> usize {
    let mut processor = FitStreamProcessor::new();
    let mut input = bytes;
    let mut messages = 0;
    while !input.is_empty() {
        let Ok((rest, object)) = processor.deserialize_next(input) else {
            break;
        };
        match object {
            FitObject::Crc(_) => processor.reset(),
            FitObject::DataMessage(m) => {
                messages += usize::from(processor.decode_message(m).is_ok())
            }
            _ => {}
        }
        input = rest;
    }
    messages
}
