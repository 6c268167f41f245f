//! The provider's redirect back to the consumer (RFC 5849 section 2.2): a `signet://callback?...`
//! deep link, a loopback URL, a bare query string, or a PIN the user copies from an
//! out-of-band page. What arrives is untrusted; the token must match the pending request.

use crate::error::ErrorKind;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::encoding::{form_decode, lossy};
use crate::parameters::split_pairs;

/// How the provider's redirect reaches Signet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallbackMode {
    /// `signet://callback`: the operating system hands the URL to the app.
    #[default]
    DeepLink,
    /// `http://127.0.0.1:PORT/PATH`: a one-shot local listener catches the browser.
    Loopback,
    /// `oob`: the provider shows a PIN and the user types it in.
    Oob,
}

impl CallbackMode {
    /// All three.
    pub const ALL: [CallbackMode; 3] = [
        CallbackMode::DeepLink,
        CallbackMode::Loopback,
        CallbackMode::Oob,
    ];

    /// `deep_link`, `loopback` or `oob`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeepLink => "deep_link",
            Self::Loopback => "loopback",
            Self::Oob => "oob",
        }
    }
}

impl fmt::Display for CallbackMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CallbackMode {
    type Err = CallbackError;
    fn from_str(s: &str) -> Result<Self, CallbackError> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "deep_link" | "deeplink" => Ok(Self::DeepLink),
            "loopback" => Ok(Self::Loopback),
            "oob" | "pin" => Ok(Self::Oob),
            _ => Err(CallbackError::UnknownMode(s.to_owned())),
        }
    }
}

/// The deep-link callback URL Signet registers.
pub const DEEP_LINK_CALLBACK: &str = "signet://callback";

/// What a callback carried.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Callback {
    /// `oauth_token`, when the redirect names it (a PIN does not).
    pub token: Option<String>,
    /// `oauth_verifier`, or the PIN.
    pub verifier: Option<String>,
    /// `denied=<token>` (the X / Twitter way of saying the user declined).
    pub denied: Option<String>,
    /// `oauth_problem`, when the provider reported one in the redirect.
    pub problem: Option<String>,
    /// Every other query parameter.
    pub extra: Vec<(String, String)>,
}

/// A callback that checks out: the verifier to send with the access-token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// `oauth_verifier`.
    pub verifier: String,
}

/// Why a callback cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallbackError {
    /// Nothing was pasted.
    #[error(
        "the callback is empty: paste the PIN the provider showed, or the whole address it sent you to"
    )]
    Empty,
    /// Neither a URL with a query nor a PIN.
    #[error("this is neither a callback address nor a PIN: {excerpt}")]
    Unreadable {
        /// What was given, shortened.
        excerpt: String,
    },
    /// The user declined at the provider.
    #[error("the user denied access at the provider")]
    Denied,
    /// The provider put an `oauth_problem` in the redirect.
    #[error("the provider reported a problem in the redirect: {problem}")]
    Problem {
        /// The code.
        problem: String,
    },
    /// No verifier.
    #[error("the callback has no oauth_verifier")]
    MissingVerifier,
    /// A redirect that names no request token and does not carry this run's code: nothing
    /// says it belongs to this attempt.
    #[error(
        "the redirect names no request token and does not carry this attempt's code, so nothing says it belongs to this attempt"
    )]
    Unbound,
    /// A different request token came back.
    #[error("callback token does not match the pending request token")]
    TokenMismatch {
        /// The token that came back.
        received: String,
        /// The token Signet is waiting for.
        expected: String,
    },
    /// A callback mode name nobody defines.
    #[error("unknown callback mode {0:?}: use deep_link, loopback or oob")]
    UnknownMode(String),
}

impl CallbackError {
    /// Stable kind for the UI.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Empty => ErrorKind::CallbackEmpty,
            Self::Unreadable { .. } => ErrorKind::CallbackUnreadable,
            Self::Denied => ErrorKind::CallbackDenied,
            Self::Problem { .. } => ErrorKind::CallbackProblem,
            Self::MissingVerifier => ErrorKind::CallbackMissingVerifier,
            Self::Unbound => ErrorKind::CallbackUnbound,
            Self::TokenMismatch { .. } => ErrorKind::CallbackTokenMismatch,
            Self::UnknownMode(_) => ErrorKind::UnknownCallbackMode,
        }
    }

    /// The provider's own words: the problem code it put in the redirect.
    pub fn provider_says(&self) -> Option<String> {
        match self {
            Self::Problem { problem } => Some(problem.clone()),
            _ => None,
        }
    }

    /// What to do next.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Self::Empty | Self::Unreadable { .. } => {
                "copy the PIN or code from the provider's page, or the full address from the browser's address bar".into()
            }
            Self::Denied => "start again and choose Allow on the provider's page, if you meant to".into(),
            Self::Problem { problem } => crate::response::explain_problem(problem).1.into(),
            Self::MissingVerifier => "the provider did not confirm the authorisation; authorise again".into(),
            Self::TokenMismatch { .. } => {
                "this redirect belongs to another attempt (an old browser tab, or a second Connect): finish the newest attempt, or start again".into()
            }
            Self::Unbound => {
                "finish the authorisation in the browser window Signet opened; a page that sends a bare verifier or a refusal to Signet is ignored".into()
            }
            Self::UnknownMode(_) => return None,
        })
    }
}

