//! Pieces shared by the GPX and TCX readers: one streaming pass over the bytes with quick-xml,
//! text collection across entity and CDATA events, lenient number and time parsing, and the
//! remarks both formats give about missing data.
//!
//! Real files are written by many programs, so everything here forgives what it can (a BOM,
//! namespace prefixes, whitespace, a time without a zone) and reports what it cannot.

use super::ReadError;
use crate::model::Sample;
use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// The UTF-8 byte order mark some exporters put before the XML declaration.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Remark given when no point of an activity carries a time.
pub const NO_TIMESTAMPS: &str = "no timestamps: the start and durations are unknown";
/// Remark given when no point of an activity carries an altitude.
pub const NO_ELEVATION: &str = "no elevation data: descent cannot be computed";

/// A quick-xml reader over a byte slice, with the BOM removed and byte positions that still
/// count from the start of the original file.
pub struct XmlStream<'a> {
    reader: Reader<&'a [u8]>,
    offset: u64,
}

/// A problem with the XML itself, where it happened and what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlFault {
    pub position: u64,
    pub detail: String,
}

impl<'a> XmlStream<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let (body, offset) = match bytes.strip_prefix(BOM) {
            Some(rest) => (rest, BOM.len() as u64),
            None => (bytes, 0),
        };
        let mut reader = Reader::from_reader(body);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        XmlStream { reader, offset }
    }

    /// The next event, or the fault that stopped the stream.
    pub fn next(&mut self) -> Result<Event<'a>, XmlFault> {
        self.reader.read_event().map_err(|e| XmlFault {
            position: self.reader.error_position() + self.offset,
            detail: e.to_string(),
        })
    }

    /// The byte position just after the last event, counted from the start of the file.
    pub fn position(&self) -> u64 {
        self.reader.buffer_position() + self.offset
    }
}

/// The text content of one element, gathered from its text, CDATA and reference events.
/// The buffer is reused from element to element.
#[derive(Debug, Default)]
pub struct TextBuf {
    bytes: Vec<u8>,
}

impl TextBuf {
    pub fn clear(&mut self) {
        self.bytes.clear();
    }

    pub fn push_bytes(&mut self, raw: &[u8]) {
        self.bytes.extend_from_slice(raw);
    }

    /// Appends the character an `&name;` or `&#n;` reference stands for; unknown names are
    /// kept as written.
    pub fn push_ref(&mut self, reference: &BytesRef<'_>) {
        let raw: &[u8] = reference;
        if let Ok(Some(c)) = reference.resolve_char_ref() {
            let mut utf8 = [0u8; 4];
            self.bytes
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            return;
        }
        let resolved = std::str::from_utf8(raw)
            .ok()
            .and_then(quick_xml::escape::resolve_predefined_entity);
        match resolved {
            Some(text) => self.bytes.extend_from_slice(text.as_bytes()),
            None => {
                self.bytes.push(b'&');
                self.bytes.extend_from_slice(raw);
                self.bytes.push(b';');
            }
        }
    }

    /// The collected text, trimmed; invalid UTF-8 is replaced rather than rejected.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match String::from_utf8_lossy(&self.bytes) {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.trim()),
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.trim().to_owned()),
        }
    }

    /// The collected text as a number, when it is one.
    pub fn number(&self) -> Option<f64> {
        parse_number_bytes(&self.bytes)
    }

    /// The collected text as an instant, when it is a plausible one (see [`plausible_time`]).
    pub fn time(&self) -> Option<DateTime<Utc>> {
        std::str::from_utf8(&self.bytes)
            .ok()
            .and_then(parse_time)
            .filter(|t| plausible_time(*t))
    }
}

/// The name of an element without its namespace prefix: `gpxtpx:hr` → `hr`.
pub fn local_name<'n>(start: &'n BytesStart<'_>) -> &'n [u8] {
    let name = start.name().into_inner();
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The raw value of the attribute with the given local name, ignoring prefixes and malformed
/// neighbours.
pub fn attribute<'s>(
    start: &'s BytesStart<'_>,
    wanted: &[u8],
) -> Option<std::borrow::Cow<'s, [u8]>> {
    let mut attributes = start.attributes();
    attributes.with_checks(false);
    for attribute in attributes.flatten() {
        if attribute.key.local_name().as_ref() == wanted {
            return Some(attribute.value);
        }
    }
    None
}

/// An attribute's value as text, with entity references resolved where possible.
pub fn attribute_text(start: &BytesStart<'_>, wanted: &[u8]) -> Option<String> {
    let raw = attribute(start, wanted)?;
    let lossy = String::from_utf8_lossy(&raw);
    let text = match quick_xml::escape::unescape(&lossy) {
        Ok(unescaped) => unescaped.trim().to_owned(),
        Err(_) => lossy.trim().to_owned(),
    };
    Some(text)
}

