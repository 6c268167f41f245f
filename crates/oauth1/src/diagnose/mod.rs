//! Diagnosis in plain words, shared by the app and the CLI: what a refusal means and what to do
//! ([`decoder`]), whether the clocks disagree ([`skew`]), where the provider's signature base
//! string parts from ours ([`diff`]), and what is likely to go wrong before a request is sent
//! ([`lint`]). Pure, like the rest of the core: the caller hands in what it received.

pub mod decoder;
pub mod diff;
pub mod lint;
pub mod skew;

use serde::{Deserialize, Serialize};

pub use decoder::{Diagnosis, decode, decode_report};
pub use diff::{BaseStringDiff, Difference, diff_base_strings, extract_base_string};
pub use lint::{Lint, LintOptions, Severity, lint_config, lint_url};
pub use skew::{SkewReport, skew_from_acceptable_timestamps, skew_from_date};

use crate::error::{ErrorKind, ErrorReport};
use crate::flow::{RecordedResponse, Snapshot, StepId};
use crate::trace::SigningTrace;

/// Everything Signet can say about the step a flow failed at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FailureDiagnosis {
    /// The step that failed.
    pub step: StepId,
    /// Readings of the failure, most specific first (never empty).
    pub diagnoses: Vec<Diagnosis>,
    /// The clock skew, when the engine measured one worth mentioning or the provider named
    /// its acceptable timestamps.
    pub skew: Option<SkewReport>,
    /// Our base string against the one the provider sent back (Flickr's `debug_sbs`, the demo
    /// provider's `debug_base_string`), when it sent one.
    pub diff: Option<BaseStringDiff>,
}

/// Reads a snapshot's failure: the response of the failing step (or of the request that led to
/// it), its error report, the measured clock skew and any base string the provider echoed.
/// `None` when the flow has not failed.
pub fn diagnose_snapshot(snapshot: &Snapshot) -> Option<FailureDiagnosis> {
    let failure = snapshot.error.as_ref()?;
    let step = failure.step;
    // The exchange behind the failure: the failing step's own, else the nearest earlier one
    // (step 5 fails on step 3's response, step 9 on step 8's).
    let exchange = snapshot
        .steps
        .iter()
        .filter(|s| s.number <= step.number())
        .rev()
        .find_map(|s| s.exchanges.last());
    Some(diagnose_exchange(
        step,
        &failure.error,
        exchange.and_then(|x| x.response.as_ref()),
        exchange.map(|x| &x.trace),
        snapshot.clock_skew_seconds,
    ))
}

/// Reads one failed request: the provider's answer (when one came), the error Signet made of
/// it, the request's signing trace (when it was signed) and the clock skew measured from the
/// answer's `Date`. The flow's steps and endpoint calls share this.
pub fn diagnose_exchange(
    step: StepId,
    error: &ErrorReport,
    response: Option<&RecordedResponse>,
    trace: Option<&SigningTrace>,
    clock_skew_seconds: Option<i64>,
) -> FailureDiagnosis {
    let mut diagnoses = Vec::new();
    // When the request itself went wrong on the way (a redirect, an answer too large, a
    // timeout), that is the story; what little came back is read after it.
    let transport = matches!(
        error.kind,
        ErrorKind::Redirected
            | ErrorKind::ResponseTooLarge
            | ErrorKind::Timeout
            | ErrorKind::ConnectFailed
            | ErrorKind::TransportFailed
    );
    if transport {
        diagnoses.extend(decode_report(error));
    }
    if let Some(r) = response {
        let ct = r
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str());
        diagnoses.extend(decode(r.status, ct, r.body.as_bytes()));
    }
    for d in decode_report(error) {
        if !diagnoses.iter().any(|x| x.id == d.id) {
            diagnoses.push(d);
        }
    }
    if diagnoses.is_empty() {
        // No reading of the provider's answer: the error's own hint is the way forward (a
        // timeout, an oversized or redirected answer say what to do themselves).
        diagnoses.push(match &error.hint {
            Some(hint) => Diagnosis {
                id: format!("report.{}", error.kind),
                provider: None,
                cause: error.message.clone(),
                explanation: String::new(),
                fix: hint.clone(),
                evidence: format!("error kind {}", error.kind),
            },
            None => decoder::unknown(&error.message),
        });
    }

    let body = response.map(|r| r.body.as_str()).unwrap_or("");
    let sent_timestamp = trace.and_then(|t| {
        t.parameters
            .iter()
            .find(|p| p.name == "oauth_timestamp")
            .and_then(|p| p.value.parse::<i64>().ok())
    });
    let from_problem = decoder::form_field(body, "oauth_acceptable_timestamps")
        .zip(sent_timestamp)
        .and_then(|(range, ts)| skew_from_acceptable_timestamps(&range, ts, 0));
    let skew = from_problem.or_else(|| {
        clock_skew_seconds
            .map(|s| SkewReport::new(s, 0))
            .filter(|s| s.significant)
    });
    let diff = trace.and_then(|t| {
        let theirs = extract_base_string(body)?;
        Some(diff_base_strings(&t.base_string, &theirs))
    });
    FailureDiagnosis {
        step,
        diagnoses,
        skew,
        diff,
    }
}
