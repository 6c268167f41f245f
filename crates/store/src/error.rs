//! Everything that can go wrong in the store, in words a user can act on.
//!
//! Messages never contain a secret's value: secrets are [`signet_oauth1::Secret`]s everywhere,
//! and errors carry names, paths and counts only.

use signet_oauth1::ErrorKind;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use signet_oauth1::ErrorReport;

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem found while validating a record or an import, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// A JSON path such as `connectors[2].signature_method` (or a field name for a single record).
    pub path: String,
    /// What is wrong, lower-case.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A list of problems printed one per line.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process (a running Signet app or CLI) holds the database's lock.
    #[error(
        "the database at {} is in use by another running Signet (the app or the command line); close it or use --data-dir to open another database",
        .path.display()
    )]
    Locked {
        /// The database directory.
        path: PathBuf,
    },
    /// The database files cannot be made sense of.
    #[error(
        "the database at {} is damaged ({detail}); it can be moved aside (kept, not deleted) so Signet starts with a fresh one",
        .path.display()
    )]
    Corrupt {
        /// The database directory.
        path: PathBuf,
        /// What was found, without any record contents.
        detail: String,
    },
    /// One record cannot be decoded; the rest of the database is fine.
    #[error("the stored {what} record {key} is damaged ({detail})")]
    DamagedRecord {
        /// `connector`, `credentials`, `run`, `setting`.
        what: &'static str,
        /// The record's key, printable.
        key: String,
        /// What went wrong.
        detail: String,
    },
    /// A file or directory cannot be read or written.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// `read`, `write`, `create`, `open`, `rename`.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// The disk holding the database has no space left.
    #[error(
        "the disk holding {} is full; free some space and try again (the last change was not saved)",
        .path.display()
    )]
    DiskFull {
        /// The database directory.
        path: PathBuf,
    },
    /// The database was written by a newer Signet.
    #[error(
        "the database at {} was written by a newer version of Signet (schema version {found}; this version understands up to {supported}); update Signet, or use --data-dir to open another database. Nothing was changed",
        .path.display()
    )]
    NewerSchema {
        /// The database directory.
        path: PathBuf,
        /// The version found.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The data key that encrypts secrets is gone or wrong; everything else still works.
    #[error("stored secrets cannot be read: {0}")]
    SecretsUnreadable(String),
    /// The OS keyring failed in a way that is not simply "no keyring here".
    #[error("the system keyring failed: {0}")]
    Keyring(String),
    /// A connector, run or setting that does not exist.
    #[error("no {what} {name}")]
    NotFound {
        /// `connector`, `run`, `credentials`.
        what: &'static str,
        /// The name or id asked for, quoted where it is a name.
        name: String,
    },
    /// Connector names are unique (case-insensitively).
    #[error("a connector named {0:?} already exists; choose another name")]
    DuplicateName(String),
    /// A record does not pass validation.
    #[error("the {what} is not valid:\n{problems}")]
    Invalid {
        /// `connector`, `credentials`.
        what: &'static str,
        /// Every problem found.
        problems: Problems,
    },
    /// An import file with problems; nothing was imported.
    #[error("the file was not imported; {} found:\n{problems}", plural(.problems.0.len(), "problem"))]
    Import {
        /// Every problem found, with JSON paths.
        problems: Problems,
    },
    /// The passphrase does not open the secrets in an export file.
    #[error("the passphrase does not unlock the secrets in this file")]
    WrongPassphrase,
    /// An export with secrets needs a passphrase to encrypt them.
    #[error("exporting secrets needs a passphrase of at least {0} characters")]
    WeakPassphrase(usize),
    /// sled reported something unexpected.
    #[error("database error: {0}")]
    Database(String),
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Error {
    /// A stable machine-readable kind for the UI to switch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Locked { .. } => ErrorKind::DatabaseLocked,
            Self::Corrupt { .. } => ErrorKind::DatabaseCorrupt,
            Self::DamagedRecord { .. } => ErrorKind::DamagedRecord,
            Self::Io { .. } => ErrorKind::Io,
            Self::DiskFull { .. } => ErrorKind::DiskFull,
            Self::NewerSchema { .. } => ErrorKind::NewerSchema,
            Self::SecretsUnreadable(_) => ErrorKind::SecretsUnreadable,
            Self::Keyring(_) => ErrorKind::Keyring,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::DuplicateName(_) => ErrorKind::DuplicateName,
            Self::Invalid { .. } => ErrorKind::Invalid,
            Self::Import { .. } => ErrorKind::Import,
            Self::WrongPassphrase => ErrorKind::WrongPassphrase,
            Self::WeakPassphrase(_) => ErrorKind::WeakPassphrase,
            Self::Database(_) => ErrorKind::Database,
        }
    }

    /// What the user can do, when there is more to say than the message.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Corrupt { .. } => Some(
                "choose \"move aside and start fresh\": the damaged files are renamed, never deleted".into(),
            ),
            Self::SecretsUnreadable(_) => Some(
                "connectors and history still work; re-enter the consumer secret and connect again, or restore the key".into(),
            ),
            Self::Locked { .. } => Some("only one Signet can use a database at a time".into()),
            _ => None,
        }
    }

    /// The `{ kind, message, hint? }` shape for the UI.
    pub fn report(&self) -> ErrorReport {
        ErrorReport::from(self)
    }

    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        if is_disk_full(&source) {
            return Self::DiskFull {
                path: path.to_owned(),
            };
        }
        Self::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }

    /// Maps a sled error met while using the database at `path`.
    /// Files sled cannot make sense of: damaged, with sled's own words for the curious.
    pub(crate) fn unreadable(path: &Path, engine_says: &str) -> Self {
        Self::Corrupt {
            path: path.to_owned(),
            detail: format!(
                "its files cannot be read as a database; the storage engine said: {engine_says}"
            ),
        }
    }

    pub(crate) fn sled(path: &Path, e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => {
                let text = io.to_string();
                if text.contains("could not acquire lock") {
                    Self::Locked {
                        path: path.to_owned(),
                    }
                } else if is_disk_full(&io) {
                    Self::DiskFull {
                        path: path.to_owned(),
                    }
                } else if matches!(
                    io.kind(),
                    io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData
                ) {
                    Self::unreadable(path, &text)
                } else {
                    Self::Io {
                        action: "use the database in",
                        path: path.to_owned(),
                        source: io,
                    }
                }
            }
            sled::Error::Corruption { at, .. } => Self::Corrupt {
                path: path.to_owned(),
                detail: match at {
                    Some(at) => format!("corrupt data found at {at:?}"),
                    None => "corrupt data found".into(),
                },
            },
            other => Self::Database(other.to_string()),
        }
    }
}

