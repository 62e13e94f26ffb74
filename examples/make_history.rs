//! Writes a database with a generated running history ending on 2026-11-20 — 30 years by
//! default, about 12,500 activities and a pain rating after every long run — for the
//! `weeks`/`status`/`plan` benchmark:
//! `cargo run --release --example make_history -- OUT.sqlite [YEARS]`.

use chrono::{Duration, TimeZone, Utc};
use kneeguard::db::{Store, Stored};
use kneeguard::model::{NewActivity, PainEntry, PainWhen, SourceKind, Sport};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: make_history OUT.sqlite [YEARS]")?;
    let years: i64 = args.next().map_or(Ok(30), |y| y.parse())?;
    let mut store = Store::open(std::path::Path::new(&out))?;
    let days = years * 365 + years / 4;
    let last = Utc.with_ymd_and_hms(2026, 11, 20, 6, 30, 0).unwrap();
    let first = last - Duration::days(days);
    let (mut activities, mut ratings) = (0, 0);
    // 8 sessions a week: five runs, two rides and a strength session.
    let sessions = (0..days).flat_map(|day| {
        let extra = (day % 7 == 2).then_some((day, 1));
        std::iter::once((day, 0)).chain(extra)
    });
    for (day, second) in sessions {
        let start =
            first + Duration::days(day) + Duration::minutes((day * 37) % 180 + 600 * second);
        let (sport, km) = match (day % 7, second) {
            (0, _) => (Sport::Run, 16.0 + (day % 5) as f64),
            (1 | 3 | 5 | 6, _) => (Sport::Run, 6.0 + (day % 4) as f64),
            (2, _) => (Sport::Ride, 30.0),
            _ => (Sport::Strength, 0.0),
        };
        let mut a = NewActivity::manual(sport, start, 3600);
        a.source_kind = SourceKind::File;
        a.source = format!("history/{day}.fit");
        a.distance_m = km * 1000.0;
        a.moving_s = km * 330.0 + 1800.0 * f64::from(sport == Sport::Strength);
        a.elapsed_s = a.moving_s;
        a.descent_m = Some(km * (5.0 + (day % 11) as f64 * 3.0));
        a.ascent_m = a.descent_m;
        let Stored::New(id) = store.store_activity(&a, None)? else {
            continue;
        };
        activities += 1;
        if day % 7 == 0 {
            let at = start + Duration::hours(3);
            store.insert_pain(&PainEntry {
                id: 0,
                at,
                utc_offset_s: 3600,
                date: (at + Duration::hours(1)).date_naive(),
                score: (day % 4) as u8,
                when: PainWhen::After,
                side: None,
                swelling: false,
                note: None,
                activity_id: Some(id),
            })?;
            ratings += 1;
        }
    }
    eprintln!("{out}: {activities} activities and {ratings} pain ratings over {years} years");
    Ok(())
}
