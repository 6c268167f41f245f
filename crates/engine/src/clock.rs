//! The clock: milliseconds for the snapshot, `oauth_timestamp` seconds with an optional offset,
//! and the provider's clock skew read from its `Date` header.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The largest clock offset Signet applies (ten years, either way): more is a mistake, and
/// would overflow the arithmetic on timestamps.
pub const MAX_OFFSET_SECONDS: i64 = 10 * 366 * 86_400;

/// An offset brought within [`MAX_OFFSET_SECONDS`].
pub fn clamp_offset(seconds: i64) -> i64 {
    seconds.clamp(-MAX_OFFSET_SECONDS, MAX_OFFSET_SECONDS)
}

/// The system clock, shifted by a fixed offset for `oauth_timestamp`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Seconds added to the system time for `oauth_timestamp` (to match a provider whose clock
    /// is off, or a computer whose clock is).
    pub offset_seconds: i64,
}

impl Clock {
    /// A clock with this offset.
    pub fn with_offset(offset_seconds: i64) -> Self {
        Self {
            offset_seconds: clamp_offset(offset_seconds),
        }
    }

    /// Milliseconds since the Unix epoch (not offset).
    pub fn now_ms(&self) -> u64 {
        since_epoch(SystemTime::now())
            .as_millis()
            .try_into()
            .unwrap_or(u64::MAX)
    }

    /// `oauth_timestamp`: seconds since the Unix epoch with the offset applied (10 digits
    /// until the year 2286).
    pub fn timestamp(&self) -> u64 {
        let now = since_epoch(SystemTime::now()).as_secs();
        now.saturating_add_signed(self.offset_seconds).max(1)
    }

    /// The provider's clock minus this computer's (offset included), in seconds, from an HTTP
    /// `Date` header received at `received`. `None` when the header cannot be read.
    pub fn skew_from_date(&self, date: &str, received: SystemTime) -> Option<i64> {
        let theirs = httpdate::parse_http_date(date.trim()).ok()?;
        let theirs = i64::try_from(since_epoch(theirs).as_secs()).ok()?;
        let ours = i64::try_from(since_epoch(received).as_secs())
            .ok()?
            .checked_add(self.offset_seconds)?;
        theirs.checked_sub(ours)
    }
}

fn since_epoch(t: SystemTime) -> Duration {
    t.duration_since(UNIX_EPOCH).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_ten_digits_and_honour_the_offset() {
        let c = Clock::default();
        assert_eq!(c.timestamp().to_string().len(), 10);
        let ahead = Clock::with_offset(3600);
        let d = ahead.timestamp() as i64 - c.timestamp() as i64;
        assert!((3599..=3601).contains(&d), "{d}");
    }

    #[test]
    fn offsets_are_kept_within_ten_years_and_never_overflow() {
        assert_eq!(
            Clock::with_offset(i64::MAX).offset_seconds,
            MAX_OFFSET_SECONDS
        );
        assert_eq!(
            Clock::with_offset(i64::MIN).offset_seconds,
            -MAX_OFFSET_SECONDS
        );
        let wild = Clock {
            offset_seconds: i64::MAX,
        };
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(wild.skew_from_date(date, SystemTime::now()), None);
        assert!(wild.timestamp() > 0);
    }

    #[test]
    fn skew_is_read_from_the_date_header() {
        let received = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let date = httpdate::fmt_http_date(received + Duration::from_secs(125));
        assert_eq!(Clock::default().skew_from_date(&date, received), Some(125));
        assert_eq!(
            Clock::with_offset(125).skew_from_date(&date, received),
            Some(0)
        );
        assert_eq!(Clock::default().skew_from_date("yesterday", received), None);
    }
}
