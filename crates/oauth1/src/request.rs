//! Signing a request from end to end: collect → normalize → base string URI → base string →
//! sign → place (RFC 5849 sections 3.1 to 3.5), in the RFC's order.
//!
//! [`sign`] is the fast path every request takes; [`sign_traced`] runs the same pipeline and
//! also returns the [`SigningTrace`] the wizard's inspector renders.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha1::Digest;

use crate::base_string::{UrlParts, capacity_hint, normalize_method, write_base_string};
use crate::encoding::reencode;
use crate::error::{Error, Result};
use crate::parameters::{Param, Source, collect_form, sort};
use crate::placement::{Placement, append_pairs, write_header};
use crate::signing::{Hash, SignatureMethod, Signer};
use crate::trace::{self, SigningTrace};

/// The HTTP request to sign, as it will be sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpRequest<'a> {
    /// `GET`, `POST`, ... (upper-cased for signing).
    pub method: &'a str,
    /// The absolute URL, with its query.
    pub url: &'a str,
    /// The body's `Content-Type`, if it has one.
    pub content_type: Option<&'a str>,
    /// The body, if any.
    pub body: Option<&'a [u8]>,
}

impl HttpRequest<'_> {
    /// Whether the body is `application/x-www-form-urlencoded`, whose parameters are signed.
    pub fn is_form(&self) -> bool {
        self.content_type.is_some_and(is_form_content_type)
    }
}

/// Whether a `Content-Type` value is `application/x-www-form-urlencoded` (any parameters).
pub fn is_form_content_type(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(FORM))
}

/// The form content type.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// The protocol parameters of one request. Nonce and timestamp are inputs: the caller draws
/// them (the engine) or pins them (tests, vectors).
#[derive(Debug, Clone, Copy, Default)]
pub struct OAuthParams<'a> {
    /// `oauth_consumer_key`.
    pub consumer_key: &'a str,
    /// `oauth_token`: the temporary (request) token or the token credentials (access token).
    pub token: Option<&'a str>,
    /// `oauth_callback`, on the temporary-credentials request (`oob` when there is none).
    pub callback: Option<&'a str>,
    /// `oauth_verifier`, on the token-credentials request.
    pub verifier: Option<&'a str>,
    /// `oauth_nonce`.
    pub nonce: &'a str,
    /// `oauth_timestamp`, seconds since the Unix epoch.
    pub timestamp: &'a str,
    /// The `realm` of the `Authorization` header (never signed).
    pub realm: Option<&'a str>,
    /// More protocol parameters some providers define (`oauth_session_handle`, ...).
    pub extra: &'a [(&'a str, &'a str)],
}

/// How to sign and where to put the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignOptions {
    /// Where the `oauth_*` parameters travel.
    pub placement: Placement,
    /// Send `oauth_version=1.0` (optional in the RFC; a few providers refuse it, most want it).
    pub include_version: bool,
    /// Send protocol parameters whose value is empty (an empty `oauth_token`, say) instead of
    /// leaving them out.
    pub include_empty: bool,
    /// Add `oauth_body_hash` to requests whose body is not a form (the OAuth Request Body Hash
    /// extension), hashed with the signature method's hash.
    pub body_hash: bool,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self {
            placement: Placement::Header,
            include_version: true,
            include_empty: false,
            body_hash: false,
        }
    }
}

/// A signed request, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<'a> {
    /// The upper-cased method.
    pub method: Cow<'a, str>,
    /// The signature base string that was signed.
    pub base_string: String,
    /// The `oauth_signature` value (not percent-encoded).
    pub signature: String,
    /// Every `oauth_*` parameter sent, in sending order, the signature last (values decoded).
    pub oauth_params: Vec<(&'a str, Cow<'a, str>)>,
    /// The `Authorization` header value, for header placement.
    pub authorization: Option<String>,
    /// The URL to request (with the parameters appended for query placement, no fragment).
    pub url: Cow<'a, str>,
    /// The body to send (with the parameters appended for body placement).
    pub body: Option<Cow<'a, [u8]>>,
    /// The content type to send with the body.
    pub content_type: Option<&'a str>,
}

