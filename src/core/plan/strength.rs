//! The strength and mobility routine and the days that carry it (DOMAIN.md §7, from the seed
//! articles): hip, glute and core work, quad work aimed at the VMO, stretches and foam rolling.
//!
//! Hip plus quad work beats quad-only work for pain and function (Lack et al. 2015, a review of
//! 14 studies), so every strength day holds both. The routine progresses with the weeks the
//! runner kept it up (two sessions or more a week): bodyweight first, then a band, then load
//! toward the heavier work (about 70% of one-repetition maximum) that looked promising at one
//! year. Strength days go on free days first, then share a cross-training or run day; rest days
//! stay rest days.

use chrono::NaiveDate;
use serde::Serialize;

use crate::core::load::shift;
use crate::core::plan::history::History;
use crate::core::plan::layout::spread;
use crate::core::plan::{DayKind, DayNote, DayStatus, Mode, PlanDay, PlanInput, Reason};

/// The moves of the routine, in the order a strength day does them; `render::words` names and
/// describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    Clamshells,
    Bridges,
    BirdDog,
    DonkeyKicks,
    FireHydrants,
    SideSteps,
    Squats,
    StraightLegRaises,
    QuadSets,
    HamstringStretch,
    HipFlexorStretch,
    FigureFourStretch,
    #[serde(rename = "hip_90_90")]
    Hip9090,
    FoamRoll,
}

/// One exercise of a strength day: the move at the routine's stage, and its dose.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Exercise {
    pub movement: Move,
    /// The stage sets the equipment (bodyweight, a band, a weight).
    pub stage: Stage,
    pub sets: Option<u32>,
    /// Repetitions per set (per side for the one-sided moves).
    pub reps: Option<u32>,
    /// Seconds to hold each repetition or stretch.
    pub hold_s: Option<u32>,
}

/// How heavy the routine is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Bodyweight,
    Band,
    Load,
}

impl Stage {
    /// Two weeks of bodyweight work, then a band from the third week, load from the sixth.
    pub fn after(weeks_kept: u32) -> Stage {
        match weeks_kept {
            0..=1 => Stage::Bodyweight,
            2..=4 => Stage::Band,
            _ => Stage::Load,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Bodyweight => "bodyweight",
            Stage::Band => "band",
            Stage::Load => "load",
        }
    }
}

/// Minutes a strength day takes, stretching included (kneeguard's estimate).
pub const ROUTINE_MINUTES: u32 = 35;

/// Strength sessions a week that count as keeping the routine up.
const KEPT_UP: usize = 2;

/// The full routine of one strength day at `stage`: hip and core, quads, then 5-10 minutes of
/// stretching and foam rolling.
pub fn routine(stage: Stage) -> Vec<Exercise> {
    let reps = if stage == Stage::Load { 10 } else { 15 };
    let squats = if stage == Stage::Load { 8 } else { 12 };
    [
        (Move::Clamshells, 3, Some(reps), None),
        (Move::Bridges, 3, Some(10), Some(10)),
        (Move::BirdDog, 2, Some(15), None),
        (Move::DonkeyKicks, 3, Some(reps), None),
        (Move::FireHydrants, 3, Some(reps), None),
        (Move::SideSteps, 3, Some(reps), None),
        (Move::Squats, 3, Some(squats), None),
        (Move::StraightLegRaises, 3, Some(10), Some(4)),
        (Move::QuadSets, 3, Some(10), Some(10)),
        (Move::HamstringStretch, 3, None, Some(30)),
        (Move::HipFlexorStretch, 2, None, Some(30)),
        (Move::FigureFourStretch, 2, None, Some(30)),
        (Move::Hip9090, 2, None, Some(30)),
        (Move::FoamRoll, 1, None, Some(90)),
    ]
    .into_iter()
    .map(|(movement, sets, reps, hold_s)| Exercise {
        movement,
        stage,
        sets: Some(sets),
        reps,
        hold_s,
    })
    .collect()
}

