//! The guidance state of `today`, read from the store once for `status`, `plan`, `check` and
//! `demo`: each renders this one value.

use super::Context;
use crate::core::guidance::{guidance, window_start, Guidance, GuidanceSettings};
use crate::db::{ActivityFilter, Store};

/// The settings the core's guidance reads, from the resolved settings.
pub fn settings(ctx: &Context) -> GuidanceSettings<'_> {
    let config = &ctx.settings.config;
    GuidanceSettings {
        load: &config.load,
        pain: &config.pain,
        plan: &config.plan,
        step_m: ctx.settings.units.plan_step_m(),
    }
}

/// Today's guidance, from the part of the history it reads: the activities and ratings of its
/// window, the earliest activity (where the history begins), the latest rating before the
/// window (what the runner last logged) and a red rating before it that had not settled.
pub fn today(ctx: &Context, store: &Store) -> anyhow::Result<(Guidance, usize)> {
    let settings = settings(ctx);
    let recent = ActivityFilter {
        since: Some(window_start(&settings, ctx.settings.today)),
        // Nothing after today: with `--today` in the past the later records are the future.
        until: Some(ctx.settings.today),
    };
    // The earliest activity too: whether the history reaches back far enough for the ratios.
    let mut activities = store.activities(&recent)?;
    if let Some(first) = store.earliest_activity()? {
        if activities.first().is_none_or(|a| a.id != first.id) {
            activities.insert(0, first);
        }
    }
    // And the latest rating before the window (what the runner last logged), and a red rating
    // before it that had not settled (red lasts until a calm rating).
    let mut pain = store.pain_entries(&recent)?;
    if let Some(since) = recent.since {
        let zones = &ctx.settings.config.pain;
        let mut before: Vec<_> = store
            .unsettled_red_before(since, zones.amber_max, zones.green_max)?
            .into_iter()
            .chain(store.latest_pain_before(since)?)
            .collect();
        before.dedup_by_key(|e| e.id);
        pain.splice(0..0, before);
    }
    let g = guidance(&activities, &pain, &settings, ctx.settings.today);
    Ok((g, store.count_activities()? as usize))
}
