//! The signing trace: every step of the pipeline as data, for the wizard's inspector and the
//! CLI. Nothing here is logged; secrets are redacted (a PLAINTEXT signature *is* the secrets).

use serde::{Deserialize, Serialize};

use crate::encoding::{encode, form_decode, lossy};
use crate::parameters::{Source, split_pairs};
use crate::placement::Placement;
use crate::request::{
    HttpRequest, OAuthParams, Prepared, SignOptions, Signed, describe_content_type,
};
use crate::secret::REDACTED;
use crate::signing::{SignatureMethod, Signer};

/// What happened to one parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TracedParameter {
    /// Name, decoded.
    pub name: String,
    /// Value, decoded (invalid UTF-8 shown as U+FFFD).
    pub value: String,
    /// The text as it appeared in the URL, body or header (`None` for Signet's own).
    pub raw: Option<String>,
    /// Name in RFC 5849 section 3.6 encoding.
    pub encoded_name: String,
    /// Value in RFC 5849 section 3.6 encoding.
    pub encoded_value: String,
    /// Where it came from.
    pub source: Source,
    /// Whether it entered the signature base string.
    pub signed: bool,
    /// Why, in plain words.
    pub why: String,
}

/// The whole story of one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SigningTrace {
    /// The HTTP method, upper-cased.
    pub method: String,
    /// The URL as given.
    pub url: String,
    /// The signature method.
    pub signature_method: SignatureMethod,
    /// Where the `oauth_*` parameters went.
    pub placement: Placement,
    /// Every parameter, signed or not, in the order collected.
    pub parameters: Vec<TracedParameter>,
    /// The normalized parameter string (section 3.4.1.3.2).
    pub normalized_parameters: String,
    /// The base string URI (section 3.4.1.2).
    pub base_string_uri: String,
    /// How the base string URI was derived from the URL.
    pub base_string_uri_notes: Vec<String>,
    /// The signature base string (section 3.4.1.1).
    pub base_string: String,
    /// How the signing key is made, secrets redacted.
    pub signing_key: String,
    /// The `oauth_signature` value (redacted for PLAINTEXT).
    pub signature: String,
    /// The `Authorization` header sent (PLAINTEXT signature redacted).
    pub authorization_header: Option<String>,
    /// The URL requested.
    pub signed_url: String,
    /// The body sent, as text (PLAINTEXT signature redacted).
    pub signed_body: Option<String>,
    /// Everything else worth knowing, in plain words.
    pub notes: Vec<String>,
}

/// What the trace needs from before placement, captured without borrowing the request.
pub(crate) struct Input {
    trace: SigningTrace,
    plaintext_signature: bool,
}

impl Input {
    pub(crate) fn new(
        req: &HttpRequest<'_>,
        oauth: &OAuthParams<'_>,
        opts: &SignOptions,
        prepared: &Prepared<'_>,
        signer: &Signer,
    ) -> Self {
        let url = &prepared.url;
        let mut parameters = Vec::new();
        let mut notes = Vec::new();

        if let Some(q) = url.query {
            traced_form(&mut parameters, q, Source::Query);
        }
        match (prepared.form_body, req.body) {
            (Some(b), _) => traced_form(&mut parameters, b, Source::Body),
            (None, Some(body)) if !body.is_empty() => {
                let ct = describe_content_type(req.content_type);
                notes.push(match prepared.body_hash {
                    Some(_) => format!(
                        "the body is {ct}, so its fields are not signed; oauth_body_hash carries its hash instead"
                    ),
                    None => format!(
                        "the body is {ct}, so its fields are not signed (only application/x-www-form-urlencoded bodies are); turn on the body hash to cover it"
                    ),
                });
            }
            _ => {}
        }
        if opts.placement == Placement::Body && req.body.is_none() {
            notes.push(
                "the request had no body, so the OAuth parameters are sent as a form body".into(),
            );
        }
        for (name, value) in &prepared.oauth {
            parameters.push(TracedParameter {
                name: (*name).to_owned(),
                value: value.to_string(),
                raw: None,
                encoded_name: encode(name).into_owned(),
                encoded_value: encode(value).into_owned(),
                source: Source::OAuth,
                signed: true,
                why: oauth_why(name),
            });
        }
        for name in &prepared.omitted_empty {
            parameters.push(TracedParameter {
                name: (*name).to_owned(),
                value: String::new(),
                raw: None,
                encoded_name: encode(name).into_owned(),
                encoded_value: String::new(),
                source: Source::OAuth,
                signed: false,
                why: "empty, so it is left out; turn on \"include empty parameters\" if your provider expects it".into(),
            });
        }
        if let Some(realm) = oauth.realm {
            parameters.push(TracedParameter {
                name: "realm".into(),
                value: realm.to_owned(),
                raw: None,
                encoded_name: "realm".into(),
                encoded_value: encode(realm).into_owned(),
                source: Source::Header,
                signed: false,
                why: match opts.placement {
                    Placement::Header => "realm is never signed (RFC 5849 section 3.4.1.3.1); it only names the provider's protection space".into(),
                    p => format!("realm is never signed, and it only travels in the Authorization header, so with {p} placement it is not sent"),
                },
            });
        }

        let mut uri_notes = Vec::new();
        if url
            .scheme
            .bytes()
            .chain(url.host.bytes())
            .any(|b| b.is_ascii_uppercase())
        {
            uri_notes.push("the scheme and host are lower-cased".into());
        }
        match url.port {
            Some(p) if url.port_is_default() => uri_notes.push(format!(
                "port {p} is the default for {}, so it is left out",
                url.scheme.to_ascii_lowercase()
            )),
            Some(p) => uri_notes.push(format!("port {p} is not the default, so it stays")),
            None => {}
        }
        if url.path.is_empty() {
            uri_notes.push("the URL has no path, so it is signed as /".into());
        }
        if url.query.is_some() {
            uri_notes.push(
                "the query string is removed; its parameters are signed one by one instead".into(),
            );
        }
        if let Some(f) = url.fragment {
            uri_notes.push(format!(
                "the fragment #{f} is never sent, so it is not signed"
            ));
        }
        let plaintext = signer.method() == SignatureMethod::Plaintext;
        if plaintext {
            notes.push("PLAINTEXT sends the secrets themselves as the signature: they are hidden here, and it is only safe over https".into());
        }

        let normalized_parameters = prepared.normalized_parameters();

        Self {
            trace: SigningTrace {
                method: prepared.method.to_string(),
                url: req.url.to_owned(),
                signature_method: signer.method(),
                placement: opts.placement,
                parameters,
                normalized_parameters,
                base_string_uri: url.base_string_uri(),
                base_string_uri_notes: uri_notes,
                base_string: prepared.base_string.clone(),
                signing_key: signer.key_shape(),
                signature: String::new(),
                authorization_header: None,
                signed_url: String::new(),
                signed_body: None,
                notes,
            },
            plaintext_signature: plaintext,
        }
    }

