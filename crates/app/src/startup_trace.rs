//! Start-up, traced. With `SIGNET_TRACE_STARTUP=1` each phase of a start is printed to stderr
//! as it ends, in milliseconds since the process started:
//!
//! ```text
//! signet: startup    70.1 ms  (+70.1)  main
//! signet: startup    74.8 ms  (+4.7)  store open (database 4.5 ms, data key 0.2 ms)
//! ```
//!
//! The process's start is read from `/proc/self/stat` (to the kernel's clock tick, 10 ms on
//! common kernels); elsewhere the first phase traced is the zero. Phases the web page reports
//! (first paint, the wizard interactive) arrive as wall-clock times and are placed on the same
//! scale. Without the variable every call returns at once.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The environment variable that turns the trace on.
pub const ENV: &str = "SIGNET_TRACE_STARTUP";

struct Clock {
    /// The instant of the first call, and how long the process had run by then.
    zero: Instant,
    age_at_zero: Duration,
    /// Wall-clock milliseconds since the epoch at which the process started.
    start_epoch_ms: f64,
    /// The last phase's time (for the delta).
    last_ms: Mutex<f64>,
}

/// Whether the trace is on (read once).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os(ENV).is_some_and(|v| !v.is_empty() && v != "0"))
}

fn clock() -> &'static Clock {
    static CLOCK: OnceLock<Clock> = OnceLock::new();
    CLOCK.get_or_init(|| {
        let zero = Instant::now();
        let age_at_zero = process_age().unwrap_or_default();
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        Clock {
            zero,
            age_at_zero,
            start_epoch_ms: now_ms - age_at_zero.as_secs_f64() * 1000.0,
            last_ms: Mutex::new(0.0),
        }
    })
}

/// Traces the end of `phase`, now (the first call starts the clock).
pub fn mark(phase: &str) {
    if !enabled() {
        return;
    }
    let c = clock();
    print(
        c,
        (c.age_at_zero + c.zero.elapsed()).as_secs_f64() * 1000.0,
        phase,
    );
}

/// Traces the end of `phase` at `epoch_ms` (wall-clock milliseconds since the epoch, as a web
/// page's `performance.timeOrigin + performance.now()` gives them).
pub fn mark_at(phase: &str, epoch_ms: f64) {
    if !enabled() || !epoch_ms.is_finite() {
        return;
    }
    let c = clock();
    print(c, epoch_ms - c.start_epoch_ms, phase);
}

/// Places the phases the page reported (`app_started`) on the trace.
pub fn page_reported(a: &crate::api::StartedArgs) {
    if let Some(paint) = a.first_paint_ms {
        mark_at(
            "first paint (the page's own report)",
            a.time_origin_ms + paint,
        );
    }
    mark_at(
        "wizard interactive: drawn with its data (the page's own report)",
        a.time_origin_ms + a.interactive_ms,
    );
}

fn print(c: &Clock, ms: f64, phase: &str) {
    let mut last = c.last_ms.lock().unwrap_or_else(|p| p.into_inner());
    eprintln!(
        "signet: startup {ms:>8.1} ms  ({:+.1})  {phase}",
        ms - *last
    );
    *last = ms;
}

/// How long this process has run, from the kernel's record of its start.
#[cfg(target_os = "linux")]
fn process_age() -> Option<Duration> {
    // Field 22 of /proc/self/stat is the start in clock ticks since boot; the command name
    // (field 2) is in parentheses and may hold spaces, so count from the last ')'.
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let ticks: f64 = after.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    // USER_HZ is 100 on every Linux ABI Signet builds for.
    let age = uptime - ticks / 100.0;
    (age >= 0.0).then(|| Duration::from_secs_f64(age))
}

#[cfg(not(target_os = "linux"))]
fn process_age() -> Option<Duration> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_process_age_is_read_from_the_kernel() {
        let age = process_age().expect("the age of this process");
        // A test binary has run for a moment, not for days.
        assert!(age < Duration::from_secs(24 * 3600), "{age:?}");
        std::thread::sleep(Duration::from_millis(30));
        let later = process_age().expect("again");
        assert!(later >= age, "{later:?} < {age:?}");
    }
}
