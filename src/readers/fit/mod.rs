//! FIT reader: turns the bytes of a Garmin/ANT FIT file into one [`ParsedActivity`] per session.
//!
//! The file is framed here before any decoding: every FIT part (a header, its data, a two-byte
//! checksum; several parts may be chained in one file) is checked for a 12- or 14-byte header,
//! the `.FIT` signature, the header checksum and the data checksum. Only then are its bytes
//! handed to a [`PartDecoder`] — [`Rustyfit`], rustyfit's streaming decoder, in the import —
//! which reduces every message to the few fields kneeguard keeps ([`FitMessage`]). The
//! assembly of activities from those messages ([`assemble`]) does not depend on the decoder,
//! so another decoder can be checked against it field for field.
//!
//! Activities are handed over part by part ([`read_fit_each`]): a chained file of many
//! recordings never holds more than one part's points in memory.
//!
//! Damaged files are handled the way a runner would want:
//!
//! * a checksum mismatch or a broken header makes the file [`ReadError::Corrupt`];
//! * a file cut short (the watch died while writing) keeps every complete message and says so
//!   in a remark; an activity without its session summary is rebuilt from its records;
//! * an undecodable message in the middle keeps what came before it, with a remark naming the
//!   byte where decoding stopped;
//! * bytes after the last complete part that are not a FIT header are ignored, with a remark.
//!
//! Valid FIT files that hold no activity (settings, workouts, courses, monitoring) give
//! [`ParsedFile::NotAnActivity`]. The reader never panics: the decoder is only fed validated
//! bytes, and any panic it might still raise is turned into [`ReadError::Corrupt`].

mod assemble;
mod decode;

pub use decode::Rustyfit;

use super::ReadError;
use crate::model::{DeviceTotals, ParsedActivity, ParsedFile};
use assemble::Collector;
use std::panic::{self, AssertUnwindSafe};

const FORMAT: &str = "FIT";

/// What to tell the runner when a file is damaged beyond use.
const EXPORT_AGAIN: &str = "the file is damaged — export it again from the device or app";

/// One decoded data message, reduced to what kneeguard keeps. Values are in the FIT profile's
/// units after its scale and offset (metres, seconds); times are FIT seconds (since
/// 1989-12-31T00:00:00Z); names are the profile's (`running`, `garmin`, `fr110`), or the
/// number for values the profile does not name. A field the message lacks, or holds FIT's
/// "invalid" marker for, is `None`.
#[derive(Debug, Clone, PartialEq)]
pub enum FitMessage {
    FileId(FileIdFields),
    Record(RecordFields),
    Session(SessionFields),
    /// The `activity` message: its UTC and local timestamps give the local offset.
    Activity {
        timestamp: Option<u32>,
        local_timestamp: Option<u32>,
    },
    /// The `sport` message.
    Sport {
        sport: Option<String>,
        sub_sport: Option<String>,
    },
    /// Any other message.
    Other,
}

/// What kneeguard keeps of a `file_id` message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileIdFields {
    pub file_type: Option<String>,
    pub manufacturer: Option<String>,
    /// The product, by its manufacturer-specific name where the profile has one.
    pub product: Option<String>,
    pub product_name: Option<String>,
}

/// What kneeguard keeps of a `record` message (one recorded point).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RecordFields {
    pub timestamp: Option<u32>,
    /// Latitude and longitude in semicircles.
    pub position: Option<(i32, i32)>,
    pub distance_m: Option<f64>,
    pub altitude_m: Option<f64>,
    pub enhanced_altitude_m: Option<f64>,
    /// The distance count (bits 12-23) of a `compressed_speed_distance` field: a 12-bit
    /// rolling count of sixteenths of a metre.
    pub compressed_distance: Option<u32>,
}

/// What kneeguard keeps of a `session` message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionFields {
    pub start_time: Option<u32>,
    /// The session message's own timestamp (its end).
    pub timestamp: Option<u32>,
    pub sport: Option<String>,
    pub sub_sport: Option<String>,
    pub totals: DeviceTotals,
}

/// Why decoding of a part stopped before its end.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeStop {
    /// The bytes ran out in the middle of a message (a cut file).
    EndOfInput,
    /// A message could not be decoded.
    Damaged { position: usize, detail: String },
}

