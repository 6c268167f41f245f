//! Quirk profiles: the demo provider imitating a real provider from its preset — the methods
//! and placements it accepts, its callback rules, the parameters and headers it requires, the
//! shape of its responses, one-legged or pre-issued access, and its own error bodies (from the
//! preset's `known_errors` with a `trigger`). Without a profile the demo behaves as documented
//! in the README, unchanged.

use signet_oauth1::flow::FlowMode;
use signet_oauth1::{Placement, SignatureMethod};
use signet_presets::{Catalog, Inputs, Preset, PresetError, Trigger};

/// An error body the imitated provider sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// HTTP status.
    pub status: u16,
    /// Content type (form when `None`).
    pub content_type: Option<String>,
    /// The body, exactly.
    pub body: String,
}

/// A parameter rule (request-token query or authorize URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRule {
    /// The name.
    pub name: String,
    /// Refuse when absent.
    pub required: bool,
    /// Refuse values outside these (empty: any).
    pub choices: Vec<String>,
}

/// A header rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRule {
    /// The header.
    pub name: String,
    /// Values starting with these do not count (generic user agents).
    pub refused_prefixes: Vec<String>,
}

/// Which callbacks the imitated provider accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackPolicy {
    /// `oob` allowed.
    pub oob: bool,
    /// Custom schemes (`signet://…`) allowed.
    pub custom_scheme: bool,
    /// Loopback addresses allowed.
    pub loopback: bool,
    /// When set, the callback must equal one of these exactly (besides `oob`).
    pub registered: Option<Vec<String>>,
}

impl CallbackPolicy {
    /// `Err` names the trigger of the refusal.
    pub fn check(&self, callback: &str) -> Result<(), Trigger> {
        if callback == "oob" {
            return if self.oob {
                Ok(())
            } else {
                Err(Trigger::OobForbidden)
            };
        }
        let lower = callback.to_ascii_lowercase();
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| {
                lower
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/', '?']))
            });
        let custom = !lower.starts_with("http://") && !lower.starts_with("https://");
        if (custom && !self.custom_scheme) || (loopback && !self.loopback) {
            return Err(Trigger::CallbackRejected);
        }
        if let Some(list) = &self.registered
            && !list.iter().any(|r| r == callback)
        {
            return Err(Trigger::CallbackRejected);
        }
        Ok(())
    }
}

/// How the demo provider imitates one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuirkProfile {
    /// The preset's id.
    pub preset: String,
    /// The provider's name.
    pub name: String,
    /// Accepted signature methods.
    pub allowed_methods: Vec<SignatureMethod>,
    /// Accepted placements.
    pub allowed_placements: Vec<Placement>,
    /// Callback rules (`None`: the demo's own).
    pub callback: Option<CallbackPolicy>,
    /// Read the callback from the authorize URL (Garmin, TripIt).
    pub callback_on_authorize_url: bool,
    /// Leave `oauth_callback_confirmed` out (TripIt).
    pub omit_callback_confirmed: bool,
    /// Rules for the request-token query (X's `x_auth_access_type`).
    pub request_token_params: Vec<ParamRule>,
    /// Rules for the authorize URL (Flickr's `perms`).
    pub authorize_params: Vec<ParamRule>,
    /// Required headers (Discogs' User-Agent).
    pub headers: Vec<HeaderRule>,
    /// Extra access-token response fields, instead of the demo's `user_id`, `screen_name`.
    pub access_extra: Vec<String>,
    /// The access token's secret is empty (Evernote).
    pub empty_access_secret: bool,
    /// Resources accept consumer-only signatures (no token).
    pub one_legged: bool,
    /// The demo's pre-issued token ([`crate::demo::PRE_ISSUED_TOKEN`]) is valid.
    pub pre_issued_tokens: bool,
    /// The consumer key is also an access token (Xero private apps).
    pub consumer_key_as_token: bool,
    /// The realm every request must carry (NetSuite).
    pub realm: Option<String>,
    /// Digits of the oob PIN (default 8).
    pub pin_digits: Option<u8>,
    /// Nonces must be ASCII letters and digits (X).
    pub ascii_nonce: bool,
    /// The provider's own error bodies.
    pub errors: Vec<(Trigger, ErrorBody)>,
}