impl Callback {
    /// Reads a deep link, a loopback URL, a bare query string, or a PIN.
    pub fn parse(input: &str) -> Result<Self, CallbackError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(CallbackError::Empty);
        }
        let query = if let Some((_, after)) = input.split_once("://") {
            // A URL: read its query, or its fragment when the query has nothing.
            let (before_fragment, fragment) = after.split_once('#').unwrap_or((after, ""));
            let query = before_fragment.split_once('?').map_or("", |(_, q)| q);
            if query.contains('=') { query } else { fragment }
        } else if let Some(q) = input.strip_prefix('?') {
            q
        } else if input.contains('=') {
            input
        } else if is_pin(input) {
            return Ok(Self {
                verifier: Some(input.to_owned()),
                ..Self::default()
            });
        } else {
            return Err(CallbackError::Unreadable {
                excerpt: format!("{:?}", input.chars().take(60).collect::<String>()),
            });
        };
        let mut cb = Self::default();
        for (k, v) in split_pairs(query) {
            let k = lossy(&form_decode(k)).into_owned();
            let v = lossy(&form_decode(v)).into_owned();
            match k.as_str() {
                "oauth_token" if cb.token.is_none() => cb.token = Some(v),
                "oauth_verifier" if cb.verifier.is_none() => cb.verifier = Some(v),
                "denied" if cb.denied.is_none() => cb.denied = Some(v),
                "oauth_problem" if cb.problem.is_none() => cb.problem = Some(v),
                _ => cb.extra.push((k, v)),
            }
        }
        if cb.token.is_none()
            && cb.verifier.is_none()
            && cb.denied.is_none()
            && cb.problem.is_none()
        {
            return Err(CallbackError::Unreadable {
                excerpt: "it has no oauth_token, oauth_verifier, denied or oauth_problem".into(),
            });
        }
        Ok(cb)
    }

    /// Checks the callback against the request token Signet is waiting for. The callback must
    /// first be shown to be this attempt's — its `oauth_token` (or `denied=<token>`) is the
    /// pending request token, or, naming none, it is `bound` (it carries the run's code, or the
    /// user typed it) — before anything it says is acted on: a refusal or a problem from a
    /// page that merely guessed the callback address changes nothing.
    pub fn check(&self, pending_token: &str, bound: bool) -> Result<Verified, CallbackError> {
        match self.token.as_deref().or(self.denied.as_deref()) {
            Some(named) if named != pending_token => {
                return Err(CallbackError::TokenMismatch {
                    received: named.to_owned(),
                    expected: pending_token.to_owned(),
                });
            }
            Some(_) => {}
            None if bound => {}
            None => return Err(CallbackError::Unbound),
        }
        if self.denied.is_some() || self.problem.as_deref() == Some("user_refused") {
            return Err(CallbackError::Denied);
        }
        if let Some(problem) = &self.problem {
            return Err(CallbackError::Problem {
                problem: problem.clone(),
            });
        }
        match &self.verifier {
            Some(v) if !v.is_empty() => Ok(Verified {
                verifier: v.clone(),
            }),
            _ => Err(CallbackError::MissingVerifier),
        }
    }
}

/// The attempt's code a callback address carries in its path (`signet://callback/<code>`,
/// `http://127.0.0.1:8765/callback/<code>`): the last path segment after the first, when there
/// are exactly two. `None` for the bare callback address.
pub fn attempt_code(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let path = rest.split(['?', '#']).next()?;
    let (_, code) = path.trim_end_matches('/').split_once('/')?;
    (!code.is_empty() && !code.contains('/')).then_some(code)
}

/// The start of a link for a message (at most 120 characters), the verifier masked.
pub fn link_excerpt(url: &str) -> String {
    let mut out = String::new();
    for (i, part) in url.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match part.split_once('=') {
            Some((k, _)) if is_verifier_key(k) => {
                out.push_str(k);
                out.push_str("=<redacted>");
            }
            _ => out.push_str(part),
        }
    }
    if out.chars().count() > 120 {
        out = out.chars().take(117).collect::<String>() + "...";
    }
    out
}

/// Whether a link's key (the first one with the address before it) names the verifier, as
/// the parser reads keys: form-decoded (`oauth%5Fverifier` is one too).
pub fn is_verifier_key(key: &str) -> bool {
    let key = key.rsplit(['?', '#']).next().unwrap_or(key);
    lossy(&form_decode(key)).ends_with("oauth_verifier")
}

