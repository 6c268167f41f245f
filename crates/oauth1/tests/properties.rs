//! Property tests: for arbitrary parameters, every signature method and every placement, what
//! Signet signs the provider-side inspector verifies; and changing any parameter, the HTTP
//! method, the URL, a secret or the signature method makes verification fail.

use std::sync::OnceLock;

use proptest::prelude::*;
use signet_oauth1::encoding::encode;
use signet_oauth1::verify::inspect;
use signet_oauth1::{
    HttpRequest, OAuthParams, Placement, RsaPrivateKeyPem, Secret, SignOptions, SignatureMethod,
    Signed, Signer, Verifier, sign,
};

fn rsa_key() -> &'static RsaPrivateKeyPem {
    static KEY: OnceLock<RsaPrivateKeyPem> = OnceLock::new();
    KEY.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/rsa-private.pem");
        RsaPrivateKeyPem::parse(&std::fs::read_to_string(path).expect("the vector RSA key"))
            .unwrap()
    })
}

#[derive(Debug, Clone)]
struct Case {
    method: SignatureMethod,
    placement: Placement,
    http_method: &'static str,
    query: Vec<(String, String)>,
    body: Vec<(String, String)>,
    consumer_secret: String,
    token: Option<(String, String)>,
    nonce: String,
    timestamp: u32,
    /// More protocol parameters (a provider's `oauth_session_handle`, say).
    extras: Vec<(String, String)>,
    realm: Option<String>,
    callback: Option<String>,
    verifier: Option<String>,
    include_version: bool,
    /// Send protocol parameters with empty values (the token's, the verifier's).
    include_empty: bool,
    /// A JSON body instead of the form one, with `oauth_body_hash` (never with PLAINTEXT, for
    /// which the extension defines no hash, nor with body placement, which needs a form).
    json: Option<String>,
}

impl Case {
    fn extra(&self) -> Vec<(&str, &str)> {
        self.extras
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, weighted towards the characters that break implementations.
    prop_oneof![
        "[a-zA-Z0-9]{0,8}",
        "[ +%&=!*'()~._/?#\\[\\]-]{0,6}",
        any::<String>().prop_map(|s| s.chars().take(8).collect()),
        "[é日本😀 ]{0,4}",
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            text().prop_filter("non-empty name", |s| !s.is_empty()),
            text(),
        ),
        0..5,
    )
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(SignatureMethod::ALL.to_vec()),
        prop::sample::select(Placement::ALL.to_vec()),
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        pairs(),
        pairs(),
        text(),
        prop::option::of(("[A-Za-z0-9-]{1,20}", text())),
        "[A-Za-z0-9]{20,30}",
        1_000_000_000u32..2_000_000_000,
        // Distinct names: a parameter may appear once per request.
        prop::collection::btree_map("oauth_x_[a-z_]{1,8}", text(), 0..3)
            .prop_map(|m| m.into_iter().collect::<Vec<_>>()),
        (
            prop::option::of(text()),
            prop::option::of(prop_oneof![
                Just("oob".to_owned()),
                text().prop_map(|t| format!("signet://callback?x={t}"))
            ]),
            prop::option::of(text()),
            any::<bool>(),
            any::<bool>(),
            prop::option::of(text().prop_map(|t| format!("{{\"t\":{t:?}}}"))),
        ),
    )
        .prop_map(
            |(
                method,
                placement,
                http_method,
                query,
                body,
                consumer_secret,
                token,
                nonce,
                timestamp,
                extras,
                (realm, callback, verifier, include_version, include_empty, json),
            )| {
                // Body placement needs a form body, which only makes sense with a method that has one.
                let http_method = if placement == Placement::Body {
                    "POST"
                } else {
                    http_method
                };
                Case {
                    method,
                    placement,
                    http_method,
                    query,
                    body,
                    consumer_secret,
                    token,
                    nonce,
                    timestamp,
                    extras,
                    realm,
                    callback,
                    verifier,
                    include_version,
                    include_empty,
                    json: json.filter(|_| {
                        placement != Placement::Body && method != SignatureMethod::Plaintext
                    }),
                }
            },
        )
}

