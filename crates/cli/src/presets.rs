//! `signet presets` (the provider presets, as text or `--json`), and what `--preset NAME` does
//! to `signet flow`: fill the flags the user left out from the preset, lint the configuration
//! before sending, and read a failure with the preset's knowledge.

use serde::Serialize;
use signet_oauth1::diagnose::{
    FailureDiagnosis, Lint, LintOptions, Severity, diagnose_snapshot, lint_config,
};
use signet_oauth1::flow::{FlowConfig, FlowMode, ModeConfig, Snapshot};
use signet_presets::{Catalog, Draft, Inputs, Preset};
use signet_provider::{ProviderConfig, QuirkProfile, demo};

use crate::args::{FlowArgs, PresetsArgs};
use crate::exit::{Exit, Failure, Outcome};

fn catalog() -> Result<Catalog, Failure> {
    Catalog::load().map_err(|problems| Failure {
        exit: Exit::Internal,
        message: format!(
            "the built-in presets are damaged: {}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        hint: None,
    })
}

fn find(catalog: &Catalog, name: &str) -> Result<Preset, Failure> {
    catalog.find(name).cloned().map_err(|e| {
        Failure::usage(
            e.to_string(),
            format!("one of: {}", catalog.ids().join(", ")),
        )
    })
}

/// `signet presets [NAME] [--json]`.
pub fn list(a: PresetsArgs) -> Outcome {
    let catalog = catalog()?;
    match (&a.name, a.json) {
        (None, true) => print_json(&catalog.presets()),
        (Some(name), true) => print_json(&find(&catalog, name)?),
        (None, false) => {
            for p in catalog.presets() {
                let methods: Vec<&str> = p.signature.allowed.iter().map(|m| m.as_str()).collect();
                println!("{:<15} {:<48} {}", p.id, p.name, methods.join(", "));
            }
            println!("\n`signet presets NAME` explains one; `signet flow --preset NAME` uses it.");
        }
        (Some(name), false) => describe(&find(&catalog, name)?),
    }
    Ok(())
}

fn print_json<T: Serialize + ?Sized>(v: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("plain data serializes")
    );
}

fn describe(p: &Preset) {
    println!("{} ({})\n{}\n", p.name, p.id, p.summary);
    if let Some(d) = &p.docs {
        println!("Documentation  {d}");
    }
    let methods: Vec<&str> = p.signature.allowed.iter().map(|m| m.as_str()).collect();
    println!(
        "Methods        {} (default {}): {}",
        methods.join(", "),
        p.signature.default,
        p.signature.why
    );
    println!(
        "Placement      {}: {}",
        p.placement.default, p.placement.why
    );
    if let Some(c) = &p.callback {
        let yes = |b: bool| if b { "yes" } else { "no" };
        println!(
            "Callback       {} (oob {}, custom scheme {}, loopback {}, must match registered {}): {}",
            c.default,
            yes(c.oob),
            yes(c.custom_scheme),
            yes(c.loopback),
            yes(c.must_match_registered),
            c.why
        );
    }
    for ph in &p.placeholders {
        println!(
            "Needs          --preset-value {}=… ({}; e.g. {}): {}",
            ph.name, ph.label, ph.example, ph.why
        );
    }
    for x in p.request_token_params.iter().chain(&p.authorize_params) {
        let choices: Vec<&str> = x.choices.iter().map(|c| c.value.as_str()).collect();
        println!(
            "Parameter      {}{} [{}]: {}",
            x.name,
            if x.required { " (required)" } else { "" },
            choices.join("|"),
            x.why
        );
    }
    for h in &p.headers {
        println!("Header         {}: {}", h.name, h.why);
    }
    println!("\nRegister at {}", p.registration.url);
    for (i, s) in p.registration.steps.iter().enumerate() {
        println!("  {}. {s}", i + 1);
    }
    for f in &p.registration.fields {
        println!("  copy {} → {}", f.provider_label, f.signet_field);
    }
    if !p.known_errors.is_empty() {
        println!("\nKnown errors");
        for e in &p.known_errors {
            println!("  {} (http {}): {}; {}", e.code, e.status, e.cause, e.fix);
        }
    }
}

/// The preset a flow uses, with its draft.
pub struct Chosen {
    /// The preset.
    pub preset: Preset,
    /// Step 1 as it fills it.
    pub draft: Draft,
}

/// Whether a flag was typed (clap's defaults hide that; the preset fills only what was not).
fn typed(flag: &str) -> bool {
    std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}=")))
}

