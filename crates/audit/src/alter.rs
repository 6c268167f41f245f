//! The deliberate deviations made after signing: each takes a correctly signed request and
//! returns it changed in exactly one intended way, with that change described. (Deviations
//! made before signing — an old timestamp, an unknown consumer key, no token secret — are the
//! signer's own inputs; see the runner.)

use serde::{Deserialize, Serialize};
use signet_oauth1::encoding::{append_query, decode, encode, lossy};
use signet_oauth1::flow::OutgoingRequest;
use signet_oauth1::placement::AuthorizationHeader;

/// How an altered request differs from the valid one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    /// What changed: a parameter's name, `query`, `Authorization`, ...
    pub part: String,
    /// Its value in the valid request (empty when it was absent).
    pub valid: String,
    /// Its value as sent.
    pub sent: String,
    /// The change in plain words.
    pub note: String,
}

/// A request changed after signing, and how.
#[derive(Debug, Clone)]
pub struct Altered {
    /// What to send.
    pub request: OutgoingRequest,
    /// How it differs from the valid request.
    pub changes: Vec<Change>,
}

const SIGNATURE: &str = "oauth_signature";

/// The signature with its first character changed (`A` becomes `B`, anything else `A`): the
/// first character of a base64 signature always carries six bits of it, so the decoded
/// signature differs (a last character may only carry padding).
fn wrong(signature: &str) -> String {
    let mut chars = signature.chars();
    let first = chars.next();
    let swapped = if first == Some('A') { 'B' } else { 'A' };
    std::iter::once(swapped).chain(chars).collect()
}

/// The request with one character of `oauth_signature` changed, wherever it travels (the
/// `Authorization` header, the query or the form body). `None` when it carries no signature.
pub fn wrong_signature(req: &OutgoingRequest) -> Option<Altered> {
    let mut out = req.clone();
    // The Authorization header.
    if let Some((_, value)) = out
        .headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        && let Ok(mut header) = AuthorizationHeader::parse(value)
        && let Some((_, sig)) = header.params.iter_mut().find(|(n, _)| n == SIGNATURE)
    {
        let valid = sig.clone();
        *sig = wrong(&valid);
        let sent = sig.clone();
        *value = header.to_header_value();
        return Some(Altered {
            request: out,
            changes: vec![signature_change(valid, sent)],
        });
    }
    // The query, then a form body.
    if let Some((base, query)) = out.url.split_once('?')
        && let Some((valid, query)) = replace_pair(query, SIGNATURE, wrong)
    {
        let sent = wrong(&valid);
        out.url = format!("{base}?{query}");
        return Some(Altered {
            request: out,
            changes: vec![signature_change(valid, sent)],
        });
    }
    let body = std::str::from_utf8(out.body.as_deref()?).ok()?;
    let (valid, body) = replace_pair(body, SIGNATURE, wrong)?;
    let sent = wrong(&valid);
    out.body = Some(body.into_bytes());
    Some(Altered {
        request: out,
        changes: vec![signature_change(valid, sent)],
    })
}

fn signature_change(valid: String, sent: String) -> Change {
    Change {
        part: SIGNATURE.into(),
        valid,
        sent,
        note: "one character of the signature changed after signing; nothing else".into(),
    }
}

/// Replaces the value of the first `name=value` pair of a query or form string with
/// `f(decoded value)`: the old (decoded) value and the new string.
fn replace_pair(s: &str, name: &str, f: impl Fn(&str) -> String) -> Option<(String, String)> {
    let mut old = None;
    let pairs: Vec<String> = s
        .split('&')
        .map(|pair| {
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            if old.is_none() && n == name {
                let value = lossy(&decode(v)).into_owned();
                let new = format!("{n}={}", encode(&f(&value)));
                old = Some(value);
                new
            } else {
                pair.to_owned()
            }
        })
        .collect();
    old.map(|o| (o, pairs.join("&")))
}

/// The request with `name=value` appended to its query after it was signed.
pub fn added_parameter(req: &OutgoingRequest, name: &str, value: &str) -> Altered {
    let mut out = req.clone();
    let valid = out.url.split_once('?').map_or("", |(_, q)| q).to_owned();
    append_query(&mut out.url, &[(name, value)]);
    let sent = out.url.split_once('?').map_or("", |(_, q)| q).to_owned();
    Altered {
        request: out,
        changes: vec![Change {
            part: "query".into(),
            valid,
            sent,
            note: format!("{name}={value} appended to the query after signing"),
        }],
    }
}

