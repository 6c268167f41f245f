//! Provider presets: what Signet knows about real OAuth 1.0a providers, one documented TOML
//! file per provider under `data/` (the format is in this crate's `README.md`), embedded at
//! build time, parsed and validated when the catalog loads.
//!
//! A preset makes a connector ([`Preset::connector`]): its placeholders become connector
//! variables, its rules an OAuth 1.0a method, its `[[api]]` calls endpoints, and every choice is
//! explained; the user can still change anything. [`Preset::lints`] warns about settings the
//! provider will refuse. No IO: the files are compiled in.
//!
//! ```
//! use signet_connector::{Builtins, ClientSecret, Installed, flow_config};
//! use signet_oauth1::Secret;
//! use signet_presets::Catalog;
//! let catalog = Catalog::load().expect("the shipped presets are valid");
//! let netsuite = catalog.get("netsuite").unwrap().connector();
//! let instance = Installed {
//!     values: [("account".to_owned(), "1234567-sb1".to_owned())].into(),
//!     consumer_key: "key".into(),
//!     client_secret: Some(ClientSecret::Shared(Secret::new("secret"))),
//!     ..Installed::default()
//! };
//! let config = flow_config(&netsuite.connector, &instance, Builtins::default()).unwrap();
//! assert_eq!(config.realm.as_deref(), Some("1234567_SB1"));
//! ```
#![warn(missing_docs)]

pub mod apply;
pub mod diagnose;
pub mod error;
pub mod lint;
pub mod model;

pub use apply::{Applied, Explanation, OAUTH1_METHOD_ID, variable_of};
pub use diagnose::accepts;
pub use error::{PresetError, Problem, Result};
pub use model::*;
pub use signet_connector::instance::netsuite_account;

/// Values of a preset's placeholders by name (`account`, `base_url`), as typed.
pub type Inputs = BTreeMap<String, String>;

use std::collections::BTreeMap;

use signet_connector::{Builtins, ClientSecret, Installed};
use signet_oauth1::flow::{FlowMode, TokenCredentials};
use signet_oauth1::{CallbackMode, Secret};

macro_rules! files {
    ($($id:literal),* $(,)?) => {
        &[$(($id, include_str!(concat!("../data/", $id, ".toml")))),*]
    };
}

/// The shipped preset files: (id, TOML text).
pub const FILES: &[(&str, &str)] = files![
    "generic",
    "signet-demo",
    "x",
    "trello",
    "flickr",
    "tumblr",
    "garmin",
    "discogs",
    "smugmug",
    "evernote",
    "jira",
    "magento1",
    "magento2",
    "woocommerce",
    "netsuite",
    "netsuite-token",
    "xero-private",
    "tripit",
];

/// Every preset, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    presets: Vec<Preset>,
}

/// The name the design notes use.
pub type PresetCatalog = Catalog;

impl Catalog {
    /// Parses and validates the shipped files. Every problem of every file, or the catalog.
    pub fn load() -> std::result::Result<Self, Vec<Problem>> {
        Self::from_files(FILES)
    }

    /// Parses and validates these (id, TOML) files.
    pub fn from_files(files: &[(&str, &str)]) -> std::result::Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut presets = Vec::new();
        for (id, text) in files {
            match toml::from_str::<Preset>(text) {
                Ok(p) => {
                    problems.extend(validate(id, &p));
                    presets.push(p);
                }
                Err(e) => problems.push(Problem {
                    file: format!("{id}.toml"),
                    field: "toml".into(),
                    message: e.to_string(),
                }),
            }
        }
        let mut ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        for w in ids.windows(2) {
            if w[0] == w[1] {
                problems.push(Problem {
                    file: format!("{}.toml", w[0]),
                    field: "id".into(),
                    message: "two presets have this id".into(),
                });
            }
        }
        if problems.is_empty() {
            Ok(Self { presets })
        } else {
            Err(problems)
        }
    }

    /// The preset with this id (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Preset> {
        self.presets
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(id.trim()))
    }

    /// The preset with this id, or an error naming the choices.
    pub fn find(&self, id: &str) -> Result<&Preset> {
        self.get(id)
            .ok_or_else(|| PresetError::UnknownPreset(id.to_owned()))
    }

    /// All presets, in the order of [`FILES`].
    pub fn presets(&self) -> &[Preset] {
        &self.presets
    }

    /// Their ids.
    pub fn ids(&self) -> Vec<&str> {
        self.presets.iter().map(|p| p.id.as_str()).collect()
    }
}

