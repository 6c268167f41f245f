//! `signet flow`: the ten-step dance, printed as it happens. The flags (or a preset, a saved
//! connector, a connectors file) become a connector and an instance; `signet_app` resolves and
//! runs it exactly as the desktop app does — in the user's database with `--connector` or
//! `--save-as`, in a throwaway one otherwise.

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use signet_app::api::SecretRef;
use signet_app::{App, Event, FlowStop, Settings};
use signet_engine::http::HttpSettings;
use signet_oauth1::diagnose::{FailureDiagnosis, Lint, Severity};
use signet_oauth1::flow::{Snapshot, StepId, StepStatus, Waiting};
use signet_oauth1::{CallbackMode, Secret};
use signet_provider::{RunningProvider, demo};
use signet_store::ImportOptions;

use crate::app;
use crate::args::{FlowArgs, FlowCommand};
use crate::define::{self, Mode, check_complete, read_file};
use crate::exit::{Exit, Failure, Outcome};
use crate::output;

/// The in-process demo provider; when the run is saved, it keeps its tokens where the app's own
/// demo provider does, so `signet call` accepts them later.
async fn start_demo(a: &FlowArgs, app: &App, saving: bool) -> Result<RunningProvider, Failure> {
    let mut config = crate::presets::demo_config(&a.definition)?;
    if saving {
        config = config.with_token_store(app.store().data_dir().join(signet_app::DEMO_TOKEN_STORE));
    }
    let p = signet_provider::start(config).await.map_err(|e| Failure {
        exit: Exit::Internal,
        message: format!("cannot start the demo provider: {e}"),
        hint: None,
    })?;
    if !a.json {
        let c = &a.definition.credentials;
        let key = if c.signature_method.is_rsa() {
            demo::RSA_CONSUMER_KEY
        } else {
            demo::CONSUMER_KEY
        };
        let key = c.consumer_key.as_deref().unwrap_or(key);
        outln!("Demo provider running at {} (consumer {key})\n", p.url());
    }
    Ok(p)
}

/// A connector ready to run: the app (its database), the demo provider kept alive, the
/// connector and the instance to run, its lints printed.
pub(crate) struct Prepared {
    pub(crate) cli: app::CliApp,
    pub(crate) app: App,
    /// Keeps the in-process demo provider alive for the whole run.
    pub(crate) _provider: Option<RunningProvider>,
    pub(crate) view: signet_app::api::ConnectorView,
    pub(crate) instance: String,
    pub(crate) lints: Vec<Lint>,
    pub(crate) saving: bool,
}

/// Turns the flags (a preset, a saved connector, a connectors file) into a connector and its
/// instance, as `signet flow` and `signet audit` both run them.
pub(crate) async fn prepare(a: &FlowArgs, data_dir: Option<&Path>) -> Result<Prepared, Failure> {
    let settings = Settings {
        flow_http: HttpSettings {
            timeout: Duration::from_secs(a.timeout.max(1)),
            ..HttpSettings::default()
        },
        callback_timeout: Duration::from_secs(a.callback_timeout.max(1)),
        ..Settings::default()
    };
    let saving = a.connector.is_some() || a.save_as.is_some();
    let cli = if saving && a.connector_file.is_none() {
        app::open(data_dir, a.browser.clone(), settings)?
    } else {
        app::scratch(a.browser.clone(), settings)?
    };
    let app = cli.app.clone();
    app.clock_offset_set(a.clock_offset);
    // Keep the in-process demo provider alive for the whole run.
    let provider = if a.demo {
        Some(start_demo(a, &app, saving).await?)
    } else {
        None
    };

    let (view, explanations) = match (&a.connector_file, &a.connector) {
        (Some(file), name) => (from_file(&app, file, name.as_deref(), a)?, Vec::new()),
        (None, Some(name)) => (app::find(&app, name, a.instance.as_deref())?, Vec::new()),
        (None, None) => {
            let mode = Mode {
                one_legged: a.one_legged,
                token: a
                    .token
                    .as_deref()
                    .map(|t| (t, a.token_secret.as_deref().unwrap_or_default())),
            };
            let (doc, explanations) = define::document(
                &a.definition,
                a.save_as.as_deref(),
                mode,
                &app,
                provider.as_ref(),
            )?;
            if let Some(name) = &a.save_as
                && app
                    .store()
                    .connector_by_name(name)
                    .map_err(app::store_failure)?
                    .is_some()
            {
                return Err(Failure::usage(
                    format!("a connector called {name:?} already exists"),
                    format!("run it with --connector {name:?}, or pick another name"),
                ));
            }
            check_complete(&app, &doc)?;
            (app.connector_save(doc)?, explanations)
        }
    };
    if !a.json && !explanations.is_empty() {
        let p = a.definition.preset.as_deref().unwrap_or("signet-demo");
        if let Some(p) = app.catalog().get(p) {
            outln!("Preset {} — {}", p.name, p.summary);
        }
        for e in &explanations {
            outln!("  {:<32} {}\n  {:<32} why: {}", e.field, e.value, "", e.why);
        }
        outln!();
    }
    check_complete(&app, &view.document)?;
    let lints = app.connector_lint(&view.document)?;
    print_lints(&lints, a.json);

    let instance = view
        .document
        .instance
        .id
        .clone()
        .ok_or_else(|| Failure::usage("the connector has no instance", "save it again"))?;
    Ok(Prepared {
        cli,
        app,
        _provider: provider,
        view,
        instance,
        lints,
        saving,
    })
}

