//! Business-hours calendar: owns the `[calendar]` config (time zone, working days, daily windows, holidays, make-up days) and all working-time arithmetic used for SLAs.
//!
//! Everything here is pure: instants arrive as arguments (there is no clock and
//! no I/O), so callers decide what "now" is and results are reproducible.
//!
//! Model: working time is the set of real instants that fall inside one of the
//! daily windows of a working day, with each window's wall-clock bounds read in
//! the calendar's IANA zone. Durations are therefore real elapsed time: an
//! 09:00–18:00 window is 9 h even on a DST day, while a 00:00–24:00 window is
//! 23 h or 25 h long on the days the clocks change.

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

const SECS_PER_DAY: u32 = 86_400;

/// Used when neither `hours` nor `windows` is configured.
const DEFAULT_HOURS: [&str; 2] = ["09:00", "18:00"];

/// The `[calendar]` table as written in the config file.
///
/// Fields stay as strings so that [`BusinessCalendar::validate`] can report
/// mistakes with the offending text rather than a generic serde error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessCalendar {
    /// IANA zone name, e.g. `"Asia/Shanghai"`.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Weekday names (`"mon"` or `"monday"`, any case).
    #[serde(default = "default_working_days")]
    pub working_days: Vec<String>,
    /// A single `["HH:MM", "HH:MM"]` window per working day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<[String; 2]>,
    /// Several windows per working day (e.g. around a lunch break); exclusive with `hours`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<Vec<[String; 2]>>,
    /// Whole days off, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
    /// Days worked although their weekday is not a working day (make-up days, 调休).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_working_days: Vec<String>,
}

fn default_time_zone() -> String {
    "UTC".to_owned()
}

fn default_working_days() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"]
        .map(String::from)
        .to_vec()
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self {
            time_zone: default_time_zone(),
            working_days: default_working_days(),
            hours: Some(DEFAULT_HOURS.map(String::from)),
            windows: None,
            holidays: Vec::new(),
            extra_working_days: Vec::new(),
        }
    }
}

/// Why a [`BusinessCalendar`] was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown time zone {0:?}: expected an IANA name such as \"Asia/Shanghai\"")]
    UnknownTimeZone(String),
    #[error("unknown weekday {0:?}: expected one of mon, tue, wed, thu, fri, sat, sun")]
    UnknownWeekday(String),
    #[error("invalid time {0:?}: expected HH:MM between 00:00 and 24:00")]
    BadTime(String),
    #[error("working window {start}–{end} must end after it starts")]
    WindowEndBeforeStart { start: String, end: String },
    #[error("working windows {first} and {second} overlap")]
    OverlappingWindows { first: String, second: String },
    #[error("set either `hours` or `windows`, not both")]
    HoursAndWindows,
    #[error("`windows` is empty: at least one working window is required")]
    NoWindows,
    #[error("`working_days` is empty: at least one weekday must be worked")]
    NoWorkingDays,
    #[error("invalid date {value:?} in `{field}`: expected YYYY-MM-DD")]
    BadDate { field: &'static str, value: String },
    #[error("{0} is listed both in `holidays` and in `extra_working_days`")]
    HolidayAndExtraWorkingDay(NaiveDate),
}

/// One daily window as seconds after local midnight; `end` may be 86 400 (24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start: u32,
    end: u32,
}

/// A validated calendar; only obtainable through [`BusinessCalendar::validate`],
/// so the arithmetic below never has to re-check the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    tz: Tz,
    /// Indexed by `Weekday::num_days_from_monday`.
    working_days: [bool; 7],
    /// Sorted by start and non-overlapping, which keeps each day's intervals ordered.
    windows: Vec<Window>,
    holidays: BTreeSet<NaiveDate>,
    extra_working_days: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    /// Checks the config and builds the form the arithmetic works on.
    pub fn validate(&self) -> Result<Calendar, CalendarError> {
        let tz: Tz = self
            .time_zone
            .trim()
            .parse()
            .map_err(|_| CalendarError::UnknownTimeZone(self.time_zone.clone()))?;

        let mut working_days = [false; 7];
        for name in &self.working_days {
            working_days[parse_weekday(name)?.num_days_from_monday() as usize] = true;
        }
        // Without a working weekday the only working time would be the finitely
        // many make-up days, and an SLA deadline after them would never arrive.
        if !working_days.contains(&true) {
            return Err(CalendarError::NoWorkingDays);
        }

        let raw = match (&self.hours, &self.windows) {
            (Some(_), Some(_)) => return Err(CalendarError::HoursAndWindows),
            (Some(hours), None) => vec![hours.clone()],
            (None, Some(windows)) => windows.clone(),
            (None, None) => vec![DEFAULT_HOURS.map(String::from)],
        };
        if raw.is_empty() {
            return Err(CalendarError::NoWindows);
        }
        let mut windows = raw
            .iter()
            .map(|[start, end]| {
                let window = Window {
                    start: parse_hhmm(start)?,
                    end: parse_hhmm(end)?,
                };
                if window.end <= window.start {
                    return Err(CalendarError::WindowEndBeforeStart {
                        start: start.clone(),
                        end: end.clone(),
                    });
                }
                Ok(window)
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Order in the file does not matter; overlap does, because counting the
        // same minute twice would inflate durations.
        windows.sort_by_key(|w| w.start);
        for pair in windows.windows(2) {
            if pair[1].start < pair[0].end {
                return Err(CalendarError::OverlappingWindows {
                    first: format_window(pair[0]),
                    second: format_window(pair[1]),
                });
            }
        }

        let holidays = parse_dates("holidays", &self.holidays)?;
        let extra_working_days = parse_dates("extra_working_days", &self.extra_working_days)?;
        if let Some(day) = holidays.intersection(&extra_working_days).next() {
            return Err(CalendarError::HolidayAndExtraWorkingDay(*day));
        }

        Ok(Calendar {
            tz,
            working_days,
            windows,
            holidays,
            extra_working_days,
        })
    }
}

fn parse_weekday(name: &str) -> Result<Weekday, CalendarError> {
    match name.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" => Ok(Weekday::Mon),
        "tue" | "tuesday" => Ok(Weekday::Tue),
        "wed" | "wednesday" => Ok(Weekday::Wed),
        "thu" | "thursday" => Ok(Weekday::Thu),
        "fri" | "friday" => Ok(Weekday::Fri),
        "sat" | "saturday" => Ok(Weekday::Sat),
        "sun" | "sunday" => Ok(Weekday::Sun),
        _ => Err(CalendarError::UnknownWeekday(name.to_owned())),
    }
}

