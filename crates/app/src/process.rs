//! What a Signet program does first: the files it creates are the user's alone (umask 077:
//! the database, exports, the link socket), a release build leaves no core dump behind (a dump
//! would hold the secrets in memory), and a bug that panics ends in a message the user sees and
//! a crash report in the data directory — never a silent exit.
//!
//! Release builds unwind on panic (`panic = "unwind"` in the workspace's `Cargo.toml`): sled's
//! panics on a damaged database are caught and reported as such, and a panic in one command
//! ends that command's task only (the desktop shell answers it with [`crash_error`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use signet_oauth1::ErrorKind;

use crate::api::CrashNotice;
use crate::error::AppError;

/// Applies both to this process. Call it before anything creates a file.
pub fn harden() {
    #[cfg(unix)]
    {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
        #[cfg(not(debug_assertions))]
        {
            let none = rustix::process::Rlimit {
                current: Some(0),
                maximum: Some(0),
            };
            // A limit the system refuses to lower leaves dumps as they were: not worth failing on.
            let _ = rustix::process::setrlimit(rustix::process::Resource::Core, none);
        }
    }
}

/// Whether the process at the other end of a local socket runs as this user (Linux:
/// `SO_PEERCRED`). `false` when it cannot be told.
#[cfg(unix)]
pub fn peer_is_this_user(stream: &std::os::unix::net::UnixStream) -> bool {
    rustix::net::sockopt::socket_peercred(stream)
        .is_ok_and(|cred| cred.uid == rustix::process::getuid())
}

/// Where crash reports go: `crash-reports/` in the data directory.
pub fn crash_report_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("crash-reports")
}

/// The last report this process wrote.
static LAST_REPORT: Mutex<Option<PathBuf>> = Mutex::new(None);

/// What a crash notice says to do next.
const SEND_IT: &str = "please send the report (it holds no secret) with what you were doing";

/// How the program learns of a crash: the CLI exits, the desktop tells its window.
pub type OnCrash = Box<dyn Fn(&CrashNotice) + Send + Sync>;

/// Installs the panic hook: writes a report to `dir` (what, where, the thread, a backtrace;
/// never a secret: secrets print as `<redacted>`, and values that look like one are masked),
/// prints where it is, and calls `on_crash`.
pub fn install_crash_reporter(program: &'static str, dir: PathBuf, on_crash: Option<OnCrash>) {
    std::panic::set_hook(Box::new(move |info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let what = signet_oauth1::response::redact_secret_values(&what);
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "an unknown place".to_owned());
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_owned();
        let now = signet_store::Timestamp::now();
        let summary = format!("{what} at {place}");
        let text = format!(
            "Signet {} ({program}) stopped because of a bug.\nWhen: {now}\nThread: {thread}\nWhat: {what}\nWhere: {place}\n\nBacktrace:\n{}\n",
            env!("CARGO_PKG_VERSION"),
            std::backtrace::Backtrace::force_capture()
        );
        let file = dir.join(format!(
            "crash-{}-{}.txt",
            now.compact(),
            std::process::id()
        ));
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&file, &text))
            .is_ok();
        if written {
            if let Ok(mut last) = LAST_REPORT.lock() {
                *last = Some(file.clone());
            }
            eprintln!(
                "signet: Signet hit a bug and stopped this task: {summary}\n  A report is in {}; {SEND_IT}.",
                file.display()
            );
        } else {
            eprintln!("signet: Signet hit a bug and stopped this task: {summary}\n{text}");
        }
        if let Some(f) = &on_crash {
            f(&CrashNotice {
                summary: summary.clone(),
                report: file.display().to_string(),
                when_ms: u64::try_from(now.millis()).unwrap_or(0),
            });
        }
    }));
}

/// The error a command answers with when a bug ended it.
pub fn crash_error() -> AppError {
    let report = LAST_REPORT
        .lock()
        .ok()
        .and_then(|l| l.clone())
        .map(|p| format!(" A report is in {}.", p.display()))
        .unwrap_or_default();
    AppError::new(
        ErrorKind::Internal,
        format!("a bug in Signet stopped this action.{report}"),
    )
    .hint(format!("try again; if it happens again, {SEND_IT}"))
}

/// Moves a report a window has shown to `seen/` (so the next start does not show it again)
/// and returns where it is now.
pub fn mark_crash_seen(report: &Path) -> PathBuf {
    let (Some(dir), Some(name)) = (report.parent(), report.file_name()) else {
        return report.to_owned();
    };
    let seen = dir.join("seen");
    let to = seen.join(name);
    match std::fs::create_dir_all(&seen).and_then(|()| std::fs::rename(report, &to)) {
        Ok(()) => to,
        Err(_) => report.to_owned(),
    }
}

/// The newest crash report no window has shown yet; every unseen one moves to `seen/`, so the
/// notice shows once.
pub fn take_unseen_crash(data_dir: &Path) -> Option<CrashNotice> {
    let dir = crash_report_dir(data_dir);
    let mut reports: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    reports.sort();
    let newest = reports.last()?.clone();
    let text = std::fs::read_to_string(&newest).unwrap_or_default();
    let line = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
            .unwrap_or("")
            .to_owned()
    };
    let (what, place) = (line("What:"), line("Where:"));
    let when_ms = std::fs::metadata(&newest)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0));
    let seen = dir.join("seen");
    let _ = std::fs::create_dir_all(&seen);
    let mut shown = newest.clone();
    for r in &reports {
        if let Some(name) = r.file_name() {
            let to = seen.join(name);
            if std::fs::rename(r, &to).is_ok() && *r == newest {
                shown = to;
            }
        }
    }
    Some(CrashNotice {
        summary: if place.is_empty() {
            what
        } else {
            format!("{what} at {place}")
        },
        report: shown.display().to_string(),
        when_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn files_made_after_hardening_are_private_and_a_local_peer_is_this_user() {
        harden();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert!(peer_is_this_user(&a));
    }

    #[test]
    fn an_unseen_crash_report_is_shown_once() {
        let data = tempfile::tempdir().unwrap();
        assert_eq!(take_unseen_crash(data.path()), None);
        let dir = crash_report_dir(data.path());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("crash-20261207T010000Z-1.txt"),
            "Signet 0.1.0 (cli) stopped because of a bug.\nWhat: old\nWhere: a.rs:1\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("crash-20261207T020000Z-2.txt"),
            "Signet 0.1.0 (desktop) stopped because of a bug.\nWhat: index out of bounds\nWhere: crates/x.rs:12\n",
        )
        .unwrap();
        let n = take_unseen_crash(data.path()).unwrap();
        assert_eq!(n.summary, "index out of bounds at crates/x.rs:12");
        assert!(
            n.report.ends_with("seen/crash-20261207T020000Z-2.txt"),
            "{}",
            n.report
        );
        assert!(std::path::Path::new(&n.report).exists());
        assert_eq!(take_unseen_crash(data.path()), None, "shown once");
    }
}
