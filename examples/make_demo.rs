//! Writes the bundled demo history into `examples/demo/`:
//! `cargo run --example make_demo`. The files are committed; `kneeguard demo` embeds them.
//!
//! Fourteen weeks of a runner with a sore knee, ending on Sunday 2026-11-15: a steady base, a
//! long-run spike, a hilly trail block that brings a pain flare (with swelling-free amber pain
//! and a next-morning rise), a cut-back with cross-training and strength work, a careful
//! rebuild, and a last week whose hilly run made the knee grumble again. Runs are FIT files
//! from a watch and a few GPX files from a phone; cross-training is FIT; pain is `pain.csv`.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kneeguard::synth::{fit_writer::FitSport, indoor_fit, Course};
use std::fmt::Write as _;
use std::path::Path;

/// Central European time in autumn (the history crosses the end of summer time on 25 October).
fn offset_on(day: NaiveDate) -> i32 {
    if day < NaiveDate::from_ymd_opt(2026, 10, 25).unwrap() {
        7200
    } else {
        3600
    }
}

enum Session {
    /// km, descent m, minutes per km x 60 (pace s/km), phone GPX?
    Run(f64, f64, f64, bool),
    Elliptical(u32),
    Spin(u32),
    Strength(u32),
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    use Session::*;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    std::fs::create_dir_all(&dir)?;
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("fit" | "gpx")
        ) {
            std::fs::remove_file(path)?;
        }
    }
    // (week, weekday 0=Mon, session); pain: (week, weekday, hh, score, when, note)
    let weeks: Vec<Vec<(u32, Session)>> = vec![
        // 1-4: steady base, flat
        vec![
            (1, Run(6.0, 25.0, 345.0, false)),
            (3, Run(6.5, 30.0, 340.0, false)),
            (6, Run(10.0, 45.0, 350.0, false)),
        ],
        vec![
            (1, Run(6.5, 30.0, 340.0, false)),
            (3, Run(7.0, 30.0, 340.0, true)),
            (6, Run(10.5, 50.0, 350.0, false)),
        ],
        vec![
            (1, Run(7.0, 30.0, 340.0, false)),
            (3, Run(7.0, 35.0, 335.0, false)),
            (4, Strength(25)),
            (6, Run(11.0, 50.0, 350.0, false)),
        ],
        vec![
            (1, Run(7.0, 30.0, 340.0, false)),
            (3, Run(7.5, 35.0, 335.0, true)),
            (6, Run(12.0, 55.0, 352.0, false)),
        ],
        // 5: the spike: 18 km long run after a 12 km longest
        vec![
            (1, Run(7.5, 35.0, 340.0, false)),
            (3, Run(8.0, 35.0, 335.0, false)),
            (6, Run(18.0, 80.0, 360.0, false)),
        ],
        // 6: eased back
        vec![
            (1, Run(6.0, 25.0, 345.0, false)),
            (3, Elliptical(40)),
            (4, Strength(25)),
            (6, Run(10.0, 45.0, 350.0, false)),
        ],
        // 7-8: the hilly trail block
        vec![
            (1, Run(7.0, 180.0, 390.0, false)),
            (3, Run(7.0, 210.0, 395.0, true)),
            (6, Run(12.0, 420.0, 410.0, false)),
        ],
        vec![
            (1, Run(7.5, 220.0, 390.0, false)),
            (3, Run(8.0, 260.0, 400.0, false)),
            (6, Run(13.0, 520.0, 415.0, false)),
        ],
        // 9: the flare: cut back, cross-training and strength
        vec![
            (1, Elliptical(45)),
            (2, Strength(30)),
            (3, Run(4.0, 10.0, 350.0, false)),
            (4, Spin(45)),
            (5, Strength(30)),
            (6, Run(5.0, 15.0, 350.0, false)),
        ],
        // 10-12: a careful, flat rebuild
        vec![
            (1, Run(5.0, 15.0, 345.0, false)),
            (2, Strength(30)),
            (3, Run(5.5, 20.0, 345.0, true)),
            (4, Elliptical(40)),
            (6, Run(7.0, 25.0, 350.0, false)),
        ],
        vec![
            (1, Run(5.5, 20.0, 340.0, false)),
            (2, Strength(30)),
            (3, Run(6.0, 20.0, 340.0, false)),
            (6, Run(8.0, 30.0, 350.0, false)),
        ],
        vec![
            (1, Run(6.0, 20.0, 340.0, false)),
            (2, Strength(30)),
            (3, Run(6.5, 25.0, 340.0, false)),
            (4, Elliptical(40)),
            (6, Run(9.0, 35.0, 350.0, false)),
        ],
        // 13: steady
        vec![
            (1, Run(6.5, 25.0, 340.0, false)),
            (2, Strength(30)),
            (3, Run(7.0, 25.0, 340.0, true)),
            (6, Run(9.5, 40.0, 350.0, false)),
        ],
        // 14: a hilly Sunday run; the knee grumbles again
        vec![
            (1, Run(6.5, 25.0, 340.0, false)),
            (2, Strength(30)),
            (3, Run(7.0, 30.0, 340.0, false)),
            (6, Run(10.0, 260.0, 380.0, false)),
        ],
    ];
    // (week, weekday, score, when, note)
    let pain: Vec<(u32, u32, u8, &str, &str)> = vec![
        (1, 1, 1, "after", ""),
        (1, 6, 1, "after", ""),
        (2, 1, 0, "after", ""),
        (2, 6, 1, "after", ""),
        (3, 1, 1, "after", ""),
        (3, 6, 1, "after", ""),
        (4, 1, 1, "after", ""),
        (4, 6, 2, "after", ""),
        (5, 3, 1, "after", ""),
        (5, 6, 3, "after", "last 5 km ached"),
        (6, 0, 3, "morning", "stiff on the stairs"),
        (6, 1, 2, "after", ""),
        (6, 6, 1, "after", ""),
        (7, 1, 2, "after", "downhill sections"),
        (7, 3, 2, "after", ""),
        (7, 6, 3, "during", "long descent"),
        (8, 0, 3, "morning", ""),
        (8, 1, 3, "after", ""),
        (8, 3, 4, "during", "stairs hurt after"),
        (8, 6, 5, "during", "walked the downhills"),
        (9, 0, 5, "morning", "hurts on the stairs"),
        (9, 1, 4, "daily", ""),
        (9, 3, 3, "after", ""),
        (9, 6, 2, "after", ""),
        (10, 1, 2, "after", ""),
        (10, 3, 1, "after", ""),
        (10, 6, 2, "after", ""),
        (11, 1, 1, "after", ""),
        (11, 3, 1, "after", ""),
        (11, 6, 1, "after", ""),
        (12, 1, 1, "after", ""),
        (12, 3, 1, "after", ""),
        (12, 6, 2, "after", ""),
        (13, 1, 1, "after", ""),
        (13, 3, 1, "after", ""),
        (13, 6, 1, "after", ""),
        (14, 1, 1, "after", ""),
        (14, 3, 1, "after", ""),
        (14, 6, 3, "after", "the long hill down"),
    ];
    let first_monday = NaiveDate::from_ymd_opt(2026, 8, 10).unwrap();
    let mut serial = 1000;
    for (w, sessions) in weeks.iter().enumerate() {
        for (weekday, session) in sessions {
            serial += 1;
            let day = first_monday + Duration::days(w as i64 * 7 + i64::from(*weekday));
            let offset = offset_on(day);
            let local = day
                .and_hms_opt(if *weekday == 6 { 9 } else { 18 }, 15, 0)
                .unwrap();
            let start = Utc.from_utc_datetime(&local) - Duration::seconds(i64::from(offset));
            let stem = format!("{day}");
            match session {
                Run(km, descent, pace, phone) => {
                    let mut course = Course::new(start, km * 1000.0, *descent);
                    course.utc_offset_s = offset;
                    course.pace_s_per_km = *pace;
                    course.interval_s = 5;
                    course.seed = u64::from(serial);
                    let trail = *descent / km > 15.0;
                    if *phone {
                        let kind = if trail { "trail_running" } else { "running" };
                        let name = if trail { "Trail run" } else { "Evening run" };
                        std::fs::write(
                            dir.join(format!("{stem}-run.gpx")),
                            course.to_gpx(name, kind),
                        )?;
                    } else {
                        let sport = if trail {
                            FitSport::TRAIL_RUN
                        } else {
                            FitSport::RUN
                        };
                        std::fs::write(
                            dir.join(format!("{stem}-run.fit")),
                            course.to_fit(sport, serial),
                        )?;
                    }
                }
                Elliptical(min) => std::fs::write(
                    dir.join(format!("{stem}-elliptical.fit")),
                    indoor_fit(FitSport::ELLIPTICAL, start, offset, *min, serial),
                )?,
                Spin(min) => std::fs::write(
                    dir.join(format!("{stem}-spin.fit")),
                    indoor_fit(FitSport::INDOOR_RIDE, start, offset, *min, serial),
                )?,
                Strength(min) => std::fs::write(
                    dir.join(format!("{stem}-strength.fit")),
                    indoor_fit(FitSport::STRENGTH, start, offset, *min, serial),
                )?,
            }
        }
    }
    let mut csv = String::from("date,time,score,when,note\n");
    for (week, weekday, score, when, note) in pain {
        let day = first_monday + Duration::days(i64::from(week - 1) * 7 + i64::from(weekday));
        let time = match when {
            "morning" => "07:30",
            "daily" => "20:00",
            _ if weekday == 6 => "10:45",
            _ => "19:45",
        };
        writeln!(csv, "{day},{time},{score},{when},{note}")?;
    }
    std::fs::write(dir.join("pain.csv"), csv)?;
    let count = std::fs::read_dir(&dir)?.count();
    eprintln!("{}: {count} files", dir.display());
    Ok(())
}
