//! Signet's use cases, written once for every front end: connectors and their instances, the
//! ten steps of an OAuth 1.0a method, endpoint calls and walks of their pages, the run history, presets and diagnosis.
//! The desktop shell's commands and the CLI are thin adapters over [`App`]; tests drive it with
//! a [`Host`] of their own.
//!
//! - [`api`]: the contract — every command's arguments and result, every event, the error.
//! - [`App`]: the use cases, over the store, the engine, the presets and the demo provider.
//! - [`Host`]: what the front end provides — where events go, how the consent page opens.
//!
//! Tauri-free: nothing here knows about windows or IPC; the shell maps [`api::COMMANDS`] onto
//! these methods one to one.
#![warn(missing_docs)]

pub mod api;
mod audit;
mod calls;
mod connectors;
mod demo;
mod error;
mod flows;
mod history;
mod ids;
mod interchange;
mod jobs;
mod pages;
mod presets;
pub mod process;
mod reports;
pub mod startup;
pub mod startup_trace;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use signet_engine::http::HttpSettings;
use signet_engine::{Browser, Clock};
use signet_presets::Catalog;
use signet_provider::RunningProvider;
use signet_store::Store;

pub use api::Event;
pub use audit::{AuditProgress, AuditRecord, AuditResult};
pub use demo::DEMO_TOKEN_STORE;
pub use error::{AppError, Result};
pub use flows::{FlowEnd, FlowStop, Routed};
pub use pages::PagesOptions;
pub use signet_oauth1::callback::link_excerpt;

/// What a front end provides: where events go and how the provider's consent page opens.
pub trait Host: Send + Sync + 'static {
    /// Shows an event (a flow moved, a link was refused).
    fn emit(&self, event: Event);
    /// Opens the consent page of step 6.
    fn browser(&self) -> Arc<dyn Browser>;
    /// Opens a file Signet saved (a report) with the system's default app, or, with
    /// `reveal`, shows it in its folder. Hosts without a desktop (the CLI) cannot.
    fn show_file(&self, path: &std::path::Path, reveal: bool) -> std::result::Result<(), String> {
        let _ = (path, reveal);
        Err("this Signet has no desktop to open files with".into())
    }
    /// Puts `text` on the system clipboard (Copy buttons: a webview may offer none).
    fn copy_text(&self, text: &str) -> std::result::Result<(), String> {
        let _ = text;
        Err("this Signet has no clipboard".into())
    }
}

/// How the app talks to providers, and where it saves what it exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The dance's requests (token endpoints answer small).
    pub flow_http: HttpSettings,
    /// Endpoint calls (APIs answer larger).
    pub call_http: HttpSettings,
    /// How long a flow waits for the redirect or PIN.
    pub callback_timeout: Duration,
    /// Where reports are saved: the user's Downloads folder when `None`.
    pub exports_dir: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            flow_http: HttpSettings::default(),
            call_http: HttpSettings {
                max_response_bytes: 10 * 1024 * 1024,
                ..HttpSettings::default()
            },
            callback_timeout: Duration::from_secs(10 * 60),
            exports_dir: None,
        }
    }
}

/// Signet's use cases. Cheap to clone: clones share one state.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    catalog: Catalog,
    host: Arc<dyn Host>,
    runtime: tokio::runtime::Handle,
    settings: Settings,
    flows: flows::Flows,
    clock_offset: AtomicI64,
    demo: tokio::sync::Mutex<Option<RunningProvider>>,
    /// The HTTP client of endpoint calls, made on the first call and kept (its connection pool
    /// too): building one per call costs more than a local call itself.
    call_http: std::sync::OnceLock<signet_engine::http::Http>,
    /// Walks of pages in progress (`endpoint_pages_cancel` names them).
    page_jobs: jobs::Jobs<pages::Job>,
    /// Audits going, by job name (`audit_stop` names them).
    audit_jobs: jobs::Jobs<audit::RunningAudit>,
    /// The reports saved since start: the only files `report_show` opens.
    saved_reports: std::sync::Mutex<std::collections::HashSet<std::path::PathBuf>>,
}

impl App {
    /// The app over an open store. Runs are driven on `runtime`.
    pub fn new(
        store: Store,
        host: Arc<dyn Host>,
        runtime: tokio::runtime::Handle,
        settings: Settings,
    ) -> Result<Self> {
        let catalog = Catalog::load().map_err(|problems| {
            AppError::new(
                signet_oauth1::ErrorKind::PresetsInvalid,
                format!(
                    "the shipped presets do not load: {}",
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                store: Arc::new(store),
                catalog,
                host,
                runtime,
                settings,
                flows: flows::Flows::default(),
                clock_offset: AtomicI64::new(0),
                demo: tokio::sync::Mutex::new(None),
                call_http: std::sync::OnceLock::new(),
                page_jobs: Default::default(),
                audit_jobs: Default::default(),
                saved_reports: Default::default(),
            }),
        })
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The provider presets.
    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// The clock every `oauth_timestamp` is read from, with the user's offset.
    pub fn clock(&self) -> Clock {
        Clock::with_offset(self.inner.clock_offset.load(Ordering::Relaxed))
    }

    /// `clock_offset_set`: the seconds added to every `oauth_timestamp` from now on (a retry of
    /// a failed run uses it too).
    pub fn clock_offset_set(&self, seconds: i64) {
        self.inner.clock_offset.store(
            signet_engine::clock::clamp_offset(seconds),
            Ordering::Relaxed,
        );
    }

    /// `app_info`.
    pub async fn app_info(&self) -> api::AppInfo {
        let demo_provider_url = self
            .inner
            .demo
            .lock()
            .await
            .as_ref()
            .map(|p| p.url().to_owned());
        let store = self.store();
        api::AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: store.data_dir().display().to_string(),
            data_key_location: store.key_status().describe(),
            demo_provider_url,
            crash: process::take_unseen_crash(store.data_dir()),
        }
    }

    fn emit(&self, event: Event) {
        self.inner.host.emit(event);
    }
}
