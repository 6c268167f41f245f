//! A connector from the command line: a preset (or nothing) with every typed flag over it,
//! and its instance with the consumer credentials from the flags (or the demo provider's).
//! `signet flow` runs it; `signet connectors add` saves it.

use std::collections::BTreeMap;
use std::path::Path;

use signet_app::App;
use signet_app::api::{ConnectorDocument, Explanation, InstanceDraft, TokenInput};
use signet_connector::{
    AuthKind, AuthMethod, AuthOptions, CallbackSettings, Connector, Endpoint, OAuth1, Param,
    VariableKind,
};
use signet_oauth1::flow::FlowMode;
use signet_oauth1::{CallbackMode, Secret};
use signet_provider::{RunningProvider, demo};

use crate::args::DefinitionArgs;
use crate::exit::{Failure, Outcome};

/// Whether a flag was typed (clap's defaults hide that; a preset fills only what was not).
pub(crate) fn typed(flag: &str) -> bool {
    // args_os: an argument that is not UTF-8 (a path, say) is fine; it is not this flag.
    std::env::args_os().any(|a| {
        a.to_str()
            .is_some_and(|a| a == flag || a.starts_with(&format!("{flag}=")))
    })
}

fn oauth1_mut(c: &mut Connector) -> Option<&mut OAuth1> {
    c.auth_methods.iter_mut().find_map(|m| match &mut m.kind {
        AuthKind::OAuth1(o) => Some(o.as_mut()),
        _ => None,
    })
}

/// Reads `--callback`: `loopback`, `oob`, `deep-link`, or an address.
pub fn callback(value: &str) -> Result<CallbackSettings, Failure> {
    let mut cb = CallbackSettings::default();
    match value.trim() {
        "loopback" => cb.mode = CallbackMode::Loopback,
        "oob" | "pin" => cb.mode = CallbackMode::Oob,
        "deep-link" | "deep_link" => cb.mode = CallbackMode::DeepLink,
        url if url.contains("://") => {
            let as_loopback =
                signet_oauth1::flow::CallbackConfig::new(CallbackMode::Loopback, url.to_owned());
            match as_loopback.loopback_parts() {
                Some((_, port, path)) => {
                    cb.mode = CallbackMode::Loopback;
                    cb.loopback_port = port;
                    cb.loopback_path = if path.is_empty() {
                        "/".into()
                    } else {
                        path.to_owned()
                    };
                }
                // Somewhere Signet cannot listen: the user pastes the address back.
                None => {
                    cb.mode = CallbackMode::Oob;
                    cb.oob_url = Some(url.to_owned());
                }
            }
        }
        other => {
            return Err(Failure::usage(
                format!("--callback {other:?} is not loopback, oob or an address"),
                "use --callback loopback, --callback oob, or --callback http://127.0.0.1:PORT/PATH",
            ));
        }
    }
    Ok(cb)
}

/// Reads a file the flags name.
pub fn read_file(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(
            format!("cannot read the {what} {}: {e}", path.display()),
            "check the path",
        )
    })
}

/// How the connector signs in, besides the three legs: the flags of `signet flow` that say so.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode<'a> {
    /// `--one-legged`.
    pub one_legged: bool,
    /// `--token` and `--token-secret`.
    pub token: Option<(&'a str, &'a str)>,
}