fn form(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v).replace("%20", "+")))
        .collect::<Vec<_>>()
        .join("&")
}

struct Built {
    url: String,
    body: Option<String>,
    content_type: Option<&'static str>,
}

fn build(c: &Case, path: &str) -> Built {
    let q = form(&c.query);
    let url = if q.is_empty() {
        format!("https://api.example.com{path}")
    } else {
        format!("https://api.example.com{path}?{q}")
    };
    let has_body = c.http_method != "GET" && c.http_method != "DELETE";
    let (body, content_type) = match (&c.json, has_body) {
        (_, false) => (None, None),
        (Some(json), true) => (Some(json.clone()), Some("application/json")),
        (None, true) => (
            Some(form(&c.body)),
            Some("application/x-www-form-urlencoded"),
        ),
    };
    Built {
        url,
        body,
        content_type,
    }
}

fn signer(c: &Case) -> Signer {
    if c.method.is_rsa() {
        Signer::rsa(c.method, rsa_key()).unwrap()
    } else {
        let ts = c.token.as_ref().map(|(_, s)| Secret::new(s.clone()));
        Signer::shared(
            c.method,
            &Secret::new(c.consumer_secret.clone()),
            ts.as_ref(),
        )
        .unwrap()
    }
}

fn verifier(c: &Case, consumer_secret: &str) -> Verifier {
    if c.method.is_rsa() {
        Verifier::Rsa(rsa_key().public_key())
    } else {
        Verifier::Shared {
            consumer_secret: Secret::new(consumer_secret),
            token_secret: c.token.as_ref().map(|(_, s)| Secret::new(s.clone())),
        }
    }
}

fn signed<'a>(
    c: &'a Case,
    b: &'a Built,
    ts: &'a str,
    extra: &'a [(&'a str, &'a str)],
) -> Signed<'a> {
    let req = HttpRequest {
        method: c.http_method,
        url: &b.url,
        content_type: b.content_type,
        body: b.body.as_deref().map(str::as_bytes),
    };
    let oauth = OAuthParams {
        consumer_key: "consumer-key",
        token: c.token.as_ref().map(|(t, _)| t.as_str()),
        nonce: &c.nonce,
        timestamp: ts,
        realm: c.realm.as_deref(),
        callback: c.callback.as_deref(),
        verifier: c.verifier.as_deref(),
        extra,
    };
    let opts = SignOptions {
        placement: c.placement,
        include_version: c.include_version,
        include_empty: c.include_empty,
        body_hash: c.json.is_some(),
    };
    sign(&req, &oauth, &signer(c), &opts).unwrap()
}

