//! A preset applied is a connector: its placeholders become connector variables (the values
//! an installer supplies), its OAuth rules an OAuth 1.0a authentication method, its `[[api]]`
//! calls endpoints — every field with the reason the preset chose it. The user can still change
//! anything; the values go in the connector's instance.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use signet_connector::model::{
    AuthKind, AuthMethod, AuthOptions, CallbackSettings, Connector, Details, Endpoint, OAuth1,
    Param, Variable, VariableKind,
};
use signet_oauth1::flow::{Endpoint as HttpEndpoint, FlowMode};

use crate::error::PresetError;
use crate::model::{ExtraParam, Helper, Placeholder, Preset};

/// Why one field has the value the preset gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Explanation {
    /// The field, named as the connector's problems name fields
    /// (`auth_methods[0].signature_method`, `variables[0]`).
    pub field: String,
    /// The value chosen, as text.
    pub value: String,
    /// Why, in plain words.
    pub why: String,
}

/// A preset applied: the connector and why each field is what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The connector (no values, no secrets).
    pub connector: Connector,
    /// One per field the preset chose.
    pub explanations: Vec<Explanation>,
}

/// The id of the OAuth 1.0a method a preset makes.
pub const OAUTH1_METHOD_ID: &str = "oauth1";

fn why_param(p: &ExtraParam) -> String {
    if p.choices.is_empty() {
        p.why.clone()
    } else {
        let choices: Vec<String> = p
            .choices
            .iter()
            .map(|c| format!("{} ({})", c.value, c.label))
            .collect();
        format!("{} Choices: {}.", p.why, choices.join(", "))
    }
}

/// The connector variable a placeholder becomes.
pub fn variable_of(ph: &Placeholder) -> Variable {
    Variable {
        name: ph.name.clone(),
        label: ph.label.clone(),
        kind: match ph.helper {
            Helper::Text => VariableKind::Text,
            Helper::BaseUrl => VariableKind::Url,
            Helper::NetsuiteAccount => VariableKind::NetsuiteAccount,
            Helper::Choice => VariableKind::Choice,
            Helper::Port => VariableKind::Number,
        },
        choices: ph.choices.clone(),
        default: ph.default.clone(),
        example: Some(ph.example.clone()),
        required: true,
        help: ph.why.clone(),
    }
}

fn mode_name(m: FlowMode) -> &'static str {
    match m {
        FlowMode::ThreeLegged => "three-legged",
        FlowMode::OneLegged => "one-legged",
        FlowMode::PreIssuedToken => "pre-issued token",
    }
}

