//! `signet flow`: the ten-step dance from flags, printed as it happens.

use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use signet_engine::http::HttpSettings;
use signet_engine::{Clock, CommandBrowser, Engine, EngineSettings, Inbox, RunOutcome, Stop};
use signet_oauth1::diagnose::{FailureDiagnosis, Lint};
use signet_oauth1::flow::{
    CallbackConfig, ConsumerKey, Endpoint, FlowConfig, ModeConfig, ResourceRequest, Snapshot,
    StepId, StepStatus, ThreeLeggedConfig, TokenCredentials, Waiting,
};
use signet_oauth1::{CallbackMode, RsaPrivateKeyPem, Secret};
use signet_provider::{RunningProvider, demo};

use std::path::Path;

use signet_store::{Connector, Store, Timestamp};

use crate::args::FlowArgs;
use crate::connectors;
use crate::exit::{Exit, Failure, Outcome};
use crate::output;
use crate::sign::{options, read_rsa_key};

/// Runs `signet flow`.
pub async fn run(mut a: FlowArgs, data_dir: Option<&Path>) -> Outcome {
    let chosen = crate::presets::prefill(&mut a)?;
    // Keep the in-process demo provider alive for the whole run.
    let _provider = if a.demo {
        Some(start_demo(&mut a).await?)
    } else {
        None
    };
    let mut saved: Option<(Store, Connector)> = None;
    let mut config = match (&a.connector_file, &a.connector) {
        (Some(file), name) => connectors::from_file(file, name.as_deref(), &a.credentials)?,
        (None, Some(name)) => {
            let store = connectors::open(data_dir)?;
            let c = connectors::find(&store, name)?;
            let (config, _) = connectors::flow_config(&store, &c)?;
            saved = Some((store, c));
            config
        }
        (None, None) => config(&a)?,
    };
    crate::presets::adjust(&mut config, chosen.as_ref());
    let problems = config.validate();
    if !problems.is_empty() {
        let list: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect();
        return Err(Failure::usage(
            format!("the connector is not complete:\n  {}", list.join("\n  ")),
            "fix the flags named above and run again",
        ));
    }
    let lints = crate::presets::lints(&config, chosen.as_ref());
    crate::presets::print_lints(&lints, a.json);
    let mut engine = Engine::new(EngineSettings {
        http: HttpSettings {
            timeout: Duration::from_secs(a.timeout.max(1)),
            ..HttpSettings::default()
        },
        clock: Clock::with_offset(a.clock_offset),
        callback_timeout: Duration::from_secs(a.callback_timeout.max(1)),
    })
    .map_err(|e| Failure::report(&e.report()))?;
    if let Some(cmd) = &a.browser {
        engine = engine.with_browser(CommandBrowser(cmd.clone()));
    }
    if let Some(name) = &a.save_as {
        let store = connectors::open(data_dir)?;
        if store
            .connector_by_name(name)
            .map_err(connectors::store_failure)?
            .is_some()
        {
            return Err(Failure::usage(
                format!("a connector called {name:?} already exists"),
                format!("run it with --connector {name:?}, or pick another name"),
            ));
        }
        let urls = [&a.request_token_url, &a.authorize_url, &a.access_token_url]
            .map(|u| u.as_deref().unwrap_or(""));
        let (spec, creds) = connectors::spec_from_flags(
            name,
            &a.credentials,
            urls,
            a.resource_url.as_deref(),
            &a.callback,
            &a.authorize_params,
        )?;
        let c = store
            .create_connector_with_credentials(spec, creds)
            .map_err(connectors::store_failure)?;
        saved = Some((store, c));
    }
    let started_at = Timestamp::now();
    let inbox = engine.inbox();
    let until = a.until.and_then(StepId::from_number);
    let mut printer = Printer::new(a.json, inbox);
    let (_run, outcome) = engine
        .run(config, until, |snap| printer.show(snap))
        .await
        .map_err(|e| Failure::report(&e.report()))?;
    if let Some((store, c)) = &saved {
        keep(store, c, started_at, &outcome, a.json)?;
    }
    let diagnosis = crate::presets::diagnose(&outcome.snapshot, chosen.as_ref());
    finish(&a, &outcome, &lints, diagnosis.as_ref())
}

