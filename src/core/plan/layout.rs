//! Which day holds which session: runs spread over the available days with a long run and
//! shorter easy runs around it (more, shorter runs rather than fewer, longer ones), each run
//! sized within its own day's caps; in amber the long and the hilliest runs become
//! cross-training of the same duration; in red cross-training only; back from red, walk-run
//! sessions with a rest day between them.

use crate::core::clean;
use chrono::{Datelike, NaiveDate};

use crate::core::load::shift;
use crate::core::plan::caps::{descent_budget, run_cap, RunCap};
use crate::core::plan::history::{History, WALK_PACE_S_PER_KM};
use crate::core::plan::targets::Target;
use crate::core::plan::{
    floor_distance, floor_step, DayKind, DayNote, DayStatus, Mode, PlanDay, PlanInput, Reason,
    Replaced, WalkRun,
};
use crate::core::recovery::{Ladder, Phase, Recovery, PHASES};

/// Easy runs stay at most this share of the long run, so the long run stays one.
const EASY_SHARE_OF_LONG: f64 = 0.8;

/// The week being laid out.
pub struct Week<'a, 'b> {
    pub input: &'b PlanInput<'a>,
    pub dates: &'b [NaiveDate],
    /// Days from the first open day on that are not rest days.
    pub open_days: &'b [usize],
    pub mode: Mode,
    pub target: &'b Target,
    pub reasons: &'b mut Vec<Reason>,
    pub days: &'b mut Vec<Option<PlanDay>>,
}

/// Circular distance in days between two weekday positions.
fn apart(a: usize, b: usize) -> usize {
    let d = a.abs_diff(b) % 7;
    d.min(7 - d)
}

/// An easy cross-training session: as long as an average run of the two weeks before `week`
/// (20-60 min), or 30 min without runs.
fn easy_cross_minutes(history: &History, week: NaiveDate) -> u32 {
    let recent = history.week_totals(shift(week, -7)).0 + history.week_totals(shift(week, -14)).0;
    let runs = history.run_days_habit(week).max(1) as f64 * 2.0;
    if recent > 0.0 {
        history.minutes_for(recent / runs).clamp(20, 60)
    } else {
        30
    }
}

/// Picks `count` of `candidates` (fewer if there are not enough) so that, together with the
/// days already `taken`, the closest two are as far apart as possible, then the days are as
/// spread as possible overall, earliest first on ties. A week has at most 128 subsets to try.
pub(crate) fn spread(candidates: &[usize], taken: &[usize], count: usize) -> Vec<usize> {
    let pool: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|c| !taken.contains(c))
        .take(7)
        .collect();
    let count = count.min(pool.len());
    if count == 0 {
        return Vec::new();
    }
    let mut best: Option<(usize, usize, std::cmp::Reverse<Vec<usize>>)> = None;
    for mask in 0u32..(1 << pool.len()) {
        if mask.count_ones() as usize != count {
            continue;
        }
        let chosen: Vec<usize> = (0..pool.len())
            .filter(|b| mask & (1 << b) != 0)
            .map(|b| pool[b])
            .collect();
        let all: Vec<usize> = chosen.iter().chain(taken).copied().collect();
        let mut nearest = 7;
        let mut total = 0;
        for (i, &a) in all.iter().enumerate() {
            for &b in &all[i + 1..] {
                nearest = nearest.min(apart(a, b));
                total += apart(a, b);
            }
        }
        let key = (nearest, total, std::cmp::Reverse(chosen));
        if best.as_ref().is_none_or(|k| key > *k) {
            best = Some(key);
        }
    }
    let mut chosen = best.map(|(_, _, chosen)| chosen.0).unwrap_or_default();
    chosen.sort_unstable();
    chosen
}

/// Shortest continuous run of the last phase worth planning, minutes.
const MIN_CONTINUOUS_MIN: u32 = 10;

