//! TCX reader (Garmin Training Center Database v2): one activity per `Activities/Activity`.
//!
//! TCX carries what GPX lacks: a sport, laps with the device's own timer time and distance, and
//! a cumulative distance on each trackpoint. Lap sums become the device totals; trackpoints become
//! samples (pool swims and treadmill runs have none with a position, which is fine). Courses are
//! planned, not recorded, and are skipped. Elements are matched by local name, so namespace
//! prefixes and extensions (`ns3:TPX`, `ns3:LX`) do not matter. One streaming pass, no tree.
//!
//! Memory grows only with what was read: a trackpoint that carries nothing and an activity
//! with no trackpoint, no time and no distance are dropped as they close, so a file of empty
//! elements costs nothing however long it is.

use super::xml::{self, TextBuf, XmlFault};
use super::ReadError;
use crate::model::{AltitudeSource, DeviceTotals, ParsedActivity, ParsedFile, Sample, Sport};
use chrono::{DateTime, Utc};
use quick_xml::events::{BytesRef, BytesStart};

const FORMAT: &str = "TCX";

/// Notes longer than this are a diary entry, not a name.
const MAX_NAME_CHARS: usize = 80;

/// Reads a TCX file.
pub fn read_tcx(bytes: &[u8]) -> Result<ParsedFile, ReadError> {
    let mut state = State::default();
    let fault = xml::drive(bytes, &mut state, "TrainingCenterDatabase")?;
    state.finish(bytes, fault)
}

/// The elements the reader cares about; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Root,
    Activity,
    Id,
    Notes,
    Lap,
    TotalTimeSeconds,
    DistanceMeters,
    Trackpoint,
    Time,
    Position,
    LatitudeDegrees,
    LongitudeDegrees,
    AltitudeMeters,
    Creator,
    Name,
    Course,
    Other,
}

impl Tag {
    fn of(local: &[u8]) -> Tag {
        match local {
            b"TrainingCenterDatabase" => Tag::Root,
            b"Activity" => Tag::Activity,
            b"Id" => Tag::Id,
            b"Notes" => Tag::Notes,
            b"Lap" => Tag::Lap,
            b"TotalTimeSeconds" => Tag::TotalTimeSeconds,
            b"DistanceMeters" => Tag::DistanceMeters,
            b"Trackpoint" => Tag::Trackpoint,
            b"Time" => Tag::Time,
            b"Position" => Tag::Position,
            b"LatitudeDegrees" => Tag::LatitudeDegrees,
            b"LongitudeDegrees" => Tag::LongitudeDegrees,
            b"AltitudeMeters" => Tag::AltitudeMeters,
            b"Creator" => Tag::Creator,
            b"Name" => Tag::Name,
            b"Course" => Tag::Course,
            _ => Tag::Other,
        }
    }
}

/// Which value the text of the element being read belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Notes,
    LapTime,
    LapDistance,
    CreatorName,
    PointTime,
    PointLat,
    PointLon,
    PointAltitude,
    PointDistance,
}

/// A trackpoint being read.
#[derive(Debug, Clone, Copy, Default)]
struct Point {
    time: Option<DateTime<Utc>>,
    lat: Option<f64>,
    lon: Option<f64>,
    altitude_m: Option<f64>,
    distance_m: Option<f64>,
}

/// An activity being read.
#[derive(Debug, Default)]
struct Draft {
    sport_label: Option<String>,
    id_time: Option<DateTime<Utc>>,
    first_lap_start: Option<DateTime<Utc>>,
    notes: Option<String>,
    device: Option<String>,
    laps: usize,
    timer_s: Option<f64>,
    distance_m: Option<f64>,
    samples: Vec<Sample>,
}

#[derive(Debug, Default)]
struct State {
    root_seen: bool,
    stack: Vec<Tag>,
    text: TextBuf,
    /// The field being collected and the depth of its element.
    capture: Option<(Field, usize)>,
    activity: Option<Draft>,
    point: Option<Point>,
    done: Vec<Draft>,
    courses: usize,
}

