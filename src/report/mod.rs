//! The report: the knee's story as one self-contained HTML page of charts (static SVG drawn
//! by plotters, the page built with maud), written for the runner, their physiotherapist or a
//! printer.
//!
//! `data` gathers the values from the core (pure), `charts` draws them, `page` lays them out;
//! [`write`] reads the history from the store and writes the page to a file, whole or not at all.

pub mod data;

mod charts;
mod page;

pub use data::{gather, ReportData};

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::db::{ActivityFilter, Store};
use crate::settings::{Settings, Units};

/// How many weeks a report covers unless told otherwise: the half year the threshold estimate
/// looks back over.
pub const DEFAULT_WEEKS: usize = 26;

/// What [`write`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub bytes: usize,
    pub weeks: usize,
    pub runs: usize,
    pub ratings: usize,
}

/// The page for `data`, in `units`.
pub fn render(data: &ReportData, units: Units) -> anyhow::Result<String> {
    let charts = charts::all(data, units)
        .map_err(|e| anyhow::anyhow!("cannot draw the report's charts: {e}"))?;
    Ok(page::page(data, &charts, units).into_string())
}

/// The report's data from the store for `settings.today`, over the last `weeks` weeks. Fails,
/// with advice on what to import, when the store holds no activity.
pub fn load(store: &Store, settings: &Settings, weeks: usize) -> anyhow::Result<ReportData> {
    let activities = store.activities(&ActivityFilter::default())?;
    if activities.is_empty() {
        anyhow::bail!(
            "there is nothing to chart yet: {} holds no activities. Import your runs first \
             (`kneeguard import PATH` for FIT, GPX or TCX files, folders, or a Strava or Garmin \
             export; or `kneeguard sync` from Strava), or see an example report with \
             `kneeguard demo`",
            settings.db_path.display()
        );
    }
    let pain = store.pain_entries(&ActivityFilter::default())?;
    Ok(gather(
        &activities,
        &pain,
        &settings.config,
        settings.units.plan_step_m(),
        settings.today,
        weeks,
    ))
}

/// Writes the report of the last `weeks` weeks to `path`: into a temporary file beside it,
/// then renamed over it, so a failure leaves no half-written page (and an older report, if
/// any, untouched).
pub fn write(
    store: &Store,
    settings: &Settings,
    weeks: usize,
    path: &Path,
) -> anyhow::Result<Written> {
    let data = load(store, settings, weeks)?;
    let html = render(&data, settings.units)?;
    save(path, html.as_bytes())?;
    Ok(Written {
        bytes: html.len(),
        weeks: data.weeks.len(),
        runs: data.runs.len(),
        ratings: data.pain.len(),
    })
}

fn save(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let context = || format!("cannot write the report to {}", path.display());
    let mut file = tempfile::NamedTempFile::new_in(dir).with_context(context)?;
    file.write_all(bytes).with_context(context)?;
    file.as_file().sync_all().with_context(context)?;
    file.persist(path)
        .map_err(|e| e.error)
        .with_context(context)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::tests::{day, run};
    use crate::model::{PainEntry, PainWhen};
    use crate::settings::Config;
    use chrono::{Duration, TimeZone, Utc};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any history, however odd, gives a whole page with every chart.
        #[test]
        fn any_history_renders_every_chart(
            runs in prop::collection::vec((0i64..400, 0.0f64..2.0e5, prop::option::of(0.0f64..5.0e3)), 0..60),
            pain in prop::collection::vec((0i64..400, 0u8..=12, 0usize..4, any::<bool>()), 0..60),
            weeks in 1usize..80,
            mi in any::<bool>(),
        ) {
            let first = day(2025, 1, 1);
            let activities: Vec<_> = runs
                .iter()
                .enumerate()
                .map(|(i, (d, m, descent))| {
                    let mut a = run(i as i64 + 1, first + Duration::days(*d), *m);
                    a.descent_m = *descent;
                    a
                })
                .collect();
            let whens = [PainWhen::During, PainWhen::After, PainWhen::Morning, PainWhen::Daily];
            let log: Vec<PainEntry> = pain
                .iter()
                .enumerate()
                .map(|(i, (d, score, when, swelling))| {
                    let date = first + Duration::days(*d);
                    PainEntry {
                        id: i as i64 + 1,
                        at: Utc.from_utc_datetime(&date.and_hms_opt(9, 0, 0).unwrap()),
                        utc_offset_s: 0,
                        date,
                        score: *score,
                        when: whens[*when],
                        side: None,
                        swelling: *swelling,
                        note: None,
                        activity_id: None,
                    }
                })
                .collect();
            let data = gather(&activities, &log, &Config::default(), 500.0, day(2026, 1, 20), weeks);
            let units = if mi { Units::Mi } else { Units::Km };
            let html = render(&data, units).unwrap();
            prop_assert_eq!(html.matches("<figure class=\"chart\"").count(), 9);
            prop_assert!(html.ends_with("</html>"));
        }
    }
}
