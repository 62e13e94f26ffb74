//! GPX reader (GPX 1.0 and 1.1): one activity per file from all `trk/trkseg/trkpt` points.
//!
//! GPX is written by phones, watches, route planners and converters, each with its own habits,
//! so the reader is lenient: elements are matched by local name whatever their namespace, unknown
//! elements and extensions are skipped, and bad values drop only the value (or, for coordinates,
//! the point). Segments are pauses and several tracks follow one another, so every track point
//! goes into the one activity in file order. Files without track points are routes or waypoint
//! lists, and a track none of whose points carries a time is a planned route or course (route
//! planners and Strava's route export write them as tracks): none of them is an activity. The
//! bytes are read in one streaming pass without a tree, and memory grows only with the points
//! actually read.

use super::xml::{self, TextBuf, XmlFault};
use super::ReadError;
use crate::model::{AltitudeSource, ParsedActivity, ParsedFile, Sample, Sport};
use chrono::{DateTime, Utc};
use quick_xml::events::{BytesRef, BytesStart};

const FORMAT: &str = "GPX";

/// Reads a GPX file.
pub fn read_gpx(bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    let mut state = State::default();
    let fault = xml::drive(bytes, &mut state, "gpx")?;
    state.finish(bytes, fault)
}

/// The elements the reader cares about; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Gpx,
    Metadata,
    Trk,
    Trkseg,
    Trkpt,
    Rtept,
    Wpt,
    Name,
    Type,
    Time,
    Ele,
    Other,
}

impl Tag {
    fn of(local: &[u8]) -> Tag {
        match local {
            b"gpx" => Tag::Gpx,
            b"metadata" => Tag::Metadata,
            b"trk" => Tag::Trk,
            b"trkseg" => Tag::Trkseg,
            b"trkpt" => Tag::Trkpt,
            b"rtept" => Tag::Rtept,
            b"wpt" => Tag::Wpt,
            b"name" => Tag::Name,
            b"type" => Tag::Type,
            b"time" => Tag::Time,
            b"ele" => Tag::Ele,
            _ => Tag::Other,
        }
    }
}

/// Which value the text of the element being read belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    TrackName,
    MetadataName,
    TrackType,
    PointTime,
    PointEle,
}

/// A track point being read: its position (if valid) and what its children said.
#[derive(Debug, Clone, Copy)]
struct Point {
    position: Option<(f64, f64)>,
    time: Option<DateTime<Utc>>,
    altitude_m: Option<f64>,
}

#[derive(Debug, Default)]
struct State {
    root_seen: bool,
    stack: Vec<Tag>,
    text: TextBuf,
    /// The field being collected and the depth of its element.
    capture: Option<(Field, usize)>,
    point: Option<Point>,
    samples: Vec<Sample>,
    track_points: usize,
    skipped_points: usize,
    route_points: usize,
    waypoints: usize,
    track_name: Option<String>,
    metadata_name: Option<String>,
    sport_label: Option<String>,
    creator: Option<String>,
}

impl State {
    fn start(&mut self, start: &BytesStart<'_>) -> Result<(), ReadError> {
        let tag = Tag::of(xml::local_name(start));
        if !self.root_seen {
            self.root_seen = true;
            if tag != Tag::Gpx {
                return Err(ReadError::Corrupt {
                    format: FORMAT,
                    detail: format!(
                        "no <gpx> element: the root element is <{}>",
                        String::from_utf8_lossy(start.name().into_inner())
                    ),
                });
            }
            self.creator = xml::attribute_text(start, b"creator").filter(|c| !c.is_empty());
            self.stack.push(tag);
            return Ok(());
        }
        let parent = self.stack.last().copied().unwrap_or(Tag::Other);
        let field = match (tag, parent) {
            (Tag::Trkpt, _) => {
                self.open_point(start);
                None
            }
            (Tag::Rtept, _) => {
                self.route_points += 1;
                None
            }
            (Tag::Wpt, _) => {
                self.waypoints += 1;
                None
            }
            (Tag::Ele, Tag::Trkpt) => Some(Field::PointEle),
            (Tag::Time, Tag::Trkpt) => Some(Field::PointTime),
            (Tag::Name, Tag::Trk) => Some(Field::TrackName),
            (Tag::Name, Tag::Metadata | Tag::Gpx) => Some(Field::MetadataName),
            (Tag::Type, Tag::Trk) => Some(Field::TrackType),
            _ => None,
        };
        self.stack.push(tag);
        if let Some(field) = field {
            self.text.clear();
            self.capture = Some((field, self.stack.len()));
        }
        Ok(())
    }

