//! Clock skew: every request carries `oauth_timestamp`, and providers refuse timestamps too far
//! from their own clock (RFC 5849 section 3.3 leaves the window to them; five minutes is usual).
//! The provider's clock shows in its `Date` header and in `oauth_acceptable_timestamps`; this
//! module compares, says by how much in plain words, and proposes the offset to apply.

use serde::{Deserialize, Serialize};

/// Skews below this are noise (network delay, the `Date` header's one-second resolution).
pub const SIGNIFICANT_SECONDS: i64 = 60;
/// The window most providers allow; beyond it requests are refused.
pub const USUAL_WINDOW_SECONDS: i64 = 300;

/// How far the provider's clock is from ours, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SkewReport {
    /// The provider's clock minus ours (our offset included), in seconds: positive when the
    /// provider is ahead.
    pub skew_seconds: i64,
    /// At least [`SIGNIFICANT_SECONDS`] apart.
    pub significant: bool,
    /// At least [`USUAL_WINDOW_SECONDS`] apart: most providers refuse such timestamps.
    pub likely_refused: bool,
    /// The offset to add to `oauth_timestamp` so Signet's timestamps match the provider's clock
    /// (the current offset plus the skew).
    pub suggested_offset_seconds: i64,
    /// In plain words: "the provider's clock is 15 minutes ahead of this computer's".
    pub message: String,
}

impl SkewReport {
    /// A report for a measured skew, given the offset already in use.
    pub fn new(skew_seconds: i64, current_offset_seconds: i64) -> Self {
        let abs = skew_seconds.unsigned_abs();
        let significant = abs >= SIGNIFICANT_SECONDS.unsigned_abs();
        let message = if significant {
            format!(
                "the provider's clock is {} {} this computer's",
                human(abs),
                if skew_seconds > 0 {
                    "ahead of"
                } else {
                    "behind"
                }
            )
        } else {
            format!("the clocks agree to within a minute ({abs} s apart)")
        };
        Self {
            skew_seconds,
            significant,
            likely_refused: abs >= USUAL_WINDOW_SECONDS.unsigned_abs(),
            suggested_offset_seconds: current_offset_seconds.saturating_add(skew_seconds),
            message,
        }
    }
}

