//! Every use case fails with an [`AppError`]: an [`ErrorReport`] `{ kind, message, hint?,
//! provider_says?, fields? }` the UI switches on by kind. This module turns the store's, the
//! engine's and the demo provider's failures into one.

use signet_oauth1::flow::FieldProblem;
use signet_oauth1::{ErrorKind, ErrorReport};

/// A use case's failure, as it crosses to the UI.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct AppError(pub ErrorReport);

/// Result with [`AppError`].
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// A failure of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(ErrorReport::new(kind, message))
    }

    /// With what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.0.hint = Some(hint.into());
        self
    }

    /// A connector or call with problems, each named by field: the first in the message, all
    /// of them in `fields`.
    pub fn invalid(problems: Vec<FieldProblem>) -> Self {
        let message = match problems.as_slice() {
            [] => "the connector is not complete".to_owned(),
            [one] => one.message.clone(),
            [first, rest @ ..] => format!(
                "{} (and {} more problem{})",
                first.message,
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
        };
        Self(ErrorReport::new(ErrorKind::InvalidConnector, message).with_fields(problems))
            .hint("fix the fields named, then try again")
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The report.
    pub fn report(&self) -> &ErrorReport {
        &self.0
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for AppError {}

impl From<signet_store::Error> for AppError {
    fn from(e: signet_store::Error) -> Self {
        Self(e.report())
    }
}

impl From<signet_engine::Error> for AppError {
    fn from(e: signet_engine::Error) -> Self {
        Self(e.report())
    }
}

impl From<signet_provider::Error> for AppError {
    fn from(e: signet_provider::Error) -> Self {
        Self::new(e.kind(), e.to_string())
    }
}

impl From<ErrorReport> for AppError {
    fn from(r: ErrorReport) -> Self {
        Self(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_as_kind_message_hint_and_fields() {
        let e = AppError::new(ErrorKind::NoSuchRun, "no run r9").hint("start a new one");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"kind":"no_such_run","message":"no run r9","hint":"start a new one"}"#
        );
        let e = AppError::invalid(vec![
            FieldProblem {
                field: "details.name".into(),
                message: "the connector needs a name".into(),
            },
            FieldProblem {
                field: "endpoints[0].url".into(),
                message: "the URL is empty".into(),
            },
        ]);
        assert_eq!(e.kind(), ErrorKind::InvalidConnector);
        assert_eq!(
            e.to_string(),
            "the connector needs a name (and 1 more problem)"
        );
        assert_eq!(e.report().fields.len(), 2);
    }
}
