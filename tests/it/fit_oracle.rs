//! fitparser as the oracle of the FIT decoder: every FIT file of `tests/fixtures/fit` (and of
//! `../shared/data` when it is there) is read through kneeguard's decoder (rustyfit) and through
//! fitparser behind the same framing and assembly, and the two must give the same activities,
//! field for field; the binary's import must store what the oracle measures.
//!
//! Tolerances: times are equal to the second; positions agree within 1e-9 degrees (0.1 mm),
//! distances, altitudes and device totals within 1 mm or 1 ms, measured figures within 1 mm or
//! 1 ms; the stored series within its quantisation (0.1 s, 1 cm) plus float rounding.

use crate::common::{fixture, shared_data, Env};
use chrono::{Local, NaiveDate, TimeZone};
use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{ErrorKind, FitDataRecord, Value};
use kneeguard::core::descent::DescentSettings;
use kneeguard::core::measure::{measure, Measured};
use kneeguard::db::{ActivityFilter, Store};
use kneeguard::model::{DeviceTotals, ParsedActivity, ParsedFile, Sample, Sport};
use kneeguard::readers::fit::{
    read_fit, read_fit_with, DecodeStop, FileIdFields, FitMessage, PartDecoder, RecordFields,
    SessionFields,
};
use kneeguard::readers::ReadError;
use std::path::{Path, PathBuf};

const FIT_EPOCH_UNIX: i64 = 631_065_600;

/// fitparser's streaming decoder as a [`PartDecoder`]: every message decoded by fitparser, the
/// fields picked by their profile names.
struct Fitparser {
    /// The Unix time fitparser gives to FIT local time 0 (it reads local times in this
    /// machine's zone).
    local_epoch_unix: i64,
}

impl Fitparser {
    fn new() -> Self {
        let fit_epoch = NaiveDate::from_ymd_opt(1989, 12, 31)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        let local_epoch_unix = Local
            .from_local_datetime(&fit_epoch)
            .earliest()
            .unwrap()
            .timestamp();
        Fitparser { local_epoch_unix }
    }

    fn message(&self, record: &FitDataRecord, compressed: Option<u32>) -> FitMessage {
        let fields = || record.fields().iter().map(|f| (f.name(), f.value()));
        match record.kind() {
            MesgNum::Record => {
                let mut r = RecordFields {
                    compressed_distance: compressed,
                    ..RecordFields::default()
                };
                let (mut lat, mut lon) = (None, None);
                for (name, value) in fields() {
                    match name {
                        "timestamp" => r.timestamp = fit_seconds(value),
                        "position_lat" => lat = semicircles(value),
                        "position_long" => lon = semicircles(value),
                        "distance" => r.distance_m = number(value),
                        "altitude" => r.altitude_m = number(value),
                        "enhanced_altitude" => r.enhanced_altitude_m = number(value),
                        _ => {}
                    }
                }
                r.position = lat.zip(lon);
                FitMessage::Record(r)
            }
            MesgNum::Session => {
                let mut s = SessionFields::default();
                let mut totals = DeviceTotals::default();
                let total = |v: &Value| number(v).filter(|v| *v >= 0.0);
                for (name, value) in fields() {
                    match name {
                        "start_time" => s.start_time = fit_seconds(value),
                        "timestamp" => s.timestamp = fit_seconds(value),
                        "sport" => s.sport = label(value),
                        "sub_sport" => s.sub_sport = label(value),
                        "total_distance" => totals.distance_m = total(value),
                        "total_timer_time" => totals.timer_s = total(value),
                        "total_elapsed_time" => totals.elapsed_s = total(value),
                        "total_ascent" => totals.ascent_m = total(value),
                        "total_descent" => totals.descent_m = total(value),
                        _ => {}
                    }
                }
                s.totals = totals;
                FitMessage::Session(s)
            }
            MesgNum::FileId => {
                let mut f = FileIdFields::default();
                for (name, value) in fields() {
                    match name {
                        "type" => f.file_type = label(value),
                        "manufacturer" => f.manufacturer = label(value),
                        "product_name" => f.product_name = label(value),
                        n if n == "product" || n.ends_with("_product") => f.product = label(value),
                        _ => {}
                    }
                }
                FitMessage::FileId(f)
            }
            MesgNum::Activity => {
                let find = |wanted: &str| fields().find(|(n, _)| *n == wanted).map(|(_, v)| v);
                let local = find("local_timestamp").and_then(|v| match v {
                    Value::Timestamp(t) => {
                        u32::try_from(t.timestamp() - self.local_epoch_unix).ok()
                    }
                    _ => None,
                });
                FitMessage::Activity {
                    timestamp: find("timestamp").and_then(fit_seconds),
                    local_timestamp: local,
                }
            }
            MesgNum::Sport => {
                let find = |wanted: &str| fields().find(|(n, _)| *n == wanted).map(|(_, v)| v);
                FitMessage::Sport {
                    sport: find("sport").and_then(label),
                    sub_sport: find("sub_sport").and_then(label),
                }
            }
            _ => FitMessage::Other,
        }
    }
}

