//! The JSON shapes of the guidance: the documented fields (README, "JSON interfaces") with the
//! sentences written out, beside the typed values they come from (`code` and the numbers).
//! Numbers are metric; the sentences too, whatever `--units` says.

use chrono::NaiveDate;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::core::guidance::Guidance;
use crate::core::plan::{DayNote, PlanDay, PlanTotals, Reason, WeekPlan};
use crate::core::plausibility::Flagged;
use crate::core::threshold::{Estimate, Thresholds};
use crate::core::warnings::Warning;
use crate::core::zone::ZoneAssessment;
use crate::settings::Units;

use super::words;

/// JSON sentences are written in metric units, like the numbers beside them.
const JSON_UNITS: Units = Units::Km;

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = words::warning(self, JSON_UNITS);
        let code = serde_json::to_value(&self.detail)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
            .unwrap_or_default();
        let mut map = serializer.serialize_map(Some(11))?;
        map.serialize_entry("rule", &self.rule)?;
        map.serialize_entry("severity", &self.severity)?;
        map.serialize_entry("date", &self.date)?;
        map.serialize_entry("activity_id", &self.activity_id)?;
        map.serialize_entry("message", &text.message)?;
        map.serialize_entry("evidence", &self.evidence)?;
        map.serialize_entry("source", &text.source)?;
        map.serialize_entry("advice", &text.advice)?;
        map.serialize_entry("values", &self.values)?;
        map.serialize_entry("code", &code)?;
        map.serialize_entry("detail", &self.detail)?;
        map.end()
    }
}

/// `zone` in `status`: the zone, its reasons as sentences and as codes.
#[derive(Serialize)]
pub struct ZoneView<'a> {
    zone: crate::core::zone::Zone,
    latest: &'a Option<crate::core::zone::LatestPain>,
    reasons: Vec<String>,
    reason_codes: &'a [crate::core::zone::ZoneReason],
    see_professional: bool,
    data: crate::core::zone::PainData,
    red_since: Option<NaiveDate>,
    amber: &'a Option<crate::core::zone::AmberEpisode>,
    referral: &'a Option<crate::core::zone::Referral>,
}

pub fn zone(z: &ZoneAssessment) -> ZoneView<'_> {
    ZoneView {
        zone: z.zone,
        latest: &z.latest,
        reasons: z
            .reasons
            .iter()
            .map(|r| words::zone_reason(r, JSON_UNITS))
            .collect(),
        reason_codes: &z.reasons,
        see_professional: z.see_professional,
        data: z.data,
        red_since: z.red_since,
        amber: &z.amber,
        referral: &z.referral,
    }
}

/// One threshold estimate with its note.
#[derive(Serialize)]
pub struct EstimateView<'a> {
    tolerated_m: Option<f64>,
    provoking_m: Option<f64>,
    cap_m: Option<f64>,
    confidence: crate::core::threshold::Confidence,
    consistent: bool,
    evidence: &'a [crate::core::threshold::Evidence],
    note: String,
    status: &'a crate::core::threshold::EstimateStatus,
}

fn estimate(e: &Estimate) -> EstimateView<'_> {
    EstimateView {
        tolerated_m: e.tolerated_m,
        provoking_m: e.provoking_m,
        cap_m: e.cap_m,
        confidence: e.confidence,
        consistent: e.consistent,
        evidence: &e.evidence,
        note: words::estimate_note(e, JSON_UNITS),
        status: &e.status,
    }
}

#[derive(Serialize)]
pub struct ThresholdsView<'a> {
    weekly_distance_m: EstimateView<'a>,
    longest_run_m: EstimateView<'a>,
    weekly_descent_m: EstimateView<'a>,
    run_descent_m: EstimateView<'a>,
}

pub fn thresholds(t: &Thresholds) -> ThresholdsView<'_> {
    ThresholdsView {
        weekly_distance_m: estimate(&t.weekly_distance_m),
        longest_run_m: estimate(&t.longest_run_m),
        weekly_descent_m: estimate(&t.weekly_descent_m),
        run_descent_m: estimate(&t.run_descent_m),
    }
}

/// One exercise of a strength day: its name and how to do it in words, beside the move's code.
#[derive(Serialize)]
pub struct ExerciseView {
    name: &'static str,
    sets: Option<u32>,
    reps: Option<u32>,
    hold_s: Option<u32>,
    note: String,
    code: crate::core::plan::strength::Move,
}

fn exercise(e: &crate::core::plan::strength::Exercise) -> ExerciseView {
    ExerciseView {
        name: words::move_name(e.movement),
        sets: e.sets,
        reps: e.reps,
        hold_s: e.hold_s,
        note: words::exercise_note(e),
        code: e.movement,
    }
}

