//! Where the data key lives: the OS keyring (Secret Service on Linux) when there is one, else a
//! key file beside the database readable only by its owner (mode 0600).
//!
//! The choice is made once, when a database is first opened, and recorded in the database; later
//! opens look only where the key was put, so a keyring that appears or disappears later never
//! makes Signet silently create a second key. A key that cannot be found leaves the store usable
//! with its secrets reported unreadable.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use signet_oauth1::Secret;

use crate::error::{Error, Result};

/// The environment variable that forces a backend: `file`, `system` or `auto` (the default).
pub const KEYRING_ENV: &str = "SIGNET_KEYRING";

/// The keyring service name the data key is saved under.
pub const KEYRING_SERVICE: &str = "signet";

/// Which backend to use for a new database's data key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyringChoice {
    /// The system keyring when one answers, else the key file.
    #[default]
    Auto,
    /// Always the key file (tests, CI, people who prefer it).
    File,
    /// Only the system keyring; opening fails when there is none.
    System,
}

impl KeyringChoice {
    /// Reads [`KEYRING_ENV`]; unset or empty is [`KeyringChoice::Auto`].
    pub fn from_env() -> Result<Self> {
        match std::env::var(KEYRING_ENV) {
            Ok(v) => v.parse(),
            Err(_) => Ok(Self::Auto),
        }
    }
}

impl std::str::FromStr for KeyringChoice {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "file" => Ok(Self::File),
            "system" | "keyring" | "secret-service" => Ok(Self::System),
            other => Err(Error::Keyring(format!(
                "{KEYRING_ENV}={other:?} is not a choice: use auto, file or system"
            ))),
        }
    }
}

/// Where the data key is kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyLocation {
    /// The operating system's keyring (Secret Service, Keychain, Credential Manager).
    SystemKeyring {
        /// The entry's service name.
        service: String,
        /// The entry's account name (names the database directory).
        account: String,
    },
    /// A file readable only by the owner.
    KeyFile {
        /// The file.
        path: PathBuf,
    },
    /// Memory only (tests).
    Memory,
}

impl KeyLocation {
    /// Where the key is, in plain words for the settings screen.
    pub fn describe(&self) -> String {
        match self {
            Self::SystemKeyring { .. } => {
                "Your secrets are encrypted with a key kept in your system keyring, which \
                 unlocks when you log in."
                    .into()
            }
            Self::KeyFile { path } => format!(
                "Your secrets are encrypted with a key kept in the file {}, which only your user account \
                 can read. No system keyring was available. Anyone who can read your files can read \
                 this key, and without it your saved secrets cannot be recovered: back it up together \
                 with the database.",
                path.display()
            ),
            Self::Memory => {
                "Your secrets are encrypted with a key kept in memory only; it is lost when \
                 Signet exits."
                    .into()
            }
        }
    }

    pub(crate) fn tag(&self) -> &'static str {
        match self {
            Self::SystemKeyring { .. } => "system",
            Self::KeyFile { .. } => "file",
            Self::Memory => "memory",
        }
    }
}

impl fmt::Display for KeyLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SystemKeyring { service, .. } => {
                write!(f, "the system keyring (service {service:?})")
            }
            Self::KeyFile { path } => write!(f, "the key file {}", path.display()),
            Self::Memory => f.write_str("memory"),
        }
    }
}

/// Whether secrets can be read, and why not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KeyStatus {
    /// The data key was found (or created) and matches the database.
    Ready {
        /// Where it is.
        location: KeyLocation,
        /// Whether it was created by this open.
        created: bool,
    },
    /// The data key is gone or wrong: secrets are unreadable, everything else works.
    Missing {
        /// Where it should have been.
        location: KeyLocation,
        /// What was found instead, lower-case.
        reason: String,
    },
}

impl KeyStatus {
    /// Where the key is (or should be).
    pub fn location(&self) -> &KeyLocation {
        match self {
            Self::Ready { location, .. } | Self::Missing { location, .. } => location,
        }
    }

