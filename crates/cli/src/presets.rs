//! `signet presets` (the provider presets, as text or `--json`), and the in-process demo
//! provider's quirk profile for `signet flow --demo --preset NAME`. What a preset fills in is
//! `signet_presets::Preset::connector`, the same for the CLI and the desktop app.

use signet_presets::{Catalog, Inputs, Preset};
use signet_provider::{ProviderConfig, QuirkProfile};

use crate::args::{DefinitionArgs, PresetsArgs};
use crate::exit::{Exit, Failure, Outcome};
use crate::output::print_json;

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
                outln!("{:<15} {:<48} {}", p.id, p.name, methods.join(", "));
            }
            outln!("\n`signet presets NAME` explains one; `signet flow --preset NAME` uses it.");
        }
        (Some(name), false) => describe(&find(&catalog, name)?),
    }
    Ok(())
}

fn describe(p: &Preset) {
    outln!("{} ({})\n{}\n", p.name, p.id, p.summary);
    if let Some(d) = &p.docs {
        outln!("Documentation  {d}");
    }
    let methods: Vec<&str> = p.signature.allowed.iter().map(|m| m.as_str()).collect();
    outln!(
        "Methods        {} (default {}): {}",
        methods.join(", "),
        p.signature.default,
        p.signature.why
    );
    outln!(
        "Placement      {}: {}",
        p.placement.default,
        p.placement.why
    );
    if let Some(c) = &p.callback {
        let yes = |b: bool| if b { "yes" } else { "no" };
        outln!(
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
        outln!(
            "Needs          --preset-value {}=… ({}; e.g. {}): {}",
            ph.name,
            ph.label,
            ph.example,
            ph.why
        );
    }
    for x in p.request_token_params.iter().chain(&p.authorize_params) {
        let choices: Vec<&str> = x.choices.iter().map(|c| c.value.as_str()).collect();
        outln!(
            "Parameter      {}{} [{}]: {}",
            x.name,
            if x.required { " (required)" } else { "" },
            choices.join("|"),
            x.why
        );
    }
    for h in &p.headers {
        outln!("Header         {}: {}", h.name, h.why);
    }
    outln!("\nRegister at {}", p.registration.url);
    for (i, s) in p.registration.steps.iter().enumerate() {
        outln!("  {}. {s}", i + 1);
    }
    for f in &p.registration.fields {
        outln!("  copy {} → {}", f.provider_label, f.signet_field);
    }
    if !p.api.is_empty() {
        outln!("\nEndpoints");
        for e in &p.api {
            outln!(
                "  {:<16} {:<6} {}{}",
                e.id,
                e.method,
                e.url,
                if e.test { "  (tests the token)" } else { "" }
            );
        }
    }
    if !p.known_errors.is_empty() {
        outln!("\nKnown errors");
        for e in &p.known_errors {
            outln!("  {} (http {}): {}; {}", e.code, e.status, e.cause, e.fix);
        }
    }
}

/// The in-process demo provider's configuration: in the preset's quirk profile, when there is
/// one.
pub fn demo_config(a: &DefinitionArgs) -> Result<ProviderConfig, Failure> {
    let mut config = ProviderConfig::demo();
    if let Some(name) = &a.preset {
        let mut inputs: Inputs = a.values.iter().cloned().collect();
        if let Some(account) = &a.account {
            inputs.insert("account".into(), account.clone());
        }
        let profile = QuirkProfile::for_preset(name, &inputs)
            .map_err(|e| Failure::usage(e, "check --preset and its values"))?;
        config = config.with_profile(profile);
    }
    Ok(config)
}