/// The connector and instance the flags describe, started from a preset (or the demo's) when
/// one is named, every typed flag over what the preset chose.
pub fn document(
    d: &DefinitionArgs,
    name: Option<&str>,
    mode: Mode<'_>,
    app: &App,
    provider: Option<&RunningProvider>,
) -> Result<(ConnectorDocument, Vec<Explanation>), Failure> {
    let preset = d
        .preset
        .clone()
        .or_else(|| provider.map(|_| "signet-demo".to_owned()));
    let (mut doc, explanations) = match &preset {
        Some(id) => {
            let n = app.connector_new(Some(id)).map_err(|e| {
                let names: Vec<String> = app.presets_list().into_iter().map(|p| p.id).collect();
                Failure::usage(e.to_string(), format!("one of: {}", names.join(", ")))
            })?;
            (n.document, n.explanations)
        }
        None => (blank(), Vec::new()),
    };
    if let Some(name) = name {
        doc.connector.details.name = name.to_owned();
    }
    let preset_rules = preset
        .as_deref()
        .and_then(|id| app.catalog().get(id))
        .cloned();
    let mut values: Vec<(String, String)> = d.values.clone();
    if let Some(account) = &d.account {
        values.push(("account".into(), account.clone()));
    }
    if let Some(p) = provider {
        let port = p.addr().port().to_string();
        values.push(("port".into(), port));
        // Against the in-process demo the variables only shape the realm (NetSuite): the
        // examples stand in for what was not typed.
        let mut defaults = vec![("tenant".to_owned(), "wonderland".to_owned())];
        if let Some(rules) = &preset_rules {
            defaults.extend(
                rules
                    .placeholders
                    .iter()
                    .map(|ph| (ph.name.clone(), ph.example.clone())),
            );
        }
        for (k, v) in defaults {
            if !values.iter().any(|(n, _)| n == &k) {
                values.push((k, v));
            }
        }
    }
    for (k, v) in values {
        set_value(&mut doc, &k, &v);
    }
    let c = &d.credentials;
    let has_preset = preset.is_some();
    let Some(o) = oauth1_mut(&mut doc.connector) else {
        return Err(Failure::usage(
            "the preset has no OAuth 1.0a method",
            "pick another preset",
        ));
    };
    if !has_preset || typed("--signature-method") {
        o.signature_method = c.signature_method;
    }
    if !has_preset || typed("--placement") {
        o.placement = c.placement;
    }
    if c.no_version {
        o.include_version = false;
    }
    if c.include_empty {
        o.include_empty = true;
    }
    if c.body_hash {
        o.body_hash = true;
    }
    if let Some(r) = &c.realm {
        o.realm = Some(r.clone());
    }
    if mode.one_legged {
        o.mode = FlowMode::OneLegged;
    } else if mode.token.is_some() {
        o.mode = FlowMode::PreIssuedToken;
    }
    if let Some(u) = &d.request_token_url {
        o.request_token.url = u.clone();
    }
    if let Some(u) = &d.authorize_url {
        o.authorize_url = u.clone();
    }
    if let Some(u) = &d.access_token_url {
        o.access_token.url = u.clone();
    }
    if let (Some(p), Some(id)) = (provider, preset.as_deref())
        && id != "signet-demo"
    {
        // The demo provider imitates the preset: its endpoints, the preset's query kept.
        let base = p.request_token_url();
        o.request_token.url = match o.request_token.url.split_once('?') {
            Some((_, q)) => format!("{base}?{q}"),
            None => base,
        };
        o.authorize_url = p.authorize_url();
        o.access_token.url = p.access_token_url();
    }
    if !has_preset || typed("--callback") {
        o.callback = callback(&d.callback)?;
    } else if o.callback.mode == CallbackMode::DeepLink
        && preset_rules
            .as_ref()
            .and_then(|p| p.callback.as_ref())
            .is_some_and(|r| r.loopback && !r.must_match_registered)
    {
        // A terminal cannot receive signet:// links: listen on loopback when allowed.
        o.callback.mode = CallbackMode::Loopback;
    }
    for (k, v) in &d.authorize_params {
        o.authorize_params.retain(|p| &p.name != k);
        o.authorize_params.push(Param::new(k.clone(), v.clone()));
    }
    if d.allow_unconfirmed_callback {
        o.require_callback_confirmed = false;
    }
    let resource = match (&d.resource_url, provider, preset.as_deref()) {
        (Some(url), _, _) => Some(url.clone()),
        (None, Some(p), Some(id)) if id != "signet-demo" => Some(p.me_url()),
        _ => None,
    };
    if let Some(url) = resource {
        let e = Endpoint {
            method: d.resource_method.to_ascii_uppercase(),
            ..Endpoint::get("resource", "Resource", &url)
        };
        o.test_endpoint = Some(e.id.clone());
        doc.connector.endpoints.retain(|x| x.id != e.id);
        doc.connector.endpoints.push(e);
    }
    let rsa = oauth1_mut(&mut doc.connector).is_some_and(|o| o.signature_method.is_rsa());
    let pre_issued =
        oauth1_mut(&mut doc.connector).is_some_and(|o| o.mode == FlowMode::PreIssuedToken);
    let i = &mut doc.instance;
    i.consumer_key = c
        .consumer_key
        .clone()
        .or_else(|| {
            provider.map(|_| {
                if rsa {
                    demo::RSA_CONSUMER_KEY
                } else {
                    demo::CONSUMER_KEY
                }
                .to_owned()
            })
        })
        .unwrap_or_default();
    if rsa {
        i.rsa_private_key_pem = match (&c.rsa_key, provider) {
            (Some(path), _) => Some(Secret::new(read_file(path, "rsa key")?)),
            (None, Some(_)) => Some(Secret::new(demo::RSA_PRIVATE_KEY_PEM)),
            (None, None) => None,
        };
    } else {
        i.consumer_secret = c
            .consumer_secret
            .clone()
            .or_else(|| provider.map(|_| demo::CONSUMER_SECRET.to_owned()))
            .map(Secret::new);
    }
    let key_as_token = preset_rules
        .as_ref()
        .is_some_and(|p| p.demo.consumer_key_as_token);
    i.token = match (mode.token, provider) {
        (Some((token, secret)), _) => Some(TokenInput {
            token: token.to_owned(),
            secret: Some(Secret::new(secret)),
        }),
        (None, Some(_)) if pre_issued && !key_as_token => Some(TokenInput {
            token: demo::PRE_ISSUED_TOKEN.into(),
            secret: Some(Secret::new(demo::PRE_ISSUED_TOKEN_SECRET)),
        }),
        _ => None,
    };
    Ok((doc, explanations))
}

