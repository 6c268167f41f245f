//! Picking a preset fills step 1: every field with its value and the reason for it. The draft
//! is plain data the user can still change; [`Draft::to_flow_config`] adds the secrets.

use serde::{Deserialize, Serialize};
use signet_oauth1::encoding::encode;
use signet_oauth1::flow::{
    CallbackConfig, ConsumerKey, Endpoint, FlowConfig, FlowMode, ModeConfig, ResourceRequest,
    ThreeLeggedConfig, TokenCredentials,
};
use signet_oauth1::{CallbackMode, Placement, Secret, SignOptions, SignatureMethod};

use crate::error::PresetError;
use crate::model::{ExtraParam, Preset};
use crate::template::{Inputs, Vars, expand, resolve};

/// Why one field has the value the preset gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Explanation {
    /// The field, named as [`signet_oauth1::flow::FieldProblem`] names them.
    pub field: String,
    /// The value chosen, as text.
    pub value: String,
    /// Why, in plain words.
    pub why: String,
}

/// Step 1 as a preset fills it: everything but the secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Draft {
    /// The preset's id.
    pub preset: String,
    /// Signature method.
    pub signature_method: SignatureMethod,
    /// Placement.
    pub placement: Placement,
    /// Send `oauth_version=1.0`.
    pub include_version: bool,
    /// `realm`.
    pub realm: Option<String>,
    /// The mode.
    pub mode: FlowMode,
    /// Endpoints and callback, for three-legged presets.
    pub three_legged: Option<ThreeLeggedConfig>,
    /// The resource call.
    pub resource: Option<ResourceRequest>,
    /// The consumer key is also the access token (Xero private apps).
    pub token_from_consumer_key: bool,
    /// Headers the provider requires, with example values.
    pub headers: Vec<(String, String)>,
    /// Why each field is what it is.
    pub explanations: Vec<Explanation>,
}

fn param_value(p: &ExtraParam, vars: &Vars) -> Result<Option<String>, PresetError> {
    p.default.as_deref().map(|d| expand(d, vars)).transpose()
}

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

impl Preset {
    /// Fills step 1 from this preset and the placeholders' values. Errors name every
    /// placeholder that is missing or malformed.
    pub fn apply(&self, inputs: &Inputs) -> Result<Draft, Vec<PresetError>> {
        let vars = resolve(&self.placeholders, inputs)?;
        self.apply_vars(&vars).map_err(|e| vec![e])
    }

