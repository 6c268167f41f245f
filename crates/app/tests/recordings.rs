//! The answers the UI's browser preview replays (`ui/src/ipc/fake.ts`), recorded from the real
//! [`App`]: scripted sessions of commands, each the way the UI sends it, with every answer and
//! every event that followed it. One JSON file per session in `ui/src/ipc/recordings/`, and an
//! `index.ts` importing them.
//!
//! By default this test records every session again (into `target/tmp/recordings/`) and fails
//! when a recording differs from the committed one, once both are normalized: values that change
//! from run to run (times, durations, nonces, signatures, tokens, verifiers, ports, the data
//! directory) are replaced by placeholders wherever they appear, encoded forms included.
//! `SIGNET_RECORD=1 cargo test -p signet-app --test recordings` rewrites the committed files.
//!
//! The fake holds no backend rules: a change of the backend's answers shows up here first.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use signet_app::api::*;
use signet_app::startup::Recovery;
use signet_app::{App, AppError, Event, Host, PagesOptions, Settings};
use signet_engine::Browser;
use signet_oauth1::encoding::{decode, encode, lossy};
use signet_provider::{Faults, approve};
use signet_store::{KeyringChoice, OpenOptions, Store};

/// The command that rewrites the committed recordings.
const RECORD: &str = "SIGNET_RECORD=1 cargo test -p signet-app --test recordings";

/// Every session: its name (the file's and the fake's scenario) and what it shows.
const SESSIONS: &[(&str, &str)] = &[
    (
        "demo",
        "The main preview: the app starts empty, the demo provider starts, its connector connects (alice allows on the consent page, the redirect comes back as a deep link), every endpoint of the demo API is called, one call fails with a 404, every run is read back, and two secrets are revealed.",
    ),
    (
        "new",
        "A new connector: blank (saving it as it is is refused, field by field), then made from every preset, each checked and linted as the builder does.",
    ),
    (
        "pin",
        "The demo connector saved with the PIN (oob) callback: the run waits for the PIN the consent page shows, then finishes.",
    ),
    (
        "denied",
        "The demo connector connects and alice presses Deny on the consent page.",
    ),
    (
        "signature_invalid",
        "The demo connector saved with a wrong consumer secret: the provider refuses the signature at step 3; the run is diagnosed and two base strings are pasted (the provider's own, and a near miss).",
    ),
    (
        "clock_skew",
        "The demo provider's clock runs an hour ahead: the timestamp is refused at step 3; the diagnosis suggests a clock offset, which is set, and the retried run finishes.",
    ),
    (
        "html_page",
        "The demo provider answers its token endpoints with an HTML page (as a captive portal or a misconfigured proxy does): step 3 fails and is diagnosed.",
    ),
    (
        "server_error",
        "The demo provider fails with http 500 on its token endpoints: step 3 fails and is diagnosed.",
    ),
    (
        "damaged",
        "Signet starts on a damaged database: the recovery window says what happened, Retry meets the same problem, Move it aside keeps the old files and opens a fresh, empty database.",
    ),
    (
        "audit",
        "The demo provider audited with its timestamps ignored (a lax switch): the plan is read, the audit runs (alice allows access twice), every check gets its verdict, the two timestamp checks not enforced; the audit is read back from the History.",
    ),
    (
        "manage",
        "Instances and tokens: the redirect pasted by hand; a second instance (calls before connecting are refused); a run cancelled while it waits, and its late redirect refused; the history kept shorter, then cleared; the token forgotten; the instance and the connector deleted.",
    ),
];

/// The demo connector's endpoints, in order.
const DEMO_ENDPOINTS: &[&str] = &[
    "me",
    "orders",
    "order",
    "order-xml",
    "create-order",
    "create-note",
    "tenant",
    "orders-offset",
    "orders-pages",
    "orders-cursor",
    "orders-cursor-header",
    "orders-next-url",
    "orders-link",
    "orders-relative",
    "orders-graphql",
];

fn recordings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/recordings")
}

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// The host: events kept with the time they came, and a browser where alice decides

/// What alice does on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Consent {
    /// Signs in and allows; the redirect comes back as a deep link (or the PIN is shown).
    Allow,
    /// Signs in and denies; the redirect comes back as a deep link.
    Deny,
    /// Signs in and allows; the browser keeps the address (the user pastes it into Signet).
    AllowAndKeep,
    /// Leaves the page open.
    Ignore,
}

struct Shared {
    app: OnceLock<App>,
    consent: Mutex<Consent>,
    events: Mutex<Vec<(Instant, Event)>>,
    /// Consent pages opened.
    opened: Mutex<Vec<String>>,
    /// PINs the consent page showed.
    pins: Mutex<Vec<String>>,
    /// Redirects the browser kept.
    redirects: Mutex<Vec<String>>,
    /// Saved reports the app was asked to open (false) or show in their folder (true).
    shown: Mutex<Vec<(PathBuf, bool)>>,
    /// What the app put on the clipboard.
    copied: Mutex<Vec<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct RecordingBrowser(Arc<Shared>);

impl Browser for RecordingBrowser {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        let (url, shared) = (url.to_owned(), self.0.clone());
        lock(&shared.opened).push(url.clone());
        let consent = *lock(&shared.consent);
        if consent == Consent::Ignore {
            return Ok(());
        }
        tokio::spawn(async move {
            let out = approve(&url, "alice", "wonderland", consent != Consent::Deny)
                .await
                .unwrap_or_else(|e| panic!("the consent page at {url}: {e}"));
            if let Some(pin) = out.pin {
                lock(&shared.pins).push(pin);
            }
            if let Some(redirect) = out.redirect {
                if consent == Consent::AllowAndKeep {
                    lock(&shared.redirects).push(redirect);
                } else if let Some(app) = shared.app.get() {
                    app.route_link(&redirect);
                }
            }
        });
        Ok(())
    }
}

struct RecordingHost(Arc<Shared>);

impl Host for RecordingHost {
    fn emit(&self, event: Event) {
        lock(&self.0.events).push((Instant::now(), event));
    }

    fn browser(&self) -> Arc<dyn Browser> {
        Arc::new(RecordingBrowser(self.0.clone()))
    }

    fn show_file(&self, path: &Path, reveal: bool) -> Result<(), String> {
        lock(&self.0.shown).push((path.to_owned(), reveal));
        Ok(())
    }

    fn copy_text(&self, text: &str) -> Result<(), String> {
        lock(&self.0.copied).push(text.to_owned());
        Ok(())
    }
}

fn event_json(event: &Event) -> (&'static str, Value) {
    let payload = match event {
        Event::FlowSnapshot(e) => serde_json::to_value(e),
        Event::DeepLinkRefused(e) => serde_json::to_value(e),
        Event::Crashed(e) => serde_json::to_value(e),
        Event::PagesProgress(e) => serde_json::to_value(e),
        Event::AuditProgress(e) => serde_json::to_value(e),
    };
    (event.name(), payload.expect("events serialize"))
}

// ---------------------------------------------------------------------------------------------
// Commands as the shell runs them: JSON arguments in, JSON answer or error report out

/// The `…Args` a command takes, read from the JSON the UI sends, as Tauri reads it. The JSON
/// must be exactly the type's (no field ignored); typed secrets come back redacted.
fn args<T: DeserializeOwned + Serialize>(command: &str, json: &Value) -> T {
    let typed: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| {
        panic!(
            "{command}: the arguments do not read as {}: {e}\n{json}",
            std::any::type_name::<T>()
        )
    });
    let back = serde_json::to_value(&typed).expect("arguments serialize");
    assert!(
        same_but_secrets(&back, json),
        "{command}: the arguments are not exactly a {} (a field left out or unknown?)\nsent: {json}\nread: {back}",
        std::any::type_name::<T>()
    );
    typed
}

/// `a` (the arguments read back) is `b` (as sent), but where `a` has a redacted secret.
fn same_but_secrets(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(s), Value::String(_)) if s == signet_oauth1::secret::REDACTED => true,
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_but_secrets(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_but_secrets(v, w))
        }
        _ => a == b,
    }
}

fn answer<T: Serialize>(r: Result<T, AppError>) -> Result<Value, Value> {
    match r {
        Ok(v) => Ok(serde_json::to_value(v).expect("results serialize")),
        Err(e) => Err(serde_json::to_value(e).expect("errors serialize")),
    }
}

