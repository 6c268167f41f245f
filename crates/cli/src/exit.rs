//! Exit codes: scripts tell a usage mistake from a provider's refusal from a network failure.

use std::process::ExitCode;

use signet_oauth1::ErrorReport;

/// How `signet` ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// Something unexpected inside Signet.
    Internal = 1,
    /// The command line or an input file is wrong (clap uses 2 as well).
    Usage = 2,
    /// The provider refused (a problem report, an error status, a denial, a bad answer).
    Rejected = 3,
    /// The network failed: no connection, a timeout, an oversized or redirected answer.
    Network = 4,
    /// Nobody answered in time (no redirect or PIN), or the user cancelled.
    Abandoned = 5,
}

impl Exit {
    /// The exit code for a failure the flow or a call reported.
    pub fn for_report(report: &ErrorReport) -> Self {
        match report.kind.as_str() {
            "timeout" | "connect_failed" | "response_too_large" | "redirected"
            | "transport_failed" => Self::Network,
            "invalid_config" | "invalid_url" | "invalid_method" | "unknown_signature_method" => {
                Self::Usage
            }
            _ => Self::Rejected,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// A failure on the way: what to print and how to exit.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// The message, lower-case and specific.
    pub message: String,
    /// What to do next.
    pub hint: Option<String>,
}

impl Failure {
    /// A usage mistake with a way forward.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// From an error report.
    pub fn report(report: &ErrorReport) -> Self {
        Self {
            exit: Exit::for_report(report),
            message: report.message.clone(),
            hint: report.hint.clone(),
        }
    }
}

/// The result of a subcommand.
pub type Outcome = Result<(), Failure>;