/// Keeps a saved connector's results: the token only when one was issued, and the run.
fn keep(
    store: &Store,
    c: &Connector,
    started_at: Timestamp,
    o: &RunOutcome,
    quiet: bool,
) -> Outcome {
    store
        .record_flow(c.id, started_at, &o.snapshot, o.credentials.as_ref())
        .map_err(connectors::store_failure)?;
    if o.credentials.is_some() && !quiet {
        println!(
            "\nSaved the token to connector {:?} (encrypted). Call with: signet call --connector {:?} --url URL",
            c.spec.name, c.spec.name
        );
    }
    Ok(())
}

async fn start_demo(a: &mut FlowArgs) -> Result<RunningProvider, Failure> {
    let p = signet_provider::start(crate::presets::demo_config(a)?)
        .await
        .map_err(|e| Failure {
            exit: Exit::Internal,
            message: format!("cannot start the demo provider: {e}"),
            hint: None,
        })?;
    a.request_token_url
        .get_or_insert_with(|| p.request_token_url());
    a.authorize_url.get_or_insert_with(|| p.authorize_url());
    a.access_token_url
        .get_or_insert_with(|| p.access_token_url());
    a.resource_url.get_or_insert_with(|| p.me_url());
    let c = &mut a.credentials;
    if c.signature_method.is_rsa() {
        c.consumer_key
            .get_or_insert_with(|| demo::RSA_CONSUMER_KEY.to_owned());
    } else {
        c.consumer_key
            .get_or_insert_with(|| demo::CONSUMER_KEY.to_owned());
        c.consumer_secret
            .get_or_insert_with(|| demo::CONSUMER_SECRET.to_owned());
    }
    if !a.json {
        println!(
            "Demo provider running at {} (consumer {})\n",
            p.url(),
            c.consumer_key.as_deref().unwrap_or("")
        );
    }
    Ok(p)
}

/// The flow configuration the flags describe.
pub fn config(a: &FlowArgs) -> Result<FlowConfig, Failure> {
    let c = &a.credentials;
    let consumer_key = c.consumer_key.clone().ok_or_else(|| {
        Failure::usage(
            "no consumer key",
            "pass --consumer-key (or set SIGNET_CONSUMER_KEY), or --demo",
        )
    })?;
    let key = if c.signature_method.is_rsa() {
        let key: RsaPrivateKeyPem = match &c.rsa_key {
            Some(path) => read_rsa_key(path)?,
            None if a.demo => RsaPrivateKeyPem::parse(demo::RSA_PRIVATE_KEY_PEM)
                .map_err(|e| Failure::usage(e.to_string(), "the demo key is damaged"))?,
            None => {
                return Err(Failure::usage(
                    format!("{} needs an RSA private key", c.signature_method),
                    "pass --rsa-key FILE with the PEM private key",
                ));
            }
        };
        ConsumerKey::Rsa(key)
    } else {
        let secret = c.consumer_secret.clone().ok_or_else(|| {
            Failure::usage(
                format!("{} needs the consumer secret", c.signature_method),
                "pass --consumer-secret (or set SIGNET_CONSUMER_SECRET)",
            )
        })?;
        ConsumerKey::Secret(Secret::new(secret))
    };
    let mode = if a.one_legged {
        ModeConfig::OneLegged
    } else if let Some(token) = &a.token {
        ModeConfig::PreIssuedToken(TokenCredentials {
            token: token.clone(),
            secret: Secret::new(a.token_secret.clone().unwrap_or_default()),
            extra: Vec::new(),
        })
    } else {
        let need = |v: &Option<String>, flag: &str| {
            v.clone().ok_or_else(|| {
                Failure::usage(
                    format!("no {flag}"),
                    format!("pass --{flag} (or --demo to use the built-in provider, --one-legged or --token for flows without one)"),
                )
            })
        };
        ModeConfig::ThreeLegged(ThreeLeggedConfig {
            request_token: Endpoint::post(need(&a.request_token_url, "request-token-url")?),
            authorize_url: need(&a.authorize_url, "authorize-url")?,
            access_token: Endpoint::post(need(&a.access_token_url, "access-token-url")?),
            callback: callback(&a.callback)?,
            authorize_params: a.authorize_params.clone(),
            callback_on_authorize_url: false,
            require_callback_confirmed: !a.allow_unconfirmed_callback,
        })
    };
    Ok(FlowConfig {
        extras: Default::default(),
        consumer_key,
        key,
        signature_method: c.signature_method,
        sign_options: options(c),
        realm: c.realm.clone(),
        mode,
        resource: a.resource_url.as_ref().map(|url| ResourceRequest {
            method: a.resource_method.to_ascii_uppercase(),
            ..ResourceRequest::get(url.clone())
        }),
    })
}

