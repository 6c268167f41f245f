//! Reports that leave Signet, for a ticket, a review or CI: a self-contained HTML page (one
//! file, no script, no request to anywhere: it opens offline in any browser, prints, and
//! follows the reader's light or dark setting) and JSON.
//!
//! - [`html`]: the page and its parts (a request, an answer, a signing trace), every value
//!   escaped — a provider's answer is untrusted text and stays text;
//! - [`audit`]: a provider audit ([`signet_audit::AuditReport`]) as HTML and JSON;
//! - [`flow`]: a connection run (the ten steps, with its diagnosis) as HTML and JSON;
//! - [`call`]: an endpoint call, or a walk of pages, as HTML (the app writes its JSON).
//!
//! Nothing secret reaches a report: what it is given was recorded with secret values already
//! redacted (the consumer secret, token secrets, verifiers, a PLAINTEXT signature), and the
//! tests of each report look for planted secrets in what it writes.
#![warn(missing_docs)]

pub mod audit;
pub mod call;
pub mod flow;
pub mod html;

/// Who wrote a report, and about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About {
    /// The connector's name.
    pub connector: String,
    /// The instance's name (its variable values and tokens).
    pub instance: String,
    /// When the report was written (ms since the epoch).
    pub written_ms: u64,
    /// Signet's version.
    pub version: String,
}

/// A file name for a report: `signet-{kind}-{subject}-{YYYYMMDD-HHMMSS}.{ext}` (UTC), the
/// subject (a provider's host, a connector's name) cut to letters, digits, `.` and `-`.
pub fn file_name(kind: &str, subject: &str, ms: u64, ext: &str) -> String {
    let mut s = String::with_capacity(subject.len());
    for c in subject.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if !(c == '-' && (s.is_empty() || s.ends_with('-'))) {
            s.push(c);
        }
    }
    let s: String = s.trim_matches(['-', '.']).chars().take(60).collect();
    let subject = if s.is_empty() { "report".into() } else { s };
    let secs = ms / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let t = secs % 86_400;
    format!(
        "signet-{kind}-{subject}-{y:04}{m:02}{d:02}-{:02}{:02}{:02}.{ext}",
        t / 3600,
        (t % 3600) / 60,
        t % 60
    )
}

/// The date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_dated_in_utc() {
        // Dates checked with Python's datetime.utcfromtimestamp.
        assert_eq!(
            file_name("audit", "api.Example.com:8443", 1_796_000_000_000, "html"),
            "signet-audit-api.example.com-8443-20261130-005320.html"
        );
        assert_eq!(
            file_name("audit", "../../etc/passwd", 951_782_400_000, "json"),
            "signet-audit-etc-passwd-20000229-000000.json"
        );
        assert_eq!(
            file_name("run", "  ", 0, "html"),
            "signet-run-report-19700101-000000.html"
        );
    }
}
