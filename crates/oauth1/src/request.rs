//! Signing a request from end to end: collect → normalize → base string URI → base string →
//! sign → place (RFC 5849 sections 3.1 to 3.5), in the RFC's order.
//!
//! [`sign`] is the fast path every request takes; [`sign_traced`] runs the same pipeline and
//! also returns the [`SigningTrace`] the wizard's inspector renders.

use std::borrow::Cow;
use std::cmp::Ordering;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha1::Digest;

use smallvec::SmallVec;

use crate::base_string::{UrlParts, normalize_method};
use crate::encoding::{
    all_unreserved, contains_byte, decode, encode, encode_encoded_into, encode_into, lossy,
    reencode,
};
use crate::error::{Error, Result};
use crate::parameters::{FormPairs, cmp_bytes};
use crate::placement::{Placement, append_pairs, write_realm};
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
    if content_type == FORM {
        return true;
    }
    let media_type = match content_type.bytes().position(|b| b == b';') {
        Some(i) => &content_type[..i],
        None => content_type,
    };
    media_type.trim().eq_ignore_ascii_case(FORM)
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
    /// The `Authorization` header value, for header placement.
    pub authorization: Option<String>,
    /// The URL to request (with the parameters appended for query placement, no fragment).
    pub url: Cow<'a, str>,
    /// The body to send (with the parameters appended for body placement).
    pub body: Option<Cow<'a, [u8]>>,
    /// The content type to send with the body.
    pub content_type: Option<&'a str>,
    /// The protocol parameters sent, from which [`Signed::oauth_params`] lists them.
    sent: Sent<'a>,
    /// The `oauth_signature` value (UTF-8; inline for every HMAC signature).
    signature: SmallVec<[u8; 88]>,
}

impl<'a> Signed<'a> {
    /// The `oauth_signature` value (not percent-encoded).
    pub fn signature(&self) -> &str {
        std::str::from_utf8(&self.signature).expect("signatures are text")
    }

    /// Every `oauth_*` parameter sent, in sending order, `oauth_signature` last (values
    /// decoded).
    pub fn oauth_params(&self) -> Vec<(&str, &str)> {
        let mut out = Vec::with_capacity(NAMES.len() + 1 + self.sent.extra.len());
        self.sent.each(|_, name, value| out.push((name, value)));
        out.push(("oauth_signature", self.signature()));
        out
    }
}

/// The protocol parameters of one signature, as they were given: what [`Signed::oauth_params`]
/// lists, kept without building the list on every signature.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sent<'a> {
    consumer_key: &'a str,
    token: Option<&'a str>,
    signature_method: &'static str,
    timestamp: &'a str,
    nonce: &'a str,
    version: Option<&'static str>,
    callback: Option<&'a str>,
    verifier: Option<&'a str>,
    body_hash: Option<String>,
    extra: &'a [(&'a str, &'a str)],
    include_empty: bool,
}

impl<'a> Sent<'a> {
    /// The standard parameters in sending order, as `(rank, value)`; `None` when not given.
    #[inline(always)]
    fn standard(&self) -> [(u8, Option<&str>); 9] {
        [
            (CONSUMER_KEY, Some(self.consumer_key)),
            (TOKEN, self.token),
            (SIGNATURE_METHOD, Some(self.signature_method)),
            (TIMESTAMP, Some(self.timestamp)),
            (NONCE, Some(self.nonce)),
            (VERSION, self.version),
            (CALLBACK, self.callback),
            (VERIFIER, self.verifier),
            (BODY_HASH, self.body_hash.as_deref()),
        ]
    }

