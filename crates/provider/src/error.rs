//! Errors of the demo provider's library surface (starting it, driving its consent page).

use signet_oauth1::ErrorKind;

/// Result with the provider's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong starting or driving the demo provider.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listening socket could not be opened.
    #[error("could not bind the demo provider to {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A demo key or configured key could not be read.
    #[error("the demo provider's key material is unusable: {0}")]
    Key(Box<signet_oauth1::Error>),
    /// An authorize URL without an `oauth_token` to approve.
    #[error("the authorize url {0:?} has no oauth_token in its query")]
    NoTokenInAuthorizeUrl(String),
    /// The request to the consent page could not be sent.
    #[error("the consent page could not be reached: {0}")]
    Http(#[from] reqwest::Error),
    /// The consent page refused the approval (unknown token, wrong password, ...).
    #[error("the consent page answered http {status}: {reason}")]
    Approve {
        /// The HTTP status.
        status: u16,
        /// The page's own explanation.
        reason: String,
    },
}

impl From<signet_oauth1::Error> for Error {
    fn from(e: signet_oauth1::Error) -> Self {
        Self::Key(Box::new(e))
    }
}

impl Error {
    /// A stable machine-readable kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Bind { .. } => ErrorKind::Bind,
            Self::Key(_) => ErrorKind::Key,
            Self::NoTokenInAuthorizeUrl(_) => ErrorKind::NoTokenInAuthorizeUrl,
            Self::Http(_) => ErrorKind::Http,
            Self::Approve { .. } => ErrorKind::ApproveRefused,
        }
    }
}