/// The request with its `oauth_*` parameters in two places: a header-signed request also
/// carries them in its query; a query- or body-signed one also in an `Authorization` header.
/// `None` when it carries no OAuth parameters.
pub fn two_places(req: &OutgoingRequest) -> Option<Altered> {
    let mut out = req.clone();
    let header = out
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| AuthorizationHeader::parse(v).ok())
        .filter(|h| h.params.iter().any(|(n, _)| n.starts_with("oauth_")));
    if let Some(header) = header {
        let valid = out.url.split_once('?').map_or("", |(_, q)| q).to_owned();
        let oauth: Vec<(&str, &str)> = header
            .params
            .iter()
            .filter(|(n, _)| n.starts_with("oauth_"))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        append_query(&mut out.url, &oauth);
        let sent = out.url.split_once('?').map_or("", |(_, q)| q).to_owned();
        return Some(Altered {
            request: out,
            changes: vec![Change {
                part: "query".into(),
                valid,
                sent,
                note: "the Authorization header's oauth_* parameters copied into the query too"
                    .into(),
            }],
        });
    }
    let query = out.url.split_once('?').map_or("", |(_, q)| q);
    let body = out
        .body
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("");
    let params: Vec<(String, String)> = query
        .split('&')
        .chain(body.split('&'))
        .filter_map(|pair| pair.split_once('='))
        .filter(|(n, _)| n.starts_with("oauth_"))
        .map(|(n, v)| (n.to_owned(), lossy(&decode(v)).into_owned()))
        .collect();
    if params.is_empty() {
        return None;
    }
    let sent = AuthorizationHeader {
        realm: None,
        params,
    }
    .to_header_value();
    out.headers.push(("Authorization".into(), sent.clone()));
    Some(Altered {
        request: out,
        changes: vec![Change {
            part: "Authorization".into(),
            valid: String::new(),
            sent,
            note: "the oauth_* parameters copied into an Authorization header too".into(),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_oauth1::flow::StepId;
    use signet_oauth1::request::{HttpRequest, OAuthParams, SignOptions, sign};
    use signet_oauth1::signing::{Signer, Verifier};
    use signet_oauth1::verify::inspect;
    use signet_oauth1::{Placement, Secret, SignatureMethod};

    const URL: &str = "https://photos.example.net/photos?file=vacation.jpg&size=original";

    fn signed(method: SignatureMethod, placement: Placement) -> OutgoingRequest {
        let secret = Secret::new("kd94hf93k423kf44");
        let token_secret = Secret::new("pfkkdhi9sl3r4s00");
        let signer = Signer::shared(method, &secret, Some(&token_secret)).unwrap();
        let body = b"a=1".as_slice();
        let post = placement == Placement::Body;
        let req = HttpRequest {
            method: if post { "POST" } else { "GET" },
            url: URL,
            content_type: post.then_some("application/x-www-form-urlencoded"),
            body: post.then_some(body),
        };
        let oauth = OAuthParams {
            consumer_key: "dpf43f3p2l4k3l03",
            token: Some("nnch734d00sl2jdk"),
            nonce: "chapoH",
            timestamp: "137131202",
            ..Default::default()
        };
        let opts = SignOptions {
            placement,
            ..Default::default()
        };
        let s = sign(&req, &oauth, &signer, &opts).unwrap();
        OutgoingRequest {
            step: StepId::ResourceAccess,
            method: s.method.into_owned(),
            url: s.url.into_owned(),
            headers: s
                .authorization
                .map(|a| vec![("Authorization".to_owned(), a)])
                .unwrap_or_default(),
            content_type: s.content_type.map(str::to_owned),
            body: s.body.map(|b| b.into_owned()),
        }
    }

    fn verifier() -> Verifier {
        Verifier::Shared {
            consumer_secret: Secret::new("kd94hf93k423kf44"),
            token_secret: Some(Secret::new("pfkkdhi9sl3r4s00")),
        }
    }

    /// What the provider's verifier reads from a request: (its parameters, whether the
    /// signature holds), or the reason it refuses to read it.
    fn read(req: &OutgoingRequest) -> Result<(signet_oauth1::verify::Incoming, bool), String> {
        let http = HttpRequest {
            method: &req.method,
            url: &req.url,
            content_type: req.content_type.as_deref(),
            body: req.body.as_deref(),
        };
        let auth = req
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.as_str());
        let incoming = inspect(&http, auth).map_err(|r| r.to_string())?;
        let ok = incoming.verify(&verifier());
        Ok((incoming, ok))
    }

    const PLACEMENTS: [Placement; 3] = [Placement::Header, Placement::Query, Placement::Body];
    const METHODS: [SignatureMethod; 3] = [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::Plaintext,
    ];

    #[test]
    fn a_wrong_signature_differs_in_the_signature_only_and_fails_verification() {
        for method in METHODS {
            for placement in PLACEMENTS {
                let valid = signed(method, placement);
                let (v, ok) = read(&valid).unwrap();
                assert!(ok, "{method} {placement:?}: the valid request verifies");
                let altered = wrong_signature(&valid).unwrap();
                let (a, ok) = read(&altered.request).unwrap();
                assert!(!ok, "{method} {placement:?}: the altered one does not");
                assert_ne!(a.signature, v.signature);
                assert_eq!(
                    a.signature.chars().skip(1).collect::<String>(),
                    v.signature.chars().skip(1).collect::<String>()
                );
                assert_eq!(a.base_string, v.base_string, "nothing signed changed");
                assert_eq!(
                    (a.nonce, a.timestamp, a.token),
                    (v.nonce, v.timestamp, v.token)
                );
                let [change] = altered.changes.as_slice() else {
                    panic!()
                };
                assert_eq!(change.part, "oauth_signature");
                assert_eq!(change.valid, v.signature);
                assert_eq!(change.sent, a.signature);
            }
        }
    }

    #[test]
    fn the_first_character_changes_whatever_it_is() {
        assert_eq!(wrong("Abc="), "Bbc=");
        assert_eq!(wrong("xbc="), "Abc=");
        assert_eq!(wrong("kd94&"), "Ad94&");
    }

    #[test]
    fn an_added_parameter_changes_the_base_string_and_fails_verification() {
        for placement in PLACEMENTS {
            let valid = signed(SignatureMethod::HmacSha1, placement);
            let (v, _) = read(&valid).unwrap();
            let altered = added_parameter(&valid, "signet_audit", "1");
            let (a, ok) = read(&altered.request).unwrap();
            assert!(!ok, "{placement:?}");
            assert_eq!(a.signature, v.signature, "the signature is the valid one");
            assert!(
                a.base_string.contains("signet_audit%3D1"),
                "{}",
                a.base_string
            );
            assert_eq!(
                a.base_string.replace("%26signet_audit%3D1", ""),
                v.base_string,
                "the only difference in what the provider signs is the added parameter"
            );
            assert!(altered.request.url.ends_with("&signet_audit=1"));
            assert_eq!(
                (&altered.request.headers, &altered.request.body),
                (&valid.headers, &valid.body)
            );
        }
    }

    #[test]
    fn two_places_is_refused_by_the_verifier_and_each_copy_alone_verifies() {
        for placement in PLACEMENTS {
            let valid = signed(SignatureMethod::HmacSha1, placement);
            let altered = two_places(&valid).unwrap();
            let err = read(&altered.request).unwrap_err();
            assert!(
                err.contains("one place") || err.contains("more than one"),
                "{placement:?}: {err}"
            );
            // The copy carries the very parameters that were signed.
            let header = altered
                .request
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
                .map(|(_, v)| v.clone())
                .unwrap();
            let without_query_copy = OutgoingRequest {
                url: valid.url.clone(),
                body: valid.body.clone(),
                headers: vec![("Authorization".into(), header)],
                ..valid.clone()
            };
            if placement == Placement::Header {
                assert_eq!(without_query_copy.headers, valid.headers);
            } else {
                // The header copy alone (the query/body copy taken away) verifies too.
                let mut only_header = without_query_copy;
                only_header.url = URL.to_owned();
                only_header.body = (placement == Placement::Body).then(|| b"a=1".to_vec());
                assert!(read(&only_header).unwrap().1, "{placement:?}");
            }
        }
    }

    #[test]
    fn requests_without_a_signature_are_left_alone() {
        let bare = OutgoingRequest {
            step: StepId::ResourceAccess,
            method: "GET".into(),
            url: "https://example.com/x?a=1".into(),
            headers: vec![],
            content_type: None,
            body: None,
        };
        assert!(wrong_signature(&bare).is_none());
        assert!(two_places(&bare).is_none());
    }
}
