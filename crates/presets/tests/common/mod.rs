//! Runs a preset's dance with the real engine against the demo provider started in the preset's
//! quirk profile, with a stand-in browser that signs in as alice and allows.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use signet_connector::{Builtins, ClientSecret, Installed};
use signet_engine::{Browser, Engine, EngineSettings, Inbox, RunOutcome};
use signet_oauth1::flow::{CallbackConfig, FlowConfig, FlowMode, ModeConfig, TokenCredentials};
use signet_oauth1::{CallbackMode, Secret};
use signet_presets::{Catalog, Inputs, Preset};
use signet_provider::{ProviderConfig, QuirkProfile, RunningProvider, approve, demo, start};

pub fn catalog() -> Catalog {
    Catalog::load().expect("the shipped presets load")
}

pub fn examples(p: &Preset) -> Inputs {
    p.placeholders
        .iter()
        .map(|ph| (ph.name.clone(), ph.example.clone()))
        .collect()
}

/// Signs in as alice and allows; hands the answer back as the callback mode says. A refused
/// authorisation page cancels.
pub struct TestBrowser {
    pub inbox: Inbox,
    pub mode: CallbackMode,
    pub pins: Arc<Mutex<Vec<String>>>,
    pub opened: Arc<Mutex<Vec<String>>>,
}

impl Browser for TestBrowser {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        self.opened.lock().unwrap().push(url.to_owned());
        let (url, inbox, mode, pins) = (
            url.to_owned(),
            self.inbox.clone(),
            self.mode,
            self.pins.clone(),
        );
        tokio::spawn(async move {
            match approve(&url, "alice", "wonderland", true).await {
                Ok(out) => match (out.redirect, out.pin) {
                    (_, Some(pin)) => {
                        pins.lock().unwrap().push(pin.clone());
                        inbox.pin(pin);
                    }
                    (Some(redirect), None) if mode == CallbackMode::Loopback => {
                        let _ = reqwest::get(&redirect).await;
                    }
                    (Some(redirect), None) => inbox.deep_link(redirect),
                    (None, None) => inbox.cancel(),
                },
                Err(_) => inbox.cancel(),
            }
        });
        Ok(())
    }
}

/// What a dance left behind.
pub struct Danced {
    pub outcome: RunOutcome,
    pub pins: Vec<String>,
    pub opened: Vec<String>,
    pub provider: RunningProvider,
}

/// The preset's connector made runnable against `p`: the demo consumer's credentials, the
/// provider's endpoints (each keeping the preset's query), the echo resource.
pub fn config_for(preset: &Preset, inputs: &Inputs, p: &RunningProvider) -> FlowConfig {
    let applied = preset.connector();
    let rsa = preset.signature.default.is_rsa();
    let mut values = examples(preset);
    values.extend(inputs.iter().map(|(k, v)| (k.clone(), v.clone())));
    let installed = Installed {
        values,
        consumer_key: if rsa {
            demo::RSA_CONSUMER_KEY
        } else {
            demo::CONSUMER_KEY
        }
        .into(),
        client_secret: Some(if rsa {
            ClientSecret::RsaPrivateKey(Secret::new(demo::RSA_PRIVATE_KEY_PEM))
        } else {
            ClientSecret::Shared(Secret::new(demo::CONSUMER_SECRET))
        }),
        token: (preset.mode == FlowMode::PreIssuedToken && !preset.demo.consumer_key_as_token)
            .then(|| TokenCredentials {
                token: demo::PRE_ISSUED_TOKEN.into(),
                secret: Secret::new(demo::PRE_ISSUED_TOKEN_SECRET),
                extra: vec![],
            }),
        ..Installed::default()
    };
    let mut config =
        signet_connector::flow_config(&applied.connector, &installed, Builtins::default())
            .unwrap_or_else(|problems| panic!("{}: {problems:?}", preset.id));
    let with_query = |base: String, url: &str| match url.split_once('?') {
        Some((_, q)) => format!("{base}?{q}"),
        None => base,
    };
    if let ModeConfig::ThreeLegged(t) = &mut config.mode {
        t.request_token.url = with_query(p.request_token_url(), &t.request_token.url);
        t.access_token.url = p.access_token_url();
        t.authorize_url = p.authorize_url();
    }
    if let Some(r) = &mut config.resource {
        r.url = with_query(p.echo_url(), &r.url);
    }
    config
}

/// Runs the dance of preset `id` with `inputs`; `edit` changes the configuration first.
pub async fn dance(id: &str, inputs: &Inputs, edit: impl FnOnce(&mut FlowConfig)) -> Danced {
    let catalog = catalog();
    let preset = catalog.get(id).unwrap();
    let profile = QuirkProfile::from_preset(preset, inputs).unwrap();
    let provider = start(ProviderConfig::demo().with_profile(profile))
        .await
        .unwrap();
    let mut config = config_for(preset, inputs, &provider);
    edit(&mut config);
    let mode = match &config.mode {
        ModeConfig::ThreeLegged(t) => t.callback.mode,
        _ => CallbackMode::DeepLink,
    };
    let engine = Engine::new(EngineSettings {
        callback_timeout: Duration::from_secs(20),
        ..Default::default()
    })
    .unwrap();
    let pins = Arc::new(Mutex::new(Vec::new()));
    let opened = Arc::new(Mutex::new(Vec::new()));
    let inbox = engine.inbox();
    let engine = engine.with_browser(TestBrowser {
        inbox,
        mode,
        pins: pins.clone(),
        opened: opened.clone(),
    });
    let (_run, outcome) = engine.run(config, None, |_| {}).await.unwrap();
    let pins = pins.lock().unwrap().clone();
    let opened = opened.lock().unwrap().clone();
    Danced {
        outcome,
        pins,
        opened,
        provider,
    }
}

/// Sets the callback of a three-legged configuration.
pub fn set_callback(c: &mut FlowConfig, cb: CallbackConfig) {
    if let ModeConfig::ThreeLegged(t) = &mut c.mode {
        t.callback = cb;
    }
}