/// Reads `--callback`: `loopback`, `oob`, or an address.
pub fn callback(value: &str) -> Result<CallbackConfig, Failure> {
    match value.trim() {
        "loopback" => Ok(CallbackConfig::loopback(0, "/callback")),
        "oob" | "pin" => Ok(CallbackConfig::oob()),
        "deep-link" | "deep_link" => Ok(CallbackConfig::deep_link()),
        url if url.starts_with("http://") || url.starts_with("https://") || url.contains("://") => {
            let cb = CallbackConfig {
                mode: CallbackMode::Loopback,
                url: url.to_owned(),
            };
            if cb.loopback_parts().is_some() {
                Ok(cb)
            } else {
                // Somewhere Signet cannot listen: the user pastes the address back.
                Ok(CallbackConfig {
                    mode: CallbackMode::DeepLink,
                    url: url.to_owned(),
                })
            }
        }
        other => Err(Failure::usage(
            format!("--callback {other:?} is not loopback, oob or an address"),
            "use --callback loopback, --callback oob, or --callback http://127.0.0.1:PORT/PATH",
        )),
    }
}

/// Prints steps as they change and asks for a PIN or a pasted address when the flow waits.
struct Printer {
    json: bool,
    last: Option<Snapshot>,
    inbox: Inbox,
    reading: Arc<AtomicBool>,
    shown_url: bool,
}

impl Printer {
    fn new(json: bool, inbox: Inbox) -> Self {
        Self {
            json,
            last: None,
            inbox,
            reading: Arc::new(AtomicBool::new(false)),
            shown_url: false,
        }
    }

    fn show(&mut self, snap: &Snapshot) {
        if !self.json {
            print!("{}", output::step_changes(self.last.as_ref(), snap));
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
                eprintln!("{line}")
            } else {
                println!("{line}")
            }
        }
    }

    /// Reads lines from stdin on a thread and hands them to the engine.
    fn ask(&self, pin: bool, prompt: &str) {
        if self.reading.swap(true, Ordering::SeqCst) {
            return;
        }
        eprintln!("      {prompt}");
        let inbox = self.inbox.clone();
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
                if pin {
                    inbox.pin(line)
                } else {
                    inbox.deep_link(line)
                }
            }
            if !sent {
                // Input ended before anything was typed: nothing can come any more.
                inbox.cancel();
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
    o: &RunOutcome,
    lints: &[Lint],
    diagnosis: Option<&FailureDiagnosis>,
) -> Outcome {
    let snap = &o.snapshot;
    let (outcome, exit, failed_step) = match o.stop {
        Stop::Finished => ("finished", Exit::Ok, None),
        Stop::Reached(_) => ("reached", Exit::Ok, None),
        Stop::Failed(step) => {
            let exit = snap
                .step(step)
                .error
                .as_ref()
                .map_or(Exit::Rejected, Exit::for_report);
            ("failed", exit, Some(step.number()))
        }
        Stop::Cancelled => ("cancelled", Exit::Abandoned, None),
        Stop::CallbackTimeout => ("callback_timeout", Exit::Abandoned, None),
    };
    let token = o.credentials.as_ref().map(|c| TokenOut {
        token: c.token.clone(),
        secret: (!a.no_secrets).then(|| c.secret.expose().to_owned()),
        extra: c.extra.clone(),
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
            warnings: &o.warnings,
            lints,
            diagnosis,
            snapshot: snap,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("plain data serializes")
        );
    } else {
        for w in &o.warnings {
            println!("warning: {w}");
        }
        if let Some(c) = &o.credentials {
            println!("\nAccess token   {}", c.token);
            println!(
                "Token secret   {} ({} characters; `--json` prints it)",
                signet_oauth1::secret::REDACTED,
                c.secret.len()
            );
            for (k, v) in &c.extra {
                println!("  {k} = {v}");
            }
        }
        if let Some(r) = &snap.resource {
            println!("\nResource answered {}: {}", r.status, r.excerpt);
        }
        if let Some(d) = diagnosis {
            crate::presets::print_diagnosis(d, a.clock_offset);
        }
    }
    match (exit, o.stop) {
        (Exit::Ok, _) => Ok(()),
        (_, Stop::Failed(step)) => {
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
        (_, Stop::CallbackTimeout) => Err(Failure {
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
