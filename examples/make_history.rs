//! Writes a database with a generated ten-year running history (about 4,000 activities), for
//! the `weeks`/`check` benchmark: `cargo run --release --example make_history -- OUT.sqlite`.

use chrono::{Duration, TimeZone, Utc};
use kneeguard::db::Store;
use kneeguard::model::{NewActivity, SourceKind, Sport};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: make_history OUT.sqlite")?;
    let mut store = Store::open(std::path::Path::new(&out))?;
    let first = Utc.with_ymd_and_hms(2016, 11, 21, 6, 30, 0).unwrap();
    let mut count = 0;
    // Ten years, 8 sessions a week: five runs, two rides and a strength session.
    let sessions = (0..3652i64).flat_map(|day| {
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
        store.store_activity(&a, None)?;
        count += 1;
    }
    eprintln!("{out}: {count} activities");
    Ok(())
}
