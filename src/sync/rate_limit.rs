//! Strava's rate limits: lenient parsing of the `X-RateLimit-*` and `X-ReadRateLimit-*`
//! headers, and the window arithmetic (quarter hours, UTC midnight). Pure: no clock, no IO.

use chrono::{DateTime, Duration, DurationRound, Utc};

/// One bucket's limits and usage, for the 15-minute and the daily window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub limit_15min: u32,
    pub limit_daily: u32,
    pub usage_15min: u32,
    pub usage_daily: u32,
}

/// The rate-limit state reported by the last API response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimits {
    /// `X-RateLimit-*`: every request.
    pub overall: Option<Bucket>,
    /// `X-ReadRateLimit-*`: every request except uploads.
    pub read: Option<Bucket>,
}

/// Which window ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The 15-minute window: it resets at :00, :15, :30 and :45.
    QuarterHour,
    /// The daily window: it resets at midnight UTC.
    Daily,
}

/// Parses `"200,2000"` or `"601, 602"` into two numbers.
pub fn parse_pair(value: &str) -> Option<(u32, u32)> {
    let mut parts = value.split(',').map(|p| p.trim().parse::<u32>());
    let first = parts.next()?.ok()?;
    let second = parts.next()?.ok()?;
    parts.next().is_none().then_some((first, second))
}

impl RateLimits {
    /// Reads the four headers from `(name, value)` pairs; names are compared ignoring case and
    /// values are parsed leniently. A bucket needs both its limit and its usage.
    pub fn from_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> RateLimits {
        let (mut limit, mut usage, mut read_limit, mut read_usage) = (None, None, None, None);
        for (name, value) in headers {
            let slot = match name.trim().to_ascii_lowercase().as_str() {
                "x-ratelimit-limit" => &mut limit,
                "x-ratelimit-usage" => &mut usage,
                "x-readratelimit-limit" => &mut read_limit,
                "x-readratelimit-usage" => &mut read_usage,
                _ => continue,
            };
            *slot = parse_pair(value);
        }
        let bucket = |l: Option<(u32, u32)>, u: Option<(u32, u32)>| {
            let ((limit_15min, limit_daily), (usage_15min, usage_daily)) = (l?, u?);
            Some(Bucket {
                limit_15min,
                limit_daily,
                usage_15min,
                usage_daily,
            })
        };
        RateLimits {
            overall: bucket(limit, usage),
            read: bucket(read_limit, read_usage),
        }
    }

    /// Whether the headers said anything at all.
    pub fn is_known(&self) -> bool {
        self.overall.is_some() || self.read.is_some()
    }

    /// The window with no request left (keeping `reserve` unused), the daily one first since
    /// it lasts longer; `None` while another request fits.
    pub fn exhausted(&self, reserve: u32) -> Option<Window> {
        let buckets = [self.overall, self.read];
        let full = |usage: u32, limit: u32| limit > 0 && usage.saturating_add(reserve) >= limit;
        if buckets
            .iter()
            .flatten()
            .any(|b| full(b.usage_daily, b.limit_daily))
        {
            return Some(Window::Daily);
        }
        buckets
            .iter()
            .flatten()
            .any(|b| full(b.usage_15min, b.limit_15min))
            .then_some(Window::QuarterHour)
    }

    /// Which window a 429 is about: the daily one when its usage reached the limit, else the
    /// 15-minute one.
    pub fn window_of_refusal(&self) -> Window {
        self.exhausted(0).unwrap_or(Window::QuarterHour)
    }
}

/// The next quarter hour strictly after `now` (:00, :15, :30, :45).
pub fn next_quarter_hour(now: DateTime<Utc>) -> DateTime<Utc> {
    let quarter = Duration::minutes(15);
    let floor = now.duration_trunc(quarter).unwrap_or(now);
    floor + quarter
}

/// The next midnight UTC strictly after `now`.
pub fn next_utc_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = now.date_naive().succ_opt().unwrap_or(now.date_naive());
    day.and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc())
}

/// When the given window resets, seen from `now`.
pub fn resets_at(window: Window, now: DateTime<Utc>) -> DateTime<Utc> {
    match window {
        Window::QuarterHour => next_quarter_hour(now),
        Window::Daily => next_utc_midnight(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 3, h, m, s).unwrap()
    }

    #[test]
    fn pairs_parse_leniently() {
        assert_eq!(parse_pair("200,2000"), Some((200, 2000)));
        assert_eq!(parse_pair(" 601, 602 "), Some((601, 602)));
        assert_eq!(parse_pair("601"), None);
        assert_eq!(parse_pair("a,b"), None);
        assert_eq!(parse_pair("1,2,3"), None);
    }

    #[test]
    fn header_names_are_case_insensitive() {
        let limits = RateLimits::from_headers([
            ("X-Ratelimit-Limit", "200,2000"),
            ("x-ratelimit-usage", "12, 87"),
            ("X-ReadRateLimit-Limit", "100,1000"),
            ("X-READRATELIMIT-USAGE", "99,301"),
            ("content-type", "application/json"),
        ]);
        assert_eq!(
            limits.overall,
            Some(Bucket {
                limit_15min: 200,
                limit_daily: 2000,
                usage_15min: 12,
                usage_daily: 87
            })
        );
        assert_eq!(limits.read.map(|b| b.usage_15min), Some(99));
        assert_eq!(limits.exhausted(0), None);
        assert_eq!(limits.exhausted(1), Some(Window::QuarterHour));
    }

    #[test]
    fn the_daily_window_wins_and_missing_headers_say_nothing() {
        let limits = RateLimits::from_headers([
            ("X-RateLimit-Limit", "200,2000"),
            ("X-RateLimit-Usage", "200,2000"),
        ]);
        assert_eq!(limits.exhausted(0), Some(Window::Daily));
        assert_eq!(limits.window_of_refusal(), Window::Daily);
        let none = RateLimits::from_headers([("X-RateLimit-Limit", "200,2000")]);
        assert!(!none.is_known());
        assert_eq!(none.exhausted(0), None);
        assert_eq!(none.window_of_refusal(), Window::QuarterHour);
    }

    #[test]
    fn windows_reset_on_quarter_hours_and_utc_midnight() {
        assert_eq!(next_quarter_hour(at(10, 31, 5)), at(10, 45, 0));
        assert_eq!(next_quarter_hour(at(10, 45, 0)), at(11, 0, 0));
        assert_eq!(
            next_quarter_hour(at(23, 59, 59)),
            at(0, 0, 0) + Duration::days(1)
        );
        assert_eq!(
            next_utc_midnight(at(0, 0, 0)),
            at(0, 0, 0) + Duration::days(1)
        );
        assert_eq!(
            resets_at(Window::Daily, at(13, 2, 0)),
            at(0, 0, 0) + Duration::days(1)
        );
    }
}
