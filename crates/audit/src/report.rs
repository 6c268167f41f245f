//! What an audit found: a row per check (what was sent, what came back, the verdict and what
//! it means), the scorecard, and the JUnit XML CI reads. Nothing in it is secret: requests are
//! kept as recorded (secret values redacted), and no token secret or verifier is kept.

use serde::{Deserialize, Serialize};
use signet_oauth1::SigningTrace;
use signet_oauth1::flow::{RecordedRequest, RecordedResponse, StepId};

use crate::alter::Change;
use crate::checks::CheckId;

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The provider refused the wrong request (or its answer was right).
    Enforced,
    /// The provider let it through.
    NotEnforced,
    /// The answer proves neither (no answer, a server error, a valid request refused too).
    CouldNotTell,
    /// The check has no meaning for this provider or method (PIN callbacks, RSA signatures
    /// and the token secret, a provider on this machine).
    DoesNotApply,
}

impl Verdict {
    /// How reports write it.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Enforced => "enforced",
            Verdict::NotEnforced => "not enforced",
            Verdict::CouldNotTell => "could not tell",
            Verdict::DoesNotApply => "does not apply",
        }
    }
}

/// A request the audit sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SentRequest {
    /// As sent (secret values redacted).
    pub request: RecordedRequest,
    /// How the request was signed (for a request altered after signing, the valid one's
    /// signing: `changes` says what was altered).
    pub trace: SigningTrace,
    /// How it differs from the valid request (empty: it is the valid request).
    pub changes: Vec<Change>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Answer {
    /// The response (secret values redacted), when one came.
    pub response: Option<RecordedResponse>,
    /// Why none came (timeout, refused connection, ...).
    pub transport_error: Option<String>,
    /// `oauth_problem`, when the provider said it.
    pub problem: Option<String>,
    /// `oauth_problem_advice`.
    pub advice: Option<String>,
}

/// One check's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckResult {
    /// Which check.
    pub id: CheckId,
    /// What is checked, in plain words.
    pub title: String,
    /// The step whose request was altered.
    pub step: StepId,
    /// A hole for the provider's users when not enforced.
    pub required: bool,
    /// The outcome.
    pub verdict: Verdict,
    /// Why this verdict, in plain words.
    pub reason: String,
    /// What not enforcing it means for the provider's users (for every row, so a reader sees
    /// why the check matters).
    pub meaning: String,
    /// What was sent (none for checks that read other answers).
    pub sent: Option<SentRequest>,
    /// What came back.
    pub answer: Option<Answer>,
    /// What the request changed on the provider when it was let through (a request token or
    /// an access token issued), said so it is never a surprise.
    pub side_effect: Option<String>,
}

impl CheckResult {
    /// A row for `id` with its catalogue entry, `verdict` and `reason`, nothing sent.
    pub fn new(id: CheckId, verdict: Verdict, reason: String) -> Self {
        let info = id.info();
        Self {
            id,
            title: info.title.into(),
            step: info.step,
            required: info.required,
            verdict,
            reason,
            meaning: info.not_enforced.into(),
            sent: None,
            answer: None,
            side_effect: None,
        }
    }
}

/// The counts of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Score {
    /// Checks enforced.
    pub enforced: u32,
    /// Checks not enforced.
    pub not_enforced: u32,
    /// Required checks not enforced (the CLI exits non-zero when there are any).
    pub required_not_enforced: u32,
    /// Checks whose answer proved nothing.
    pub could_not_tell: u32,
    /// Checks that do not apply.
    pub does_not_apply: u32,
    /// The checks decided: enforced or not (the scorecard's "of").
    pub decided: u32,
}

impl Score {
    /// "9 of 11 checks enforced".
    pub fn headline(&self) -> String {
        format!("{} of {} checks enforced", self.enforced, self.decided)
    }

    /// Whether the audit told nothing: no check was decided either way.
    pub fn inconclusive(&self) -> bool {
        self.decided == 0
    }
}

/// What became of the instance's access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TokenOutcome {
    /// The saved token answered a resource call after the audit.
    StillValid,
    /// The audit's dance issued a new access token, kept in place of the old one.
    Reissued {
        /// The new access token (public; its secret is kept encrypted, never here).
        token: String,
    },
    /// The saved access token (if any) is left as it was: the audit issued none it could
    /// keep, or was stopped before the saved one was tried.
    Unchanged,
}

/// An audit's whole result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditReport {
    /// The provider audited: the host of its request-token address.
    pub provider: String,
    /// The signature method audited.
    pub signature_method: String,
    /// Where the OAuth parameters travelled.
    pub placement: String,
    /// When it started and ended (ms since the epoch).
    pub started_ms: u64,
    /// When it ended.
    pub finished_ms: u64,
    /// A row per check, in order.
    pub checks: Vec<CheckResult>,
    /// The counts.
    pub score: Score,
    /// How many requests the audit sent (the dances' included).
    pub requests_sent: u32,
    /// What became of the token.
    pub token: TokenOutcome,
    /// What went wrong without stopping the audit.
    pub warnings: Vec<String>,
}

