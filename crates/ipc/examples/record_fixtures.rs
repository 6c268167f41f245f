//! Records real dances against the demo provider and saves their snapshots as the fake IPC's
//! fixtures (`ui/src/ipc/fixtures/*.json`), so the UI in a plain browser replays what the
//! backend really reports.
//!
//! ```sh
//! cargo run -p signet-ipc --example record_fixtures
//! ```
//!
//! Seven runs, all HMAC-SHA1 with header placement:
//! - `demo-dance.json`: deep-link callback handed in through the engine's inbox, consent given;
//! - `demo-pin.json`: PIN (oob) callback, the PIN typed in;
//! - `demo-denied.json`: deep link, consent refused;
//! - `demo-signature-invalid.json`: a wrong consumer secret, refused at step 3;
//! - `demo-clock-skew.json`, `demo-html-page.json`, `demo-server-error.json`: the demo
//!   provider's faults (clock 15 minutes ahead, an HTML page instead of tokens, a 500).
//!
//! And what the app's preset and diagnosis commands answer (`signet_ipc::presets`):
//! - `presets.json`: every preset's summary, and each applied to its own examples with the
//!   draft's lints;
//! - `diagnoses.json`: the diagnosis of every failing run above, and two "paste what the
//!   provider expected" comparisons against the signature-invalid run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use signet_engine::{Browser, Engine, EngineSettings, Inbox};
use std::collections::BTreeMap;

use signet_ipc::presets::{self, Catalog, PresetApplyArgs};
use signet_ipc::{BaseStringDiff, FailureDiagnosis, Lint, PresetApplied, PresetSummary, Snapshot};
use signet_oauth1::flow::{
    CallbackConfig, ConsumerKey, Endpoint, FlowConfig, ModeConfig, ResourceRequest,
    ThreeLeggedConfig,
};
use signet_oauth1::{Placement, Secret, SignOptions, SignatureMethod};
use signet_provider::{Faults, ProviderConfig, RunningProvider, approve, demo, start};

/// A browser that signs in as alice, decides, and hands the answer back like the app would.
struct DemoBrowser {
    inbox: Inbox,
    allow: bool,
    pin: bool,
}

impl Browser for DemoBrowser {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        let (url, inbox, allow, pin) = (url.to_owned(), self.inbox.clone(), self.allow, self.pin);
        tokio::spawn(async move {
            // The user reads the consent page for a moment.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let out = approve(&url, "alice", "wonderland", allow)
                .await
                .expect("the demo provider answers the consent form");
            match (pin, out.redirect, out.pin) {
                (true, _, Some(p)) => inbox.pin(p),
                (false, Some(redirect), _) => inbox.deep_link(redirect),
                _ => inbox.cancel(),
            }
        });
        Ok(())
    }
}

#[derive(Serialize)]
struct Frame {
    /// Milliseconds since the run started, as recorded.
    at_ms: u64,
    snapshot: Snapshot,
}

#[derive(Serialize)]
struct Recording {
    /// What this run shows.
    description: &'static str,
    /// The demo provider's base URL during the recording.
    provider_url: String,
    frames: Vec<Frame>,
}

fn config(p: &RunningProvider, secret: &str, callback: CallbackConfig) -> FlowConfig {
    FlowConfig {
        extras: Default::default(),
        consumer_key: demo::CONSUMER_KEY.into(),
        key: ConsumerKey::Secret(Secret::new(secret)),
        signature_method: SignatureMethod::HmacSha1,
        sign_options: SignOptions {
            placement: Placement::Header,
            ..Default::default()
        },
        realm: None,
        mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
            request_token: Endpoint::post(p.request_token_url()),
            authorize_url: p.authorize_url(),
            access_token: Endpoint::post(p.access_token_url()),
            callback,
            authorize_params: vec![],
            callback_on_authorize_url: false,
            require_callback_confirmed: true,
        }),
        resource: Some(ResourceRequest::get(p.me_url())),
    }
}

async fn record(
    p: &RunningProvider,
    description: &'static str,
    secret: &str,
    callback: CallbackConfig,
    allow: bool,
) -> Recording {
    let pin = callback.url == "oob";
    let engine = Engine::new(EngineSettings {
        callback_timeout: Duration::from_secs(20),
        ..Default::default()
    })
    .expect("the engine starts");
    let browser = DemoBrowser {
        inbox: engine.inbox(),
        allow,
        pin,
    };
    let engine = engine.with_browser(browser);
    let started = Instant::now();
    let frames = Arc::new(Mutex::new(Vec::new()));
    let sink = frames.clone();
    let (_run, outcome) = engine
        .run(config(p, secret, callback), None, move |s| {
            sink.lock().unwrap().push(Frame {
                at_ms: started.elapsed().as_millis() as u64,
                snapshot: s.clone(),
            })
        })
        .await
        .expect("the run ends");
    eprintln!("{description}: {:?}", outcome.stop);
    let frames = std::mem::take(&mut *frames.lock().unwrap());
    Recording {
        description,
        provider_url: p.url().to_owned(),
        frames,
    }
}

fn save(dir: &Path, name: &str, value: &impl Serialize) {
    let path = dir.join(name);
    let mut json = serde_json::to_string_pretty(value).expect("fixtures serialize");
    json.push('\n');
    std::fs::write(&path, json).expect("the fixtures directory is writable");
    eprintln!("wrote {}", path.display());
}

/// One preset applied to its own example values.
#[derive(Serialize)]
struct Example {
    inputs: BTreeMap<String, String>,
    applied: PresetApplied,
    lints: Vec<Lint>,
}

