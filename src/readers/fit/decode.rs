//! The decoder of the import: rustyfit's streaming decoder, reduced to the fields kneeguard
//! keeps.
//!
//! rustyfit reuses one message buffer for every message and gives raw field values; this glue
//! picks the few fields of the few messages kneeguard reads, applies the profile's scale and
//! offset to them and allocates nothing for a recorded point. Its own checksum check is off
//! (the framing checked both checksums, and rustyfit would refuse 14-byte headers whose
//! checksum is 0, which the FIT protocol allows), and so is its expansion of components:
//! kneeguard needs none of them and accumulates `compressed_speed_distance` itself.

use super::{DecodeStop, FileIdFields, FitMessage, PartDecoder, RecordFields, SessionFields};
use crate::model::DeviceTotals;
use rustyfit::profile::lookup::field_reference;
use rustyfit::profile::mesgdef::{Activity, FileId, Record, Session, Sport as SportMesg};
use rustyfit::profile::typedef::{
    FaveroProduct, File, FitBaseType, GarminProduct, Manufacturer, MesgNum, Sport, SubSport,
};
use rustyfit::profile::ProfileType;
use rustyfit::proto::{Field, Message, Value};
use rustyfit::{Decoder, DecoderError, DecoderEvent, StreamingIterator};
use std::cell::Cell;
use std::convert::Infallible;
use std::fmt::Display;

/// The profile's scale and offset of the fields kneeguard reads: value = raw / scale - offset.
pub(super) const DISTANCE_SCALE: f64 = 100.0;
pub(super) const ALTITUDE_SCALE: f64 = 5.0;
pub(super) const ALTITUDE_OFFSET: f64 = 500.0;
pub(super) const TIME_SCALE: f64 = 1000.0;

/// rustyfit's decoder, set up for framed, checked parts.
pub struct Rustyfit {
    decoder: Box<Decoder>,
}

impl Rustyfit {
    pub fn new() -> Self {
        Rustyfit {
            decoder: Box::new(
                Decoder::builder()
                    .checksum(false)
                    .expand_components(false)
                    .build(),
            ),
        }
    }
}

impl Default for Rustyfit {
    fn default() -> Self {
        Rustyfit::new()
    }
}

impl PartDecoder for Rustyfit {
    fn decode_part(
        &mut self,
        part: &[u8],
        offset: usize,
        each: &mut dyn FnMut(FitMessage),
    ) -> Result<(), DecodeStop> {
        let consumed = Cell::new(0usize);
        let mut stream = self.decoder.stream(Counted {
            rest: part,
            consumed: &consumed,
        });
        // The part holds no checksum: stop at its last byte rather than ask for one.
        while consumed.get() < part.len() {
            let position = offset + consumed.get();
            match stream.next() {
                None => break,
                Some(Ok(DecoderEvent::Message(message))) => each(reduce(message)),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(stop(error, position)),
            }
        }
        Ok(())
    }
}

fn stop(error: DecoderError<Infallible>, position: usize) -> DecodeStop {
    let detail = match error {
        DecoderError::UnexpectedEof => return DecodeStop::EndOfInput,
        DecoderError::MissingMessageDefinition { local_mesg_num } => {
            format!("no definition found for local message number {local_mesg_num}")
        }
        DecoderError::NotFITFile => "not a FIT header".to_string(),
        DecoderError::ChecksumMismatch { .. } => "checksum mismatch".to_string(),
        DecoderError::Io { err } => match err {},
    };
    DecodeStop::Damaged { position, detail }
}

/// A byte slice as rustyfit reads it, counting what it took.
struct Counted<'a> {
    rest: &'a [u8],
    consumed: &'a Cell<usize>,
}

impl embedded_io::ErrorType for Counted<'_> {
    type Error = Infallible;
}

