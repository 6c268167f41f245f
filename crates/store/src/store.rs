//! Opening the database: where it lives, its lock, its schema version and its data key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::crypto::{DataKey, OpenError, Sealed};
use crate::error::{Error, Result};
use crate::keyring::{
    KeyFile, KeyLocation, KeyStatus, KeyStore, KeyStoreError, KeyringChoice, default_system_store,
};
use crate::keys;
use crate::schema::{self, SCHEMA_VERSION};

/// The environment variable that overrides the data directory (tests, the CLI, the app).
pub const DATA_DIR_ENV: &str = "SIGNET_DATA_DIR";
/// The database directory's name inside the data directory.
pub const DB_DIR_NAME: &str = "db";
/// The key file's name inside the data directory (used when there is no system keyring).
pub const KEY_FILE_NAME: &str = "data-key";

/// The data directory: `--data-dir` if given, else `$SIGNET_DATA_DIR`, else the platform data
/// directory (`$XDG_DATA_HOME/signet`, usually `~/.local/share/signet`, on Linux).
pub fn resolve_data_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_owned());
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir().map(|d| d.join("signet")).ok_or_else(|| {
        Error::Database(format!(
            "no data directory is known for this user; set {DATA_DIR_ENV} or pass --data-dir"
        ))
    })
}

/// How to open a [`Store`].
#[derive(Clone)]
pub struct OpenOptions {
    data_dir: PathBuf,
    keyring: KeyringChoice,
    system_keyring: Option<Arc<dyn KeyStore>>,
    use_default_system_keyring: bool,
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("data_dir", &self.data_dir)
            .field("keyring", &self.keyring)
            .finish_non_exhaustive()
    }
}