/// Runs `signet flow`.
pub async fn run(cmd: FlowCommand, data_dir: Option<&Path>) -> Outcome {
    let FlowCommand { flow: a, report } = cmd;
    if let Some(path) = &report {
        crate::output::writable("--report", path)?;
    }
    let Prepared {
        mut cli,
        app,
        _provider,
        view,
        instance,
        lints,
        saving,
    } = prepare(&a, data_dir).await?;
    let until = a.until.and_then(StepId::from_number);
    let started = app.flow_start_until(&instance, until).await?;
    let mut printer = Printer::new(a.json, app.clone(), started.run_id.clone());
    printer.show(&started.snapshot);
    let end = loop {
        tokio::select! {
            biased;
            Some(event) = cli.events.recv() => {
                if let Event::FlowSnapshot(e) = event && e.run_id == started.run_id {
                    printer.show(&e.snapshot);
                }
            }
            end = app.flow_wait(&started.run_id) => break end?,
        }
    };
    while let Ok(event) = cli.events.try_recv() {
        if let Event::FlowSnapshot(e) = event
            && e.run_id == started.run_id
        {
            printer.show(&e.snapshot);
        }
    }
    if saving && a.connector_file.is_none() && !a.json && end.stop == FlowStop::Finished {
        let has_token = app
            .store()
            .credentials_summary(
                instance
                    .parse()
                    .map_err(|_| Failure::usage("bad instance", "save again"))?,
            )
            .ok()
            .flatten()
            .is_some_and(|c| c.token.is_some());
        if has_token {
            let name = &view.document.connector.details.name;
            outln!(
                "\nSaved the token to connector {name:?} (encrypted). Call an endpoint with: signet call {name:?} ENDPOINT (`signet endpoints list {name:?}` lists them)"
            );
        }
    }
    let diagnosis = matches!(end.stop, FlowStop::Failed(_))
        .then(|| app.run_diagnose(&started.run_id).ok())
        .flatten();
    if let Some(path) = &report {
        let about = signet_report::About {
            connector: view.document.connector.details.name.clone(),
            instance: view.document.instance.name.clone(),
            written_ms: app.clock().now_ms(),
            version: env!("CARGO_PKG_VERSION").into(),
        };
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let text = if json {
            signet_report::flow::json(&end.snapshot, diagnosis.as_ref(), &about)
        } else {
            signet_report::flow::html(&end.snapshot, diagnosis.as_ref(), &about)
        };
        crate::output::write_report(path, &text)?;
    }
    finish(&a, &app, &instance, &end, &lints, diagnosis.as_ref())
}

/// The connector `name` (or the file's only one) of a connectors file, imported into the
/// throwaway database, with the consumer credentials from the flags when the file has none.
fn from_file(
    app: &App,
    file: &Path,
    name: Option<&str>,
    a: &FlowArgs,
) -> Result<signet_app::api::ConnectorView, Failure> {
    let text = read_file(file, "connectors file")?;
    let passphrase = std::env::var("SIGNET_EXPORT_PASSPHRASE")
        .ok()
        .map(Secret::new);
    app.store()
        .import(
            &text,
            &ImportOptions {
                passphrase,
                ..ImportOptions::default()
            },
        )
        .map_err(app::store_failure)?;
    let all = app.store().list_connectors().map_err(app::store_failure)?;
    let chosen = match (name, all.as_slice()) {
        (Some(name), _) => name.to_owned(),
        (None, [one]) => one.name().to_owned(),
        (None, many) => {
            let names: Vec<&str> = many.iter().map(|c| c.name()).collect();
            return Err(Failure::usage(
                format!("{} holds {} connectors", file.display(), many.len()),
                format!("pick one with --connector NAME: {}", names.join(", ")),
            ));
        }
    };
    let view = app::find(app, &chosen, None)?;
    if view.stored.consumer_secret || view.stored.rsa_private_key {
        return Ok(view);
    }
    let mut doc = view.document;
    let c = &a.definition.credentials;
    doc.instance.consumer_key = c.consumer_key.clone().ok_or_else(|| {
        Failure::usage(
            format!("the file has no consumer credentials for {chosen:?}"),
            "pass --consumer-key and --consumer-secret (or --rsa-key)",
        )
    })?;
    let rsa = doc
        .connector
        .oauth1()
        .is_some_and(|(_, _, o)| o.signature_method.is_rsa());
    if rsa {
        let path = c
            .rsa_key
            .as_ref()
            .ok_or_else(|| Failure::usage("the connector signs with RSA", "pass --rsa-key FILE"))?;
        doc.instance.rsa_private_key_pem = Some(Secret::new(read_file(path, "rsa key")?));
    } else {
        doc.instance.consumer_secret = c.consumer_secret.clone().map(Secret::new);
    }
    Ok(app.connector_save(doc)?)
}

