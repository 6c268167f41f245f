//! Reports saved from the app (`signet_report`): a connection run or a provider audit as a
//! self-contained HTML page or as JSON, written into the user's Downloads folder under a name of its own (never over
//! another file), and opened or shown in its folder on request — only files saved here.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use signet_oauth1::ErrorKind;
use ts_rs::TS;

use crate::App;
use crate::api::RunDetail;
use crate::error::{AppError, Result};

/// What a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// One HTML page: opens offline in any browser, prints, carries no script.
    Html,
    /// The report as data (what `signet audit --json` prints).
    Json,
}

impl ReportFormat {
    fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
        }
    }
}

/// A report written to disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SavedReport {
    /// Where it is (absolute).
    pub path: String,
    /// Its file name.
    pub file_name: String,
    /// The folder it is in.
    pub folder: String,
    /// Its size in bytes.
    pub bytes: u64,
}

impl App {
    /// `run_export`: the run `run_id` — a connection (the ten steps, with the diagnosis of
    /// a failure) or a provider audit — saved as `format` in the Downloads folder.
    pub fn run_export(&self, run_id: &str, format: ReportFormat) -> Result<SavedReport> {
        let record = self.run_get(run_id)?;
        let about = signet_report::About {
            connector: record.summary.connector_name.clone(),
            instance: record.summary.instance_name.clone(),
            written_ms: self.clock().now_ms(),
            version: env!("CARGO_PKG_VERSION").into(),
        };
        let (text, name) = match record.detail {
            RunDetail::Audit { audit } => {
                let report = &audit.report;
                let text = match format {
                    ReportFormat::Json => signet_report::audit::json(report),
                    ReportFormat::Html => signet_report::audit::html(report, &about),
                };
                let name = signet_report::file_name(
                    "audit",
                    &report.provider,
                    report.started_ms,
                    format.extension(),
                );
                (text, name)
            }
            RunDetail::Flow { snapshot, .. } => {
                // The diagnosis the app shows (with the preset's knowledge), when it failed.
                let diagnosis = self.run_diagnose(run_id).ok();
                let text = match format {
                    ReportFormat::Json => {
                        signet_report::flow::json(&snapshot, diagnosis.as_ref(), &about)
                    }
                    ReportFormat::Html => {
                        signet_report::flow::html(&snapshot, diagnosis.as_ref(), &about)
                    }
                };
                let name = signet_report::file_name(
                    "connection",
                    &about.connector,
                    record.summary.started_ms,
                    format.extension(),
                );
                (text, name)
            }
            RunDetail::Call { .. } | RunDetail::Pages { .. } => {
                return Err(AppError::new(
                    ErrorKind::InvalidInputs,
                    format!("run {run_id} is an endpoint call: only connections and provider audits are saved as reports for now"),
                )
                .hint("open the call in step 4 to see its request, answer and trace"));
            }
        };
        let saved = save_new(&self.exports_dir()?, &name, text.as_bytes())?;
        if let Ok(mut kept) = self.inner.saved_reports.lock() {
            kept.insert(PathBuf::from(&saved.path));
        }
        Ok(saved)
    }

    /// `report_show`: opens a report saved since start with the system's default app, or
    /// (`reveal`) shows it in its folder. Any other path is refused.
    pub fn report_show(&self, path: &str, reveal: bool) -> Result<()> {
        let path = PathBuf::from(path);
        let known = self
            .inner
            .saved_reports
            .lock()
            .map(|kept| kept.contains(&path))
            .unwrap_or(false);
        if !known {
            return Err(AppError::new(
                ErrorKind::InvalidInputs,
                format!("{} is not a report Signet saved", path.display()),
            )
            .hint("export the report again, then open it from the notice"));
        }
        if !path.is_file() {
            return Err(AppError::new(
                ErrorKind::Io,
                format!("{} is no longer there", path.display()),
            )
            .hint("it was moved or deleted: export the report again"));
        }
        self.inner.host.show_file(&path, reveal).map_err(|e| {
            AppError::new(
                ErrorKind::Io,
                format!(
                    "{} could not be {}: {e}",
                    path.display(),
                    if reveal {
                        "shown in its folder"
                    } else {
                        "opened"
                    }
                ),
            )
            .hint("open it from your file manager")
        })
    }

    /// Where reports go: the configured folder, else the user's Downloads folder (made when
    /// missing).
    fn exports_dir(&self) -> Result<PathBuf> {
        let dir = self
            .inner
            .settings
            .exports_dir
            .clone()
            .or_else(dirs::download_dir)
            .or_else(|| dirs::home_dir().map(|h| h.join("Downloads")))
            .ok_or_else(|| {
                AppError::new(ErrorKind::Io, "no Downloads folder is known for this user")
                    .hint("set HOME (or XDG_DOWNLOAD_DIR in user-dirs.dirs) and export again")
            })?;
        std::fs::create_dir_all(&dir).map_err(|e| {
            AppError::new(
                ErrorKind::Io,
                format!("the folder {} cannot be made: {e}", dir.display()),
            )
            .hint("check that you may write there, then export again")
        })?;
        Ok(dir)
    }
}

/// Writes `bytes` to a new file in `dir` named `name`, or `name` with ` (2)`, ` (3)`, ...
/// when taken: an existing file is never replaced. A file half written is removed.
fn save_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<SavedReport> {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let io = |path: &Path, e: std::io::Error| {
        AppError::new(
            ErrorKind::Io,
            format!("the report cannot be written to {}: {e}", path.display()),
        )
        .hint("check that the folder exists, has room and that you may write there")
    };
    for n in 1..=99u32 {
        let file_name = if n == 1 {
            name.to_owned()
        } else {
            format!("{stem} ({n}).{ext}")
        };
        let path = dir.join(&file_name);
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&path, e)),
        };
        if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
            drop(file);
            let _ = std::fs::remove_file(&path);
            return Err(io(&path, e));
        }
        return Ok(SavedReport {
            path: path.display().to_string(),
            file_name,
            folder: dir.display().to_string(),
            bytes: bytes.len() as u64,
        });
    }
    Err(AppError::new(
        ErrorKind::Io,
        format!("{} already holds 99 reports named {name}", dir.display()),
    )
    .hint("move older reports away, then export again"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = save_new(dir.path(), "signet-audit-x.html", b"one").unwrap();
        let second = save_new(dir.path(), "signet-audit-x.html", b"two").unwrap();
        assert_eq!(first.file_name, "signet-audit-x.html");
        assert_eq!(second.file_name, "signet-audit-x (2).html");
        assert_eq!(std::fs::read(&first.path).unwrap(), b"one");
        assert_eq!(std::fs::read(&second.path).unwrap(), b"two");
        assert_eq!(second.bytes, 3);
    }

    #[test]
    fn a_folder_that_cannot_be_written_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone");
        let e = save_new(&missing, "r.json", b"{}").unwrap_err();
        assert_eq!(e.report().kind, ErrorKind::Io);
        assert!(e.report().message.contains("cannot be written"), "{e:?}");
    }
}