/// Every problem with one parsed preset: consistency of its rules, its templates and its
/// placeholders, and whether applying it to its own examples gives a configuration that
/// validates.
pub fn validate(file_id: &str, p: &Preset) -> Vec<Problem> {
    let mut out = Vec::new();
    let file = format!("{file_id}.toml");
    if p.id != file_id {
        push(
            &mut out,
            &file,
            "id",
            format!("the id {:?} must equal the file name", p.id),
        );
    }
    if p.id.is_empty()
        || !p
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        push(
            &mut out,
            &file,
            "id",
            "ids are lower-case letters, digits and -".into(),
        );
    }
    for (field, text) in [
        ("name", &p.name),
        ("summary", &p.summary),
        ("mode_why", &p.mode_why),
    ] {
        if text.trim().is_empty() {
            push(&mut out, &file, field, "is empty".into());
        }
    }
    if p.signature.allowed.is_empty() {
        push(
            &mut out,
            &file,
            "signature.allowed",
            "lists no method".into(),
        );
    }
    if !p.signature.allowed.contains(&p.signature.default) {
        push(
            &mut out,
            &file,
            "signature.default",
            format!("{} is not in signature.allowed", p.signature.default),
        );
    }
    if !p.placement.allowed.contains(&p.placement.default) {
        push(
            &mut out,
            &file,
            "placement.default",
            format!("{} is not in placement.allowed", p.placement.default),
        );
    }
    match (p.mode, &p.callback) {
        (FlowMode::ThreeLegged, None) => push(
            &mut out,
            &file,
            "callback",
            "a three-legged preset needs callback rules".into(),
        ),
        (FlowMode::ThreeLegged, Some(c)) => {
            let allowed = match c.default {
                CallbackMode::Oob => c.oob,
                CallbackMode::DeepLink => c.custom_scheme,
                CallbackMode::Loopback => c.loopback,
            };
            if !allowed {
                push(
                    &mut out,
                    &file,
                    "callback.default",
                    format!("{} is not allowed by the rules", c.default),
                );
            }
            if !(c.oob || c.custom_scheme || c.loopback) {
                push(
                    &mut out,
                    &file,
                    "callback",
                    "allows no callback at all".into(),
                );
            }
            let e = &p.endpoints;
            if e.request_token.is_none() || e.authorize.is_none() || e.access_token.is_none() {
                push(
                    &mut out,
                    &file,
                    "endpoints",
                    "a three-legged preset needs request_token, authorize and access_token".into(),
                );
            }
        }
        (_, Some(_)) => push(
            &mut out,
            &file,
            "callback",
            "only three-legged presets have callback rules".into(),
        ),
        (_, None) => {
            if !p.api.iter().any(|a| a.test) {
                push(
                    &mut out,
                    &file,
                    "api",
                    "one-legged and pre-issued-token presets need an [[api]] call with test = true (step 10 is all they do)".into(),
                );
            }
        }
    }
    if p.demo.consumer_key_as_token && p.mode != FlowMode::PreIssuedToken {
        push(
            &mut out,
            &file,
            "demo.consumer_key_as_token",
            "only pre-issued-token presets can use the consumer key as the token".into(),
        );
    }

    // Placeholders: a choice has choices; examples and defaults fit their kind.
    for ph in &p.placeholders {
        if ph.helper == Helper::Choice && ph.choices.is_empty() {
            push(
                &mut out,
                &file,
                &format!("placeholders.{}", ph.name),
                "a choice needs choices".into(),
            );
        }
        let var = variable_of(ph);
        if let Err(e) = signet_connector::instance::check_value(&var, &ph.example) {
            push(
                &mut out,
                &file,
                &format!("placeholders.{}.example", ph.name),
                e,
            );
        }
        if let Some(d) = &ph.default
            && let Err(e) = signet_connector::instance::check_value(&var, d)
        {
            push(
                &mut out,
                &file,
                &format!("placeholders.{}.default", ph.name),
                e,
            );
        }
    }
    let tests = p.api.iter().filter(|a| a.test).count();
    if tests > 1 {
        push(
            &mut out,
            &file,
            "api",
            format!("{tests} calls say test = true: step 10 makes one"),
        );
    }
    if let Some(t) = p.api.iter().find(|a| a.test)
        && !t.method.eq_ignore_ascii_case("GET")
    {
        push(
            &mut out,
            &file,
            &format!("api.{}", t.id),
            "step 10's call must be a harmless GET".into(),
        );
    }
    for (field, params) in [
        ("authorize_params", &p.authorize_params),
        ("request_token_params", &p.request_token_params),
    ] {
        for x in params {
            if x.required && x.default.is_none() {
                push(
                    &mut out,
                    &file,
                    &format!("{field}.{}", x.name),
                    "a required parameter needs a default".into(),
                );
            }
            if let Some(d) = &x.default
                && !x.choices.is_empty()
                && !x.choices.iter().any(|c| &c.value == d)
            {
                push(
                    &mut out,
                    &file,
                    &format!("{field}.{}", x.name),
                    format!("the default {d:?} is not a choice"),
                );
            }
        }
    }
    if p.registration.fields.is_empty() {
        push(
            &mut out,
            &file,
            "registration.fields",
            "says nothing to copy".into(),
        );
    }
    if p.registration.steps.is_empty() {
        push(&mut out, &file, "registration.steps", "is empty".into());
    }
    let mut triggers: Vec<Trigger> = p.known_errors.iter().filter_map(|e| e.trigger).collect();
    let n = triggers.len();
    triggers.sort_by_key(|t| *t as u8);
    triggers.dedup();
    if triggers.len() != n {
        push(
            &mut out,
            &file,
            "known_errors",
            "two errors have the same trigger".into(),
        );
    }
    for e in &p.known_errors {
        if e.trigger.is_some() && e.body.is_none() {
            push(
                &mut out,
                &file,
                &format!("known_errors.{}", e.code),
                "an error with a trigger needs the body the demo sends".into(),
            );
        }
    }

    // The connector the preset makes is sound, and with its examples as the instance's values
    // its flow runs and every call fills in.
    if out.is_empty() {
        let applied = p.connector();
        for problem in signet_connector::validate(&applied.connector) {
            push(
                &mut out,
                &file,
                &format!("connector.{}", problem.field),
                problem.message,
            );
        }
        // Lints and the checks below never read the key material; RSA presets get a secret
        // here and the one complaint about it is expected.
        let rsa = p.signature.default.is_rsa();
        let instance = Installed {
            values: p.example_values(),
            consumer_key: "example-key".into(),
            client_secret: Some(ClientSecret::Shared(Secret::new("example-secret"))),
            token: (p.mode == FlowMode::PreIssuedToken && !p.demo.consumer_key_as_token).then(
                || TokenCredentials {
                    token: "example-token".into(),
                    secret: Secret::new("example-token-secret"),
                    extra: p
                        .response
                        .access_extra
                        .iter()
                        .map(|f| (f.clone(), "example".into()))
                        .collect(),
                },
            ),
            ..Installed::default()
        };
        match signet_connector::flow_config(&applied.connector, &instance, Builtins::default()) {
            Ok(config) => {
                for l in p.lints(&config) {
                    if l.severity == signet_oauth1::diagnose::Severity::Error {
                        push(&mut out, &file, &format!("lints.{}", l.id), l.message);
                    }
                }
            }
            Err(problems) => {
                for f in problems {
                    if rsa && f.field == "instance.client_secret" {
                        continue;
                    }
                    push(&mut out, &file, &format!("apply.{}", f.field), f.message);
                }
            }
        }
        if !rsa {
            let with_token = Installed {
                token: Some(TokenCredentials {
                    token: "example-token".into(),
                    secret: Secret::new("example-token-secret"),
                    extra: p
                        .response
                        .access_extra
                        .iter()
                        .map(|f| (f.clone(), "example".into()))
                        .collect(),
                }),
                ..instance
            };
            for a in &p.api {
                let inputs: BTreeMap<String, String> = a
                    .variables
                    .iter()
                    .filter(|v| v.default.is_none())
                    .map(|v| (v.name.clone(), "1".into()))
                    .collect();
                if let Err(problems) = signet_connector::prepare_call(
                    &applied.connector,
                    &a.id,
                    &with_token,
                    &inputs,
                    Builtins::default(),
                ) {
                    for f in problems {
                        push(
                            &mut out,
                            &file,
                            &format!("api.{}", a.id),
                            format!("{}: {}", f.field, f.message),
                        );
                    }
                }
            }
        }
    }
    out
}

fn push(out: &mut Vec<Problem>, file: &str, field: &str, message: String) {
    out.push(Problem {
        file: file.to_owned(),
        field: field.into(),
        message,
    });
}
