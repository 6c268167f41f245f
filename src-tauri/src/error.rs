//! Every command fails with an [`ErrorReport`] `{ kind, message, hint? }`, so the UI switches on
//! `kind` instead of parsing text. This module turns the engine's, the store's and the shell's
//! own failures into one.

use signet_ipc::ErrorReport;

/// A command's failure, as it crosses to the UI.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Error(pub ErrorReport);

/// The commands' result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A failure of the shell itself.
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        Self(ErrorReport {
            kind: signet_oauth1::ErrorKind::from_name(kind),
            message: message.into(),
            hint: None,
            provider_says: None,
        })
    }

    /// The same, with what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.0.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Error {}

impl From<signet_store::Error> for Error {
    fn from(e: signet_store::Error) -> Self {
        Self(e.report())
    }
}

impl From<signet_engine::Error> for Error {
    fn from(e: signet_engine::Error) -> Self {
        Self(e.report())
    }
}

impl From<signet_provider::Error> for Error {
    fn from(e: signet_provider::Error) -> Self {
        Self::new(e.kind().as_str(), e.to_string())
    }
}

impl From<ErrorReport> for Error {
    fn from(r: ErrorReport) -> Self {
        Self(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_as_kind_message_hint() {
        let e = Error::new("no_such_run", "no run r9").hint("start a new one");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"kind":"no_such_run","message":"no run r9","hint":"start a new one"}"#
        );
    }
}
