//! FIT reader: turns the bytes of a Garmin/ANT FIT file into one [`ParsedActivity`] per session.
//!
//! The file is framed here before any decoding: every FIT part (a header, its data, a two-byte
//! checksum; several parts may be chained in one file) is checked for a 12- or 14-byte header,
//! the `.FIT` signature, the header checksum and the data checksum. Only then are its bytes
//! handed to `fitparser`'s streaming decoder, one message at a time, and only the few fields
//! kneeguard needs are kept from each decoded message.
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

use super::ReadError;
use crate::model::{AltitudeSource, DeviceTotals, ParsedActivity, ParsedFile, Sample, Sport};
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{ErrorKind, FitDataRecord, Value};
use std::panic::{self, AssertUnwindSafe};

const FORMAT: &str = "FIT";

/// What to tell the runner when a file is damaged beyond use.
const EXPORT_AGAIN: &str = "the file is damaged — export it again from the device or app";

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH_UNIX: i64 = 631_065_600;

/// The largest offset from UTC any time zone uses.
const MAX_UTC_OFFSET_S: i64 = 14 * 3600;

/// Altitudes that are FIT's "invalid" markers, not heights: a u16 altitude of 0xFFFF and a u32
/// enhanced altitude of 0xFFFF_FFFF after the profile's scale 5 and offset 500, and 4587.0 m,
/// the form the same 16-bit marker takes in some exporters' output.
const INVALID_ALTITUDES: [f64; 3] = [
    65_535.0 / 5.0 - 500.0,
    4_294_967_295.0 / 5.0 - 500.0,
    4587.0,
];

/// Semicircles to degrees: 2^31 semicircles make 180 degrees.
const DEGREES_PER_SEMICIRCLE: f64 = 180.0 / 2_147_483_648.0;

/// Manufacturers whose files come from a phone app, whose altitude is GPS altitude.
const PHONE_APPS: [&str; 5] = ["strava", "trailforks", "runna", "nike", "gotoes"];

// Field numbers of the `record` message (FIT profile).
const FIELD_TIMESTAMP: u8 = 253;
const RECORD_POSITION_LAT: u8 = 0;
const RECORD_POSITION_LONG: u8 = 1;
const RECORD_ALTITUDE: u8 = 2;
const RECORD_DISTANCE: u8 = 5;
const RECORD_ENHANCED_ALTITUDE: u8 = 78;
const RECORD_COMPRESSED_SPEED_DISTANCE: u8 = 8;
const MESG_RECORD: u16 = 20;

/// The distance count (bits 12-23) of a `compressed_speed_distance` byte triple.
fn compressed_distance_count(value: &Value) -> Option<u32> {
    let Value::Array(bytes) = value else {
        return None;
    };
    let byte = |i: usize| match bytes.get(i) {
        Some(Value::Byte(b) | Value::UInt8(b) | Value::UInt8z(b)) => Some(u32::from(*b)),
        _ => None,
    };
    Some((byte(1)? >> 4) | (byte(2)? << 4))
}