impl AuditReport {
    /// Counts the rows.
    pub fn score_of(checks: &[CheckResult]) -> Score {
        let mut s = Score::default();
        for c in checks {
            match c.verdict {
                Verdict::Enforced => s.enforced += 1,
                Verdict::NotEnforced => {
                    s.not_enforced += 1;
                    if c.required {
                        s.required_not_enforced += 1;
                    }
                }
                Verdict::CouldNotTell => s.could_not_tell += 1,
                Verdict::DoesNotApply => s.does_not_apply += 1,
            }
        }
        s.decided = s.enforced + s.not_enforced;
        s
    }

    /// The row of `id`.
    pub fn check(&self, id: CheckId) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The report as JUnit XML: a test case per check; not enforced is a failure (required
    /// ones) or a skipped case with the reason (recommendations), could not tell and does not
    /// apply are skipped with theirs.
    pub fn junit(&self) -> String {
        let failures = self.score.required_not_enforced;
        let skipped = self.checks.len() as u32 - self.score.enforced - failures;
        let seconds = self.finished_ms.saturating_sub(self.started_ms) as f64 / 1000.0;
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<testsuites name=\"signet audit\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{seconds:.3}\">\n",
            self.checks.len()
        ));
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{seconds:.3}\">\n",
            xml(&format!("provider audit: {} ({})", self.provider, self.signature_method)),
            self.checks.len()
        ));
        for c in &self.checks {
            out.push_str(&format!(
                "    <testcase classname=\"signet.audit\" name=\"{}\">",
                xml(&format!("{}: {}", c.id, c.title))
            ));
            let why = format!("{} — {}", c.reason, c.meaning);
            match (c.verdict, c.required) {
                (Verdict::Enforced, _) => {}
                (Verdict::NotEnforced, true) => out.push_str(&format!(
                    "<failure message=\"{}\" type=\"not_enforced\">{}</failure>",
                    xml(&c.reason),
                    xml(&why)
                )),
                (v, _) => out.push_str(&format!(
                    "<skipped message=\"{}\"/>",
                    xml(&format!("{}: {}", v.label(), c.reason))
                )),
            }
            out.push_str("</testcase>\n");
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

/// Text escaped for XML attributes and content.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: CheckId, verdict: Verdict) -> CheckResult {
        CheckResult::new(id, verdict, "because <it> said \"no\" & more".into())
    }

    #[test]
    fn the_score_counts_required_holes_apart() {
        let checks = vec![
            row(CheckId::RequestTokenSignature, Verdict::Enforced),
            row(CheckId::NonceReplay, Verdict::NotEnforced),
            row(CheckId::TwoPlaces, Verdict::NotEnforced),
            row(CheckId::PlaintextOverHttp, Verdict::DoesNotApply),
            row(CheckId::StatusCodes, Verdict::CouldNotTell),
        ];
        let s = AuditReport::score_of(&checks);
        assert_eq!(
            s,
            Score {
                enforced: 1,
                not_enforced: 2,
                required_not_enforced: 1,
                could_not_tell: 1,
                does_not_apply: 1,
                decided: 3,
            }
        );
        assert_eq!(s.headline(), "1 of 3 checks enforced");
    }

    #[test]
    fn junit_fails_required_holes_and_skips_the_rest_escaped() {
        let checks = vec![
            row(CheckId::RequestTokenSignature, Verdict::Enforced),
            row(CheckId::NonceReplay, Verdict::NotEnforced),
            row(CheckId::TwoPlaces, Verdict::NotEnforced),
            row(CheckId::PlaintextOverHttp, Verdict::DoesNotApply),
        ];
        let report = AuditReport {
            provider: "api.example.com".into(),
            signature_method: "HMAC-SHA1".into(),
            placement: "header".into(),
            started_ms: 1_000,
            finished_ms: 3_500,
            score: AuditReport::score_of(&checks),
            checks,
            requests_sent: 20,
            token: TokenOutcome::Unchanged,
            warnings: vec![],
        };
        let x = report.junit();
        assert!(
            x.contains("tests=\"4\" failures=\"1\" skipped=\"2\" time=\"2.500\""),
            "{x}"
        );
        assert!(x.contains("name=\"nonce_replay: A replayed request is refused\"><failure"));
        assert!(x.contains("name=\"two_places: OAuth parameters in two places at once are refused\"><skipped message=\"not enforced: because &lt;it&gt; said &quot;no&quot; &amp; more\"/>"));
        assert!(x.contains("<skipped message=\"does not apply: because"));
        assert!(!x.contains("<it>"));
        assert_eq!(x.matches("<testcase").count(), 4);
    }
}