    fn end(&mut self) {
        let depth = self.stack.len();
        if let Some((field, at)) = self.capture {
            if at == depth {
                self.capture = None;
                self.store(field);
            }
        }
        if self.stack.pop() == Some(Tag::Trkpt) {
            self.close_point();
        }
    }

    fn text(&mut self, raw: &[u8]) {
        if self.capture.is_some() {
            self.text.push_bytes(raw);
        }
    }

    fn open_point(&mut self, start: &BytesStart<'_>) {
        if self.point.is_some() {
            self.close_point();
        }
        let (mut lat, mut lon) = (None, None);
        let mut attributes = start.attributes();
        attributes.with_checks(false);
        for attribute in attributes.flatten() {
            match attribute.key.local_name().as_ref() {
                b"lat" => lat = xml::parse_number_bytes(&attribute.value),
                b"lon" => lon = xml::parse_number_bytes(&attribute.value),
                _ => {}
            }
        }
        self.point = Some(Point {
            position: xml::valid_position(lat, lon),
            time: None,
            altitude_m: None,
        });
    }

    fn close_point(&mut self) {
        let Some(point) = self.point.take() else {
            return;
        };
        self.track_points += 1;
        match point.position {
            Some(position) => self.samples.push(Sample {
                time: point.time,
                position: Some(position),
                distance_m: None,
                altitude_m: point.altitude_m,
            }),
            None => self.skipped_points += 1,
        }
    }

    fn store(&mut self, field: Field) {
        match field {
            Field::PointEle => {
                if let Some(point) = self.point.as_mut() {
                    point.altitude_m = self.text.number();
                }
            }
            Field::PointTime => {
                if let Some(point) = self.point.as_mut() {
                    point.time = self.text.time();
                }
            }
            Field::TrackName => set_once(&mut self.track_name, &self.text),
            Field::MetadataName => set_once(&mut self.metadata_name, &self.text),
            Field::TrackType => set_once(&mut self.sport_label, &self.text),
        }
    }

    fn finish(self, bytes: &[u8], fault: Option<XmlFault>) -> Result<ParsedFile, ReadError> {
        if !self.root_seen {
            return Err(match fault {
                Some(fault) if xml::head_mentions(bytes, b"<gpx") => ReadError::Xml {
                    format: FORMAT,
                    position: fault.position,
                    detail: fault.detail,
                },
                Some(fault) => ReadError::Corrupt {
                    format: FORMAT,
                    detail: format!(
                        "no <gpx> element: {} near byte {}",
                        fault.detail, fault.position
                    ),
                },
                None => ReadError::Corrupt {
                    format: FORMAT,
                    detail: "no <gpx> element: the file holds no XML element".to_owned(),
                },
            });
        }
        if self.samples.is_empty() {
            if let Some(fault) = fault {
                return Err(ReadError::Xml {
                    format: FORMAT,
                    position: fault.position,
                    detail: fault.detail,
                });
            }
            if self.track_points > 0 {
                return Err(ReadError::Corrupt {
                    format: FORMAT,
                    detail: format!(
                        "none of the {} track points has a valid lat/lon position",
                        self.track_points
                    ),
                });
            }
            let reason = if self.route_points > 0 {
                "a planned route, not a recorded activity"
            } else if self.waypoints > 0 {
                "only waypoints: no recorded track"
            } else {
                "no track points: nothing was recorded"
            };
            return Ok(ParsedFile::NotAnActivity {
                reason: reason.to_owned(),
            });
        }

        if self.samples.iter().all(|s| s.time.is_none()) {
            return Ok(ParsedFile::NotAnActivity {
                reason: format!(
                    "a planned route or course: none of its {} track points has a time",
                    self.samples.len()
                ),
            });
        }
        let mut remarks = Vec::new();
        xml::sample_remarks(&self.samples, &mut remarks, "");
        if self.skipped_points > 0 {
            remarks.push(format!(
                "skipped {} of {} track points without a valid lat/lon position",
                self.skipped_points, self.track_points
            ));
        }
        if let Some(fault) = &fault {
            remarks.push(xml::malformed_remark(fault, self.samples.len()));
        }
        let start = self.samples.iter().find_map(|s| s.time);
        let activity = ParsedActivity {
            sport: self.sport_label.as_deref().and_then(sport_from_type),
            sport_label: self.sport_label,
            start,
            utc_offset_s: None,
            name: self.track_name.or(self.metadata_name),
            device: self.creator,
            totals: Default::default(),
            altitude_source: AltitudeSource::Gps,
            samples: self.samples,
        };
        Ok(ParsedFile::Activities {
            activities: vec![activity],
            remarks,
        })
    }
}