/// The phase's session sized to `cap` metres: fewer blocks, or a shorter continuous run, when
/// the day's or the week's cap is short. `None` when not even one block fits.
pub(crate) fn fit_session(phase: Phase, cap: f64, pace_s_per_km: f64) -> Option<(Phase, f64)> {
    let metres = |p: &Phase| {
        f64::from(p.repeats)
            * (f64::from(p.run_min) * 60.0 / pace_s_per_km
                + f64::from(p.walk_min) * 60.0 / WALK_PACE_S_PER_KM)
            * 1000.0
    };
    let mut session = phase;
    if phase.walk_min == 0 {
        while session.run_min > MIN_CONTINUOUS_MIN && metres(&session) > cap {
            session.run_min -= 1;
        }
    } else {
        while session.repeats > 1 && metres(&session) > cap {
            session.repeats -= 1;
        }
    }
    let distance = floor_step(metres(&session), 100.0);
    (distance <= cap && distance > 0.0).then_some((session, distance))
}

/// A week's running split into whole steps: the long run, and the easy runs around it.
#[derive(Debug, Clone, Copy)]
struct Split {
    long: Option<usize>,
    easy_min: usize,
    easy_max: usize,
    /// Steps for the easy runs.
    rest: usize,
    easy_runs: usize,
}

/// One run the layout intends, before its day's caps.
#[derive(Debug, Clone, Copy)]
struct Intended {
    index: usize,
    distance_m: f64,
    long: bool,
    /// The most the run may be beside its day's caps, once the week is under way: a long run
    /// left alone asks for the whole remainder but is no longer than a long run, and an easy
    /// run no longer than the week's split made it.
    at_most_m: f64,
}

impl Week<'_, '_> {
    fn plan(&self) -> &crate::core::plan::PlanSettings {
        self.input.plan
    }

    fn step(&self) -> f64 {
        self.input.step_m
    }

    /// The shortest run worth planning, in whole steps.
    fn min_run(&self) -> f64 {
        let min = clean(self.plan().min_run_km) * 1000.0;
        (min / self.step()).ceil() * self.step()
    }

    /// Open days the runner can run on.
    fn run_days(&self) -> Vec<usize> {
        self.open_days
            .iter()
            .copied()
            .filter(|&i| {
                self.plan()
                    .available_days
                    .contains(&self.dates[i].weekday())
            })
            .filter(|&i| self.days[i].is_none())
            .collect()
    }

    fn cross_kind(&self, n: usize) -> String {
        let kinds: Vec<&String> = self
            .plan()
            .cross_training
            .iter()
            .filter(|k| !k.trim().is_empty())
            .collect();
        if kinds.is_empty() {
            "elliptical".to_string()
        } else {
            kinds[n % kinds.len()].clone()
        }
    }

    fn cross_day(&self, i: usize, activity: String, minutes: u32, note: DayNote) -> PlanDay {
        let mut d = PlanDay::new(self.dates[i], DayStatus::Planned, DayKind::Cross);
        d.activity = Some(activity);
        d.minutes = Some(minutes);
        d.notes.push(note);
        d
    }