/// Reads a FIT file (possibly several chained FIT parts) into its activities.
pub fn read_fit(bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    match panic::catch_unwind(AssertUnwindSafe(|| read_validated(bytes))) {
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
/// as the nibble-table `fit_crc.c` of the FIT SDK, computed a byte at a time.
fn fit_crc(data: &[u8]) -> u16 {
    const TABLE: [u16; 256] = {
        let mut table = [0u16; 256];
        let mut i = 0;
        while i < 256 {
            let mut crc = i as u16;
            let mut bit = 0;
            while bit < 8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xA001
                } else {
                    crc >> 1
                };
                bit += 1;
            }
            table[i] = crc;
            i += 1;
        }
        table
    };
    data.iter().fold(0u16, |crc, &byte| {
        (crc >> 8) ^ TABLE[((crc ^ byte as u16) & 0xFF) as usize]
    })
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
fn read_validated(bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    if let Err(problem) = parse_header(bytes) {
        return Err(corrupt(problem));
    }
    let mut collector = Collector::new();
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
        collector.start_part();

        if rest.len() >= declared_end {
            let stored = u16::from_le_bytes([rest[data_end], rest[data_end + 1]]);
            let computed = fit_crc(&rest[..data_end]);
            if stored == computed {
                if let Err(DecodeStop::Damaged { position, detail }) =
                    collector.decode_part(&rest[..declared_end], pos)
                {
                    cut_short.get_or_insert(damaged_remark(position, &detail));
                    damage.get_or_insert((position, detail));
                }
                pos += declared_end;
                part += 1;
                continue;
            }
            // A watch that dies while writing can leave a header whose declared size covers a
            // message it never finished: the decoder then runs past the declared end, and the
            // last two bytes are message bytes, not a checksum. Anything else is damage.
            let stop = collector.decode_part(&rest[..data_end], pos);
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
        let stop = collector.decode_part(available, pos);
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

/// Why decoding of a part stopped before its end.
enum DecodeStop {
    /// The bytes ran out in the middle of a message (a cut file).
    EndOfInput,
    /// A message could not be decoded.
    Damaged { position: usize, detail: String },
}

/// Plain words for a decoder error.
fn describe_error(error: &ErrorKind) -> String {
    match error {
        ErrorKind::MissingDefinitionMessage(local, _) => {
            format!("no definition found for local message number {local}")
        }
        ErrorKind::ParseError(_, kind) => format!("unreadable message ({kind:?})"),
        ErrorKind::MissingDeveloperDefinitionMessage() => {
            "a developer field without its description".to_string()
        }
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding: keep only what kneeguard needs from each message.
// ---------------------------------------------------------------------------------------------

/// What one `session` message says.
#[derive(Debug, Default)]
struct SessionInfo {
    start: Option<DateTime<Utc>>,
    /// The session message's own timestamp (its end).
    timestamp: Option<DateTime<Utc>>,
    sport: Option<String>,
    sub_sport: Option<String>,
    totals: DeviceTotals,
}

impl SessionInfo {
    /// Start time, else its end minus its elapsed time.
    fn effective_start(&self) -> Option<DateTime<Utc>> {
        self.start.or_else(|| {
            let end = self.timestamp?;
            let elapsed = self.totals.elapsed_s?;
            end.checked_sub_signed(millis(elapsed)?)
        })
    }

    fn effective_end(&self) -> Option<DateTime<Utc>> {
        let start = self.effective_start()?;
        match self.totals.elapsed_s {
            Some(elapsed) => start.checked_add_signed(millis(elapsed)?),
            None => self.timestamp,
        }
    }
}

/// A duration in seconds as a time delta, when it is one.
fn millis(seconds: f64) -> Option<chrono::TimeDelta> {
    chrono::TimeDelta::try_milliseconds((seconds * 1000.0) as i64)
}

/// Gathers what the decoded messages say, across every part of the file.
struct Collector {
    /// Whether the current part's `file_id` allows activity data (no `file_id` counts as yes).
    part_is_activity: bool,
    /// Whether any part declared itself an activity file.
    saw_activity_file: bool,
    /// The first non-activity file type seen, for the "not an activity" reason.
    other_file_type: Option<String>,
    manufacturer: Option<String>,
    device: Option<String>,
    sessions: Vec<SessionInfo>,
    samples: Vec<Sample>,
    /// Sport and sub-sport from a `sport` message, used when no session names one.
    sport_hint: Option<(Option<String>, Option<String>)>,
    utc_offset_s: Option<i32>,
    /// The Unix time the decoder gives to FIT local time 0 (it reads local times in the zone
    /// of this machine); needed to recover the file's own local time.
    local_epoch_unix: Option<i64>,
    /// Whether any data message at all was decoded.
    decoded_any: bool,
    /// The running total of `compressed_speed_distance`: (last 12-bit count, total sixteenths
    /// of a metre). fitparser adds the raw counts instead of their rolling differences, so this
    /// field is decoded here.
    compressed_distance: Option<(u32, u64)>,
    /// The distance count of the record being decoded, if it has `compressed_speed_distance`.
    pending_compressed: Option<u32>,
}

impl Collector {
    fn new() -> Self {
        let fit_epoch = NaiveDate::from_ymd_opt(1989, 12, 31).and_then(|d| d.and_hms_opt(0, 0, 0));
        let local_epoch_unix = fit_epoch
            .and_then(|naive| Local.from_local_datetime(&naive).earliest())
            .map(|dt| dt.timestamp());
        Collector {
            part_is_activity: true,
            saw_activity_file: false,
            other_file_type: None,
            manufacturer: None,
            device: None,
            sessions: Vec::new(),
            samples: Vec::new(),
            sport_hint: None,
            utc_offset_s: None,
            local_epoch_unix,
            decoded_any: false,
            compressed_distance: None,
            pending_compressed: None,
        }
    }

    fn start_part(&mut self) {
        self.part_is_activity = true;
    }

    /// Streams one framed part (header, data and, when present, checksum) through the decoder.
    /// `offset` is where the part starts in the file, for error positions.
    fn decode_part(&mut self, part: &[u8], offset: usize) -> Result<(), DecodeStop> {
        let mut processor = FitStreamProcessor::new();
        // Both checksums were verified while framing.
        processor.add_option(DecodeOption::SkipHeaderCrcValidation);
        processor.add_option(DecodeOption::SkipDataCrcValidation);
        self.compressed_distance = None;
        let mut buffer = part;
        while !buffer.is_empty() {
            let position = offset + (part.len() - buffer.len());
            let (rest, object) = match processor.deserialize_next(buffer) {
                Ok(next) => next,
                Err(error) => {
                    return Err(match *error {
                        ErrorKind::UnexpectedEof(_) => DecodeStop::EndOfInput,
                        ref other => DecodeStop::Damaged {
                            position,
                            detail: describe_error(other),
                        },
                    })
                }
            };
            match object {
                FitObject::DataMessage(message) => {
                    // The raw `compressed_speed_distance` bytes, read before decoding: the
                    // decoder's own accumulation of them is wrong.
                    self.pending_compressed = (message.global_message_number() == MESG_RECORD)
                        .then(|| message.fields().get(&RECORD_COMPRESSED_SPEED_DISTANCE))
                        .flatten()
                        .and_then(compressed_distance_count);
                    match processor.decode_message(message) {
                        Ok(record) => self.take(record),
                        Err(error) => {
                            return Err(DecodeStop::Damaged {
                                position,
                                detail: describe_error(&error),
                            })
                        }
                    }
                }
                FitObject::Crc(_) => processor.reset(),
                FitObject::Header(_) | FitObject::DefinitionMessage(_) => {}
            }
            buffer = rest;
        }
        Ok(())
    }

    /// Keeps what is needed from one decoded message and drops the rest.
    fn take(&mut self, record: FitDataRecord) {
        self.decoded_any = true;
        match record.kind() {
            MesgNum::Record if self.part_is_activity => self.take_record(&record),
            MesgNum::Session if self.part_is_activity => self.take_session(&record),
            MesgNum::FileId => self.take_file_id(&record),
            MesgNum::Activity if self.part_is_activity => self.take_activity(&record),
            MesgNum::Sport if self.part_is_activity && self.sport_hint.is_none() => {
                let mut sport = None;
                let mut sub_sport = None;
                for field in record.fields() {
                    match field.name() {
                        "sport" => sport = value_label(field.value()),
                        "sub_sport" => sub_sport = value_label(field.value()),
                        _ => {}
                    }
                }
                self.sport_hint = Some((sport, sub_sport));
            }
            _ => {}
        }
    }

    fn take_record(&mut self, record: &FitDataRecord) {
        let mut sample = Sample::default();
        let mut lat = None;
        let mut lon = None;
        let mut altitude = None;
        let mut enhanced_altitude = None;
        let compressed = self.pending_compressed.take();
        for field in record.fields() {
            let value = field.value();
            match field.number() {
                FIELD_TIMESTAMP if field.name() == "timestamp" => sample.time = value_time(value),
                RECORD_POSITION_LAT if field.name() == "position_lat" => lat = value_f64(value),
                RECORD_POSITION_LONG if field.name() == "position_long" => lon = value_f64(value),
                RECORD_DISTANCE if field.name() == "distance" => {
                    sample.distance_m = value_f64(value).filter(|d| *d >= 0.0)
                }
                RECORD_ALTITUDE if field.name() == "altitude" => altitude = valid_altitude(value),
                RECORD_ENHANCED_ALTITUDE if field.name() == "enhanced_altitude" => {
                    enhanced_altitude = valid_altitude(value)
                }
                _ => {}
            }
        }
        if let Some(count) = compressed {
            // A 12-bit rolling count of sixteenths of a metre (FIT profile: accumulated).
            let (last, total) = self.compressed_distance.unwrap_or((count, 0));
            let total = total + u64::from(count.wrapping_sub(last) & 0xFFF);
            self.compressed_distance = Some((count, total));
            sample.distance_m = Some(total as f64 / 16.0);
        }
        sample.altitude_m = enhanced_altitude.or(altitude);
        if let (Some(lat), Some(lon)) = (lat, lon) {
            let (lat, lon) = (lat * DEGREES_PER_SEMICIRCLE, lon * DEGREES_PER_SEMICIRCLE);
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
                sample.position = Some((lat, lon));
            }
        }
        if sample != Sample::default() {
            self.samples.push(sample);
        }
    }

    fn take_session(&mut self, record: &FitDataRecord) {
        let mut session = SessionInfo::default();
        for field in record.fields() {
            let value = field.value();
            match field.name() {
                "start_time" => session.start = value_time(value),
                "timestamp" => session.timestamp = value_time(value),
                "sport" => session.sport = value_label(value),
                "sub_sport" => session.sub_sport = value_label(value),
                "total_distance" => session.totals.distance_m = value_total(value),
                "total_timer_time" => session.totals.timer_s = value_total(value),
                "total_elapsed_time" => session.totals.elapsed_s = value_total(value),
                "total_ascent" => session.totals.ascent_m = value_total(value),
                "total_descent" => session.totals.descent_m = value_total(value),
                _ => {}
            }
        }
        self.sessions.push(session);
    }

    fn take_file_id(&mut self, record: &FitDataRecord) {
        let mut file_type = None;
        let mut manufacturer = None;
        let mut product = None;
        let mut product_name = None;
        for field in record.fields() {
            let value = field.value();
            match field.name() {
                "type" => file_type = value_label(value),
                "manufacturer" => manufacturer = value_label(value),
                "product_name" => product_name = value_label(value),
                // The product is named by a manufacturer-specific subfield when the profile
                // knows it (`garmin_product`, `favero_product`), else it is a plain number.
                name if name == "product" || name.ends_with("_product") => {
                    product = value_label(value)
                }
                _ => {}
            }
        }
        let is_activity = file_type.as_deref().is_none_or(|t| t == "activity");
        self.part_is_activity = is_activity;
        if !is_activity {
            if self.other_file_type.is_none() {
                self.other_file_type = file_type;
            }
            return;
        }
        if file_type.is_some() {
            self.saw_activity_file = true;
        }
        if self.device.is_none() {
            let product = product_name
                .map(|name| name.trim().to_string())
                .filter(|name| !name.is_empty())
                .or(product);
            self.device = match (&manufacturer, product) {
                (Some(m), Some(p)) => Some(format!("{m} {p}")),
                (Some(m), None) => Some(m.clone()),
                (None, Some(p)) => Some(p),
                (None, None) => None,
            };
            self.manufacturer = manufacturer;
        }
    }

    fn take_activity(&mut self, record: &FitDataRecord) {
        let mut utc = None;
        let mut local = None;
        for field in record.fields() {
            match field.name() {
                "timestamp" => utc = value_time(field.value()),
                "local_timestamp" => local = value_time(field.value()),
                _ => {}
            }
        }
        if let (Some(utc), Some(local), Some(local_epoch)) = (utc, local, self.local_epoch_unix) {
            // The decoder gave the local time as an instant in this machine's zone; undo that
            // to get the file's own local seconds since the FIT epoch.
            let local_s = local.timestamp() - local_epoch;
            let utc_s = utc.timestamp() - FIT_EPOCH_UNIX;
            let offset = local_s - utc_s;
            let rounded = ((offset as f64 / 900.0).round() as i64) * 900;
            if rounded.abs() <= MAX_UTC_OFFSET_S {
                self.utc_offset_s = Some(rounded as i32);
            }
        }
    }

    /// Assembles the activities, or says why there are none.
    fn finish(
        self,
        cut_short: Option<String>,
        damage: Option<(usize, String)>,
        mut remarks: Vec<String>,
    ) -> Result<ParsedFile, ReadError> {
        let has_activity_data = !self.sessions.is_empty() || !self.samples.is_empty();
        if !has_activity_data {
            if let Some(file_type) = &self.other_file_type {
                if !self.saw_activity_file {
                    return Ok(ParsedFile::NotAnActivity {
                        reason: describe_file_type(file_type),
                    });
                }
            }
            if let Some((position, detail)) = damage {
                return Err(corrupt(format!(
                    "unreadable data at byte {position} ({detail}), before any activity data; \
                     {EXPORT_AGAIN}"
                )));
            }
            if let Some(why) = cut_short {
                let what = why.strip_prefix("truncated: ").unwrap_or(&why);
                let what = what.split(';').next().unwrap_or(what);
                return Err(corrupt(format!(
                    "{what}, before any activity data; {EXPORT_AGAIN}"
                )));
            }
            if !self.decoded_any {
                return Ok(ParsedFile::NotAnActivity {
                    reason: "an empty FIT file (a header and no messages)".to_string(),
                });
            }
            return Ok(ParsedFile::NotAnActivity {
                reason: "a FIT file with no session and no recorded points".to_string(),
            });
        }

        let altitude_source = match self.manufacturer.as_deref() {
            Some(m) if PHONE_APPS.contains(&m) => AltitudeSource::Gps,
            _ => AltitudeSource::Barometric,
        };
        let base = ParsedActivity {
            utc_offset_s: self.utc_offset_s,
            device: self.device.clone(),
            altitude_source,
            ..ParsedActivity::default()
        };

        let mut sessions = self.sessions;
        if sessions.is_empty() {
            let (sport, sub_sport) = self.sport_hint.clone().unwrap_or((None, None));
            sessions.push(SessionInfo {
                sport,
                sub_sport,
                ..SessionInfo::default()
            });
            remarks.push(format!(
                "no session summary in the file; the activity was rebuilt from its {} recorded \
                 points, without the device's totals",
                self.samples.len()
            ));
        }
        // Chronological order; sessions without any time keep their place at the end.
        sessions.sort_by_key(|s| (s.effective_start().is_none(), s.effective_start()));

        let mut activities: Vec<ParsedActivity> = sessions
            .iter()
            .map(|session| {
                let (sport, label) =
                    map_sport(session.sport.as_deref(), session.sub_sport.as_deref());
                ParsedActivity {
                    sport,
                    sport_label: label,
                    start: session.start,
                    totals: session.totals,
                    ..base.clone()
                }
            })
            .collect();
        assign_samples(&sessions, self.samples, &mut activities);
        let holds_nothing = |a: &ParsedActivity| {
            a.start.is_none() && a.samples.is_empty() && a.totals == DeviceTotals::default()
        };
        if activities.iter().all(holds_nothing) {
            return Ok(ParsedFile::NotAnActivity {
                reason: "an activity file with no recorded data (no time, no points, no totals)"
                    .to_string(),
            });
        }
        for activity in &mut activities {
            if activity.start.is_none() {
                activity.start = activity.samples.iter().find_map(|s| s.time);
            }
        }
        if let Some(why) = cut_short {
            remarks.insert(0, why);
        }
        Ok(ParsedFile::Activities {
            activities,
            remarks,
        })
    }
}

/// Gives each sample to the session whose time window holds it: the latest session started at
/// or before it (or the one before that, while it has not ended), and the first session for
/// samples before every session. A sample without a time follows the one before it.
fn assign_samples(
    sessions: &[SessionInfo],
    samples: Vec<Sample>,
    activities: &mut [ParsedActivity],
) {
    if activities.len() == 1 {
        activities[0].samples = samples;
        return;
    }
    let starts: Vec<Option<DateTime<Utc>>> =
        sessions.iter().map(SessionInfo::effective_start).collect();
    let ends: Vec<Option<DateTime<Utc>>> =
        sessions.iter().map(SessionInfo::effective_end).collect();
    let timed = starts.iter().take_while(|s| s.is_some()).count();
    let mut current = 0usize;
    for sample in samples {
        if let Some(time) = sample.time {
            let after = starts[..timed].partition_point(|s| s.is_some_and(|start| start <= time));
            current = after.saturating_sub(1);
            if current > 0 && ends[current - 1].is_some_and(|end| time <= end) {
                current -= 1;
            }
        }
        activities[current].samples.push(sample);
    }
    rebase_session_distances(activities);
}

/// Devices keep counting record distance across the sessions of a multisport file, so each
/// session's distances are counted from where the session before it ended (unless the device
/// started again from zero).
fn rebase_session_distances(activities: &mut [ParsedActivity]) {
    let mut previous_end = 0.0f64;
    for activity in activities.iter_mut() {
        let first = activity.samples.iter().find_map(|s| s.distance_m);
        let base = match first {
            Some(first) if first + 1.0 >= previous_end => previous_end,
            _ => 0.0,
        };
        let mut end = previous_end;
        for sample in &mut activity.samples {
            if let Some(d) = sample.distance_m {
                end = end.max(d);
                sample.distance_m = Some((d - base).max(0.0));
            }
        }
        previous_end = end;
    }
}

/// The reason given for a valid FIT file of another type.
fn describe_file_type(file_type: &str) -> String {
    let words = match file_type {
        "monitoring_a" | "monitoring_b" | "monitoring_daily" => "monitoring".to_string(),
        "mfg_range_min" | "mfg_range_max" => "manufacturer-specific".to_string(),
        other => other.replace('_', " "),
    };
    let article = match words.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    format!("{article} {words} file, not an activity")
}

/// Maps FIT's sport and sub-sport names to a [`Sport`] and a label like `running/trail`.
fn map_sport(sport: Option<&str>, sub_sport: Option<&str>) -> (Option<Sport>, Option<String>) {
    let Some(sport) = sport else {
        return (None, None);
    };
    let sub = sub_sport.filter(|s| *s != "generic");
    let label = match sub {
        Some(sub) => format!("{sport}/{sub}"),
        None => sport.to_string(),
    };
    let mapped = match (sport, sub.unwrap_or("")) {
        ("running", "trail") => Sport::TrailRun,
        ("running", "treadmill" | "indoor_running") => Sport::TreadmillRun,
        ("running", "virtual_activity") => Sport::VirtualRun,
        ("running", _) => Sport::Run,
        ("cycling", "indoor_cycling" | "virtual_activity" | "spin") => Sport::IndoorRide,
        ("cycling" | "e_biking", _) => Sport::Ride,
        ("training" | "fitness_equipment", "indoor_cycling" | "spin") => Sport::IndoorRide,
        ("fitness_equipment", "elliptical") => Sport::Elliptical,
        ("fitness_equipment", "indoor_rowing") | ("rowing", _) => Sport::Row,
        ("fitness_equipment", "treadmill") => Sport::TreadmillRun,
        ("fitness_equipment", "indoor_walking") => Sport::Walk,
        ("training" | "fitness_equipment", "strength_training")
        | ("fitness_equipment", "strength") => Sport::Strength,
        ("swimming", _) => Sport::Swim,
        ("walking", _) => Sport::Walk,
        ("hiking", _) => Sport::Hike,
        ("cross_country_skiing" | "alpine_skiing", _) => Sport::Ski,
        ("paddling" | "stand_up_paddleboarding" | "kayaking", _) => Sport::Paddle,
        _ => Sport::Other,
    };
    (Some(mapped), Some(label))
}

// ---------------------------------------------------------------------------------------------
// Values.
// ---------------------------------------------------------------------------------------------

/// A numeric value as f64; `None` for non-numbers and non-finite floats.
fn value_f64(value: &Value) -> Option<f64> {
    let number = match *value {
        Value::Float64(v) => v,
        Value::Float32(v) => v as f64,
        Value::SInt32(v) => v as f64,
        Value::UInt32(v) | Value::UInt32z(v) => v as f64,
        Value::SInt16(v) => v as f64,
        Value::UInt16(v) | Value::UInt16z(v) => v as f64,
        Value::SInt8(v) => v as f64,
        Value::UInt8(v) | Value::UInt8z(v) | Value::Byte(v) | Value::Enum(v) => v as f64,
        Value::SInt64(v) => v as f64,
        Value::UInt64(v) | Value::UInt64z(v) => v as f64,
        _ => return None,
    };
    number.is_finite().then_some(number)
}

/// A device total: finite and not negative.
fn value_total(value: &Value) -> Option<f64> {
    value_f64(value).filter(|v| *v >= 0.0)
}

/// An altitude in metres, without FIT's "invalid" sentinels.
fn valid_altitude(value: &Value) -> Option<f64> {
    value_f64(value).filter(|a| {
        INVALID_ALTITUDES
            .iter()
            .all(|invalid| (a - invalid).abs() > 1e-3)
    })
}

fn value_time(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::Timestamp(t) => Some(t.with_timezone(&Utc)),
        _ => None,
    }
}

/// An enum name (`running`) or, for values the profile does not name, the number.
fn value_label(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        }
        Value::Timestamp(_) | Value::Array(_) | Value::Invalid => None,
        other => value_f64(other).map(|v| format!("{v}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static CAUGHT_PANICS: Cell<usize> = const { Cell::new(0) };
    }

    pub(super) fn note_caught_panic() {
        CAUGHT_PANICS.with(|c| c.set(c.get() + 1));
    }

    fn caught_panics() -> usize {
        CAUGHT_PANICS.with(Cell::get)
    }

    // -----------------------------------------------------------------------------------------
    // Helpers.
    // -----------------------------------------------------------------------------------------

    /// A FIT file copied from the real-device corpus into `tests/fixtures/fit/` (see its
    /// `ATTRIBUTION.md`).
    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fit")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Reads bytes and checks that no panic had to be caught on the way.
    fn read_checked(bytes: &[u8]) -> Result<ParsedFile, ReadError> {
        let before = caught_panics();
        let result = read_fit(bytes);
        assert_eq!(caught_panics(), before, "the decoder panicked");
        result
    }

    fn activities_of(name: &str) -> (Vec<ParsedActivity>, Vec<String>) {
        match read_checked(&fixture(name)) {
            Ok(ParsedFile::Activities {
                activities,
                remarks,
            }) => (activities, remarks),
            other => panic!("{name}: expected activities, got {other:?}"),
        }
    }

    fn only_activity(name: &str) -> (ParsedActivity, Vec<String>) {
        let (mut activities, remarks) = activities_of(name);
        assert_eq!(activities.len(), 1, "{name}: one activity expected");
        (activities.remove(0), remarks)
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn assert_close(actual: Option<f64>, expected: f64, tolerance: f64, what: &str) {
        let actual = actual.unwrap_or_else(|| panic!("{what}: missing, expected {expected}"));
        assert!(
            (actual - expected).abs() <= tolerance,
            "{what}: {actual} is not {expected} ± {tolerance}"
        );
    }

    /// Totals as MANIFEST.tsv gives them: distance (0.1 m), timer (ms), ascent, descent.
    fn assert_totals(totals: &DeviceTotals, manifest: [Option<f64>; 4], what: &str) {
        let [distance, timer, ascent, descent] = manifest;
        let pairs = [
            (totals.distance_m, distance, 0.051, "distance"),
            (totals.timer_s, timer, 0.0011, "timer"),
            (totals.ascent_m, ascent, 0.01, "ascent"),
            (totals.descent_m, descent, 0.01, "descent"),
        ];
        for (actual, expected, tolerance, name) in pairs {
            match expected {
                Some(expected) => {
                    assert_close(actual, expected, tolerance, &format!("{what} {name}"))
                }
                None => assert_eq!(actual, None, "{what} {name}"),
            }
        }
    }

    fn corrupt_detail(result: Result<ParsedFile, ReadError>) -> String {
        match result {
            Err(ReadError::Corrupt { format, detail }) => {
                assert_eq!(format, "FIT");
                detail
            }
            other => panic!("expected a corrupt-file error, got {other:?}"),
        }
    }

    /// A FIT file made of a 14-byte header, the given data and a correct checksum.
    fn build_fit(data: &[u8]) -> Vec<u8> {
        let mut bytes = vec![14, 0x20, 0x54, 0x08];
        bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        bytes.extend_from_slice(b".FIT");
        let header_crc = fit_crc(&bytes);
        bytes.extend_from_slice(&header_crc.to_le_bytes());
        bytes.extend_from_slice(data);
        let crc = fit_crc(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        bytes
    }

    // -----------------------------------------------------------------------------------------
    // Small pieces.
    // -----------------------------------------------------------------------------------------

    #[test]
    fn checksum_matches_the_header_checksums_devices_wrote() {
        // 14-byte headers carry the checksum of their first 12 bytes.
        for name in [
            "strava-android-app-201.10-b1218918.fit",
            "hrv-activity.fit",
            "nick.fit",
        ] {
            let bytes = fixture(name);
            assert_eq!(bytes[0], 14);
            let stored = u16::from_le_bytes([bytes[12], bytes[13]]);
            assert_eq!(fit_crc(&bytes[..12]), stored, "{name}");
        }
        // The same sum as the FIT SDK's nibble-table version.
        let nibble = |data: &[u8]| -> u16 {
            const T: [u16; 16] = [
                0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00,
                0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
            ];
            data.iter().fold(0u16, |crc, &b| {
                let low = (crc >> 4) ^ T[(crc & 0xF) as usize] ^ T[(b & 0xF) as usize];
                (low >> 4) ^ T[(low & 0xF) as usize] ^ T[(b >> 4) as usize]
            })
        };
        let sample = fixture("2013-02-06-12-11-14.fit");
        assert_eq!(fit_crc(&sample), nibble(&sample));
        // Appending a checksum makes the checksum of the whole zero.
        let mut data = b"kneeguard".to_vec();
        data.extend_from_slice(&fit_crc(b"kneeguard").to_le_bytes());
        assert_eq!(fit_crc(&data), 0);
    }

    #[test]
    fn sports_map_to_kneeguard_sports_and_labels() {
        let cases = [
            ("running", None, Sport::Run, "running"),
            ("running", Some("generic"), Sport::Run, "running"),
            ("running", Some("trail"), Sport::TrailRun, "running/trail"),
            (
                "running",
                Some("treadmill"),
                Sport::TreadmillRun,
                "running/treadmill",
            ),
            (
                "running",
                Some("indoor_running"),
                Sport::TreadmillRun,
                "running/indoor_running",
            ),
            (
                "running",
                Some("virtual_activity"),
                Sport::VirtualRun,
                "running/virtual_activity",
            ),
            ("cycling", None, Sport::Ride, "cycling"),
            ("cycling", Some("road"), Sport::Ride, "cycling/road"),
            (
                "cycling",
                Some("indoor_cycling"),
                Sport::IndoorRide,
                "cycling/indoor_cycling",
            ),
            (
                "cycling",
                Some("virtual_activity"),
                Sport::IndoorRide,
                "cycling/virtual_activity",
            ),
            ("cycling", Some("spin"), Sport::IndoorRide, "cycling/spin"),
            (
                "training",
                Some("indoor_cycling"),
                Sport::IndoorRide,
                "training/indoor_cycling",
            ),
            (
                "fitness_equipment",
                Some("elliptical"),
                Sport::Elliptical,
                "fitness_equipment/elliptical",
            ),
            (
                "fitness_equipment",
                Some("indoor_rowing"),
                Sport::Row,
                "fitness_equipment/indoor_rowing",
            ),
            ("rowing", None, Sport::Row, "rowing"),
            (
                "swimming",
                Some("lap_swimming"),
                Sport::Swim,
                "swimming/lap_swimming",
            ),
            ("walking", None, Sport::Walk, "walking"),
            ("hiking", None, Sport::Hike, "hiking"),
            (
                "cross_country_skiing",
                None,
                Sport::Ski,
                "cross_country_skiing",
            ),
            ("alpine_skiing", None, Sport::Ski, "alpine_skiing"),
            ("paddling", None, Sport::Paddle, "paddling"),
            (
                "stand_up_paddleboarding",
                None,
                Sport::Paddle,
                "stand_up_paddleboarding",
            ),
            ("kayaking", None, Sport::Paddle, "kayaking"),
            (
                "training",
                Some("strength_training"),
                Sport::Strength,
                "training/strength_training",
            ),
            (
                "fitness_equipment",
                Some("strength_training"),
                Sport::Strength,
                "fitness_equipment/strength_training",
            ),
            ("transition", None, Sport::Other, "transition"),
            ("generic", None, Sport::Other, "generic"),
            ("254", None, Sport::Other, "254"),
        ];
        for (sport, sub_sport, expected, label) in cases {
            assert_eq!(
                map_sport(Some(sport), sub_sport),
                (Some(expected), Some(label.to_string())),
                "{sport}/{sub_sport:?}"
            );
        }
        assert_eq!(map_sport(None, Some("trail")), (None, None));
    }

    #[test]
    fn altitude_sentinels_and_non_finite_values_are_dropped() {
        assert_eq!(valid_altitude(&Value::Float64(4587.0)), None);
        assert_eq!(valid_altitude(&Value::Float64(12_607.0)), None);
        assert_eq!(valid_altitude(&Value::Float64(858_992_959.0)), None);
        assert_eq!(valid_altitude(&Value::Float64(f64::NAN)), None);
        assert_eq!(valid_altitude(&Value::Float64(f64::INFINITY)), None);
        assert_eq!(valid_altitude(&Value::String("12".into())), None);
        assert_eq!(valid_altitude(&Value::Float64(4586.8)), Some(4586.8));
        assert_eq!(valid_altitude(&Value::Float64(-12.5)), Some(-12.5));
        assert_eq!(value_total(&Value::Float64(-1.0)), None);
        assert_eq!(value_total(&Value::UInt16(168)), Some(168.0));
    }

    #[test]
    fn semicircles_become_degrees() {
        assert_eq!(2_147_483_648.0 * DEGREES_PER_SEMICIRCLE, 180.0);
        assert_eq!(-1_073_741_824.0 * DEGREES_PER_SEMICIRCLE, -90.0);
        let (run, _) = only_activity("2013-02-06-12-11-14.fit");
        let (lat, lon) = run.samples[0].position.unwrap();
        assert!((lat - 57.384_613_6).abs() < 1e-6, "{lat}");
        assert!((lon - -4.429_914_6).abs() < 1e-6, "{lon}");
    }

    #[test]
    fn other_file_types_are_named_in_plain_words() {
        assert_eq!(
            describe_file_type("settings"),
            "a settings file, not an activity"
        );
        assert_eq!(
            describe_file_type("workout"),
            "a workout file, not an activity"
        );
        assert_eq!(
            describe_file_type("monitoring_b"),
            "a monitoring file, not an activity"
        );
        assert_eq!(
            describe_file_type("activity_summary"),
            "an activity summary file, not an activity"
        );
    }

    // -----------------------------------------------------------------------------------------
    // Real files (figures from MANIFEST.tsv, the device's own totals).
    // -----------------------------------------------------------------------------------------

    #[test]
    fn fr110_run_gives_its_totals_points_and_start() {
        let (run, remarks) = only_activity("2013-02-06-12-11-14.fit");
        assert!(remarks.is_empty(), "{remarks:?}");
        assert_eq!(run.sport, Some(Sport::Run));
        assert_eq!(run.sport_label.as_deref(), Some("running"));
        assert_eq!(run.start, Some(utc("2013-02-06T12:11:14Z")));
        assert_eq!(run.device.as_deref(), Some("garmin fr110"));
        assert_eq!(run.altitude_source, AltitudeSource::Barometric);
        assert_totals(
            &run.totals,
            [Some(4835.4), Some(2625.140), Some(168.0), Some(160.0)],
            "fr110",
        );
        assert_close(run.totals.elapsed_s, 2625.14, 0.001, "elapsed");
        assert_eq!(run.samples.len(), 590);
        assert_eq!(run.samples[0].time, run.start);
        assert_close(run.samples[0].altitude_m, 279.6, 1e-6, "first altitude");
        let last = run.samples.last().unwrap();
        assert_close(last.distance_m, 4835.4, 5.0, "last distance");
        assert!(run
            .samples
            .iter()
            .all(|s| s.altitude_m.is_some_and(|a| (-100.0..3000.0).contains(&a))));
    }

    #[test]
    fn fenix2_run_has_local_offset_and_totals() {
        let (run, remarks) = only_activity("activity-small-fenix2-run.fit");
        assert!(remarks.is_empty(), "{remarks:?}");
        assert_eq!(run.sport, Some(Sport::Run));
        assert_eq!(run.device.as_deref(), Some("garmin fenix2"));
        assert_eq!(run.start, Some(utc("2015-08-15T14:45:08Z")));
        assert_eq!(run.utc_offset_s, Some(7200));
        assert_totals(
            &run.totals,
            [Some(9008.2), Some(2832.0), Some(64.0), Some(61.0)],
            "fenix2",
        );
        assert_eq!(run.samples.len(), 2809);
    }

    #[test]
    fn sdk_activity_has_a_negative_utc_offset() {
        let (run, _) = only_activity("Activity.fit");
        assert_eq!(run.start, Some(utc("2012-04-09T21:22:26Z")));
        assert_eq!(run.utc_offset_s, Some(-4 * 3600));
        assert_eq!(run.device.as_deref(), Some("dynastream hrm1"));
        assert_totals(
            &run.totals,
            [Some(5.7), Some(13.749), Some(0.0), Some(0.0)],
            "sdk",
        );
        assert_eq!(run.samples.len(), 14);
    }

    #[test]
    fn cross_training_sports_are_recognised() {
        let (ride, _) = only_activity("2015-10-13-08-43-15.fit");
        assert_eq!(ride.sport, Some(Sport::Ride));
        assert_eq!(ride.device.as_deref(), Some("garmin edge200"));
        assert_totals(
            &ride.totals,
            [Some(11536.4), Some(1558.198), Some(66.0), Some(84.0)],
            "edge200",
        );
        assert_eq!(ride.samples.len(), 221);

        let (indoor, _) = only_activity("hrv-activity.fit");
        assert_eq!(indoor.sport, Some(Sport::IndoorRide));
        assert_eq!(
            indoor.sport_label.as_deref(),
            Some("cycling/indoor_cycling")
        );
        assert_totals(
            &indoor.totals,
            [Some(6873.6), Some(1071.188), None, None],
            "edge530",
        );
        assert!(indoor.samples.iter().all(|s| s.position.is_none()));
        assert_eq!(indoor.samples.len(), 1072);

        let (row, _) = only_activity("20170518-191602-1740899583.fit");
        assert_eq!(row.sport, Some(Sport::Row));
        assert_eq!(
            row.sport_label.as_deref(),
            Some("fitness_equipment/indoor_rowing")
        );
        assert_totals(
            &row.totals,
            [Some(0.0), Some(1707.308), Some(0.0), Some(0.0)],
            "row",
        );
        assert_eq!(row.samples.len(), 1641);

        let (walk, _) = only_activity("garmin-fenix-5-walk.fit");
        assert_eq!(walk.sport, Some(Sport::Walk));
        assert_totals(
            &walk.totals,
            [Some(67.8), Some(45.379), Some(1.0), Some(0.0)],
            "walk",
        );
        assert_eq!(walk.samples.len(), 17);
    }

    #[test]
    fn chained_triathlon_gives_one_activity_per_session() {
        let (activities, remarks) = activities_of("sample_mulitple_header.fit");
        assert!(remarks.is_empty(), "{remarks:?}");
        let sports: Vec<_> = activities.iter().map(|a| a.sport.unwrap()).collect();
        assert_eq!(
            sports,
            [
                Sport::Swim,
                Sport::Other,
                Sport::Ride,
                Sport::Other,
                Sport::Run
            ]
        );
        assert_eq!(
            activities[0].sport_label.as_deref(),
            Some("swimming/open_water")
        );
        assert_eq!(activities[1].sport_label.as_deref(), Some("transition"));
        let sum = |f: fn(&DeviceTotals) -> Option<f64>| -> f64 {
            activities.iter().map(|a| f(&a.totals).unwrap()).sum()
        };
        assert!((sum(|t| t.distance_m) - 52533.7).abs() < 0.1);
        assert!((sum(|t| t.timer_s) - 9491.348).abs() < 0.01);
        assert_eq!(sum(|t| t.ascent_m), 32.0);
        assert_eq!(sum(|t| t.descent_m), 41.0);
        let points: usize = activities.iter().map(|a| a.samples.len()).sum();
        assert_eq!(points, 1773);
        assert_eq!(activities[0].start, Some(utc("2018-05-27T07:33:01Z")));
        assert_eq!(activities[4].start, Some(utc("2018-05-27T09:23:41Z")));
        // Every point after the first session's start lies in its own session's window.
        for activity in &activities[1..] {
            assert!(!activity.samples.is_empty());
            let start = activity.start.unwrap();
            let end = start
                + chrono::Duration::milliseconds(
                    (activity.totals.elapsed_s.unwrap() * 1000.0) as i64,
                );
            for sample in &activity.samples {
                let t = sample.time.unwrap();
                assert!(
                    t >= start && t <= end + chrono::Duration::seconds(60),
                    "{t}"
                );
            }
        }
        assert!(activities.iter().all(|a| a.utc_offset_s == Some(7200)));
        assert!(activities
            .iter()
            .all(|a| a.device.as_deref() == Some("garmin fr920xt")));
    }

    #[test]
    fn chained_pool_swim_is_one_swim_without_positions() {
        let (swim, remarks) = only_activity("event_timestamp.fit");
        assert!(remarks.is_empty(), "{remarks:?}");
        assert_eq!(swim.sport, Some(Sport::Swim));
        assert_eq!(swim.sport_label.as_deref(), Some("swimming/lap_swimming"));
        assert_totals(
            &swim.totals,
            [Some(2606.0), Some(4371.560), None, None],
            "swim",
        );
        assert_eq!(swim.samples.len(), 4376);
        assert!(swim.samples.iter().all(|s| s.position.is_none()));
    }

    #[test]
    fn settings_file_is_not_an_activity() {
        assert_eq!(
            read_checked(&fixture("Settings.fit")),
            Ok(ParsedFile::NotAnActivity {
                reason: "a settings file, not an activity".to_string()
            })
        );
    }

    #[test]
    fn activity_followed_by_settings_keeps_the_activity() {
        let (run, remarks) = only_activity("activity-settings.fit");
        assert!(remarks.is_empty(), "{remarks:?}");
        assert_eq!(run.sport, Some(Sport::Run));
        assert_eq!(run.samples.len(), 14);
        assert_eq!(run.device.as_deref(), Some("dynastream hrm1"));
    }

    #[test]
    fn bad_data_checksum_is_corrupt() {
        let detail = corrupt_detail(read_checked(&fixture("activity-filecrc.fit")));
        assert_eq!(
            detail,
            "data checksum mismatch (stored 0xB1D5, computed 0xA1D5); the file is damaged — \
             export it again from the device or app"
        );
    }

    #[test]
    fn file_cut_inside_its_checksum_keeps_the_activity() {
        let (run, remarks) = only_activity("activity-unexpected-eof.fit");
        assert_eq!(
            remarks,
            ["truncated: the file ends 3 bytes before its declared end; imported the complete part"]
        );
        assert_eq!(run.sport, Some(Sport::Run));
        assert_eq!(run.samples.len(), 14);
        assert_totals(
            &run.totals,
            [Some(5.7), Some(13.749), Some(0.0), Some(0.0)],
            "eof",
        );
    }

    #[test]
    fn chained_part_without_its_data_is_reported_as_truncated() {
        let (run, remarks) = only_activity("activity-settings-nodata.fit");
        assert_eq!(
            remarks,
            ["truncated: the file ends 67 bytes before its declared end; imported the complete part"]
        );
        assert_eq!(run.samples.len(), 14);
    }

    #[test]
    fn trailing_bytes_with_a_broken_header_are_ignored() {
        let (run, remarks) = only_activity("activity-settings-corruptheader.fit");
        assert_eq!(remarks.len(), 1);
        assert!(
            remarks[0].starts_with("83 trailing bytes after the end of the FIT data were ignored"),
            "{remarks:?}"
        );
        assert_eq!(run.samples.len(), 14);
    }

    #[test]
    fn recording_without_session_is_rebuilt_from_its_records() {
        let (ride, remarks) = only_activity("nick.fit");
        assert_eq!(remarks.len(), 2, "{remarks:?}");
        assert!(
            remarks[0].starts_with("truncated: the last message is cut off"),
            "{remarks:?}"
        );
        assert!(remarks[1].starts_with("no session summary"), "{remarks:?}");
        assert_eq!(ride.totals, DeviceTotals::default());
        assert_eq!(
            ride.device.as_deref().map(|d| d.starts_with("sigmasport")),
            Some(true)
        );
        assert!(ride.samples.len() > 14_000, "{}", ride.samples.len());
        assert_eq!(ride.start, ride.samples[0].time);
        assert!(ride.start.is_some());
    }

    #[test]
    fn decode_error_mid_file_keeps_the_points_before_it() {
        let (run, remarks) = only_activity("strava-android-app-201.10-b1218918.fit");
        assert_eq!(
            remarks[0],
            "damaged data at byte 7471 (no definition found for local message number 11); \
             imported what came before it"
        );
        assert_eq!(
            remarks[1],
            "truncated: the file ends 19 bytes before its declared end"
        );
        assert_eq!(run.sport, Some(Sport::Run));
        assert_eq!(run.device.as_deref(), Some("strava 102"));
        assert_eq!(run.altitude_source, AltitudeSource::Gps);
        assert_totals(
            &run.totals,
            [Some(11274.0), Some(3558.0), None, None],
            "strava",
        );
        assert_eq!(run.samples.len(), 473);
    }

    #[test]
    fn file_with_only_a_file_id_and_one_point() {
        let (activity, remarks) = only_activity("valid_only_contain_fileid.fit");
        assert_eq!(activity.samples.len(), 1);
        assert_eq!(activity.start, Some(utc("2023-09-04T12:55:19Z")));
        assert!(remarks[0].starts_with("no session summary"), "{remarks:?}");
    }

    // -----------------------------------------------------------------------------------------
    // Damaged and made-up input.
    // -----------------------------------------------------------------------------------------

    #[test]
    fn garbage_and_broken_headers_are_corrupt() {
        assert_eq!(corrupt_detail(read_checked(&[])), "the file is empty");
        assert!(corrupt_detail(read_checked(&[14, 0x10, 0, 0, 1])).contains("too short"));
        assert!(corrupt_detail(read_checked(&[200; 40])).contains("header size of 200"));
        assert!(
            corrupt_detail(read_checked(b"<gpx version=\"1.1\"></gpx>")).contains("header size")
        );
        let mut no_signature = fixture("Activity.fit");
        no_signature[8..12].copy_from_slice(b"FIT.");
        assert!(corrupt_detail(read_checked(&no_signature)).contains("signature"));
        let mut bad_header_crc = fixture("hrv-activity.fit");
        bad_header_crc[12] ^= 0x55;
        assert!(
            corrupt_detail(read_checked(&bad_header_crc)).starts_with("header checksum mismatch")
        );
        // A header that promises data that never came.
        let header_only = &fixture("hrv-activity.fit")[..14];
        let detail = corrupt_detail(read_checked(header_only));
        assert!(
            detail.starts_with("the file ends 55554 bytes before its declared end, before any"),
            "{detail}"
        );
    }

    #[test]
    fn empty_but_valid_file_is_not_an_activity() {
        assert_eq!(
            read_checked(&build_fit(&[])),
            Ok(ParsedFile::NotAnActivity {
                reason: "an empty FIT file (a header and no messages)".to_string()
            })
        );
    }

    #[test]
    fn undecodable_data_with_a_valid_checksum_is_corrupt() {
        // A data message for a local message type nobody defined.
        let detail = corrupt_detail(read_checked(&build_fit(&[0x03, 0x00, 0x00])));
        assert_eq!(
            detail,
            "unreadable data at byte 14 (no definition found for local message number 3), \
             before any activity data; the file is damaged — export it again from the device \
             or app"
        );
    }

    #[test]
    fn cut_at_a_message_boundary_is_truncated() {
        let full = fixture("2013-02-06-12-11-14.fit");
        // Cut in half: the data ends in the middle of the records, before the session.
        let cut = &full[..full.len() / 2];
        let Ok(ParsedFile::Activities {
            activities,
            remarks,
        }) = read_checked(cut)
        else {
            panic!("expected activities");
        };
        assert_eq!(activities.len(), 1);
        assert!(
            remarks[0].starts_with("truncated: the file ends"),
            "{remarks:?}"
        );
        assert!(remarks[1].starts_with("no session summary"), "{remarks:?}");
        let run = &activities[0];
        assert_eq!(run.start, Some(utc("2013-02-06T12:11:14Z")));
        assert!(run.samples.len() > 200 && run.samples.len() < 590);
        assert_eq!(run.totals, DeviceTotals::default());
        // Without a session (and no `sport` message in this file) the sport is unknown.
        assert_eq!(run.sport, None);
    }

    #[test]
    fn trailing_garbage_after_a_valid_file_is_ignored() {
        let mut bytes = fixture("Activity.fit");
        bytes.extend_from_slice(b"junk after the end");
        let Ok(ParsedFile::Activities {
            activities,
            remarks,
        }) = read_checked(&bytes)
        else {
            panic!("expected activities");
        };
        assert_eq!(activities[0].samples.len(), 14);
        assert_eq!(remarks.len(), 1);
        assert!(remarks[0].starts_with("18 trailing bytes"), "{remarks:?}");
    }

    #[test]
    fn every_truncation_of_a_small_file_is_handled_without_panicking() {
        let full = fixture("Activity.fit");
        let mut activities_seen = 0;
        for len in 0..=full.len() {
            match read_checked(&full[..len]) {
                Ok(ParsedFile::Activities { remarks, .. }) => {
                    activities_seen += 1;
                    if len < full.len() {
                        assert!(remarks.iter().any(|r| r.starts_with("truncated")), "{len}");
                    }
                }
                Ok(ParsedFile::NotAnActivity { reason }) => panic!("{len}: {reason}"),
                Err(ReadError::Corrupt { .. }) => {}
                Err(other) => panic!("{len}: {other}"),
            }
        }
        assert!(activities_seen > full.len() / 2, "{activities_seen}");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn assert_clean(result: Result<ParsedFile, ReadError>) {
            match result {
                Ok(_) | Err(ReadError::Corrupt { .. }) => {}
                Err(other) => panic!("unexpected error kind: {other:?}"),
            }
        }

        const FIXTURES: [&str; 4] = [
            "2013-02-06-12-11-14.fit",
            "sample_mulitple_header.fit",
            "strava-android-app-201.10-b1218918.fit",
            "event_timestamp.fit",
        ];

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

            #[test]
            fn any_truncation_never_panics(which in 0..FIXTURES.len(), cut in 0.0f64..1.0) {
                let full = fixture(FIXTURES[which]);
                let len = (full.len() as f64 * cut) as usize;
                assert_clean(read_checked(&full[..len]));
            }

            #[test]
            fn random_byte_flips_never_panic(
                which in 0..FIXTURES.len(),
                flips in prop::collection::vec((0.0f64..1.0, 1u8..=255), 1..4),
            ) {
                let mut bytes = fixture(FIXTURES[which]);
                for (at, mask) in flips {
                    let i = (bytes.len() as f64 * at) as usize;
                    bytes[i] ^= mask;
                }
                assert_clean(read_checked(&bytes));
            }

            #[test]
            fn random_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
                assert_clean(read_checked(&bytes));
            }

            #[test]
            fn garbage_behind_a_valid_header_never_panics(
                data in prop::collection::vec(any::<u8>(), 0..600),
                keep_crc in any::<bool>(),
            ) {
                let mut bytes = build_fit(&data);
                if !keep_crc {
                    bytes.truncate(bytes.len() - 2);
                }
                // The decoder sees these bytes: whatever it does, the reader returns.
                assert_clean(read_fit(&bytes));
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // The whole corpus, when present.
    // -----------------------------------------------------------------------------------------

    fn corpus_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                corpus_files(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("fit"))
            {
                out.push(path);
            }
        }
    }

    /// MANIFEST.tsv rows by file path (relative to the data folder): column name → value.
    fn manifest() -> std::collections::HashMap<String, std::collections::HashMap<String, String>> {
        let Some(text) = crate::readers::shared_corpus()
            .and_then(|root| std::fs::read_to_string(root.join("MANIFEST.tsv")).ok())
        else {
            return Default::default();
        };
        let mut lines = text.lines();
        let columns: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        lines
            .map(|line| {
                let row: std::collections::HashMap<String, String> = columns
                    .iter()
                    .zip(line.split('\t'))
                    .map(|(c, v)| (c.to_string(), v.to_string()))
                    .collect();
                (row.get("file").cloned().unwrap_or_default(), row)
            })
            .collect()
    }

    #[test]
    fn every_corpus_file_reads_cleanly_and_matches_the_manifest() {
        let Some(root) = crate::readers::shared_corpus() else {
            return;
        };
        let root = root.join("fit");
        let manifest = manifest();
        let mut files = Vec::new();
        corpus_files(&root, &mut files);
        files.sort();
        assert!(files.len() >= 30, "only {} files", files.len());
        let mut multi_checked = 0;
        for path in &files {
            let bytes = std::fs::read(path).unwrap();
            let result = read_checked(&bytes);
            let key = path
                .strip_prefix(root.parent().unwrap())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let row = manifest.get(&key);
            let outcome = match &result {
                Ok(ParsedFile::Activities {
                    activities,
                    remarks,
                }) => format!(
                    "{} activities, {} points, remarks {remarks:?}",
                    activities.len(),
                    activities.iter().map(|a| a.samples.len()).sum::<usize>()
                ),
                Ok(ParsedFile::NotAnActivity { reason }) => format!("not an activity: {reason}"),
                Err(e) => format!("error: {e}"),
            };
            println!("{key}: {outcome}");
            let Some(row) = row else { continue };
            let flags = row.get("flags").map(String::as_str).unwrap_or("");
            let decoded_ok = row.get("fitparser").map(String::as_str) == Some("ok");
            if flags.contains("mismatching CRC") {
                assert!(matches!(result, Err(ReadError::Corrupt { .. })), "{key}");
                continue;
            }
            if let Some(rest) = flags.split("multi-session(").nth(1).filter(|_| decoded_ok) {
                let expected: usize = rest
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let Ok(ParsedFile::Activities { activities, .. }) = &result else {
                    panic!("{key}: expected {expected} activities, got {result:?}");
                };
                assert_eq!(activities.len(), expected, "{key}");
                multi_checked += 1;
            }
            // Files the manifest's decoder read without error: their summed totals match.
            let number = |column: &str| row.get(column).and_then(|v| v.parse::<f64>().ok());
            if decoded_ok {
                if let (Some(distance), Ok(ParsedFile::Activities { activities, .. })) =
                    (number("total_distance_m"), &result)
                {
                    let ours: f64 = activities.iter().filter_map(|a| a.totals.distance_m).sum();
                    assert!((ours - distance).abs() < 0.1, "{key}: {ours} vs {distance}");
                }
                if let (Some(descent), Ok(ParsedFile::Activities { activities, .. })) =
                    (number("total_descent_m"), &result)
                {
                    let ours: f64 = activities.iter().filter_map(|a| a.totals.descent_m).sum();
                    assert_eq!(ours, descent, "{key}");
                }
            }
        }
        assert!(multi_checked >= 4, "{multi_checked}");
    }
}
