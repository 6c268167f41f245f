//! The presets as the picker lists them.

use signet_oauth1::CallbackMode;
use signet_presets::Preset;

use crate::App;
use crate::api::PresetSummary;

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
        endpoint_count: u32::try_from(p.api.len()).unwrap_or(u32::MAX),
    }
}

impl App {
    /// `presets_list`: every preset, in the catalog's order.
    pub fn presets_list(&self) -> Vec<PresetSummary> {
        self.catalog().presets().iter().map(summary).collect()
    }
}
