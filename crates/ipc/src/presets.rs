//! Presets and diagnosis as the UI sees them: the catalog summarised for the picker, a preset
//! applied to step 1 ([`ConnectorDraft`]), lints of a draft, and a failed run read in plain
//! words. Pure functions over the catalog and the run's snapshot, so the shell's commands are
//! one call each and the fixture recorder produces exactly what the app would.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use signet_oauth1::diagnose::{
    BaseStringDiff, Diagnosis, Difference, FailureDiagnosis, Lint, LintOptions, Severity,
    SkewReport,
};
pub use signet_presets::{
    Catalog, Choice, Explanation, ExtraParam, FieldCopy, Helper, Placeholder, Preset, Registration,
};

use signet_oauth1::diagnose::{
    diagnose_snapshot, diff_base_strings, extract_base_string, lint_config,
};
use signet_oauth1::flow::{
    CallbackConfig, ConsumerKey, Endpoint, Exchange, FlowConfig, FlowMode, ModeConfig, Snapshot,
    ThreeLeggedConfig, TokenCredentials,
};
use signet_oauth1::{
    CallbackMode, ErrorKind, ErrorReport, Placement, Secret, SignOptions, SignatureMethod,
};

use crate::{ConnectorDraft, DraftCallback, DraftEndpoints, DraftToken, RunId};

/// One preset as the picker lists it: what it is, what it allows, and what the user fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PresetSummary {
    /// Its id (`netsuite`, `x`, `trello`).
    pub id: String,
    /// The name people know the provider by.
    pub name: String,
    /// One or two sentences: what connecting to it is like.
    pub summary: String,
    /// The provider's OAuth documentation.
    pub docs: Option<String>,
    /// Three-legged, one-legged or pre-issued token.
    pub mode: FlowMode,
    /// Why this mode, in plain words.
    pub mode_why: String,
    /// The signature methods the provider accepts.
    pub methods_allowed: Vec<SignatureMethod>,
    /// The method the preset picks.
    pub method_default: SignatureMethod,
    /// Why.
    pub method_why: String,
    /// Where the provider reads the `oauth_*` parameters.
    pub placements_allowed: Vec<Placement>,
    /// The placement the preset picks.
    pub placement_default: Placement,
    /// The callback modes the provider allows (three-legged presets; empty otherwise).
    pub callbacks_allowed: Vec<CallbackMode>,
    /// The callback the preset picks (three-legged presets).
    pub callback_default: Option<CallbackMode>,
    /// The callback rules in plain words ("refuses custom-scheme callbacks such as
    /// signet://callback").
    pub callback_rules: Vec<String>,
    /// Values the user fills in, with their helpers and choices.
    pub placeholders: Vec<Placeholder>,
    /// Extra authorize-page parameters with their choices.
    pub authorize_params: Vec<ExtraParam>,
    /// Where to register the consumer and what to copy.
    pub registration: Registration,
    /// Anything else worth knowing about the provider's answers.
    pub notes: Vec<String>,
}

/// `preset_apply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PresetApplyArgs {
    /// The preset.
    pub preset_id: String,
    /// The placeholders' values by name (`account`, `host`); missing ones take their default.
    pub inputs: BTreeMap<String, String>,
}

/// Result of `preset_apply`: step 1 filled in, and why each field is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PresetApplied {
    /// Step 1, secrets empty, named after the provider.
    pub draft: ConnectorDraft,
    /// One per field the preset filled, named as `FieldProblem` names fields.
    pub explanations: Vec<Explanation>,
}

/// `diagnose_paste`: what the user pasted from the provider's answer, logs or docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiagnosePasteArgs {
    /// The run whose request to compare.
    pub run_id: RunId,
    /// The provider's base string, or a problem report / JSON / log line containing it.
    pub text: String,
}

/// `clock_offset_set`: the offset added to every `oauth_timestamp` from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClockOffsetArgs {
    /// Seconds, positive when this computer's clock is behind the provider's (a skew report's
    /// `suggested_offset_seconds`).
    pub offset_seconds: i64,
}

fn callback_modes(p: &Preset) -> Vec<CallbackMode> {
    let Some(c) = &p.callback else {
        return vec![];
    };
    [
        (c.custom_scheme, CallbackMode::DeepLink),
        (c.loopback, CallbackMode::Loopback),
        (c.oob, CallbackMode::Oob),
    ]
    .into_iter()
    .filter_map(|(ok, m)| ok.then_some(m))
    .collect()
}