/// Strict `HH:MM` (two digits each) so that `9:00` vs `09:00` typos are caught
/// rather than guessed; `24:00` is allowed as an end meaning midnight.
fn parse_hhmm(text: &str) -> Result<u32, CalendarError> {
    let bad = || CalendarError::BadTime(text.to_owned());
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return Err(bad());
    }
    let digit = |i: usize| {
        bytes[i]
            .is_ascii_digit()
            .then(|| u32::from(bytes[i] - b'0'))
            .ok_or_else(bad)
    };
    let hours = digit(0)? * 10 + digit(1)?;
    let minutes = digit(3)? * 10 + digit(4)?;
    if minutes > 59 || hours > 24 || (hours == 24 && minutes != 0) {
        return Err(bad());
    }
    Ok(hours * 3600 + minutes * 60)
}

fn format_window(w: Window) -> String {
    let hhmm = |s: u32| format!("{:02}:{:02}", s / 3600, s % 3600 / 60);
    format!("{}–{}", hhmm(w.start), hhmm(w.end))
}

fn parse_dates(
    field: &'static str,
    values: &[String],
) -> Result<BTreeSet<NaiveDate>, CalendarError> {
    values
        .iter()
        .map(|value| {
            NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
                CalendarError::BadDate {
                    field,
                    value: value.clone(),
                }
            })
        })
        .collect()
}

/// A half-open interval of real time `[start, end)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

impl Calendar {
    /// The working time of one working day, in seconds (the windows added up).
    pub fn working_seconds_per_day(&self) -> u32 {
        self.windows
            .iter()
            .map(|w| w.end.saturating_sub(w.start))
            .sum()
    }

    /// The zone in which windows and dates are read.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Whether `date` (a local date in the calendar's zone) is worked at all.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.holidays.contains(&date) {
            return false;
        }
        self.extra_working_days.contains(&date)
            || self.working_days[date.weekday().num_days_from_monday() as usize]
    }

    /// Whether `instant` lies inside a working window (start inclusive, end exclusive).
    pub fn is_working_time(&self, instant: DateTime<FixedOffset>) -> bool {
        let t = instant.to_utc();
        self.intervals_from(self.first_day(t))
            .take_while(|&(start, _)| start <= t)
            .any(|(start, end)| start <= t && t < end)
    }

    /// The day to start scanning from for an instant. Because a local time maps
    /// to the first instant the clock reaches it, no earlier day's window should
    /// reach past the instant's own date; starting one day early costs one day
    /// of work and guards against zones whose clocks change around midnight.
    fn first_day(&self, t: DateTime<Utc>) -> NaiveDate {
        let day = t.with_timezone(&self.tz).date_naive();
        day.pred_opt().unwrap_or(day)
    }

    /// Working intervals from `first` onwards, in order and disjoint. They are
    /// ordered because windows are sorted and the local→instant mapping is
    /// monotone; the iterator only ends at the edge of chrono's date range.
    fn intervals_from(&self, first: NaiveDate) -> impl Iterator<Item = Span> + '_ {
        std::iter::successors(Some(first), |day| day.succ_opt())
            .filter(move |day| self.is_working_day(*day))
            .flat_map(move |day| {
                self.windows
                    .iter()
                    .filter_map(move |w| self.window_span(day, *w))
            })
    }

    /// The real-time span of one window on one day; `None` when it is empty
    /// (e.g. entirely inside a spring-forward gap) or out of chrono's range.
    fn window_span(&self, day: NaiveDate, w: Window) -> Option<Span> {
        let start = local_to_utc(self.tz, day.and_time(time_of_day(w.start)?))?;
        let end_local = if w.end >= SECS_PER_DAY {
            day.succ_opt()?.and_time(NaiveTime::MIN)
        } else {
            day.and_time(time_of_day(w.end)?)
        };
        let end = local_to_utc(self.tz, end_local)?;
        (start < end).then_some((start, end))
    }

    fn in_zone(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.tz).fixed_offset()
    }
}

fn time_of_day(secs: u32) -> Option<NaiveTime> {
    NaiveTime::from_num_seconds_from_midnight_opt(secs, 0)
}

/// Maps a wall-clock time in `tz` to an instant, monotonically.
///
/// Every local time maps to the first instant the clock reaches it. Repeated
/// times (clocks falling back) therefore take the earlier instant, so a window
/// spanning the whole repeated hour counts it twice, as really elapsed. Skipped
/// times (clocks jumping forward) map to the instant of the jump; the common
/// alternative of shifting by the old offset is not monotone, and a window
/// starting in the gap could then begin after one ending just past it.
fn local_to_utc(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    if let Some(dt) = tz.from_local_datetime(&local).earliest() {
        return Some(dt.with_timezone(&Utc));
    }
    // Offsets stay within ±26 h, so the jump lies within two days of the naive
    // reading. A skipped time is never reached again nearby, so "local clock has
    // reached `local`" flips exactly once in that range and bisection finds the
    // first second of the new offset (transitions fall on whole seconds).
    let target = local.and_utc().timestamp();
    let mut before = target.checked_sub(2 * i64::from(SECS_PER_DAY))?;
    let mut after = target.checked_add(2 * i64::from(SECS_PER_DAY))?;
    while after - before > 1 {
        let mid = before + (after - before) / 2;
        let mid_local = DateTime::from_timestamp(mid, 0)?
            .with_timezone(&tz)
            .naive_local();
        if mid_local >= local {
            after = mid;
        } else {
            before = mid;
        }
    }
    DateTime::from_timestamp(after, 0)
}

