//! Step 1 as the UI holds it ([`ConnectorDraft`]) to and from what the engine and the store
//! take: a [`FlowConfig`] to run, a [`ConnectorSpec`] and [`Credentials`] to save.
//!
//! The store's connector record has no room for a few of the draft's settings (the flow mode,
//! the endpoints' methods, the resource call's method and body, the PIN mode's web address), so
//! the shell keeps the whole draft, secrets left out, beside it as a setting
//! (`desktop.draft.<id>`) and prefers it when reading a connector back.

use signet_ipc::{
    CallbackConfig, CallbackMode, ConnectorDraft, DraftCallback, DraftEndpoints, DraftToken,
    Endpoint, FieldProblem, FlowMode, Secret, StoredSecrets,
};
use signet_oauth1::flow::{ConsumerKey, FlowConfig, ModeConfig, ResourceRequest, TokenCredentials};
use signet_oauth1::{RsaPrivateKeyPem, SignOptions};
use signet_store::{ClientSecret, ConnectorSpec, Credentials};

/// The setting that holds a connector's full draft (secrets left out).
pub fn side_record_name(id: &str) -> String {
    format!("desktop.draft.{id}")
}

/// The draft with every secret taken out, as kept beside the connector and returned to the UI.
pub fn without_secrets(draft: &ConnectorDraft) -> ConnectorDraft {
    let mut d = draft.clone();
    d.consumer_secret = None;
    d.rsa_private_key_pem = None;
    if let Some(t) = &mut d.token {
        t.secret = None;
    }
    d
}

pub use signet_ipc::presets::callback_config;