/// "15 minutes", "2 hours 5 minutes", "42 seconds", "3 days 4 hours".
pub fn human(seconds: u64) -> String {
    let unit = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => unit(s, "second"),
        (0, 0, m) if s == 0 => unit(m, "minute"),
        (0, 0, m) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
        (0, h, 0) => unit(h, "hour"),
        (0, h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        (d, 0, _) => unit(d, "day"),
        (d, h, _) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

/// The skew from the provider's `Date` header, received when our clock read `received_unix`
/// (seconds, without the offset) while `current_offset_seconds` was applied to timestamps.
/// `None` when the header is not an HTTP date.
pub fn skew_from_date(
    date: &str,
    received_unix: i64,
    current_offset_seconds: i64,
) -> Option<SkewReport> {
    let theirs = parse_http_date(date)?;
    let ours = received_unix.checked_add(current_offset_seconds)?;
    Some(SkewReport::new(
        theirs.checked_sub(ours)?,
        current_offset_seconds,
    ))
}

/// The skew from a refusal's `oauth_acceptable_timestamps` (`min-max`): the provider's clock is
/// the middle of the range, and `sent_timestamp` is the `oauth_timestamp` we sent (offset
/// included). `None` when the range cannot be read.
pub fn skew_from_acceptable_timestamps(
    range: &str,
    sent_timestamp: i64,
    current_offset_seconds: i64,
) -> Option<SkewReport> {
    let (min, max) = range.trim().split_once('-')?;
    let (min, max): (i64, i64) = (min.trim().parse().ok()?, max.trim().parse().ok()?);
    if max < min {
        return None;
    }
    // Numbers from the provider: any of these can overflow.
    let middle = min.checked_add(max.checked_sub(min)? / 2)?;
    Some(SkewReport::new(
        middle.checked_sub(sent_timestamp)?,
        current_offset_seconds,
    ))
}

/// Seconds since the Unix epoch of an HTTP date in the preferred IMF-fixdate form
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 section 5.6.7), or the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`).
pub fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let (_, rest) = s.split_once(", ")?;
    let rest = rest.strip_suffix(" GMT")?;
    let (date, time) = rest.rsplit_once(' ')?;
    let (day, month, year) = if date.contains('-') {
        let mut p = date.split('-');
        let (d, m, y) = (p.next()?, p.next()?, p.next()?);
        let y: i64 = y.parse().ok()?;
        // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
        (
            d,
            m,
            if y < 70 {
                2000 + y
            } else if y < 100 {
                1900 + y
            } else {
                y
            },
        )
    } else {
        let mut p = date.split(' ');
        let (d, m, y) = (p.next()?, p.next()?, p.next()?);
        if p.next().is_some() {
            return None;
        }
        (d, m, y.parse().ok()?)
    };
    let day: i64 = day.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month)? as i64
        + 1;
    let mut t = time.split(':');
    let (h, m, sec): (i64, i64, i64) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
    );
    // Fields from the provider: signs and years far out of range are not dates (and would
    // overflow below).
    if t.next().is_some()
        || !(1..=31).contains(&day)
        || !(0..=23).contains(&h)
        || !(0..=59).contains(&m)
        || !(0..=60).contains(&sec)
        || !(0..=9999).contains(&year)
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"),
            Some(1_700_000_000)
        );
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 -1:49:37 GMT"), None);
        assert_eq!(
            parse_http_date("Sun, 06 Nov 9223372036854775807 08:49:37 GMT"),
            None
        );
    }

    /// Fuzz findings: numbers from a provider at the ends of i64 overflowed.
    #[test]
    fn extreme_numbers_from_a_provider_are_not_a_skew() {
        assert!(
            skew_from_acceptable_timestamps(&format!("{}-{}", i64::MIN, i64::MAX), 0, 0).is_none()
        );
        assert!(skew_from_acceptable_timestamps("0-10", i64::MIN, 0).is_none());
        assert!(skew_from_date("Sun, 06 Nov 1994 08:49:37 GMT", i64::MIN + 1, -1).is_none());
        assert!(skew_from_date("Sun, 06 Nov 1994 08:49:37 GMT", i64::MIN, 0).is_none());
    }

    #[test]
    fn a_provider_fifteen_minutes_ahead_is_named_and_offset() {
        let r = skew_from_date("Tue, 14 Nov 2023 22:28:20 GMT", 1_700_000_000, 0).unwrap();
        assert_eq!(r.skew_seconds, 900);
        assert!(r.significant && r.likely_refused);
        assert_eq!(
            r.message,
            "the provider's clock is 15 minutes ahead of this computer's"
        );
        assert_eq!(r.suggested_offset_seconds, 900);
        // Once the offset is applied the clocks agree.
        let r = skew_from_date("Tue, 14 Nov 2023 22:28:20 GMT", 1_700_000_000, 900).unwrap();
        assert_eq!(r.skew_seconds, 0);
        assert!(!r.significant);
        assert_eq!(r.suggested_offset_seconds, 900);
    }

    #[test]
    fn a_provider_behind_and_small_skews() {
        let r = SkewReport::new(-3725, 0);
        assert_eq!(
            r.message,
            "the provider's clock is 1 hour 2 minutes behind this computer's"
        );
        assert_eq!(r.suggested_offset_seconds, -3725);
        let r = SkewReport::new(12, 0);
        assert!(!r.significant && !r.likely_refused);
        assert_eq!(
            r.message,
            "the clocks agree to within a minute (12 s apart)"
        );
        let r = SkewReport::new(120, 0);
        assert!(r.significant && !r.likely_refused);
    }

    #[test]
    fn acceptable_timestamps_give_the_providers_clock() {
        let r = skew_from_acceptable_timestamps("1700000600-1700001200", 1_700_000_000, 0).unwrap();
        assert_eq!(r.skew_seconds, 900);
        assert_eq!(skew_from_acceptable_timestamps("x-y", 1, 0), None);
        assert_eq!(skew_from_acceptable_timestamps("20-10", 1, 0), None);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(1), "1 second");
        assert_eq!(human(60), "1 minute");
        assert_eq!(human(61), "1 minute 1 second");
        assert_eq!(human(7200), "2 hours");
        assert_eq!(human(90_000), "1 day 1 hour");
        assert_eq!(human(86_400 * 3), "3 days");
    }
}