/// Paused intervals as sorted, disjoint spans clipped to `[lo, hi)`. Reversed
/// or empty pairs are ignored rather than rejected: a pause that never lasted
/// simply removes no time.
fn merge_paused(
    paused: &[(DateTime<FixedOffset>, DateTime<FixedOffset>)],
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
) -> Vec<Span> {
    let mut spans: Vec<Span> = paused
        .iter()
        .map(|(a, b)| (a.to_utc().max(lo), b.to_utc().min(hi)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Total length of `spans` minus the parts covered by `paused`; both must be
/// sorted and disjoint, which lets a single forward sweep do it in linear time.
fn measure_minus(spans: impl Iterator<Item = Span>, paused: &[Span]) -> Duration {
    let mut total = Duration::zero();
    let mut next = 0;
    for (start, end) in spans {
        while next < paused.len() && paused[next].1 <= start {
            next += 1;
        }
        let covered = paused[next..]
            .iter()
            .take_while(|(p_start, _)| *p_start < end)
            .fold(Duration::zero(), |acc, &(p_start, p_end)| {
                acc + (p_end.min(end) - p_start.max(start))
            });
        total += (end - start) - covered;
    }
    total
}

/// Working time between `start` and `end`, minus `paused` intervals (which may
/// overlap each other or the edges). Zero when `end <= start`.
pub fn business_duration(
    cal: &Calendar,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    paused: &[(DateTime<FixedOffset>, DateTime<FixedOffset>)],
) -> Duration {
    let (start, end) = (start.to_utc(), end.to_utc());
    if end <= start {
        return Duration::zero();
    }
    let paused = merge_paused(paused, start, end);
    let working = cal
        .intervals_from(cal.first_day(start))
        .take_while(|&(w_start, _)| w_start < end)
        .map(|(w_start, w_end)| (w_start.max(start), w_end.min(end)))
        .filter(|(a, b)| a < b);
    measure_minus(working, &paused)
}

/// Plain elapsed time between `start` and `end` minus `paused` intervals, for
/// round-the-clock SLAs. Zero when `end <= start`.
pub fn calendar_duration(
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    paused: &[(DateTime<FixedOffset>, DateTime<FixedOffset>)],
) -> Duration {
    let (start, end) = (start.to_utc(), end.to_utc());
    if end <= start {
        return Duration::zero();
    }
    let paused = merge_paused(paused, start, end);
    measure_minus(std::iter::once((start, end)), &paused)
}

/// The earliest instant at which `duration` of working time has elapsed since
/// `start` (an SLA deadline), expressed in the calendar's zone.
///
/// A start outside working hours waits for the next window. A zero or
/// negative duration returns `start` itself: the deadline is already met, and
/// jumping to the next window could place it after instants that satisfy it.
/// When the remaining time lands exactly on a window's end, that end is
/// returned rather than the next window's start. Should the search run off
/// chrono's date range, the last representable working instant is returned.
/// Cost is linear in the days searched (10 years take well under a
/// millisecond), so only absurd durations such as `Duration::MAX` are slow.
pub fn add_business_time(
    cal: &Calendar,
    start: DateTime<FixedOffset>,
    duration: Duration,
) -> DateTime<FixedOffset> {
    let from = start.to_utc();
    if duration <= Duration::zero() {
        return cal.in_zone(from);
    }
    let mut remaining = duration;
    let mut last = from;
    for (w_start, w_end) in cal.intervals_from(cal.first_day(from)) {
        if w_end <= from {
            continue;
        }
        let w_start = w_start.max(from);
        let available = w_end - w_start;
        if remaining <= available {
            return cal.in_zone(w_start.checked_add_signed(remaining).unwrap_or(w_end));
        }
        remaining -= available;
        last = w_end;
    }
    cal.in_zone(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dt(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn h(hours: i64) -> Duration {
        Duration::hours(hours)
    }

    fn m(minutes: i64) -> Duration {
        Duration::minutes(minutes)
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn config(tz: &str, days: &[&str], windows: &[(&str, &str)]) -> BusinessCalendar {
        BusinessCalendar {
            time_zone: tz.to_owned(),
            working_days: strings(days),
            hours: None,
            windows: Some(
                windows
                    .iter()
                    .map(|(a, b)| [a.to_string(), b.to_string()])
                    .collect(),
            ),
            holidays: Vec::new(),
            extra_working_days: Vec::new(),
        }
    }

    const WEEKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri"];
    const ALL_DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    fn cal(tz: &str, days: &[&str], windows: &[(&str, &str)]) -> Calendar {
        config(tz, days, windows).validate().unwrap()
    }

    fn shanghai() -> Calendar {
        cal("Asia/Shanghai", WEEKDAYS, &[("09:00", "18:00")])
    }

    fn shanghai_with(holidays: &[&str], extra: &[&str]) -> Calendar {
        let mut c = config("Asia/Shanghai", WEEKDAYS, &[("09:00", "18:00")]);
        c.holidays = strings(holidays);
        c.extra_working_days = strings(extra);
        c.validate().unwrap()
    }

    fn bd(c: &Calendar, a: &str, b: &str) -> Duration {
        business_duration(c, dt(a), dt(b), &[])
    }

    // ---- business_duration -------------------------------------------------

    #[test]
    fn friday_evening_to_monday_morning_is_two_hours() {
        // Fri 17–18 (1h) + Mon 09–10 (1h).
        let c = shanghai();
        assert_eq!(
            bd(&c, "2026-09-25T17:00:00+08:00", "2026-09-28T10:00:00+08:00"),
            h(2)
        );
    }

    #[test]
    fn within_one_day_and_outside_hours() {
        let c = shanghai();
        assert_eq!(
            bd(&c, "2026-09-28T10:15:00+08:00", "2026-09-28T11:45:00+08:00"),
            m(90)
        );
        assert_eq!(
            bd(&c, "2026-09-28T07:00:00+08:00", "2026-09-28T20:00:00+08:00"),
            h(9)
        );
        assert_eq!(
            bd(&c, "2026-09-28T18:00:00+08:00", "2026-09-29T09:00:00+08:00"),
            h(0)
        );
        assert_eq!(
            bd(&c, "2026-09-26T09:00:00+08:00", "2026-09-27T18:00:00+08:00"),
            h(0)
        );
    }

    #[test]
    fn empty_or_reversed_range_is_zero() {
        let c = shanghai();
        let t = "2026-09-28T10:00:00+08:00";
        assert_eq!(bd(&c, t, t), h(0));
        assert_eq!(bd(&c, "2026-09-28T12:00:00+08:00", t), h(0));
    }

    #[test]
    fn holiday_in_between_is_skipped() {
        let c = shanghai_with(&["2026-09-28"], &[]);
        // Fri 17–18 + (Mon off) + Tue 09–10.
        assert_eq!(
            bd(&c, "2026-09-25T17:00:00+08:00", "2026-09-29T10:00:00+08:00"),
            h(2)
        );
        assert_eq!(
            bd(&c, "2026-09-28T00:00:00+08:00", "2026-09-29T00:00:00+08:00"),
            h(0)
        );
    }

    #[test]
    fn national_day_week_off() {
        let days = [
            "2026-10-01",
            "2026-10-02",
            "2026-10-03",
            "2026-10-04",
            "2026-10-05",
            "2026-10-06",
            "2026-10-07",
        ];
        let c = shanghai_with(&days, &[]);
        // Wed 30 Sep 17–18 + Thu 8 Oct 09–10.
        assert_eq!(
            bd(&c, "2026-09-30T17:00:00+08:00", "2026-10-08T10:00:00+08:00"),
            h(2)
        );
    }

    #[test]
    fn make_up_day_on_a_sunday_is_worked() {
        let c = shanghai_with(&[], &["2026-09-27"]);
        // Fri 1h + Sun 27 Sep 9h + Mon 1h.
        assert_eq!(
            bd(&c, "2026-09-25T17:00:00+08:00", "2026-09-28T10:00:00+08:00"),
            h(11)
        );
        assert!(c.is_working_day(NaiveDate::from_ymd_opt(2026, 9, 27).unwrap()));
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 9, 26).unwrap()));
    }

    #[test]
    fn lunch_break_windows() {
        let c = cal(
            "Asia/Shanghai",
            WEEKDAYS,
            &[("09:00", "12:00"), ("13:00", "18:00")],
        );
        assert_eq!(
            bd(&c, "2026-09-28T11:00:00+08:00", "2026-09-28T14:00:00+08:00"),
            h(2)
        );
        assert_eq!(
            bd(&c, "2026-09-28T12:15:00+08:00", "2026-09-28T12:45:00+08:00"),
            h(0)
        );
        assert_eq!(
            bd(&c, "2026-09-28T00:00:00+08:00", "2026-09-29T00:00:00+08:00"),
            h(8)
        );
        // Fri 17–18 + Mon 09–12 + 13–14.
        assert_eq!(
            bd(&c, "2026-09-25T17:00:00+08:00", "2026-09-28T14:00:00+08:00"),
            h(5)
        );
    }

    #[test]
    fn windows_may_be_listed_out_of_order() {
        let c = cal(
            "Asia/Shanghai",
            WEEKDAYS,
            &[("13:00", "18:00"), ("09:00", "12:00")],
        );
        assert_eq!(
            bd(&c, "2026-09-28T00:00:00+08:00", "2026-09-29T00:00:00+08:00"),
            h(8)
        );
    }

    #[test]
    fn paused_interval_overlapping_a_weekend() {
        let c = shanghai();
        let (a, b) = (
            dt("2026-09-25T17:00:00+08:00"),
            dt("2026-09-28T10:00:00+08:00"),
        );
        // Only Fri 17:00–17:30 and Mon 09:30–10:00 remain.
        let paused = [(
            dt("2026-09-25T17:30:00+08:00"),
            dt("2026-09-28T09:30:00+08:00"),
        )];
        assert_eq!(business_duration(&c, a, b, &paused), h(1));
        // A pause lying entirely inside the weekend removes nothing.
        let weekend = [(
            dt("2026-09-26T08:00:00+08:00"),
            dt("2026-09-27T20:00:00+08:00"),
        )];
        assert_eq!(business_duration(&c, a, b, &weekend), h(2));
    }

    #[test]
    fn overlapping_and_edge_pauses_are_merged() {
        let c = shanghai();
        let (a, b) = (
            dt("2026-09-28T09:00:00+08:00"),
            dt("2026-09-28T18:00:00+08:00"),
        );
        let paused = [
            (
                dt("2026-09-28T10:00:00+08:00"),
                dt("2026-09-28T12:00:00+08:00"),
            ),
            (
                dt("2026-09-28T11:00:00+08:00"),
                dt("2026-09-28T13:00:00+08:00"),
            ),
            (
                dt("2026-09-28T12:30:00+08:00"),
                dt("2026-09-28T12:45:00+08:00"),
            ),
            // Starts before the range: only 09:00–09:30 counts.
            (
                dt("2026-09-28T08:00:00+08:00"),
                dt("2026-09-28T09:30:00+08:00"),
            ),
            // Reversed and out-of-range pauses remove nothing.
            (
                dt("2026-09-28T17:00:00+08:00"),
                dt("2026-09-28T16:00:00+08:00"),
            ),
            (
                dt("2026-09-29T10:00:00+08:00"),
                dt("2026-09-29T11:00:00+08:00"),
            ),
        ];
        // 9h − 0.5h − 3h (10:00–13:00).
        assert_eq!(business_duration(&c, a, b, &paused), m(330));
        // Pauses given in UTC work the same: 02:00Z–04:00Z = 10:00–12:00 CST.
        let utc = [(dt("2026-09-28T02:00:00Z"), dt("2026-09-28T04:00:00Z"))];
        assert_eq!(business_duration(&c, a, b, &utc), h(7));
    }

    #[test]
    fn utc_inputs_with_shanghai_calendar() {
        let c = shanghai();
        // 01:00Z–10:00Z is 09:00–18:00 in Shanghai.
        assert_eq!(bd(&c, "2026-09-28T01:00:00Z", "2026-09-28T10:00:00Z"), h(9));
        // Fri 09:00Z = Fri 17:00 CST; Mon 02:00Z = Mon 10:00 CST.
        assert_eq!(bd(&c, "2026-09-25T09:00:00Z", "2026-09-28T02:00:00Z"), h(2));
        // Mixed offsets: New York evening is Shanghai morning next day.
        assert_eq!(
            bd(&c, "2026-09-27T21:00:00-04:00", "2026-09-28T11:00:00+08:00"),
            h(2)
        );
    }

    #[test]
    fn berlin_autumn_dst_day() {
        // 2026-10-25 (last Sunday of October): 03:00 CEST becomes 02:00 CET.
        let (a, b) = ("2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00");
        let office = cal("Europe/Berlin", ALL_DAYS, &[("09:00", "18:00")]);
        assert_eq!(bd(&office, a, b), h(9));
        let round_the_clock = cal("Europe/Berlin", ALL_DAYS, &[("00:00", "24:00")]);
        assert_eq!(bd(&round_the_clock, a, b), h(25));
        let night = cal("Europe/Berlin", ALL_DAYS, &[("01:00", "05:00")]);
        assert_eq!(bd(&night, a, b), h(5));
        // 02:00–03:00 happens twice (CEST, then CET); both passes are worked.
        let repeated = cal("Europe/Berlin", ALL_DAYS, &[("02:00", "03:00")]);
        assert_eq!(bd(&repeated, a, b), h(2));
        // A window inside the repeated hour is taken at its first pass.
        let part = cal("Europe/Berlin", ALL_DAYS, &[("02:00", "02:30")]);
        assert_eq!(bd(&part, a, b), m(30));
        assert!(part.is_working_time(dt("2026-10-25T02:15:00+02:00")));
        assert!(!part.is_working_time(dt("2026-10-25T02:15:00+01:00")));
    }

    #[test]
    fn santiago_dst_changes_at_midnight() {
        // Chile changes clocks at local midnight, so whole days shift.
        let c = cal("America/Santiago", ALL_DAYS, &[("00:00", "24:00")]);
        // Sat 2026-04-04: at Sun 00:00 −03 the clock returns to Sat 23:00 −04.
        assert_eq!(
            bd(&c, "2026-04-04T00:00:00-03:00", "2026-04-05T00:00:00-04:00"),
            h(25)
        );
        // Sun 2026-09-06 starts at 01:00 −03: midnight never happens.
        assert_eq!(
            bd(&c, "2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00"),
            h(24)
        );
        assert_eq!(
            bd(&c, "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"),
            h(23)
        );
        let skipped = cal("America/Santiago", &["sun"], &[("00:00", "01:00")]);
        assert_eq!(
            bd(&skipped, "2026-09-01T00:00:00Z", "2026-09-10T00:00:00Z"),
            h(0)
        );
        assert_eq!(
            bd(&skipped, "2026-04-01T00:00:00Z", "2026-04-10T00:00:00Z"),
            h(1)
        );
        assert_same(
            add_business_time(&c, dt("2026-09-05T12:00:00-04:00"), h(12)),
            "2026-09-06T01:00:00-03:00",
        );
    }

    #[test]
    fn berlin_spring_dst_day() {
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST.
        let (a, b) = ("2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00");
        let round_the_clock = cal("Europe/Berlin", ALL_DAYS, &[("00:00", "24:00")]);
        assert_eq!(bd(&round_the_clock, a, b), h(23));
        let night = cal("Europe/Berlin", ALL_DAYS, &[("01:00", "05:00")]);
        assert_eq!(bd(&night, a, b), h(3));
        let skipped = cal("Europe/Berlin", ALL_DAYS, &[("02:00", "03:00")]);
        assert_eq!(bd(&skipped, a, b), h(0));
        let half = cal("Europe/Berlin", ALL_DAYS, &[("02:30", "04:00")]);
        assert_eq!(bd(&half, a, b), h(1));
        // A window ending inside the gap stops at the jump.
        let into_gap = cal(
            "Europe/Berlin",
            ALL_DAYS,
            &[("01:00", "02:30"), ("03:30", "04:00")],
        );
        assert_eq!(bd(&into_gap, a, b), m(90));
    }

    #[test]
    fn berlin_weekend_across_dst_change() {
        let c = cal("Europe/Berlin", WEEKDAYS, &[("09:00", "18:00")]);
        assert_eq!(
            bd(&c, "2026-10-23T17:00:00+02:00", "2026-10-26T10:00:00+01:00"),
            h(2)
        );
        // Same instants written in UTC.
        assert_eq!(bd(&c, "2026-10-23T15:00:00Z", "2026-10-26T09:00:00Z"), h(2));
    }

    #[test]
    fn new_york_dst_days() {
        let c = cal("America/New_York", ALL_DAYS, &[("00:00", "24:00")]);
        assert_eq!(
            bd(&c, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"),
            h(23)
        );
        assert_eq!(
            bd(&c, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"),
            h(25)
        );
        let office = cal("America/New_York", WEEKDAYS, &[("09:00", "17:00")]);
        // Fri 6 Mar 16:00 EST → Mon 9 Mar 10:00 EDT.
        assert_eq!(
            bd(
                &office,
                "2026-03-06T16:00:00-05:00",
                "2026-03-09T10:00:00-04:00"
            ),
            h(2)
        );
    }

    #[test]
    fn whole_year_counts_every_weekday() {
        // 2026 has 261 weekdays; 09:00–18:00 never touches a DST change.
        for tz in ["UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai"] {
            let c = cal(tz, WEEKDAYS, &[("09:00", "18:00")]);
            let midnight = |year| {
                let zone = c.time_zone();
                zone.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
                    .unwrap()
                    .fixed_offset()
            };
            let (a, b) = (midnight(2026), midnight(2027));
            assert_eq!(business_duration(&c, a, b, &[]), h(261 * 9), "{tz}");
        }
    }

    // ---- calendar_duration -------------------------------------------------

    #[test]
    fn calendar_duration_is_elapsed_minus_pauses() {
        let (a, b) = (
            dt("2026-09-25T17:00:00+08:00"),
            dt("2026-09-28T10:00:00+08:00"),
        );
        assert_eq!(calendar_duration(a, b, &[]), h(65));
        let paused = [
            (
                dt("2026-09-26T00:00:00+08:00"),
                dt("2026-09-27T00:00:00+08:00"),
            ),
            (
                dt("2026-09-26T12:00:00+08:00"),
                dt("2026-09-27T06:00:00+08:00"),
            ),
            (
                dt("2026-09-20T00:00:00+08:00"),
                dt("2026-09-25T18:00:00+08:00"),
            ),
        ];
        // 65h − (Fri 17–18 = 1h) − (Sat 00:00 → Sun 06:00 = 30h).
        assert_eq!(calendar_duration(a, b, &paused), h(34));
        assert_eq!(calendar_duration(b, a, &[]), h(0));
        // Offsets are irrelevant: same instants.
        assert_eq!(calendar_duration(dt("2026-09-25T09:00:00Z"), b, &[]), h(65));
    }

    // ---- add_business_time -------------------------------------------------

    fn add(c: &Calendar, start: &str, d: Duration) -> DateTime<FixedOffset> {
        add_business_time(c, dt(start), d)
    }

    fn assert_same(actual: DateTime<FixedOffset>, expected: &str) {
        // Compare the rendering so that the offset is checked too.
        assert_eq!(actual.to_rfc3339(), dt(expected).to_rfc3339());
    }

    #[test]
    fn add_over_a_weekend() {
        let c = shanghai();
        assert_same(
            add(&c, "2026-09-25T17:00:00+08:00", h(2)),
            "2026-09-28T10:00:00+08:00",
        );
    }

    #[test]
    fn add_from_outside_hours_waits_for_the_next_window() {
        let c = shanghai();
        assert_same(
            add(&c, "2026-09-26T12:00:00+08:00", h(1)),
            "2026-09-28T10:00:00+08:00",
        );
        assert_same(
            add(&c, "2026-09-28T07:00:00+08:00", m(30)),
            "2026-09-28T09:30:00+08:00",
        );
        assert_same(
            add(&c, "2026-09-28T19:00:00+08:00", h(9)),
            "2026-09-29T18:00:00+08:00",
        );
    }

    #[test]
    fn add_ending_exactly_at_close_stays_at_close() {
        let c = shanghai();
        assert_same(
            add(&c, "2026-09-25T17:00:00+08:00", h(1)),
            "2026-09-25T18:00:00+08:00",
        );
        assert_same(
            add(
                &c,
                "2026-09-25T17:00:00+08:00",
                h(1) + Duration::nanoseconds(1),
            ),
            "2026-09-28T09:00:00.000000001+08:00",
        );
    }

    #[test]
    fn add_zero_or_negative_returns_start() {
        let c = shanghai();
        let sat = "2026-09-26T12:00:00+08:00";
        assert_same(add(&c, sat, h(0)), sat);
        assert_same(add(&c, sat, h(-5)), sat);
        // Expressed in the calendar's zone.
        assert_same(add(&c, "2026-09-26T04:00:00Z", h(0)), sat);
    }

    #[test]
    fn add_skips_holidays_and_uses_make_up_days() {
        let days = [
            "2026-10-01",
            "2026-10-02",
            "2026-10-03",
            "2026-10-04",
            "2026-10-05",
            "2026-10-06",
            "2026-10-07",
        ];
        let c = shanghai_with(&days, &["2026-09-27"]);
        assert_same(
            add(&c, "2026-09-30T17:00:00+08:00", h(2)),
            "2026-10-08T10:00:00+08:00",
        );
        assert_same(
            add(&c, "2026-09-25T17:00:00+08:00", h(3)),
            "2026-09-27T11:00:00+08:00",
        );
    }

    #[test]
    fn add_across_lunch_break() {
        let c = cal(
            "Asia/Shanghai",
            WEEKDAYS,
            &[("09:00", "12:00"), ("13:00", "18:00")],
        );
        assert_same(
            add(&c, "2026-09-28T11:00:00+08:00", h(2)),
            "2026-09-28T14:00:00+08:00",
        );
        assert_same(
            add(&c, "2026-09-28T12:30:00+08:00", h(1)),
            "2026-09-28T14:00:00+08:00",
        );
    }

    #[test]
    fn add_with_utc_input_answers_in_calendar_zone() {
        let c = shanghai();
        let due = add(&c, "2026-09-25T09:00:00Z", h(2));
        assert_same(due, "2026-09-28T10:00:00+08:00");
        assert_eq!(due.offset().local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn add_across_dst() {
        let office = cal("Europe/Berlin", WEEKDAYS, &[("09:00", "18:00")]);
        assert_same(
            add(&office, "2026-10-23T17:00:00+02:00", h(2)),
            "2026-10-26T10:00:00+01:00",
        );
        // The 25-hour Sunday: 24h after Sat noon is Sun 11:00 local.
        let always = cal("Europe/Berlin", ALL_DAYS, &[("00:00", "24:00")]);
        assert_same(
            add(&always, "2026-10-24T12:00:00+02:00", h(24)),
            "2026-10-25T11:00:00+01:00",
        );
        assert_same(
            add(&always, "2026-03-28T12:00:00+01:00", h(24)),
            "2026-03-29T13:00:00+02:00",
        );
    }

    #[test]
    fn add_a_whole_year() {
        let c = cal("UTC", WEEKDAYS, &[("09:00", "18:00")]);
        assert_same(
            add(&c, "2026-01-01T00:00:00Z", h(261 * 9)),
            "2026-12-31T18:00:00+00:00",
        );
    }

    // ---- is_working_time ---------------------------------------------------

    #[test]
    fn working_time_is_half_open() {
        let c = shanghai_with(&["2026-09-29"], &[]);
        assert!(c.is_working_time(dt("2026-09-28T09:00:00+08:00")));
        assert!(c.is_working_time(dt("2026-09-28T17:59:59+08:00")));
        assert!(!c.is_working_time(dt("2026-09-28T18:00:00+08:00")));
        assert!(!c.is_working_time(dt("2026-09-28T08:59:59+08:00")));
        assert!(!c.is_working_time(dt("2026-09-29T10:00:00+08:00")));
        assert!(c.is_working_time(dt("2026-09-28T02:00:00Z")));
        assert_eq!(c.time_zone(), chrono_tz::Asia::Shanghai);
    }

    // ---- validation --------------------------------------------------------

    #[test]
    fn default_config_is_valid_nine_to_six_utc() {
        let c = BusinessCalendar::default().validate().unwrap();
        assert_eq!(c.time_zone(), chrono_tz::UTC);
        assert_eq!(bd(&c, "2026-09-28T00:00:00Z", "2026-09-29T00:00:00Z"), h(9));
        let neither = BusinessCalendar {
            hours: None,
            ..BusinessCalendar::default()
        };
        assert_eq!(neither.validate().unwrap(), c);
    }

    #[test]
    fn accepts_full_names_any_case_and_midnight_end() {
        let c = cal(
            "Asia/Shanghai",
            &["Monday", "TUE", " wed "],
            &[("18:00", "24:00")],
        );
        assert_eq!(
            bd(&c, "2026-09-28T00:00:00+08:00", "2026-10-01T00:00:00+08:00"),
            h(18)
        );
    }

    #[test]
    fn validation_errors() {
        let base = || config("Asia/Shanghai", WEEKDAYS, &[("09:00", "18:00")]);
        let err = |c: BusinessCalendar| c.validate().unwrap_err();

        let mut c = base();
        c.time_zone = "Mars/Olympus".into();
        assert_eq!(
            err(c.clone()),
            CalendarError::UnknownTimeZone("Mars/Olympus".into())
        );
        assert!(
            err(c)
                .to_string()
                .contains("unknown time zone \"Mars/Olympus\"")
        );

        for bad in [
            "9:00", "09:60", "24:01", "25:00", "09-00", "0900", "ab:cd", "09:00 ", "+9:00",
        ] {
            let c = config("UTC", WEEKDAYS, &[(bad, "18:00")]);
            assert_eq!(err(c), CalendarError::BadTime(bad.into()), "{bad}");
        }

        let c = config("UTC", WEEKDAYS, &[("18:00", "09:00")]);
        let e = err(c);
        assert_eq!(
            e,
            CalendarError::WindowEndBeforeStart {
                start: "18:00".into(),
                end: "09:00".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "working window 18:00–09:00 must end after it starts"
        );
        assert!(matches!(
            err(config("UTC", WEEKDAYS, &[("09:00", "09:00")])),
            CalendarError::WindowEndBeforeStart { .. }
        ));

        let e = err(config(
            "UTC",
            WEEKDAYS,
            &[("09:00", "12:30"), ("12:00", "18:00")],
        ));
        assert_eq!(
            e.to_string(),
            "working windows 09:00–12:30 and 12:00–18:00 overlap"
        );

        assert_eq!(
            err(config("UTC", &["mon", "fr"], &[("09:00", "18:00")])),
            CalendarError::UnknownWeekday("fr".into())
        );
        assert_eq!(
            err(config("UTC", &[], &[("09:00", "18:00")])),
            CalendarError::NoWorkingDays
        );
        assert_eq!(err(config("UTC", WEEKDAYS, &[])), CalendarError::NoWindows);

        let mut c = base();
        c.hours = Some(["09:00".into(), "18:00".into()]);
        assert_eq!(err(c), CalendarError::HoursAndWindows);

        let mut c = base();
        c.holidays = strings(&["2026-10-01", "2026-13-01"]);
        let e = err(c);
        assert_eq!(
            e,
            CalendarError::BadDate {
                field: "holidays",
                value: "2026-13-01".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "invalid date \"2026-13-01\" in `holidays`: expected YYYY-MM-DD"
        );

        let mut c = base();
        c.extra_working_days = strings(&["27/09/2026"]);
        assert!(matches!(
            err(c),
            CalendarError::BadDate {
                field: "extra_working_days",
                ..
            }
        ));

        let mut c = base();
        c.holidays = strings(&["2026-09-27"]);
        c.extra_working_days = strings(&["2026-09-27"]);
        let day = NaiveDate::from_ymd_opt(2026, 9, 27).unwrap();
        assert_eq!(err(c), CalendarError::HolidayAndExtraWorkingDay(day));
    }

    // ---- properties --------------------------------------------------------

    const ZONES: &[&str] = &[
        "Asia/Shanghai",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe", // 30-minute DST shift
        "America/Santiago",    // changes at midnight
        "UTC",
    ];

    const WINDOW_SETS: &[&[(&str, &str)]] = &[
        &[("09:00", "18:00")],
        &[("09:00", "12:00"), ("13:00", "18:00")],
        &[("00:00", "24:00")],
        // Bounds inside DST gaps/overlaps in every zone above.
        &[("01:30", "02:30"), ("03:00", "03:15"), ("22:00", "24:00")],
    ];

    /// 2025-01-01T00:00:00Z and three years on, so spans cover many DST changes.
    const T0: i64 = 1_735_689_600;
    const SPAN: i64 = 3 * 365 * 86_400;

    fn arb_calendar() -> impl Strategy<Value = Calendar> {
        let day = (0i64..3 * 366).prop_map(|n| {
            (NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(n))
                .format("%Y-%m-%d")
                .to_string()
        });
        (
            0..ZONES.len(),
            0..WINDOW_SETS.len(),
            1u8..128,
            proptest::collection::vec(day.clone(), 0..40),
            proptest::collection::vec(day, 0..20),
        )
            .prop_map(|(zone, windows, days_mask, holidays, extra)| {
                let days: Vec<&str> = (0..7)
                    .filter(|i| days_mask & (1 << i) != 0)
                    .map(|i| ALL_DAYS[i])
                    .collect();
                let mut c = config(ZONES[zone], &days, WINDOW_SETS[windows]);
                c.extra_working_days = extra
                    .into_iter()
                    .filter(|d| !holidays.contains(d))
                    .collect();
                c.holidays = holidays;
                c.validate().unwrap()
            })
    }

    fn arb_instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
        let offsets =
            prop::sample::select(vec![-5 * 3600, 0, 5 * 3600 + 45 * 60, 8 * 3600, 14 * 3600]);
        (0..SPAN, offsets).prop_map(|(secs, offset)| {
            DateTime::from_timestamp(T0 + secs, 0)
                .unwrap()
                .with_timezone(&FixedOffset::east_opt(offset).unwrap())
        })
    }

    fn arb_pauses() -> impl Strategy<Value = Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)>> {
        proptest::collection::vec((arb_instant(), 0i64..10 * 86_400), 0..6).prop_map(|v| {
            v.into_iter()
                .map(|(a, len)| (a, a + Duration::seconds(len)))
                .collect()
        })
    }

    fn sorted3(
        a: DateTime<FixedOffset>,
        b: DateTime<FixedOffset>,
        c: DateTime<FixedOffset>,
    ) -> [DateTime<FixedOffset>; 3] {
        let mut v = [a, b, c];
        v.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn durations_are_non_negative_and_bounded_by_elapsed(
            cal in arb_calendar(), a in arb_instant(), b in arb_instant(), paused in arb_pauses()
        ) {
            let business = business_duration(&cal, a, b, &paused);
            let business_all = business_duration(&cal, a, b, &[]);
            let elapsed = calendar_duration(a, b, &paused);
            let elapsed_all = calendar_duration(a, b, &[]);
            prop_assert!(business >= Duration::zero());
            prop_assert!(business <= business_all);
            prop_assert!(business <= elapsed);
            prop_assert!(elapsed <= elapsed_all);
            prop_assert!(business_all <= elapsed_all);
            prop_assert_eq!(elapsed_all, (b - a).max(Duration::zero()));
        }

        #[test]
        fn durations_are_additive(
            cal in arb_calendar(), x in arb_instant(), y in arb_instant(), z in arb_instant(),
            paused in arb_pauses()
        ) {
            let [a, b, c] = sorted3(x, y, z);
            prop_assert_eq!(
                business_duration(&cal, a, b, &paused) + business_duration(&cal, b, c, &paused),
                business_duration(&cal, a, c, &paused)
            );
            prop_assert_eq!(
                calendar_duration(a, b, &paused) + calendar_duration(b, c, &paused),
                calendar_duration(a, c, &paused)
            );
        }

        #[test]
        fn add_inverts_business_duration(cal in arb_calendar(), x in arb_instant(), y in arb_instant()) {
            let (start, end) = (x.min(y), x.max(y));
            let d = business_duration(&cal, start, end, &[]);
            let reached = add_business_time(&cal, start, d);
            prop_assert!(reached >= start);
            prop_assert!(reached <= end);
            prop_assert_eq!(business_duration(&cal, start, reached, &[]), d);
        }

        #[test]
        fn add_then_measure_round_trips(cal in arb_calendar(), start in arb_instant(), secs in 0i64..2_000 * 3600) {
            let d = Duration::seconds(secs);
            let reached = add_business_time(&cal, start, d);
            prop_assert_eq!(business_duration(&cal, start, reached, &[]), d);
            // Earliest such instant: one second less of waiting is not enough.
            if secs > 0 {
                let before = reached - Duration::seconds(1);
                prop_assert!(business_duration(&cal, start, before, &[]) < d);
            }
        }

        #[test]
        fn working_time_agrees_with_duration(cal in arb_calendar(), t in arb_instant()) {
            // Windows begin and end on whole seconds, so a one-second step
            // from a whole-second instant is either fully in or fully out.
            let next = t + Duration::seconds(1);
            let expected = if cal.is_working_time(t) { Duration::seconds(1) } else { Duration::zero() };
            prop_assert_eq!(business_duration(&cal, t, next, &[]), expected);
        }
    }
}
