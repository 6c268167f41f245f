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
    /// An audit found a required check the provider does not enforce.
    NotEnforced = 6,
}

impl Exit {
    /// The exit code for a failure the flow or a call reported.
    pub fn for_report(report: &ErrorReport) -> Self {
        Self::for_kind(report.kind)
    }

    /// The exit code for a kind of failure.
    pub fn for_kind(kind: signet_oauth1::ErrorKind) -> Self {
        use signet_oauth1::ErrorKind as K;
        match kind {
            K::Timeout
            | K::ConnectFailed
            | K::ResponseTooLarge
            | K::Redirected
            | K::TransportFailed => Self::Network,
            K::InvalidConfig
            | K::InvalidUrl
            | K::InvalidMethod
            | K::UnknownSignatureMethod
            | K::InvalidConnector
            | K::NotConnected
            | K::NotFound
            | K::DuplicateName
            | K::Invalid
            | K::Import
            | K::WrongPassphrase
            | K::WeakPassphrase
            | K::UnknownPreset
            | K::MissingValue
            | K::InvalidValue
            | K::VariableUndefined
            | K::VariableMissing
            | K::TemplateMalformed
            | K::VariableCycle
            | K::VariableTooDeep
            | K::TemplateTooLarge
            | K::BuiltinUnknown
            | K::VariableControlCharacter
            | K::SecretNotStored
            | K::NotPaginated
            | K::InvalidInputs => Self::Usage,
            K::DatabaseLocked
            | K::DatabaseCorrupt
            | K::DamagedRecord
            | K::Io
            | K::DiskFull
            | K::NewerSchema
            | K::SecretsUnreadable
            | K::Keyring
            | K::Database
            | K::DatabaseUnavailable
            | K::Internal
            | K::HttpClient
            | K::Bind
            | K::LoopbackBind
            | K::Loopback
            | K::PresetsInvalid => Self::Internal,
            K::Cancelled => Self::Abandoned,
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

    /// From an error report; fields to fix are listed under the message.
    pub fn report(report: &ErrorReport) -> Self {
        let mut message = report.message.clone();
        if report.fields.len() > 1 {
            for f in &report.fields {
                message.push_str(&format!("\n  {}: {}", f.field, f.message));
            }
        }
        Self {
            exit: Exit::for_report(report),
            message,
            hint: report.hint.clone(),
        }
    }
}

/// The result of a subcommand.
pub type Outcome = Result<(), Failure>;

impl From<signet_app::AppError> for Failure {
    fn from(e: signet_app::AppError) -> Self {
        Self::report(e.report())
    }
}