    /// Calls `f(rank, name, value)` for every parameter sent, in sending order (extras have
    /// rank [`EXTRA`]).
    #[inline(always)]
    fn each<'s>(&'s self, mut f: impl FnMut(u8, &'s str, &'s str)) {
        for (rank, value) in self.standard() {
            if let Some(v) = value
                && self.sends(v)
            {
                f(rank, NAMES[rank as usize], v);
            }
        }
        for &(name, value) in self.extra {
            if self.sends(value) {
                f(EXTRA, name, value);
            }
        }
    }

    /// Whether a parameter with this value is sent: empty ones only when asked for.
    #[inline(always)]
    fn sends(&self, value: &str) -> bool {
        self.include_empty || !value.is_empty()
    }

    /// The names left out because their value is empty, in the order they were given.
    fn omitted_empty(&self) -> Vec<&str> {
        if self.include_empty {
            return Vec::new();
        }
        let standard = self
            .standard()
            .into_iter()
            .filter(|(_, v)| v.is_some_and(str::is_empty))
            .map(|(rank, _)| NAMES[rank as usize]);
        let extra = self
            .extra
            .iter()
            .filter(|(_, v)| v.is_empty())
            .map(|&(n, _)| n);
        standard.chain(extra).collect()
    }
}

/// What the trace needs from the pipeline, gathered after signing.
pub(crate) struct Prepared<'a> {
    pub method: Cow<'a, str>,
    pub url: UrlParts<'a>,
    pub form_body: Option<&'a str>,
    /// The protocol parameters in sending order, values decoded (no signature).
    pub oauth: Vec<(&'a str, Cow<'a, str>)>,
    pub base_string: String,
    pub body_hash: Option<Hash>,
    pub omitted_empty: Vec<&'a str>,
}

impl<'a> Prepared<'a> {
    fn after(
        req: &HttpRequest<'a>,
        opts: &SignOptions,
        method_kind: SignatureMethod,
        signed: &'a Signed<'_>,
    ) -> Result<Self> {
        let is_form = req.is_form();
        let form_body = match (is_form, req.body) {
            (true, Some(body)) => {
                Some(std::str::from_utf8(body).map_err(|_| Error::FormBodyNotUtf8)?)
            }
            _ => None,
        };
        let mut oauth = Vec::new();
        signed
            .sent
            .each(|_, name, value| oauth.push((name, Cow::Borrowed(value))));
        Ok(Self {
            method: Cow::Borrowed(&signed.method),
            url: UrlParts::parse(req.url)?,
            form_body,
            oauth,
            base_string: signed.base_string.clone(),
            body_hash: if opts.body_hash && !is_form {
                method_kind.hash()
            } else {
                None
            },
            omitted_empty: signed.sent.omitted_empty(),
        })
    }

    /// The normalized parameter string: the base string's last part, decoded once.
    pub(crate) fn normalized_parameters(&self) -> String {
        let encoded = self.base_string.rsplit_once('&').map_or("", |(_, p)| p);
        lossy(&decode(encoded)).into_owned()
    }
}