    /// Whether secrets can be read and written.
    pub fn is_ready(&self) -> bool {
        matches!(self, Self::Ready { .. })
    }

    /// Plain words for the user.
    pub fn describe(&self) -> String {
        match self {
            Self::Ready { location, .. } => location.describe(),
            Self::Missing { location, reason } => format!(
                "Your saved secrets cannot be read: {reason}. Connectors and history still work. \
                 Restore the key to {location}, or re-enter the consumer secrets and connect again."
            ),
        }
    }
}

/// A keyring failure, split by whether the keyring exists at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStoreError {
    /// There is no such keyring here (no Secret Service on the session bus, no session bus).
    Unavailable(String),
    /// The keyring exists but failed.
    Failed(String),
}

impl fmt::Display for KeyStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(m) => write!(f, "not available ({m})"),
            Self::Failed(m) => f.write_str(m),
        }
    }
}

/// A place to keep one data key.
pub trait KeyStore: Send + Sync {
    /// Where this store keeps the key.
    fn location(&self) -> KeyLocation;
    /// The saved key text; `Ok(None)` when nothing is saved.
    fn load(&self) -> Result<Option<Secret>, KeyStoreError>;
    /// Saves the key text, replacing any saved one.
    fn save(&self, key: &Secret) -> Result<(), KeyStoreError>;
}

/// The key file backend: one line of base64 in a file with mode 0600, written atomically
/// (temporary file, fsync, rename, fsync of the directory).
#[derive(Debug, Clone)]
pub struct KeyFile {
    path: PathBuf,
}

impl KeyFile {
    /// A key file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KeyStore for KeyFile {
    fn location(&self) -> KeyLocation {
        KeyLocation::KeyFile {
            path: self.path.clone(),
        }
    }

    fn load(&self) -> Result<Option<Secret>, KeyStoreError> {
        match fs::read_to_string(&self.path) {
            Ok(text) => {
                tighten_permissions(&self.path);
                Ok(Some(Secret::new(text.trim().to_owned())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(KeyStoreError::Failed(
                Error::io("read", &self.path, e).to_string(),
            )),
        }
    }

    fn save(&self, key: &Secret) -> Result<(), KeyStoreError> {
        write_private_file(&self.path, key.expose().as_bytes())
            .map_err(|e| KeyStoreError::Failed(e.to_string()))
    }
}

#[cfg(unix)]
fn tighten_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    }
}

#[cfg(not(unix))]
fn tighten_permissions(_path: &Path) {}

fn write_private_file(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
    f.write_all(contents)
        .and_then(|()| f.write_all(b"\n"))
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io("write", &tmp, e))?;
    drop(f);
    fs::rename(&tmp, path).map_err(|e| Error::io("rename", &tmp, e))?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The OS keyring through the `keyring` crate (Secret Service over zbus on Linux: pure Rust,
/// no libdbus).
#[cfg(feature = "secret-service")]
#[derive(Debug, Clone)]
pub struct SystemKeyring {
    service: String,
    account: String,
}

#[cfg(feature = "secret-service")]
impl SystemKeyring {
    /// The entry `service`/`account`.
    pub fn new(service: impl Into<String>, account: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            account: account.into(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, KeyStoreError> {
        keyring::Entry::new(&self.service, &self.account).map_err(map_keyring)
    }
}

#[cfg(feature = "secret-service")]
fn map_keyring(e: keyring::Error) -> KeyStoreError {
    match e {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            KeyStoreError::Unavailable(e.to_string())
        }
        other => KeyStoreError::Failed(other.to_string()),
    }
}

#[cfg(feature = "secret-service")]
impl KeyStore for SystemKeyring {
    fn location(&self) -> KeyLocation {
        KeyLocation::SystemKeyring {
            service: self.service.clone(),
            account: self.account.clone(),
        }
    }

    fn load(&self) -> Result<Option<Secret>, KeyStoreError> {
        match self.entry()?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring(e)),
        }
    }

    fn save(&self, key: &Secret) -> Result<(), KeyStoreError> {
        self.entry()?
            .set_password(key.expose())
            .map_err(map_keyring)
    }
}

/// A keyring in memory, shared between clones: lets tests play "keyring present", "keyring
/// gone" and "key removed" deterministically.
#[derive(Debug, Clone, Default)]
pub struct MemoryKeyStore {
    inner: Arc<Mutex<MemoryInner>>,
}

#[derive(Debug, Default)]
struct MemoryInner {
    key: Option<Secret>,
    unavailable: bool,
}

impl MemoryKeyStore {
    /// An empty, available keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the keyring answer as if there were none (`true`) or bring it back.
    pub fn set_unavailable(&self, unavailable: bool) {
        self.inner.lock().unwrap().unavailable = unavailable;
    }