/// A FIT decoder, as the reader uses one: it decodes the messages of one framed part.
pub trait PartDecoder {
    /// Decodes `part` (a checked header and the data after it, without the data checksum, cut
    /// short when the file is) and hands every data message to `each`, in order. Returns
    /// `Ok(())` when the bytes end at a message boundary. `offset` is where the part starts in
    /// the file, for the position in [`DecodeStop::Damaged`].
    fn decode_part(
        &mut self,
        part: &[u8],
        offset: usize,
        each: &mut dyn FnMut(FitMessage),
    ) -> Result<(), DecodeStop>;
}

/// What a read that handed its activities over found besides them.
#[derive(Debug, Clone, PartialEq)]
pub enum Streamed {
    /// `count` activities were handed over; the remarks are about the whole file.
    Activities { count: usize, remarks: Vec<String> },
    /// A valid file that holds no activity; nothing was handed over.
    NotAnActivity { reason: String },
}

/// Reads a FIT file (possibly several chained FIT parts) into its activities.
pub fn read_fit(bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    read_fit_with(bytes, &mut Rustyfit::new())
}

/// [`read_fit`] with another decoder.
pub fn read_fit_with(
    bytes: &[u8],
    decoder: &mut impl PartDecoder,
) -> Result<ParsedFile, ReadError> {
    let mut activities = Vec::new();
    let streamed = read_fit_each_with(bytes, decoder, &mut |a| activities.push(a))?;
    Ok(match streamed {
        Streamed::Activities { remarks, .. } => ParsedFile::Activities {
            activities,
            remarks,
        },
        Streamed::NotAnActivity { reason } => ParsedFile::NotAnActivity { reason },
    })
}

/// Reads a FIT file and hands each activity to `on_activity` as soon as the part that holds it
/// is read. On an error, activities already handed over belong to a file that is damaged
/// further on: the caller discards them (the importer rolls their transaction back).
pub fn read_fit_each(
    bytes: &[u8],
    on_activity: &mut dyn FnMut(ParsedActivity),
) -> Result<Streamed, ReadError> {
    read_fit_each_with(bytes, &mut Rustyfit::new(), on_activity)
}

/// [`read_fit_each`] with another decoder.
pub fn read_fit_each_with(
    bytes: &[u8],
    decoder: &mut impl PartDecoder,
    on_activity: &mut dyn FnMut(ParsedActivity),
) -> Result<Streamed, ReadError> {
    match panic::catch_unwind(AssertUnwindSafe(|| {
        read_validated(bytes, decoder, on_activity)
    })) {
        Ok(result) => result,
        Err(_) => {
            #[cfg(test)]
            tests::note_caught_panic();
            Err(corrupt(format!(
                "the FIT decoder failed on malformed data; {EXPORT_AGAIN}"
            )))
        }
    }
}

fn corrupt(detail: String) -> ReadError {
    ReadError::Corrupt {
        format: FORMAT,
        detail,
    }
}

// ---------------------------------------------------------------------------------------------
// Framing: headers, sizes and checksums, checked before the decoder sees any byte.
// ---------------------------------------------------------------------------------------------

/// The FIT checksum: CRC-16/ARC (reflected polynomial 0xA001, initial value 0), the same sum
/// as the nibble-table `fit_crc.c` of the FIT SDK, sixteen bytes at a time.
fn fit_crc(data: &[u8]) -> u16 {
    const CRC: crc::Crc<u16, crc::Table<16>> =
        crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_ARC);
    CRC.checksum(data)
}

/// A checked FIT file header.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Header {
    /// 12 or 14 bytes.
    size: usize,
    /// The declared length of the data records, in bytes.
    data_size: usize,
}

/// Why bytes are not a usable FIT header, in plain words.
fn parse_header(bytes: &[u8]) -> Result<Header, String> {
    if bytes.is_empty() {
        return Err("the file is empty".to_string());
    }
    let size = bytes[0] as usize;
    if size != 12 && size != 14 {
        return Err(format!(
            "the first byte gives a header size of {size}, a FIT header has 12 or 14 bytes; \
             this is not a FIT file or its start is damaged"
        ));
    }
    if bytes.len() < size {
        return Err(format!(
            "only {} bytes, too short for the {size}-byte FIT header",
            bytes.len()
        ));
    }
    if &bytes[8..12] != b".FIT" {
        return Err("the \".FIT\" signature is missing from the header".to_string());
    }
    if size == 14 {
        let stored = u16::from_le_bytes([bytes[12], bytes[13]]);
        let computed = fit_crc(&bytes[..12]);
        if stored != 0 && stored != computed {
            return Err(format!(
                "header checksum mismatch (stored {stored:#06X}, computed {computed:#06X}); \
                 {EXPORT_AGAIN}"
            ));
        }
    }
    let data_size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    Ok(Header { size, data_size })
}