/// Signs `req` with `oauth` and `signer`, placing the parameters as `opts` says.
pub fn sign<'a>(
    req: &HttpRequest<'a>,
    oauth: &OAuthParams<'a>,
    signer: &Signer,
    opts: &SignOptions,
) -> Result<Signed<'a>> {
    let method_kind = signer.method();
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
        let hash = method_kind.hash().ok_or(Error::BodyHashWithPlaintext)?;
        Some(body_hash_of(hash, req.body.unwrap_or_default()))
    } else {
        None
    };
    let sent = Sent {
        consumer_key: oauth.consumer_key,
        token: oauth.token,
        signature_method: method_kind.as_str(),
        timestamp: oauth.timestamp,
        nonce: oauth.nonce,
        version: opts.include_version.then_some("1.0"),
        callback: oauth.callback,
        verifier: oauth.verifier,
        body_hash,
        extra: oauth.extra,
        include_empty: opts.include_empty,
    };

    // Encoding, first as spans: text that must be (re-)encoded goes to `scratch`, which is
    // only read once it is complete.
    let mut scratch = String::new();
    let mut wire: SmallVec<[(Span<'_>, Span<'_>, bool); 8]> = SmallVec::new();
    if let Some(q) = url.query {
        collect_spans(&mut wire, &mut scratch, q);
    }
    if let Some(b) = form_body {
        collect_spans(&mut wire, &mut scratch, b);
    }
    // Protocol values by rank (`None` when not sent), and the extras in sending order.
    let mut standard: [Option<(Span<'_>, bool)>; 9] = [None; 9];
    for (rank, value) in sent.standard() {
        if let Some(v) = value
            && sent.sends(v)
        {
            standard[rank as usize] = Some(if rank == SIGNATURE_METHOD || rank == VERSION {
                // Signet's own values are plain text.
                (Span::Text(v), true)
            } else {
                encode_span(&mut scratch, v)
            });
        }
    }
    let mut extras: SmallVec<[(Span<'_>, Span<'_>, bool); 2]> = SmallVec::new();
    for (i, &(name, value)) in sent.extra.iter().enumerate() {
        if sent.sends(value) {
            if name == "oauth_signature" {
                return Err(Error::ReservedParameter(name.to_owned()));
            }
            let sent_already = NAMES
                .iter()
                .position(|n| *n == name)
                .is_some_and(|rank| standard[rank].is_some())
                || sent.extra[..i]
                    .iter()
                    .any(|&(n, v)| n == name && sent.sends(v));
            if sent_already {
                return Err(Error::RepeatedParameter(name.to_owned()));
            }
            let (n, np) = encode_span(&mut scratch, name);
            let (v, vp) = encode_span(&mut scratch, value);
            extras.push((n, v, np && vp));
        }
    }
    let scratch = scratch.as_str();

    // The request's parameters, sorted among themselves (stable: few, often nearly sorted).
    let mut wire: SmallVec<[Item<'_>; 8]> = wire
        .into_iter()
        .map(|(n, v, plain)| Item {
            name: n.get(scratch),
            value: v.get(scratch),
            plain,
            rank: EXTRA,
        })
        .collect();
    for i in 1..wire.len() {
        let mut j = i;
        while j > 0 && wire[j - 1].cmp(&wire[j]) == Ordering::Greater {
            wire.swap(j - 1, j);
            j -= 1;
        }
    }
    // The protocol parameters, sorted: Signet's names by rank, each extra after every
    // parameter not greater than it (so ties keep sending order).
    let mut protocol: SmallVec<[Item<'_>; 12]> = SmallVec::new();
    for (rank, slot) in standard.iter().enumerate() {
        if let Some((v, plain)) = slot {
            protocol.push(Item {
                name: NAMES[rank],
                value: v.get(scratch),
                plain: *plain,
                rank: rank as u8,
            });
        }
    }
    for (n, v, plain) in &extras {
        let e = Item {
            name: n.get(scratch),
            value: v.get(scratch),
            plain: *plain,
            rank: EXTRA,
        };
        let at = protocol.partition_point(|p| p.cmp(&e) != Ordering::Greater);
        protocol.insert(at, e);
    }

    // The base string, merging the two sorted lists as it goes; equal keys put the request's
    // parameters first.
    let params_len: usize = wire
        .iter()
        .chain(protocol.iter())
        .map(|p| (p.name.len() + p.value.len()) * 5 / 3 + 6)
        .sum();
    let mut base_string = String::with_capacity(
        method.len()
            + 2
            + 3 * (url.scheme.len() + url.host.len() + url.path.len() + 12)
            + params_len,
    );
    base_string.push_str(&method);
    base_string.push('&');
    url.write_encoded_base_uri(&mut base_string);
    base_string.push('&');
    let params_start = base_string.len();
    let mut w = 0;
    for p in &protocol {
        while w < wire.len() && wire[w].cmp(p) != Ordering::Greater {
            wire[w].write_base(&mut base_string);
            w += 1;
        }
        p.write_base(&mut base_string);
    }
    for p in &wire[w..] {
        p.write_base(&mut base_string);
    }
    if base_string.len() > params_start {
        // The last parameter's separator.
        base_string.truncate(base_string.len() - 3);
    }

    let mut signature = SmallVec::new();
    signer.sign_to(&base_string, &mut signature)?;
    let sig = std::str::from_utf8(&signature).expect("signatures are text");

    // Placement: the protocol parameters in sending order, encoded, then the signature.
    let mut signed_url = match url.fragment {
        Some(f) => Cow::Borrowed(&req.url[..req.url.len() - f.len() - 1]),
        None => Cow::Borrowed(req.url),
    };
    let mut body = req.body.map(Cow::Borrowed);
    let mut content_type = req.content_type;
    let mut authorization = None;
    match opts.placement {
        Placement::Header => {
            let realm = oauth.realm.map_or(0, |r| 2 * r.len() + 9);
            let mut h = String::with_capacity(6 + realm + params_len + 24 + 3 * sig.len());
            h.push_str("OAuth ");
            if let Some(realm) = oauth.realm {
                write_realm(&mut h, realm);
                h.push_str(", ");
            }
            for rank in SENDING {
                if let Some((v, _)) = standard[rank as usize] {
                    push_header_name(&mut h, rank);
                    h.push_str(v.get(scratch));
                    h.push_str("\", ");
                }
            }
            for (n, v, _) in &extras {
                h.push_str(n.get(scratch));
                h.push_str("=\"");
                h.push_str(v.get(scratch));
                h.push_str("\", ");
            }
            h.push_str("oauth_signature=\"");
            encode_into(&mut h, sig);
            h.push('"');
            authorization = Some(h);
        }
        Placement::Query => {
            let mut u = signed_url.into_owned();
            if url.query.is_none() {
                u.push('?');
            }
            append_sent(&mut u, &standard, &extras, scratch, sig);
            signed_url = Cow::Owned(u);
        }
        Placement::Body => {
            let mut b = match body {
                Some(b) => String::from_utf8_lossy(&b).into_owned(),
                None => String::new(),
            };
            append_sent(&mut b, &standard, &extras, scratch, sig);
            body = Some(Cow::Owned(b.into_bytes()));
            content_type = Some(content_type.unwrap_or(FORM));
        }
    }
    // The spans borrow `sent` (the body hash), which moves into the result.
    drop((wire, protocol, extras));
    Ok(Signed {
        method,
        base_string,
        authorization,
        url: signed_url,
        body,
        content_type,
        sent,
        signature,
    })
}

/// Like [`sign`], and also explains every step as a [`SigningTrace`].
pub fn sign_traced<'a>(
    req: &HttpRequest<'a>,
    oauth: &OAuthParams<'a>,
    signer: &Signer,
    opts: &SignOptions,
) -> Result<(Signed<'a>, SigningTrace)> {
    let signed = sign(req, oauth, signer, opts)?;
    let trace = {
        let prepared = Prepared::after(req, opts, signer.method(), &signed)?;
        trace::Input::new(req, oauth, opts, &prepared, signer).finish(&signed)
    };
    Ok((signed, trace))
}

/// Text that is either borrowed from the request or sits in the pipeline's scratch buffer.
#[derive(Debug, Clone, Copy)]
enum Span<'a> {
    Text(&'a str),
    Scratch(usize, usize),
}

impl<'a> Span<'a> {
    #[inline(always)]
    fn get<'s>(self, scratch: &'s str) -> &'s str
    where
        'a: 's,
    {
        match self {
            Span::Text(t) => t,
            Span::Scratch(a, b) => &scratch[a..b],
        }
    }
}

/// The section 3.6 encoding of raw text as a span, and whether it is plain (holds no `%`).
#[inline(always)]
fn encode_span<'a>(scratch: &mut String, text: &'a str) -> (Span<'a>, bool) {
    if all_unreserved(text.as_bytes()) {
        (Span::Text(text), true)
    } else {
        let start = scratch.len();
        encode_into(scratch, text);
        (Span::Scratch(start, scratch.len()), false)
    }
}

