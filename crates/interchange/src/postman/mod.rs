//! Postman collections: import (v2.0 and v2.1, with an environment) and export (v2.1).
//!
//! What maps to what (the import report names every exception):
//!
//! | Postman | Signet |
//! |---------|--------|
//! | `info.name`, `info.description`, `info.version` | the connector's name, description, version |
//! | collection variables (and an environment's, which win) | connector variables: a secret-looking name (`…secret`, `password`, `token`, `api_key`, …) or type `secret` is a secret variable, its value kept encrypted with the instance; other values are defaults |
//! | OAuth 1.0 auth, at collection, folder or request level (inherited as Postman does) | the OAuth 1.0a method: consumer key and secret or RSA private key and token into the instance; signature method, realm, version, empty parameters, body hash, header placement; token requests found among the requests become its steps 3, 6 and 8 |
//! | No auth, Basic, API key, Bearer | No auth, Basic and Token methods |
//! | requests, in folders | endpoints named `Folder / Request`: method, URL (`:name` path variables as endpoint variables), query, headers, body (urlencoded, raw JSON/XML/text, form-data's text fields) |
//! | pre-request and test scripts | kept as text in the description, not run |
//!
//! A `_signet` object (collection and items) carries what Postman has no place for — an
//! endpoint's id, its variables' kinds, pagination and schema, a method's callback — so that an
//! exported collection imports back to the same connector. Postman ignores it; where the
//! Postman fields say something (edited in Postman), they win.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use signet_connector::Connector;
use signet_oauth1::Secret;

mod export;
mod import;
mod templates;

pub use export::{ExportOptions, export};
pub use import::import;

/// The largest collection or environment file read (a larger one is refused before parsing).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The deepest nesting of folders.
pub const MAX_FOLDER_DEPTH: usize = 32;
/// The most requests in one collection.
pub const MAX_REQUESTS: usize = 5_000;
/// The longest text in a collection (a URL, a body, a script).
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// The v2.1 schema's address, as `info.schema` names it.
pub const SCHEMA_V21: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// What kind of remark an import note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Something Signet does differently from Postman, and how.
    Changed,
    /// Something left out, and why.
    Dropped,
    /// Scripts: kept as text, not run.
    NotRun,
    /// Something worth knowing (where a value went).
    Info,
}

/// One remark of the import report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportNote {
    /// Where in the collection (`item[2].request.auth`), or `environment.values[0]`.
    pub path: String,
    /// The request or folder it is about (`Orders / Get order`), when it is about one.
    pub item: Option<String>,
    /// What kind of remark.
    pub kind: NoteKind,
    /// What happened, in plain words.
    pub message: String,
}

/// An instance's values and credentials as a collection carries them: what an imported
/// connector's instance starts with, and what an export writes (secrets only when asked).
/// Secrets are [`Secret`]s (wiped when dropped, never printed).
#[derive(Debug, Clone, Default)]
pub struct InstanceValues {
    /// Values of variables that are not secret.
    pub values: BTreeMap<String, String>,
    /// Values of secret variables.
    pub secrets: BTreeMap<String, Secret>,
    /// `oauth_consumer_key` (empty when the collection has none).
    pub consumer_key: String,
    /// The consumer secret (HMAC-*, PLAINTEXT).
    pub consumer_secret: Option<Secret>,
    /// The RSA private key, PEM (RSA-*).
    pub rsa_private_key_pem: Option<Secret>,
    /// A pre-issued access token and its secret.
    pub token: Option<(String, Secret)>,
}

/// A collection read into a connector.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The connector.
    pub connector: Connector,
    /// Its instance's values and credentials.
    pub instance: InstanceValues,
    /// Every choice the import made that the user should know of.
    pub notes: Vec<ImportNote>,
}

/// A file that cannot be imported: every problem, each where it is. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// `(where, what)`: `("item[3].request.url", "is a number: ...")`; `where` is empty for the
    /// file as a whole.
    pub problems: Vec<(String, String)>,
}

impl ImportError {
    fn one(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            problems: vec![(path.into(), message.into())],
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (path, message)) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if path.is_empty() {
                f.write_str(message)?;
            } else {
                write!(f, "{path}: {message}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}