/// A finite number, tolerating surrounding whitespace and a leading `+`.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Some(value),
        _ => None,
    }
}

/// Raw bytes (an attribute value, an element's text) as a finite number, as [`parse_number`]
/// reads them. lexical-core reads the common case straight from the bytes; whatever it refuses
/// (other whitespace than XML's, a second `+`, ...) goes through [`parse_number`].
pub fn parse_number_bytes(raw: &[u8]) -> Option<f64> {
    let trimmed = raw.trim_ascii();
    let digits = trimmed.strip_prefix(b"+").unwrap_or(trimmed);
    match lexical_core::parse::<f64>(digits) {
        Ok(value) => value.is_finite().then_some(value),
        Err(_) => std::str::from_utf8(raw).ok().and_then(parse_number),
    }
}

/// An RFC 3339 instant, leniently: fractional seconds, `+hh:mm` offsets, a lowercase `z`, a
/// space for the `T`, and a missing zone (read as UTC) are all accepted.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&Utc));
    }
    // Offsets without a colon (`+0100`) and other near misses.
    if let Ok(instant) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(instant.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    None
}

/// Whether a recorded instant can be real: not before the GPS epoch (1980-01-06). Receivers
/// without a fix write placeholders such as 1901-12-13T20:45:52Z (`i32::MIN` seconds), which
/// are better treated as missing than as a run a century ago.
pub fn plausible_time(instant: DateTime<Utc>) -> bool {
    const GPS_EPOCH_S: i64 = 315_964_800;
    instant.timestamp() >= GPS_EPOCH_S
}

/// A latitude/longitude pair, when both are numbers within range.
pub fn valid_position(lat: Option<f64>, lon: Option<f64>) -> Option<(f64, f64)> {
    match (lat, lon) {
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            Some((lat, lon))
        }
        _ => None,
    }
}

/// The remarks about data missing from an activity's samples: no times at all, some points
/// without a time, no altitude at all.
pub fn sample_remarks(samples: &[Sample], remarks: &mut Vec<String>, prefix: &str) {
    if samples.is_empty() {
        return;
    }
    let timed = samples.iter().filter(|s| s.time.is_some()).count();
    if timed == 0 {
        remarks.push(format!("{prefix}{NO_TIMESTAMPS}"));
    } else if timed < samples.len() {
        remarks.push(format!(
            "{prefix}{} of {} points have no timestamp",
            samples.len() - timed,
            samples.len()
        ));
    }
    if samples.iter().all(|s| s.altitude_m.is_none()) {
        remarks.push(format!("{prefix}{NO_ELEVATION}"));
    }
}

/// The remark for a file whose XML breaks after some points were read.
pub fn malformed_remark(fault: &XmlFault, points: usize) -> String {
    format!(
        "malformed XML near byte {} ({}): read the {} points before it",
        fault.position, fault.detail, points
    )
}

/// Whether the start of the file mentions the given root element name at all, to tell a
/// damaged file of this format from a file of another kind.
pub fn head_mentions(bytes: &[u8], needle: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.windows(needle.len()).any(|w| w == needle)
}