/// Collects a query's or form body's parameters (never `oauth_signature`) as encoded spans.
fn collect_spans<'a>(
    out: &mut SmallVec<[(Span<'a>, Span<'a>, bool); 8]>,
    scratch: &mut String,
    component: &'a str,
) {
    for pair in FormPairs::new(component) {
        if pair.name == "oauth_signature" {
            continue;
        }
        if pair.name_canonical && pair.value_canonical {
            out.push((
                Span::Text(pair.name),
                Span::Text(pair.value),
                !pair.has_escape,
            ));
            continue;
        }
        let mut side = |text: &'a str, canonical: bool| -> (Span<'a>, bool) {
            if canonical {
                (Span::Text(text), !contains_byte(text.as_bytes(), b'%'))
            } else {
                let start = scratch.len();
                scratch.push_str(&reencode(text, true));
                let plain = !contains_byte(&scratch.as_bytes()[start..], b'%');
                (Span::Scratch(start, scratch.len()), plain)
            }
        };
        let (n, np) = side(pair.name, pair.name_canonical);
        let (v, vp) = side(pair.value, pair.value_canonical);
        out.push((n, v, np && vp));
    }
}

/// One signed parameter, name and value in section 3.6 encoding.
#[derive(Clone, Copy)]
struct Item<'s> {
    name: &'s str,
    value: &'s str,
    /// Name and value hold no `%`.
    plain: bool,
    /// The name's rank in [`NAMES`], or [`EXTRA`] for any other name.
    rank: u8,
}