/// Keeps the first non-empty text seen for a value.
fn set_once(slot: &mut Option<String>, text: &TextBuf) {
    if slot.is_none() {
        let text = text.text();
        if !text.is_empty() {
            *slot = Some(text.into_owned());
        }
    }
}

/// The sport a track `<type>` names: words used by Garmin, Strava, Komoot and others, and the
/// numeric codes of Strava's GPX exports (1 ride, 4 hike, 9 run, 10 walk, 16 swim, ...).
/// Unknown words give `None`; the caller keeps the raw label.
pub fn sport_from_type(label: &str) -> Option<Sport> {
    let key: String = label
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let sport = match key.as_str() {
        "run" | "running" | "roadrunning" | "streetrunning" | "jogging" | "9" => Sport::Run,
        "trailrun" | "trailrunning" => Sport::TrailRun,
        "treadmill" | "treadmillrun" | "treadmillrunning" | "indoorrunning" => Sport::TreadmillRun,
        "virtualrun" | "virtualrunning" | "53" => Sport::VirtualRun,
        "ride" | "cycling" | "biking" | "bike" | "roadbiking" | "roadcycling"
        | "mountainbiking" | "mountainbikeride" | "mtb" | "gravelride" | "gravelcycling"
        | "ebikeride" | "1" | "18" => Sport::Ride,
        "virtualride" | "indoorcycling" | "indoorride" | "17" => Sport::IndoorRide,
        "hike" | "hiking" | "4" => Sport::Hike,
        "walk" | "walking" | "10" => Sport::Walk,
        "swim" | "swimming" | "openwaterswimming" | "lapswimming" | "16" => Sport::Swim,
        "row" | "rowing" => Sport::Row,
        "elliptical" => Sport::Elliptical,
        "ski" | "skiing" | "alpineski" | "alpineskiing" | "backcountryski" | "nordicski"
        | "crosscountryskiing" | "2" | "3" | "7" => Sport::Ski,
        "kayaking" | "canoeing" | "paddling" | "standuppaddling" | "standuppaddleboarding" => {
            Sport::Paddle
        }
        "weighttraining" | "strengthtraining" | "strength" => Sport::Strength,
        _ => return None,
    };
    Some(sport)
}

impl xml::Handler for State {
    fn start(&mut self, start: &BytesStart<'_>) -> Result<(), ReadError> {
        State::start(self, start)
    }

    fn end(&mut self) {
        State::end(self)
    }

    fn text(&mut self, raw: &[u8]) {
        State::text(self, raw)
    }

    fn reference(&mut self, reference: &BytesRef<'_>) {
        if self.capture.is_some() {
            self.text.push_ref(reference);
        }
    }