impl Preset {
    /// The connector this preset describes, every choice explained.
    pub fn connector(&self) -> Applied {
        let mut ex = Vec::new();
        let m = "auth_methods[0]";
        let mut explain = |field: String, value: String, why: &str| {
            ex.push(Explanation {
                field,
                value,
                why: why.into(),
            })
        };
        let variables: Vec<Variable> = self.placeholders.iter().map(variable_of).collect();
        for (i, ph) in self.placeholders.iter().enumerate() {
            explain(
                format!("variables[{i}]"),
                format!("{{{{{}}}}}", ph.name),
                &ph.why,
            );
        }
        explain(
            format!("{m}.signature_method"),
            self.signature.default.to_string(),
            &self.signature.why,
        );
        explain(
            format!("{m}.placement"),
            self.placement.default.to_string(),
            &self.placement.why,
        );
        if !self.placement.include_version {
            explain(
                format!("{m}.include_version"),
                "off".into(),
                "this provider refuses or ignores oauth_version, so Signet leaves it out",
            );
        }
        if let Some(r) = &self.realm {
            explain(
                format!("{m}.realm"),
                r.clone(),
                self.realm_why
                    .as_deref()
                    .unwrap_or("the provider expects this realm in the Authorization header"),
            );
        }
        explain(
            format!("{m}.mode"),
            mode_name(self.mode).into(),
            &self.mode_why,
        );

        let e = &self.endpoints;
        let endpoint = |t: &Option<crate::model::EndpointTemplate>| {
            t.as_ref().map_or_else(
                || HttpEndpoint::post(""),
                |t| HttpEndpoint {
                    url: t.url.clone(),
                    method: t.method.clone(),
                },
            )
        };
        let mut request_token = endpoint(&e.request_token);
        let mut rt_query = Vec::new();
        for p in &self.request_token_params {
            if let Some(v) = &p.default {
                rt_query.push(format!(
                    "{}={}",
                    signet_oauth1::encoding::encode(&p.name),
                    v
                ));
                explain(
                    format!("{m}.request_token.url"),
                    format!("{}={v}", p.name),
                    &why_param(p),
                );
            }
        }
        if !rt_query.is_empty() {
            let sep = if request_token.url.contains('?') {
                '&'
            } else {
                '?'
            };
            request_token.url = format!("{}{sep}{}", request_token.url, rt_query.join("&"));
        }
        let mut authorize_params = Vec::new();
        for p in &self.authorize_params {
            if let Some(v) = &p.default {
                explain(
                    format!("{m}.authorize_params.{}", p.name),
                    v.clone(),
                    &why_param(p),
                );
                authorize_params.push(Param::new(p.name.clone(), v.clone()));
            }
        }
        let (callback, on_authorize_url, confirmed) = match &self.callback {
            Some(cb) => {
                explain(format!("{m}.callback"), cb.default.to_string(), &cb.why);
                if cb.on_authorize_url {
                    explain(
                        format!("{m}.callback_on_authorize_url"),
                        "on".into(),
                        "this provider reads oauth_callback from the authorize URL, as OAuth 1.0 did, so Signet puts it there too",
                    );
                }
                if !cb.sends_confirmed {
                    explain(
                        format!("{m}.require_callback_confirmed"),
                        "off".into(),
                        "this provider never sends oauth_callback_confirmed, so Signet does not insist on it",
                    );
                }
                (
                    CallbackSettings {
                        mode: cb.default,
                        // A provider that compares the callback exactly refuses one with the
                        // attempt's code in its path.
                        bind_to_run: !cb.must_match_registered,
                        ..CallbackSettings::default()
                    },
                    cb.on_authorize_url,
                    cb.sends_confirmed,
                )
            }
            None => (CallbackSettings::default(), false, true),
        };
        if e.request_token.is_some() {
            explain(
                format!("{m}.request_token.url"),
                request_token.url.clone(),
                "where Signet asks for a request token (step 3)",
            );
        }
        if let Some(a) = &e.authorize {
            explain(
                format!("{m}.authorize_url"),
                a.clone(),
                "the page where you sign in and approve access (step 6)",
            );
        }
        if let Some(a) = &e.access_token {
            explain(
                format!("{m}.access_token.url"),
                a.url.clone(),
                "where Signet trades the approved request token for an access token (step 8)",
            );
        }
        if self.demo.consumer_key_as_token {
            explain(
                "instance.token".into(),
                "the consumer key".into(),
                "this provider uses the consumer key as the access token too; there is no token secret",
            );
        }
        for h in &self.headers {
            explain(
                format!("{m}.options.headers.{}", h.name),
                h.example.clone(),
                &h.why,
            );
        }
        let test = self.api.iter().find(|a| a.test);
        if let Some(t) = test {
            explain(
                format!("{m}.test_endpoint"),
                t.name.clone(),
                if t.description.is_empty() {
                    "step 10 calls it to show the connection works"
                } else {
                    &t.description
                },
            );
        }
        let oauth1 = OAuth1 {
            mode: self.mode,
            signature_method: self.signature.default,
            placement: self.placement.default,
            include_version: self.placement.include_version,
            body_hash: false,
            include_empty: false,
            realm: self.realm.clone(),
            request_token,
            authorize_url: e.authorize.clone().unwrap_or_default(),
            access_token: endpoint(&e.access_token),
            callback,
            authorize_params,
            callback_on_authorize_url: on_authorize_url,
            require_callback_confirmed: confirmed,
            consumer_key_as_token: self.demo.consumer_key_as_token,
            token_fields: self.response.access_extra.clone(),
            test_endpoint: test.map(|t| t.id.clone()),
        };
        let endpoints = self
            .api
            .iter()
            .map(|a| Endpoint {
                id: a.id.clone(),
                name: a.name.clone(),
                description: a.description.clone(),
                method: a.method.clone(),
                url: a.url.clone(),
                query: a.query.clone(),
                headers: a.headers.clone(),
                body: a.body.clone(),
                auth: None,
                variables: a.variables.clone(),
                pagination: a.pagination.clone(),
                schema: None,
            })
            .collect();
        Applied {
            connector: Connector {
                details: Details {
                    name: self.name.clone(),
                    description: self.summary.clone(),
                    system: self.name.clone(),
                    version: "1.0".into(),
                    documentation_url: self.docs.clone(),
                    preset: Some(self.id.clone()),
                },
                variables,
                auth_methods: vec![AuthMethod {
                    id: OAUTH1_METHOD_ID.into(),
                    name: "OAuth 1.0a".into(),
                    kind: AuthKind::OAuth1(Box::new(oauth1)),
                    options: AuthOptions::default(),
                }],
                endpoints,
            },
            explanations: ex,
        }
    }

    /// The realm the preset's template gives with these placeholder values (the examples fill
    /// what is not given): NetSuite's account id in its realm form.
    pub fn realm_for(&self, values: &crate::Inputs) -> Result<Option<String>, Vec<PresetError>> {
        let Some(template) = &self.realm else {
            return Ok(None);
        };
        let mut all = self.example_values();
        all.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
        let applied = self.connector();
        let installed = signet_connector::Installed {
            values: all,
            ..signet_connector::Installed::default()
        };
        let invalid = |field: &str, reason: String| PresetError::InvalidValue {
            name: field.strip_prefix("values.").unwrap_or(field).to_owned(),
            reason,
        };
        let scope = signet_connector::resolve::scope(
            &applied.connector,
            None,
            &installed,
            &BTreeMap::new(),
            signet_connector::Builtins::default(),
            false,
        )
        .map_err(|ps| {
            ps.into_iter()
                .map(|p| invalid(&p.field, p.message))
                .collect::<Vec<_>>()
        })?;
        signet_connector::variables::expand_text(template, &scope)
            .map(|e| Some(e.text))
            .map_err(|e| vec![invalid("realm", e.to_string())])
    }

    /// The placeholders' example values, as an instance's values.
    pub fn example_values(&self) -> BTreeMap<String, String> {
        self.placeholders
            .iter()
            .map(|ph| (ph.name.clone(), ph.example.clone()))
            .collect()
    }
}

impl Applied {
    /// The explanation of `field`, when the preset gave one.
    pub fn why(&self, field: &str) -> Option<&str> {
        self.explanations
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.why.as_str())
    }
}
