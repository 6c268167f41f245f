//! Reports saved from the app (`signet_report`): any run — a connection, an endpoint call, a
//! walk of pages, a provider audit — as a self-contained HTML page or as JSON, written into
//! the user's Downloads folder under a name of its own (never over another file), and opened
//! or shown in its folder on request — only files saved here.

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
    /// The report as data (for an audit, what `signet audit --json` prints).
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
    /// a failure), an endpoint call, a walk of pages or a provider audit — saved as `format`
    /// in the Downloads folder.
    pub fn run_export(&self, run_id: &str, format: ReportFormat) -> Result<SavedReport> {
        let record = self.run_get(run_id)?;
        let about = signet_report::About {
            connector: record.summary.connector_name.clone(),
            instance: record.summary.instance_name.clone(),
            written_ms: self.clock().now_ms(),
            version: env!("CARGO_PKG_VERSION").into(),
        };
        // The report, and what its file is named after: its kind, its subject, its time.
        let (text, kind, subject, ms) = match record.detail {
            RunDetail::Audit { audit } => {
                let report = &audit.report;
                let text = match format {
                    ReportFormat::Json => signet_report::audit::json(report),
                    ReportFormat::Html => signet_report::audit::html(report, &about),
                };
                (text, "audit", report.provider.clone(), report.started_ms)
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
                (
                    text,
                    "connection",
                    about.connector.clone(),
                    record.summary.started_ms,
                )
            }
            RunDetail::Call { call } => {
                let response = call.response.as_ref().map(recorded);
                let calls = [call_view(&call, &call.endpoint_name, response.as_ref())];
                let outcome = match (&call.response, &call.error) {
                    (_, Some(e)) => format!("Failed: {}", e.message),
                    (Some(r), None) => format!("Answered {}", r.status),
                    (None, None) => "No answer".into(),
                };
                let text = match format {
                    ReportFormat::Json => envelope("signet-call-report", "call", &call, &about),
                    ReportFormat::Html => signet_report::call::html(
                        &format!("{} — one call", call.endpoint_name),
                        &outcome,
                        &calls,
                        &about,
                    ),
                };
                (text, "call", call.endpoint_name.clone(), call.sent_ms)
            }
            RunDetail::Pages { pages } => {
                let responses: Vec<_> = pages
                    .pages
                    .iter()
                    .map(|p| p.call.response.as_ref().map(recorded))
                    .collect();
                let headings: Vec<String> = pages
                    .pages
                    .iter()
                    .map(|p| format!("Page {}", p.number))
                    .collect();
                let calls: Vec<_> = pages
                    .pages
                    .iter()
                    .zip(&responses)
                    .zip(&headings)
                    .map(|((p, r), h)| call_view(&p.call, h, r.as_ref()))
                    .collect();
                let text = match format {
                    ReportFormat::Json => envelope("signet-pages-report", "pages", &pages, &about),
                    ReportFormat::Html => signet_report::call::html(
                        &format!(
                            "{} — {} page{}",
                            pages.endpoint_name,
                            pages.pages.len(),
                            if pages.pages.len() == 1 { "" } else { "s" }
                        ),
                        &format!("{} items. {}", pages.item_count, pages.stop_message),
                        &calls,
                        &about,
                    ),
                };
                (
                    text,
                    "pages",
                    pages.endpoint_name.clone(),
                    record.summary.started_ms,
                )
            }
        };
        let name = signet_report::file_name(kind, &subject, &stamp(ms), format.extension());
        let saved = save_new(&self.exports_dir()?, &name, text.as_bytes())?;
        self.remember_saved(&saved);
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

    /// A file saved here may be opened or shown in its folder (`report_show`).
    pub(crate) fn remember_saved(&self, saved: &SavedReport) {
        if let Ok(mut kept) = self.inner.saved_reports.lock() {
            kept.insert(PathBuf::from(&saved.path));
        }
    }

    /// `clipboard_write`: puts `text` on the system clipboard.
    pub fn clipboard_write(&self, text: &str) -> Result<()> {
        self.inner.host.copy_text(text).map_err(|e| {
            AppError::new(
                ErrorKind::Io,
                format!("the text could not be put on the clipboard: {e}"),
            )
            .hint("select the text and copy it with Ctrl+C")
        })
    }

    /// Where reports go: the configured folder, else the user's Downloads folder (made when
    /// missing).
    pub(crate) fn exports_dir(&self) -> Result<PathBuf> {
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

/// A run's time as report file names carry it: `20261208T003515Z`.
fn stamp(ms: u64) -> String {
    signet_store::Timestamp(i64::try_from(ms).unwrap_or(i64::MAX)).compact()
}

/// An answer as the report shows it.
fn recorded(r: &crate::api::CallResponse) -> signet_oauth1::flow::RecordedResponse {
    signet_oauth1::flow::RecordedResponse {
        status: r.status,
        headers: r.headers.clone(),
        body: r.body.clone(),
        body_bytes: usize::try_from(r.body_bytes).unwrap_or(usize::MAX),
        truncated: r.truncated,
    }
}

/// A call as the report shows it.
fn call_view<'a>(
    call: &'a crate::api::CallRecord,
    heading: &'a str,
    response: Option<&'a signet_oauth1::flow::RecordedResponse>,
) -> signet_report::call::Call<'a> {
    signet_report::call::Call {
        heading,
        auth_method: call.auth_method.as_deref(),
        request: &call.request,
        trace: call.trace.as_ref(),
        parameters: &call.parameters,
        variables: &call.variables,
        response,
        error: call.error.as_ref(),
        diagnosis: call.diagnosis.as_ref(),
        sent_ms: call.sent_ms,
        duration_ms: call.duration_ms,
    }
}

/// A run's record as a JSON report: what it is, about what, and the record as the app keeps it
/// (secrets masked).
fn envelope<T: Serialize>(
    format: &str,
    key: &str,
    value: &T,
    about: &signet_report::About,
) -> String {
    let mut doc = serde_json::json!({
        "format": format,
        "version": 1,
        "connector": about.connector,
        "instance": about.instance,
        "written_ms": about.written_ms,
    });
    doc[key] = serde_json::to_value(value).unwrap_or_default();
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// Writes `bytes` to a new file in `dir` named `name`, or `name` with ` (2)`, ` (3)`, ...
/// when taken: an existing file is never replaced. A file half written is removed.
pub(crate) fn save_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<SavedReport> {
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