/// One day of a plan.
#[derive(Serialize)]
pub struct DayView<'a> {
    date: NaiveDate,
    status: crate::core::plan::DayStatus,
    kind: crate::core::plan::DayKind,
    distance_m: Option<f64>,
    max_descent_m: Option<f64>,
    minutes: Option<u32>,
    activity: &'a Option<String>,
    walk_run: Option<crate::core::plan::WalkRun>,
    exercises: Vec<ExerciseView>,
    notes: Vec<String>,
    note_codes: &'a [DayNote],
}

pub fn day(d: &PlanDay) -> DayView<'_> {
    DayView {
        date: d.date,
        status: d.status,
        kind: d.kind,
        distance_m: d.distance_m,
        max_descent_m: d.max_descent_m,
        minutes: d.minutes,
        activity: &d.activity,
        walk_run: d.walk_run,
        exercises: d.exercises.iter().map(exercise).collect(),
        notes: d
            .notes
            .iter()
            .map(|n| words::day_note(n, JSON_UNITS))
            .collect(),
        note_codes: &d.notes,
    }
}

/// One week of a plan, with the state it was planned from.
#[derive(Serialize)]
pub struct WeekView<'a> {
    week_start: NaiveDate,
    zone: crate::core::zone::Zone,
    mode: crate::core::plan::Mode,
    target_m: f64,
    days: Vec<DayView<'a>>,
    totals: &'a PlanTotals,
    thresholds: ThresholdsView<'a>,
    reasons: Vec<String>,
    reason_codes: &'a [Reason],
    flagged: &'a [Flagged],
    disclaimer: &'static str,
    see_professional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    this_week: Option<Box<WeekView<'a>>>,
}

/// Every sentence behind a week: the zone's reasons, the week's, the referral and the records
/// left out.
pub fn week_reasons(g: &Guidance, w: &WeekPlan, units: Units) -> Vec<String> {
    let mut out = vec![format!(
        "{} zone: {}",
        g.zone.zone.as_str(),
        match w.mode {
            crate::core::plan::Mode::Progress => "progress gently",
            crate::core::plan::Mode::Hold => "hold the load",
            crate::core::plan::Mode::Cut => "cut and flatten",
            crate::core::plan::Mode::Rest => "no running",
            crate::core::plan::Mode::Ladder => "walk-run ladder",
        }
    )];
    out.extend(g.zone.reasons.iter().map(|r| words::zone_reason(r, units)));
    out.extend(w.reasons.iter().map(|r| words::reason(r, units)));
    for f in &g.flagged {
        out.push(format!(
            "activity #{} is left out of the plan: {}",
            f.activity_id,
            words::implausible(&f.problem, units)
        ));
    }
    if let Some(r) = &g.zone.referral {
        out.push(words::referral(r.cause, r.weeks));
    }
    out
}

pub fn week<'a>(g: &'a Guidance, w: &'a WeekPlan) -> WeekView<'a> {
    WeekView {
        week_start: w.week_start,
        zone: g.zone.zone,
        mode: w.mode,
        target_m: if w.target_m.is_finite() {
            w.target_m
        } else {
            w.totals.run_distance_m
        },
        days: w.days.iter().map(day).collect(),
        totals: &w.totals,
        thresholds: thresholds(&g.thresholds),
        reasons: week_reasons(g, w, JSON_UNITS),
        reason_codes: &w.reasons,
        flagged: &g.flagged,
        disclaimer: words::DISCLAIMER,
        see_professional: g.see_professional,
        this_week: None,
    }
}

/// `plan --format json`: the requested week, and for the default (next week) the current week
/// beside it as `this_week`.
pub fn plan<'a>(g: &'a Guidance, w: &'a WeekPlan, with_this_week: bool) -> WeekView<'a> {
    let mut view = week(g, w);
    if with_this_week {
        view.this_week = Some(Box::new(week(g, g.this_week())));
    }
    view
}

/// `status --format json`.
#[derive(Serialize)]
pub struct StatusView<'a> {
    today: NaiveDate,
    zone: ZoneView<'a>,
    mode: crate::core::plan::Mode,
    recovery: &'a crate::core::recovery::Recovery,
    thresholds: ThresholdsView<'a>,
    warnings: &'a [Warning],
    next: Option<DayView<'a>>,
    flagged: &'a [Flagged],
    see_professional: bool,
}

pub fn status(g: &Guidance) -> StatusView<'_> {
    StatusView {
        today: g.today,
        zone: zone(&g.zone),
        mode: g.mode,
        recovery: &g.recovery,
        thresholds: thresholds(&g.thresholds),
        warnings: &g.warnings,
        next: g.next_session().map(day),
        flagged: &g.flagged,
        see_professional: g.see_professional,
    }
}

/// The guidance with the JSON shapes of `status` and of `plan` (both weeks): what the report's
/// JSON holds.
pub fn serialize_guidance<S: Serializer>(g: &Guidance, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Both<'a> {
        status: StatusView<'a>,
        this_week: WeekView<'a>,
        next_week: WeekView<'a>,
    }
    Both {
        status: status(g),
        this_week: week(g, g.this_week()),
        next_week: week(g, g.next_week()),
    }
    .serialize(serializer)
}