impl embedded_io::Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let n = buf.len().min(self.rest.len());
        let (taken, rest) = self.rest.split_at(n);
        if n <= 8 {
            // Most reads are one field of a few bytes: cheaper copied in place than by a call.
            for (to, from) in buf.iter_mut().zip(taken) {
                *to = *from;
            }
        } else {
            buf[..n].copy_from_slice(taken);
        }
        self.rest = rest;
        self.consumed.set(self.consumed.get() + n);
        Ok(n)
    }
}

/// The fields kneeguard keeps of one message.
fn reduce(message: &Message) -> FitMessage {
    match message.num {
        MesgNum::RECORD => FitMessage::Record(record(message)),
        MesgNum::SESSION => FitMessage::Session(session(message)),
        MesgNum::FILE_ID => FitMessage::FileId(file_id(message)),
        MesgNum::ACTIVITY => FitMessage::Activity {
            timestamp: field(message, Activity::TIMESTAMP).and_then(uint32),
            local_timestamp: field(message, Activity::LOCAL_TIMESTAMP).and_then(uint32),
        },
        MesgNum::SPORT => FitMessage::Sport {
            sport: field(message, SportMesg::SPORT).and_then(|f| enum_name(f, Sport)),
            sub_sport: field(message, SportMesg::SUB_SPORT).and_then(|f| enum_name(f, SubSport)),
        },
        _ => FitMessage::Other,
    }
}

fn record(message: &Message) -> RecordFields {
    let mut record = RecordFields::default();
    let (mut lat, mut lon) = (None, None);
    for field in &message.fields {
        match field.num {
            Record::TIMESTAMP => record.timestamp = uint32(field),
            Record::POSITION_LAT => lat = sint32(field),
            Record::POSITION_LONG => lon = sint32(field),
            Record::DISTANCE => record.distance_m = scaled(field, DISTANCE_SCALE, 0.0),
            Record::ALTITUDE => record.altitude_m = scaled(field, ALTITUDE_SCALE, ALTITUDE_OFFSET),
            Record::ENHANCED_ALTITUDE => {
                record.enhanced_altitude_m = scaled(field, ALTITUDE_SCALE, ALTITUDE_OFFSET)
            }
            Record::COMPRESSED_SPEED_DISTANCE => {
                record.compressed_distance = compressed_distance_count(&field.value)
            }
            _ => {}
        }
    }
    record.position = lat.zip(lon);
    record
}

fn session(message: &Message) -> SessionFields {
    let mut session = SessionFields::default();
    let mut totals = DeviceTotals::default();
    for field in &message.fields {
        match field.num {
            Session::START_TIME => session.start_time = uint32(field),
            Session::TIMESTAMP => session.timestamp = uint32(field),
            Session::SPORT => session.sport = enum_name(field, Sport),
            Session::SUB_SPORT => session.sub_sport = enum_name(field, SubSport),
            Session::TOTAL_DISTANCE => totals.distance_m = total(field, DISTANCE_SCALE),
            Session::TOTAL_TIMER_TIME => totals.timer_s = total(field, TIME_SCALE),
            Session::TOTAL_ELAPSED_TIME => totals.elapsed_s = total(field, TIME_SCALE),
            Session::TOTAL_ASCENT => totals.ascent_m = total(field, 1.0),
            Session::TOTAL_DESCENT => totals.descent_m = total(field, 1.0),
            _ => {}
        }
    }
    session.totals = totals;
    session
}

fn file_id(message: &Message) -> FileIdFields {
    let mut fields = FileIdFields::default();
    for field in &message.fields {
        match field.num {
            FileId::TYPE => fields.file_type = enum_name(field, File),
            FileId::MANUFACTURER => {
                fields.manufacturer = uint(field).and_then(|v| name(Manufacturer(v as u16), v))
            }
            FileId::PRODUCT => fields.product = product(message, field),
            FileId::PRODUCT_NAME => fields.product_name = string(field),
            _ => {}
        }
    }
    fields
}

