//! Signet's local database, on sled: connectors (definitions), their instances (values,
//! credentials, tokens), run history and settings, one tree per record kind.
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
//! - **Lists that stay flat**: each connector's [`ConnectorHead`], each run's [`RunHead`] and
//!   each instance's run count are kept beside the records in the same transaction, so listing
//!   hundreds of connectors or a page of a 100,000-run history reads a few hundred bytes a row
//!   ([`Store::list_connector_heads`], [`Store::runs_page`], [`Store::runs_of`]). A database
//!   from before them gets them once, on its first open.
//!
//! ```
//! use signet_connector::{Connector, OAuth1, AuthMethod, AuthKind, AuthOptions};
//! use signet_store::{ClientSecret, Credentials, KeyringChoice, NewInstance, OpenOptions, Store};
//! use signet_oauth1::Secret;
//!
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(&OpenOptions::new(dir.path()).keyring(KeyringChoice::File))?;
//! let mut photos = Connector::named("Photos");
//! photos.auth_methods.push(AuthMethod {
//!     id: "oauth1".into(),
//!     name: "OAuth 1.0a".into(),
//!     kind: AuthKind::OAuth1(Box::new(OAuth1::three_legged(
//!         "https://photos.example.net/initiate",
//!         "https://photos.example.net/authorize",
//!         "https://photos.example.net/token",
//!     ))),
//!     options: AuthOptions::default(),
//! });
//! let (photos, default) = store.create_connector(photos, NewInstance {
//!     credentials: Some(Credentials {
//!         consumer_key: "dpf43f3p2l4k3l03".into(),
//!         client_secret: ClientSecret::Shared(Secret::new("kd94hf93k423kf44")),
//!         token: None,
//!     }),
//!     ..NewInstance::default()
//! })?;
//! let creds = store.credentials(default.id)?.unwrap();
//! assert_eq!(creds.client_secret.secret().expose(), "kd94hf93k423kf44");
//! assert_eq!(store.instances_of(photos.id)?.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod connectors;
pub mod credentials;
pub mod crypto;
pub mod error;
pub mod export;
pub mod instances;
pub mod keyring;
mod keys;
pub mod migrate;
pub mod runs;
mod schema;
mod settings;
pub mod store;
pub mod time;

pub use connectors::{ConnectorHead, MAX_NAME_LEN, StoredConnector, definition_problems};
pub use credentials::{
    ClientSecret, ClientSecretKind, Credentials, CredentialsSummary, TokenCredentials, TokenSummary,
};
pub use error::{Error, Problem, Problems, Result};
pub use export::{ExportOptions, ExportSecrets, ImportOptions, ImportReport, OnConflict};
pub use instances::{DEFAULT_INSTANCE, Instance, InstanceChanges, NewInstance};
pub use keyring::{
    KeyFile, KeyLocation, KeyStatus, KeyStore, KeyStoreError, KeyringChoice, MemoryKeyStore,
};
pub use keys::{ConnectorId, InstanceId, RunId};
pub use runs::{
    HISTORY_EXTRAS, HISTORY_LIMIT_RANGE, MAX_RUNS_PER_INSTANCE, NewRun, RunHead, RunKind,
    RunOutcome, RunRecord, RunsPage, redact,
};
pub use schema::SCHEMA_VERSION;
pub use store::{DATA_DIR_ENV, OpenOptions, OpenTimings, Store, resolve_data_dir};
pub use time::Timestamp;