#[derive(Serialize)]
struct PresetsFixture {
    presets: Vec<PresetSummary>,
    examples: BTreeMap<String, Example>,
}

fn presets_fixture(catalog: &Catalog) -> PresetsFixture {
    let mut examples = BTreeMap::new();
    for p in catalog.presets() {
        let inputs: BTreeMap<String, String> = p
            .placeholders
            .iter()
            .map(|ph| (ph.name.clone(), ph.example.clone()))
            .collect();
        let applied = presets::apply(
            catalog,
            &PresetApplyArgs {
                preset_id: p.id.clone(),
                inputs: inputs.clone(),
            },
        )
        .expect("every preset applies to its own examples");
        let lints = presets::lint(catalog, &applied.draft);
        examples.insert(
            p.id.clone(),
            Example {
                inputs,
                applied,
                lints,
            },
        );
    }
    PresetsFixture {
        presets: presets::list(catalog),
        examples,
    }
}

/// What a user pasted and what Signet made of it.
#[derive(Serialize)]
struct Paste {
    description: &'static str,
    text: String,
    diff: BaseStringDiff,
}

#[derive(Serialize)]
struct DiagnosesFixture {
    /// By fixture scenario (`signature_invalid`, `clock_skew`, ...).
    runs: BTreeMap<&'static str, FailureDiagnosis>,
    /// Comparisons against the signature-invalid run.
    pastes: Vec<Paste>,
}

fn last(r: &Recording) -> &Snapshot {
    &r.frames.last().expect("a run has frames").snapshot
}

/// Pastes a user might make: the provider saw another host, or encoded the callback twice.
fn pastes(snapshot: &Snapshot) -> Vec<Paste> {
    let ours = presets::exchange_behind(snapshot)
        .expect("the run signed a request")
        .trace
        .base_string
        .clone();
    let host = ours.replacen("127.0.0.1", "localhost", 1);
    let twice = ours.replace(
        "signet%253A%252F%252Fcallback",
        "signet%25253A%25252F%25252Fcallback",
    );
    [
        (
            "the provider rebuilt the URL with another host (a proxy in front of it)",
            host,
        ),
        ("the provider encoded oauth_callback twice", twice),
    ]
    .into_iter()
    .map(|(description, text)| Paste {
        description,
        diff: presets::paste(snapshot, &text).expect("the paste compares"),
        text,
    })
    .collect()
}

#[tokio::main]
async fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/fixtures");
    std::fs::create_dir_all(&dir).expect("the fixtures directory can be made");
    let p = start(ProviderConfig::demo())
        .await
        .expect("the demo provider starts");

    let runs = [
        (
            "demo-dance.json",
            "HMAC-SHA1, header placement, deep-link callback, consent given",
            demo::CONSUMER_SECRET,
            CallbackConfig::deep_link(),
            true,
        ),
        (
            "demo-pin.json",
            "HMAC-SHA1, header placement, PIN (oob) callback, consent given",
            demo::CONSUMER_SECRET,
            CallbackConfig::oob(),
            true,
        ),
        (
            "demo-denied.json",
            "HMAC-SHA1, header placement, deep-link callback, consent refused",
            demo::CONSUMER_SECRET,
            CallbackConfig::deep_link(),
            false,
        ),
        (
            "demo-signature-invalid.json",
            "HMAC-SHA1 signed with a wrong consumer secret: the provider refuses step 3",
            "not-the-demo-secret",
            CallbackConfig::deep_link(),
            true,
        ),
    ];
    let mut recordings = BTreeMap::new();
    for (file, description, secret, callback, allow) in runs {
        let recording = record(&p, description, secret, callback, allow).await;
        save(&dir, file, &recording);
        recordings.insert(file, recording);
    }
    let faults = [
        (
            "demo-clock-skew.json",
            "the provider's clock runs 15 minutes ahead: it refuses the timestamp at step 3",
            Faults {
                clock_skew_secs: 900,
                ..Faults::default()
            },
        ),
        (
            "demo-html-page.json",
            "the provider answers step 3 with an HTML page (a captive portal or a proxy)",
            Faults {
                html_error: true,
                ..Faults::default()
            },
        ),
        (
            "demo-server-error.json",
            "the provider answers step 3 with a 500 server error",
            Faults {
                server_error: true,
                ..Faults::default()
            },
        ),
    ];
    for (file, description, f) in faults {
        p.set_faults(f);
        let recording = record(
            &p,
            description,
            demo::CONSUMER_SECRET,
            CallbackConfig::deep_link(),
            true,
        )
        .await;
        save(&dir, file, &recording);
        recordings.insert(file, recording);
    }
    p.set_faults(Faults::default());
    p.shutdown().await;

    let catalog = Catalog::load().expect("the shipped presets load");
    save(&dir, "presets.json", &presets_fixture(&catalog));
    let mut runs = BTreeMap::new();
    for (scenario, file) in [
        ("denied", "demo-denied.json"),
        ("signature_invalid", "demo-signature-invalid.json"),
        ("clock_skew", "demo-clock-skew.json"),
        ("html_page", "demo-html-page.json"),
        ("server_error", "demo-server-error.json"),
    ] {
        let d = presets::diagnose(&catalog, last(&recordings[file]), Some("signet-demo"))
            .unwrap_or_else(|e| panic!("{file} failed: {}", e.message));
        runs.insert(scenario, d);
    }
    let pastes = pastes(last(&recordings["demo-signature-invalid.json"]));
    save(&dir, "diagnoses.json", &DiagnosesFixture { runs, pastes });
}