impl State {
    fn start(&mut self, start: &BytesStart<'_>) -> Result<(), ReadError> {
        let tag = Tag::of(xml::local_name(start));
        if !self.root_seen {
            self.root_seen = true;
            if tag != Tag::Root {
                return Err(ReadError::Corrupt {
                    format: FORMAT,
                    detail: format!(
                        "no <TrainingCenterDatabase> element: the root element is <{}>",
                        String::from_utf8_lossy(start.name().into_inner())
                    ),
                });
            }
            self.stack.push(tag);
            return Ok(());
        }
        let parent = self.stack.last().copied().unwrap_or(Tag::Other);
        let in_activity = self.activity.is_some();
        let field = match (tag, parent) {
            (Tag::Activity, _) => {
                self.open_activity(start);
                None
            }
            (Tag::Course, _) => {
                self.courses += 1;
                None
            }
            (Tag::Lap, Tag::Activity) => {
                if let Some(activity) = self.activity.as_mut() {
                    activity.laps += 1;
                    if activity.first_lap_start.is_none() {
                        activity.first_lap_start = xml::attribute(start, b"StartTime")
                            .and_then(|v| std::str::from_utf8(&v).ok().and_then(xml::parse_time));
                    }
                }
                None
            }
            (Tag::Trackpoint, _) if in_activity => {
                self.close_point();
                self.point = Some(Point::default());
                None
            }
            (Tag::Id, Tag::Activity) => Some(Field::Id),
            (Tag::Notes, Tag::Activity) => Some(Field::Notes),
            (Tag::TotalTimeSeconds, Tag::Lap) => Some(Field::LapTime),
            (Tag::DistanceMeters, Tag::Lap) => Some(Field::LapDistance),
            (Tag::Name, Tag::Creator) => Some(Field::CreatorName),
            (Tag::Time, Tag::Trackpoint) => Some(Field::PointTime),
            (Tag::AltitudeMeters, Tag::Trackpoint) => Some(Field::PointAltitude),
            (Tag::DistanceMeters, Tag::Trackpoint) => Some(Field::PointDistance),
            (Tag::LatitudeDegrees, Tag::Position) => Some(Field::PointLat),
            (Tag::LongitudeDegrees, Tag::Position) => Some(Field::PointLon),
            _ => None,
        };
        self.stack.push(tag);
        if let Some(field) = field {
            if in_activity {
                self.text.clear();
                self.capture = Some((field, self.stack.len()));
            }
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
        match self.stack.pop() {
            Some(Tag::Trackpoint) => self.close_point(),
            Some(Tag::Activity) => self.close_activity(),
            _ => {}
        }
    }

    fn text(&mut self, raw: &[u8]) {
        if self.capture.is_some() {
            self.text.push_bytes(raw);
        }
    }

    fn open_activity(&mut self, start: &BytesStart<'_>) {
        self.close_activity();
        self.activity = Some(Draft {
            sport_label: xml::attribute_text(start, b"Sport").filter(|s| !s.is_empty()),
            ..Draft::default()
        });
    }

    fn close_activity(&mut self) {
        self.close_point();
        if let Some(activity) = self.activity.take().filter(|a| !a.is_empty()) {
            self.done.push(activity);
        }
    }

    fn close_point(&mut self) {
        let (Some(point), Some(activity)) = (self.point.take(), self.activity.as_mut()) else {
            return;
        };
        let sample = Sample {
            time: point.time,
            position: xml::valid_position(point.lat, point.lon),
            distance_m: point.distance_m,
            altitude_m: point.altitude_m,
        };
        if sample != Sample::default() {
            activity.samples.push(sample);
        }
    }

    fn store(&mut self, field: Field) {
        let Some(activity) = self.activity.as_mut() else {
            return;
        };
        match field {
            Field::Id => {
                if activity.id_time.is_none() {
                    activity.id_time = self.text.time();
                }
            }
            Field::Notes => {
                let text = self.text.text();
                if !text.is_empty()
                    && !text.contains('\n')
                    && text.chars().count() <= MAX_NAME_CHARS
                {
                    activity.notes = Some(text.into_owned());
                }
            }
            Field::LapTime => add(&mut activity.timer_s, self.text.number()),
            Field::LapDistance => add(&mut activity.distance_m, self.text.number()),
            Field::CreatorName => {
                let text = self.text.text();
                if activity.device.is_none() && !text.is_empty() {
                    activity.device = Some(text.into_owned());
                }
            }
            Field::PointTime => set_point(&mut self.point, |p| p.time = self.text.time()),
            Field::PointLat => set_point(&mut self.point, |p| p.lat = self.text.number()),
            Field::PointLon => set_point(&mut self.point, |p| p.lon = self.text.number()),
            Field::PointAltitude => {
                set_point(&mut self.point, |p| p.altitude_m = self.text.number())
            }
            Field::PointDistance => {
                set_point(&mut self.point, |p| p.distance_m = self.text.number())
            }
        }
    }

    fn finish(mut self, bytes: &[u8], fault: Option<XmlFault>) -> Result<ParsedFile, ReadError> {
        if !self.root_seen {
            return Err(match fault {
                Some(fault) if xml::head_mentions(bytes, b"<TrainingCenterDatabase") => {
                    ReadError::Xml {
                        format: FORMAT,
                        position: fault.position,
                        detail: fault.detail,
                    }
                }
                Some(fault) => ReadError::Corrupt {
                    format: FORMAT,
                    detail: format!(
                        "no <TrainingCenterDatabase> element: {} near byte {}",
                        fault.detail, fault.position
                    ),
                },
                None => ReadError::Corrupt {
                    format: FORMAT,
                    detail: "no <TrainingCenterDatabase> element: the file holds no XML element"
                        .to_owned(),
                },
            });
        }
        if fault.is_some() {
            // A point cut by the fault may hold half a number: drop it.
            self.point = None;
        }
        self.close_activity();
        let mut drafts = self.done;
        let points: usize = drafts.iter().map(|d| d.samples.len()).sum();
        if let Some(fault) = &fault {
            if points == 0 {
                return Err(ReadError::Xml {
                    format: FORMAT,
                    position: fault.position,
                    detail: fault.detail.clone(),
                });
            }
            // The activity cut by the fault keeps its points; activities without any go.
            drafts.retain(|d| !d.samples.is_empty());
        }
        if drafts.is_empty() {
            let reason = if self.courses > 0 {
                "a course, not a recorded activity"
            } else {
                "no activities: nothing was recorded"
            };
            return Ok(ParsedFile::NotAnActivity {
                reason: reason.to_owned(),
            });
        }

        let several = drafts.len() > 1;
        let mut remarks = Vec::new();
        let mut activities = Vec::with_capacity(drafts.len());
        for (i, draft) in drafts.into_iter().enumerate() {
            let prefix = if several {
                format!("activity {}: ", i + 1)
            } else {
                String::new()
            };
            if draft.samples.is_empty() {
                remarks.push(format!(
                    "{prefix}no trackpoints: only the lap totals are known"
                ));
            }
            xml::sample_remarks(&draft.samples, &mut remarks, &prefix);
            activities.push(draft.into_activity());
        }
        if let Some(fault) = &fault {
            remarks.push(xml::malformed_remark(fault, points));
        }
        Ok(ParsedFile::Activities {
            activities,
            remarks,
        })
    }
}

impl Draft {
    /// No trackpoint, no time and no distance: nothing was recorded.
    fn is_empty(&self) -> bool {
        self.samples.is_empty()
            && self.id_time.is_none()
            && self.first_lap_start.is_none()
            && self.distance_m.is_none()
    }