    /// Green and amber weeks: runs toward the week's target.
    pub fn runs(&mut self, history: &mut History) {
        let candidates = self.run_days();
        if candidates.is_empty() {
            self.reasons.push(Reason::NoRunningDays);
            return;
        }
        let week = self.dates[0];
        let open = self.dates[self.open_days.first().copied().unwrap_or(6)];
        let done = history.done_in_week(week, open);
        let remaining = self.target.target_m - done;
        if remaining < self.min_run() {
            if matches!(self.mode, Mode::Hold | Mode::Cut)
                && self.target.target_m < self.min_run()
                && self.cross_sessions_wanted(history, open) > 0
            {
                let (sessions, minutes) = self.cross_instead_of_runs(history, &candidates, open);
                self.reasons.push(Reason::CrossInsteadOfRuns {
                    target_m: self.target.target_m,
                    min_run_m: self.min_run(),
                    sessions,
                    minutes,
                });
            }
            return;
        }
        let swaps = if self.mode == Mode::Cut {
            self.swap_days(history, &candidates)
        } else {
            Vec::new()
        };
        let left: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| !swaps.iter().any(|(s, _)| s == i))
            .collect();
        let intended = self.intend(history, &left, remaining, week, open);
        let easy = intended
            .iter()
            .find(|r| !r.long)
            .map_or(remaining, |r| r.distance_m);
        let sized = self.size(history, &intended, remaining);
        // (A week whose runs are done already keeps its own swaps and says nothing of this.)
        if sized.is_empty()
            && matches!(self.mode, Mode::Hold | Mode::Cut)
            && self.cross_sessions_wanted(history, open) > 0
        {
            // No run of the least length fits the caps: cross-training instead, not an empty
            // week.
            let (sessions, minutes) = self.cross_instead_of_runs(history, &candidates, open);
            self.reasons.push(Reason::NoRunFits {
                min_run_m: self.min_run(),
                run_cap_m: self.target.run_cap_m,
                sessions,
                minutes,
            });
            return;
        }
        self.place_runs(history, &sized);
        let planned: f64 = sized.iter().map(|(_, d, _)| d).sum();
        // (Progress says so also when no run fits at all: every one under the least length.)
        let says_short = !sized.is_empty() || self.mode == Mode::Progress;
        if planned + done + self.step() <= self.target.target_m && says_short {
            self.reasons.push(Reason::ShortOfTarget {
                planned_m: planned + done,
                target_m: self.target.target_m,
            });
        }
        // A swapped day lasts as long as an easy run of this week: no longer than the longest
        // run the caps left (the whole remaining distance is no run's length).
        let longest = sized.iter().map(|(_, d, _)| *d).fold(0.0, f64::max);
        let replaced_m =
            floor_distance(easy.min(longest.max(self.min_run())), self.step()).max(self.min_run());
        for (k, (i, replaced)) in swaps.into_iter().enumerate() {
            let minutes = history.minutes_for(replaced_m);
            let activity = self.cross_kind(k);
            let note = match replaced {
                Replaced::LongRun => DayNote::ReplacesLongRun,
                Replaced::Hilliest => DayNote::ReplacesHilliest,
            };
            self.days[i] = Some(self.cross_day(i, activity.clone(), minutes, note));
            self.reasons.push(Reason::Swap {
                date: self.dates[i],
                replaced,
                minutes,
                activity,
            });
        }
    }

    /// The cross-training sessions that take the place of the week's runs: as many as the
    /// runner's run days, less the days already run.
    fn cross_sessions_wanted(&self, history: &History, open: NaiveDate) -> usize {
        let week = self.dates[0];
        history
            .run_days_habit(week)
            .max(2)
            .saturating_sub(history.run_days_before(week, open))
    }

    /// Amber cut the week below one run, or left no run that fits its caps: the days the runs
    /// would have taken get cross-training of an easy run's duration instead, so that the knee
    /// rests from running, not the runner from moving. Returns the sessions and their minutes.
    fn cross_instead_of_runs(
        &mut self,
        history: &History,
        candidates: &[usize],
        open: NaiveDate,
    ) -> (u32, u32) {
        let week = self.dates[0];
        let free: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| self.days[i].is_none())
            .collect();
        let chosen = spread(&free, &[], self.cross_sessions_wanted(history, open));
        let minutes = easy_cross_minutes(history, week);
        for (k, &i) in chosen.iter().enumerate() {
            self.days[i] =
                Some(self.cross_day(i, self.cross_kind(k), minutes, DayNote::EasyPainFree));
        }
        (chosen.len() as u32, minutes)
    }

    /// Amber above the ceiling: the long-run day and the weekday of the hilliest recent run
    /// become cross-training.
    fn swap_days(&self, history: &History, candidates: &[usize]) -> Vec<(usize, Replaced)> {
        let mut swaps = Vec::new();
        let long_day = self.plan().long_run_day;
        if let Some(&i) = candidates
            .iter()
            .find(|&&i| self.dates[i].weekday() == long_day)
        {
            swaps.push((i, Replaced::LongRun));
        }
        let flat = clean(self.plan().flat_descent_per_km);
        let hilliest = history
            .recent_runs(self.dates[0])
            .into_iter()
            .filter(|(_, km, d)| d.is_some_and(|d| d > 0.0 && d > flat * km / 1000.0))
            .max_by(|a, b| a.2.unwrap_or(0.0).total_cmp(&b.2.unwrap_or(0.0)));
        if let Some((weekday, _, _)) = hilliest {
            if let Some(&i) = candidates.iter().find(|&&i| {
                self.dates[i].weekday() == weekday && !swaps.iter().any(|(s, _)| *s == i)
            }) {
                swaps.push((i, Replaced::Hilliest));
            }
        }
        // Keep at least one run day.
        while swaps.len() >= candidates.len() && !swaps.is_empty() {
            swaps.pop();
        }
        swaps
    }

    /// How many runs, on which days, of which length before the day caps.
    fn intend(
        &self,
        history: &History,
        candidates: &[usize],
        remaining: f64,
        week: NaiveDate,
        open: NaiveDate,
    ) -> Vec<Intended> {
        let habit = history.run_days_habit(week);
        let per_week = match self.mode {
            Mode::Progress => habit.max(3),
            Mode::Hold => habit.max(2),
            _ => (habit + 1).max(2),
        };
        let done_days = history.run_dates_before(week, open);
        let mut n = per_week
            .saturating_sub(done_days.len())
            .max(1)
            .min(candidates.len());
        let long_day = self.plan().long_run_day;
        let long_index = candidates
            .iter()
            .copied()
            .find(|&i| self.dates[i].weekday() == long_day)
            .or_else(|| {
                (self.mode == Mode::Progress)
                    .then(|| candidates.last().copied())
                    .flatten()
            });
        // A week whose long-run day has gone by, run or not, plans no second long run.
        let long_day_gone = self
            .dates
            .iter()
            .any(|d| d.weekday() == long_day && *d < open);
        let week_has_long = matches!(self.mode, Mode::Progress | Mode::Hold) && per_week >= 3;
        let wants_long = week_has_long && !long_day_gone;
        let long_index = long_index.filter(|_| wants_long);
        // Whole steps, so that rounding loses nothing; each run's day cap, roughly, from the
        // first open day (the exact cap of each day is applied when the runs are sized).
        let step = self.step();
        let total = (remaining / step + 1e-9).floor() as usize;
        let min_steps = (self.min_run() / step).round() as usize;
        let day_cap = run_cap(self.input, history, self.target, self.dates[candidates[0]]).cap_m;
        let cap_steps = ((day_cap / step + 1e-9).floor() as usize).max(min_steps);
        // The long run: about a third of the week, but a long run the runner already does is
        // kept (up to 40% of the week) rather than cut back to the share.
        let share =
            (clean(self.plan().long_run_share).min(1.0) * self.target.target_m / step).round();
        let habitual = long_index
            .and_then(|i| history.reference_run(self.dates[i]))
            .map_or(0.0, |r| {
                (r.min(0.4 * self.target.target_m) / step + 1e-9).floor()
            });
        let long_steps = share.max(habitual) as usize;
        // Once the week's other runs are done, the one left is its long run, on its day: it asks
        // for the whole remainder, and sizing keeps it within a long run and its day's caps.
        let split = |n: usize| -> Split {
            let last_left = n == 1 && !done_days.is_empty();
            let long = long_index.filter(|_| n >= 2 || last_left).map(|_| {
                if n == 1 {
                    total
                } else {
                    long_steps.min(total).min(cap_steps)
                }
            });
            let rest = total - long.unwrap_or(0);
            let easy_runs = n - usize::from(long.is_some());
            Split {
                long,
                easy_min: rest / easy_runs.max(1),
                easy_max: rest.div_ceil(easy_runs.max(1)),
                rest,
                easy_runs,
            }
        };
        let mut plan = split(n);
        // More, shorter runs rather than easy runs as long as the long one, or longer than a
        // day may hold.
        while n < candidates.len() {
            let crowded = plan
                .long
                .is_some_and(|l| plan.easy_max as f64 > EASY_SHARE_OF_LONG * l as f64)
                || plan.easy_max > cap_steps
                || (plan.easy_runs == 0
                    && plan.long.is_some_and(|l| l > cap_steps.min(long_steps)));
            let next = split(n + 1);
            if !crowded || next.easy_min < min_steps {
                break;
            }
            n += 1;
            plan = next;
        }
        while n > 1 && plan.easy_min < min_steps {
            n -= 1;
            plan = split(n);
        }
        let mut out = Vec::new();
        // The days already run this week keep their distance from the runs still to come.
        let mut taken: Vec<usize> = done_days
            .iter()
            .filter_map(|d| usize::try_from((*d - week).num_days()).ok())
            .collect();
        if let (Some(l), Some(i)) = (plan.long, long_index) {
            out.push(Intended {
                index: i,
                distance_m: l as f64 * step,
                long: true,
                at_most_m: if plan.easy_runs == 0 {
                    long_steps as f64 * step
                } else {
                    f64::INFINITY
                },
            });
            taken.push(i);
        }
        // Once the week is under way, runs skipped are not made up in the ones left.
        let easy_at_most = if done_days.is_empty() {
            f64::INFINITY
        } else {
            let long = week_has_long.then_some(long_steps);
            self.easy_run_of_the_whole_week(per_week, long, min_steps)
        };
        let easy_days = spread(candidates, &taken, plan.easy_runs);
        let extra = plan.rest - plan.easy_min * plan.easy_runs;
        for (k, i) in easy_days.into_iter().enumerate() {
            let steps = plan.easy_min + usize::from(k < extra);
            out.push(Intended {
                index: i,
                distance_m: steps as f64 * step,
                long: false,
                at_most_m: easy_at_most,
            });
        }
        out.sort_by_key(|r| r.index);
        out
    }

    /// The easy run of the whole week's split, in metres: the week's target less its long run
    /// (`long_steps`, when it has one), over the runs of its habit that the days the settings
    /// give for running hold; never under the least run.
    fn easy_run_of_the_whole_week(
        &self,
        per_week: usize,
        long_steps: Option<usize>,
        min_steps: usize,
    ) -> f64 {
        let step = self.step();
        let week_steps = (self.target.target_m / step + 1e-9).floor() as usize;
        let long = long_steps.map_or(0, |l| l.min(week_steps));
        let plan = self.plan();
        let run_days = self
            .dates
            .iter()
            .filter(|d| plan.available_days.contains(&d.weekday()))
            .filter(|d| !plan.rest_days.contains(&d.weekday()))
            .count();
        let easy_runs = per_week
            .min(run_days)
            .saturating_sub(usize::from(long_steps.is_some()))
            .max(1);
        ((week_steps - long).div_ceil(easy_runs).max(min_steps)) as f64 * step
    }

    /// Each run within its own day's caps, in date order, on a copy of the history that takes
    /// the earlier planned runs in: (day, distance, long).
    fn size(
        &mut self,
        history: &History,
        intended: &[Intended],
        remaining: f64,
    ) -> Vec<(usize, f64, bool)> {
        let mut trial = history.clone();
        let mut left = remaining;
        let mut carry = 0.0;
        let mut out = Vec::new();
        let mut spike_noted = false;
        for r in intended {
            let day = self.dates[r.index];
            let cap = run_cap(self.input, &trial, self.target, day);
            let wanted = if r.long {
                r.distance_m
            } else {
                r.distance_m + carry
            };
            // Whole steps, or finer ones when a short day cap binds (so that short runs can
            // still grow by the 10% the single-run rule allows).
            let want = wanted.min(left).min(r.at_most_m);
            let distance = if cap.cap_m < want {
                floor_distance(cap.cap_m, self.step())
            } else {
                floor_step(want, self.step())
            };
            if distance < self.min_run() {
                carry = wanted;
                continue;
            }
            // Named only where it is what shortened a run that is planned (alone or with
            // another limit): a run held below it by a long run's share or the week's rest, or
            // one it leaves too short to plan, does not show it.
            let spike_binds = cap.cap_m < wanted && cap.cap_m <= want + 1e-6;
            if spike_binds && cap.by_spike_rule && !spike_noted {
                spike_noted = true;
                self.note_spike_cap(day, cap);
            }
            carry = (wanted - distance).max(0.0);
            left -= distance;
            trial.push_planned(day, distance, 0.0);
            out.push((r.index, distance, r.long));
        }
        out
    }

    fn note_spike_cap(&mut self, day: NaiveDate, cap: RunCap) {
        let window_days = self.input.load.spike_window_days;
        self.reasons.push(match cap.reference_m {
            Some(reference) => Reason::SpikeCap {
                date: day,
                cap_m: cap.cap_m,
                reference_m: reference,
                factor: crate::core::plan::caps::spike_factor(self.input),
                window_days,
            },
            None => Reason::NoReference {
                cap_m: cap.cap_m,
                window_days,
            },
        });
    }

    /// Writes the sized runs with their descent budgets into the days and the history.
    fn place_runs(&mut self, history: &mut History, sized: &[(usize, f64, bool)]) {
        let week = self.dates[0];
        let open = self.dates[self.open_days.first().copied().unwrap_or(6)];
        let done_descent = {
            let (_, all) = history.week_totals(week);
            all
        };
        let mut descent_left = self.target.descent_week_m.map(|c| c - done_descent);
        let mut distance_left: f64 = sized.iter().map(|(_, d, _)| d).sum();
        let mut budgets = Vec::new();
        for &(i, distance, long) in sized {
            let share = descent_left.map(|left| left * distance / distance_left.max(1.0));
            let budget = descent_budget(
                self.input,
                history,
                self.target,
                self.dates[i],
                distance,
                share,
            );
            if let Some(left) = descent_left.as_mut() {
                *left -= budget;
            }
            distance_left -= distance;
            history.push_planned(self.dates[i], distance, budget);
            self.days[i] = Some(self.run_day(i, distance, budget, long, history));
            budgets.push(budget);
        }
        if let (Some(week_m), false) = (self.target.descent_week_m, sized.is_empty()) {
            let per_run = budgets.iter().copied().fold(0.0, f64::max);
            self.reasons.push(Reason::DescentBudget {
                week_m: week_m.max(0.0),
                per_run_m: per_run,
            });
        }
        let _ = open;
    }

    fn run_day(
        &self,
        i: usize,
        distance: f64,
        budget: f64,
        long: bool,
        history: &History,
    ) -> PlanDay {
        let mut d = PlanDay::new(self.dates[i], DayStatus::Planned, DayKind::Run);
        d.distance_m = Some(distance);
        d.max_descent_m = Some(budget);
        d.minutes = Some(history.minutes_for(distance));
        d.notes.push(if long {
            DayNote::LongRunEasy
        } else {
            DayNote::EasyPace
        });
        self.route_notes(&mut d, budget, distance);
        d
    }

    fn route_notes(&self, d: &mut PlanDay, budget: f64, distance: f64) {
        if self.target.flat
            || budget <= crate::core::plan::caps::flat_budget(self.input, distance) + 1e-9
        {
            d.notes.push(DayNote::FlatRoute);
            if self.target.flat {
                d.notes.push(DayNote::AvoidDownhill);
            }
        } else {
            d.notes.push(DayNote::MaxDescent { descent_m: budget });
        }
        d.notes.push(DayNote::StopAbove {
            ceiling: self.input.pain.ceiling,
        });
        if self.cadence_cue() {
            d.notes.push(DayNote::Cadence {
                min_pct: 5,
                max_pct: 10,
            });
        }
    }

    /// Pain persists: amber held week after week, or a referral in force.
    fn cadence_cue(&self) -> bool {
        self.mode == Mode::Hold
            || (self.mode != Mode::Progress && self.input.zone.referral.is_some())
    }

    /// Red: cross-training only, easy and pain-free; while the knee has not settled, one of the
    /// sessions is the brisk walk that opens the ladder.
    pub fn rest(&mut self, history: &mut History) {
        if let Recovery::Resting { since } = self.input.recovery {
            self.reasons.push(Reason::WaitForSettled { since: *since });
        }
        let minutes = easy_cross_minutes(history, self.dates[0]);
        let free: Vec<usize> = self
            .open_days
            .iter()
            .copied()
            .filter(|&i| self.days[i].is_none())
            .collect();
        let chosen = spread(&free, &[], self.plan().red_cross_sessions as usize);
        let resting = matches!(self.input.recovery, Recovery::Resting { .. });
        for (k, i) in chosen.into_iter().enumerate() {
            let day = if resting && k == 0 {
                let mut d = self.cross_day(i, "walk".to_string(), 30, DayNote::BriskWalkTest);
                d.notes.push(DayNote::EasyPainFree);
                d
            } else {
                self.cross_day(i, self.cross_kind(k), minutes, DayNote::EasyPainFree)
            };
            self.days[i] = Some(day);
        }
    }

    /// Back from red: walk-run sessions of the ladder, a rest day between them, each within
    /// its day's run cap (fewer blocks when the cap is short) and the week's ramp cap.
    pub fn ladder(&mut self, history: &mut History, ladder: &mut Option<Ladder>) {
        let Some(state) = ladder.as_mut() else {
            return;
        };
        let candidates = self.run_days();
        if candidates.is_empty() {
            self.reasons.push(Reason::NoRunningDays);
            return;
        }
        // The session days: a rest day between sessions, counting the last one run.
        let mut last = history.last_run_before(self.dates[candidates[0]]);
        let mut days = Vec::new();
        for i in candidates {
            if last.is_none_or(|l| (self.dates[i] - l).num_days() >= 2) {
                days.push(i);
                last = Some(self.dates[i]);
            }
        }
        // The week's ramp cap shared by its sessions: fewer blocks rather than fewer sessions.
        let (week_done, week_descent) = history.week_totals(self.dates[0]);
        let mut week_left = self.target.target_m - week_done;
        let mut descent_left = self.target.descent_week_m.map(|c| c - week_descent);
        for (k, &i) in days.iter().enumerate() {
            let day = self.dates[i];
            let share = week_left / (days.len() - k) as f64;
            let phase_index = state.phase.min(PHASES.len() - 1);
            let phase = PHASES[phase_index];
            let cap = run_cap(self.input, history, self.target, day)
                .cap_m
                .min(share);
            let Some((session, distance)) = fit_session(phase, cap, history.pace()) else {
                continue;
            };
            let sessions_left = (days.len() - k) as f64;
            let share = descent_left.map(|left| left / sessions_left);
            let budget = descent_budget(self.input, history, self.target, day, distance, share);
            if let Some(left) = descent_left.as_mut() {
                *left -= budget;
            }
            let mut d = PlanDay::new(day, DayStatus::Planned, DayKind::WalkRun);
            d.distance_m = Some(distance);
            d.max_descent_m = Some(budget);
            d.minutes = Some(session.minutes());
            d.walk_run = Some(WalkRun {
                phase: phase_index as u32 + 1,
                phases: PHASES.len() as u32,
                walk_min: session.walk_min,
                run_min: session.run_min,
                repeats: session.repeats,
            });
            d.notes.push(DayNote::LevelGround);
            self.route_notes(&mut d, budget, distance);
            history.push_planned(day, distance, budget);
            self.days[i] = Some(d);
            week_left -= distance;
            *state = state.after_good_session(day);
        }
        if state.complete() {
            self.reasons.push(Reason::LadderComplete);
        }
    }
}