fn callback_rules(p: &Preset) -> Vec<String> {
    let Some(c) = &p.callback else {
        return vec![];
    };
    let yes_no = |ok: bool, what: &str| {
        if ok {
            format!("accepts {what}")
        } else {
            format!("refuses {what}")
        }
    };
    let mut out = vec![
        yes_no(
            c.custom_scheme,
            "a custom-scheme callback (signet://callback)",
        ),
        yes_no(c.loopback, "a loopback callback (http://127.0.0.1)"),
        yes_no(c.oob, "a PIN instead of a callback (oob)"),
    ];
    if c.must_match_registered {
        out.push("redirects only to the callback registered for the app".into());
    }
    if let Some(n) = c.pin_digits {
        out.push(format!("shows a {n}-digit PIN"));
    }
    if c.on_authorize_url {
        out.push("reads the callback from the authorize URL (OAuth 1.0 style)".into());
    }
    if !c.sends_confirmed {
        out.push("never sends oauth_callback_confirmed".into());
    }
    out
}

/// The picker's view of a preset.
pub fn summary(p: &Preset) -> PresetSummary {
    PresetSummary {
        id: p.id.clone(),
        name: p.name.clone(),
        summary: p.summary.clone(),
        docs: p.docs.clone(),
        mode: p.mode,
        mode_why: p.mode_why.clone(),
        methods_allowed: p.signature.allowed.clone(),
        method_default: p.signature.default,
        method_why: p.signature.why.clone(),
        placements_allowed: p.placement.allowed.clone(),
        placement_default: p.placement.default,
        callbacks_allowed: callback_modes(p),
        callback_default: p.callback.as_ref().map(|c| c.default),
        callback_rules: callback_rules(p),
        placeholders: p.placeholders.clone(),
        authorize_params: p.authorize_params.clone(),
        registration: p.registration.clone(),
        notes: p.response.notes.clone(),
    }
}

/// `presets_list`: every preset, in the catalog's order.
pub fn list(catalog: &Catalog) -> Vec<PresetSummary> {
    catalog.presets().iter().map(summary).collect()
}

fn report(kind: ErrorKind, message: impl Into<String>, hint: Option<&str>) -> ErrorReport {
    ErrorReport {
        kind,
        message: message.into(),
        hint: hint.map(str::to_owned),
        provider_says: None,
    }
}

fn find<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c Preset, ErrorReport> {
    catalog
        .find(id)
        .map_err(|e| report(e.kind(), e.to_string(), None))
}

/// `preset_apply`: step 1 from a preset and the placeholders' values. Fails with every missing
/// or malformed value in one message (`missing_value`, `invalid_value`, `unknown_preset`).
pub fn apply(catalog: &Catalog, args: &PresetApplyArgs) -> Result<PresetApplied, ErrorReport> {
    let preset = find(catalog, &args.preset_id)?;
    let draft = preset.apply(&args.inputs).map_err(|errors| {
        let kind = errors.first().map_or(ErrorKind::InvalidValue, |e| e.kind());
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        report(
            kind,
            messages.join("; "),
            Some("fill in the preset's fields above the form, then pick the preset again"),
        )
    })?;
    let (endpoints, callback, authorize_params) = match &draft.three_legged {
        Some(t) => (
            DraftEndpoints {
                request_token: t.request_token.clone(),
                authorize_url: t.authorize_url.clone(),
                access_token: t.access_token.clone(),
            },
            DraftCallback {
                mode: t.callback.mode,
                loopback_port: 0,
                loopback_path: "/callback".into(),
                oob_url: None,
            },
            t.authorize_params.clone(),
        ),
        None => (
            DraftEndpoints {
                request_token: Endpoint::post(""),
                authorize_url: String::new(),
                access_token: Endpoint::post(""),
            },
            DraftCallback {
                mode: CallbackMode::DeepLink,
                loopback_port: 0,
                loopback_path: "/callback".into(),
                oob_url: None,
            },
            vec![],
        ),
    };
    let token =
        (draft.mode == FlowMode::PreIssuedToken && !draft.token_from_consumer_key).then(|| {
            DraftToken {
                token: String::new(),
                secret: None,
            }
        });
    Ok(PresetApplied {
        draft: ConnectorDraft {
            id: None,
            name: preset.name.clone(),
            preset: Some(preset.id.clone()),
            mode: draft.mode,
            consumer_key: String::new(),
            consumer_secret: None,
            rsa_private_key_pem: None,
            signature_method: draft.signature_method,
            placement: draft.placement,
            realm: draft.realm.clone(),
            include_version: draft.include_version,
            endpoints,
            callback,
            authorize_params,
            resource: draft.resource.clone(),
            token,
        },
        explanations: draft.explanations,
    })
}

