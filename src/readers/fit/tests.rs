use super::assemble::{describe_file_type, map_sport, valid_altitude, DEGREES_PER_SEMICIRCLE};
use super::*;
use crate::model::{AltitudeSource, Sport};
use chrono::{DateTime, Utc};
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
            Some(expected) => assert_close(actual, expected, tolerance, &format!("{what} {name}")),
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
            0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
            0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
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
    for invalid in [4587.0, 12_607.0, 858_992_959.0, f64::NAN, f64::INFINITY] {
        assert_eq!(valid_altitude(Some(invalid)), None, "{invalid}");
    }
    assert_eq!(valid_altitude(Some(4586.8)), Some(4586.8));
    assert_eq!(valid_altitude(Some(-12.5)), Some(-12.5));
}

/// A record definition (timestamp, altitude, distance, position, compressed speed and
/// distance) and two records: one of FIT's "invalid" markers only, one of real values.
fn records_with_invalid_markers() -> Vec<u8> {
    let mut data = vec![0x40, 0, 0, 20, 0, 6];
    for (num, size, base) in [
        (253, 4, 0x86),
        (2, 2, 0x84),
        (5, 4, 0x86),
        (0, 4, 0x85),
        (1, 4, 0x85),
        (8, 3, 0x0D),
    ] {
        data.extend_from_slice(&[num, size, base]);
    }
    let record = |time: u32, altitude: u16, distance: u32, lat: i32, compressed: [u8; 3]| {
        let mut bytes = vec![0];
        bytes.extend_from_slice(&time.to_le_bytes());
        bytes.extend_from_slice(&altitude.to_le_bytes());
        bytes.extend_from_slice(&distance.to_le_bytes());
        bytes.extend_from_slice(&lat.to_le_bytes());
        bytes.extend_from_slice(&lat.to_le_bytes());
        bytes.extend_from_slice(&compressed);
        bytes
    };
    data.extend(record(
        1_000_000_000,
        u16::MAX,
        u32::MAX,
        i32::MAX,
        [0xFF; 3],
    ));
    data.extend(record(1_000_000_001, 2_750, 12_345, 1 << 29, [0xFF; 3]));
    build_fit(&data)
}

#[test]
fn invalid_markers_are_missing_values_and_real_values_are_scaled() {
    let (activity, _) = match read_checked(&records_with_invalid_markers()) {
        Ok(ParsedFile::Activities {
            mut activities,
            remarks,
        }) => (activities.remove(0), remarks),
        other => panic!("{other:?}"),
    };
    let [marked, real] = activity.samples[..] else {
        panic!("{:?}", activity.samples)
    };
    assert_eq!(marked.time, Some(utc("2021-09-08T01:46:40Z")));
    assert_eq!(
        (marked.altitude_m, marked.distance_m, marked.position),
        (None, None, None)
    );
    assert_eq!(real.altitude_m, Some(50.0));
    assert_eq!(real.distance_m, Some(123.45));
    assert_eq!(real.position, Some((45.0, 45.0)));
}

#[test]
fn profile_scales_are_rustyfit_profile_scales() {
    use rustyfit::profile::lookup::field_reference;
    use rustyfit::profile::typedef::MesgNum;
    let scale = |mesg, field| field_reference(mesg, field).map(|f| (f.scale(), f.offset()));
    assert_eq!(
        scale(MesgNum::RECORD, 5),
        Some((decode::DISTANCE_SCALE, 0.0))
    );
    let altitude = Some((decode::ALTITUDE_SCALE, decode::ALTITUDE_OFFSET));
    assert_eq!(scale(MesgNum::RECORD, 2), altitude);
    assert_eq!(scale(MesgNum::RECORD, 78), altitude);
    assert_eq!(
        scale(MesgNum::SESSION, 9),
        Some((decode::DISTANCE_SCALE, 0.0))
    );
    assert_eq!(scale(MesgNum::SESSION, 7), Some((decode::TIME_SCALE, 0.0)));
    assert_eq!(scale(MesgNum::SESSION, 8), Some((decode::TIME_SCALE, 0.0)));
    assert_eq!(scale(MesgNum::SESSION, 22), Some((1.0, 0.0)));
    assert_eq!(scale(MesgNum::SESSION, 23), Some((1.0, 0.0)));
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
            + chrono::Duration::milliseconds((activity.totals.elapsed_s.unwrap() * 1000.0) as i64);
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
    assert!(corrupt_detail(read_checked(b"<gpx version=\"1.1\"></gpx>")).contains("header size"));
    let mut no_signature = fixture("Activity.fit");
    no_signature[8..12].copy_from_slice(b"FIT.");
    assert!(corrupt_detail(read_checked(&no_signature)).contains("signature"));
    let mut bad_header_crc = fixture("hrv-activity.fit");
    bad_header_crc[12] ^= 0x55;
    assert!(corrupt_detail(read_checked(&bad_header_crc)).starts_with("header checksum mismatch"));
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