impl Item<'_> {
    /// The order of section 3.4.1.3.2: encoded name, then encoded value, byte by byte.
    #[inline(always)]
    fn cmp(&self, other: &Item<'_>) -> Ordering {
        cmp_bytes(self.name.as_bytes(), other.name.as_bytes())
            .then_with(|| cmp_bytes(self.value.as_bytes(), other.value.as_bytes()))
    }

    /// Appends `enc(name=value)` and the separator `%26` to the base string (the caller cuts
    /// the last separator).
    #[inline(always)]
    fn write_base(&self, out: &mut String) {
        if self.rank != EXTRA {
            push_base_name(out, self.rank);
        } else if self.plain {
            out.push_str(self.name);
            out.push_str("%3D");
        } else {
            encode_encoded_into(out, self.name);
            out.push_str("%3D");
        }
        if self.plain {
            out.push_str(self.value);
        } else {
            encode_encoded_into(out, self.value);
        }
        out.push_str("%26");
    }
}

/// Appends `name%3D` for one of [`NAMES`] (by rank) to the base string, or `name="` to the
/// header: each arm pushes a constant, so every copy's length is known when compiled.
macro_rules! push_by_rank {
    ($out:expr, $rank:expr, $suffix:literal) => {
        match $rank {
            BODY_HASH => $out.push_str(concat!("oauth_body_hash", $suffix)),
            CALLBACK => $out.push_str(concat!("oauth_callback", $suffix)),
            CONSUMER_KEY => $out.push_str(concat!("oauth_consumer_key", $suffix)),
            NONCE => $out.push_str(concat!("oauth_nonce", $suffix)),
            SIGNATURE_METHOD => $out.push_str(concat!("oauth_signature_method", $suffix)),
            TIMESTAMP => $out.push_str(concat!("oauth_timestamp", $suffix)),
            TOKEN => $out.push_str(concat!("oauth_token", $suffix)),
            VERIFIER => $out.push_str(concat!("oauth_verifier", $suffix)),
            _ => $out.push_str(concat!("oauth_version", $suffix)),
        }
    };
}

#[inline(always)]
fn push_base_name(out: &mut String, rank: u8) {
    push_by_rank!(out, rank, "%3D");
}

#[inline(always)]
fn push_header_name(out: &mut String, rank: u8) {
    push_by_rank!(out, rank, "=\"");
}

