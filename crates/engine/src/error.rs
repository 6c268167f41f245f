//! Errors of the engine: what stops a run before or outside the flow's own steps (the flow's
//! step failures are in its snapshot, not here). They cross to the UI as `{ kind, message, hint }`.

use signet_oauth1::ErrorKind;
use std::net::SocketAddr;

use signet_oauth1::{ErrorReport, FlowError};

/// Result with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The flow refused the configuration or an event.
    #[error("{0}")]
    Flow(#[from] FlowError),
    /// The HTTP client could not be built (TLS roots, say).
    #[error("the http client could not be set up: {0}")]
    HttpClient(String),
    /// The loopback listener could not bind.
    #[error("could not listen for the callback on {addr}: {source}")]
    LoopbackBind {
        /// The address tried.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The loopback listener failed while waiting.
    #[error("the callback listener failed: {0}")]
    Loopback(#[source] std::io::Error),
    /// The browser could not be started.
    #[error("could not open the browser with {command:?}: {reason}")]
    Browser {
        /// The command tried.
        command: String,
        /// Why.
        reason: String,
    },
}

impl Error {
    /// A stable kind for the UI.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Flow(e) => e.kind(),
            Self::HttpClient(_) => ErrorKind::HttpClient,
            Self::LoopbackBind { .. } => ErrorKind::LoopbackBind,
            Self::Loopback(_) => ErrorKind::Loopback,
            Self::Browser { .. } => ErrorKind::Browser,
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Flow(e) => e.report().hint,
            Self::HttpClient(_) => None,
            Self::LoopbackBind { .. } => Some(
                "another program uses this port: pick another port, or 0 to let Signet choose one".into(),
            ),
            Self::Loopback(_) => Some("retry; if it keeps failing, use the PIN (oob) mode".into()),
            Self::Browser { .. } => Some(
                "open the authorization address yourself (Signet shows it), or set $BROWSER or --browser".into(),
            ),
        }
    }

    /// `{ kind, message, hint }`.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            fields: Vec::new(),
            provider_says: None,
            kind: self.kind(),
            message: self.to_string(),
            hint: self.hint(),
        }
    }
}
