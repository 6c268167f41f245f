//! Opening the database, and what to do when it cannot be opened: damaged files, another Signet
//! holding the lock, a data folder the user cannot write, a full disk, a database from a newer
//! Signet. The desktop app shows a [`StoreProblem`] in a window of its own with *Move it aside
//! and start fresh* (when that helps), *Retry* and *Quit*; the CLI prints the same words with
//! the command to run. Nothing is ever deleted: a database moved aside keeps every file, under a
//! name the message gives.

use std::path::Path;

use signet_oauth1::ErrorKind;
use signet_store::{OpenOptions, Store};

use crate::api::{MovedAside, StoreProblem};
use crate::error::AppError;

/// A database that could not be opened, and how it was asked for (to try again).
#[derive(Debug)]
pub struct Recovery {
    options: OpenOptions,
    problem: StoreProblem,
}

/// Opens the database `options` names, or says why not and keeps what is needed to recover.
// The error is the way forward, kept for the window that shows it (opened once, not a hot
// path): boxing it would only add a dereference for every reader.
#[allow(clippy::result_large_err)]
pub fn open_store(options: &OpenOptions) -> Result<Store, Recovery> {
    Store::open(options).map_err(|e| Recovery {
        problem: problem(options.data_dir(), &e),
        options: options.clone(),
    })
}

impl Recovery {
    /// What went wrong, in words for the window.
    pub fn problem(&self) -> &StoreProblem {
        &self.problem
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.options.data_dir()
    }

    /// Tries again (the other Signet was closed, access was given, space was freed).
    #[allow(clippy::result_large_err)] // as open_store's
    pub fn retry(&mut self) -> Result<Store, StoreProblem> {
        match Store::open(&self.options) {
            Ok(store) => Ok(store),
            Err(e) => {
                self.problem = problem(self.options.data_dir(), &e);
                Err(self.problem.clone())
            }
        }
    }

    /// While another process holds the database, tries again every 100 ms for `grace`: a
    /// Signet that is just exiting lets go of it in a moment. The store, once it opens.
    #[allow(clippy::result_large_err)] // as open_store's
    pub fn wait_for_lock(&mut self, grace: std::time::Duration) -> Result<Store, StoreProblem> {
        let deadline = std::time::Instant::now() + grace;
        loop {
            match self.retry() {
                Ok(store) => return Ok(store),
                Err(p)
                    if p.kind == ErrorKind::DatabaseLocked
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(p) => return Err(p),
            }
        }
    }

    /// Renames the database folder to `db.damaged-<time>` (every file kept) and opens a fresh
    /// one. Refused when moving it would not help (another Signet holds it, the folder cannot
    /// be written).
    pub fn move_aside(&mut self) -> Result<(MovedAside, Option<Store>), AppError> {
        if !self.problem.can_move_aside {
            return Err(AppError::new(
                self.problem.kind,
                format!(
                    "moving the database aside would not help here: {}",
                    self.problem.message
                ),
            )
            .hint(self.problem.hint.clone()));
        }
        let moved_to = Store::move_aside(self.options.data_dir()).map_err(|e| {
            AppError::from(e).hint(format!(
                "nothing was moved or deleted; check that you can write to {}",
                self.options.data_dir().display()
            ))
        })?;
        let moved_to = moved_to.display().to_string();
        match self.retry() {
            Ok(store) => Ok((
                MovedAside {
                    moved_to,
                    problem: None,
                },
                Some(store),
            )),
            Err(problem) => Ok((
                MovedAside {
                    moved_to,
                    problem: Some(problem),
                },
                None,
            )),
        }
    }
}

