//! Reads `activities.csv` from a Strava bulk export (SYNC.md §1.5).
//!
//! Columns are addressed by name *and occurrence*: some names repeat, and the first
//! `Distance`/`Elapsed Time` hold display values (km or mi) while the second hold SI units.
//! `Filename` is the only link to the activity file (its number is the upload, not the
//! activity id) and is empty for manual activities.

use crate::model::Sport;
use chrono::{DateTime, NaiveDateTime, Utc};

/// One row of the export, with what kneeguard uses of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub activity_id: String,
    pub start: Option<DateTime<Utc>>,
    pub name: Option<String>,
    /// Strava's display name of the type, e.g. `Trail Run`.
    pub type_label: String,
    pub sport: Sport,
    /// `activities/12116271787.fit.gz`, or empty for a manual activity.
    pub filename: String,
    pub elapsed_s: Option<f64>,
    pub moving_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub elevation_gain_m: Option<f64>,
    pub elevation_loss_m: Option<f64>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CsvError {
    #[error("activities.csv: {0}")]
    Malformed(String),
    #[error(
        "activities.csv has no {0:?} column: this reads English-language Strava exports; \
         switch Strava's language to English and export again, or import the files in activities/ directly"
    )]
    MissingColumn(&'static str),
}

/// Parses the CSV text of a Strava export.
pub fn parse(bytes: &[u8]) -> Result<Vec<ExportRow>, CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CsvError::Malformed(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    // (name, occurrence) -> index
    let find = |name: &str, occurrence: usize| {
        headers
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_str() == name)
            .nth(occurrence)
            .map(|(i, _)| i)
    };
    let required = |name: &'static str| find(name, 0).ok_or(CsvError::MissingColumn(name));
    let id = required("Activity ID")?;
    let date = required("Activity Date")?;
    let type_ = required("Activity Type")?;
    let filename = required("Filename")?;
    let name = find("Activity Name", 0);
    let elapsed_si = find("Elapsed Time", 1);
    let elapsed_display = find("Elapsed Time", 0);
    let moving = find("Moving Time", 0);
    let distance_si = find("Distance", 1);
    let gain = find("Elevation Gain", 0);
    let loss = find("Elevation Loss", 0);

    let mut rows = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| CsvError::Malformed(format!("row {}: {e}", line + 2)))?;
        let text = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        let number = |i: Option<usize>| text(i).parse::<f64>().ok().filter(|v| v.is_finite());
        let type_label = text(Some(type_)).to_string();
        rows.push(ExportRow {
            activity_id: text(Some(id)).to_string(),
            start: parse_date(text(Some(date))),
            name: Some(text(name).to_string()).filter(|n| !n.is_empty()),
            sport: sport_from_type(&type_label),
            type_label,
            filename: text(Some(filename)).to_string(),
            elapsed_s: number(elapsed_si).or(number(elapsed_display)),
            moving_s: number(moving),
            distance_m: number(distance_si),
            elevation_gain_m: number(gain),
            elevation_loss_m: number(loss),
        });
    }
    Ok(rows)
}

/// `Sep 26, 2026, 10:56:05 AM` (UTC), as Strava writes it.
fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    [
        "%b %d, %Y, %I:%M:%S %p",
        "%b %d, %Y %I:%M:%S %p",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .map(|n| n.and_utc())
}

/// Strava's display names of activity types.
pub fn sport_from_type(label: &str) -> Sport {
    match label.trim().to_ascii_lowercase().as_str() {
        "run" => Sport::Run,
        "trail run" => Sport::TrailRun,
        "virtual run" => Sport::VirtualRun,
        "ride"
        | "gravel ride"
        | "mountain bike ride"
        | "e-bike ride"
        | "e-mountain bike ride"
        | "handcycle"
        | "velomobile" => Sport::Ride,
        "virtual ride" => Sport::IndoorRide,
        "elliptical" | "stair-stepper" => Sport::Elliptical,
        "swim" => Sport::Swim,
        "rowing" | "virtual row" => Sport::Row,
        "hike" => Sport::Hike,
        "walk" => Sport::Walk,
        "alpine ski" | "backcountry ski" | "nordic ski" | "roller ski" | "snowshoe" => Sport::Ski,
        "canoe" | "kayaking" | "stand up paddling" => Sport::Paddle,
        "weight training" | "crossfit" | "workout" | "yoga" | "pilates" | "hiit" => Sport::Strength,
        _ => Sport::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SAMPLE: &str = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,Elevation Loss
15000000002,\"Sep 26, 2026, 10:30:00 AM\",\"Lunch Trail Run, hilly\",Trail Run,,6822,14.88,,,false,,,activities/16000000002.gpx,,,6822.0,6010.0,14880.0,,,812.0,809.5
15000000000,\"Sep 22, 2026, 6:00:00 AM\",Manual entry: easy jog,Run,,1800,5.00,,,false,,,,,,1800.0,1800.0,5000.0,,,,
";

    #[test]
    fn reads_repeated_columns_by_occurrence() {
        let rows = parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let trail = &rows[0];
        assert_eq!(trail.sport, Sport::TrailRun);
        assert_eq!(trail.name.as_deref(), Some("Lunch Trail Run, hilly"));
        assert_eq!(trail.distance_m, Some(14880.0)); // the SI column, not 14.88
        assert_eq!(trail.moving_s, Some(6010.0));
        assert_eq!(trail.elevation_loss_m, Some(809.5));
        assert_eq!(trail.filename, "activities/16000000002.gpx");
        assert_eq!(
            trail.start,
            Some(Utc.with_ymd_and_hms(2026, 9, 26, 10, 30, 0).unwrap())
        );
        assert_eq!(rows[1].filename, "");
        assert_eq!(rows[1].distance_m, Some(5000.0));
    }

    #[test]
    fn a_localized_export_is_refused_with_advice() {
        let err = parse("Aktivitäts-ID,Datum\n1,2\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("English"), "{err}");
    }

    #[test]
    fn the_shared_sample_export_parses() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/strava_export/activities.csv");
        let rows = parse(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].distance_m, Some(10234.5));
        assert_eq!(rows[0].elevation_loss_m, Some(139.8));
    }
}