/// Everything the pipeline computed before placing the parameters.
pub(crate) struct Prepared<'a> {
    pub method: Cow<'a, str>,
    pub url: UrlParts<'a>,
    pub form_body: Option<&'a str>,
    pub oauth: Vec<(&'a str, Cow<'a, str>)>,
    pub params: Vec<Param<'a>>,
    pub base_string: String,
    pub body_hash: Option<Hash>,
    pub omitted_empty: Vec<&'a str>,
}

/// Signs `req` with `oauth` and `signer`, placing the parameters as `opts` says.
pub fn sign<'a>(
    req: &HttpRequest<'a>,
    oauth: &OAuthParams<'a>,
    signer: &Signer,
    opts: &SignOptions,
) -> Result<Signed<'a>> {
    let prepared = prepare(req, oauth, signer.method(), opts)?;
    let signature = signer.sign(&prepared.base_string);
    Ok(place(req, oauth, opts, prepared, signature))
}

/// Like [`sign`], and also explains every step as a [`SigningTrace`].
pub fn sign_traced<'a>(
    req: &HttpRequest<'a>,
    oauth: &OAuthParams<'a>,
    signer: &Signer,
    opts: &SignOptions,
) -> Result<(Signed<'a>, SigningTrace)> {
    let prepared = prepare(req, oauth, signer.method(), opts)?;
    let signature = signer.sign(&prepared.base_string);
    let trace_input = trace::Input::new(req, oauth, opts, &prepared, signer);
    let signed = place(req, oauth, opts, prepared, signature);
    let trace = trace_input.finish(&signed);
    Ok((signed, trace))
}

pub(crate) fn prepare<'a>(
    req: &HttpRequest<'a>,
    oauth: &OAuthParams<'a>,
    method_kind: SignatureMethod,
    opts: &SignOptions,
) -> Result<Prepared<'a>> {
    let method = normalize_method(req.method)?;
    let url = UrlParts::parse(req.url)?;
    let is_form = req.is_form();
    let form_body = match (is_form, req.body) {
        (true, Some(body)) => Some(std::str::from_utf8(body).map_err(|_| Error::FormBodyNotUtf8)?),
        _ => None,
    };
    if opts.placement == Placement::Body && req.body.is_some_and(|b| !b.is_empty()) && !is_form {
        return Err(Error::BodyPlacementNeedsForm(describe_content_type(
            req.content_type,
        )));
    }
    let body_hash = if opts.body_hash && !is_form {
        Some(method_kind.hash().ok_or(Error::BodyHashWithPlaintext)?)
    } else {
        None
    };

    let mut oauth_list: Vec<(&'a str, Cow<'a, str>)> = Vec::with_capacity(10 + oauth.extra.len());
    let mut omitted_empty = Vec::new();
    let mut add = |name: &'a str, value: Option<Cow<'a, str>>| {
        if let Some(v) = value {
            if v.is_empty() && !opts.include_empty {
                omitted_empty.push(name);
            } else {
                oauth_list.push((name, v));
            }
        }
    };
    add("oauth_consumer_key", Some(oauth.consumer_key.into()));
    add("oauth_token", oauth.token.map(Cow::Borrowed));
    add("oauth_signature_method", Some(method_kind.as_str().into()));
    add("oauth_timestamp", Some(oauth.timestamp.into()));
    add("oauth_nonce", Some(oauth.nonce.into()));
    if opts.include_version {
        add("oauth_version", Some("1.0".into()));
    }
    add("oauth_callback", oauth.callback.map(Cow::Borrowed));
    add("oauth_verifier", oauth.verifier.map(Cow::Borrowed));
    if let Some(hash) = body_hash {
        add(
            "oauth_body_hash",
            Some(body_hash_of(hash, req.body.unwrap_or_default()).into()),
        );
    }
    for (name, value) in oauth.extra {
        add(name, Some(Cow::Borrowed(*value)));
    }

    let mut params = Vec::with_capacity(oauth_list.len() + 8);
    if let Some(q) = url.query {
        collect_form(&mut params, q, Source::Query);
    }
    if let Some(b) = form_body {
        collect_form(&mut params, b, Source::Body);
    }
    for (name, value) in &oauth_list {
        params.push(Param {
            name: reencode(name, false),
            value: reencode_cow(value),
            source: Source::OAuth,
        });
    }
    sort(&mut params);
    let mut base_string = String::with_capacity(capacity_hint(&method, &url, &params));
    write_base_string(&mut base_string, &method, &url, &params);
    Ok(Prepared {
        method,
        url,
        form_body,
        oauth: oauth_list,
        params,
        base_string,
        body_hash,
        omitted_empty,
    })
}