/// Runs `command` with `json` (`null` for a command without arguments) as the desktop shell
/// does (src-tauri/src/commands.rs), over the app's use cases.
async fn dispatch(app: &App, command: &str, json: &Value) -> Result<Value, Value> {
    let none = || {
        assert!(json.is_null(), "{command} takes no arguments, got {json}");
    };
    match command {
        "app_info" => {
            none();
            answer(Ok::<_, AppError>(app.app_info().await))
        }
        "app_started" => {
            let a: StartedArgs = args(command, json);
            signet_app::startup_trace::page_reported(&a);
            answer(Ok::<_, AppError>(()))
        }
        "demo_provider_start" => {
            none();
            answer(app.demo_provider_start().await)
        }
        "connectors_list" => {
            none();
            answer(app.connectors_list())
        }
        "connector_new" => {
            let a: NewConnectorArgs = args(command, json);
            answer(app.connector_new(a.preset_id.as_deref()))
        }
        "connector_get" => {
            let a: ConnectorGetArgs = args(command, json);
            answer(app.connector_get(&a.id, a.instance_id.as_deref()))
        }
        "connector_validate" => {
            let a: DocumentArgs = args(command, json);
            answer(app.connector_validate(&a.document))
        }
        "connector_lint" => {
            let a: DocumentArgs = args(command, json);
            answer(app.connector_lint(&a.document))
        }
        "connector_save" => {
            let a: DocumentArgs = args(command, json);
            answer(app.connector_save(a.document))
        }
        "connector_delete" => {
            let a: ConnectorArgs = args(command, json);
            answer(app.connector_delete(&a.id))
        }
        "instance_create" => {
            let a: InstanceCreateArgs = args(command, json);
            answer(app.instance_create(&a.connector_id, &a.name, a.copy_from.as_deref()))
        }
        "instance_delete" => {
            let a: InstanceArgs = args(command, json);
            answer(app.instance_delete(&a.instance_id))
        }
        "secret_reveal" => {
            let a: RevealSecretArgs = args(command, json);
            answer(app.secret_reveal(&a.instance_id, &a.which))
        }
        "flow_start" => {
            let a: InstanceArgs = args(command, json);
            answer(app.flow_start(&a.instance_id).await)
        }
        "flow_submit_pin" => {
            let a: SubmitPinArgs = args(command, json);
            answer(app.flow_submit_pin(&a.run_id, &a.pin))
        }
        "flow_submit_callback" => {
            let a: SubmitCallbackArgs = args(command, json);
            answer(app.flow_submit_callback(&a.run_id, &a.url))
        }
        "flow_retry" => {
            let a: RunArgs = args(command, json);
            answer(app.flow_retry(&a.run_id))
        }
        "flow_cancel" => {
            let a: RunArgs = args(command, json);
            answer(app.flow_cancel(&a.run_id))
        }
        "endpoint_send" => {
            let a: SendArgs = args(command, json);
            answer(
                app.endpoint_send(&a.instance_id, &a.endpoint_id, &a.inputs)
                    .await,
            )
        }
        "endpoint_curl" => {
            let a: CurlArgs = args(command, json);
            answer(
                app.endpoint_curl(&a.instance_id, None, &a.endpoint_id, &a.inputs, a.reveal)
                    .await,
            )
        }
        "postman_import" => {
            let a: PostmanImportArgs = args(command, json);
            answer(app.postman_import_files(&a.files))
        }
        "postman_export" => {
            let a: PostmanExportArgs = args(command, json);
            answer(app.postman_export(&a.connector_id, a.instance_id.as_deref(), a.include_secrets))
        }
        "clipboard_write" => {
            let a: ClipboardArgs = args(command, json);
            answer(app.clipboard_write(&a.text))
        }
        "exchange_curl" => {
            let a: ExchangeCurlArgs = args(command, json);
            answer(Ok::<_, AppError>(app.exchange_curl(&a.request)))
        }
        "endpoint_send_pages" => {
            let a: SendPagesArgs = args(command, json);
            answer(
                app.endpoint_send_pages(
                    &a.instance_id,
                    &a.endpoint_id,
                    &a.inputs,
                    &a.job,
                    PagesOptions {
                        max_pages: a.max_pages,
                        items_in_events: a.items_in_events,
                    },
                )
                .await,
            )
        }
        "audit_plan" => {
            let a: InstanceArgs = args(command, json);
            answer(app.audit_plan(&a.instance_id).await)
        }
        "audit_run" => {
            let a: AuditArgs = args(command, json);
            answer(app.audit_run(&a.instance_id, &a.job, a.rate_limit).await)
        }
        "audit_stop" => {
            let a: JobArgs = args(command, json);
            answer(app.audit_stop(&a.job))
        }
        "run_export" => {
            let a: RunExportArgs = args(command, json);
            answer(app.run_export(&a.run_id, a.format))
        }
        "report_show" => {
            let a: ReportShowArgs = args(command, json);
            answer(app.report_show(&a.path, a.reveal))
        }
        "endpoint_pages_cancel" => {
            let a: JobArgs = args(command, json);
            answer(app.endpoint_pages_cancel(&a.job))
        }
        "schema_taxonomy" => answer(Ok::<_, AppError>(app.schema_taxonomy())),
        "schema_export" => {
            let a: SchemaExportArgs = args(command, json);
            answer(app.schema_export(&a.schema, &a.title))
        }
        "runs_list" => {
            let a: RunsListArgs = args(command, json);
            answer(app.runs_list(&a))
        }
        "run_get" => {
            let a: RunArgs = args(command, json);
            answer(app.run_get(&a.run_id))
        }
        "tokens_list" => {
            none();
            answer(app.tokens_list())
        }
        "history_settings" => answer(app.history_settings()),
        "history_settings_set" => {
            let a: HistorySettingsArgs = args(command, json);
            answer(app.history_settings_set(a.keep_runs))
        }
        "history_clear" => {
            let a: HistoryClearArgs = args(command, json);
            answer(app.history_clear(a.connector_id.as_deref(), a.instance_id.as_deref()))
        }
        "token_forget" => {
            let a: InstanceArgs = args(command, json);
            answer(app.token_forget(&a.instance_id))
        }
        "presets_list" => {
            none();
            answer(Ok::<_, AppError>(app.presets_list()))
        }
        "preset_apply" => {
            let a: PresetApplyArgs = args(command, json);
            answer(app.connector_new(Some(&a.preset_id)))
        }
        "run_diagnose" => {
            let a: RunArgs = args(command, json);
            answer(app.run_diagnose(&a.run_id))
        }
        "diagnose_paste" => {
            let a: DiagnosePasteArgs = args(command, json);
            answer(app.diagnose_paste(&a.run_id, &a.text))
        }
        "clock_offset_set" => {
            let a: ClockOffsetArgs = args(command, json);
            app.clock_offset_set(a.offset_seconds);
            answer(Ok::<_, AppError>(()))
        }
        other => panic!("the recorder does not know the command {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// A session: a fresh app, its commands and the events after each

struct Session {
    name: &'static str,
    /// `None` while the database cannot be opened (the recovery window).
    app: Option<App>,
    /// Why it cannot, and how to try again.
    recovery: Option<Recovery>,
    shared: Arc<Shared>,
    _dir: tempfile::TempDir,
    started_ms: u64,
    calls: Vec<Map<String, Value>>,
    /// When the last command returned.
    returned: Option<Instant>,
    /// Host events already given to a command.
    attributed: usize,
    settings: Settings,
}

impl Session {
    fn new(name: &'static str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Store::open(&Self::options(dir.path())).expect("a fresh store");
        Self::with(name, dir, Ok(store))
    }

    /// A session whose database was damaged before Signet started: garbage in every file.
    fn damaged(name: &'static str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let options = Self::options(dir.path());
        drop(Store::open(&options).expect("a fresh store"));
        let db = dir.path().join("db");
        for entry in std::fs::read_dir(&db)
            .expect("the database folder")
            .flatten()
        {
            if entry.path().is_file() && entry.file_name() != "signet-schema" {
                std::fs::write(entry.path(), vec![0xA5u8; 4096]).expect("garbage written");
            }
        }
        let opened = signet_app::startup::open_store(&options);
        assert!(opened.is_err(), "a database of garbage opened");
        Self::with(name, dir, opened)
    }

    fn options(dir: &Path) -> OpenOptions {
        OpenOptions::new(dir)
            .keyring(KeyringChoice::File)
            .without_system_keyring()
    }

    fn with(name: &'static str, dir: tempfile::TempDir, opened: Result<Store, Recovery>) -> Self {
        let shared = Arc::new(Shared {
            app: OnceLock::new(),
            consent: Mutex::new(Consent::Allow),
            events: Mutex::new(Vec::new()),
            opened: Mutex::new(Vec::new()),
            pins: Mutex::new(Vec::new()),
            redirects: Mutex::new(Vec::new()),
            shown: Mutex::new(Vec::new()),
            copied: Mutex::new(Vec::new()),
        });
        let settings = Settings {
            callback_timeout: Duration::from_secs(20),
            exports_dir: Some(dir.path().join("Downloads")),
            ..Settings::default()
        };
        let mut session = Self {
            name,
            app: None,
            recovery: None,
            shared,
            _dir: dir,
            started_ms: now_ms(),
            calls: Vec::new(),
            returned: None,
            attributed: 0,
            settings,
        };
        match opened {
            Ok(store) => session.start(store),
            Err(recovery) => session.recovery = Some(recovery),
        }
        session
    }

    /// Signet's use cases over an open database, as the shell makes them.
    fn start(&mut self, store: Store) {
        let app = App::new(
            store,
            Arc::new(RecordingHost(self.shared.clone())),
            tokio::runtime::Handle::current(),
            self.settings.clone(),
        )
        .expect("the app starts");
        self.shared.app.set(app.clone()).ok();
        self.app = Some(app);
    }

    fn app(&self) -> &App {
        self.app.as_ref().expect("the database is open")
    }

    /// The recovery window's commands, as src-tauri/src/commands.rs answers them.
    fn recovery_command(&mut self, command: &str) -> Result<Value, Value> {
        match command {
            "store_problem" => answer(Ok::<_, AppError>(
                self.recovery.as_ref().map(|r| r.problem().clone()),
            )),
            "store_retry" => {
                let Some(recovery) = self.recovery.as_mut() else {
                    return answer(Ok::<_, AppError>(None::<StoreProblem>));
                };
                match recovery.retry() {
                    Ok(store) => {
                        self.recovery = None;
                        self.start(store);
                        answer(Ok::<_, AppError>(None::<StoreProblem>))
                    }
                    Err(problem) => answer(Ok::<_, AppError>(Some(problem))),
                }
            }
            "store_move_aside" => {
                let recovery = self.recovery.as_mut().expect("a database to move aside");
                match recovery.move_aside() {
                    Ok((moved, Some(store))) => {
                        self.recovery = None;
                        self.start(store);
                        answer(Ok::<_, AppError>(moved))
                    }
                    other => panic!("moving aside did not open a fresh database: {other:?}"),
                }
            }
            other => panic!("{other} is not a recovery command"),
        }
    }

    /// Gives the events that came since the last command to it.
    fn attribute_events(&mut self) {
        let events = lock(&self.shared.events);
        let (Some(call), Some(returned)) = (self.calls.last_mut(), self.returned) else {
            assert!(events.is_empty(), "an event before the first command");
            return;
        };
        let list = call
            .get_mut("events")
            .and_then(Value::as_array_mut)
            .expect("a call's events");
        for (at, event) in &events[self.attributed..] {
            let (name, payload) = event_json(event);
            let delay = at.saturating_duration_since(returned).as_millis();
            list.push(json!({ "event": name, "delay_ms": delay, "payload": payload }));
        }
        self.attributed = events.len();
    }

    /// Runs a command as the UI sends it and records it with its answer.
    async fn call(&mut self, command: &str, args: Value) -> Result<Value, Value> {
        self.attribute_events();
        let result = if command.starts_with("store_") {
            self.recovery_command(command)
        } else {
            dispatch(self.app(), command, &args).await
        };
        self.returned = Some(Instant::now());
        let mut call = Map::new();
        call.insert("command".into(), command.into());
        call.insert("args".into(), args);
        match &result {
            Ok(v) => call.insert("ok".into(), v.clone()),
            Err(e) => call.insert("err".into(), e.clone()),
        };
        call.insert("at_ms".into(), now_ms().into());
        call.insert("events".into(), Value::Array(Vec::new()));
        self.calls.push(call);
        result
    }

    async fn ok(&mut self, command: &str, args: Value) -> Value {
        let name = self.name;
        self.call(command, args)
            .await
            .unwrap_or_else(|e| panic!("session {name}: {command} failed: {e}"))
    }

    async fn err(&mut self, command: &str, args: Value) -> Value {
        let name = self.name;
        match self.call(command, args).await {
            Ok(v) => panic!("session {name}: {command} was expected to fail, answered {v}"),
            Err(e) => e,
        }
    }

    /// Waits until an event since the last command satisfies `done`, then until the events
    /// stop coming; returns that event's payload.
    async fn wait_for(&self, what: &str, done: impl Fn(&str, &Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        let found = loop {
            let hit = lock(&self.shared.events)[self.attributed..]
                .iter()
                .map(|(_, e)| event_json(e))
                .find(|(name, payload)| done(name, payload));
            if let Some((_, payload)) = hit {
                break payload;
            }
            assert!(
                Instant::now() < deadline,
                "session {}: no event came for {what}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        // Quiet for a while: the run is at rest.
        let mut count = lock(&self.shared.events).len();
        loop {
            tokio::time::sleep(Duration::from_millis(40)).await;
            let now = lock(&self.shared.events).len();
            if now == count {
                break;
            }
            count = now;
        }
        found
    }

    /// Waits until the run's snapshot says `phase`.
    async fn until_phase(&self, run_id: &str, phase: &str) -> Value {
        self.wait_for(&format!("run {run_id} to be {phase}"), |name, p| {
            name == EVENT_FLOW_SNAPSHOT && p["run_id"] == run_id && p["snapshot"]["phase"] == phase
        })
        .await
    }

    /// Waits until the run waits for `kind` (`pin`, `callback`).
    async fn until_waiting(&self, run_id: &str, kind: &str) -> Value {
        self.wait_for(&format!("run {run_id} to wait for {kind}"), |name, p| {
            name == EVENT_FLOW_SNAPSHOT
                && p["run_id"] == run_id
                && p["snapshot"]["waiting_for"]["kind"] == kind
        })
        .await
    }

    async fn wait_until<T>(&self, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(v) = f() {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "session {}: {what} did not happen",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn consent(&self, c: Consent) {
        *lock(&self.shared.consent) = c;
    }

    /// Switches the demo provider's faults (its admin endpoint, as a presenter does).
    async fn faults(&self, provider_url: &str, faults: &Faults) {
        let r = reqwest::Client::new()
            .put(format!("{provider_url}{}", signet_provider::FAULTS_PATH))
            .header("content-type", "application/json")
            .body(serde_json::to_string(faults).expect("faults serialize"))
            .send()
            .await
            .expect("the faults endpoint answers");
        assert!(r.status().is_success(), "faults: http {}", r.status());
    }

    fn finish(mut self, description: &str) -> Value {
        self.attribute_events();
        json!({
            "session": self.name,
            "description": description,
            "recorded_ms": self.started_ms,
            "calls": self.calls,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The sessions: what the UI does, in its order

fn str_of<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"))
}

/// The app's first screen: what the UI asks for when it starts. Returns the presets when
/// asked for them (the sessions whose UI shows the picker).
async fn ui_starts(s: &mut Session, presets: bool) -> Value {
    s.ok("store_problem", Value::Null).await;
    s.ok("app_info", Value::Null).await;
    let list = if presets {
        s.ok("presets_list", Value::Null).await
    } else {
        Value::Null
    };
    s.ok("connectors_list", Value::Null).await;
    // The first screen is drawn with its data (the page's times; the fake compares none).
    s.ok(
        "app_started",
        json!({ "time_origin_ms": 1_765_000_000_000.5, "first_paint_ms": 120.5, "interactive_ms": 310.5 }),
    )
    .await;
    list
}

/// Waits until early in a second of the clock: a request sent then is answered in the same
/// second, so a skew measured from the provider's `Date` header (whole seconds) is exact.
async fn early_in_a_second() {
    let into = now_ms() % 1000;
    if into > 300 {
        tokio::time::sleep(Duration::from_millis(1020 - into)).await;
    }
}

/// "Try it with the demo provider": the provider starts and its connector is checked as the
/// builder shows it. Returns (provider URL, connector id, instance id, document).
async fn demo_starts(s: &mut Session) -> (String, String, String, Value) {
    let demo = s.ok("demo_provider_start", Value::Null).await;
    let document = demo["connector"]["document"].clone();
    s.ok("connector_validate", json!({ "document": document }))
        .await;
    s.ok("connector_lint", json!({ "document": document }))
        .await;
    (
        str_of(&demo["url"], "url").to_owned(),
        str_of(&demo["connector"]["id"], "connector id").to_owned(),
        str_of(&document["instance"]["id"], "instance id").to_owned(),
        document,
    )
}

/// The document edited in the builder: checked, linted and saved.
async fn edit_and_save(s: &mut Session, document: &Value) -> Value {
    s.ok("connector_validate", json!({ "document": document }))
        .await;
    s.ok("connector_lint", json!({ "document": document }))
        .await;
    s.ok("connector_save", json!({ "document": document }))
        .await
}

async fn flow_start(s: &mut Session, instance: &str) -> String {
    let started = s.ok("flow_start", json!({ "instance_id": instance })).await;
    str_of(&started["run_id"], "run id").to_owned()
}

/// The first page of the History, every kind, as the History page asks for it.
fn history_page(connector: Option<&str>) -> Value {
    json!({ "connector_id": connector, "instance_id": null, "kind": null, "before": null, "limit": null })
}

/// What the UI asks for again once a run is over.
async fn refresh(s: &mut Session, connector: &str, instance: &str) {
    s.ok("connectors_list", Value::Null).await;
    // The History page's first page, as it asks for it when it is open (or opened).
    s.ok("runs_list", history_page(None)).await;
    s.ok(
        "connector_get",
        json!({ "id": connector, "instance_id": instance }),
    )
    .await;
}

async fn session_demo(s: &mut Session) {
    ui_starts(s, true).await;
    let (_, connector, instance, document) = demo_starts(s).await;
    let endpoints: Vec<&str> = document["connector"]["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|e| str_of(&e["id"], "endpoint id"))
        .collect();
    assert_eq!(endpoints, DEMO_ENDPOINTS, "the demo connector's endpoints");

    let run = flow_start(s, &instance).await;
    s.until_phase(&run, "finished").await;
    refresh(s, &connector, &instance).await;

    // Each endpoint once (the paginated ones are walked below, one of them).
    for endpoint in DEMO_ENDPOINTS.iter().filter(|e| !e.starts_with("orders-")) {
        let sent = s
            .ok(
                "endpoint_send",
                json!({ "instance_id": instance, "endpoint_id": endpoint, "inputs": {} }),
            )
            .await;
        assert!(
            sent["call"]["error"].is_null(),
            "{endpoint} failed: {}",
            sent["call"]["error"]
        );
        s.ok("runs_list", history_page(None)).await;
    }
    // Copy as curl: a call signed afresh (not sent), and a call's request as it was sent.
    let curl = s
        .ok(
            "endpoint_curl",
            json!({ "instance_id": instance, "endpoint_id": DEMO_ENDPOINTS[0], "inputs": {},
                    "reveal": false }),
        )
        .await;
    assert!(
        str_of(&curl["command"], "curl").starts_with("curl "),
        "{curl}"
    );
    s.ok("clipboard_write", json!({ "text": curl["command"] }))
        .await;
    assert_eq!(lock(&s.shared.copied).len(), 1);
    let sent = s
        .ok(
            "endpoint_send",
            json!({ "instance_id": instance, "endpoint_id": DEMO_ENDPOINTS[0], "inputs": {} }),
        )
        .await;
    s.ok(
        "exchange_curl",
        json!({ "request": sent["call"]["request"] }),
    )
    .await;
    s.ok("runs_list", history_page(None)).await;
    // A walk of pages, as the UI names it (`pages-` and the endpoint), and a cancel of a walk
    // that already ended.
    let walked = s
        .ok(
            "endpoint_send_pages",
            json!({ "instance_id": instance, "endpoint_id": "orders-link", "inputs": {},
                    "job": "pages-orders-link", "max_pages": null, "items_in_events": true }),
        )
        .await;
    assert_eq!(walked["item_count"], 1234, "{}", walked["stop"]);
    s.ok("schema_taxonomy", Value::Null).await;
    s.ok(
        "schema_export",
        json!({ "schema": walked["schema"], "title": "All orders (Link header)" }),
    )
    .await;
    s.ok(
        "endpoint_pages_cancel",
        json!({ "job": "pages-orders-link" }),
    )
    .await;
    s.ok("runs_list", history_page(None)).await;
    let failed = s
        .ok(
            "endpoint_send",
            json!({ "instance_id": instance, "endpoint_id": "order", "inputs": { "order_id": "5" } }),
        )
        .await;
    assert_eq!(failed["call"]["response"]["status"], 404, "{failed}");
    let failed_run = str_of(&failed["run_id"], "run id").to_owned();
    let runs = s.ok("runs_list", history_page(None)).await;
    for r in runs["runs"].as_array().expect("runs") {
        let record = s.ok("run_get", json!({ "run_id": r["run_id"] })).await;
        // Copy as curl on a step of the ten: the request-token request as it was sent.
        if r["kind"] == "flow" {
            let step = &record["detail"]["snapshot"]["steps"][2];
            assert_eq!(step["id"], "token_request", "{step}");
            s.ok(
                "exchange_curl",
                json!({ "request": step["exchanges"][0]["request"] }),
            )
            .await;
        }
    }
    // The History page narrowed to the connector, and to each kind.
    s.ok("runs_list", history_page(Some(&connector))).await;
    for kind in ["flow", "call", "pages"] {
        let mut args = history_page(None);
        args["kind"] = json!(kind);
        s.ok("runs_list", args).await;
    }
    s.ok("run_diagnose", json!({ "run_id": failed_run })).await;
    for kind in ["token_secret", "consumer_secret"] {
        s.ok(
            "secret_reveal",
            json!({ "instance_id": instance, "which": { "kind": kind } }),
        )
        .await;
    }
}

async fn session_new(s: &mut Session) {
    let presets = ui_starts(s, true).await;
    let blank = s.ok("connector_new", json!({ "preset_id": null })).await;
    let document = &blank["document"];
    s.ok("connector_validate", json!({ "document": document }))
        .await;
    s.ok("connector_lint", json!({ "document": document }))
        .await;
    let refused = s
        .err("connector_save", json!({ "document": document }))
        .await;
    assert_eq!(refused["kind"], "invalid_connector", "{refused}");
    for p in presets.as_array().expect("presets") {
        let made = s.ok("preset_apply", json!({ "preset_id": p["id"] })).await;
        let document = &made["document"];
        s.ok("connector_validate", json!({ "document": document }))
            .await;
        s.ok("connector_lint", json!({ "document": document }))
            .await;
    }
}

async fn session_pin(s: &mut Session) {
    ui_starts(s, false).await;
    let (_, connector, instance, mut document) = demo_starts(s).await;
    document["connector"]["auth_methods"][0]["kind"]["callback"]["mode"] = json!("oob");
    edit_and_save(s, &document).await;
    let run = flow_start(s, &instance).await;
    s.until_waiting(&run, "pin").await;
    let pin = s
        .wait_until("the consent page's PIN", || {
            lock(&s.shared.pins).first().cloned()
        })
        .await;
    s.ok("flow_submit_pin", json!({ "run_id": run, "pin": pin }))
        .await;
    s.until_phase(&run, "finished").await;
    refresh(s, &connector, &instance).await;
}

async fn session_denied(s: &mut Session) {
    ui_starts(s, false).await;
    let (_, connector, instance, _) = demo_starts(s).await;
    s.consent(Consent::Deny);
    let run = flow_start(s, &instance).await;
    s.until_phase(&run, "failed").await;
    refresh(s, &connector, &instance).await;
    s.ok("run_diagnose", json!({ "run_id": run })).await;
}

async fn session_signature_invalid(s: &mut Session) {
    ui_starts(s, false).await;
    let (_, connector, instance, mut document) = demo_starts(s).await;
    document["instance"]["consumer_secret"] = json!("not-the-demo-secret");
    edit_and_save(s, &document).await;
    let run = flow_start(s, &instance).await;
    let failed = s.until_phase(&run, "failed").await;
    refresh(s, &connector, &instance).await;
    s.ok("run_diagnose", json!({ "run_id": run })).await;
    // The provider's own base string, as its refusal carries it, and a near miss of it.
    let step = &failed["snapshot"]["steps"][2];
    let exchange = step["exchanges"]
        .as_array()
        .and_then(|x| x.last())
        .expect("an exchange");
    let theirs = provider_base_string(str_of(&exchange["response"]["body"], "body"))
        .unwrap_or_else(|| str_of(&exchange["trace"]["base_string"], "base string").to_owned());
    s.ok("diagnose_paste", json!({ "run_id": run, "text": theirs }))
        .await;
    let near_miss = theirs.replacen("127.0.0.1", "localhost", 1);
    assert_ne!(near_miss, theirs);
    s.ok(
        "diagnose_paste",
        json!({ "run_id": run, "text": near_miss }),
    )
    .await;
}

/// The base string a provider's refusal quotes (`oauth_signature_base_string=…`), decoded.
fn provider_base_string(body: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.contains("base_string") || k == "debug_sbs")
            .then(|| lossy(&signet_oauth1::encoding::form_decode(v)).into_owned())
    })
}

/// A fault at step 3: the run fails, the UI refreshes and diagnoses it.
async fn session_audit(s: &mut Session) {
    ui_starts(s, false).await;
    let (url, connector, instance, _) = demo_starts(s).await;
    s.faults(
        &url,
        &Faults {
            ignore_timestamps: true,
            ..Faults::default()
        },
    )
    .await;
    let plan = s.ok("audit_plan", json!({ "instance_id": instance })).await;
    assert_eq!(plan["consents"], 2, "{plan}");
    let done = s
        .ok(
            "audit_run",
            // As the Audit page sends it: its first audit, at the rate it offers.
            json!({ "instance_id": instance, "job": "audit-1", "rate_limit": 5.0 }),
        )
        .await;
    let not_enforced: Vec<&str> = done["report"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["verdict"] == "not_enforced")
        .map(|c| str_of(&c["id"], "check id"))
        .collect();
    assert_eq!(not_enforced, ["timestamp_old", "timestamp_ahead"], "{done}");
    // Stop, pressed as the audit ended: nothing to stop.
    s.ok("audit_stop", json!({ "job": "audit-1" })).await;
    refresh(s, &connector, &instance).await;
    let mut audits = history_page(None);
    audits["kind"] = json!("audit");
    s.ok("runs_list", audits).await;
    s.ok("run_get", json!({ "run_id": done["run_id"] })).await;
    // Saved as a page and as data, then opened and shown in its folder.
    let page = s
        .ok(
            "run_export",
            json!({ "run_id": done["run_id"], "format": "html" }),
        )
        .await;
    s.ok(
        "run_export",
        json!({ "run_id": done["run_id"], "format": "json" }),
    )
    .await;
    for reveal in [false, true] {
        s.ok(
            "report_show",
            json!({ "path": page["path"], "reveal": reveal }),
        )
        .await;
    }
    assert_eq!(lock(&s.shared.shown).len(), 2);
}

async fn fault_session(s: &mut Session, faults: Faults) -> (String, String, String, Value) {
    ui_starts(s, false).await;
    let (url, connector, instance, _) = demo_starts(s).await;
    s.faults(&url, &faults).await;
    if faults.clock_skew_secs != 0 {
        early_in_a_second().await;
    }
    let run = flow_start(s, &instance).await;
    s.until_phase(&run, "failed").await;
    refresh(s, &connector, &instance).await;
    let diagnosis = s.ok("run_diagnose", json!({ "run_id": run })).await;
    (connector, instance, run, diagnosis)
}

async fn session_clock_skew(s: &mut Session) {
    let (connector, instance, run, diagnosis) = fault_session(
        s,
        Faults {
            clock_skew_secs: 3600,
            ..Faults::default()
        },
    )
    .await;
    let offset = diagnosis["skew"]["suggested_offset_seconds"].clone();
    assert!(
        offset.is_i64(),
        "the diagnosis suggests an offset: {diagnosis}"
    );
    s.ok("clock_offset_set", json!({ "offset_seconds": offset }))
        .await;
    early_in_a_second().await;
    s.ok("flow_retry", json!({ "run_id": run })).await;
    s.until_phase(&run, "finished").await;
    refresh(s, &connector, &instance).await;
}

async fn session_html_page(s: &mut Session) {
    fault_session(
        s,
        Faults {
            html_error: true,
            ..Faults::default()
        },
    )
    .await;
}

async fn session_server_error(s: &mut Session) {
    fault_session(
        s,
        Faults {
            server_error: true,
            ..Faults::default()
        },
    )
    .await;
}

async fn session_manage(s: &mut Session) {
    ui_starts(s, false).await;
    let (_, connector, instance, _) = demo_starts(s).await;

    // The redirect pasted by hand.
    s.consent(Consent::AllowAndKeep);
    let run = flow_start(s, &instance).await;
    s.until_waiting(&run, "callback").await;
    let redirect = s
        .wait_until("the kept redirect", || {
            lock(&s.shared.redirects).first().cloned()
        })
        .await;
    s.ok(
        "flow_submit_callback",
        json!({ "run_id": run, "url": redirect }),
    )
    .await;
    s.until_phase(&run, "finished").await;
    refresh(s, &connector, &instance).await;

    // A second instance with the first one's values: not connected yet.
    let view = s
        .ok(
            "instance_create",
            json!({ "connector_id": connector, "name": "Sandbox", "copy_from": instance }),
        )
        .await;
    let sandbox = str_of(&view["document"]["instance"]["id"], "instance id").to_owned();
    let refused = s
        .err(
            "endpoint_send",
            json!({ "instance_id": sandbox, "endpoint_id": "me", "inputs": {} }),
        )
        .await;
    assert_eq!(refused["kind"], "not_connected", "{refused}");

    // A run cancelled while it waits; the consent given afterwards comes back too late.
    s.consent(Consent::Ignore);
    let run = flow_start(s, &sandbox).await;
    s.until_waiting(&run, "callback").await;
    s.ok("flow_cancel", json!({ "run_id": run })).await;
    s.until_phase(&run, "cancelled").await;
    let page = lock(&s.shared.opened)
        .last()
        .cloned()
        .expect("a consent page");
    let late = approve(&page, "alice", "wonderland", true)
        .await
        .expect("the consent page")
        .redirect
        .expect("a redirect");
    s.app().route_link(&late);
    s.wait_for("the late link to be refused", |name, _| {
        name == EVENT_DEEP_LINK_REFUSED
    })
    .await;
    s.ok(
        "runs_list",
        json!({ "connector_id": connector, "instance_id": sandbox, "kind": null, "before": null, "limit": null }),
    )
    .await;

    // The History page: how much is kept, keep less, clear one connector's runs.
    s.ok("history_settings", Value::Null).await;
    let refused = s
        .err("history_settings_set", json!({ "keep_runs": 0 }))
        .await;
    assert_eq!(refused["kind"], "invalid", "{refused}");
    let kept = s
        .ok("history_settings_set", json!({ "keep_runs": 1 }))
        .await;
    assert_eq!(kept["settings"]["keep_runs"], 1, "{kept}");
    s.ok("runs_list", history_page(None)).await;
    let cleared = s
        .ok(
            "history_clear",
            json!({ "connector_id": connector, "instance_id": null }),
        )
        .await;
    assert!(cleared["removed"].as_u64().unwrap_or(0) >= 1, "{cleared}");
    let none = s.ok("runs_list", history_page(None)).await;
    assert_eq!(none["runs"], json!([]), "{none}");
    assert_eq!(none["total"], 0, "{none}");
    s.ok("history_settings_set", json!({ "keep_runs": 200 }))
        .await;

    // The connector out as a Postman collection; a collection in, and a file that is none.
    let saved = s
        .ok(
            "postman_export",
            json!({ "connector_id": connector, "instance_id": null, "include_secrets": false }),
        )
        .await;
    assert!(
        str_of(&saved["file_name"], "file name").ends_with(".postman_collection.json"),
        "{saved}"
    );
    let collection = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../interchange/tests/postman/demo.postman_collection.json"),
    )
    .expect("the demo collection");
    let imported = s
        .ok(
            "postman_import",
            json!({ "files": [{ "name": "demo.postman_collection.json", "text": collection }] }),
        )
        .await;
    assert_eq!(
        imported["view"]["document"]["connector"]["endpoints"]
            .as_array()
            .map(Vec::len),
        Some(4),
        "{imported}"
    );
    s.ok("connectors_list", Value::Null).await;
    let refused = s
        .err(
            "postman_import",
            json!({ "files": [{ "name": "notes.json", "text": "{\"info\": {}}" }] }),
        )
        .await;
    assert_eq!(refused["kind"], "invalid_inputs", "{refused}");

    s.ok("token_forget", json!({ "instance_id": instance }))
        .await;
    s.ok("tokens_list", Value::Null).await;
    s.ok("instance_delete", json!({ "instance_id": sandbox }))
        .await;
    s.ok(
        "connector_get",
        json!({ "id": connector, "instance_id": null }),
    )
    .await;
    s.ok("connector_delete", json!({ "id": connector })).await;
    s.ok("connectors_list", Value::Null).await;
    s.ok("runs_list", history_page(None)).await;
    s.ok("tokens_list", Value::Null).await;
}

/// The recovery window: what happened, Retry (the same problem), Move aside; then the UI
/// starts on the fresh, empty database.
async fn session_damaged(s: &mut Session) {
    let problem = s.ok("store_problem", Value::Null).await;
    assert_eq!(problem["kind"], "database_corrupt", "{problem}");
    let again = s.ok("store_retry", Value::Null).await;
    assert_eq!(again["kind"], "database_corrupt", "{again}");
    let moved = s.ok("store_move_aside", Value::Null).await;
    assert!(moved["problem"].is_null(), "{moved}");
    ui_starts(s, false).await;
}

async fn record(name: &'static str, description: &'static str) -> Value {
    let mut s = if name == "damaged" {
        Session::damaged(name)
    } else {
        Session::new(name)
    };
    match name {
        "damaged" => session_damaged(&mut s).await,
        "demo" => session_demo(&mut s).await,
        "new" => session_new(&mut s).await,
        "pin" => session_pin(&mut s).await,
        "denied" => session_denied(&mut s).await,
        "signature_invalid" => session_signature_invalid(&mut s).await,
        "clock_skew" => session_clock_skew(&mut s).await,
        "html_page" => session_html_page(&mut s).await,
        "server_error" => session_server_error(&mut s).await,
        "manage" => session_manage(&mut s).await,
        "audit" => session_audit(&mut s).await,
        other => panic!("no session {other}"),
    }
    s.finish(description)
}

// ---------------------------------------------------------------------------------------------
// Normalization: what changes from run to run, replaced wherever it appears

/// OAuth parameters whose values the provider issues or the signer draws afresh.
const VOLATILE_PARAMETERS: &[(&str, &str)] = &[
    ("oauth_nonce", "nonce"),
    ("oauth_signature", "signature"),
    ("oauth_token_secret", "token-secret"),
    ("oauth_token", "token"),
    ("oauth_verifier", "verifier"),
    ("oauth_session_handle", "session-handle"),
];

/// Where a provider's port appears: after its host, in a URL or in a base string.
const PORT_MARKERS: &[&str] = &[
    "127.0.0.1:",
    "127.0.0.1%3A",
    "127.0.0.1%253A",
    "localhost:",
    "localhost%3A",
    "localhost%253A",
];

#[derive(Default)]
struct Normalizer {
    /// Each volatile value and its placeholder, in the order first seen.
    values: Vec<(String, String)>,
    /// Every form of every value (as is, encoded once and twice), longest first.
    forms: Vec<(String, String)>,
    counters: BTreeMap<&'static str, usize>,
    ports: BTreeSet<String>,
}

impl Normalizer {
    fn for_session(session: &Value) -> Self {
        let mut n = Self::default();
        n.collect(session, None);
        let mut forms: Vec<(String, String)> = Vec::new();
        for (value, placeholder) in &n.values {
            let once = encode(value).into_owned();
            let twice = encode(&once).into_owned();
            for form in [value.clone(), once, twice] {
                if !forms.iter().any(|(f, _)| *f == form) {
                    forms.push((form, placeholder.clone()));
                }
            }
        }
        // Longest first, so a value inside another (a token secret in a signing key) does not
        // break the other's replacement.
        forms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        n.forms = forms;
        n
    }

    fn add(&mut self, kind: &'static str, value: &str) {
        if value.len() < 4 || value.starts_with('<') || self.values.iter().any(|(v, _)| v == value)
        {
            return;
        }
        let n = self.counters.entry(kind).or_default();
        *n += 1;
        self.values
            .push((value.to_owned(), format!("<{kind}#{n}>")));
    }

    fn collect(&mut self, v: &Value, key: Option<&str>) {
        match v {
            Value::String(s) => {
                match key {
                    Some("token") => self.add("token", s),
                    Some("signature") => self.add("signature", s),
                    Some("data_dir") => self.add("data-dir", s),
                    Some("moved_to") => self.add("moved-to", s),
                    // Where reports are saved (a temporary folder).
                    Some("folder") => self.add("exports-dir", s),
                    Some("pin") => self.add("verifier", s),
                    // The code a run's callback carries in its path.
                    Some("binding") => self.add("callback-code", s),
                    _ => {}
                }
                self.scan(s);
            }
            Value::Array(items) => {
                // A token's other fields: [name, value] pairs.
                if key == Some("extra") {
                    for pair in items {
                        if let Some([Value::String(k), Value::String(value)]) =
                            pair.as_array().map(Vec::as_slice)
                        {
                            self.parameter(k, value);
                        }
                    }
                }
                for item in items {
                    self.collect(item, None);
                }
            }
            Value::Object(map) => {
                if let (Some(Value::String(name)), Some(Value::String(value))) =
                    (map.get("name"), map.get("value"))
                {
                    self.parameter(name, value);
                }
                // secret_reveal's answer.
                if map.get("command").and_then(Value::as_str) == Some("secret_reveal")
                    && map["args"]["which"]["kind"] == "token_secret"
                    && let Some(Value::String(secret)) = map.get("ok")
                {
                    self.add("token-secret", secret);
                }
                for (k, item) in map {
                    self.collect(item, Some(k));
                }
            }
            _ => {}
        }
    }

    /// A named value: an OAuth parameter, a user id.
    fn parameter(&mut self, name: &str, value: &str) {
        if let Some((_, kind)) = VOLATILE_PARAMETERS.iter().find(|(p, _)| *p == name) {
            self.add(kind, value);
        } else if name == "user_id" {
            self.add("user-id", value);
        }
    }

    /// Values in text: `oauth_x=v` (query, form, normalized parameters), `oauth_x="v"`
    /// (Authorization header), `oauth_x%3Dv` (base string, encoded twice); provider ports.
    fn scan(&mut self, s: &str) {
        for (param, kind) in VOLATILE_PARAMETERS {
            for (sep, decodes) in [("=\"", 1), ("=", 1), ("%3D", 2)] {
                let pattern = format!("{param}{sep}");
                let mut rest = s;
                while let Some(at) = rest.find(&pattern) {
                    let before_ok = at == 0
                        || !rest[..at]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                    rest = &rest[at + pattern.len()..];
                    if !before_ok {
                        continue;
                    }
                    let end = value_end(rest);
                    let mut value = rest[..end].to_owned();
                    for _ in 0..decodes {
                        value = lossy(&decode(&value)).into_owned();
                    }
                    self.add(kind, &value);
                }
            }
        }
        for host in PORT_MARKERS {
            let mut rest = s;
            while let Some(at) = rest.find(host) {
                rest = &rest[at + host.len()..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if !digits.is_empty() {
                    self.ports.insert(digits);
                }
            }
        }
    }

    fn normalize(&self, v: &Value, key: Option<&str>) -> Value {
        match v {
            Value::Number(n) => {
                if key.is_some_and(|k| k.ends_with("_ms")) {
                    return json!(0);
                }
                // A skew is read from whole seconds on two clocks: a second boundary between
                // them makes it one less. To the minute.
                if key.is_some_and(|k| k.ends_with("skew_seconds") || k.ends_with("offset_seconds"))
                    && let Some(n) = n.as_i64()
                {
                    return json!((n + 30).div_euclid(60) * 60);
                }
                match n.as_i64().and_then(epoch_kind) {
                    Some(kind) => json!(format!("<{kind}>")),
                    None => v.clone(),
                }
            }
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.normalize(i, None)).collect())
            }
            Value::Object(map) => {
                let mut out: Map<String, Value> = map
                    .iter()
                    .map(|(k, item)| (k.clone(), self.normalize(item, Some(k))))
                    .collect();
                // A body with volatile values in it has a volatile length (nonces are 20 to 30
                // characters long).
                let volatile_body = ["body", "excerpt"].iter().any(|k| {
                    map.get(*k)
                        .and_then(Value::as_str)
                        .is_some_and(|b| out[*k].as_str() != Some(b))
                });
                // A saved report's size follows its volatile values.
                if map.contains_key("file_name") && out.contains_key("bytes") {
                    out.insert("bytes".into(), json!(0));
                }
                if volatile_body {
                    if out.contains_key("body_bytes") {
                        out.insert("body_bytes".into(), json!("<bytes>"));
                    }
                    if let Some(Value::Array(headers)) = out.get_mut("headers") {
                        for h in headers {
                            if let Some([Value::String(name), value]) =
                                h.as_array_mut().map(Vec::as_mut_slice)
                                && name.eq_ignore_ascii_case("content-length")
                            {
                                *value = json!("<bytes>");
                            }
                        }
                    }
                }
                Value::Object(out)
            }
            _ => v.clone(),
        }
    }

    fn text(&self, s: &str) -> String {
        if self.ports.contains(s) {
            return "<port>".into();
        }
        let mut out = s.to_owned();
        for (form, placeholder) in &self.forms {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), placeholder);
            }
        }
        for host in PORT_MARKERS {
            out = replace_after(&out, host, |rest| {
                let n = rest.chars().take_while(char::is_ascii_digit).count();
                (n > 0).then(|| (n, "<port>".to_owned()))
            });
        }
        out = self.replace_ports(&out);
        out = replace_after(&out, "within a minute (", |rest| {
            let n = rest.chars().take_while(char::is_ascii_digit).count();
            rest[n..]
                .starts_with(" s apart)")
                .then(|| (n, "<n>".to_owned()))
        });
        out = replace_http_dates(&out);
        out = replace_iso_dates(&out);
        out = replace_file_stamps(&out);
        replace_epoch_numbers(&out)
    }

    /// A provider's port as a number of its own in text ("port 41234 is not the default").
    fn replace_ports(&self, s: &str) -> String {
        if self.ports.is_empty() {
            return s.to_owned();
        }
        replace_numbers(s, |run| {
            self.ports.contains(run).then(|| "<port>".to_owned())
        })
    }
}

/// Where a value in text ends.
fn value_end(s: &str) -> usize {
    let mut end = s.len();
    for stop in [
        "&", "\"", ",", " ", "\n", "\r", "\t", "<", ">", "%26", "%22", "%2C",
    ] {
        if let Some(i) = s.find(stop) {
            end = end.min(i);
        }
    }
    end
}

/// A report's file name's time (`signet-audit-host-20261208T003515Z.html`).
fn replace_file_stamps(s: &str) -> String {
    replace_after(s, "signet-audit-", |rest| {
        let end = rest.find(".html").or_else(|| rest.find(".json"))?;
        let stamp = rest[..end].rsplit('-').next()?;
        let b = stamp.as_bytes();
        let ok = b.len() == 16
            && b[8] == b'T'
            && b[15] == b'Z'
            && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
        // The host stays; its time goes.
        ok.then(|| (end, format!("{}<stamp>", &rest[..end - 16])))
    })
}

/// Replaces, after every `marker`, what `f` measures (its length and replacement).
fn replace_after(s: &str, marker: &str, f: impl Fn(&str) -> Option<(usize, String)>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(marker) {
        let after = at + marker.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        if let Some((n, with)) = f(rest) {
            out.push_str(&with);
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

/// Seconds or milliseconds since the epoch within ten years of now (`oauth_timestamp`, a
/// provider's clock, a time in a body).
fn epoch_kind(n: i64) -> Option<&'static str> {
    let now = i64::try_from(now_ms() / 1000).unwrap_or(0);
    let span = 10 * 366 * 86_400;
    if (now - span..=now + span).contains(&n) {
        Some("unix-seconds")
    } else if ((now - span) * 1000..=(now + span) * 1000).contains(&n) {
        Some("unix-ms")
    } else {
        None
    }
}

/// Replaces every whole run of digits `f` picks; a percent-encoded byte (`%20`, `%3D`) is not
/// part of a run.
fn replace_numbers(s: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            i += 3;
            continue;
        }
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let end = i + bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if let Some(with) = f(&s[i..end]) {
            out.push_str(&s[copied..i]);
            out.push_str(&with);
            copied = end;
        }
        i = end;
    }
    out.push_str(&s[copied..]);
    out
}

/// Runs of 10 or 13 digits that read as a time near now.
fn replace_epoch_numbers(s: &str) -> String {
    replace_numbers(s, |run| {
        if run.len() != 10 && run.len() != 13 {
            return None;
        }
        let kind = run.parse::<i64>().ok().and_then(epoch_kind)?;
        Some(format!("<{kind}>"))
    })
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`.
fn replace_http_dates(s: &str) -> String {
    let mut out = s.to_owned();
    for day in [
        "Mon, ", "Tue, ", "Wed, ", "Thu, ", "Fri, ", "Sat, ", "Sun, ",
    ] {
        out = replace_after(&out, day, |rest| {
            let b = rest.as_bytes();
            let ok = rest.len() >= 24
                && rest.is_char_boundary(24)
                && rest[..24].ends_with(" GMT")
                && b[2] == b' '
                && b[6] == b' '
                && b[14] == b':'
                && b[17] == b':';
            ok.then(|| (24, "<http-date>".to_owned()))
        });
    }
    out.replace("Mon, <http-date>", "<http-date>")
        .replace("Tue, <http-date>", "<http-date>")
        .replace("Wed, <http-date>", "<http-date>")
        .replace("Thu, <http-date>", "<http-date>")
        .replace("Fri, <http-date>", "<http-date>")
        .replace("Sat, <http-date>", "<http-date>")
        .replace("Sun, <http-date>", "<http-date>")
}

/// `2024-06-10T12:34:56Z`, `2024-06-10T12:34:56.789+00:00`, `2024-06-10 12:34:56`.
fn replace_iso_dates(s: &str) -> String {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let mut out = String::with_capacity(s.len());
    let (mut i, mut copied) = (0, 0);
    while i + 19 <= b.len() {
        let date = digits(i, 4)
            && b[i + 4] == b'-'
            && digits(i + 5, 2)
            && b[i + 7] == b'-'
            && digits(i + 8, 2)
            && (b[i + 10] == b'T' || b[i + 10] == b' ')
            && digits(i + 11, 2)
            && b[i + 13] == b':'
            && digits(i + 14, 2)
            && b[i + 16] == b':'
            && digits(i + 17, 2);
        if !date {
            i += 1;
            continue;
        }
        let mut end = i + 19;
        if b.get(end) == Some(&b'.') {
            end += 1;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        if b.get(end) == Some(&b'Z') {
            end += 1;
        } else if matches!(b.get(end), Some(b'+' | b'-')) && digits(end + 1, 2) {
            end += 3;
            if b.get(end) == Some(&b':') && digits(end + 1, 2) {
                end += 3;
            }
        }
        out.push_str(&s[copied..i]);
        out.push_str("<date>");
        copied = end;
        i = end;
    }
    out.push_str(&s[copied..]);
    out
}

fn normalize(session: &Value) -> Value {
    Normalizer::for_session(session).normalize(session, None)
}

// ---------------------------------------------------------------------------------------------
// Comparison

/// Every difference between two values, by JSON path.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<(String, String, String)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => differences(&p, v, w, out),
                    (v, w) => out.push((p, shown(v), shown(w))),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{i}]"), v, w, out);
            }
            if x.len() != y.len() {
                out.push((
                    format!("{path}.length"),
                    x.len().to_string(),
                    y.len().to_string(),
                ));
            }
        }
        _ if a != b => out.push((path.to_owned(), shown(Some(a)), shown(Some(b)))),
        _ => {}
    }
}

fn shown(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "(absent)".into();
    };
    let s = v.to_string();
    if s.chars().count() > 400 {
        s.chars().take(400).collect::<String>() + "…"
    } else {
        s
    }
}

/// `calls[12]` → `calls[12] (endpoint_send)`, to read a path.
fn readable(path: &str, session: &Value) -> String {
    let Some(rest) = path.strip_prefix("$.calls[") else {
        return path.to_owned();
    };
    let Some((i, _)) = rest.split_once(']') else {
        return path.to_owned();
    };
    match i
        .parse::<usize>()
        .ok()
        .and_then(|i| session["calls"][i]["command"].as_str())
    {
        Some(c) => format!("{path}  (call {i}: {c})"),
        None => path.to_owned(),
    }
}

fn index_ts() -> String {
    let mut out = String::from(
        "// Generated by crates/app/tests/recordings.rs: answers recorded from the real backend,\n\
         // replayed by ../fake.ts. Do not edit by hand: rewrite them with\n",
    );
    let _ = writeln!(out, "// `{RECORD}`.\n");
    out.push_str("import type { CommandMap, ErrorReport, EventMap } from \"../bindings\";\n\n");
    for (name, _) in SESSIONS {
        let _ = writeln!(out, "import {} from \"./{name}.json\";", ident(name));
    }
    out.push_str(
        "\n/** An event that followed a call, `delay_ms` after the call returned. */\n\
         export type RecordedEvent = {\n  [E in keyof EventMap]: { event: E; delay_ms: number; payload: EventMap[E] };\n}[keyof EventMap];\n\n\
         /** One command as the UI sent it, with the backend's answer (`ok`) or error (`err`). */\n\
         export type RecordedCall = {\n  [K in keyof CommandMap]: {\n    command: K;\n    args: CommandMap[K][\"args\"];\n    /** When the call returned. */\n    at_ms: number;\n    events: RecordedEvent[];\n  } & ({ ok: CommandMap[K][\"result\"]; err?: undefined } | { ok?: undefined; err: ErrorReport });\n}[keyof CommandMap];\n\n\
         /** A scripted session against a fresh backend. */\n\
         export interface RecordedSession {\n  session: string;\n  description: string;\n  recorded_ms: number;\n  calls: RecordedCall[];\n}\n\n",
    );
    out.push_str(
        "/** Every session, by name: the fake's scenarios (the first is its default). */\n",
    );
    out.push_str("export const SESSIONS = {\n");
    for (name, _) in SESSIONS {
        let _ = writeln!(
            out,
            "  {name}: {} as unknown as RecordedSession,",
            ident(name)
        );
    }
    out.push_str(
        "};\n\n/** A session's name. */\nexport type SessionName = keyof typeof SESSIONS;\n",
    );
    out
}

/// `signature_invalid` → `signatureInvalidSession` (`new` is a reserved word).
fn ident(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out + "Session"
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON") + "\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn recordings_match_the_backend() {
    // Each session has an app and a demo provider of its own: they run side by side.
    let tasks: Vec<_> = SESSIONS
        .iter()
        .map(|&(name, description)| (name, tokio::spawn(record(name, description))))
        .collect();
    let mut recorded = Vec::new();
    for (name, task) in tasks {
        match task.await {
            Ok(session) => recorded.push((name, session)),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    // Every command of the contract is in some recording (but app_quit: the real app ends
    // and answers nothing; the preview says it cannot quit).
    let used: BTreeSet<&str> = recorded
        .iter()
        .flat_map(|(_, s)| s["calls"].as_array().into_iter().flatten())
        .filter_map(|c| c["command"].as_str())
        .collect();
    let missing: Vec<&str> = COMMANDS
        .iter()
        .map(|c| c.name)
        .filter(|n| !used.contains(n) && *n != "app_quit")
        .collect();
    assert!(
        missing.is_empty(),
        "commands no session records: {missing:?}"
    );

    let dir = recordings_dir();
    if std::env::var("SIGNET_RECORD").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).expect("the recordings directory");
        for entry in std::fs::read_dir(&dir).expect("the recordings directory") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                std::fs::remove_file(&path).expect("an old recording removed");
            }
        }
        for (name, session) in &recorded {
            std::fs::write(dir.join(format!("{name}.json")), pretty(session))
                .expect("a recording written");
        }
        std::fs::write(dir.join("index.ts"), index_ts()).expect("index.ts written");
        eprintln!("recordings rewritten in {}", dir.display());
        return;
    }

    let fresh = Path::new(env!("CARGO_TARGET_TMPDIR")).join("recordings");
    std::fs::create_dir_all(&fresh).expect("a directory for the fresh recordings");
    let mut problems = Vec::new();
    for (name, session) in &recorded {
        std::fs::write(fresh.join(format!("{name}.json")), pretty(session))
            .expect("a recording written");
        let file = dir.join(format!("{name}.json"));
        let Ok(text) = std::fs::read_to_string(&file) else {
            problems.push(format!(
                "{name}: no committed recording at {}",
                file.display()
            ));
            continue;
        };
        let committed: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{name}: {} does not read: {e}", file.display()));
                continue;
            }
        };
        let (ours, theirs) = (normalize(session), normalize(&committed));
        let mut diffs = Vec::new();
        differences("$", &theirs, &ours, &mut diffs);
        if let Some((path, was, now)) = diffs.first() {
            let normalized = |which: &str, v: &Value| {
                let p = fresh.join(format!("{name}.{which}.normalized.json"));
                std::fs::write(&p, pretty(v)).expect("a normalized recording written");
                p
            };
            let a = normalized("committed", &theirs);
            let b = normalized("fresh", &ours);
            problems.push(format!(
                "{name}: the backend's answers differ from the recording in {} place{}; the first:\n  at {}\n  recorded: {was}\n  now:      {now}\n  (normalized, both in full: diff {} {})",
                diffs.len(),
                if diffs.len() == 1 { "" } else { "s" },
                readable(path, &committed),
                a.display(),
                b.display()
            ));
        }
    }
    let names: BTreeSet<String> = SESSIONS.iter().map(|(n, _)| format!("{n}.json")).collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.ends_with(".json") && !names.contains(&file) {
                problems.push(format!("{file}: a recording of no session"));
            }
        }
    }
    if std::fs::read_to_string(dir.join("index.ts"))
        .ok()
        .as_deref()
        != Some(index_ts().as_str())
    {
        problems.push("index.ts is not the one the recorder writes".into());
    }
    assert!(
        problems.is_empty(),
        "\n{}\n\nThe UI's browser preview replays these recordings (ui/src/ipc/fake.ts). If the change is intended, record them again and commit ui/src/ipc/recordings:\n  {RECORD}\n(the fresh recordings are in {})\n",
        problems.join("\n\n"),
        fresh.display()
    );
}

#[test]
fn normalization_replaces_volatile_values_wherever_they_appear() {
    let timestamp = now_ms() / 1000;
    let session = json!({
        "calls": [{
            "command": "flow_start",
            "args": { "instance_id": "1" },
            "ok": {
                "started_ms": now_ms(),
                "skew_seconds": -1,
                "message": "the clocks agree to within a minute (1 s apart)",
                "text": format!("oauth_timestamp%20{timestamp}%20is%20late"),
                "parameters": [{ "name": "oauth_nonce", "value": "n0+nce/x" }],
                "url": "http://127.0.0.1:41234/oauth/request_token",
                "port": "41234",
                "base_string": format!("POST&http%3A%2F%2F127.0.0.1%3A41234%2Fx&oauth_nonce%3Dn0%252Bnce%252Fx%26oauth_timestamp%3D{timestamp}"),
                "response": { "body": "nonce=n0+nce/x", "body_bytes": 14, "headers": [["Content-Length", "14"]] },
                "header": "OAuth oauth_nonce=\"n0%2Bnce%2Fx\", oauth_token=\"tok123\"",
                "date": "Tue, 14 Nov 2023 22:13:20 GMT",
                "body": "{\"at\":\"2023-11-14T22:13:20.123Z\"}",
            },
            "at_ms": 5,
        }],
    });
    let n = normalize(&session);
    let ok = &n["calls"][0]["ok"];
    assert_eq!(ok["started_ms"], 0);
    assert_eq!(n["calls"][0]["at_ms"], 0);
    assert_eq!(ok["parameters"][0]["value"], "<nonce#1>");
    assert_eq!(ok["url"], "http://127.0.0.1:<port>/oauth/request_token");
    assert_eq!(ok["port"], "<port>");
    assert_eq!(
        ok["base_string"],
        "POST&http%3A%2F%2F127.0.0.1%3A<port>%2Fx&oauth_nonce%3D<nonce#1>%26oauth_timestamp%3D<unix-seconds>"
    );
    assert_eq!(
        ok["header"],
        "OAuth oauth_nonce=\"<nonce#1>\", oauth_token=\"<token#1>\""
    );
    assert_eq!(ok["date"], "<http-date>");
    assert_eq!(ok["body"], "{\"at\":\"<date>\"}");
    assert_eq!(ok["skew_seconds"], 0);
    assert_eq!(
        ok["message"],
        "the clocks agree to within a minute (<n> s apart)"
    );
    assert_eq!(ok["text"], "oauth_timestamp%20<unix-seconds>%20is%20late");
    // A body with a volatile value in it has a volatile length.
    assert_eq!(ok["response"]["body"], "nonce=<nonce#1>");
    assert_eq!(ok["response"]["body_bytes"], "<bytes>");
    assert_eq!(ok["response"]["headers"][0][1], "<bytes>");
}