impl PartDecoder for Fitparser {
    fn decode_part(
        &mut self,
        part: &[u8],
        offset: usize,
        each: &mut dyn FnMut(FitMessage),
    ) -> Result<(), DecodeStop> {
        let mut processor = FitStreamProcessor::new();
        processor.add_option(DecodeOption::SkipHeaderCrcValidation);
        processor.add_option(DecodeOption::SkipDataCrcValidation);
        let mut buffer = part;
        while !buffer.is_empty() {
            let position = offset + (part.len() - buffer.len());
            let damaged = |error: &ErrorKind| DecodeStop::Damaged {
                position,
                detail: match error {
                    ErrorKind::MissingDefinitionMessage(local, _) => {
                        format!("no definition found for local message number {local}")
                    }
                    other => other.to_string(),
                },
            };
            let (rest, object) = match processor.deserialize_next(buffer) {
                Ok(next) => next,
                Err(error) => {
                    return Err(match *error {
                        ErrorKind::UnexpectedEof(_) => DecodeStop::EndOfInput,
                        ref other => damaged(other),
                    })
                }
            };
            if let FitObject::DataMessage(message) = object {
                // fitparser accumulates the raw counts of `compressed_speed_distance` instead
                // of their rolling differences: take the raw bytes.
                let compressed = (message.global_message_number() == 20)
                    .then(|| message.fields().get(&8))
                    .flatten()
                    .and_then(compressed_count);
                let record = processor.decode_message(message).map_err(|e| damaged(&e))?;
                each(self.message(&record, compressed));
            }
            buffer = rest;
        }
        Ok(())
    }
}

fn compressed_count(value: &Value) -> Option<u32> {
    let Value::Array(bytes) = value else {
        return None;
    };
    let byte = |i: usize| match bytes.get(i) {
        Some(Value::Byte(b) | Value::UInt8(b) | Value::UInt8z(b)) => Some(u32::from(*b)),
        _ => None,
    };
    Some((byte(1)? >> 4) | (byte(2)? << 4))
}

fn number(value: &Value) -> Option<f64> {
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

fn semicircles(value: &Value) -> Option<i32> {
    match *value {
        Value::SInt32(v) => Some(v),
        _ => None,
    }
}

fn fit_seconds(value: &Value) -> Option<u32> {
    match value {
        Value::Timestamp(t) => u32::try_from(t.timestamp() - FIT_EPOCH_UNIX).ok(),
        _ => None,
    }
}

fn label(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        }
        Value::Timestamp(_) | Value::Array(_) | Value::Invalid => None,
        other => number(other).map(|v| format!("{v}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing.
// ---------------------------------------------------------------------------------------------

/// Every FIT file of the fixtures and, when present, of the shared corpus.
fn fit_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("fit"))
            {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&fixture("fit"), &mut files);
    let fixtures = files.len();
    assert!(fixtures >= 19, "only {fixtures} FIT fixtures");
    match shared_data() {
        Some(shared) => {
            walk(&shared.join("fit"), &mut files);
            assert!(files.len() >= fixtures + 80, "{} files", files.len());
        }
        None => crate::common::skipped("the oracle reads the FIT fixtures only"),
    }
    files.sort();
    files
}

fn close(a: Option<f64>, b: Option<f64>, tolerance: f64) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= tolerance,
        (None, None) => true,
        _ => false,
    }
}

fn same_totals(a: &DeviceTotals, b: &DeviceTotals) -> bool {
    close(a.distance_m, b.distance_m, 1e-3)
        && close(a.timer_s, b.timer_s, 1e-3)
        && close(a.elapsed_s, b.elapsed_s, 1e-3)
        && close(a.ascent_m, b.ascent_m, 1e-3)
        && close(a.descent_m, b.descent_m, 1e-3)
}