/// "the second FIT part" style naming for messages about chained files.
fn part_name(index: usize) -> String {
    const ORDINALS: [&str; 9] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    ];
    match ORDINALS.get(index) {
        Some(word) => format!("the {word} FIT part"),
        None => format!("FIT part {}", index + 1),
    }
}

/// Frames every FIT part, decodes it and assembles the result.
fn read_validated(
    bytes: &[u8],
    decoder: &mut impl PartDecoder,
    on_activity: &mut dyn FnMut(ParsedActivity),
) -> Result<Streamed, ReadError> {
    if let Err(problem) = parse_header(bytes) {
        return Err(corrupt(problem));
    }
    let mut collector = Collector::new(on_activity);
    let mut decode = |part: &[u8], offset: usize, collector: &mut Collector<'_>| {
        collector.start_part();
        decoder.decode_part(part, offset, &mut |message| collector.take(message))
    };
    let mut remarks = Vec::new();
    let mut pos = 0usize;
    let mut part = 0usize;
    // Set when decoding stopped before the data did: a cut file or an undecodable message.
    let mut cut_short: Option<String> = None;
    // The first undecodable message: where it is and what is wrong.
    let mut damage: Option<(usize, String)> = None;

    while pos < bytes.len() {
        let rest = &bytes[pos..];
        let header = match parse_header(rest) {
            Ok(header) => header,
            Err(problem) => {
                // The first part was checked above, so these are bytes after a complete part.
                remarks.push(format!(
                    "{} trailing bytes after the end of the FIT data were ignored ({problem})",
                    rest.len()
                ));
                break;
            }
        };
        let data_end = header.size.saturating_add(header.data_size);
        let declared_end = data_end.saturating_add(2);

        if rest.len() >= declared_end {
            let stored = u16::from_le_bytes([rest[data_end], rest[data_end + 1]]);
            let computed = fit_crc(&rest[..data_end]);
            if stored == computed {
                if let Err(DecodeStop::Damaged { position, detail }) =
                    decode(&rest[..data_end], pos, &mut collector)
                {
                    cut_short.get_or_insert(damaged_remark(position, &detail));
                    damage.get_or_insert((position, detail));
                }
                collector.end_part();
                pos += declared_end;
                part += 1;
                continue;
            }
            // A watch that dies while writing can leave a header whose declared size covers a
            // message it never finished: the decoder then runs past the declared end, and the
            // last two bytes are message bytes, not a checksum. Anything else is damage.
            let stop = decode(&rest[..data_end], pos, &mut collector);
            if !matches!(stop, Err(DecodeStop::EndOfInput)) {
                let whose = if part == 0 && rest.len() == declared_end {
                    "data checksum mismatch".to_string()
                } else {
                    format!("data checksum mismatch in {}", part_name(part))
                };
                return Err(corrupt(format!(
                    "{whose} (stored {stored:#06X}, computed {computed:#06X}); {EXPORT_AGAIN}"
                )));
            }
            cut_short = Some(format!(
                "truncated: the last message is cut off at the declared end of the data \
                 (byte {}) and the checksum does not match; imported the complete messages",
                pos + data_end
            ));
            if rest.len() > declared_end {
                remarks.push(format!(
                    "{} trailing bytes after the end of the FIT data were ignored",
                    rest.len() - declared_end
                ));
            }
            break;
        }

        let missing = declared_end - rest.len();
        let available = &rest[..rest.len().min(data_end)];
        let stop = decode(available, pos, &mut collector);
        let plural = if missing == 1 { "" } else { "s" };
        cut_short = Some(match stop {
            Err(DecodeStop::Damaged { position, detail }) => {
                remarks.push(format!(
                    "truncated: the file ends {missing} byte{plural} before its declared end"
                ));
                let remark = damaged_remark(position, &detail);
                damage.get_or_insert((position, detail));
                remark
            }
            _ if rest.len() >= data_end => format!(
                "truncated: the file ends {missing} byte{plural} before its declared end; \
                 its checksum is missing"
            ),
            _ => format!(
                "truncated: the file ends {missing} byte{plural} before its declared end; \
                 imported the complete part"
            ),
        });
        break;
    }

    collector.finish(cut_short, damage, remarks)
}

fn damaged_remark(position: usize, detail: &str) -> String {
    format!("damaged data at byte {position} ({detail}); imported what came before it")
}

#[cfg(test)]
mod tests;
