//! Back from red: no running until the knee is logged settled, then a walk-run ladder before the
//! green rules apply again (DOMAIN.md §7).
//!
//! The ladder is the standard return-to-run programme of the protocol of a randomised trial for
//! overuse knee injuries (Trials 2023, doi 10.1186/s13063-023-07502-x, table 1): walk / run
//! minutes on level ground over six phases up to continuous running, each phase done twice, a
//! rest day between sessions, and never progressing while pain, stiffness or swelling rose. A
//! session counts toward its phase only when its pain stayed within the ceiling, the next
//! morning did not rise and nothing swelled; a session without a rating does not count (log pain
//! after each one); a session above the ceiling repeats the phase.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::core::pain_log::{link, not_runs, run_refs, PainLog};
use crate::core::zone::{KneeHistory, PainSettings};
use crate::model::{Activity, PainEntry};

/// One phase of the ladder: `repeats` blocks of `walk_min` walking then `run_min` running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Phase {
    pub walk_min: u32,
    pub run_min: u32,
    pub repeats: u32,
}

impl Phase {
    pub fn minutes(&self) -> u32 {
        (self.walk_min + self.run_min) * self.repeats
    }

    pub fn running_minutes(&self) -> u32 {
        self.run_min * self.repeats
    }
}

/// The six phases, 30 minutes each: 2 min walk / 3 min run up to 30 minutes of continuous
/// running.
pub const PHASES: [Phase; 6] = [
    Phase {
        walk_min: 2,
        run_min: 3,
        repeats: 6,
    },
    Phase {
        walk_min: 1,
        run_min: 4,
        repeats: 6,
    },
    Phase {
        walk_min: 2,
        run_min: 8,
        repeats: 3,
    },
    Phase {
        walk_min: 1,
        run_min: 9,
        repeats: 3,
    },
    Phase {
        walk_min: 1,
        run_min: 14,
        repeats: 2,
    },
    Phase {
        walk_min: 0,
        run_min: 30,
        repeats: 1,
    },
];

/// Good sessions each phase needs before the next.
pub const SESSIONS_PER_PHASE: u32 = 2;

/// How the last ladder session went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionOutcome {
    /// Within the ceiling, no morning rise, no swelling: it counts.
    Good,
    /// Pain above the ceiling or a morning rise: the phase is repeated.
    Setback,
    /// No rating logged for it: it does not count.
    Unrated,
}

/// Where the runner stands on the ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ladder {
    /// The day of the calm rating that started it.
    pub started: NaiveDate,
    /// The phase to do next, 0-based (`PHASES.len()` once complete).
    pub phase: usize,
    /// Good sessions done in that phase.
    pub good_in_phase: u32,
    pub sessions: u32,
    pub last_session: Option<NaiveDate>,
    pub last_outcome: Option<SessionOutcome>,
}

impl Ladder {
    pub fn complete(&self) -> bool {
        self.phase >= PHASES.len()
    }

    /// The ladder after one more good session (the plan assumes the days ahead go well).
    pub fn after_good_session(&self, date: NaiveDate) -> Ladder {
        let mut next = self.clone();
        next.record(date, SessionOutcome::Good);
        next
    }

    fn record(&mut self, date: NaiveDate, outcome: SessionOutcome) {
        self.sessions += 1;
        self.last_session = Some(date);
        self.last_outcome = Some(outcome);
        match outcome {
            SessionOutcome::Good => {
                self.good_in_phase += 1;
                if self.good_in_phase >= SESSIONS_PER_PHASE && !self.complete() {
                    self.phase += 1;
                    self.good_in_phase = 0;
                }
            }
            SessionOutcome::Setback => self.good_in_phase = 0,
            SessionOutcome::Unrated => {}
        }
    }
}

/// The knee's way back from red.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Recovery {
    /// No red to come back from: the green and amber rules apply.
    None,
    /// Red since this day: no running until a calm rating.
    Resting { since: NaiveDate },
    /// On the walk-run ladder.
    Ladder(Ladder),
}