    fn into_activity(self) -> ParsedActivity {
        let first = self.samples.iter().find_map(|s| s.time);
        let last = self.samples.iter().rev().find_map(|s| s.time);
        let elapsed_s = match (first, last) {
            (Some(first), Some(last)) if last >= first => {
                Some((last - first).num_milliseconds() as f64 / 1000.0)
            }
            _ => None,
        };
        ParsedActivity {
            sport: self.sport_label.as_deref().and_then(sport_from_attribute),
            sport_label: self.sport_label,
            start: self.id_time.or(self.first_lap_start).or(first),
            utc_offset_s: None,
            name: self.notes,
            device: self.device,
            totals: DeviceTotals {
                distance_m: self.distance_m,
                timer_s: self.timer_s,
                elapsed_s,
                ascent_m: None,
                descent_m: None,
            },
            altitude_source: AltitudeSource::Gps,
            samples: self.samples,
        }
    }
}

/// Adds a lap's value to a running total; a lap without the value leaves the total alone.
fn add(total: &mut Option<f64>, value: Option<f64>) {
    if let Some(value) = value {
        *total = Some(total.unwrap_or(0.0) + value);
    }
}

fn set_point(point: &mut Option<Point>, set: impl FnOnce(&mut Point)) {
    if let Some(point) = point.as_mut() {
        set(point);
    }
}

/// The sport of an `Activity Sport="…"` attribute: the schema allows Running, Biking and Other.
fn sport_from_attribute(label: &str) -> Option<Sport> {
    let label = label.trim();
    if label.eq_ignore_ascii_case("running") {
        Some(Sport::Run)
    } else if label.eq_ignore_ascii_case("biking") {
        Some(Sport::Ride)
    } else if label.eq_ignore_ascii_case("other") {
        Some(Sport::Other)
    } else {
        None
    }
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
            .join("tests/fixtures/tcx")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn activities(bytes: &[u8]) -> (Vec<ParsedActivity>, Vec<String>) {
        match read_tcx(bytes) {
            Ok(ParsedFile::Activities {
                activities,
                remarks,
            }) => (activities, remarks),
            other => panic!("expected activities, got {other:?}"),
        }
    }

    fn one(bytes: &[u8]) -> (ParsedActivity, Vec<String>) {
        let (mut all, remarks) = activities(bytes);
        assert_eq!(all.len(), 1);
        (all.remove(0), remarks)
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 0.05)
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">"#;

    fn doc(body: &str) -> String {
        format!("{HEAD}{body}</TrainingCenterDatabase>")
    }

    fn point(time: &str, distance: f64) -> String {
        format!(
            "<Trackpoint><Time>{time}</Time><Position><LatitudeDegrees>46.1</LatitudeDegrees><LongitudeDegrees>7.2</LongitudeDegrees></Position><AltitudeMeters>1500</AltitudeMeters><DistanceMeters>{distance}</DistanceMeters><Extensions><ns3:TPX><ns3:Speed>3.1</ns3:Speed></ns3:TPX></Extensions></Trackpoint>"
        )
    }

    // ---- real files -------------------------------------------------------------------------

    #[test]
    fn forerunner_run() {
        let (a, remarks) = one(&fixture("test.tcx"));
        assert_eq!(a.sport, Some(Sport::Run));
        assert_eq!(a.sport_label.as_deref(), Some("Running"));
        assert_eq!(a.samples.len(), 384);
        assert_eq!(a.start, Some(utc(2012, 12, 26, 21, 29, 53)));
        assert_eq!(a.name.as_deref(), Some("Aerobics"));
        assert_eq!(
            a.device.as_deref(),
            Some("Forerunner 410 Software Version 2.20")
        );
        assert!(close(a.totals.distance_m, 4689.2), "{:?}", a.totals);
        assert!(close(a.totals.timer_s, 1992.8), "{:?}", a.totals);
        let first = a.samples[0].time.unwrap();
        let last = a.samples.last().unwrap().time.unwrap();
        assert_eq!(
            a.totals.elapsed_s,
            Some((last - first).num_seconds() as f64)
        );
        assert_eq!(a.samples[0].position, Some((35.951880198, -79.0931872185)));
        assert_eq!(a.samples[0].altitude_m, Some(178.942626953));
        assert_eq!(a.samples[2].distance_m, Some(1.10694694519));
        assert_eq!(a.altitude_source, AltitudeSource::Gps);
        assert!(remarks.is_empty(), "{remarks:?}");
    }

    #[test]
    fn paddle_without_altitude() {
        let (a, remarks) = one(&fixture("sup_activity_1.tcx"));
        assert_eq!(a.sport, Some(Sport::Other));
        assert_eq!(a.sport_label.as_deref(), Some("Other"));
        assert_eq!(a.samples.len(), 111);
        assert_eq!(a.device.as_deref(), Some("vívoactive HR"));
        assert!(close(a.totals.distance_m, 1157.5), "{:?}", a.totals);
        assert!(close(a.totals.timer_s, 1112.3), "{:?}", a.totals);
        assert_eq!(remarks, vec![xml::NO_ELEVATION.to_owned()]);
    }

    #[test]
    fn pool_swim_without_positions() {
        let (a, remarks) = one(&fixture("pool_swim-activity_1.tcx"));
        assert_eq!(a.samples.len(), 32);
        assert!(a.samples.iter().all(|s| s.position.is_none()));
        assert_eq!(a.samples[1].distance_m, Some(50.0));
        assert_eq!(a.start, Some(utc(2022, 8, 26, 16, 35, 13)));
        assert_eq!(a.totals.distance_m, Some(1500.0));
        assert!(close(a.totals.timer_s, 1530.7));
        assert!(remarks.contains(&xml::NO_ELEVATION.to_owned()));
    }

    // ---- small inline cases -----------------------------------------------------------------

    #[test]
    fn laps_are_summed_with_their_own_distance_only() {
        let text = doc(&format!(
            r#"<Activities><Activity Sport="Biking"><Id>2024-05-01T06:00:00Z</Id>
            <Lap StartTime="2024-05-01T06:00:00Z"><TotalTimeSeconds>600</TotalTimeSeconds><DistanceMeters>3000</DistanceMeters>
              <Track>{}{}</Track></Lap>
            <Lap StartTime="2024-05-01T06:10:00Z"><TotalTimeSeconds>300.5</TotalTimeSeconds><DistanceMeters>1500.25</DistanceMeters>
              <Track>{}</Track></Lap>
            <Creator><Name>Edge 530</Name></Creator></Activity></Activities>"#,
            point("2024-05-01T06:00:00Z", 0.0),
            point("2024-05-01T06:10:00Z", 3000.0),
            point("2024-05-01T06:15:00.5Z", 4500.0),
        ));
        let (a, remarks) = one(text.as_bytes());
        assert_eq!(a.sport, Some(Sport::Ride));
        assert_eq!(a.device.as_deref(), Some("Edge 530"));
        assert_eq!(a.totals.timer_s, Some(900.5));
        assert_eq!(a.totals.distance_m, Some(4500.25));
        assert_eq!(a.totals.elapsed_s, Some(900.5));
        assert_eq!(a.samples.len(), 3);
        assert_eq!(a.samples[2].distance_m, Some(4500.0));
        assert!(remarks.is_empty(), "{remarks:?}");
    }

    #[test]
    fn several_activities() {
        let text = doc(&format!(
            r#"<Activities><Activity Sport="Running"><Id>2024-05-01T06:00:00Z</Id><Lap><Track>{}</Track></Lap></Activity>
            <Activity Sport="Swimming"><Id>2024-05-02T06:00:00Z</Id><Lap><Track><Trackpoint><Time>2024-05-02T06:00:00Z</Time></Trackpoint></Track></Lap></Activity></Activities>"#,
            point("2024-05-01T06:00:00Z", 0.0)
        ));
        let (all, remarks) = activities(text.as_bytes());
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].sport, Some(Sport::Run));
        assert_eq!(all[1].sport, None);
        assert_eq!(all[1].sport_label.as_deref(), Some("Swimming"));
        assert_eq!(all[1].start, Some(utc(2024, 5, 2, 6, 0, 0)));
        assert_eq!(remarks, vec![format!("activity 2: {}", xml::NO_ELEVATION)]);
    }

    #[test]
    fn empty_activities_and_points_are_dropped_as_they_close() {
        // 1,000 empty activities and empty trackpoints: no activity, and nothing kept.
        let flood = doc(&format!(
            "<Activities>{}<Activity Sport=\"Running\"><Lap><Track>{}</Track></Lap></Activity></Activities>",
            "<Activity/>".repeat(1000),
            "<Trackpoint/>".repeat(1000)
        ));
        assert_eq!(
            read_tcx(flood.as_bytes()),
            Ok(ParsedFile::NotAnActivity {
                reason: "no activities: nothing was recorded".to_owned()
            })
        );
        // Among them, the one real activity is kept with its one real point.
        let mixed = doc(&format!(
            "<Activities>{}<Activity Sport=\"Running\"><Lap><Track><Trackpoint/>{}</Track></Lap></Activity>{}</Activities>",
            "<Activity/>".repeat(500),
            point("2024-05-01T06:00:00Z", 0.0),
            "<Activity/>".repeat(500),
        ));
        let (a, _) = one(mixed.as_bytes());
        assert_eq!(a.samples.len(), 1);
        // A lap total alone, without trackpoints, is still an activity.
        let laps_only = doc(
            "<Activities><Activity Sport=\"Running\"><Lap><DistanceMeters>5000</DistanceMeters></Lap></Activity></Activities>",
        );
        let (a, remarks) = one(laps_only.as_bytes());
        assert_eq!(a.totals.distance_m, Some(5000.0));
        assert!(remarks[0].contains("no trackpoints"), "{remarks:?}");
    }

    #[test]
    fn courses_are_not_activities() {
        let text = doc(&format!(
            "<Courses><Course><Name>Loop</Name><Track>{}</Track></Course></Courses>",
            point("2024-05-01T06:00:00Z", 0.0)
        ));
        assert_eq!(
            read_tcx(text.as_bytes()),
            Ok(ParsedFile::NotAnActivity {
                reason: "a course, not a recorded activity".to_owned()
            })
        );
    }

    #[test]
    fn missing_times_and_long_notes() {
        let long = "x".repeat(200);
        let text = doc(&format!(
            r#"<ns2:Activities xmlns:ns2="urn:x"><ns2:Activity Sport="Running"><ns2:Notes>{long}</ns2:Notes><Lap><Track><Trackpoint><AltitudeMeters>oops</AltitudeMeters><DistanceMeters>5</DistanceMeters></Trackpoint></Track></Lap></ns2:Activity></ns2:Activities>"#
        ));
        let (a, remarks) = one(text.as_bytes());
        assert_eq!(a.name, None);
        assert_eq!(a.start, None);
        assert_eq!(a.totals.elapsed_s, None);
        assert_eq!(a.samples[0].distance_m, Some(5.0));
        assert_eq!(
            remarks,
            vec![xml::NO_TIMESTAMPS.to_owned(), xml::NO_ELEVATION.to_owned()]
        );
    }

    #[test]
    fn lap_start_when_the_id_is_not_a_time() {
        let text = doc(&format!(
            r#"<Activities><Activity Sport="Running"><Id>my run</Id><Lap StartTime="2024-05-01T07:00:00+01:00"><Track>{}</Track></Lap></Activity></Activities>"#,
            point("2024-05-01T06:00:05", 0.0)
        ));
        let (a, _) = one(text.as_bytes());
        assert_eq!(a.start, Some(utc(2024, 5, 1, 6, 0, 0)));
        assert_eq!(a.samples[0].time, Some(utc(2024, 5, 1, 6, 0, 5)));
    }

    #[test]
    fn bom_and_truncation_keep_the_points() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        let text = doc(&format!(
            r#"<Activities><Activity Sport="Running"><Id>2024-05-01T06:00:00Z</Id><Lap><TotalTimeSeconds>60</TotalTimeSeconds><Track>{}{}</Track></Lap></Activity></Activities>"#,
            point("2024-05-01T06:00:00Z", 0.0),
            point("2024-05-01T06:01:00Z", 200.0)
        ));
        let cut = text.find("</Track>").unwrap() - 30;
        bytes.extend_from_slice(&text.as_bytes()[..cut]);
        let (a, remarks) = one(&bytes);
        assert_eq!(a.samples.len(), 1);
        assert_eq!(a.totals.timer_s, Some(60.0));
        assert_eq!(remarks.len(), 1);
        assert!(
            remarks[0].contains("read the 1 points before it"),
            "{remarks:?}"
        );
    }

    #[test]
    fn errors() {
        let broken =
            doc("<Activities><Activity Sport=\"Running\"><Id>x</Idd></Activity></Activities>");
        assert!(matches!(
            read_tcx(broken.as_bytes()),
            Err(ReadError::Xml { format: "TCX", .. })
        ));
        let gpx = br#"<?xml version="1.0"?><gpx version="1.1"></gpx>"#;
        match read_tcx(gpx) {
            Err(ReadError::Corrupt { format, detail }) => {
                assert_eq!(format, "TCX");
                assert!(detail.contains("<gpx>"), "{detail}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(matches!(read_tcx(b""), Err(ReadError::Corrupt { .. })));
        assert_eq!(
            read_tcx(doc("").as_bytes()),
            Ok(ParsedFile::NotAnActivity {
                reason: "no activities: nothing was recorded".to_owned()
            })
        );
    }

    // ---- the whole corpus -------------------------------------------------------------------

    struct Expected {
        path: PathBuf,
        points: Option<usize>,
        distance_m: Option<f64>,
        timer_s: Option<f64>,
    }

    fn manifest(root: &Path) -> Vec<Expected> {
        let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
        let mut lines = manifest.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (file, format) = (col("file"), col("format"));
        let (points, distance, timer) = (
            col("points"),
            col("total_distance_m"),
            col("total_timer_time_s"),
        );
        lines
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|f| f.get(format) == Some(&"tcx"))
            .map(|f| Expected {
                path: root.join(f[file]),
                points: f.get(points).and_then(|p| p.parse().ok()),
                distance_m: f.get(distance).and_then(|p| p.parse().ok()),
                timer_s: f.get(timer).and_then(|p| p.parse().ok()),
            })
            .collect()
    }

    #[test]
    fn every_corpus_file_reads_cleanly() {
        let Some(root) = crate::readers::shared_corpus() else {
            return;
        };
        let files = manifest(&root);
        assert!(
            files.len() >= 10,
            "{} TCX files in the manifest",
            files.len()
        );
        for expected in files {
            let bytes = std::fs::read(&expected.path).unwrap();
            let name = expected.path.display();
            let result = std::panic::catch_unwind(|| read_tcx(&bytes))
                .unwrap_or_else(|_| panic!("{name} panicked"));
            let (all, _) = match result {
                Ok(ParsedFile::Activities {
                    activities,
                    remarks,
                }) => (activities, remarks),
                other => panic!("{name}: {other:?}"),
            };
            let points: usize = all.iter().map(|a| a.samples.len()).sum();
            if let Some(expected_points) = expected.points {
                assert_eq!(points, expected_points, "{name}");
            }
            // The manifest rounds lap sums to 0.1 m and 0.1 s.
            let distance: f64 = all.iter().filter_map(|a| a.totals.distance_m).sum();
            let timer: f64 = all.iter().filter_map(|a| a.totals.timer_s).sum();
            if let Some(d) = expected.distance_m {
                assert!((distance - d).abs() <= 0.051, "{name}: {distance} vs {d}");
            }
            if let Some(t) = expected.timer_s {
                assert!((timer - t).abs() <= 0.051, "{name}: {timer} vs {t}");
            }
        }
    }

    // ---- properties -------------------------------------------------------------------------

    fn sample_file() -> Vec<u8> {
        doc(&format!(
            r#"<Activities><Activity Sport="Running"><Id>2024-05-01T06:00:00Z</Id><Notes>Easy &amp; slow</Notes><Lap StartTime="2024-05-01T06:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>200</DistanceMeters><Track>{}{}</Track></Lap><Creator><Name>FR</Name></Creator></Activity></Activities>"#,
            point("2024-05-01T06:00:00Z", 0.0),
            point("2024-05-01T06:01:00Z", 200.0)
        ))
        .into_bytes()
    }

    #[test]
    fn truncation_at_every_length() {
        let bytes = sample_file();
        let (full, _) = one(&bytes);
        assert_eq!(full.name.as_deref(), Some("Easy & slow"));
        for cut in 0..bytes.len() {
            if let Ok(ParsedFile::Activities { activities, .. }) = read_tcx(&bytes[..cut]) {
                assert!(activities[0].samples.len() <= 2);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn byte_flips_never_panic(flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
            let mut bytes = sample_file();
            let len = bytes.len();
            for (at, value) in flips {
                bytes[at % len] = value;
            }
            let _ = read_tcx(&bytes);
        }

        #[test]
        fn tag_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
            "<TrainingCenterDatabase>", "</TrainingCenterDatabase>", "<Activities>", "</Activities>",
            "<Activity Sport=\"Running\">", "</Activity>", "<Lap>", "</Lap>", "<Track>", "</Track>",
            "<Trackpoint>", "</Trackpoint>", "<Time>", "</Time>", "<Position>", "</Position>",
            "<LatitudeDegrees>", "</LatitudeDegrees>", "<DistanceMeters>", "</DistanceMeters>",
            "<TotalTimeSeconds>", "</TotalTimeSeconds>", "<Course>", "</Course>", "<Creator>", "<Name>",
            "12.5", "2024-01-01T00:00:00Z", "&amp;", "&#0;", "<", ">", "<Id/>", "<!-- x -->",
        ]), 0..60)) {
            let text: String = parts.concat();
            let _ = read_tcx(text.as_bytes());
        }
    }
}