/// Appends the encoded protocol parameters in sending order, then the signature, to a query or
/// form body.
fn append_sent(
    out: &mut String,
    standard: &[Option<(Span<'_>, bool)>; 9],
    extras: &[(Span<'_>, Span<'_>, bool)],
    scratch: &str,
    sig: &str,
) {
    let standard = SENDING.iter().filter_map(|&rank| {
        standard[rank as usize].map(|(v, _)| (NAMES[rank as usize], v.get(scratch)))
    });
    let extras = extras
        .iter()
        .map(|(n, v, _)| (n.get(scratch), v.get(scratch)));
    append_pairs(out, standard.chain(extras));
    append_pairs(
        out,
        std::iter::once(("oauth_signature", encode(sig).as_ref())),
    );
}

/// The protocol parameter names Signet itself adds, in sorted order: plain text, nothing to
/// encode, and their index is their place in the sort.
const NAMES: [&str; 9] = [
    "oauth_body_hash",
    "oauth_callback",
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_token",
    "oauth_verifier",
    "oauth_version",
];
const BODY_HASH: u8 = 0;
const CALLBACK: u8 = 1;
const CONSUMER_KEY: u8 = 2;
const NONCE: u8 = 3;
const SIGNATURE_METHOD: u8 = 4;
const TIMESTAMP: u8 = 5;
const TOKEN: u8 = 6;
const VERIFIER: u8 = 7;
const VERSION: u8 = 8;
/// The rank of any other name (a provider's extra, a request parameter).
const EXTRA: u8 = u8::MAX;
/// Signet's names in sending order.
const SENDING: [u8; 9] = [
    CONSUMER_KEY,
    TOKEN,
    SIGNATURE_METHOD,
    TIMESTAMP,
    NONCE,
    VERSION,
    CALLBACK,
    VERIFIER,
    BODY_HASH,
];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn photos(placement: Placement) -> Signed<'static> {
        let req = HttpRequest {
            method: "GET",
            url: "https://photos.example.net/photos?size=original",
            content_type: None,
            body: None,
        };
        let oauth = OAuthParams {
            consumer_key: "dpf43f3p2l4k3l03",
            token: Some("nnch734d00sl2jdk"),
            nonce: "chapoH",
            timestamp: "137131202",
            realm: Some("Photos \"x\""),
            extra: &[("oauth_session_handle", "a b")],
            ..Default::default()
        };
        let signer = Signer::shared(
            SignatureMethod::Plaintext,
            &Secret::new("kd94hf93k423kf44"),
            Some(&Secret::new("pfkkdhi9sl3r4s00")),
        )
        .unwrap();
        let opts = SignOptions {
            placement,
            ..Default::default()
        };
        sign(&req, &oauth, &signer, &opts).unwrap()
    }

    #[test]
    fn the_header_has_the_realm_then_signets_parameters_then_the_extras_then_the_signature() {
        let signed = photos(Placement::Header);
        assert_eq!(
            signed.authorization.as_deref(),
            Some(concat!(
                r#"OAuth realm="Photos \"x\"", oauth_consumer_key="dpf43f3p2l4k3l03", "#,
                r#"oauth_token="nnch734d00sl2jdk", oauth_signature_method="PLAINTEXT", "#,
                r#"oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_version="1.0", "#,
                r#"oauth_session_handle="a%20b", "#,
                r#"oauth_signature="kd94hf93k423kf44%26pfkkdhi9sl3r4s00""#
            ))
        );
        // An extra is sorted among the protocol parameters like any other.
        assert_eq!(
            signed.base_string,
            concat!(
                "GET&https%3A%2F%2Fphotos.example.net%2Fphotos&",
                "oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26",
                "oauth_session_handle%3Da%2520b%26oauth_signature_method%3DPLAINTEXT%26",
                "oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26",
                "oauth_version%3D1.0%26size%3Doriginal"
            )
        );
    }

    #[test]
    fn an_extra_parameter_sent_twice_or_set_by_signing_is_refused() {
        let req = HttpRequest {
            method: "GET",
            url: "https://photos.example.net/photos",
            ..Default::default()
        };
        let signer = Signer::shared(SignatureMethod::HmacSha1, &Secret::new("cs"), None).unwrap();
        let with = |token: Option<&'static str>, extra: &'static [(&'static str, &'static str)]| {
            let oauth = OAuthParams {
                consumer_key: "ck",
                token,
                nonce: "n",
                timestamp: "1",
                extra,
                ..Default::default()
            };
            sign(&req, &oauth, &signer, &SignOptions::default()).map(|s| s.base_string)
        };
        let twice = Err(Error::RepeatedParameter("oauth_session_handle".into()));
        assert_eq!(
            with(
                None,
                &[("oauth_session_handle", "a"), ("oauth_session_handle", "b")]
            ),
            twice
        );
        assert_eq!(
            with(Some("t"), &[("oauth_token", "t2")]),
            Err(Error::RepeatedParameter("oauth_token".into()))
        );
        assert_eq!(
            with(None, &[("oauth_signature", "x")]),
            Err(Error::ReservedParameter("oauth_signature".into()))
        );
        // Not sent, so not repeated: an empty extra is left out, a standard name unused is free.
        assert!(
            with(
                None,
                &[("oauth_session_handle", ""), ("oauth_session_handle", "b")]
            )
            .is_ok()
        );
        assert!(with(None, &[("oauth_token", "t2")]).is_ok());
        assert!(
            Error::RepeatedParameter("oauth_token".into())
                .to_string()
                .contains("remove the extra one")
        );
    }

    #[test]
    fn empty_parameters_are_left_out_unless_asked_for_and_the_version_is_optional() {
        let req = HttpRequest {
            method: "POST",
            url: "https://photos.example.net/access",
            ..Default::default()
        };
        let oauth = OAuthParams {
            consumer_key: "ck",
            token: Some(""),
            verifier: Some(""),
            nonce: "n",
            timestamp: "1",
            ..Default::default()
        };
        let signer = Signer::shared(SignatureMethod::Plaintext, &Secret::new("cs"), None).unwrap();
        let sign_with = |include_empty, include_version| {
            let opts = SignOptions {
                include_empty,
                include_version,
                ..Default::default()
            };
            sign(&req, &oauth, &signer, &opts).unwrap()
        };

        let left_out = sign_with(false, true);
        assert_eq!(
            left_out.authorization.as_deref(),
            Some(concat!(
                r#"OAuth oauth_consumer_key="ck", oauth_signature_method="PLAINTEXT", "#,
                r#"oauth_timestamp="1", oauth_nonce="n", oauth_version="1.0", "#,
                r#"oauth_signature="cs%26""#
            ))
        );
        assert!(!left_out.base_string.contains("oauth_token"));

        let sent = sign_with(true, false);
        assert_eq!(
            sent.authorization.as_deref(),
            Some(concat!(
                r#"OAuth oauth_consumer_key="ck", oauth_token="", "#,
                r#"oauth_signature_method="PLAINTEXT", oauth_timestamp="1", oauth_nonce="n", "#,
                r#"oauth_verifier="", oauth_signature="cs%26""#
            ))
        );
        assert_eq!(
            sent.base_string,
            concat!(
                "POST&https%3A%2F%2Fphotos.example.net%2Faccess&oauth_consumer_key%3Dck%26",
                "oauth_nonce%3Dn%26oauth_signature_method%3DPLAINTEXT%26oauth_timestamp%3D1%26",
                "oauth_token%3D%26oauth_verifier%3D"
            )
        );
        let names: Vec<&str> = sent.oauth_params().into_iter().map(|(n, _)| n).collect();
        assert!(names.contains(&"oauth_token") && !names.contains(&"oauth_version"));
    }

    #[test]
    fn query_placement_appends_the_parameters_in_sending_order_and_the_signature_last() {
        let signed = photos(Placement::Query);
        assert_eq!(signed.authorization, None);
        assert_eq!(
            signed.url,
            concat!(
                "https://photos.example.net/photos?size=original",
                "&oauth_consumer_key=dpf43f3p2l4k3l03&oauth_token=nnch734d00sl2jdk",
                "&oauth_signature_method=PLAINTEXT&oauth_timestamp=137131202",
                "&oauth_nonce=chapoH&oauth_version=1.0&oauth_session_handle=a%20b",
                "&oauth_signature=kd94hf93k423kf44%26pfkkdhi9sl3r4s00"
            )
        );
    }
}