/// Prints lints (to stderr in JSON mode, so stdout stays one document).
pub fn print_lints(lints: &[Lint], json: bool) {
    for l in lints {
        let tag = match l.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        let line = format!(
            "{tag} [{}] {}: {}\n  fix: {}",
            l.id, l.field, l.message, l.fix
        );
        if json {
            errln!("{line}");
        } else {
            outln!("{line}");
        }
    }
    if !lints.is_empty() && !json {
        outln!();
    }
}

/// Prints a diagnosis in plain words.
pub fn print_diagnosis(d: &FailureDiagnosis, clock_offset: i64) {
    outln!("\nWhat went wrong (step {}):", d.step.number());
    for (i, x) in d.diagnoses.iter().enumerate() {
        let lead = if i == 0 { "*" } else { "-" };
        outln!("  {lead} {}", x.cause);
        if i == 0 {
            outln!("    {}", x.explanation);
        }
        outln!("    fix: {}", x.fix);
    }
    if let Some(s) = &d.skew
        && s.significant
    {
        outln!(
            "  clock: {}; run again with --clock-offset {}",
            s.message,
            clock_offset.saturating_add(s.skew_seconds)
        );
    }
    if let Some(diff) = &d.diff {
        outln!("  base string: {}", diff.summary);
    }
}

/// Prints steps as they change and asks for a PIN or a pasted address when the flow waits.
pub(crate) struct Printer {
    json: bool,
    last: Option<Snapshot>,
    app: App,
    /// The run typed lines go to (an audit moves it to its second dance).
    run_id: Arc<std::sync::Mutex<String>>,
    reading: Arc<AtomicBool>,
    shown_url: bool,
    /// Print the question again (another run asks it now).
    ask_again: bool,
}

impl Printer {
    pub(crate) fn new(json: bool, app: App, run_id: String) -> Self {
        Self {
            json,
            last: None,
            app,
            run_id: Arc::new(std::sync::Mutex::new(run_id)),
            reading: Arc::new(AtomicBool::new(false)),
            shown_url: false,
            ask_again: false,
        }
    }

    pub(crate) fn run_id(&self) -> String {
        self.run_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Follows another run from now on (what is typed goes to it too).
    pub(crate) fn retarget(&mut self, run_id: String) {
        *self.run_id.lock().unwrap_or_else(|e| e.into_inner()) = run_id;
        self.last = None;
        self.shown_url = false;
        self.ask_again = true;
    }

    pub(crate) fn show(&mut self, snap: &Snapshot) {
        if !self.json {
            out!("{}", output::step_changes(self.last.as_ref(), snap));
        }
        self.show_url(snap);
        match &snap.waiting_for {
            Some(Waiting::Pin) => self.ask(true, "Type the PIN the provider shows, then Enter:"),
            Some(Waiting::Callback { mode: CallbackMode::Loopback, .. }) => {}
            Some(Waiting::Callback { callback_url, .. }) => self.ask(
                false,
                &format!("After authorising, paste the address you were sent to ({callback_url}...), then Enter:"),
            ),
            _ => {}
        }
        self.last = Some(snap.clone());
    }

    /// Prints the authorization page's address once, for when no browser opens.
    fn show_url(&mut self, snap: &Snapshot) {
        if !self.shown_url
            && let Some(url) = &snap.authorization_url
        {
            self.shown_url = true;
            let mut line = format!("      authorise here (opened in your browser): {url}");
            if let Some(Waiting::Callback {
                mode: CallbackMode::Loopback,
                callback_url,
            }) = &snap.waiting_for
            {
                line.push_str(&format!(
                    "\n      waiting for the browser to come back to {callback_url}"
                ));
            }
            if self.json {
                errln!("{line}")
            } else {
                outln!("{line}")
            }
        }
    }

    /// Reads lines from stdin on a thread and hands them to the app.
    fn ask(&mut self, pin: bool, prompt: &str) {
        if self.reading.swap(true, Ordering::SeqCst) {
            // Lines are read already (and go to the run followed now): only the question.
            if std::mem::take(&mut self.ask_again) {
                errln!("      {prompt}");
            }
            return;
        }
        errln!("      {prompt}");
        let (app, target) = (self.app.clone(), self.run_id.clone());
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            let mut sent = false;
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                let line = line.trim().to_owned();
                if line.is_empty() {
                    continue;
                }
                sent = true;
                let run_id = target.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let result = if pin {
                    app.flow_submit_pin(&run_id, &line)
                } else {
                    app.flow_submit_callback(&run_id, &line)
                };
                if let Err(e) = result {
                    errln!("      {e}");
                }
            }
            if !sent {
                // Input ended before anything was typed: nothing can come any more.
                let run_id = target.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let _ = app.flow_cancel(&run_id);
            }
        });
    }
}