    fn apply_vars(&self, vars: &Vars) -> Result<Draft, PresetError> {
        let mut ex = Vec::new();
        let mut explain = |field: &str, value: String, why: &str| {
            ex.push(Explanation {
                field: field.into(),
                value,
                why: why.into(),
            })
        };
        explain(
            "signature_method",
            self.signature.default.to_string(),
            &self.signature.why,
        );
        explain(
            "sign_options.placement",
            self.placement.default.to_string(),
            &self.placement.why,
        );
        if !self.placement.include_version {
            explain(
                "sign_options.include_version",
                "off".into(),
                "this provider refuses or ignores oauth_version, so Signet leaves it out",
            );
        }
        let realm = self.realm.as_deref().map(|r| expand(r, vars)).transpose()?;
        if let Some(r) = &realm {
            explain(
                "realm",
                r.clone(),
                self.realm_why
                    .as_deref()
                    .unwrap_or("the provider expects this realm in the Authorization header"),
            );
        }
        explain("mode", mode_name(self.mode).into(), &self.mode_why);
        for p in &self.placeholders {
            if let Some(v) = vars.get(&p.name) {
                explain(&format!("placeholders.{}", p.name), v.clone(), &p.why);
            }
        }

        let three_legged = match self.mode {
            FlowMode::ThreeLegged => {
                let e = &self.endpoints;
                let (Some(rt), Some(az), Some(at), Some(cb)) = (
                    &e.request_token,
                    &e.authorize,
                    &e.access_token,
                    &self.callback,
                ) else {
                    return Err(PresetError::UnknownPlaceholder(
                        "endpoints (the preset is incomplete)".into(),
                    ));
                };
                let mut rt_url = expand(&rt.url, vars)?;
                let mut rt_query = Vec::new();
                for p in &self.request_token_params {
                    if let Some(v) = param_value(p, vars)? {
                        rt_query.push(format!("{}={}", encode(&p.name), encode(&v)));
                        explain(
                            &format!("request_token_params.{}", p.name),
                            v,
                            &why_param(p),
                        );
                    }
                }
                if !rt_query.is_empty() {
                    rt_url.push(if rt_url.contains('?') { '&' } else { '?' });
                    rt_url.push_str(&rt_query.join("&"));
                }
                explain(
                    "endpoints.request_token.url",
                    rt_url.clone(),
                    "where Signet asks for a request token (step 3)",
                );
                let authorize_url = expand(az, vars)?;
                explain(
                    "endpoints.authorize_url",
                    authorize_url.clone(),
                    "the page where you sign in and approve access (step 6)",
                );
                let at_url = expand(&at.url, vars)?;
                explain(
                    "endpoints.access_token.url",
                    at_url.clone(),
                    "where Signet trades the approved request token for an access token (step 8)",
                );
                let callback = match cb.default {
                    CallbackMode::DeepLink => CallbackConfig::deep_link(),
                    CallbackMode::Loopback => CallbackConfig::loopback(0, "/callback"),
                    CallbackMode::Oob => CallbackConfig::oob(),
                };
                explain("callback.mode", cb.default.to_string(), &cb.why);
                let mut authorize_params = Vec::new();
                for p in &self.authorize_params {
                    if let Some(v) = param_value(p, vars)? {
                        explain(
                            &format!("authorize_params.{}", p.name),
                            v.clone(),
                            &why_param(p),
                        );
                        authorize_params.push((p.name.clone(), v));
                    }
                }
                if cb.on_authorize_url {
                    explain(
                        "callback.on_authorize_url",
                        "on".into(),
                        "this provider reads oauth_callback from the authorize URL, as OAuth 1.0 did, so Signet puts it there too",
                    );
                }
                if !cb.sends_confirmed {
                    explain(
                        "callback.require_confirmed",
                        "off".into(),
                        "this provider never sends oauth_callback_confirmed, so Signet does not insist on it",
                    );
                }
                Some(ThreeLeggedConfig {
                    request_token: Endpoint {
                        url: rt_url,
                        method: rt.method.clone(),
                    },
                    authorize_url,
                    access_token: Endpoint {
                        url: at_url,
                        method: at.method.clone(),
                    },
                    callback,
                    authorize_params,
                    callback_on_authorize_url: cb.on_authorize_url,
                    require_callback_confirmed: cb.sends_confirmed,
                })
            }
            FlowMode::OneLegged | FlowMode::PreIssuedToken => None,
        };
        let resource = match &self.endpoints.resource {
            Some(r) => {
                let url = expand(&r.url, vars)?;
                explain(
                    "resource.url",
                    url.clone(),
                    r.why.as_deref().unwrap_or(
                        "a protected resource that shows the connection works (step 10)",
                    ),
                );
                Some(ResourceRequest {
                    headers: Vec::new(),
                    masked_headers: Vec::new(),
                    method: r.method.clone(),
                    url,
                    content_type: None,
                    body: None,
                })
            }
            None => None,
        };
        if self.demo.consumer_key_as_token {
            explain(
                "token.token",
                "the consumer key".into(),
                "this provider uses the consumer key as the access token too; there is no token secret",
            );
        }
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.example.clone()))
            .collect();
        for h in &self.headers {
            explain(&format!("headers.{}", h.name), h.example.clone(), &h.why);
        }
        Ok(Draft {
            preset: self.id.clone(),
            signature_method: self.signature.default,
            placement: self.placement.default,
            include_version: self.placement.include_version,
            realm,
            mode: self.mode,
            three_legged,
            resource,
            token_from_consumer_key: self.demo.consumer_key_as_token,
            headers,
            explanations: ex,
        })
    }
}

fn mode_name(m: FlowMode) -> &'static str {
    match m {
        FlowMode::ThreeLegged => "three-legged",
        FlowMode::OneLegged => "one-legged",
        FlowMode::PreIssuedToken => "pre-issued token",
    }
}

impl Draft {
    /// The explanation of `field`, when the preset gave one.
    pub fn why(&self, field: &str) -> Option<&str> {
        self.explanations
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.why.as_str())
    }

    /// A runnable configuration: the draft plus the consumer's key material and, for
    /// pre-issued-token presets, the token (taken from the consumer key when the preset says
    /// the key doubles as the token).
    pub fn to_flow_config(
        &self,
        consumer_key: &str,
        key: ConsumerKey,
        token: Option<TokenCredentials>,
    ) -> Result<FlowConfig, PresetError> {
        let mode = match self.mode {
            FlowMode::ThreeLegged => ModeConfig::ThreeLegged(
                self.three_legged
                    .clone()
                    .ok_or_else(|| PresetError::UnknownPlaceholder("endpoints".into()))?,
            ),
            FlowMode::OneLegged => ModeConfig::OneLegged,
            FlowMode::PreIssuedToken => ModeConfig::PreIssuedToken(match token {
                Some(t) => t,
                None if self.token_from_consumer_key => TokenCredentials {
                    token: consumer_key.to_owned(),
                    secret: Secret::default(),
                    extra: vec![],
                },
                None => return Err(PresetError::TokenNeeded),
            }),
        };
        Ok(FlowConfig {
            extras: Default::default(),
            consumer_key: consumer_key.to_owned(),
            key,
            signature_method: self.signature_method,
            sign_options: SignOptions {
                placement: self.placement,
                include_version: self.include_version,
                ..SignOptions::default()
            },
            realm: self.realm.clone(),
            mode,
            resource: self.resource.clone(),
        })
    }
}