impl QuirkProfile {
    /// The profile of a preset, with its placeholders filled (NetSuite's realm comes from the
    /// account id). Must-match callback rules register `signet://callback`; see
    /// [`Self::with_registered_callback`].
    pub fn from_preset(p: &Preset, inputs: &Inputs) -> Result<Self, Vec<PresetError>> {
        let realm = p.realm_for(inputs)?;
        let rules = |xs: &[signet_presets::ExtraParam]| -> Vec<ParamRule> {
            xs.iter()
                .map(|x| ParamRule {
                    name: x.name.clone(),
                    required: x.required,
                    choices: x.choices.iter().map(|c| c.value.clone()).collect(),
                })
                .collect()
        };
        Ok(Self {
            preset: p.id.clone(),
            name: p.name.clone(),
            allowed_methods: p.signature.allowed.clone(),
            allowed_placements: p.placement.allowed.clone(),
            callback: p.callback.as_ref().map(|c| CallbackPolicy {
                oob: c.oob,
                custom_scheme: c.custom_scheme,
                loopback: c.loopback,
                registered: c
                    .must_match_registered
                    .then(|| vec![signet_oauth1::callback::DEEP_LINK_CALLBACK.to_owned()]),
            }),
            callback_on_authorize_url: p.callback.as_ref().is_some_and(|c| c.on_authorize_url),
            omit_callback_confirmed: p.callback.as_ref().is_some_and(|c| !c.sends_confirmed),
            request_token_params: rules(&p.request_token_params),
            authorize_params: rules(&p.authorize_params),
            headers: p
                .headers
                .iter()
                .map(|h| HeaderRule {
                    name: h.name.clone(),
                    refused_prefixes: h.refused_prefixes.clone(),
                })
                .collect(),
            access_extra: p.response.access_extra.clone(),
            empty_access_secret: p.response.empty_access_secret,
            one_legged: p.mode == FlowMode::OneLegged,
            pre_issued_tokens: p.mode == FlowMode::PreIssuedToken,
            consumer_key_as_token: p.demo.consumer_key_as_token,
            realm,
            pin_digits: p.callback.as_ref().and_then(|c| c.pin_digits),
            ascii_nonce: p.demo.ascii_nonce,
            errors: p
                .known_errors
                .iter()
                .filter_map(|e| {
                    Some((
                        e.trigger?,
                        ErrorBody {
                            status: e.status,
                            content_type: e.content_type.clone(),
                            body: e.body.clone()?,
                        },
                    ))
                })
                .collect(),
        })
    }

    /// The profile of the shipped preset `id`.
    pub fn for_preset(id: &str, inputs: &Inputs) -> Result<Self, String> {
        let catalog = Catalog::load().map_err(|problems| {
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let preset = catalog.find(id).map_err(|e| e.to_string())?;
        Self::from_preset(preset, inputs).map_err(|errors| {
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// For must-match callback rules: register exactly this callback (instead of
    /// `signet://callback`).
    pub fn with_registered_callback(mut self, callback: &str) -> Self {
        if let Some(c) = &mut self.callback {
            c.registered = Some(vec![callback.to_owned()]);
        }
        self
    }

    /// The provider's own error for `trigger`, when its preset has one.
    pub fn error(&self, trigger: Trigger) -> Option<&ErrorBody> {
        self.errors
            .iter()
            .find(|(t, _)| *t == trigger)
            .map(|(_, b)| b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_policies() {
        let p = CallbackPolicy {
            oob: false,
            custom_scheme: false,
            loopback: true,
            registered: None,
        };
        assert_eq!(p.check("oob"), Err(Trigger::OobForbidden));
        assert_eq!(p.check("signet://callback"), Err(Trigger::CallbackRejected));
        assert_eq!(p.check("http://127.0.0.1:9/cb"), Ok(()));
        assert_eq!(p.check("http://127.0.0.1.evil/cb"), Ok(()));
        let p = CallbackPolicy {
            oob: true,
            custom_scheme: true,
            loopback: true,
            registered: Some(vec!["signet://callback".into()]),
        };
        assert_eq!(p.check("signet://callback"), Ok(()));
        assert_eq!(p.check("oob"), Ok(()));
        assert_eq!(
            p.check("http://127.0.0.1:9/cb"),
            Err(Trigger::CallbackRejected)
        );
    }

    #[test]
    fn every_shipped_preset_has_a_profile() {
        let catalog = Catalog::load().unwrap();
        for p in catalog.presets() {
            let profile = QuirkProfile::from_preset(p, &Inputs::new()).unwrap();
            assert_eq!(profile.preset, p.id);
        }
        let ns = QuirkProfile::for_preset(
            "netsuite",
            &Inputs::from([("account".to_owned(), "7654321-sb2".to_owned())]),
        )
        .unwrap();
        assert_eq!(ns.realm.as_deref(), Some("7654321_SB2"));
        assert!(ns.error(Trigger::MethodRejected).is_some());
        assert!(QuirkProfile::for_preset("nope", &Inputs::new()).is_err());
    }
}