/// The JSON document `--json` prints.
#[derive(Serialize)]
struct Report<'a> {
    outcome: &'static str,
    exit_code: u8,
    failed_step: Option<u8>,
    steps: Vec<StepLine<'a>>,
    token: Option<TokenOut>,
    warnings: &'a [String],
    lints: &'a [Lint],
    diagnosis: Option<&'a FailureDiagnosis>,
    snapshot: &'a Snapshot,
}

#[derive(Serialize)]
struct StepLine<'a> {
    number: u8,
    title: &'a str,
    actor: signet_oauth1::flow::Actor,
    status: StepStatus,
    error: Option<&'a signet_oauth1::ErrorReport>,
}

#[derive(Serialize)]
struct TokenOut {
    token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    extra: Vec<(String, String)>,
}

fn finish(
    a: &FlowArgs,
    app: &App,
    instance: &str,
    end: &signet_app::FlowEnd,
    lints: &[Lint],
    diagnosis: Option<&FailureDiagnosis>,
) -> Outcome {
    let snap = &end.snapshot;
    let (outcome, exit, failed_step) = match end.stop {
        FlowStop::Finished => ("finished", Exit::Ok, None),
        FlowStop::Reached(_) => ("reached", Exit::Ok, None),
        FlowStop::Failed(step) => {
            let exit = snap
                .step(step)
                .error
                .as_ref()
                .map_or(Exit::Rejected, Exit::for_report);
            ("failed", exit, Some(step.number()))
        }
        FlowStop::Cancelled => ("cancelled", Exit::Abandoned, None),
        FlowStop::CallbackTimeout => ("callback_timeout", Exit::Abandoned, None),
    };
    // The token the run issued (or was given): what the instance now holds.
    let token = snap.access_token.as_ref().map(|t| TokenOut {
        token: t.token.clone(),
        secret: a
            .show_secrets
            .then(|| app.secret_reveal(instance, &SecretRef::TokenSecret).ok())
            .flatten(),
        extra: t.extra.clone(),
    });
    if a.json {
        let report = Report {
            outcome,
            exit_code: exit as u8,
            failed_step,
            steps: snap
                .steps
                .iter()
                .map(|s| StepLine {
                    number: s.number,
                    title: &s.title,
                    actor: s.actor,
                    status: s.status,
                    error: s.error.as_ref(),
                })
                .collect(),
            token,
            warnings: &end.warnings,
            lints,
            diagnosis,
            snapshot: snap,
        };
        outln!(
            "{}",
            serde_json::to_string_pretty(&report)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        );
    } else {
        for w in &end.warnings {
            outln!("warning: {w}");
        }
        if let Some(t) = &snap.access_token {
            outln!("\nAccess token   {}", t.token);
            outln!(
                "Token secret   {} ({} characters; `--json --show-secrets` prints it)",
                signet_oauth1::secret::REDACTED,
                t.secret_len
            );
            for (k, v) in &t.extra {
                outln!("  {k} = {v}");
            }
        }
        if let Some(r) = &snap.resource {
            outln!("\nResource answered {}: {}", r.status, r.excerpt);
        }
        if let Some(d) = diagnosis {
            print_diagnosis(d, a.clock_offset);
        }
    }
    match (exit, end.stop) {
        (Exit::Ok, _) => Ok(()),
        (_, FlowStop::Failed(step)) => {
            let e = snap.step(step).error.clone();
            Err(Failure {
                exit,
                message: format!(
                    "step {} ({}) failed: {}",
                    step.number(),
                    snap.step(step).title,
                    e.as_ref().map_or("unknown problem", |e| e.message.as_str())
                ),
                hint: e.and_then(|e| e.hint),
            })
        }
        (_, FlowStop::CallbackTimeout) => Err(Failure {
            exit,
            message: "no redirect or PIN arrived in time".into(),
            hint: Some("authorise in the browser sooner, or raise --callback-timeout".into()),
        }),
        _ => Err(Failure {
            exit,
            message: "the flow was cancelled".into(),
            hint: None,
        }),
    }
}