/// Encodes a protocol value; values are raw text, so `+` and `%` are literal characters.
fn reencode_cow<'a>(value: &Cow<'a, str>) -> Cow<'a, str> {
    match value {
        Cow::Borrowed(v) => crate::encoding::encode(v),
        Cow::Owned(v) => Cow::Owned(crate::encoding::encode(v).into_owned()),
    }
}

fn place<'a>(
    req: &HttpRequest<'a>,
    oauth: &OAuthParams<'a>,
    opts: &SignOptions,
    prepared: Prepared<'a>,
    signature: String,
) -> Signed<'a> {
    let Prepared {
        method,
        url,
        base_string,
        oauth: mut oauth_list,
        ..
    } = prepared;
    oauth_list.push(("oauth_signature", Cow::Owned(signature.clone())));
    let pairs = || oauth_list.iter().map(|(n, v)| (*n, v.as_ref()));
    let without_fragment = match url.fragment {
        Some(f) => Cow::Borrowed(&req.url[..req.url.len() - f.len() - 1]),
        None => Cow::Borrowed(req.url),
    };
    let mut signed_url = without_fragment;
    let mut body = req.body.map(Cow::Borrowed);
    let mut content_type = req.content_type;
    let mut authorization = None;
    match opts.placement {
        Placement::Header => {
            let cap = 16
                + pairs()
                    .map(|(n, v)| n.len() + v.len() * 3 / 2 + 5)
                    .sum::<usize>();
            let mut h = String::with_capacity(cap + oauth.realm.map_or(0, |r| r.len() + 9));
            write_header(&mut h, oauth.realm, pairs());
            authorization = Some(h);
        }
        Placement::Query => {
            let mut u = signed_url.into_owned();
            if url.query.is_none() {
                u.push('?');
            }
            append_pairs(&mut u, pairs());
            signed_url = Cow::Owned(u);
        }
        Placement::Body => {
            let mut b = match body {
                Some(b) => String::from_utf8_lossy(&b).into_owned(),
                None => String::new(),
            };
            append_pairs(&mut b, pairs());
            body = Some(Cow::Owned(b.into_bytes()));
            content_type = Some(content_type.unwrap_or(FORM));
        }
    }
    Signed {
        method,
        base_string,
        signature,
        oauth_params: oauth_list,
        authorization,
        url: signed_url,
        body,
        content_type,
    }
}

/// `oauth_body_hash`: base64 of the body's hash.
pub fn body_hash_of(hash: Hash, body: &[u8]) -> String {
    match hash {
        Hash::Sha1 => STANDARD.encode(sha1::Sha1::digest(body)),
        Hash::Sha256 => STANDARD.encode(sha2::Sha256::digest(body)),
        Hash::Sha512 => STANDARD.encode(sha2::Sha512::digest(body)),
    }
}

pub(crate) fn describe_content_type(ct: Option<&str>) -> String {
    match ct {
        Some(ct) => ct.split(';').next().unwrap_or(ct).trim().to_owned(),
        None => "of no declared type".to_owned(),
    }
}