/// The product, named by the manufacturer-specific subfield the profile picks (Garmin's and
/// Favero's product lists), else its number.
fn product(message: &Message, field: &Field) -> Option<String> {
    let value = uint(field)?;
    let reference = field_reference(MesgNum::FILE_ID, FileId::PRODUCT)?;
    match message
        .sub_field_substitution(reference.sub_fields())
        .map(|sub| sub.profile_type())
    {
        Some(ProfileType::GarminProduct) => name(GarminProduct(value as u16), value),
        Some(ProfileType::FaveroProduct) => name(FaveroProduct(value as u16), value),
        _ => Some(value.to_string()),
    }
}

/// The field with this number, when the message has one.
fn field(message: &Message, num: u8) -> Option<&Field> {
    message.fields.iter().find(|f| f.num == num)
}

/// The distance count (bits 12-23) of a `compressed_speed_distance` byte triple, unless every
/// byte is 0xFF (FIT's "invalid" for byte arrays).
fn compressed_distance_count(value: &Value) -> Option<u32> {
    let Value::ArrayUint8(bytes) = value else {
        return None;
    };
    if bytes.iter().all(|&b| b == u8::MAX) {
        return None;
    }
    let [_, b1, b2, ..] = **bytes else {
        return None;
    };
    Some((u32::from(b1) >> 4) | (u32::from(b2) << 4))
}

/// An unsigned integer field, unless it holds FIT's "invalid" marker.
fn uint(field: &Field) -> Option<u64> {
    let z = matches!(
        field.base_type,
        FitBaseType::UINT8Z | FitBaseType::UINT16Z | FitBaseType::UINT32Z | FitBaseType::UINT64Z
    );
    let (value, invalid) = match field.value {
        Value::Uint8(v) => (u64::from(v), u64::from(u8::MAX)),
        Value::Uint16(v) => (u64::from(v), u64::from(u16::MAX)),
        Value::Uint32(v) => (u64::from(v), u64::from(u32::MAX)),
        Value::Uint64(v) => (v, u64::MAX),
        _ => return None,
    };
    let invalid = if z { 0 } else { invalid };
    (value != invalid).then_some(value)
}

fn uint32(field: &Field) -> Option<u32> {
    match field.value {
        Value::Uint32(v) if v != u32::MAX => Some(v),
        _ => None,
    }
}

fn sint32(field: &Field) -> Option<i32> {
    match field.value {
        Value::Int32(v) if v != i32::MAX => Some(v),
        _ => None,
    }
}

/// A numeric field as a number, unless it holds FIT's "invalid" marker.
fn number(field: &Field) -> Option<f64> {
    let value = match field.value {
        Value::Int8(v) if v != i8::MAX => f64::from(v),
        Value::Int16(v) if v != i16::MAX => f64::from(v),
        Value::Int32(v) if v != i32::MAX => f64::from(v),
        Value::Int64(v) if v != i64::MAX => v as f64,
        Value::Float32(v) if v.to_bits() != u32::MAX => f64::from(v),
        Value::Float64(v) if v.to_bits() != u64::MAX => v,
        _ => uint(field)? as f64,
    };
    value.is_finite().then_some(value)
}

/// A numeric field after the profile's scale and offset.
fn scaled(field: &Field, scale: f64, offset: f64) -> Option<f64> {
    number(field).map(|raw| raw / scale - offset)
}

/// A device total: scaled, and not negative.
fn total(field: &Field, scale: f64) -> Option<f64> {
    scaled(field, scale, 0.0).filter(|v| *v >= 0.0)
}

/// A profile name for an enum field (`running`), or the number the profile does not name.
fn enum_name<T: Display>(field: &Field, as_type: fn(u8) -> T) -> Option<String> {
    let value = uint(field)?;
    name(as_type(value as u8), value)
}

/// rustyfit writes a value the profile does not name as `Type(123)`: that becomes `123`.
fn name(value: impl Display, raw: u64) -> Option<String> {
    let text = value.to_string();
    Some(if text.ends_with(')') {
        raw.to_string()
    } else {
        text
    })
}

fn string(field: &Field) -> Option<String> {
    let Value::String(text) = &field.value else {
        return None;
    };
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!text.is_empty()).then(|| text.to_string())
}
