//! OAuth 1.0a as RFC 5849 defines it, with no IO: percent-encoding, parameter collection, the
//! signature base string, all seven signature methods, parameter placement, a signing trace,
//! and parsing of what providers send back (token responses, problem reports, callbacks).
//!
//! Nonce and timestamp are inputs, so every result is a pure function of its arguments: the
//! desktop app, the CLI, the demo provider's verifier and the tests share one deterministic core.
//!
//! ```
//! use signet_oauth1::{HttpRequest, OAuthParams, Secret, SignOptions, SignatureMethod, Signer, sign};
//!
//! // RFC 5849 section 1.2: the client asks for temporary credentials.
//! let signer = Signer::shared(SignatureMethod::HmacSha1, &Secret::new("kd94hf93k423kf44"), None)?;
//! let req = HttpRequest { method: "POST", url: "https://photos.example.net/initiate", ..Default::default() };
//! let oauth = OAuthParams {
//!     consumer_key: "dpf43f3p2l4k3l03",
//!     callback: Some("http://printer.example.com/ready"),
//!     nonce: "wIjqoS",
//!     timestamp: "137131200",
//!     realm: Some("Photos"),
//!     ..Default::default()
//! };
//! let opts = SignOptions { include_version: false, ..Default::default() };
//! let signed = sign(&req, &oauth, &signer, &opts)?;
//! assert_eq!(signed.signature(), "74KNZJeDHnMBp0EMJ9ZHt/XKycU=");
//! # Ok::<(), signet_oauth1::Error>(())
//! ```
#![warn(missing_docs)]

pub mod base_string;
pub mod callback;
pub mod diagnose;
pub mod encoding;
pub mod error;
pub mod flow;
pub mod parameters;
pub mod placement;
pub mod request;
pub mod response;
pub mod secret;
pub mod signing;
pub mod trace;
pub mod vector;
pub mod verify;

pub use callback::{Callback, CallbackError, CallbackMode};
pub use error::{Error, ErrorKind, ErrorReport, Result};
pub use flow::{Flow, FlowConfig, FlowError};
pub use placement::{AuthorizationHeader, Placement};
pub use request::{HttpRequest, OAuthParams, SignOptions, Signed, sign, sign_traced};
pub use response::{Problem, ResponseError, TokenResponse, parse_token_response};
pub use secret::Secret;
pub use signing::rsa::{RsaPrivateKeyPem, RsaPublicKeyPem};
pub use signing::{SignatureMethod, Signer, Verifier};
pub use trace::{SigningTrace, TracedParameter};