/// The local name of the first element in `head`, when the XML before it is well formed.
pub fn root_element(head: &[u8]) -> Option<Vec<u8>> {
    let mut stream = XmlStream::new(head);
    loop {
        match stream.next().ok()? {
            Event::Start(start) | Event::Empty(start) => return Some(local_name(&start).to_vec()),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// What a streaming reader does with the events that [`drive`] hands it.
pub trait Handler {
    /// An element opens (an empty element opens and then closes).
    fn start(&mut self, start: &BytesStart<'_>) -> Result<(), ReadError>;
    /// The innermost open element closes.
    fn end(&mut self);
    /// Text or CDATA inside the current element.
    fn text(&mut self, raw: &[u8]);
    /// A character or entity reference (`&amp;`, `&#233;`) inside the current element.
    fn reference(&mut self, reference: &BytesRef<'_>);
    /// Whether the root element was opened and has not closed yet.
    fn unclosed(&self) -> bool;
}

/// Streams the events of `bytes` into `handler`, in one pass without a tree. Returns the fault
/// that ended the stream early, if any: malformed XML, or the end of the file inside the root
/// element `root` (`gpx`, `TrainingCenterDatabase`); the handler keeps what it read before it.
pub fn drive(
    bytes: &[u8],
    handler: &mut impl Handler,
    root: &str,
) -> Result<Option<XmlFault>, ReadError> {
    let mut stream = XmlStream::new(bytes);
    loop {
        match stream.next() {
            Ok(Event::Eof) => {
                return Ok(handler.unclosed().then(|| XmlFault {
                    position: stream.position(),
                    detail: format!("the file ends before the closing </{root}>"),
                }));
            }
            Ok(Event::Start(start)) => handler.start(&start)?,
            Ok(Event::Empty(start)) => {
                handler.start(&start)?;
                handler.end();
            }
            Ok(Event::End(_)) => handler.end(),
            Ok(Event::Text(text)) => handler.text(&text),
            Ok(Event::CData(data)) => handler.text(&data),
            Ok(Event::GeneralRef(reference)) => handler.reference(&reference),
            Ok(_) => {}
            Err(fault) => return Ok(Some(fault)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_read_leniently() {
        let utc = Utc.with_ymd_and_hms(2015, 12, 11, 14, 43, 13).unwrap();
        assert_eq!(parse_time("2015-12-11T14:43:13Z"), Some(utc));
        assert_eq!(parse_time(" 2015-12-11T14:43:13 "), Some(utc));
        assert_eq!(parse_time("2015-12-11T15:43:13+01:00"), Some(utc));
        assert_eq!(parse_time("2015-12-11T15:43:13+0100"), Some(utc));
        assert_eq!(parse_time("2015-12-11 14:43:13"), Some(utc));
        let frac = parse_time("2015-12-11T15:43:13.994+01:00").unwrap();
        assert_eq!(frac.timestamp_millis(), utc.timestamp_millis() + 994);
        assert_eq!(
            parse_time("2016-05-27T10:08:47.8Z")
                .unwrap()
                .timestamp_subsec_millis(),
            800
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time(""), None);
        assert_eq!(parse_time("2015-13-45T99:00:00Z"), None);
        let placeholder = parse_time("1901-12-13T20:45:52Z").unwrap();
        assert!(!plausible_time(placeholder));
        assert!(plausible_time(utc));
    }

    #[test]
    fn numbers_are_finite_or_nothing() {
        assert_eq!(parse_number(" 12.5\n"), Some(12.5));
        assert_eq!(parse_number("+3"), Some(3.0));
        assert_eq!(parse_number("-0.25"), Some(-0.25));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("12,5"), None);
        assert_eq!(parse_number(""), None);
        for (bytes, value) in [
            (&b" 12.5\n"[..], Some(12.5)),
            (b"+3", Some(3.0)),
            (b"\t-45.0654870215803456\r\n", Some(-45.065487021580346)),
            (b"1e400", None),
            (b"NaN", None),
            (b"12,5", None),
            (b"", None),
            (b"\xff1", None),
        ] {
            assert_eq!(parse_number_bytes(bytes), value, "{bytes:?}");
        }
    }

    proptest::proptest! {
        /// The fast path reads every number-like text exactly as the standard library does.
        #[test]
        fn bytes_read_as_numbers_as_std_reads_them(
            text in "[ \t\n+\\-]{0,2}[0-9]{0,20}[.]?[0-9]{0,20}([eE][+-]?[0-9]{0,4})?[ \t\n]{0,2}|[-+0-9.eEinfatyNI ]{0,12}|\\PC{0,12}"
        ) {
            let std = std::str::from_utf8(text.as_bytes()).ok().and_then(parse_number);
            let fast = parse_number_bytes(text.as_bytes());
            proptest::prop_assert_eq!(fast.map(f64::to_bits), std.map(f64::to_bits), "{:?}", text);
        }
    }

    #[test]
    fn positions_must_be_in_range() {
        assert_eq!(valid_position(Some(45.0), Some(7.0)), Some((45.0, 7.0)));
        assert_eq!(valid_position(Some(91.0), Some(7.0)), None);
        assert_eq!(valid_position(Some(45.0), Some(-181.0)), None);
        assert_eq!(valid_position(None, Some(7.0)), None);
    }

    #[test]
    fn local_names_drop_prefixes() {
        let start = BytesStart::new("gpxtpx:hr");
        assert_eq!(local_name(&start), b"hr");
        let start = BytesStart::new("trkpt");
        assert_eq!(local_name(&start), b"trkpt");
    }

    #[test]
    fn text_gathers_references() {
        let mut stream = XmlStream::new(b"\xEF\xBB\xBF<a>Tom &amp; Jerry&#33; <![CDATA[<x>]]></a>");
        let mut text = TextBuf::default();
        loop {
            match stream.next().unwrap() {
                Event::Text(t) => text.push_bytes(&t),
                Event::CData(c) => text.push_bytes(&c),
                Event::GeneralRef(r) => text.push_ref(&r),
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(text.text(), "Tom & Jerry! <x>");
    }

    #[test]
    fn the_root_element_is_found_past_declarations_and_comments() {
        let root =
            |text: &str| root_element(text.as_bytes()).map(|r| String::from_utf8(r).unwrap());
        assert_eq!(
            root("\u{feff}<?xml version=\"1.0\"?><!-- <gpx> --><ns:TrainingCenterDatabase x=\"<gpx\">"),
            Some("TrainingCenterDatabase".into())
        );
        assert_eq!(root("<gpx/>"), Some("gpx".into()));
        assert_eq!(root("<?xml version=\"1.0\"?>"), None);
        assert_eq!(root("plain text"), None);
    }
}