/// A connector with one OAuth 1.0a method and nothing filled in, with an empty instance.
fn blank() -> ConnectorDocument {
    let mut c = Connector::named("Command line");
    c.auth_methods.push(AuthMethod {
        id: signet_presets::OAUTH1_METHOD_ID.into(),
        name: "OAuth 1.0a".into(),
        kind: AuthKind::OAuth1(Box::new(OAuth1::three_legged("", "", ""))),
        options: AuthOptions::default(),
    });
    ConnectorDocument {
        id: None,
        instance: InstanceDraft {
            id: None,
            name: signet_store::DEFAULT_INSTANCE.into(),
            values: BTreeMap::new(),
            secrets: BTreeMap::new(),
            consumer_key: String::new(),
            consumer_secret: None,
            rsa_private_key_pem: None,
            token: None,
        },
        connector: c,
    }
}

/// Sets a variable's value in the instance: a secret variable's among the secrets.
pub fn set_value(doc: &mut ConnectorDocument, name: &str, value: &str) {
    let secret = doc
        .connector
        .variables
        .iter()
        .any(|v| v.name == name && v.kind == VariableKind::Secret);
    if secret {
        doc.instance.values.remove(name);
        doc.instance
            .secrets
            .insert(name.to_owned(), Secret::new(value));
    } else {
        doc.instance
            .values
            .insert(name.to_owned(), value.to_owned());
    }
}

/// Refuses a connector that cannot run, naming the flag for each problem.
pub fn check_complete(app: &App, doc: &ConnectorDocument) -> Outcome {
    let problems = app.connector_validate(doc)?;
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", flag_of(&p.field), p.message))
        .collect();
    Err(Failure::usage(
        format!("the connector is not complete:\n  {}", list.join("\n  ")),
        "fix the flags named above and run again",
    ))
}

/// The flag that sets a connector field, for messages.
fn flag_of(field: &str) -> String {
    let f = field.split_once('.').map_or(field, |(_, rest)| rest);
    match f {
        "consumer_key" => "--consumer-key".into(),
        "client_secret" => "--consumer-secret / --rsa-key".into(),
        "token" => "--token / --token-secret".into(),
        "request_token.url" => "--request-token-url".into(),
        "authorize_url" => "--authorize-url".into(),
        "access_token.url" => "--access-token-url".into(),
        "callback" => "--callback".into(),
        "test_endpoint" => "--resource-url".into(),
        _ if field.starts_with("values.") => {
            format!("--preset-value {}=…", field.trim_start_matches("values."))
        }
        _ => field.to_owned(),
    }
}