fn is_disk_full(e: &io::Error) -> bool {
    // ENOSPC is 28 and EDQUOT 122 on Linux; StorageFull and QuotaExceeded are their kinds.
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}

impl From<&Error> for ErrorReport {
    fn from(e: &Error) -> Self {
        Self {
            fields: Vec::new(),
            provider_says: None,
            kind: e.kind(),
            message: e.to_string(),
            hint: e.hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_error_from_sled_reads_as_in_use() {
        let e = sled::Error::Io(io::Error::other(
            "could not acquire lock on \"/x/db\": Os { code: 11, kind: WouldBlock }",
        ));
        let e = Error::sled(Path::new("/x/db"), e);
        assert_eq!(e.kind(), "database_locked");
        assert_eq!(
            e.to_string(),
            "the database at /x/db is in use by another running Signet (the app or the command line); close it or use --data-dir to open another database"
        );
    }

    #[test]
    fn enospc_reads_as_disk_full() {
        let e = Error::sled(
            Path::new("/x/db"),
            sled::Error::Io(io::Error::from_raw_os_error(28)),
        );
        assert_eq!(e.kind(), "disk_full");
        assert_eq!(
            e.to_string(),
            "the disk holding /x/db is full; free some space and try again (the last change was not saved)"
        );
        let e = Error::io("write", Path::new("/x/k"), io::Error::from_raw_os_error(28));
        assert_eq!(e.kind(), "disk_full");
    }

    #[test]
    fn import_problems_are_listed_with_paths() {
        let e = Error::Import {
            problems: Problems(vec![
                Problem::new(
                    "connectors[2].signature_method",
                    "unknown signature method \"MD5\"",
                ),
                Problem::new("connectors[3].name", "missing"),
            ]),
        };
        assert_eq!(
            e.to_string(),
            "the file was not imported; 2 problems found:\nconnectors[2].signature_method: unknown signature method \"MD5\"\nconnectors[3].name: missing"
        );
        let r = e.report();
        assert_eq!(r.kind, "import");
    }
}
