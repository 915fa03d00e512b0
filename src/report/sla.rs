//! SLA arithmetic: the clock (business hours or calendar time), one SLA cycle's status
//! against its limit, and attainment as Jira Service Management defines it.

use chrono::Duration;
use serde::Serialize;

use super::stats::{Rate, hours};
use crate::calendar::{self, Calendar};
use crate::model::Timestamp;

/// A cycle using at least this share of its limit while still running is at risk.
pub const AT_RISK_NUM: i64 = 4;
pub const AT_RISK_DEN: i64 = 5;

/// How durations are measured.
#[derive(Debug, Clone, Copy)]
pub enum Clock<'a> {
    /// Plain elapsed time (no `[calendar]`).
    Wall,
    /// Working time of the calendar.
    Business(&'a Calendar),
}

/// Which clock a report used, as written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    CalendarHours,
    BusinessHours,
}

impl Clock<'_> {
    pub fn kind(&self) -> ClockKind {
        match self {
            Clock::Wall => ClockKind::CalendarHours,
            Clock::Business(_) => ClockKind::BusinessHours,
        }
    }

    /// Seconds counted between `start` and `end`, minus `paused`; 0 when `end <= start`.
    pub fn secs(&self, start: Timestamp, end: Timestamp, paused: &[(Timestamp, Timestamp)]) -> i64 {
        match self {
            Clock::Wall => calendar::calendar_duration(start, end, paused),
            Clock::Business(cal) => calendar::business_duration(cal, start, end, paused),
        }
        .num_seconds()
    }

    /// The instant at which `secs` more seconds will have been counted after `start`.
    pub fn add(&self, start: Timestamp, secs: i64) -> Timestamp {
        match self {
            Clock::Wall => start + Duration::seconds(secs),
            Clock::Business(cal) => {
                calendar::add_business_time(cal, start, Duration::seconds(secs))
            }
        }
    }
}

/// The two SLA metrics of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    FirstResponse,
    Resolution,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::FirstResponse => "first_response",
            Metric::Resolution => "resolution",
        }
    }
}

/// A cycle's standing. Ordered from the most to the least urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Over the limit, stopped or still running.
    Breached,
    /// Still running, at least 80 % of the limit used.
    AtRisk,
    /// Still running, within the limit.
    Ongoing,
    /// Stopped within the limit.
    Met,
    /// The priority has no limit in presales.toml.
    NoLimit,
    /// Closed as cancelled or infeasible: nothing was resolved, so the resolution clock
    /// counts neither as met nor as breached.
    NotCounted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Breached => "breached",
            Status::AtRisk => "at_risk",
            Status::Ongoing => "ongoing",
            Status::Met => "met",
            Status::NoLimit => "no_limit",
            Status::NotCounted => "not_counted",
        }
    }
}

/// One SLA cycle: from creation to its stop event, or to the as-of instant while running.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cycle {
    pub metric: Metric,
    pub status: Status,
    pub running: bool,
    pub limit_hours: Option<f64>,
    pub elapsed_hours: f64,
    /// Elapsed ÷ limit, percent, one decimal; `None` without a (positive) limit.
    pub used_pct: Option<f64>,
    /// When the cycle stopped (first response or close).
    pub stopped: Option<Timestamp>,
    /// When a running cycle within its limit will breach, if it is not paused now.
    pub breaches_at: Option<Timestamp>,
    #[serde(skip)]
    pub elapsed_secs: i64,
}

/// Everything needed to measure one cycle.
pub struct CycleInput<'a> {
    pub metric: Metric,
    pub limit_hours: Option<f64>,
    pub start: Timestamp,
    pub stop: Option<Timestamp>,
    pub as_of: Timestamp,
    pub paused: &'a [(Timestamp, Timestamp)],
    /// Whether the request sits in a paused stage at the as-of instant.
    pub paused_now: bool,
}

impl Cycle {
    pub fn measure(clock: Clock, c: CycleInput) -> Cycle {
        let end = c.stop.unwrap_or(c.as_of);
        let elapsed = clock.secs(c.start, end, c.paused);
        let running = c.stop.is_none();
        // A limit presales.toml should not hold (`inf`, `nan`, 0, negative, absurdly long:
        // `check` names it) counts as none: no report shows inf or NaN, and no deadline is
        // searched for past the end of time.
        let limit_hours = c
            .limit_hours
            .filter(|h| crate::config::usable_sla_hours(*h));
        let limit = limit_hours.map(|h| (h * 3600.0).round() as i64);
        let status = match limit {
            None => Status::NoLimit,
            Some(l) if elapsed > l => Status::Breached,
            Some(_) if !running => Status::Met,
            Some(l) if elapsed * AT_RISK_DEN >= l * AT_RISK_NUM => Status::AtRisk,
            Some(_) => Status::Ongoing,
        };
        let used_pct = limit
            .filter(|l| *l > 0)
            .map(|l| super::stats::round(elapsed as f64 * 100.0 / l as f64, 1));
        let breaches_at = match (limit, running, c.paused_now) {
            (Some(l), true, false) if elapsed <= l => Some(clock.add(c.as_of, l - elapsed)),
            _ => None,
        };
        Cycle {
            metric: c.metric,
            status,
            running,
            limit_hours,
            elapsed_hours: hours(elapsed),
            used_pct,
            stopped: c.stop,
            breaches_at,
            elapsed_secs: elapsed,
        }
    }