fn same_sample(a: &Sample, b: &Sample) -> bool {
    let position = match (a.position, b.position) {
        (Some(p), Some(q)) => (p.0 - q.0).abs() <= 1e-9 && (p.1 - q.1).abs() <= 1e-9,
        (None, None) => true,
        _ => false,
    };
    a.time == b.time
        && position
        && close(a.distance_m, b.distance_m, 1e-3)
        && close(a.altitude_m, b.altitude_m, 1e-3)
}

/// A difference in words, unless the two are equal.
fn compare<T: PartialEq + std::fmt::Debug>(out: &mut Vec<String>, what: &str, ours: T, oracle: T) {
    if ours != oracle {
        out.push(format!("{what}: {ours:?} vs fitparser {oracle:?}"));
    }
}

/// The differences between two activities, in words.
fn differences(ours: &ParsedActivity, oracle: &ParsedActivity) -> Vec<String> {
    let mut out = Vec::new();
    let sport = |a: &ParsedActivity| (a.sport, a.sport_label.clone());
    compare(&mut out, "sport", sport(ours), sport(oracle));
    compare(&mut out, "start", ours.start, oracle.start);
    compare(
        &mut out,
        "utc offset",
        ours.utc_offset_s,
        oracle.utc_offset_s,
    );
    let device = |a: &ParsedActivity| (a.device.clone(), a.altitude_source);
    compare(&mut out, "device", device(ours), device(oracle));
    let mut check = |same: bool, what: &str, a: String, b: String| {
        if !same {
            out.push(format!("{what}: {a} vs fitparser {b}"));
        }
    };
    check(
        same_totals(&ours.totals, &oracle.totals),
        "device totals",
        format!("{:?}", ours.totals),
        format!("{:?}", oracle.totals),
    );
    check(
        ours.samples.len() == oracle.samples.len(),
        "points",
        ours.samples.len().to_string(),
        oracle.samples.len().to_string(),
    );
    if let Some((i, (a, b))) = ours
        .samples
        .iter()
        .zip(&oracle.samples)
        .enumerate()
        .find(|(_, (a, b))| !same_sample(a, b))
    {
        check(
            false,
            &format!("point {i}"),
            format!("{a:?}"),
            format!("{b:?}"),
        );
    }
    let (m, o) = (measured(ours), measured(oracle));
    check(
        (m.distance_m - o.distance_m).abs() <= 1e-3
            && (m.moving_s - o.moving_s).abs() <= 1e-3
            && (m.elapsed_s - o.elapsed_s).abs() <= 1e-3
            && close(m.ascent_m, o.ascent_m, 1e-3)
            && close(m.descent_m, o.descent_m, 1e-3),
        "measured",
        format!("{m:?}").chars().take(300).collect(),
        format!("{o:?}").chars().take(300).collect(),
    );
    let same_value = |a: f32, b: f32| a == b || (a.is_nan() && b.is_nan());
    check(
        m.series.len() == o.series.len()
            && m.series.iter().zip(&o.series).all(|(a, b)| {
                same_value(a.t_s, b.t_s)
                    && same_value(a.distance_m, b.distance_m)
                    && same_value(a.altitude_m, b.altitude_m)
            }),
        "series",
        format!("{} points", m.series.len()),
        format!("{} points", o.series.len()),
    );
    out
}

fn measured(activity: &ParsedActivity) -> Measured {
    measure(activity, &DescentSettings::default())
}

fn oracle_read(bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    read_fit_with(bytes, &mut Fitparser::new())
}