fn verifies(
    method: &str,
    url: &str,
    body: Option<&[u8]>,
    ct: Option<&str>,
    auth: Option<&str>,
    v: &Verifier,
) -> bool {
    match inspect(
        &HttpRequest {
            method,
            url,
            content_type: ct,
            body,
        },
        auth,
    ) {
        // A JSON body travels with its hash, which must match too.
        Ok(incoming) => {
            incoming.verify(v)
                && incoming.body_hash_matches(body.unwrap_or_default()) != Some(false)
        }
        Err(_) => false,
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn what_is_signed_verifies(c in case()) {
        let b = build(&c, "/r/x");
        let ts = c.timestamp.to_string();
        let extra = c.extra();
        let s = signed(&c, &b, &ts, &extra);
        prop_assert!(verifies(&s.method, &s.url, s.body.as_deref(), s.content_type, s.authorization.as_deref(), &verifier(&c, &c.consumer_secret)),
            "round trip failed for {:?}\nbase string {}", c, s.base_string);
    }

    #[test]
    fn any_change_breaks_verification(c in case(), which in 0usize..6, pick in any::<prop::sample::Index>()) {
        let b = build(&c, "/r/x");
        let ts = c.timestamp.to_string();
        let extra = c.extra();
        let s = signed(&c, &b, &ts, &extra);
        let v = verifier(&c, &c.consumer_secret);
        let (mut method, mut url, mut body) = (s.method.to_string(), s.url.to_string(), s.body.as_deref().map(<[u8]>::to_vec));
        match which {
            // Change one parameter's value (a query or body one, else the timestamp).
            0 => {
                let mut c2 = c.clone();
                let form_body = b.content_type == Some("application/x-www-form-urlencoded");
                let n = c2.query.len() + if form_body { c2.body.len() } else { 0 };
                if n == 0 {
                    // No request parameters: change a protocol one (the timestamp) wherever it travels.
                    let (old, new) = (format!("oauth_timestamp={ts}"), format!("oauth_timestamp={}", c.timestamp + 1));
                    let (old_h, new_h) = (format!("oauth_timestamp=\"{ts}\""), format!("oauth_timestamp=\"{}\"", c.timestamp + 1));
                    let auth = s.authorization.as_deref().map(|h| h.replace(&old_h, &new_h));
                    let url2 = url.replace(&old, &new);
                    let body2 = body.as_deref().map(|b| String::from_utf8_lossy(b).replace(&old, &new).into_bytes());
                    let ok = verifies(&method, &url2, body2.as_deref(), s.content_type, auth.as_deref(), &v);
                    prop_assert_eq!(ok, c.method == SignatureMethod::Plaintext);
                    return Ok(());
                }
                let i = pick.index(n);
                let target = if i < c2.query.len() { &mut c2.query[i] } else { &mut c2.body[i - c.query.len()] };
                target.1.push('x');
                let b2 = build(&c2, "/r/x");
                if c.placement == Placement::Header {
                    url = b2.url.clone();
                    body = b2.body.clone().map(String::into_bytes);
                } else {
                    // Re-sign the tampered request and graft the original signature onto it.
                    let extra2 = c2.extra();
                    let s2 = signed(&c2, &b2, &ts, &extra2);
                    let enc_new = encode(s2.signature()).into_owned();
                    let enc_old = encode(s.signature()).into_owned();
                    url = s2.url.replace(&enc_new, &enc_old);
                    body = s2.body.as_deref().map(|b| String::from_utf8_lossy(b).replace(&enc_new, &enc_old).into_bytes());
                }
            }
            1 => method = if method == "POST" { "PUT".into() } else { "POST".into() },
            2 => url = url.replacen("/r/x", "/r/y", 1),
            3 => url = url.replacen("api.example.com", "api.example.org", 1),
            4 => {
                if c.method.is_rsa() {
                    // No shared secret: change the token instead by signing as another token holder.
                    url = url.replacen("/r/x", "/r/x/", 1);
                } else {
                    let wrong = verifier(&c, &format!("{}!", c.consumer_secret));
                    prop_assert!(!verifies(&method, &url, body.as_deref(), s.content_type, s.authorization.as_deref(), &wrong));
                    return Ok(());
                }
            }
            _ => {
                // The right signature checked under another method fails.
                let incoming = inspect(&HttpRequest { method: &method, url: &url, content_type: s.content_type, body: body.as_deref() }, s.authorization.as_deref()).unwrap();
                for other in SignatureMethod::ALL.into_iter().filter(|m| *m != c.method) {
                    let v2 = if other.is_rsa() { Verifier::Rsa(rsa_key().public_key()) } else { verifier(&c, &c.consumer_secret) };
                    prop_assert!(!v2.verify(other, &incoming.base_string, &incoming.signature), "{other} accepted a {} signature", c.method);
                }
                return Ok(());
            }
        }
        // PLAINTEXT signs only the secrets, so a changed request still verifies: that is why it is
        // only safe over TLS. Every other method must notice the change.
        let ok = verifies(&method, &url, body.as_deref(), s.content_type, s.authorization.as_deref(), &v);
        prop_assert_eq!(ok, c.method == SignatureMethod::Plaintext, "case {} {:?}", which, c);
    }
}