/// The key material: the draft's when typed in, else the stored one.
fn key_of(
    draft: &ConnectorDraft,
    stored: Option<&Credentials>,
) -> Result<ConsumerKey, FieldProblem> {
    let stored_secret = stored.map(|c| c.client_secret.secret().expose().to_owned());
    if draft.signature_method.is_rsa() {
        let pem = draft
            .rsa_private_key_pem
            .as_ref()
            .map(|s| s.expose().to_owned())
            .filter(|s| !s.trim().is_empty())
            .or(stored_secret.filter(|_| {
                stored.is_some_and(|c| matches!(c.client_secret, ClientSecret::RsaPrivateKey(_)))
            }))
            .ok_or_else(|| {
                problem(
                    "rsa_private_key_pem",
                    format!("{} needs the RSA private key (PEM)", draft.signature_method),
                )
            })?;
        RsaPrivateKeyPem::parse(&pem)
            .map(ConsumerKey::Rsa)
            .map_err(|e| problem("rsa_private_key_pem", e.to_string()))
    } else {
        let secret = draft
            .consumer_secret
            .as_ref()
            .map(|s| s.expose().to_owned())
            .filter(|s| !s.is_empty())
            .or(stored_secret.filter(|_| {
                stored.is_some_and(|c| matches!(c.client_secret, ClientSecret::Shared(_)))
            }))
            .ok_or_else(|| {
                problem(
                    "consumer_secret",
                    format!(
                        "{} needs the consumer secret the provider gave you",
                        draft.signature_method
                    ),
                )
            })?;
        Ok(ConsumerKey::Secret(Secret::new(secret)))
    }
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The flow the draft describes; secrets not in the draft come from `stored`.
pub fn flow_config(
    draft: &ConnectorDraft,
    stored: Option<&Credentials>,
) -> Result<FlowConfig, Vec<FieldProblem>> {
    let key = key_of(draft, stored).map_err(|p| vec![p])?;
    // The preset knows whether its provider reads the callback from the authorize URL and
    // whether it confirms callbacks (TripIt and Garmin do not).
    let flags = crate::commands::presets::catalog().map_or((false, true), |c| {
        signet_ipc::presets::callback_flags(c, draft)
    });
    let mode = match draft.mode {
        FlowMode::ThreeLegged => {
            ModeConfig::ThreeLegged(signet_ipc::presets::three_legged_config_of(draft, flags))
        }
        FlowMode::OneLegged => ModeConfig::OneLegged,
        FlowMode::PreIssuedToken => {
            // Some providers (Xero private apps) take the consumer key as the token.
            let key_is_token = draft.preset.as_deref().is_some_and(|id| {
                crate::commands::presets::catalog()
                    .ok()
                    .and_then(|c| c.get(id))
                    .is_some_and(|p| p.demo.consumer_key_as_token)
            });
            let token = draft
                .token
                .as_ref()
                .map(|t| t.token.trim().to_owned())
                .filter(|t| !t.is_empty())
                .or_else(|| key_is_token.then(|| draft.consumer_key.trim().to_owned()))
                .unwrap_or_default();
            let secret = draft
                .token
                .as_ref()
                .and_then(|t| t.secret.as_ref().map(|s| s.expose().to_owned()))
                .or_else(|| {
                    stored
                        .and_then(|c| c.token.as_ref())
                        .map(|t| t.token_secret.expose().to_owned())
                })
                .unwrap_or_default();
            ModeConfig::PreIssuedToken(TokenCredentials {
                token,
                secret: Secret::new(secret),
                extra: Vec::new(),
            })
        }
    };
    let config = FlowConfig {
        extras: Default::default(),
        consumer_key: draft.consumer_key.trim().to_owned(),
        key,
        signature_method: draft.signature_method,
        sign_options: SignOptions {
            placement: draft.placement,
            include_version: draft.include_version,
            ..SignOptions::default()
        },
        realm: draft.realm.clone().filter(|r| !r.is_empty()),
        mode,
        resource: draft.resource.clone().filter(|r| !r.url.trim().is_empty()),
    };
    let problems = config.validate();
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

/// Every problem with the draft; empty when it can run.
pub fn problems(draft: &ConnectorDraft, stored: Option<&Credentials>) -> Vec<FieldProblem> {
    flow_config(draft, stored).err().unwrap_or_default()
}

/// The store's connector record for the draft.
pub fn spec_of(draft: &ConnectorDraft) -> ConnectorSpec {
    let cb = callback_config(&draft.callback);
    let callback_url = match draft.callback.mode {
        CallbackMode::DeepLink => None,
        _ if cb.url == "oob" => None,
        _ => Some(cb.url),
    };
    ConnectorSpec {
        name: draft.name.trim().to_owned(),
        preset: draft.preset.clone(),
        request_token_url: draft.endpoints.request_token.url.trim().to_owned(),
        authorize_url: draft.endpoints.authorize_url.trim().to_owned(),
        access_token_url: draft.endpoints.access_token.url.trim().to_owned(),
        resource_url: draft
            .resource
            .as_ref()
            .map(|r| r.url.clone())
            .filter(|u| !u.is_empty()),
        signature_method: draft.signature_method,
        placement: draft.placement,
        realm: draft.realm.clone().filter(|r| !r.is_empty()),
        callback_mode: draft.callback.mode,
        callback_url,
        include_version: draft.include_version,
        extra_request_token_params: Vec::new(),
        extra_authorize_params: draft.authorize_params.clone(),
        extra_access_token_params: Vec::new(),
    }
}

/// The client secret to store, when the draft carries one.
pub fn client_secret_of(draft: &ConnectorDraft) -> Option<ClientSecret> {
    if draft.signature_method.is_rsa() {
        draft
            .rsa_private_key_pem
            .as_ref()
            .filter(|s| !s.is_empty())
            .map(|s| ClientSecret::RsaPrivateKey(s.clone()))
    } else {
        draft
            .consumer_secret
            .as_ref()
            .filter(|s| !s.is_empty())
            .map(|s| ClientSecret::Shared(s.clone()))
    }
}

/// A draft read back from a stored connector that has no side record (saved by the CLI).
pub fn draft_of_spec(id: &str, spec: &ConnectorSpec, consumer_key: &str) -> ConnectorDraft {
    let callback = match (spec.callback_mode, spec.callback_url.as_deref()) {
        (CallbackMode::Loopback, Some(url)) => {
            let cb = CallbackConfig {
                mode: CallbackMode::Loopback,
                url: url.to_owned(),
            };
            let (port, path) = cb
                .loopback_parts()
                .map_or((0, "/callback".to_owned()), |(_, port, path)| {
                    (port, path.to_owned())
                });
            DraftCallback {
                mode: CallbackMode::Loopback,
                loopback_port: port,
                loopback_path: path,
                oob_url: None,
            }
        }
        (mode, url) => DraftCallback {
            mode,
            loopback_port: 0,
            loopback_path: "/callback".into(),
            oob_url: url.filter(|_| mode == CallbackMode::Oob).map(str::to_owned),
        },
    };
    ConnectorDraft {
        id: Some(id.to_owned()),
        name: spec.name.clone(),
        preset: spec.preset.clone(),
        mode: FlowMode::ThreeLegged,
        consumer_key: consumer_key.to_owned(),
        consumer_secret: None,
        rsa_private_key_pem: None,
        signature_method: spec.signature_method,
        placement: spec.placement,
        realm: spec.realm.clone(),
        include_version: spec.include_version,
        endpoints: DraftEndpoints {
            request_token: Endpoint::post(spec.request_token_url.clone()),
            authorize_url: spec.authorize_url.clone(),
            access_token: Endpoint::post(spec.access_token_url.clone()),
        },
        callback,
        authorize_params: spec.extra_authorize_params.clone(),
        resource: spec.resource_url.clone().map(ResourceRequest::get),
        token: None,
    }
}

/// Which secrets a stored credentials record holds.
pub fn stored_secrets(creds: Option<&signet_store::CredentialsSummary>) -> StoredSecrets {
    creds.map_or_else(StoredSecrets::default, |c| StoredSecrets {
        consumer_secret: c.client_secret_kind == signet_store::ClientSecretKind::Shared,
        rsa_private_key: c.client_secret_kind == signet_store::ClientSecretKind::RsaPrivateKey,
        token_secret: c.token.is_some(),
    })
}

/// A pre-issued token the draft carries, without its secret.
pub fn public_token(draft: &ConnectorDraft) -> Option<DraftToken> {
    draft.token.as_ref().map(|t| DraftToken {
        token: t.token.clone(),
        secret: None,
    })
}

/// Normalises secrets as the UI sends them back: `"<redacted>"` (what the backend showed)
/// means "not typed in"; and the demo's throwaway secrets, which the demo draft can only carry
/// redacted, are filled in for a demo draft.
pub fn resolve_secrets(draft: &mut ConnectorDraft) {
    let redacted = |s: &Option<Secret>| {
        s.as_ref()
            .is_some_and(|s| s.expose() == signet_oauth1::secret::REDACTED)
    };
    if redacted(&draft.consumer_secret) {
        draft.consumer_secret = None;
    }
    if redacted(&draft.rsa_private_key_pem) {
        draft.rsa_private_key_pem = None;
    }
    if let Some(t) = &mut draft.token
        && redacted(&t.secret)
    {
        t.secret = None;
    }
    if draft.preset.as_deref() == Some("demo") {
        use signet_provider::demo;
        let key = draft.consumer_key.trim();
        if key == demo::CONSUMER_KEY && draft.consumer_secret.is_none() {
            draft.consumer_secret = Some(Secret::new(demo::CONSUMER_SECRET));
        }
        if key == demo::RSA_CONSUMER_KEY && draft.rsa_private_key_pem.is_none() {
            draft.rsa_private_key_pem = Some(Secret::new(demo::RSA_PRIVATE_KEY_PEM));
        }
    }
}

#[cfg(test)]
mod tests {
    use signet_oauth1::{Placement, SignatureMethod};

    use super::*;

    fn draft(preset: &str, mode: FlowMode) -> ConnectorDraft {
        ConnectorDraft {
            id: None,
            name: "test".into(),
            preset: Some(preset.into()),
            mode,
            consumer_key: "consumer-key".into(),
            consumer_secret: Some(Secret::new("consumer-secret")),
            rsa_private_key_pem: None,
            signature_method: SignatureMethod::HmacSha1,
            placement: Placement::Header,
            realm: None,
            include_version: true,
            endpoints: DraftEndpoints {
                request_token: Endpoint::post("https://provider.example/request_token"),
                authorize_url: "https://provider.example/authorize".into(),
                access_token: Endpoint::post("https://provider.example/access_token"),
            },
            callback: DraftCallback {
                mode: CallbackMode::Loopback,
                loopback_port: 0,
                loopback_path: "/callback".into(),
                oob_url: None,
            },
            authorize_params: vec![],
            resource: Some(ResourceRequest::get("https://provider.example/api")),
            token: None,
        }
    }

    #[test]
    fn presets_decide_the_callback_rules_of_the_flow() {
        for (preset, on_authorize_url, confirmed) in [
            ("tripit", true, false),
            ("garmin", true, false),
            ("generic", false, true),
        ] {
            let config = flow_config(&draft(preset, FlowMode::ThreeLegged), None).unwrap();
            let ModeConfig::ThreeLegged(t) = config.mode else {
                panic!("{preset}: three-legged expected");
            };
            assert_eq!(t.callback_on_authorize_url, on_authorize_url, "{preset}");
            assert_eq!(t.require_callback_confirmed, confirmed, "{preset}");
        }
    }

    #[test]
    fn a_preset_whose_consumer_key_is_the_token_needs_no_token_typed() {
        let mut d = draft("xero-private", FlowMode::PreIssuedToken);
        d.signature_method = SignatureMethod::RsaSha1;
        d.consumer_secret = None;
        d.rsa_private_key_pem = Some(Secret::new(signet_provider::demo::RSA_PRIVATE_KEY_PEM));
        let config = flow_config(&d, None).unwrap();
        let ModeConfig::PreIssuedToken(t) = config.mode else {
            panic!("pre-issued expected");
        };
        assert_eq!(t.token, "consumer-key");
        // Other pre-issued presets still need the token typed in, and say so.
        let problems =
            flow_config(&draft("netsuite-token", FlowMode::PreIssuedToken), None).unwrap_err();
        assert!(
            problems.iter().any(|p| p.field == "token.token"),
            "{problems:?}"
        );
    }
}