/// The `oauth_callback` a draft's callback settings mean.
pub fn callback_config(cb: &DraftCallback) -> CallbackConfig {
    match cb.mode {
        CallbackMode::DeepLink => CallbackConfig::deep_link(),
        CallbackMode::Loopback => CallbackConfig::loopback(cb.loopback_port, &cb.loopback_path),
        CallbackMode::Oob => match cb.oob_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => CallbackConfig {
                mode: CallbackMode::Oob,
                url: url.to_owned(),
            },
            _ => CallbackConfig::oob(),
        },
    }
}

/// Whether the flow puts `oauth_callback` on the authorize URL and insists on
/// `oauth_callback_confirmed`: the draft has no fields for these, so they follow the draft's
/// preset (OAuth 1.0a's defaults without one).
pub fn callback_flags(catalog: &Catalog, draft: &ConnectorDraft) -> (bool, bool) {
    draft
        .preset
        .as_deref()
        .and_then(|id| catalog.get(id))
        .and_then(|p| p.callback.as_ref())
        .map_or((false, true), |c| (c.on_authorize_url, c.sends_confirmed))
}

/// The three-legged part of the flow a draft describes, with the preset's callback flags
/// (`callback_flags`): whether the callback rides on the authorize URL, whether its
/// confirmation is required.
pub fn three_legged_config_of(
    draft: &ConnectorDraft,
    (callback_on_authorize_url, require_callback_confirmed): (bool, bool),
) -> ThreeLeggedConfig {
    ThreeLeggedConfig {
        request_token: draft.endpoints.request_token.clone(),
        authorize_url: draft.endpoints.authorize_url.trim().to_owned(),
        access_token: draft.endpoints.access_token.clone(),
        callback: callback_config(&draft.callback),
        authorize_params: draft.authorize_params.clone(),
        callback_on_authorize_url,
        require_callback_confirmed,
    }
}

/// The configuration a draft describes, for lints: secrets left empty (lints never read them).
pub fn lint_config_of(catalog: &Catalog, draft: &ConnectorDraft) -> FlowConfig {
    let mode = match draft.mode {
        FlowMode::ThreeLegged => ModeConfig::ThreeLegged(three_legged_config_of(
            draft,
            callback_flags(catalog, draft),
        )),
        FlowMode::OneLegged => ModeConfig::OneLegged,
        FlowMode::PreIssuedToken => ModeConfig::PreIssuedToken(TokenCredentials {
            token: draft
                .token
                .as_ref()
                .map_or_else(|| draft.consumer_key.clone(), |t| t.token.clone()),
            secret: Secret::default(),
            extra: vec![],
        }),
    };
    FlowConfig {
        extras: Default::default(),
        consumer_key: draft.consumer_key.clone(),
        key: ConsumerKey::Secret(Secret::default()),
        signature_method: draft.signature_method,
        sign_options: SignOptions {
            placement: draft.placement,
            include_version: draft.include_version,
            ..SignOptions::default()
        },
        realm: draft.realm.clone(),
        mode,
        resource: draft.resource.clone(),
    }
}

/// `connector_lint`: what is likely to go wrong before Connect, most severe first: the core's
/// lints, and the preset's when the draft started from one.
pub fn lint(catalog: &Catalog, draft: &ConnectorDraft) -> Vec<Lint> {
    let config = lint_config_of(catalog, draft);
    match draft.preset.as_deref().and_then(|id| catalog.get(id)) {
        Some(p) => p.lints(&config),
        None => lint_config(&config, &LintOptions::default()),
    }
}

/// `run_diagnose`: the failure of a run read in plain words, with the preset's knowledge when
/// the run's draft came from one. Fails with `run_not_failed` when there is no failure.
pub fn diagnose(
    catalog: &Catalog,
    snapshot: &Snapshot,
    preset: Option<&str>,
) -> Result<FailureDiagnosis, ErrorReport> {
    let diagnosis = match preset.and_then(|id| catalog.get(id)) {
        Some(p) => p.diagnose(snapshot),
        None => diagnose_snapshot(snapshot),
    };
    diagnosis.ok_or_else(|| {
        report(
            ErrorKind::RunNotFailed,
            "this run has not failed, so there is nothing to diagnose",
            None,
        )
    })
}

