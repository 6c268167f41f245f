//! The connector: the one model of what a person builds (basic details, connector variables,
//! authentication methods, endpoints) and the one place it becomes what gets signed.
//!
//! - [`model`]: the definition, as the store keeps it, the app edits it and the CLI runs it.
//! - [`instance`]: what an installed connector holds — variable values, consumer credentials,
//!   tokens — as resolving needs it.
//! - [`variables`]: `{{name}}` templates, their precedence, built-ins and encoding.
//! - [`curl`]: a signed request as a curl command, and the masking rules of its secrets.
//! - [`validate`]: checks of a definition while it is edited.
//! - [`pagination`]: how an endpoint pages through results; the pager that walks them.
//! - [`resolve`]: [`resolve::flow_config`] for the ten steps, [`resolve::prepare_call`] and
//!   [`resolve::sign_call`] for an endpoint call.
//!
//! Pure like the OAuth core beneath it: no clock, no randomness, no IO. Nonces, timestamps and
//! the built-in variables' values are inputs.
#![warn(missing_docs)]

pub mod curl;
pub mod instance;
pub mod model;
pub mod pagination;
pub mod resolve;
pub mod schema;
pub mod validate;
pub mod variables;

pub use instance::{ClientSecret, ClientSecretKind, Installed};
pub use model::{
    AuthKind, AuthMethod, AuthOptions, Body, CallbackSettings, Choice, Connector, Details,
    Endpoint, KeyPlacement, OAuth1, Param, Variable, VariableKind,
};
pub use resolve::{
    PreparedAuth, PreparedCall, ResolvedFlow, SentParameter, SignedCall, flow_config, prepare_call,
    resolve_flow, sign_call, sign_call_blinded,
};
pub use validate::validate;
pub use variables::{Builtins, Origin, Scope, TemplateError, VariableUse};
