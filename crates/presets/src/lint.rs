//! A preset's lints: the core's request lints with the provider's methods, plus what the
//! provider's rules say about the callback, the placement, the extra parameters and the realm.

use signet_oauth1::CallbackMode;
use signet_oauth1::diagnose::{Lint, LintOptions, Severity, lint_config};
use signet_oauth1::flow::{FlowConfig, ModeConfig};
use signet_oauth1::parameters::split_pairs;

use crate::model::{ExtraParam, Preset};

fn lint(id: &str, severity: Severity, field: &str, message: String, fix: String) -> Lint {
    Lint {
        id: id.into(),
        severity,
        field: field.into(),
        message,
        fix,
    }
}

impl Preset {
    /// What the core's lints need to know about this provider.
    pub fn lint_options(&self) -> LintOptions {
        LintOptions {
            provider: Some(self.name.clone()),
            allowed_methods: self.signature.allowed.clone(),
            methods_note: Some(self.signature.why.clone()),
        }
    }

    /// Warnings about `config` for this provider, most severe first.
    pub fn lints(&self, config: &FlowConfig) -> Vec<Lint> {
        let mut out = lint_config(config, &self.lint_options());
        let name = &self.name;
        let placement = config.sign_options.placement;
        if !self.placement.allowed.contains(&placement) {
            let allowed: Vec<String> = self
                .placement
                .allowed
                .iter()
                .map(|p| p.to_string())
                .collect();
            out.push(lint(
                "placement_rejected",
                Severity::Error,
                "sign_options.placement",
                format!("{name} does not read oauth parameters from the {placement}"),
                format!("use {} placement", allowed.join(" or ")),
            ));
        }
        if self.realm.is_some() && config.realm.as_deref().is_none_or(str::is_empty) {
            out.push(lint(
                "realm_missing",
                Severity::Error,
                "realm",
                format!("{name} expects a realm in the Authorization header"),
                self.realm_why
                    .clone()
                    .unwrap_or_else(|| "apply the preset again to fill it in".into()),
            ));
        }
        let account_realm = self.placeholders.iter().any(|ph| {
            ph.helper == crate::model::Helper::NetsuiteAccount
                && self.realm.as_deref() == Some(&format!("{{{{{}.realm}}}}", ph.name))
        });
        if let (true, Some(realm)) = (account_realm, config.realm.as_deref())
            && let Ok((_, expected)) = signet_connector::instance::netsuite_account(realm)
            && expected != realm
        {
            out.push(lint(
                "realm_form",
                Severity::Error,
                "realm",
                format!("{name}'s realm is the account id in upper case with _, so {expected}, not {realm}"),
                format!("set the realm to {expected}"),
            ));
        }
        if let (ModeConfig::ThreeLegged(t), Some(rules)) = (&config.mode, &self.callback) {
            let refused = match t.callback.mode {
                CallbackMode::Oob if !rules.oob => {
                    Some(("callback_oob_forbidden", "oob (PIN) callbacks"))
                }
                CallbackMode::DeepLink if !rules.custom_scheme => Some((
                    "callback_scheme_refused",
                    "custom-scheme callbacks such as signet://callback",
                )),
                CallbackMode::Loopback if !rules.loopback => Some((
                    "callback_loopback_refused",
                    "loopback callbacks (http://127.0.0.1)",
                )),
                _ => None,
            };
            if let Some((id, what)) = refused {
                out.push(lint(
                    id,
                    Severity::Error,
                    "callback.mode",
                    format!("{name} does not allow {what}"),
                    format!("choose the {} callback", rules.default),
                ));
            }
            if rules.must_match_registered && t.callback.mode != CallbackMode::Oob {
                out.push(lint(
                    "callback_must_match",
                    Severity::Info,
                    "callback.url",
                    format!("{name} only redirects to the callback registered for the app"),
                    format!("register exactly {} with the provider", t.callback.url),
                ));
            }
            if rules.on_authorize_url && !t.callback_on_authorize_url {
                out.push(lint(
                    "callback_not_on_authorize_url",
                    Severity::Error,
                    "callback.on_authorize_url",
                    format!("{name} reads the callback from the authorize URL"),
                    "turn on \"callback on the authorize URL\"".into(),
                ));
            }
            if !rules.sends_confirmed && t.require_callback_confirmed {
                out.push(lint(
                    "callback_confirmation_never_sent",
                    Severity::Error,
                    "callback.require_confirmed",
                    format!("{name} never sends oauth_callback_confirmed, so the flow would stop at step 5"),
                    "turn off \"require callback confirmation\"".into(),
                ));
            }
            out.extend(param_lints(
                "authorize_params",
                &self.authorize_params,
                &t.authorize_params,
            ));
            let query = t.request_token.url.split_once('?').map_or("", |(_, q)| q);
            let sent: Vec<(String, String)> = split_pairs(query)
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            out.extend(param_lints(
                "endpoints.request_token.url",
                &self.request_token_params,
                &sent,
            ));
        }
        for h in &self.headers {
            out.push(lint(
                "header_required",
                Severity::Info,
                &format!("headers.{}", h.name),
                format!("{name} requires the {} header: {}", h.name, h.why),
                format!(
                    "Signet sends {} Signet/<version>; keep it, or set one like {}",
                    h.name, h.example
                ),
            ));
        }
        out.sort_by_key(|l| std::cmp::Reverse(l.severity));
        out
    }
}

fn param_lints(field: &str, rules: &[ExtraParam], sent: &[(String, String)]) -> Vec<Lint> {
    let mut out = Vec::new();
    for p in rules {
        let value = sent
            .iter()
            .find(|(k, _)| *k == p.name)
            .map(|(_, v)| v.as_str());
        match value {
            None | Some("") if p.required => out.push(lint(
                "param_missing",
                Severity::Error,
                field,
                format!("{} is required: {}", p.name, p.why),
                match p.choices.first() {
                    Some(c) => format!("add {}={} (or another choice)", p.name, c.value),
                    None => format!("add {}", p.name),
                },
            )),
            Some(v) if !p.choices.is_empty() && !p.choices.iter().any(|c| c.value == v) => {
                let list: Vec<&str> = p.choices.iter().map(|c| c.value.as_str()).collect();
                out.push(lint(
                    "param_not_a_choice",
                    Severity::Warning,
                    field,
                    format!("{}={v} is not one of the values the provider knows", p.name),
                    format!("use one of {}", list.join(", ")),
                ));
            }
            _ => {}
        }
    }
    out
}