    /// Forgets the saved key.
    pub fn clear(&self) {
        self.inner.lock().unwrap().key = None;
    }

    /// Whether a key is saved.
    pub fn has_key(&self) -> bool {
        self.inner.lock().unwrap().key.is_some()
    }
}

impl KeyStore for MemoryKeyStore {
    fn location(&self) -> KeyLocation {
        KeyLocation::SystemKeyring {
            service: "memory".into(),
            account: "test".into(),
        }
    }

    fn load(&self) -> Result<Option<Secret>, KeyStoreError> {
        let g = self.inner.lock().unwrap();
        if g.unavailable {
            return Err(KeyStoreError::Unavailable("no keyring in this test".into()));
        }
        Ok(g.key.clone())
    }

    fn save(&self, key: &Secret) -> Result<(), KeyStoreError> {
        let mut g = self.inner.lock().unwrap();
        if g.unavailable {
            return Err(KeyStoreError::Unavailable("no keyring in this test".into()));
        }
        g.key = Some(key.clone());
        Ok(())
    }
}

/// The system keyring entry for the database in `data_dir`, when this build has one.
pub(crate) fn default_system_store(data_dir: &Path) -> Option<Arc<dyn KeyStore>> {
    #[cfg(feature = "secret-service")]
    {
        let account = format!("data-key {}", data_dir.display());
        Some(Arc::new(SystemKeyring::new(KEYRING_SERVICE, account)))
    }
    #[cfg(not(feature = "secret-service"))]
    {
        let _ = data_dir;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_parses_env_words() {
        assert_eq!(
            "file".parse::<KeyringChoice>().unwrap(),
            KeyringChoice::File
        );
        assert_eq!("".parse::<KeyringChoice>().unwrap(), KeyringChoice::Auto);
        assert_eq!(
            "System".parse::<KeyringChoice>().unwrap(),
            KeyringChoice::System
        );
        assert_eq!(
            "vault".parse::<KeyringChoice>().unwrap_err().to_string(),
            "the system keyring failed: SIGNET_KEYRING=\"vault\" is not a choice: use auto, file or system"
        );
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_private_and_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let kf = KeyFile::new(dir.path().join("data-key"));
        assert_eq!(kf.load().unwrap(), None);
        kf.save(&Secret::new("abc")).unwrap();
        assert_eq!(kf.load().unwrap(), Some(Secret::new("abc")));
        let mode = fs::metadata(kf.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        fs::set_permissions(kf.path(), fs::Permissions::from_mode(0o644)).unwrap();
        kf.load().unwrap();
        let mode = fs::metadata(kf.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn key_file_description_says_where_and_why() {
        let loc = KeyLocation::KeyFile {
            path: "/home/a/.local/share/signet/data-key".into(),
        };
        let d = loc.describe();
        assert!(d.contains("/home/a/.local/share/signet/data-key"), "{d}");
        assert!(d.contains("No system keyring was available"), "{d}");
    }
}
