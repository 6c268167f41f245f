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

/// A file name for a report: `signet-{kind}-{subject}-{stamp}.{ext}`, the subject (a
/// provider's host, a connector's name) cut to letters, digits, `.` and `-`; `stamp` is the
/// run's time in the compact UTC form the store writes (`20261208T003515Z`).
pub fn file_name(kind: &str, subject: &str, stamp: &str, ext: &str) -> String {
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
    format!("signet-{kind}-{subject}-{stamp}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("audit", "api.Example.com:8443", "20261130T005320Z", "html"),
            "signet-audit-api.example.com-8443-20261130T005320Z.html"
        );
        assert_eq!(
            file_name("audit", "../../etc/passwd", "20000229T000000Z", "json"),
            "signet-audit-etc-passwd-20000229T000000Z.json"
        );
        assert_eq!(
            file_name("run", "  ", "19700101T000000Z", "html"),
            "signet-run-report-19700101T000000Z.html"
        );
    }
}