/// The recovery state at `today` from the pain log and the runs since the latest red event.
pub fn recovery(
    pain: &[PainEntry],
    activities: &[Activity],
    settings: &PainSettings,
    today: NaiveDate,
) -> Recovery {
    let log = PainLog::new(pain, today);
    let knee = KneeHistory::new(&log, settings, today);
    let Some(red) = knee.red else {
        return Recovery::None;
    };
    let Some((date, at)) = knee.settled else {
        return Recovery::Resting { since: red.date };
    };
    let ladder = climb(&log, activities, settings, date, at, today);
    if ladder.complete() {
        Recovery::None
    } else {
        Recovery::Ladder(ladder)
    }
}

/// Judges every run from the calm rating at `at` on, in order.
fn climb(
    log: &PainLog<'_>,
    activities: &[Activity],
    settings: &PainSettings,
    started: NaiveDate,
    at: DateTime<Utc>,
    today: NaiveDate,
) -> Ladder {
    let runs = run_refs(activities);
    let links = link(log, &runs, &not_runs(activities), settings);
    let mut ladder = Ladder {
        started,
        phase: 0,
        good_in_phase: 0,
        sessions: 0,
        last_session: None,
        last_outcome: None,
    };
    for (run, followed) in runs.iter().zip(&links.followed) {
        if run.start < at || run.date > today {
            continue;
        }
        let outcome = if followed.max.is_none() {
            SessionOutcome::Unrated
        } else if followed.within(settings) {
            SessionOutcome::Good
        } else {
            SessionOutcome::Setback
        };
        ladder.record(run.date, outcome);
        if ladder.complete() {
            break;
        }
    }
    ladder
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::shift;
    use crate::core::load::tests::{day, run};
    use crate::core::zone::tests::pain;
    use crate::model::PainWhen;

    #[test]
    fn the_phases_go_from_walk_run_to_continuous_running() {
        assert!(PHASES.iter().all(|p| p.minutes() == 30));
        let running: Vec<u32> = PHASES.iter().map(Phase::running_minutes).collect();
        assert!(running.windows(2).all(|w| w[1] >= w[0]), "{running:?}");
        assert_eq!(PHASES[5].walk_min, 0);
    }

    #[test]
    fn red_rests_until_settled_then_climbs_only_on_good_sessions() {
        let red_day = day(2026, 11, 2);
        let settings = PainSettings::default();
        let mut ratings = vec![pain(1, red_day, 7, PainWhen::After)];
        let mut runs = vec![run(1, red_day, 8_000.0)];
        let today = shift(red_day, 3);
        assert_eq!(
            recovery(&ratings, &runs, &settings, today),
            Recovery::Resting { since: red_day }
        );
        // A calm morning two days later starts the ladder.
        ratings.push(pain(2, shift(red_day, 2), 1, PainWhen::Morning));
        let Recovery::Ladder(l) = recovery(&ratings, &runs, &settings, today) else {
            panic!("on the ladder")
        };
        assert_eq!((l.phase, l.good_in_phase, l.sessions), (0, 0, 0));
        // Sessions every other day: good, unrated, good (phase 2 next), setback, good.
        let outcomes = [Some(1), None, Some(0), Some(4), Some(2)];
        for (k, score) in outcomes.iter().enumerate() {
            let date = shift(red_day, 3 + 2 * k as i64);
            runs.push(run(10 + k as i64, date, 3_000.0));
            if let Some(s) = score {
                ratings.push(pain(10 + k as i64, date, *s, PainWhen::After));
            }
        }
        let today = shift(red_day, 13);
        let Recovery::Ladder(l) = recovery(&ratings, &runs, &settings, today) else {
            panic!("on the ladder")
        };
        assert_eq!(l.sessions, 5);
        assert_eq!(l.phase, 1, "two good sessions finished phase 1");
        assert_eq!(
            l.good_in_phase, 1,
            "the setback reset the count, then one good"
        );
        assert_eq!(l.last_outcome, Some(SessionOutcome::Good));
        assert_eq!(l.last_session, Some(shift(red_day, 11)));
        // Twelve good sessions finish the ladder.
        let mut done = l;
        for k in 0..12 {
            done = done.after_good_session(shift(today, k));
        }
        assert!(done.complete());
    }
}