    pub(crate) fn finish(mut self, signed: &Signed<'_>) -> SigningTrace {
        let t = &mut self.trace;
        let sig = &signed.signature().to_owned();
        let redact = |s: &str| -> String {
            if self.plaintext_signature && !sig.is_empty() {
                s.replace(&*encode(sig), REDACTED)
                    .replace(sig.as_str(), REDACTED)
            } else {
                s.to_owned()
            }
        };
        t.signature = if self.plaintext_signature {
            REDACTED.into()
        } else {
            sig.clone()
        };
        t.authorization_header = signed.authorization.as_deref().map(&redact);
        t.signed_url = redact(&signed.url);
        t.signed_body = signed.body.as_deref().map(|b| redact(&lossy(b)));
        t.parameters.push(TracedParameter {
            name: "oauth_signature".into(),
            value: t.signature.clone(),
            raw: None,
            encoded_name: "oauth_signature".into(),
            encoded_value: if self.plaintext_signature {
                REDACTED.into()
            } else {
                encode(sig).into_owned()
            },
            source: Source::OAuth,
            signed: false,
            why: "the signature is never part of what it signs; it is computed last and then sent"
                .into(),
        });
        self.trace
    }
}

fn traced_form(out: &mut Vec<TracedParameter>, component: &str, source: Source) {
    let (place, plus) = match source {
        Source::Query => (
            "the URL's query string",
            "`+` in the query means a space, so it is signed as %20",
        ),
        _ => (
            "the form body",
            "`+` in a form body means a space, so it is signed as %20",
        ),
    };
    for (raw_name, raw_value) in split_pairs(component) {
        let name = lossy(&form_decode(raw_name)).into_owned();
        let value_bytes = form_decode(raw_value);
        let encoded_name = crate::encoding::reencode(raw_name, true).into_owned();
        let encoded_value = crate::encoding::reencode(raw_value, true).into_owned();
        let signed = raw_name != "oauth_signature";
        let mut why = if signed {
            format!(
                "from {place}: {} parameters are always signed",
                if source == Source::Query {
                    "query"
                } else {
                    "form body"
                }
            )
        } else {
            "the signature is never part of what it signs".to_owned()
        };
        if raw_name.contains('+') || raw_value.contains('+') {
            why.push_str("; ");
            why.push_str(plus);
        } else if format!("{raw_name}={raw_value}") != format!("{encoded_name}={encoded_value}") {
            why.push_str(&format!(
                "; re-encoded from {raw_name}={raw_value} to the RFC 3986 form {encoded_name}={encoded_value}"
            ));
        }
        if raw_value.is_empty() && signed {
            why.push_str("; its empty value is signed too");
        }
        out.push(TracedParameter {
            name,
            value: lossy(&value_bytes).into_owned(),
            raw: Some(format!("{raw_name}={raw_value}")),
            encoded_name,
            encoded_value,
            source,
            signed,
            why,
        });
    }
}

fn oauth_why(name: &str) -> String {
    let what = match name {
        "oauth_consumer_key" => "identifies your application (the consumer key)",
        "oauth_token" => {
            "the token this request acts for (the request token, then the access token)"
        }
        "oauth_signature_method" => "tells the provider how to check the signature",
        "oauth_timestamp" => "seconds since 1970, so the provider can refuse old requests",
        "oauth_nonce" => "a one-time random string, so a captured request cannot be replayed",
        "oauth_version" => "says this is OAuth 1.0 (optional)",
        "oauth_callback" => "where the provider sends the user back after they authorise",
        "oauth_verifier" => "proves the user authorised this request token",
        "oauth_body_hash" => "the hash of the non-form body, so the signature covers the body",
        _ => "a protocol parameter your provider asks for",
    };
    format!("{what}; protocol parameters are always signed")
}
