//! The provider's side: read a received request's protocol parameters wherever they travel,
//! rebuild the signature base string the same way (RFC 5849 section 3.4), and check the
//! signature. Timestamp windows, nonce memory and token lookup are the provider's policy; this
//! module gives it the values to decide with.

use std::borrow::Cow;

use serde::Serialize;

use crate::base_string::{UrlParts, capacity_hint, normalize_method, write_base_string};
use crate::encoding::{encode, form_decode, lossy};
use crate::parameters::{Param, Source, collect_form, sort, split_pairs};
use crate::placement::{AuthorizationHeader, Placement};
use crate::request::{HttpRequest, body_hash_of};
use crate::signing::{SignatureMethod, Verifier};

/// A received request's protocol parameters and the base string it must have been signed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incoming {
    /// Where the `oauth_*` parameters travelled.
    pub placement: Placement,
    /// The header's realm.
    pub realm: Option<String>,
    /// `oauth_signature_method`.
    pub signature_method: SignatureMethod,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_token`.
    pub token: Option<String>,
    /// `oauth_signature`, decoded.
    #[serde(skip)]
    pub signature: String,
    /// `oauth_timestamp`.
    pub timestamp: String,
    /// `oauth_nonce`.
    pub nonce: String,
    /// `oauth_version`.
    pub version: Option<String>,
    /// `oauth_callback`.
    pub callback: Option<String>,
    /// `oauth_verifier`.
    pub verifier: Option<String>,
    /// `oauth_body_hash`.
    pub body_hash: Option<String>,
    /// The base string rebuilt from the request.
    pub base_string: String,
}

/// Why a request is refused before its signature is even checked; maps to `oauth_problem`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Required protocol parameters are missing.
    #[error("missing {}", .0.join(", "))]
    ParameterAbsent(Vec<String>),
    /// Parameters that cannot be accepted.
    #[error("{reason}")]
    ParameterRejected {
        /// The parameter names.
        names: Vec<String>,
        /// Why.
        reason: String,
    },
    /// An unknown signature method.
    #[error("unsupported signature method {0:?}")]
    SignatureMethodRejected(String),
    /// `oauth_version` other than 1.0.
    #[error("unsupported oauth_version {0:?}")]
    VersionRejected(String),
}

impl Rejection {
    /// The `oauth_problem` code.
    pub fn problem(&self) -> &'static str {
        match self {
            Self::ParameterAbsent(_) => "parameter_absent",
            Self::ParameterRejected { .. } => "parameter_rejected",
            Self::SignatureMethodRejected(_) => "signature_method_rejected",
            Self::VersionRejected(_) => "version_rejected",
        }
    }

    /// The form-encoded problem report a provider answers with.
    pub fn to_form(&self) -> String {
        let mut out = format!("oauth_problem={}", self.problem());
        match self {
            Self::ParameterAbsent(names) => {
                out.push_str("&oauth_parameters_absent=");
                out.push_str(&encode(&names.join("&")));
            }
            Self::ParameterRejected { names, .. } if !names.is_empty() => {
                out.push_str("&oauth_parameters_rejected=");
                out.push_str(&encode(&names.join("&")));
            }
            Self::ParameterRejected { .. } => {}
            Self::VersionRejected(_) => out.push_str("&oauth_acceptable_versions=1.0-1.0"),
            Self::SignatureMethodRejected(_) => {}
        }
        out.push_str("&oauth_problem_advice=");
        out.push_str(&encode(&self.to_string()));
        out
    }
}

/// Reads the protocol parameters of a received request and rebuilds its base string.
pub fn inspect(req: &HttpRequest<'_>, authorization: Option<&str>) -> Result<Incoming, Rejection> {
    let rejected =
        |names: Vec<String>, reason: String| Rejection::ParameterRejected { names, reason };
    let method = normalize_method(req.method).map_err(|e| rejected(vec![], e.to_string()))?;
    let url = UrlParts::parse(req.url).map_err(|e| rejected(vec![], e.to_string()))?;
    let form_body = if req.is_form() {
        req.body
            .map(std::str::from_utf8)
            .transpose()
            .map_err(|_| rejected(vec![], "the form body is not utf-8".into()))?
    } else {
        None
    };
    let header = match authorization {
        Some(h) if h.trim_start().to_ascii_lowercase().starts_with("oauth") => Some(
            AuthorizationHeader::parse(h)
                .map_err(|e| rejected(vec!["Authorization".into()], e.to_string()))?,
        ),
        _ => None,
    };

    // Which transport carries the oauth_* parameters: exactly one may.
    let has_oauth =
        |c: Option<&str>| c.is_some_and(|c| split_pairs(c).any(|(k, _)| k.starts_with("oauth_")));
    let mut carriers = Vec::new();
    if header.as_ref().is_some_and(|h| !h.params.is_empty()) {
        carriers.push(Placement::Header);
    }
    if has_oauth(url.query) {
        carriers.push(Placement::Query);
    }
    if has_oauth(form_body) {
        carriers.push(Placement::Body);
    }
    let placement = match carriers.as_slice() {
        [one] => *one,
        [] => return Err(Rejection::ParameterAbsent(required(&[]))),
        many => {
            return Err(rejected(
                vec![],
                format!(
                    "oauth parameters must travel in one place only, not in {}",
                    many.iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            ));
        }
    };

    let oauth: Vec<(String, String)> = match placement {
        Placement::Header => header
            .as_ref()
            .map(|h| h.params.clone())
            .unwrap_or_default(),
        Placement::Query => decoded_oauth(url.query.unwrap_or("")),
        Placement::Body => decoded_oauth(form_body.unwrap_or("")),
    };
    let mut names_seen: Vec<&str> = Vec::new();
    for (k, _) in &oauth {
        if k.starts_with("oauth_") {
            if names_seen.contains(&k.as_str()) {
                return Err(rejected(
                    vec![k.clone()],
                    format!("{k} is sent more than once"),
                ));
            }
            names_seen.push(k);
        }
    }
    let get = |n: &str| oauth.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let present: Vec<&str> = oauth.iter().map(|(k, _)| k.as_str()).collect();
    let absent = required(&present);
    if !absent.is_empty() {
        return Err(Rejection::ParameterAbsent(absent));
    }
    let method_name = get("oauth_signature_method").unwrap_or_default();
    let signature_method = method_name
        .parse::<SignatureMethod>()
        .ok()
        .filter(|m| m.as_str() == method_name)
        .ok_or(Rejection::SignatureMethodRejected(method_name))?;
    let version = get("oauth_version");
    if let Some(v) = &version
        && v != "1.0"
    {
        return Err(Rejection::VersionRejected(v.clone()));
    }

    let mut params: Vec<Param<'_>> = Vec::with_capacity(16);
    if let Some(q) = url.query {
        collect_form(&mut params, q, Source::Query);
    }
    if let Some(b) = form_body {
        collect_form(&mut params, b, Source::Body);
    }
    if placement == Placement::Header {
        for (k, v) in &oauth {
            if k != "oauth_signature" {
                params.push(Param::new(
                    Cow::Owned(encode(k).into_owned()),
                    Cow::Owned(encode(v).into_owned()),
                    Source::Header,
                ));
            }
        }
    }
    sort(&mut params);
    let mut base_string = String::with_capacity(capacity_hint(&method, &url, &params));
    write_base_string(&mut base_string, &method, &url, &params);

    Ok(Incoming {
        placement,
        realm: header.and_then(|h| h.realm),
        signature_method,
        consumer_key: get("oauth_consumer_key").unwrap_or_default(),
        token: get("oauth_token"),
        signature: get("oauth_signature").unwrap_or_default(),
        timestamp: get("oauth_timestamp").unwrap_or_default(),
        nonce: get("oauth_nonce").unwrap_or_default(),
        version,
        callback: get("oauth_callback"),
        verifier: get("oauth_verifier"),
        body_hash: get("oauth_body_hash"),
        base_string,
    })
}

fn decoded_oauth(component: &str) -> Vec<(String, String)> {
    split_pairs(component)
        .filter(|(k, _)| k.starts_with("oauth_"))
        .map(|(k, v)| {
            (
                lossy(&form_decode(k)).into_owned(),
                lossy(&form_decode(v)).into_owned(),
            )
        })
        .collect()
}

fn required(present: &[&str]) -> Vec<String> {
    [
        "oauth_consumer_key",
        "oauth_signature_method",
        "oauth_signature",
        "oauth_timestamp",
        "oauth_nonce",
    ]
    .into_iter()
    .filter(|n| !present.contains(n))
    .map(str::to_owned)
    .collect()
}

impl Incoming {
    /// Checks the signature with the consumer's (and token's) key material.
    pub fn verify(&self, verifier: &Verifier) -> bool {
        verifier.verify(self.signature_method, &self.base_string, &self.signature)
    }

    /// Checks `oauth_body_hash` against a non-form body; `None` when none was sent.
    pub fn body_hash_matches(&self, body: &[u8]) -> Option<bool> {
        let sent = self.body_hash.as_ref()?;
        let hash = self.signature_method.hash()?;
        Some(body_hash_of(hash, body) == *sent)
    }
}