/// The words for a database that cannot be opened, for the window and the CLI.
pub fn problem(data_dir: &Path, e: &signet_store::Error) -> StoreProblem {
    use signet_store::Error as E;
    let dir = data_dir.display().to_string();
    let database = data_dir.join("db").display().to_string();
    let aside = format!(
        "Move it aside and start fresh: its files are kept in {dir} as db.damaged-<date and time>, nothing is deleted; then connect again, or import an export"
    );
    let (title, hint, can_move_aside) = match e {
        E::Corrupt { .. } => ("Signet's database is damaged".to_owned(), aside, true),
        E::NewerSchema { .. } => (
            "This database was made by a newer Signet".to_owned(),
            format!(
                "Install that newer Signet to use it, or {}",
                lower_first(&aside)
            ),
            true,
        ),
        E::Locked { .. } => (
            "Another Signet is using the database".to_owned(),
            "Close the other Signet (its window, or a signet command still running), then choose Retry".to_owned(),
            false,
        ),
        E::DiskFull { .. } => (
            "The disk holding Signet's data is full".to_owned(),
            "Free some space on that disk, then choose Retry".to_owned(),
            false,
        ),
        E::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => (
            "Signet cannot read or write its data folder".to_owned(),
            format!(
                "Give your user access to {dir} (for example: chmod u+rwx {dir}), or start Signet with another folder (SIGNET_DATA_DIR=/path/to/folder), then choose Retry"
            ),
            false,
        ),
        E::Io { .. } => (
            "Signet cannot open its data folder".to_owned(),
            format!(
                "Check that {dir} is a folder on a disk that is mounted and writable, or start Signet with another folder (SIGNET_DATA_DIR=/path/to/folder), then choose Retry"
            ),
            false,
        ),
        E::Keyring(_) => (
            "Signet cannot reach the key that protects its secrets".to_owned(),
            "Unlock the system keyring (or start Signet with SIGNET_KEYRING=file to keep the key in a file), then choose Retry".to_owned(),
            false,
        ),
        _ => (
            "Signet cannot open its database".to_owned(),
            format!("Choose Retry; if it happens again, {}", lower_first(&aside)),
            true,
        ),
    };
    StoreProblem {
        kind: e.kind(),
        title,
        message: e.to_string(),
        hint,
        data_dir: dir,
        database,
        can_move_aside,
    }
}

/// What to run instead of choosing in the window: the CLI's way forward.
pub fn command_line_hint(problem: &StoreProblem) -> String {
    match problem.kind {
        ErrorKind::DatabaseLocked => {
            "close the other Signet (its window, or a signet command still running), then run the command again".to_owned()
        }
        _ if problem.can_move_aside => format!(
            "run `signet database move-aside` to keep its files in {} as db.damaged-<date and time> and start with a fresh database (nothing is deleted)",
            problem.data_dir
        ),
        _ => {
            let hint = problem.hint.replace(
                "SIGNET_DATA_DIR=/path/to/folder",
                "--data-dir /path/to/folder",
            );
            let hint = hint
                .strip_suffix(", then choose Retry")
                .map_or(hint.clone(), |h| format!("{h}, then run the command again"));
            lower_first(&hint)
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_says_what_to_do_in_the_window_and_on_the_command_line() {
        let dir = Path::new("/home/u/.local/share/signet");
        let corrupt = problem(
            dir,
            &signet_store::Error::Corrupt {
                path: dir.join("db"),
                detail: "garbage".into(),
            },
        );
        assert_eq!(corrupt.kind, ErrorKind::DatabaseCorrupt);
        assert!(corrupt.can_move_aside);
        assert!(corrupt.hint.starts_with("Move it aside and start fresh"));
        assert!(
            command_line_hint(&corrupt).starts_with("run `signet database move-aside`"),
            "{}",
            command_line_hint(&corrupt)
        );

        let locked = problem(
            dir,
            &signet_store::Error::Locked {
                path: dir.join("db"),
            },
        );
        assert!(!locked.can_move_aside);
        assert!(locked.hint.ends_with("then choose Retry"));
        assert!(command_line_hint(&locked).ends_with("run the command again"));

        let denied = problem(
            dir,
            &signet_store::Error::Io {
                action: "open",
                path: dir.join("db"),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            },
        );
        assert_eq!(denied.title, "Signet cannot read or write its data folder");
        assert!(
            denied
                .hint
                .contains("chmod u+rwx /home/u/.local/share/signet")
        );
        let cli = command_line_hint(&denied);
        assert!(cli.starts_with("give your user access"), "{cli}");
        assert!(cli.contains("--data-dir /path/to/folder"), "{cli}");
        assert!(cli.ends_with("then run the command again"), "{cli}");
    }
}