impl OpenOptions {
    /// The database in `data_dir`, choosing the key's home automatically.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            keyring: KeyringChoice::Auto,
            system_keyring: None,
            use_default_system_keyring: true,
        }
    }

    /// What the CLI and the app use: [`resolve_data_dir`] for the directory and
    /// `$SIGNET_KEYRING` for the key's home.
    pub fn from_env(data_dir_flag: Option<&Path>) -> Result<Self> {
        Ok(Self::new(resolve_data_dir(data_dir_flag)?).keyring(KeyringChoice::from_env()?))
    }

    /// Where a new database's data key goes.
    pub fn keyring(mut self, choice: KeyringChoice) -> Self {
        self.keyring = choice;
        self
    }

    /// Replaces the OS keyring (tests use [`crate::MemoryKeyStore`]).
    pub fn system_keyring(mut self, store: Arc<dyn KeyStore>) -> Self {
        self.system_keyring = Some(store);
        self.use_default_system_keyring = false;
        self
    }

    /// Behaves as if this machine had no OS keyring.
    pub fn without_system_keyring(mut self) -> Self {
        self.system_keyring = None;
        self.use_default_system_keyring = false;
        self
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

/// Signet's database: connectors, credentials, run history and settings, one sled tree each.
///
/// Every method that changes something returns only after the change is flushed to disk, and
/// changes touching several records are one transaction. `Store` is `Send + Sync`; share it
/// behind an `Arc`.
pub struct Store {
    pub(crate) db: sled::Db,
    pub(crate) data_dir: PathBuf,
    pub(crate) db_dir: PathBuf,
    pub(crate) connectors: sled::Tree,
    pub(crate) names: sled::Tree,
    pub(crate) instances: sled::Tree,
    pub(crate) instance_index: sled::Tree,
    pub(crate) credentials: sled::Tree,
    pub(crate) runs: sled::Tree,
    pub(crate) run_counts: sled::Tree,
    pub(crate) connector_heads: sled::Tree,
    pub(crate) run_heads: sled::Tree,
    pub(crate) settings: sled::Tree,
    pub(crate) meta: sled::Tree,
    pub(crate) key: Option<DataKey>,
    key_status: KeyStatus,
    key_home: Arc<dyn KeyStore>,
    open_timings: OpenTimings,
}

/// How long [`Store::open`] took, in its two parts (for the start-up trace).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OpenTimings {
    /// Opening the database: its files, the schema check, any migration.
    pub database: std::time::Duration,
    /// Loading the data key from its home (the keyring, or the key file).
    pub key: std::time::Duration,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("db_dir", &self.db_dir)
            .field("key_status", &self.key_status)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database in `options.data_dir()`.
    pub fn open(options: &OpenOptions) -> Result<Self> {
        let started = std::time::Instant::now();
        let data_dir = options.data_dir.clone();
        let db_dir = data_dir.join(DB_DIR_NAME);
        private_umask();
        create_private_dir(&data_dir)?;
        // sled writes to its files as it opens them, so a newer database must be recognised
        // from the schema marker beside them, before sled runs.
        let marker = read_schema_marker(&db_dir)?;
        if let Some(found) = marker
            && found > SCHEMA_VERSION
        {
            return Err(Error::NewerSchema {
                path: db_dir,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let db = open_sled_after_own_close(&db_dir)?;
        let sled_err = |e| Error::sled(&db_dir, e);
        // sled makes its files as the umask says: the database is the user's alone.
        make_private(&db_dir);

        // The schema version is read before anything else is touched, so a newer database is
        // refused without a single write.
        let existing: Vec<_> = db.tree_names();
        let has_meta = existing.iter().any(|n| n.as_ref() == keys::META.as_bytes());
        let found = if has_meta {
            let meta = db.open_tree(keys::META).map_err(sled_err)?;
            match meta.get(keys::META_SCHEMA_VERSION).map_err(sled_err)? {
                Some(v) => Some(schema::decode_schema(&v).ok_or_else(|| Error::Corrupt {
                    path: db_dir.clone(),
                    detail: "the schema version is unreadable".into(),
                })?),
                None => None,
            }
        } else {
            None
        };
        if let Some(found) = found
            && found > SCHEMA_VERSION
        {
            return Err(Error::NewerSchema {
                path: db_dir,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        // The marker is written only after the version inside sled was flushed: a marker with
        // no version inside means sled's file was cut short or emptied (sled itself opens
        // what is left as if nothing were missing), and every record may be gone.
        if marker.is_some() && found.is_none() {
            return Err(Error::Corrupt {
                path: db_dir,
                detail: "its main file was cut short or emptied: the records it held are missing"
                    .into(),
            });
        }

        let tree = |name: &str| db.open_tree(name).map_err(|e| Error::sled(&db_dir, e));
        let connectors = tree(keys::CONNECTORS)?;
        let names = tree(keys::CONNECTOR_NAMES)?;
        let instances = tree(keys::INSTANCES)?;
        let instance_index = tree(keys::INSTANCE_INDEX)?;
        let credentials = tree(keys::CREDENTIALS)?;
        let runs = tree(keys::RUNS)?;
        let run_counts = tree(keys::RUN_COUNTS)?;
        let connector_heads = tree(keys::CONNECTOR_HEADS)?;
        let run_heads = tree(keys::RUN_HEADS)?;
        let settings = tree(keys::SETTINGS)?;
        let meta = tree(keys::META)?;

        let key_home: Arc<dyn KeyStore> = Arc::new(KeyFile::new(data_dir.join(KEY_FILE_NAME)));
        let mut store = Self {
            db,
            data_dir,
            db_dir,
            connectors,
            names,
            instances,
            instance_index,
            credentials,
            runs,
            run_counts,
            connector_heads,
            run_heads,
            settings,
            meta,
            key: None,
            key_status: KeyStatus::Missing {
                location: KeyLocation::Memory,
                reason: "not yet loaded".into(),
            },
            key_home,
            open_timings: OpenTimings::default(),
        };

        let version = match found {
            Some(v) => v,
            // A database with records but no version predates versioning: schema 1.
            None if !store.connectors.is_empty() || !store.credentials.is_empty() => 1,
            None => SCHEMA_VERSION,
        };
        if version < SCHEMA_VERSION || found.is_none() {
            store.migrate(version)?;
        }
        store.count_runs_once()?;
        store.make_run_heads_once()?;
        store.make_heads_once()?;
        if read_schema_marker(&store.db_dir)? != Some(SCHEMA_VERSION) {
            write_schema_marker(&store.db_dir)?;
        }
        store.open_timings.database = started.elapsed();
        store.load_key(options)?;
        store.open_timings.key = started.elapsed() - store.open_timings.database;
        Ok(store)
    }

    /// How long opening took: the database, then the key.
    pub fn open_timings(&self) -> OpenTimings {
        self.open_timings
    }

    /// Opens the database in `data_dir` with the key's home from `$SIGNET_KEYRING`.
    pub fn open_dir(data_dir: impl Into<PathBuf>) -> Result<Self> {
        Self::open(&OpenOptions::new(data_dir).keyring(KeyringChoice::from_env()?))
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The sled database directory inside it.
    pub fn db_dir(&self) -> &Path {
        &self.db_dir
    }

    /// Whether secrets can be read, where the key lives, in words for the user
    /// ([`KeyStatus::describe`]).
    pub fn key_status(&self) -> &KeyStatus {
        &self.key_status
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .meta
            .get(keys::META_SCHEMA_VERSION)
            .map_err(|e| self.sled_err(e))?
            .and_then(|v| schema::decode_schema(&v))
            .unwrap_or(SCHEMA_VERSION))
    }

    /// Moves a damaged database aside so a fresh one can be created: renames
    /// `<data_dir>/db` to `<data_dir>/db.damaged-<UTC time>` and returns the new path. Never
    /// deletes anything; the key file (if any) stays, so the old secrets remain recoverable.
    pub fn move_aside(data_dir: &Path) -> Result<PathBuf> {
        let from = data_dir.join(DB_DIR_NAME);
        let stamp = crate::Timestamp::now().compact();
        let mut to = data_dir.join(format!("{DB_DIR_NAME}.damaged-{stamp}"));
        let mut n = 1;
        while to.exists() {
            n += 1;
            to = data_dir.join(format!("{DB_DIR_NAME}.damaged-{stamp}-{n}"));
        }
        std::fs::rename(&from, &to).map_err(|e| Error::io("rename", &from, e))?;
        Ok(to)
    }

    /// Makes a new data key (in the same place the old one was meant to be) after the old one was
    /// lost. Secrets saved under the old key stay in the database, still unreadable; re-enter
    /// them. Does nothing but report when the current key is fine.
    pub fn reset_data_key(&mut self) -> Result<&KeyStatus> {
        if self.key_status.is_ready() {
            return Ok(&self.key_status);
        }
        let key = DataKey::generate()?;
        self.key_home
            .save(&key.encode())
            .map_err(|e| Error::Keyring(format!("cannot save the new key: {e}")))?;
        self.record_key(&key, self.key_home.location())?;
        self.key_status = KeyStatus::Ready {
            location: self.key_home.location(),
            created: true,
        };
        self.key = Some(key);
        Ok(&self.key_status)
    }

    /// Flushes everything written so far to disk.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map(drop).map_err(|e| self.sled_err(e))
    }

    pub(crate) fn sled_err(&self, e: sled::Error) -> Error {
        Error::sled(&self.db_dir, e)
    }

    pub(crate) fn tx_err(&self, e: TransactionError<Error>) -> Error {
        match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => self.sled_err(e),
        }
    }

    /// The data key, or why there is none.
    pub(crate) fn data_key(&self) -> Result<&DataKey> {
        self.key.as_ref().ok_or_else(|| match &self.key_status {
            KeyStatus::Missing { reason, .. } => Error::SecretsUnreadable(reason.clone()),
            KeyStatus::Ready { .. } => {
                Error::SecretsUnreadable("the data key is not loaded".into())
            }
        })
    }

    /// Turns a failed [`DataKey::open`] into a message.
    pub(crate) fn unreadable(&self, e: OpenError) -> Error {
        Error::SecretsUnreadable(match e {
            OpenError::OtherKey => {
                "this secret was saved under a data key that is no longer available".into()
            }
            OpenError::Damaged => "the stored secret is damaged and does not decrypt".into(),
        })
    }

    fn migrate(&self, from: u32) -> Result<()> {
        use crate::instances::{DEFAULT_INSTANCE, InstanceRecord};
        // 1 → 2 → 3: every connector record rewritten in the current record version, with the
        // desktop app's side record folded in (and removed); each schema-2 connector gets an
        // instance with its own id, so its credentials and runs (keyed by that id) stay put.
        let mut batch = Vec::new();
        let mut new_instances = Vec::new();
        let mut side_records = Vec::new();
        if from < 3 {
            for item in self.connectors.iter() {
                let (k, v) = item.map_err(|e| self.sled_err(e))?;
                let Some(version) = schema::record_version(&v) else {
                    continue;
                };
                if version >= schema::CONNECTOR_VERSION {
                    continue;
                }
                let id = keys::ConnectorId::from_key(&k);
                let side_name = id.map(|id| format!("desktop.draft.{id}"));
                let side = match &side_name {
                    Some(n) => self.setting(n)?,
                    None => None,
                };
                let mut bytes = v.to_vec();
                if let Some(side) = &side
                    && version == 2
                {
                    // Hand the side record to the 2 → 3 upgrade inside the record's JSON.
                    let mut value: serde_json::Value = serde_json::from_slice(&bytes[1..])
                        .map_err(|e| Error::DamagedRecord {
                            what: "connector",
                            key: format!("{id:?}"),
                            detail: e.to_string(),
                        })?;
                    if let Some(obj) = value.as_object_mut() {
                        obj.insert("desktop_draft".into(), side.clone());
                    }
                    bytes = schema::encode(2, &value);
                }
                let c: crate::StoredConnector = schema::decode(
                    "connector",
                    || format!("{k:?}"),
                    &bytes,
                    schema::CONNECTOR_VERSION,
                    schema::upgrade_connector,
                )?;
                batch.push((k, schema::encode(schema::CONNECTOR_VERSION, &c)));
                if version <= 2
                    && self
                        .instances
                        .get(c.id.to_key())
                        .map_err(|e| self.sled_err(e))?
                        .is_none()
                {
                    let record = InstanceRecord {
                        id: keys::InstanceId(c.id.0),
                        connector_id: c.id,
                        name: DEFAULT_INSTANCE.into(),
                        values: Default::default(),
                        secrets: Default::default(),
                        created_at: c.created_at,
                        updated_at: c.updated_at,
                    };
                    new_instances.push((
                        record.id.to_key(),
                        schema::encode(schema::INSTANCE_VERSION, &record),
                        keys::instance_index_key(c.id, record.id),
                    ));
                }
                if let (Some(n), Some(_)) = (side_name, side) {
                    side_records.push(n);
                }
            }
        }
        (
            &self.connectors,
            &self.instances,
            &self.instance_index,
            &self.settings,
            &self.meta,
        )
            .transaction(|(connectors, instances, index, settings, meta)| {
                for (k, v) in &batch {
                    connectors.insert(k, v.as_slice())?;
                }
                for (k, v, ix) in &new_instances {
                    instances.insert(k, v.as_slice())?;
                    index.insert(ix, &[])?;
                }
                for n in &side_records {
                    settings.remove(n.as_bytes())?;
                }
                meta.insert(
                    keys::META_SCHEMA_VERSION,
                    &schema::encode_schema(SCHEMA_VERSION),
                )?;
                // The connectors changed under their heads: they are made again after this.
                meta.remove(keys::META_CONNECTOR_HEADS)?;
                Ok::<_, ConflictableTransactionError<Error>>(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()
    }

    fn load_key(&mut self, options: &OpenOptions) -> Result<()> {
        let file: Arc<dyn KeyStore> = Arc::new(KeyFile::new(self.data_dir.join(KEY_FILE_NAME)));
        let system: Option<Arc<dyn KeyStore>> =
            match (&options.system_keyring, options.use_default_system_keyring) {
                (Some(s), _) => Some(s.clone()),
                (None, true) => default_system_store(&self.data_dir),
                (None, false) => None,
            };
        let recorded = self
            .meta
            .get(keys::META_KEY_LOCATION)
            .map_err(|e| self.sled_err(e))?;
        let check: Option<Sealed> = match self
            .meta
            .get(keys::META_KEY_CHECK)
            .map_err(|e| self.sled_err(e))?
        {
            Some(v) => serde_json::from_slice(&v).ok(),
            None => None,
        };

        if let Some(recorded) = recorded {
            // The key was put somewhere when the database was created: look only there.
            let home = match recorded.as_ref() {
                b"file" => Some(file),
                b"system" => system,
                _ => None,
            };
            let Some(home) = home else {
                self.key_status = KeyStatus::Missing {
                    location: KeyLocation::SystemKeyring {
                        service: crate::keyring::KEYRING_SERVICE.into(),
                        account: String::new(),
                    },
                    reason: "the data key is in a system keyring, and none is available now".into(),
                };
                return Ok(());
            };
            let location = home.location();
            self.key_home = home.clone();
            self.key_status = match home.load() {
                Ok(Some(text)) => match DataKey::decode(text.expose()) {
                    Some(k) if check.as_ref().is_none_or(|c| k.matches(c)) => {
                        self.key = Some(k);
                        KeyStatus::Ready {
                            location,
                            created: false,
                        }
                    }
                    Some(_) => KeyStatus::Missing {
                        location: location.clone(),
                        reason: format!("{location} holds a different key than this database's"),
                    },
                    None => KeyStatus::Missing {
                        location: location.clone(),
                        reason: format!("{location} does not hold a valid key"),
                    },
                },
                Ok(None) => KeyStatus::Missing {
                    location: location.clone(),
                    reason: format!("the data key is missing from {location}"),
                },
                Err(e) => KeyStatus::Missing {
                    location: location.clone(),
                    reason: format!("{location} cannot be read: {e}"),
                },
            };
            return Ok(());
        }

        // A new database (or one whose key was never recorded): reuse a key left by an earlier
        // database in this directory (moved aside, or a crash before the record), else make one.
        let candidates: Vec<Arc<dyn KeyStore>> = match options.keyring {
            KeyringChoice::File => vec![file],
            KeyringChoice::System => match system {
                Some(s) => vec![s],
                None => {
                    return Err(Error::Keyring(
                        "SIGNET_KEYRING=system, but this build has no system keyring support"
                            .into(),
                    ));
                }
            },
            KeyringChoice::Auto => system.into_iter().chain([file]).collect(),
        };
        let mut reasons = Vec::new();
        // First any key already there (in any candidate), then a new key in the first that
        // takes it.
        let mut empty = Vec::new();
        for home in &candidates {
            match home.load() {
                Ok(Some(text)) => match DataKey::decode(text.expose()) {
                    Some(k) => return self.adopt(k, home.clone(), false),
                    None => reasons.push(format!("{} does not hold a valid key", home.location())),
                },
                Ok(None) => empty.push(home.clone()),
                Err(KeyStoreError::Unavailable(m)) => {
                    reasons.push(format!("{}: not available ({m})", home.location()))
                }
                Err(KeyStoreError::Failed(m)) => reasons.push(format!("{}: {m}", home.location())),
            }
        }
        for home in empty {
            let k = DataKey::generate()?;
            match home.save(&k.encode()) {
                Ok(()) => return self.adopt(k, home, true),
                Err(e) => reasons.push(format!("{}: {e}", home.location())),
            }
        }
        if options.keyring == KeyringChoice::System {
            return Err(Error::Keyring(reasons.join("; ")));
        }
        let location = candidates
            .last()
            .map(|c| c.location())
            .unwrap_or(KeyLocation::Memory);
        self.key_status = KeyStatus::Missing {
            location,
            reason: format!("no place to keep a data key ({})", reasons.join("; ")),
        };
        Ok(())
    }

    fn adopt(&mut self, key: DataKey, home: Arc<dyn KeyStore>, created: bool) -> Result<()> {
        let location = home.location();
        self.record_key(&key, location.clone())?;
        self.key = Some(key);
        self.key_home = home;
        self.key_status = KeyStatus::Ready { location, created };
        Ok(())
    }

    fn record_key(&self, key: &DataKey, location: KeyLocation) -> Result<()> {
        let check = serde_json::to_vec(&key.key_check()?).expect("sealed serializes");
        let mut batch = sled::Batch::default();
        batch.insert(keys::META_KEY_LOCATION, location.tag().as_bytes());
        batch.insert(keys::META_KEY_CHECK, check);
        self.meta.apply_batch(batch).map_err(|e| self.sled_err(e))?;
        self.flush()
    }
}

/// The schema marker: the schema version as text, in a small file beside sled's own.
const SCHEMA_MARKER: &str = "signet-schema";

fn read_schema_marker(db_dir: &Path) -> Result<Option<u32>> {
    let path = db_dir.join(SCHEMA_MARKER);
    match std::fs::read(&path) {
        Ok(bytes) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .map(Some)
            .ok_or_else(|| Error::Corrupt {
                path: db_dir.to_owned(),
                detail: format!("{} does not hold a schema version", path.display()),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", &path, e)),
    }
}

fn write_schema_marker(db_dir: &Path) -> Result<()> {
    use std::io::Write;
    let path = db_dir.join(SCHEMA_MARKER);
    let tmp = db_dir.join(format!("{SCHEMA_MARKER}.tmp"));
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
    writeln!(f, "{SCHEMA_VERSION}")
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io("rename", &tmp, e))?;
    if let Ok(d) = std::fs::File::open(db_dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Databases this process closed, and when: sled 0.34's background threads can hold the
/// database file (and its lock) for a moment after the last handle is dropped.
fn recently_closed() -> &'static std::sync::Mutex<Vec<(PathBuf, std::time::Instant)>> {
    static CLOSED: std::sync::OnceLock<std::sync::Mutex<Vec<(PathBuf, std::time::Instant)>>> =
        std::sync::OnceLock::new();
    CLOSED.get_or_init(Default::default)
}

/// How long a database this process closed may still look locked to it.
const OWN_LOCK_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

impl Drop for Store {
    fn drop(&mut self) {
        if let Ok(mut closed) = recently_closed().lock() {
            let now = std::time::Instant::now();
            closed.retain(|(p, at)| p != &self.db_dir && now.duration_since(*at) < OWN_LOCK_GRACE);
            closed.push((self.db_dir.clone(), now));
        }
    }
}

/// [`open_sled`], waiting out the lock sled's threads may still hold on a database this
/// process has just closed. A lock held by another process is reported at once (a second
/// launch hands its link to the first without delay).
fn open_sled_after_own_close(db_dir: &Path) -> Result<sled::Db> {
    let closed_at = recently_closed().lock().ok().and_then(|closed| {
        closed
            .iter()
            .rev()
            .find(|(p, _)| p == db_dir)
            .map(|&(_, at)| at)
    });
    loop {
        match open_sled(db_dir) {
            Err(Error::Locked { .. })
                if closed_at.is_some_and(|at| at.elapsed() < OWN_LOCK_GRACE) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// From here on the process creates files for its user only (umask 077): sled makes its files
/// as the umask says, long after `open` returns (snapshots, new segments), and they hold the
/// secrets' ciphertext and the run history. The programs set it at start too.
fn private_umask() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates the data directory readable by the user only (0700), and tightens an existing one:
/// it holds the database, the data key's file and the link socket.
fn create_private_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::io("create", dir, e))?;
        if let Ok(m) = std::fs::metadata(dir)
            && m.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io("protect", dir, e))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))
    }
}

/// The database directory 0700 and its files 0600 (sled creates them as the umask says; the
/// programs set it to 077, a library user may not have). Best effort: a file sled is replacing
/// may be gone.
fn make_private(db_dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fn walk(dir: &Path) {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let path = e.path();
                match e.file_type() {
                    Ok(t) if t.is_dir() => walk(&path),
                    Ok(t) if t.is_file() => {
                        let _ =
                            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
                    }
                    _ => {}
                }
            }
        }
        walk(db_dir);
    }
    #[cfg(not(unix))]
    let _ = db_dir;
}

/// Opens sled, turning its errors (and the panics some corrupt files cause in sled 0.34) into
/// clear ones.
fn open_sled(db_dir: &Path) -> Result<sled::Db> {
    if db_dir.exists() && !db_dir.is_dir() {
        return Err(Error::Corrupt {
            path: db_dir.to_owned(),
            detail: "it is a file, not a directory".into(),
        });
    }
    let config = sled::Config::new()
        .path(db_dir)
        .cache_capacity(64 * 1024 * 1024)
        .flush_every_ms(Some(500));
    let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()));
    match opened {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(e)) => Err(match e {
            // At open time these mean sled cannot make sense of its files.
            sled::Error::Unsupported(detail) | sled::Error::ReportableBug(detail) => {
                Error::unreadable(db_dir, &detail)
            }
            e => Error::sled(db_dir, e),
        }),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "(no detail)".into());
            Err(Error::unreadable(db_dir, &detail))
        }
    }
}

use sled::Transactional;
