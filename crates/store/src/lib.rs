//! Signet's local database, on sled: connectors, credentials, run history and settings, one tree
//! per record kind.
//!
//! - **Secrets at rest** (consumer secrets, RSA private keys, token secrets) are sealed with
//!   XChaCha20-Poly1305 under a data key kept in the OS keyring (Secret Service on Linux) or, when
//!   there is none, in a key file beside the database with mode 0600. [`Store::key_status`] says
//!   which, in plain words. Without the key, secrets are reported unreadable and everything else
//!   works.
//! - **Safe writes**: every change is flushed before the call returns, and changes touching
//!   several records are one sled transaction.
//! - **Versioned**: the database and each record carry a version; older databases are upgraded,
//!   newer ones refused untouched.
//! - **Clear failures**: a database locked by another Signet, damaged files
//!   ([`Store::move_aside`]), a missing key, a full disk each have their own [`Error`] and message.
//! - **Export and import** of connectors as documented JSON (`EXPORT-FORMAT.md`), secrets only on
//!   request and then encrypted under a passphrase.
//!
//! ```
//! use signet_store::{ClientSecret, ConnectorSpec, KeyringChoice, OpenOptions, Store};
//! use signet_oauth1::Secret;
//!
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(&OpenOptions::new(dir.path()).keyring(KeyringChoice::File))?;
//! let photos = store.create_connector(ConnectorSpec::new(
//!     "Photos",
//!     "https://photos.example.net/initiate",
//!     "https://photos.example.net/authorize",
//!     "https://photos.example.net/token",
//! ))?;
//! store.set_client_credentials(photos.id, "dpf43f3p2l4k3l03", ClientSecret::Shared(Secret::new("kd94hf93k423kf44")))?;
//! let creds = store.credentials(photos.id)?.unwrap();
//! assert_eq!(creds.client_secret.secret().expose(), "kd94hf93k423kf44");
//! assert_eq!(store.list_connectors()?.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod connectors;
pub mod credentials;
pub mod crypto;
pub mod error;
pub mod export;
pub mod keyring;
mod keys;
pub mod runs;
mod schema;
mod settings;
pub mod store;
pub mod time;

pub use connectors::{Connector, ConnectorSpec};
pub use credentials::{
    ClientSecret, ClientSecretKind, Credentials, CredentialsSummary, TokenCredentials, TokenSummary,
};
pub use error::{Error, Problem, Problems, Result};
pub use export::{ExportOptions, ExportSecrets, ImportOptions, ImportReport, OnConflict};
pub use keyring::{
    KeyFile, KeyLocation, KeyStatus, KeyStore, KeyStoreError, KeyringChoice, MemoryKeyStore,
};
pub use keys::{ConnectorId, RunId};
pub use runs::{NewRun, RunOutcome, RunRecord, redact};
pub use schema::SCHEMA_VERSION;
pub use store::{DATA_DIR_ENV, OpenOptions, Store, resolve_data_dir};
pub use time::Timestamp;