#[test]
fn rustyfit_reads_every_fit_file_as_fitparser_does() {
    let mut problems = Vec::new();
    let (mut activities, mut points) = (0usize, 0usize);
    let files = fit_files();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let name = path.display();
        match (read_fit(&bytes), oracle_read(&bytes)) {
            (
                Ok(ParsedFile::Activities {
                    activities: ours,
                    remarks,
                }),
                Ok(ParsedFile::Activities {
                    activities: oracle,
                    remarks: oracle_remarks,
                }),
            ) => {
                if remarks != oracle_remarks {
                    problems.push(format!("{name}: remarks {remarks:?} vs {oracle_remarks:?}"));
                }
                if ours.len() != oracle.len() {
                    problems.push(format!(
                        "{name}: {} vs {} activities",
                        ours.len(),
                        oracle.len()
                    ));
                }
                for (i, (a, b)) in ours.iter().zip(&oracle).enumerate() {
                    for difference in differences(a, b) {
                        problems.push(format!("{name} activity {i}: {difference}"));
                    }
                }
                activities += ours.len();
                points += ours.iter().map(|a| a.samples.len()).sum::<usize>();
            }
            (ours, oracle) if ours == oracle => {}
            (ours, oracle) => problems.push(format!("{name}: {ours:?} vs fitparser {oracle:?}")),
        }
    }
    println!(
        "{} FIT files, {activities} activities, {points} points: rustyfit and fitparser agree",
        files.len()
    );
    assert!(
        activities >= 20 && points >= 10_000,
        "{activities} {points}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each FIT file imported by the binary into its own database stores exactly what the oracle
/// reads and measures.
#[test]
fn the_import_stores_what_fitparser_reads() {
    let mut problems = Vec::new();
    let mut stored_total = 0;
    for path in fit_files() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let expected: Vec<ParsedActivity> = match oracle_read(&bytes) {
            Ok(ParsedFile::Activities { activities, .. }) => activities,
            _ => Vec::new(),
        };
        let env = Env::new();
        let out = env
            .cmd()
            .args(["import", "--quiet"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{name}: {out:?}");
        let store = Store::open(&env.db()).unwrap();
        let stored = store.activities(&ActivityFilter::default()).unwrap();
        if stored.len() != expected.len() {
            problems.push(format!(
                "{name}: stored {} activities, fitparser reads {}",
                stored.len(),
                expected.len()
            ));
            continue;
        }
        stored_total += stored.len();
        for activity in &stored {
            let Some(oracle) = expected.iter().find(|e| {
                e.start.map(|s| s.timestamp()) == activity.start.map(|s| s.timestamp())
                    && e.sport.unwrap_or(Sport::Other) == activity.sport
            }) else {
                problems.push(format!("{name}: no fitparser activity for {activity:?}"));
                continue;
            };
            let m = measured(oracle);
            let same = (activity.distance_m - m.distance_m).abs() <= 1e-3
                && (activity.moving_s - m.moving_s).abs() <= 1e-3
                && (activity.elapsed_s - m.elapsed_s).abs() <= 1e-3
                && close(activity.ascent_m, m.ascent_m, 1e-3)
                && close(activity.descent_m, m.descent_m, 1e-3)
                && close(activity.device_descent_m, oracle.totals.descent_m, 1e-3)
                && activity.device == oracle.device;
            if !same {
                problems.push(format!(
                    "{name}: stored {activity:?}, fitparser measures {m:?}"
                ));
            }
            let series = store.series(activity.id).unwrap().unwrap_or_default();
            let within = |a: f32, b: f32, step: f32| {
                (a.is_nan() && b.is_nan()) || (a - b).abs() <= step / 2.0 + a.abs() * 1e-6
            };
            let series_same = series.len() == m.series.len()
                && series.iter().zip(&m.series).all(|(s, o)| {
                    within(s.t_s, o.t_s, 0.1)
                        && within(s.distance_m, o.distance_m, 0.01)
                        && within(s.altitude_m, o.altitude_m, 0.01)
                });
            if !series_same {
                problems.push(format!(
                    "{name}: stored series of {} points differs from fitparser's {}",
                    series.len(),
                    m.series.len()
                ));
            }
        }
    }
    println!("{stored_total} stored activities match fitparser's");
    assert!(stored_total >= 20, "{stored_total}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// fitparser prints `ERROR: field size ...` to stderr for every field whose size is not a
/// multiple of its type's (145 lines for this Coros file); the import prints nothing.
#[test]
fn misaligned_fields_leave_the_terminal_quiet() {
    use rustyfit::{Decoder, DecoderEvent, StreamingIterator};
    let path = fixture("fit/coros-pace-2-cycling-misaligned-fields.fit");
    let bytes = std::fs::read(&path).unwrap();
    let mut decoder = Decoder::builder().checksum(false).build();
    let mut stream = decoder.stream(bytes.as_slice());
    let mut misaligned = 0;
    while let Some(Ok(event)) = stream.next() {
        if let DecoderEvent::MessageDefinition(definition) = event {
            misaligned += definition
                .field_definitions
                .iter()
                .filter(|f| f.base_type.size() > 0 && f.size % f.base_type.size() != 0)
                .count();
        }
    }
    assert!(misaligned > 0, "the file has no misaligned field");

    let env = Env::new();
    let out = env.cmd().args(["import"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("field size"), "{stderr}");
    assert_eq!(stderr, "", "nothing but the summary, on stdout");
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported"));
}