    /// Whether the cycle counts toward attainment of a period: stopped inside it (met or
    /// breached), or still running and already breached at the as-of instant.
    pub fn counts(&self, contains: impl Fn(Timestamp) -> bool) -> bool {
        match (self.status, self.stopped) {
            (Status::Met | Status::Breached, Some(t)) => contains(t),
            (Status::Breached, None) => true,
            _ => false,
        }
    }
}

/// Attainment = met ÷ (met + breached), ongoing breaches included.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Attainment {
    pub met: usize,
    pub breached: usize,
    /// Of `breached`, those still running.
    pub ongoing_breached: usize,
    pub attainment: Rate,
}

impl Attainment {
    pub fn of<'a>(
        cycles: impl IntoIterator<Item = &'a Cycle>,
        contains: impl Fn(Timestamp) -> bool,
    ) -> Attainment {
        let (mut met, mut breached, mut ongoing) = (0, 0, 0);
        for c in cycles {
            if !c.counts(&contains) {
                continue;
            }
            match c.status {
                Status::Met => met += 1,
                Status::Breached => {
                    breached += 1;
                    if c.running {
                        ongoing += 1;
                    }
                }
                _ => {}
            }
        }
        Attainment {
            met,
            breached,
            ongoing_breached: ongoing,
            attainment: Rate::new(met, met + breached),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::BusinessCalendar;
    use chrono::DateTime;

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn shanghai(holidays: &[&str]) -> Calendar {
        BusinessCalendar {
            time_zone: "Asia/Shanghai".into(),
            holidays: holidays.iter().map(|s| s.to_string()).collect(),
            ..BusinessCalendar::default()
        }
        .validate()
        .unwrap()
    }

    fn cycle(clock: Clock, limit: f64, start: &str, stop: Option<&str>, as_of: &str) -> Cycle {
        Cycle::measure(
            clock,
            CycleInput {
                metric: Metric::Resolution,
                limit_hours: Some(limit),
                start: t(start),
                stop: stop.map(t),
                as_of: t(as_of),
                paused: &[],
                paused_now: false,
            },
        )
    }

    #[test]
    fn statuses_by_elapsed_share() {
        let w = Clock::Wall;
        let s = "2026-11-02T09:00:00+08:00";
        assert_eq!(
            cycle(w, 10.0, s, Some("2026-11-02T19:00:00+08:00"), s).status,
            Status::Met
        );
        assert_eq!(
            cycle(w, 10.0, s, Some("2026-11-02T19:00:01+08:00"), s).status,
            Status::Breached
        );
        let c = cycle(w, 10.0, s, None, "2026-11-02T16:59:59+08:00");
        assert_eq!((c.status, c.used_pct), (Status::Ongoing, Some(80.0)));
        let c = cycle(w, 10.0, s, None, "2026-11-02T17:00:00+08:00");
        assert_eq!(c.status, Status::AtRisk);
        assert_eq!(c.breaches_at, Some(t("2026-11-02T19:00:00+08:00")));
        let c = cycle(w, 10.0, s, None, "2026-11-03T09:00:00+08:00");
        assert_eq!((c.status, c.running), (Status::Breached, true));
        assert_eq!(c.elapsed_hours, 24.0);
        let none = Cycle::measure(
            w,
            CycleInput {
                metric: Metric::FirstResponse,
                limit_hours: None,
                start: t(s),
                stop: None,
                as_of: t(s),
                paused: &[],
                paused_now: false,
            },
        );
        assert_eq!((none.status, none.used_pct), (Status::NoLimit, None));
    }

    #[test]
    fn a_limit_that_is_not_a_positive_number_of_hours_counts_as_none() {
        let s = "2026-11-02T09:00:00+08:00";
        let cal = shanghai(&[]);
        for clock in [Clock::Wall, Clock::Business(&cal)] {
            for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 0.0, -2.0, 1e300] {
                for stop in [None, Some("2026-11-03T09:00:00+08:00")] {
                    let c = cycle(clock, bad, s, stop, "2026-11-04T09:00:00+08:00");
                    assert_eq!(
                        (c.status, c.limit_hours, c.used_pct, c.breaches_at),
                        (Status::NoLimit, None, None, None),
                        "{bad}"
                    );
                }
            }
        }
    }

    #[test]
    fn business_hours_skip_the_weekend_and_holidays() {
        // Friday 17:00 → Monday 10:00 = 2 working hours; with Monday a holiday, 1 hour
        // (Friday 17–18) until Tuesday 09:00; at 09:36, 80 % of 2 h is used.
        let cal = shanghai(&[]);
        let c = cycle(
            Clock::Business(&cal),
            2.0,
            "2026-11-20T17:00:00+08:00",
            Some("2026-11-23T10:00:00+08:00"),
            "2026-11-30T00:00:00+08:00",
        );
        assert_eq!((c.elapsed_hours, c.status), (2.0, Status::Met));
        let cal = shanghai(&["2026-11-23"]);
        let c = cycle(
            Clock::Business(&cal),
            2.0,
            "2026-11-20T17:00:00+08:00",
            None,
            "2026-11-24T09:36:00+08:00",
        );
        assert_eq!((c.elapsed_hours, c.status), (1.6, Status::AtRisk));
        assert_eq!(c.breaches_at, Some(t("2026-11-24T10:00:00+08:00")));
    }

    #[test]
    fn business_hours_read_in_the_calendar_zone() {
        // 01:00Z = 09:00 in Shanghai: a request logged from Europe at 02:00+01:00 starts the
        // Shanghai working day; 10:00Z = 18:00 Shanghai ends it.
        let cal = shanghai(&[]);
        let c = cycle(
            Clock::Business(&cal),
            40.0,
            "2026-11-23T02:00:00+01:00",
            Some("2026-11-23T10:00:00Z"),
            "2026-11-30T00:00:00Z",
        );
        assert_eq!(c.elapsed_hours, 9.0);
    }

    #[test]
    fn paused_stages_stop_the_clock() {
        let cal = shanghai(&[]);
        let paused = [(
            t("2026-11-23T12:00:00+08:00"),
            t("2026-11-24T12:00:00+08:00"),
        )];
        let c = Cycle::measure(
            Clock::Business(&cal),
            CycleInput {
                metric: Metric::Resolution,
                limit_hours: Some(8.0),
                start: t("2026-11-23T09:00:00+08:00"),
                stop: None,
                as_of: t("2026-11-24T15:00:00+08:00"),
                paused: &paused,
                paused_now: false,
            },
        );
        // 09–12 Monday + 12–15 Tuesday.
        assert_eq!((c.elapsed_hours, c.status), (6.0, Status::Ongoing));
        let wall = Cycle::measure(
            Clock::Wall,
            CycleInput {
                metric: Metric::Resolution,
                limit_hours: Some(8.0),
                start: t("2026-11-23T09:00:00+08:00"),
                stop: None,
                as_of: t("2026-11-24T15:00:00+08:00"),
                paused: &paused,
                paused_now: true,
            },
        );
        assert_eq!((wall.elapsed_hours, wall.status), (6.0, Status::Ongoing));
        assert_eq!(wall.breaches_at, None);
    }

    #[test]
    fn attainment_counts_ongoing_breaches() {
        let w = Clock::Wall;
        let s = "2026-11-23T09:00:00+08:00";
        let as_of = "2026-11-27T09:00:00+08:00";
        let cycles = [
            cycle(w, 10.0, s, Some("2026-11-23T10:00:00+08:00"), as_of), // met
            cycle(w, 10.0, s, Some("2026-11-23T11:00:00+08:00"), as_of), // met
            cycle(w, 10.0, s, Some("2026-11-24T11:00:00+08:00"), as_of), // breached
            cycle(w, 10.0, s, None, as_of),                              // ongoing breach
            cycle(w, 200.0, s, None, as_of),                             // ongoing, not counted
            cycle(
                w,
                10.0,
                "2026-11-10T09:00:00+08:00",
                Some("2026-11-10T10:00:00+08:00"),
                as_of,
            ), // met before the period
        ];
        let in_week = |x: Timestamp| x >= t("2026-11-23T00:00:00+08:00");
        let a = Attainment::of(&cycles, in_week);
        assert_eq!((a.met, a.breached, a.ongoing_breached), (2, 2, 1));
        assert_eq!(a.attainment.pct, Some(50.0));
        let none = Attainment::of(&cycles[4..5], in_week);
        assert_eq!(none.attainment.pct, None);
    }
}