/// `--preset NAME`: fills the flags left out from the preset, and explains each choice.
pub fn prefill(a: &mut FlowArgs) -> Result<Option<Chosen>, Failure> {
    let Some(name) = a.preset.clone() else {
        return Ok(None);
    };
    let preset = find(&catalog()?, &name)?;
    let mut inputs: Inputs = a.preset_values.iter().cloned().collect();
    if let Some(account) = &a.account {
        inputs.insert("account".into(), account.clone());
    }
    if a.demo {
        // Against the in-process demo the placeholders only shape the realm (NetSuite).
        for ph in &preset.placeholders {
            inputs
                .entry(ph.name.clone())
                .or_insert_with(|| ph.example.clone());
        }
    }
    let draft = preset.apply(&inputs).map_err(|errors| {
        Failure::usage(
            format!(
                "the {} preset needs: {}",
                preset.name,
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            "pass --account ID or --preset-value NAME=VALUE",
        )
    })?;
    let c = &mut a.credentials;
    if !typed("--signature-method") {
        c.signature_method = draft.signature_method;
    }
    if !typed("--placement") {
        c.placement = draft.placement;
    }
    if !draft.include_version {
        c.no_version = true;
    }
    if c.realm.is_none() {
        c.realm = draft.realm.clone();
    }
    match draft.mode {
        FlowMode::OneLegged => a.one_legged = true,
        FlowMode::PreIssuedToken if a.token.is_none() => {
            if draft.token_from_consumer_key {
                a.token = c
                    .consumer_key
                    .clone()
                    .or_else(|| a.demo.then(|| demo::RSA_CONSUMER_KEY.to_owned()));
                a.token_secret = Some(String::new());
            } else if a.demo {
                a.token = Some(demo::PRE_ISSUED_TOKEN.into());
                a.token_secret = Some(demo::PRE_ISSUED_TOKEN_SECRET.into());
            }
        }
        _ => {}
    }
    if let Some(t) = &draft.three_legged {
        if !typed("--callback") {
            let rules = preset.callback.as_ref();
            a.callback = match t.callback.mode {
                signet_oauth1::CallbackMode::Oob => "oob".into(),
                signet_oauth1::CallbackMode::Loopback => "loopback".into(),
                // A terminal cannot receive signet:// links: listen on loopback when allowed.
                signet_oauth1::CallbackMode::DeepLink
                    if rules.is_some_and(|r| r.loopback && !r.must_match_registered) =>
                {
                    "loopback".into()
                }
                signet_oauth1::CallbackMode::DeepLink => "deep-link".into(),
            };
        }
        if a.authorize_params.is_empty() {
            a.authorize_params = t.authorize_params.clone();
        }
        if !t.require_callback_confirmed {
            a.allow_unconfirmed_callback = true;
        }
        if !a.demo {
            a.request_token_url
                .get_or_insert_with(|| t.request_token.url.clone());
            a.authorize_url
                .get_or_insert_with(|| t.authorize_url.clone());
            a.access_token_url
                .get_or_insert_with(|| t.access_token.url.clone());
        }
    }
    if !a.demo
        && let Some(r) = &draft.resource
    {
        a.resource_url.get_or_insert_with(|| r.url.clone());
    }
    if !a.json {
        println!("Preset {} — {}", preset.name, preset.summary);
        for e in &draft.explanations {
            println!("  {:<32} {}\n  {:<32} why: {}", e.field, e.value, "", e.why);
        }
        println!();
    }
    Ok(Some(Chosen { preset, draft }))
}

/// The in-process demo provider's configuration: in the preset's quirk profile, when there is
/// one.
pub fn demo_config(a: &FlowArgs) -> Result<ProviderConfig, Failure> {
    let mut config = ProviderConfig::demo();
    if let Some(name) = &a.preset {
        let mut inputs: Inputs = a.preset_values.iter().cloned().collect();
        if let Some(account) = &a.account {
            inputs.insert("account".into(), account.clone());
        }
        let profile = QuirkProfile::for_preset(name, &inputs)
            .map_err(|e| Failure::usage(e, "check --preset and its values"))?;
        config = config.with_profile(profile);
    }
    Ok(config)
}

/// What the flags cannot say: endpoint methods and the callback on the authorize URL.
pub fn adjust(config: &mut FlowConfig, chosen: Option<&Chosen>) {
    let (Some(c), ModeConfig::ThreeLegged(t)) = (chosen, &mut config.mode) else {
        return;
    };
    if let Some(d) = &c.draft.three_legged {
        t.callback_on_authorize_url = d.callback_on_authorize_url;
        if t.request_token.url == d.request_token.url
            || same_path(&t.request_token.url, &d.request_token.url)
        {
            t.request_token.method = d.request_token.method.clone();
        }
        if t.access_token.url == d.access_token.url
            || same_path(&t.access_token.url, &d.access_token.url)
        {
            t.access_token.method = d.access_token.method.clone();
        }
    }
}

fn same_path(a: &str, b: &str) -> bool {
    let path = |u: &str| {
        u.split_once("://").and_then(|(_, r)| {
            r.find('/')
                .map(|i| r[i..].split('?').next().unwrap_or("").to_owned())
        })
    };
    path(a).is_some() && path(a) == path(b)
}

/// Lints before sending, with the preset's rules when there is one.
pub fn lints(config: &FlowConfig, chosen: Option<&Chosen>) -> Vec<Lint> {
    match chosen {
        Some(c) => c.preset.lints(config),
        None => lint_config(config, &LintOptions::default()),
    }
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
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
    if !lints.is_empty() && !json {
        println!();
    }
}

/// A failure read by the shared diagnosis, with the preset's knowledge.
pub fn diagnose(snapshot: &Snapshot, chosen: Option<&Chosen>) -> Option<FailureDiagnosis> {
    match chosen {
        Some(c) => c.preset.diagnose(snapshot),
        None => diagnose_snapshot(snapshot),
    }
}

/// Prints a diagnosis in plain words.
pub fn print_diagnosis(d: &FailureDiagnosis, clock_offset: i64) {
    println!("\nWhat went wrong (step {}):", d.step.number());
    for (i, x) in d.diagnoses.iter().enumerate() {
        let lead = if i == 0 { "*" } else { "-" };
        println!("  {lead} {}", x.cause);
        if i == 0 {
            println!("    {}", x.explanation);
        }
        println!("    fix: {}", x.fix);
    }
    if let Some(s) = &d.skew
        && s.significant
    {
        println!(
            "  clock: {}; run again with --clock-offset {}",
            s.message,
            clock_offset.saturating_add(s.skew_seconds)
        );
    }
    if let Some(diff) = &d.diff {
        println!("  base string: {}", diff.summary);
    }
}