/// Weeks in a row before `week` with the routine done at least twice. For next week's plan the
/// week under way counts once it has its two sessions, and is passed over until then: half a
/// week is not a week missed.
pub fn weeks_kept(history: &History, week: NaiveDate, today: NaiveDate) -> u32 {
    let kept = |start: NaiveDate| history.strength_in_week(start) >= KEPT_UP;
    let before =
        |start: NaiveDate| (1..=52).take_while(|k| kept(shift(start, -7 * k))).count() as u32;
    let under_way = shift(week, -7);
    if week <= today || kept(under_way) {
        before(week)
    } else {
        before(under_way)
    }
}

/// Puts the week's strength days on the open free days first, then on cross-training days,
/// then after the shortest runs; the ones already done this week count.
pub fn place(
    input: &PlanInput<'_>,
    history: &History,
    dates: &[NaiveDate],
    open_days: &[usize],
    mode: Mode,
    days: &mut [Option<PlanDay>],
    reasons: &mut Vec<Reason>,
) {
    let wanted = if mode.strength_heavy() {
        input.plan.strength_days.max(input.plan.amber_strength_days)
    } else {
        input.plan.strength_days
    } as usize;
    if wanted == 0 {
        return;
    }
    let week = dates[0];
    let done = (0..7)
        .filter(|&i| {
            days[i]
                .as_ref()
                .is_some_and(|d| d.status == DayStatus::Done)
        })
        .filter(|&i| days[i].as_ref().is_some_and(PlanDay::has_strength))
        .count();
    let mut missing = wanted.saturating_sub(done);
    let kept = weeks_kept(history, week, input.today);
    let stage = Stage::after(kept);
    let free: Vec<usize> = open_days
        .iter()
        .copied()
        .filter(|&i| days[i].is_none())
        .collect();
    let taken: Vec<usize> = open_days
        .iter()
        .copied()
        .filter(|&i| days[i].is_some())
        .collect();
    for i in spread(&free, &taken, missing) {
        let mut d = PlanDay::new(dates[i], DayStatus::Planned, DayKind::Strength);
        d.minutes = Some(ROUTINE_MINUTES);
        d.exercises = routine(stage);
        d.notes.push(DayNote::StrengthRoutine);
        days[i] = Some(d);
        missing -= 1;
    }
    // Sharing a day: cross-training first, then the shortest runs.
    let mut hosts: Vec<(usize, f64)> = open_days
        .iter()
        .copied()
        .filter_map(|i| {
            let d = days[i].as_ref()?;
            let order = match d.kind {
                DayKind::Cross => 0.0,
                DayKind::Run | DayKind::WalkRun => 1.0 + d.distance_m.unwrap_or(0.0),
                _ => return None,
            };
            (d.status == DayStatus::Planned && d.exercises.is_empty()).then_some((i, order))
        })
        .collect();
    hosts.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (i, _) in hosts.into_iter().take(missing) {
        if let Some(d) = days[i].as_mut() {
            d.exercises = routine(stage);
            d.notes.push(DayNote::StrengthAfter);
            missing -= 1;
        }
    }
    reasons.push(Reason::Strength {
        days: wanted as u32,
        stage,
        weeks_kept: kept,
    });
    if missing > 0 {
        reasons.push(Reason::StrengthShort {
            fitted: (wanted - missing) as u32,
            wanted: wanted as u32,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_routine_holds_every_move_and_progresses() {
        let moves = |stage| routine(stage).into_iter().map(|e| e.movement);
        assert_eq!(moves(Stage::Bodyweight).count(), 14);
        assert!(moves(Stage::Load).eq(moves(Stage::Bodyweight)));
        assert_eq!(
            [0, 1, 2, 4, 5, 9].map(Stage::after),
            [
                Stage::Bodyweight,
                Stage::Bodyweight,
                Stage::Band,
                Stage::Band,
                Stage::Load,
                Stage::Load
            ]
        );
        assert!(routine(Stage::Band).iter().all(|e| e.stage == Stage::Band));
        let load = routine(Stage::Load);
        assert_eq!(load[0].reps, Some(10));
        assert_eq!(load[6].reps, Some(8));
        assert_eq!(routine(Stage::Bodyweight)[0].reps, Some(15));
    }
}