/// The exchange a diagnosis reads: the failing step's last, else the nearest earlier one (step
/// 5 fails on step 3's answer); the run's latest when it has not failed.
pub fn exchange_behind(snapshot: &Snapshot) -> Option<&Exchange> {
    let last = snapshot.error.as_ref().map_or(u8::MAX, |f| f.step.number());
    snapshot
        .steps
        .iter()
        .filter(|s| s.number <= last)
        .rev()
        .find_map(|s| s.exchanges.last())
}

/// `diagnose_paste`: our base string against what the user pasted, parameter by parameter.
/// Fails with `paste_empty` or `nothing_signed`.
pub fn paste(snapshot: &Snapshot, text: &str) -> Result<BaseStringDiff, ErrorReport> {
    if text.trim().is_empty() {
        return Err(report(
            ErrorKind::PasteEmpty,
            "nothing was pasted",
            Some(
                "paste the signature base string the provider expected (from its error, logs or docs)",
            ),
        ));
    }
    let ours = exchange_behind(snapshot).ok_or_else(|| {
        report(
            ErrorKind::NothingSigned,
            "this run has not signed a request yet, so there is nothing to compare with",
            None,
        )
    })?;
    let theirs = extract_base_string(text).unwrap_or_else(|| text.trim().to_owned());
    Ok(diff_base_strings(&ours.trace.base_string, &theirs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn catalog() -> Catalog {
        Catalog::load().expect("the shipped presets load")
    }

    #[test]
    fn every_preset_is_summarised_with_its_placeholders() {
        let c = catalog();
        let all = list(&c);
        assert_eq!(all.len(), c.presets().len());
        let ns = all.iter().find(|p| p.id == "netsuite").unwrap();
        assert!(
            ns.placeholders
                .iter()
                .any(|p| p.helper == Helper::NetsuiteAccount)
        );
        let evernote = all.iter().find(|p| p.id == "evernote").unwrap();
        assert!(
            evernote
                .placeholders
                .iter()
                .any(|p| p.helper == Helper::Choice && !p.choices.is_empty())
        );
    }

    #[test]
    fn applying_netsuite_fills_the_realm_and_explains_it() {
        let c = catalog();
        let out = apply(
            &c,
            &PresetApplyArgs {
                preset_id: "netsuite".into(),
                inputs: BTreeMap::from([("account".into(), "1234567-sb1".into())]),
            },
        )
        .unwrap();
        assert_eq!(out.draft.realm.as_deref(), Some("1234567_SB1"));
        assert_eq!(out.draft.preset.as_deref(), Some("netsuite"));
        assert!(out.explanations.iter().any(|e| e.field == "realm"));
        assert!(
            out.draft
                .endpoints
                .request_token
                .url
                .contains("1234567-sb1")
        );
    }

    #[test]
    fn a_missing_placeholder_is_reported_by_kind() {
        let e = apply(
            &catalog(),
            &PresetApplyArgs {
                preset_id: "netsuite".into(),
                inputs: BTreeMap::new(),
            },
        )
        .unwrap_err();
        assert_eq!(e.kind, "missing_value");
        let e = apply(
            &catalog(),
            &PresetApplyArgs {
                preset_id: "nope".into(),
                inputs: BTreeMap::new(),
            },
        )
        .unwrap_err();
        assert_eq!(e.kind, "unknown_preset");
    }

    #[test]
    fn every_preset_applied_to_its_examples_has_no_error_lint() {
        let c = catalog();
        for p in c.presets() {
            let inputs = p
                .placeholders
                .iter()
                .map(|ph| (ph.name.clone(), ph.example.clone()))
                .collect();
            let out = apply(
                &c,
                &PresetApplyArgs {
                    preset_id: p.id.clone(),
                    inputs,
                },
            )
            .unwrap();
            let errors: Vec<_> = lint(&c, &out.draft)
                .into_iter()
                .filter(|l| l.severity == Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", p.id);
        }
    }

    #[test]
    fn a_method_the_preset_refuses_is_an_error_lint() {
        let c = catalog();
        let mut d = apply(
            &c,
            &PresetApplyArgs {
                preset_id: "trello".into(),
                inputs: BTreeMap::new(),
            },
        )
        .unwrap()
        .draft;
        d.signature_method = SignatureMethod::RsaSha256;
        let lints = lint(&c, &d);
        assert_eq!(lints[0].id, "method_rejected");
        assert_eq!(lints[0].severity, Severity::Error);
    }
}