/// A PIN or code as providers show them: up to 128 visible ASCII characters, no separators of
/// a URL or query.
fn is_pin(s: &str) -> bool {
    s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"?&=/#".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_way_a_callback_arrives() {
        for input in [
            "signet://callback?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884",
            "http://127.0.0.1:8765/callback?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884",
            "?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884",
            "  oauth_verifier=hfdp7dh39dks9884&oauth_token=hh5s93j4hdidpola\n",
            "http://printer.example.com/ready#oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884",
        ] {
            let cb = Callback::parse(input).unwrap();
            assert_eq!(cb.token.as_deref(), Some("hh5s93j4hdidpola"), "{input}");
            assert_eq!(
                cb.check("hh5s93j4hdidpola", false).unwrap().verifier,
                "hfdp7dh39dks9884"
            );
        }
        let pin = Callback::parse(" 4917283 ").unwrap();
        assert_eq!(pin.token, None);
        // A PIN names no token: the user typed it, so it is this attempt's.
        assert_eq!(pin.check("anything", true).unwrap().verifier, "4917283");
    }

    #[test]
    fn mismatch_denial_and_problems() {
        let cb = Callback::parse("signet://callback?oauth_token=other&oauth_verifier=v").unwrap();
        let e = cb.check("mine", true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "callback token does not match the pending request token"
        );
        assert_eq!(e.kind(), "callback_token_mismatch");
        let cb = Callback::parse("signet://callback?denied=mine").unwrap();
        assert_eq!(cb.check("mine", false).unwrap_err(), CallbackError::Denied);
        let cb = Callback::parse("signet://callback?oauth_token=mine&oauth_problem=user_refused")
            .unwrap();
        assert_eq!(cb.check("mine", false).unwrap_err(), CallbackError::Denied);
        let cb = Callback::parse("signet://callback?oauth_problem=token_expired").unwrap();
        assert_eq!(
            cb.check("mine", true).unwrap_err().to_string(),
            "the provider reported a problem in the redirect: token_expired"
        );
        let cb = Callback::parse("signet://callback?oauth_token=mine").unwrap();
        assert_eq!(
            cb.check("mine", false).unwrap_err(),
            CallbackError::MissingVerifier
        );
    }

    #[test]
    fn nothing_a_callback_says_counts_before_it_is_shown_to_be_this_attempts() {
        // A page that guessed the callback address cannot refuse, report or verify for the
        // user: without the pending token (or the run's code, `bound`), it is not this attempt's.
        for forged in [
            "signet://callback?denied=1",
            "signet://callback?oauth_problem=user_refused",
            "signet://callback?oauth_problem=token_expired",
            "signet://callback?oauth_verifier=guess",
        ] {
            let cb = Callback::parse(forged).unwrap();
            let e = cb.check("mine", false).unwrap_err();
            assert!(
                matches!(
                    e,
                    CallbackError::Unbound | CallbackError::TokenMismatch { .. }
                ),
                "{forged}: {e:?}"
            );
        }
        // A refusal naming another token is a mismatch, not a refusal of this attempt.
        let cb = Callback::parse("signet://callback?denied=other").unwrap();
        assert!(matches!(
            cb.check("mine", true).unwrap_err(),
            CallbackError::TokenMismatch { .. }
        ));
        // The token is compared before a refusal is read.
        let cb = Callback::parse("signet://callback?oauth_token=other&denied=other").unwrap();
        assert!(matches!(
            cb.check("mine", false).unwrap_err(),
            CallbackError::TokenMismatch { .. }
        ));
        // Carrying the run's code, a bare verifier is this attempt's (providers that drop
        // oauth_token from the redirect).
        let cb = Callback::parse("signet://callback/code?oauth_verifier=v").unwrap();
        assert_eq!(cb.check("mine", true).unwrap().verifier, "v");
        assert_eq!(CallbackError::Unbound.kind(), "callback_unbound");
    }

    #[test]
    fn unusable_input_is_explained() {
        assert_eq!(Callback::parse("  ").unwrap_err(), CallbackError::Empty);
        assert!(matches!(
            Callback::parse("hello world").unwrap_err(),
            CallbackError::Unreadable { .. }
        ));
        assert!(matches!(
            Callback::parse("signet://callback").unwrap_err(),
            CallbackError::Unreadable { .. }
        ));
        assert!(matches!(
            Callback::parse("signet://callback?x=1").unwrap_err(),
            CallbackError::Unreadable { .. }
        ));
        assert_eq!("pin".parse::<CallbackMode>().unwrap(), CallbackMode::Oob);
        assert_eq!(
            "deep-link".parse::<CallbackMode>().unwrap(),
            CallbackMode::DeepLink
        );
    }
}