    fn unclosed(&self) -> bool {
        self.root_seen && !self.stack.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

    fn fixture(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/gpx")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn activity(bytes: &[u8]) -> (ParsedActivity, Vec<String>) {
        match read_gpx(bytes) {
            Ok(ParsedFile::Activities {
                mut activities,
                remarks,
            }) => {
                assert_eq!(activities.len(), 1, "one activity per GPX file");
                (activities.remove(0), remarks)
            }
            other => panic!("expected an activity, got {other:?}"),
        }
    }

    fn not_an_activity(bytes: &[u8]) -> String {
        match read_gpx(bytes) {
            Ok(ParsedFile::NotAnActivity { reason }) => reason,
            other => panic!("expected NotAnActivity, got {other:?}"),
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn doc(body: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>"#
        )
    }

    // ---- real files -------------------------------------------------------------------------

    #[test]
    fn garmin_activity_is_a_run_with_every_point() {
        let (a, remarks) = activity(&fixture("garmin-activity.gpx"));
        assert_eq!(a.sport, Some(Sport::Run));
        assert_eq!(a.sport_label.as_deref(), Some("running"));
        assert_eq!(a.samples.len(), 988);
        assert_eq!(a.device.as_deref(), Some("Garmin Connect"));
        assert_eq!(a.start, a.samples[0].time);
        assert!(a.start.is_some());
        assert!(a.samples.iter().all(|s| s.altitude_m.is_some()));
        assert!(a.samples.iter().all(|s| s.distance_m.is_none()));
        assert_eq!(a.altitude_source, AltitudeSource::Gps);
        assert_eq!(a.totals, Default::default());
        assert!(remarks.is_empty(), "{remarks:?}");
        let last = a.samples.last().unwrap().time.unwrap();
        assert_eq!((last - a.start.unwrap()).num_seconds(), 5498);
    }

    #[test]
    fn two_tracks_are_concatenated() {
        let (a, _) = activity(&fixture("caltopo-export.gpx"));
        assert_eq!(a.samples.len(), 6);
        assert_eq!(a.name.as_deref(), Some("Day 01"));
        assert_eq!(a.start, Some(utc(2019, 8, 12, 23, 45, 0)));
        assert_eq!(a.samples[3].time, Some(utc(2019, 8, 13, 16, 51, 0)));
        assert_eq!(a.samples[0].altitude_m, Some(3036.0));
    }

    #[test]
    fn eight_segments_with_waypoints() {
        let (a, remarks) = activity(&fixture("cerknicko-jezero.gpx"));
        assert_eq!(a.samples.len(), 296);
        assert_eq!(
            a.device.as_deref(),
            Some("GPSBabel - http://www.gpsbabel.org")
        );
        assert!(remarks.is_empty(), "{remarks:?}");
        // The waypoints' times (written before the track) are not the start.
        assert_eq!(a.start, Some(utc(2010, 8, 5, 14, 23, 59)));
        assert_eq!(
            a.samples.last().unwrap().time,
            Some(utc(2010, 8, 5, 16, 23, 49))
        );
        assert_eq!(a.samples[0].altitude_m, Some(542.320923));
    }

    #[test]
    fn missing_elevations_give_a_remark() {
        let (a, remarks) = activity(&fixture("cerknicko-jezero-without-elevations.gpx"));
        assert_eq!(a.samples.len(), 296);
        assert!(a.samples.iter().all(|s| s.altitude_m.is_none()));
        assert!(
            remarks.iter().any(|r| r == xml::NO_ELEVATION),
            "{remarks:?}"
        );
    }

    #[test]
    fn partly_missing_times_give_a_count() {
        let (a, remarks) = activity(&fixture("cerknicko-without-times.gpx"));
        assert_eq!(a.samples.len(), 296);
        let untimed = a.samples.iter().filter(|s| s.time.is_none()).count();
        assert!(untimed > 0 && untimed < 296);
        assert!(
            remarks.contains(&format!("{untimed} of 296 points have no timestamp")),
            "{remarks:?}"
        );
        assert!(!remarks.iter().any(|r| r == xml::NO_ELEVATION));
    }

    #[test]
    fn tracks_without_times_are_routes() {
        // A Strava route export named "Afternoon Run", a route planner's export, and a
        // 46 km route up Kilimanjaro with a file date but no point times.
        for (name, points) in [
            ("strava_route_example.gpx", 113),
            ("mousehole_to_paul.gpx", 111),
            ("outdooractive-export.gpx", 9),
        ] {
            assert_eq!(
                not_an_activity(&fixture(name)),
                format!("a planned route or course: none of its {points} track points has a time"),
                "{name}"
            );
        }
    }

    #[test]
    fn offsets_and_fractional_seconds() {
        let (a, _) = activity(&fixture("track-with-less-sec-time.gpx"));
        assert_eq!(a.sport, Some(Sport::Run));
        assert_eq!(a.device.as_deref(), Some("NikePlus GPX Bridge"));
        assert_eq!(a.samples.len(), 2);
        assert_eq!(a.start, Some(utc(2015, 12, 11, 14, 43, 13)));
        let second = a.samples[1].time.unwrap();
        assert_eq!(
            second.timestamp_millis() - a.start.unwrap().timestamp_millis(),
            994
        );
        assert_eq!(a.samples[0].position, Some((57.011456, 9.992872)));
    }

    #[test]
    fn no_version_attribute() {
        let (a, _) = activity(&fixture("track_with_speed.gpx"));
        assert_eq!(a.samples.len(), 3);
        assert_eq!(a.device, None);
        assert_eq!(a.start, Some(utc(2009, 3, 2, 14, 5, 52)));
        assert_eq!(a.samples[1].altitude_m, Some(58.166437));
    }

    #[test]
    fn gpx_1_0_with_every_field() {
        let (a, _) = activity(&fixture("gpx1.0_with_all_fields.gpx"));
        assert_eq!(a.samples.len(), 1);
        // The only <type> of the track is a point's, which says nothing about the sport.
        assert_eq!(a.sport_label, None);
        assert_eq!(a.sport, None);
        assert_eq!(a.name.as_deref(), Some("example name t"));
        assert_eq!(a.samples[0].position, Some((10.1, -20.2)));
        assert_eq!(a.samples[0].altitude_m, Some(11.1));
        // A time without a zone is UTC; the point's time wins over the file's.
        assert_eq!(a.start, Some(utc(2013, 1, 1, 12, 0, 4)));
    }

    #[test]
    fn comments_and_cdata() {
        let (a, _) = activity(&fixture("gpx-with-node-with-comments.gpx"));
        assert_eq!(a.samples.len(), 1);
        assert_eq!(a.name.as_deref(), Some("2014-05-06_132925"));
        assert_eq!(a.samples[0].altitude_m, Some(81.0));
    }

    #[test]
    fn empty_elevation_elements() {
        let (a, remarks) = activity(&fixture("wahoo_example.gpx"));
        assert_eq!(a.samples.len(), 3);
        assert_eq!(a.name.as_deref(), Some("04/24/22"));
        assert_eq!(a.start, Some(utc(2022, 4, 24, 20, 54, 33)));
        assert!(
            remarks.contains(&xml::NO_ELEVATION.to_owned()),
            "{remarks:?}"
        );
    }

    #[test]
    fn routes_are_not_activities() {
        let reason = not_an_activity(&fixture("route.gpx"));
        assert_eq!(reason, "a planned route, not a recorded activity");
        let reason = not_an_activity(&fixture("ecology-trail-and-lovers-lane-loop.gpx"));
        assert_eq!(reason, "a planned route, not a recorded activity");
    }

    #[test]
    fn waypoints_alone_are_not_activities() {
        assert_eq!(
            not_an_activity(&fixture("unicode_with_bom.gpx")),
            "only waypoints: no recorded track"
        );
    }

    #[test]
    fn empty_segment_is_no_activity() {
        assert_eq!(
            not_an_activity(&fixture("empty_name_tag.gpx")),
            "no track points: nothing was recorded"
        );
    }

    // ---- small inline cases -----------------------------------------------------------------

    const POINT: &str = r#"<trkpt lat="45.5" lon="7.25"><ele>1200.5</ele><time>2024-05-01T06:00:00Z</time></trkpt>"#;

    #[test]
    fn bom_is_accepted() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(doc(&format!("<trk><trkseg>{POINT}</trkseg></trk>")).bytes());
        let (a, remarks) = activity(&bytes);
        assert_eq!(a.samples.len(), 1);
        assert_eq!(a.samples[0].position, Some((45.5, 7.25)));
        assert!(remarks.is_empty());
    }

    #[test]
    fn gpx_without_version_or_namespace() {
        let text = format!("<gpx><trk><type>9</type><trkseg>{POINT}</trkseg></trk></gpx>");
        let (a, _) = activity(text.as_bytes());
        assert_eq!(a.sport, Some(Sport::Run));
        assert_eq!(a.sport_label.as_deref(), Some("9"));
        assert_eq!(a.start, Some(utc(2024, 5, 1, 6, 0, 0)));
    }

    #[test]
    fn gpx_1_0_metadata_at_the_top() {
        let text = r#"<gpx version="1.0" creator="eTrex"><name>Top name</name><time>2024-05-01T05:00:00Z</time><trk><trkseg><trkpt lat="1" lon="2"><time>2024-05-01T05:00:07Z</time></trkpt><trkpt lat="1" lon="2"/></trkseg></trk></gpx>"#;
        let (a, remarks) = activity(text.as_bytes());
        assert_eq!(a.name.as_deref(), Some("Top name"));
        assert_eq!(a.start, Some(utc(2024, 5, 1, 5, 0, 7)));
        assert_eq!(a.device.as_deref(), Some("eTrex"));
        assert!(remarks.contains(&"1 of 2 points have no timestamp".to_owned()));
        assert!(remarks.contains(&xml::NO_ELEVATION.to_owned()));
        // The file's date alone does not make a track a recording.
        let untimed = r#"<gpx version="1.0"><time>2024-05-01T05:00:00Z</time><trk><trkseg><trkpt lat="1" lon="2"/></trkseg></trk></gpx>"#;
        assert_eq!(
            not_an_activity(untimed.as_bytes()),
            "a planned route or course: none of its 1 track points has a time"
        );
    }

    #[test]
    fn unknown_and_prefixed_elements_are_ignored() {
        let text = r#"<g:gpx xmlns:g="http://www.topografix.com/GPX/1/1" xmlns:x="urn:x"><g:metadata><g:name>Meta</g:name></g:metadata><x:weird><trkpt lat="0" lon="0"/></x:weird><g:trk><x:unknown a="b"><time>1999-01-01T00:00:00Z</time></x:unknown><g:trkseg><g:trkpt lat="10" lon="20"><g:magvar>3</g:magvar><g:extensions><x:ele>999</x:ele><x:time>2000-01-01T00:00:00Z</x:time></g:extensions><g:ele>5</g:ele><g:time>2024-05-01T06:00:00Z</g:time></g:trkpt></g:trkseg></g:trk></g:gpx>"#;
        let (a, _) = activity(text.as_bytes());
        // The stray trkpt outside a track still counts: points are matched by name.
        assert_eq!(a.samples.len(), 2);
        assert_eq!(a.name.as_deref(), Some("Meta"));
        assert_eq!(a.samples[1].altitude_m, Some(5.0));
        assert_eq!(a.samples[1].time, Some(utc(2024, 5, 1, 6, 0, 0)));
    }

    #[test]
    fn garbage_elevation_is_dropped() {
        let text = doc(
            r#"<trk><trkseg><trkpt lat="1" lon="2"><ele>n/a</ele><time>2024-05-01T06:00:00Z</time></trkpt><trkpt lat="1" lon="2"><ele> 7.5 </ele><time>2024-05-01T06:00:01Z</time></trkpt></trkseg></trk>"#,
        );
        let (a, remarks) = activity(text.as_bytes());
        assert_eq!(a.samples[0].altitude_m, None);
        assert_eq!(a.samples[1].altitude_m, Some(7.5));
        assert!(!remarks.contains(&xml::NO_ELEVATION.to_owned()));
    }

    #[test]
    fn time_without_zone_is_utc() {
        let text = doc(
            r#"<trk><trkseg><trkpt lat="1" lon="2"><time>2024-05-01T06:00:00</time></trkpt></trkseg></trk>"#,
        );
        let (a, _) = activity(text.as_bytes());
        assert_eq!(a.start, Some(utc(2024, 5, 1, 6, 0, 0)));
    }

    #[test]
    fn placeholder_times_before_gps_are_dropped() {
        // GPSBabel writes i32::MIN seconds when a receiver had no time (Mojstrovka.gpx).
        let text = doc(
            r#"<metadata><time>2010-12-14T06:17:04Z</time></metadata><trk><trkseg><trkpt lat="1" lon="2"><ele>3</ele><time>1901-12-13T20:45:52.2073437Z</time></trkpt></trkseg></trk>"#,
        );
        // Without a real time on any point the track is no recording.
        assert!(not_an_activity(text.as_bytes()).starts_with("a planned route or course"));
    }

    #[test]
    fn waypoint_without_latitude() {
        let text = doc(&format!(
            r#"<wpt lon="3"><name>odd</name></wpt><trk><trkseg>{POINT}</trkseg></trk>"#
        ));
        let (a, remarks) = activity(text.as_bytes());
        assert_eq!(a.samples.len(), 1);
        assert!(remarks.is_empty());
        assert_eq!(
            not_an_activity(doc(r#"<wpt lon="3"/>"#).as_bytes()),
            "only waypoints: no recorded track"
        );
    }

    #[test]
    fn bad_coordinates_skip_the_point() {
        let text = doc(&format!(
            r#"<trk><trkseg><trkpt lat="95" lon="2"/><trkpt lat="x" lon="2"/><trkpt lon="2"/>{POINT}</trkseg></trk>"#
        ));
        let (a, remarks) = activity(text.as_bytes());
        assert_eq!(a.samples.len(), 1);
        assert!(
            remarks.contains(
                &"skipped 3 of 4 track points without a valid lat/lon position".to_owned()
            ),
            "{remarks:?}"
        );
        let only_bad = doc(r#"<trk><trkseg><trkpt lat="95" lon="2"/></trkseg></trk>"#);
        assert!(matches!(
            read_gpx(only_bad.as_bytes()),
            Err(ReadError::Corrupt { .. })
        ));
    }

    #[test]
    fn entities_in_names() {
        let text = doc(&format!(
            "<trk><name>Run &amp; walk &#8211; hills</name><trkseg>{POINT}</trkseg></trk>"
        ));
        let (a, _) = activity(text.as_bytes());
        assert_eq!(a.name.as_deref(), Some("Run & walk \u{2013} hills"));
    }

    #[test]
    fn malformed_after_points_keeps_them() {
        let text = doc(&format!("<trk><trkseg>{POINT}{POINT}</trkseg></trk>"));
        let broken = text.replace("</trkseg>", "</trksegX>");
        let (a, remarks) = activity(broken.as_bytes());
        assert_eq!(a.samples.len(), 2);
        assert_eq!(remarks.len(), 1, "{remarks:?}");
        assert!(
            remarks[0].starts_with("malformed XML near byte "),
            "{remarks:?}"
        );
        assert!(
            remarks[0].ends_with("read the 2 points before it"),
            "{remarks:?}"
        );
    }

    #[test]
    fn truncated_after_points_keeps_the_complete_ones() {
        let text = doc(&format!("<trk><trkseg>{POINT}{POINT}</trkseg></trk>"));
        let cut = &text.as_bytes()[..text.len() - 40];
        let (a, remarks) = activity(cut);
        assert_eq!(a.samples.len(), 1);
        assert!(
            remarks.iter().any(|r| r.contains("read the 1 points")),
            "{remarks:?}"
        );
    }

    #[test]
    fn malformed_before_points_is_an_error() {
        let text = doc("<trk><name>a</nme><trkseg></trkseg></trk>");
        match read_gpx(text.as_bytes()) {
            Err(ReadError::Xml {
                format, position, ..
            }) => {
                assert_eq!(format, "GPX");
                assert!(position > 0);
            }
            other => panic!("expected an XML error, got {other:?}"),
        }
    }

    #[test]
    fn other_files_are_not_gpx() {
        for bytes in [
            &b""[..],
            b"hello world",
            b"<?xml version=\"1.0\"?><TrainingCenterDatabase/>",
            b"\x0e\x10\x98\x08.FIT",
        ] {
            match read_gpx(bytes) {
                Err(ReadError::Corrupt { format, detail }) => {
                    assert_eq!(format, "GPX");
                    assert!(detail.starts_with("no <gpx> element: "), "{detail}");
                }
                other => panic!("expected Corrupt, got {other:?}"),
            }
        }
    }

    #[test]
    fn sport_words_and_strava_codes() {
        for (label, sport) in [
            ("running", Some(Sport::Run)),
            ("Run", Some(Sport::Run)),
            ("trail_running", Some(Sport::TrailRun)),
            ("cycling", Some(Sport::Ride)),
            ("Ride", Some(Sport::Ride)),
            ("hiking", Some(Sport::Hike)),
            ("walking", Some(Sport::Walk)),
            ("9", Some(Sport::Run)),
            ("1", Some(Sport::Ride)),
            ("alpineTour", None),
        ] {
            assert_eq!(sport_from_type(label), sport, "{label}");
        }
    }

    // ---- the whole corpus -------------------------------------------------------------------

    /// `points` per GPX file of the shared corpus, from its manifest.
    fn manifest_points(root: &Path, format: &str) -> Vec<(PathBuf, Option<usize>)> {
        let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
        let mut lines = manifest.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (file, fmt, points) = (col("file"), col("format"), col("points"));
        lines
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|f| f.get(fmt) == Some(&format))
            .map(|f| {
                (
                    root.join(f[file]),
                    f.get(points).and_then(|p| p.parse().ok()),
                )
            })
            .collect()
    }

    #[test]
    fn every_corpus_file_reads_cleanly() {
        let Some(root) = crate::readers::shared_corpus() else {
            return;
        };
        let files = manifest_points(&root, "gpx");
        assert!(
            files.len() >= 40,
            "{} GPX files in the manifest",
            files.len()
        );
        for (path, points) in files {
            let bytes = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| read_gpx(&bytes))
                .unwrap_or_else(|_| panic!("{} panicked", path.display()));
            let read = match &result {
                Ok(ParsedFile::Activities { activities, .. }) => {
                    activities.iter().map(|a| a.samples.len()).sum()
                }
                // A route's points are counted, then passed over.
                Ok(ParsedFile::NotAnActivity { reason }) => reason
                    .strip_prefix("a planned route or course: none of its ")
                    .and_then(|r| r.split(' ').next()?.parse().ok())
                    .unwrap_or(0),
                Err(e) => panic!("{}: {e}", path.display()),
            };
            if let Some(points) = points {
                assert_eq!(read, points, "{}", path.display());
            }
        }
    }

    // ---- properties -------------------------------------------------------------------------

    fn sample_file() -> Vec<u8> {
        fixture("track-with-empty-segment.gpx")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn truncation_never_panics(cut in 0usize..2200) {
            let bytes = sample_file();
            let cut = cut.min(bytes.len());
            let _ = read_gpx(&bytes[..cut]);
        }

        #[test]
        fn byte_flips_never_panic(flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
            let mut bytes = sample_file();
            let len = bytes.len();
            for (at, value) in flips {
                bytes[at % len] = value;
            }
            let _ = read_gpx(&bytes);
        }

        #[test]
        fn tag_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
            "<gpx>", "</gpx>", "<trk>", "</trk>", "<trkseg>", "</trkseg>", "<trkpt lat=\"1\" lon=\"2\">",
            "</trkpt>", "<trkpt/>", "<ele>", "</ele>", "<time>", "</time>", "12", "2024-01-01T00:00:00Z",
            "<name>", "</name>", "&amp;", "&bogus;", "<![CDATA[x]]>", "<!-- c -->", "<rtept lat=\"1\" lon=\"1\"/>",
            "<", ">", "\"", "<wpt>", "</wpt>", "<metadata>", "</metadata>", "<type>", "</type>",
        ]), 0..60)) {
            let text: String = parts.concat();
            let _ = read_gpx(text.as_bytes());
        }
    }

    #[test]
    fn truncation_at_every_length() {
        let bytes = fixture("track-with-less-sec-time.gpx");
        for cut in 0..=bytes.len() {
            match read_gpx(&bytes[..cut]) {
                Ok(ParsedFile::Activities { activities, .. }) => {
                    assert!(activities[0].samples.len() <= 2)
                }
                Ok(ParsedFile::NotAnActivity { .. }) | Err(_) => {}
            }
        }
    }
}
