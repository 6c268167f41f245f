//! Provider responses to the token requests (RFC 5849 sections 2.1 and 2.3) and the errors
//! they report (the OAuth Problem Reporting extension: `oauth_problem`, `oauth_problem_advice`,
//! `oauth_parameters_absent`, ...). Responses are untrusted input: nothing here panics, and
//! error messages quote a bounded, sanitized, secret-free excerpt of the body.

use crate::error::ErrorKind;
use serde::{Deserialize, Serialize};

use crate::encoding::{form_decode, lossy};
use crate::parameters::split_pairs;
use crate::secret::{REDACTED, Secret};

/// Temporary or token credentials as the provider issued them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// `oauth_token`.
    pub token: String,
    /// `oauth_token_secret` (redacted when serialized).
    pub token_secret: Secret,
    /// `oauth_callback_confirmed`, when the provider sent it.
    pub callback_confirmed: Option<bool>,
    /// Every other field, in the order sent (`user_id`, `screen_name`, `xoauth_*`, ...).
    pub extra: Vec<(String, String)>,
}

impl TokenResponse {
    /// The first extra field called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A provider's `oauth_problem` report, with a plain-language reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The HTTP status it came with.
    pub status: u16,
    /// The `oauth_problem` code, as sent.
    pub code: String,
    /// `oauth_problem_advice`, when sent.
    pub advice: Option<String>,
    /// `oauth_parameters_absent`, split on `&`.
    pub parameters_absent: Vec<String>,
    /// `oauth_parameters_rejected`, split on `&`.
    pub parameters_rejected: Vec<String>,
    /// `oauth_acceptable_timestamps` (`min-max`), when sent.
    pub acceptable_timestamps: Option<String>,
    /// What the code means, in plain words.
    pub cause: String,
    /// What to do about it.
    pub fix: String,
}

impl Problem {
    /// Builds a problem from its fields and reads the code.
    pub fn from_fields(status: u16, fields: &[(String, String)]) -> Option<Self> {
        // The provider's words, each kept to a length a message can carry.
        let get = |n: &str| {
            fields
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| bounded_words(v, MAX_PROBLEM_FIELD))
        };
        let code = get("oauth_problem")?;
        let list = |n: &str| -> Vec<String> {
            get(n)
                .map(|v| {
                    v.split('&')
                        .filter(|s| !s.is_empty())
                        .take(20)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let (cause, fix) = explain_problem(&code);
        let mut p = Self {
            status,
            code: code.clone(),
            advice: get("oauth_problem_advice"),
            parameters_absent: list("oauth_parameters_absent"),
            parameters_rejected: list("oauth_parameters_rejected"),
            acceptable_timestamps: get("oauth_acceptable_timestamps"),
            cause: cause.to_owned(),
            fix: fix.to_owned(),
        };
        if !p.parameters_absent.is_empty() {
            p.cause = format!("{} (missing: {})", p.cause, p.parameters_absent.join(", "));
        }
        if !p.parameters_rejected.is_empty() {
            p.cause = format!(
                "{} (rejected: {})",
                p.cause,
                p.parameters_rejected.join(", ")
            );
        }
        Some(p)
    }
}

/// The most characters of one field of a problem report a message carries.
const MAX_PROBLEM_FIELD: usize = 300;

/// `text` cut to `max` characters (with `…` when cut), control characters as spaces.
fn bounded_words(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The meaning of the standard `oauth_problem` codes: (cause, fix).
pub fn explain_problem(code: &str) -> (&'static str, &'static str) {
    match code {
        "version_rejected" => (
            "the provider does not accept this oauth_version",
            "turn off \"send oauth_version\" or make sure it is 1.0",
        ),
        "parameter_absent" => (
            "a required parameter is missing from the request",
            "add the parameters the provider names; a missing oauth_callback is the usual cause on the request-token step",
        ),
        "parameter_rejected" => (
            "the provider refused one of the parameters",
            "remove or correct the parameters the provider names",
        ),
        "timestamp_refused" => (
            "the request's timestamp is outside the window the provider accepts; the computer's clock is probably wrong",
            "set the clock automatically (NTP) or apply the clock offset Signet suggests, then retry",
        ),
        "nonce_used" => (
            "this nonce was already used, so the provider thinks the request is a replay",
            "retry: every attempt gets a fresh nonce; if it persists, the clock may be wrong too",
        ),
        "signature_method_rejected" => (
            "the provider does not accept this signature method",
            "pick a method the provider supports (the preset lists them)",
        ),
        "signature_invalid" => (
            "the provider computed a different signature",
            "check the consumer secret (and token secret), the URL exactly as registered, and the parameters; compare the base string in the trace with the provider's",
        ),
        "consumer_key_unknown" => (
            "the provider does not know this consumer key",
            "copy the consumer key again from the provider's developer page; check for spaces and for the sandbox-versus-production host",
        ),
        "consumer_key_rejected" => (
            "the consumer key is known but not allowed to do this",
            "check that the app is enabled and has the needed permissions at the provider",
        ),
        "consumer_key_refused" => (
            "the consumer key is blocked for now",
            "wait or contact the provider; the app may be rate limited or suspended",
        ),
        "token_used" => (
            "this token was already used",
            "start the flow again to get a fresh request token",
        ),
        "token_expired" => (
            "the token has expired",
            "start the flow again; request tokens usually live only minutes",
        ),
        "token_revoked" => (
            "the token was revoked by the user or the provider",
            "connect again to get a new access token",
        ),
        "token_rejected" => (
            "the provider does not accept this token",
            "start the flow again; make sure the access-token step uses the request token from this run",
        ),
        "verifier_invalid" => (
            "the verifier does not match the request token",
            "authorise again and use the newest PIN or redirect",
        ),
        "additional_authorization_required" => (
            "the token lacks a permission this call needs",
            "authorise again and grant the needed permissions",
        ),
        "permission_unknown" => (
            "the provider does not know the permission asked for",
            "check the scope or permission parameters on the authorize URL",
        ),
        "permission_denied" => (
            "the user or provider denied the permission",
            "ask for fewer permissions or have the user approve them",
        ),
        "user_refused" => (
            "the user declined to authorise the app",
            "start again and choose Allow on the provider's page",
        ),
        other => crate::diagnose::decoder::explain_code(other).unwrap_or((
            "the provider reported a problem Signet does not know",
            "read the provider's advice and the raw response below",
        )),
    }
}

/// Why a response could not be read as credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResponseError {
    /// The provider reported an `oauth_problem`.
    #[error("the provider refused the request: {} ({})", .0.code, .0.cause)]
    Problem(Box<Problem>),
    /// An error status without a problem report.
    #[error("the provider answered http {status} without an oauth_problem: {excerpt}")]
    HttpStatus {
        /// The status.
        status: u16,
        /// A safe excerpt of the body.
        excerpt: String,
    },
    /// Nothing came back.
    #[error(
        "the provider sent an empty response (http {status}) where a token response was expected"
    )]
    Empty {
        /// The status.
        status: u16,
    },
    /// The body is not a token response at all.
    #[error("the response is {looks_like}, not a token response; it starts: {excerpt}")]
    NotTokenResponse {
        /// "an HTML page", "XML", "unreadable text".
        looks_like: String,
        /// A safe excerpt of the body.
        excerpt: String,
    },
    /// A required field is missing.
    #[error("the token response has no {field}; it has: {present}")]
    MissingField {
        /// `oauth_token` or `oauth_token_secret`.
        field: String,
        /// The names of the fields it has.
        present: String,
    },
}

impl ResponseError {
    /// Stable kind for the UI.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Problem(_) => ErrorKind::ProviderProblem,
            Self::HttpStatus { .. } => ErrorKind::HttpStatus,
            Self::Empty { .. } => ErrorKind::EmptyResponse,
            Self::NotTokenResponse { .. } => ErrorKind::NotTokenResponse,
            Self::MissingField { .. } => ErrorKind::MissingField,
        }
    }

    /// The provider's own words: its advice (else its problem code), or the start of what it
    /// sent.
    pub fn provider_says(&self) -> Option<String> {
        match self {
            Self::Problem(p) => Some(p.advice.clone().unwrap_or_else(|| p.code.clone())),
            Self::HttpStatus { excerpt, .. } | Self::NotTokenResponse { excerpt, .. } => {
                Some(excerpt.clone()).filter(|e| !e.trim().is_empty())
            }
            Self::Empty { .. } | Self::MissingField { .. } => None,
        }
    }

    /// What to do next.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Self::Problem(p) => p.fix.clone(),
            Self::HttpStatus { status, .. } if *status >= 500 => {
                "the provider had an internal error; wait a moment and retry".into()
            }
            Self::HttpStatus { status: 401, .. } => {
                "401 usually means the signature or credentials were refused: check the consumer key and secret and compare the base string".into()
            }
            Self::HttpStatus { status: 404, .. } => "check the endpoint URL for typos and the right host".into(),
            Self::HttpStatus { .. } => "read the raw response below for the provider's reason".into(),
            Self::Empty { .. } => {
                "check that the URL is the provider's token endpoint, not its web site; then retry".into()
            }
            Self::NotTokenResponse { .. } => {
                "the URL may point at a web page rather than the token endpoint, or a proxy answered instead of the provider; check the endpoint URLs".into()
            }
            Self::MissingField { .. } => {
                "the provider's answer is incomplete; check the endpoint URL and retry".into()
            }
        })
    }
}

/// Reads a token-endpoint response (form-encoded; JSON tolerated).
pub fn parse_token_response(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<TokenResponse, ResponseError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ResponseError::Empty { status });
    }
    let fields = parse_fields(content_type, body);
    let Some(fields) = fields else {
        return Err(if (200..300).contains(&status) {
            not_token_response(content_type, body)
        } else {
            ResponseError::HttpStatus {
                status,
                excerpt: excerpt(body),
            }
        });
    };
    if let Some(p) = Problem::from_fields(status, &fields) {
        return Err(ResponseError::Problem(Box::new(p)));
    }
    if !(200..300).contains(&status) {
        return Err(ResponseError::HttpStatus {
            status,
            excerpt: field_names(&fields),
        });
    }
    let mut token = None;
    let mut secret = None;
    let mut confirmed = None;
    let mut extra = Vec::new();
    for (k, v) in fields {
        match k.as_str() {
            "oauth_token" if token.is_none() => token = Some(v),
            "oauth_token_secret" if secret.is_none() => secret = Some(Secret::new(v)),
            "oauth_callback_confirmed" if confirmed.is_none() => {
                confirmed = Some(v.eq_ignore_ascii_case("true"))
            }
            _ => extra.push((k, v)),
        }
    }
    let missing = |field: &str, extra: &[(String, String)], has_token: bool, has_secret: bool| {
        let mut names: Vec<&str> = Vec::new();
        if has_token {
            names.push("oauth_token");
        }
        if has_secret {
            names.push("oauth_token_secret");
        }
        names.extend(extra.iter().map(|(k, _)| k.as_str()));
        ResponseError::MissingField {
            field: field.to_owned(),
            present: if names.is_empty() {
                "no fields".into()
            } else {
                names.join(", ")
            },
        }
    };
    match (token, secret) {
        (Some(token), Some(token_secret)) if !token.is_empty() => Ok(TokenResponse {
            token,
            token_secret,
            callback_confirmed: confirmed,
            extra,
        }),
        (t, s) if t.as_deref().is_none_or(str::is_empty) => {
            Err(missing("oauth_token", &extra, false, s.is_some()))
        }
        (_, _) => Err(missing("oauth_token_secret", &extra, true, false)),
    }
}

/// Reads a response that is not a token response (an API error, say) for its problem report.
pub fn parse_problem(status: u16, content_type: Option<&str>, body: &[u8]) -> Option<Problem> {
    parse_fields(content_type, body).and_then(|f| Problem::from_fields(status, &f))
}

/// Decodes a body as form fields, or as a flat JSON object. `None` when it is neither.
fn parse_fields(content_type: Option<&str>, body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    // The body says what it is; the content type only breaks a tie. Providers label form
    // bodies text/html or application/json often enough (X's request token came as text/html):
    // a body that reads as a form is one.
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let json_labelled = ct.contains("json") && !text.contains('=');
    if text.starts_with('{') || json_labelled {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let obj = value.as_object()?;
        return Some(
            obj.iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        );
    }
    if text.starts_with('<') {
        return None;
    }
    // A form: name=value pairs whose names are plain tokens. Prose with an '=' in it is not one.
    let pairs: Vec<(String, String)> = split_pairs(text)
        .map(|(k, v)| {
            (
                lossy(&form_decode(k)).into_owned(),
                lossy(&form_decode(v)).into_owned(),
            )
        })
        .collect();
    let plausible = !pairs.is_empty()
        && text.contains('=')
        && pairs.iter().all(|(k, _)| {
            !k.is_empty()
                && k.len() <= 128
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.[]:".contains(&b))
        });
    plausible.then_some(pairs)
}

fn not_token_response(content_type: Option<&str>, body: &[u8]) -> ResponseError {
    let text = String::from_utf8_lossy(body);
    let t = text.trim_start().to_ascii_lowercase();
    let looks_like = if t.starts_with("<!doctype html")
        || t.starts_with("<html")
        || content_type.is_some_and(|c| c.contains("html"))
    {
        "an HTML page"
    } else if t.starts_with('<') {
        "XML"
    } else if t.starts_with('{') || t.starts_with('[') {
        "JSON without oauth_token"
    } else if std::str::from_utf8(body).is_err() {
        "binary data"
    } else {
        "unreadable text"
    };
    ResponseError::NotTokenResponse {
        looks_like: looks_like.into(),
        excerpt: excerpt(body),
    }
}

fn field_names(fields: &[(String, String)]) -> String {
    format!(
        "fields {}",
        name_list(fields.iter().map(|(k, _)| k.as_str()))
    )
}

/// At most a dozen names, each shortened: a hostile response cannot make a message huge.
fn name_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    const MAX: usize = 12;
    let names: Vec<&str> = names.collect();
    let mut shown: Vec<String> = names
        .iter()
        .take(MAX)
        .map(|n| {
            if n.chars().count() > 40 {
                format!("{}…", n.chars().take(40).collect::<String>())
            } else {
                (*n).to_owned()
            }
        })
        .collect();
    if names.len() > MAX {
        shown.push(format!("and {} more", names.len() - MAX));
    }
    shown.join(", ")
}

/// The provider's own words in an error answer that is not an OAuth problem report: the
/// message of a JSON error (`{"error": {"code": "X", "message": "..."}}`, `{"errors": [...]}`,
/// `{"error_description": ...}`), the message or fault string of an XML one, an HTML page's
/// title, or a text body's first line. At most 300 characters, control characters replaced and
/// secret-looking values redacted; `None` when the body says nothing readable.
pub fn error_words(content_type: Option<&str>, body: &[u8]) -> Option<String> {
    const MAX: usize = 300;
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let head: String = text
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    let words = if text.starts_with('{') || text.starts_with('[') || ct.contains("json") {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        json_words(&value, 0)?
    } else if ct.contains("html") || head.starts_with("<!doctype html") || head.starts_with("<html")
    {
        element_text(text, &["title", "h1"])?
    } else if text.starts_with('<') || ct.contains("xml") {
        element_text(
            text,
            &[
                "message",
                "faultstring",
                "error_description",
                "description",
                "error",
                "detail",
            ],
        )?
    } else {
        text.lines().next()?.to_owned()
    };
    let mut out = String::new();
    for word in words.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > MAX {
        out = format!("{}…", out.chars().take(MAX).collect::<String>());
    }
    let out = redact_secret_values(&out);
    (!out.is_empty()).then_some(out)
}

/// The message in a JSON error, with its code in front when it has one.
fn json_words(v: &serde_json::Value, depth: usize) -> Option<String> {
    use serde_json::Value;
    const KEYS: [&str; 11] = [
        "message",
        "error_description",
        "errorMessage",
        "error_message",
        "detail",
        "description",
        "title",
        "error",
        "errors",
        "fault",
        "reason",
    ];
    if depth > 4 {
        return None;
    }
    match v {
        Value::String(s) if depth > 0 => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(|x| json_words(x, depth + 1)),
        Value::Object(o) => {
            let found = KEYS
                .iter()
                .find_map(|k| o.get(*k).and_then(|x| json_words(x, depth + 1)))?;
            let code = ["code", "error_code", "errorCode"]
                .iter()
                .find_map(|k| match o.get(*k) {
                    Some(Value::String(c)) if !c.is_empty() && !found.contains(c.as_str()) => {
                        Some(c.clone())
                    }
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                });
            Some(match code {
                Some(c) => format!("{c}: {found}"),
                None => found,
            })
        }
        _ => None,
    }
}

/// The text inside the first of these elements found (tags inside it dropped).
fn element_text(markup: &str, names: &[&str]) -> Option<String> {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `markup`.
    let lower = markup.to_ascii_lowercase();
    names.iter().find_map(|name| {
        let open = format!("<{name}");
        let mut from = 0;
        let start = loop {
            let at = from + lower.get(from..)?.find(&open)?;
            let after = at + open.len();
            // `<title>` or `<title lang=..>`, not `<titles>`.
            match lower.as_bytes().get(after) {
                Some(b'>' | b' ' | b'\t' | b'\n' | b'\r') => {
                    break after + lower.get(after..)?.find('>')? + 1;
                }
                _ => from = after,
            }
        };
        let end = start + lower.get(start..)?.find(&format!("</{name}"))?;
        let inner = markup.get(start..end)?;
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'");
        let text = text.trim().to_owned();
        (!text.is_empty()).then_some(text)
    })
}

/// The first 160 characters of a body, control characters replaced and anything that looks like
/// a secret value redacted: safe to show and to store.
pub fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 160;
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    out = redact_secret_values(&out);
    let out = out.trim().to_owned();
    if out.is_empty() {
        return "(empty body)".into();
    }
    if text.chars().count() > MAX {
        format!("\"{out}…\"")
    } else {
        format!("\"{out}\"")
    }
}

/// Replaces the value after any `…secret=` or `"…secret": "` with `<redacted>`.
pub fn redact_secret_values(text: &str) -> String {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut search) = (0, 0);
    while let Some(i) = lower[search..].find("secret") {
        let after = search + i + "secret".len();
        let sep = text[after..]
            .bytes()
            .take_while(|b| matches!(b, b'=' | b':' | b'"' | b' ' | b'\''))
            .count();
        let start = after + sep;
        let len = text[start..]
            .find(['&', '"', '\'', ',', ' ', '<', '}'])
            .unwrap_or(text.len() - start);
        if sep > 0 && len > 0 {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = start + len;
        }
        search = start + len.max(1).min(text.len() - start);
        if search >= text.len() {
            break;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorReport;

    #[track_caller]
    fn ok(body: &str) -> TokenResponse {
        parse_token_response(
            200,
            Some("application/x-www-form-urlencoded"),
            body.as_bytes(),
        )
        .unwrap()
    }

    #[track_caller]
    fn err(status: u16, ct: Option<&str>, body: &str) -> ResponseError {
        parse_token_response(status, ct, body.as_bytes()).unwrap_err()
    }

    #[test]
    fn reads_rfc_5849_responses_and_extra_fields() {
        let r = ok(
            "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true",
        );
        assert_eq!(r.token, "hh5s93j4hdidpola");
        assert_eq!(r.token_secret.expose(), "hdhd0244k9j7ao03");
        assert_eq!(r.callback_confirmed, Some(true));
        let r = ok(
            "oauth_token=6253282-eWudHldSbIaelX7swmsiHImEL4KinwaGloHANdrY&oauth_token_secret=2EEfA6BG3ly3sR3RjE0IBSnlQu4ZrUzPiYKmrkVU&user_id=6253282&screen_name=twitterapi",
        );
        assert_eq!(r.callback_confirmed, None);
        assert_eq!(r.get("screen_name"), Some("twitterapi"));
        assert_eq!(r.get("user_id"), Some("6253282"));
        let r = ok("oauth_token=a%2Bb&oauth_token_secret=c+d");
        assert_eq!((r.token.as_str(), r.token_secret.expose()), ("a+b", "c d"));
    }

    /// Fuzz finding: a problem report's fields are the provider's and can be any length; the
    /// message keeps each to a few hundred characters.
    #[test]
    fn a_problem_report_of_any_length_makes_a_short_message() {
        let long = "x".repeat(5000);
        let body = format!(
            "oauth_problem={long}&oauth_problem_advice={long}&oauth_parameters_absent={}",
            format!("{long}%26").repeat(50)
        );
        let e = err(401, Some("text/html"), &body);
        let msg = e.to_string();
        assert!(msg.len() < 4096, "{} bytes", msg.len());
        assert!(msg.contains("xxx…"), "{msg}");
    }

    /// Providers label form bodies as text/html (X's request token did) or application/json:
    /// the body says what it is.
    #[test]
    fn a_form_body_under_another_content_type_is_read_as_a_form() {
        for ct in [
            "text/html;charset=utf-8",
            "application/json",
            "application/xml",
            "text/plain",
        ] {
            let r = parse_token_response(
                200,
                Some(ct),
                b"oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true",
            )
            .unwrap_or_else(|e| panic!("{ct}: {e}"));
            assert_eq!(
                (r.token.as_str(), r.token_secret.expose()),
                ("t", "s"),
                "{ct}"
            );
        }
        // A page is still a page, whatever it is labelled.
        assert!(matches!(
            err(
                200,
                Some("application/x-www-form-urlencoded"),
                "<html><body>hi</body></html>"
            ),
            ResponseError::NotTokenResponse { .. }
        ));
    }

    #[test]
    fn tolerates_json() {
        let r = parse_token_response(
            200,
            Some("application/json"),
            br#"{"oauth_token":"t","oauth_token_secret":"s","expires_in":3600}"#,
        )
        .unwrap();
        assert_eq!(r.token, "t");
        assert_eq!(r.get("expires_in"), Some("3600"));
    }

    #[test]
    fn problems_are_typed_and_explained() {
        let e = err(
            401,
            None,
            "oauth_problem=timestamp_refused&oauth_acceptable_timestamps=137131200-137131800",
        );
        let ResponseError::Problem(p) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(p.code, "timestamp_refused");
        assert_eq!(
            p.acceptable_timestamps.as_deref(),
            Some("137131200-137131800")
        );
        assert!(p.cause.contains("clock"), "{}", p.cause);
        assert_eq!(e.kind(), "provider_problem");
        let e = err(
            400,
            None,
            "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_callback%26oauth_nonce&oauth_problem_advice=send+a+callback",
        );
        let ResponseError::Problem(p) = &e else {
            panic!()
        };
        assert_eq!(p.parameters_absent, ["oauth_callback", "oauth_nonce"]);
        assert_eq!(p.advice.as_deref(), Some("send a callback"));
        // The provider's words travel apart from Signet's hint, as it sent them.
        assert_eq!(e.provider_says().as_deref(), Some("send a callback"));
        assert!(!e.hint().unwrap().contains("send a callback"));
        let report = ErrorReport::from(&crate::Error::Response(e.clone()));
        assert_eq!(report.provider_says.as_deref(), Some("send a callback"));
        assert_eq!(
            e.to_string(),
            "the provider refused the request: parameter_absent (a required parameter is missing from the request (missing: oauth_callback, oauth_nonce))"
        );
    }

    #[test]
    fn html_and_garbage_are_quoted() {
        let e = err(
            200,
            Some("text/html"),
            "<!DOCTYPE html><html><body>Login</body></html>",
        );
        assert_eq!(
            e.to_string(),
            "the response is an HTML page, not a token response; it starts: \"<!DOCTYPE html><html><body>Login</body></html>\""
        );
        let e = err(200, None, "this is not it at all");
        assert_eq!(
            e.to_string(),
            "the response is unreadable text, not a token response; it starts: \"this is not it at all\""
        );
        let e = err(200, None, "");
        assert_eq!(
            e.to_string(),
            "the provider sent an empty response (http 200) where a token response was expected"
        );
        let long = "x".repeat(500);
        let e = err(200, None, &long);
        assert!(e.to_string().ends_with("…\""), "{e}");
        let e = err(502, Some("text/html"), "<html>Bad gateway</html>");
        assert_eq!(
            e.to_string(),
            "the provider answered http 502 without an oauth_problem: \"<html>Bad gateway</html>\""
        );
        assert!(e.hint().unwrap().contains("retry"));
    }

    #[test]
    fn missing_fields_never_quote_secrets() {
        let e = err(200, None, "oauth_token_secret=TOPSECRET&x=1");
        assert_eq!(
            e.to_string(),
            "the token response has no oauth_token; it has: oauth_token_secret, x"
        );
        let e = err(200, None, "oauth_token=abc");
        assert_eq!(
            e.to_string(),
            "the token response has no oauth_token_secret; it has: oauth_token"
        );
        // Garbage that contains a secret-looking value is redacted in the excerpt.
        let e = err(200, None, "<p>oauth_token_secret=TOPSECRET</p>");
        assert!(!e.to_string().contains("TOPSECRET"), "{e}");
    }

    #[test]
    fn redaction_of_secret_values() {
        assert_eq!(
            redact_secret_values("a=1&oauth_token_secret=abc&b=2"),
            "a=1&oauth_token_secret=<redacted>&b=2"
        );
        assert_eq!(
            redact_secret_values(r#"{"client_secret": "zz"}"#),
            r#"{"client_secret": "<redacted>"}"#
        );
        assert_eq!(redact_secret_values("no secrets here"), "no secrets here");
        assert_eq!(redact_secret_values("secret"), "secret");
    }

    #[test]
    fn error_words_read_json_xml_html_and_text_errors() {
        let w = |ct: Option<&str>, body: &str| error_words(ct, body.as_bytes());
        let json = Some("application/json");
        assert_eq!(
            w(
                json,
                r#"{"error":{"code":"NOT_FOUND","message":"there is no order \"5\""}}"#
            )
            .as_deref(),
            Some("NOT_FOUND: there is no order \"5\"")
        );
        assert_eq!(
            w(
                json,
                r#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#
            )
            .as_deref(),
            Some("32: Could not authenticate you.")
        );
        assert_eq!(
            w(
                None,
                r#"{"error":"invalid_request","error_description":"Missing id"}"#
            )
            .as_deref(),
            Some("Missing id")
        );
        assert_eq!(w(json, r#"{"ok":false}"#), None);
        assert_eq!(w(json, "[1, 2]"), None);
        assert_eq!(w(json, "{not json"), None);
        assert_eq!(
            w(
                Some("application/xml"),
                "<?xml version=\"1.0\"?><error><code>TENANT</code><message>Wrong   tenant\n here</message></error>"
            )
            .as_deref(),
            Some("Wrong tenant here")
        );
        assert_eq!(
            w(
                Some("text/html"),
                "<!DOCTYPE html><html><head><title lang=en>Bad &amp; wrong</title></head><body><h1>x</h1></body></html>"
            )
            .as_deref(),
            Some("Bad & wrong")
        );
        assert_eq!(
            w(None, "<html><body><h1>Sign <b>in</b></h1></body></html>").as_deref(),
            Some("Sign in")
        );
        assert_eq!(
            w(Some("text/plain"), "  Rate limited\nsecond line").as_deref(),
            Some("Rate limited")
        );
        assert_eq!(w(None, ""), None);
        assert_eq!(error_words(None, &[0xff, 0xfe, 0x00]), None);
        // Bounded, and no secret-looking value survives.
        let long = format!(r#"{{"message":"{}"}}"#, "a".repeat(10_000));
        assert_eq!(w(json, &long).unwrap().chars().count(), 301);
        let leaky = w(json, r#"{"message":"bad oauth_token_secret=abc123 given"}"#).unwrap();
        assert!(!leaky.contains("abc123"), "{leaky}");
    }

    proptest::proptest! {
        #[test]
        fn error_words_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
                                   ct in proptest::sample::select(vec![None, Some("application/json"), Some("text/html"), Some("application/xml"), Some("text/plain")])) {
            let _ = error_words(ct, &body);
            let text = String::from_utf8_lossy(&body).into_owned();
            for wrapped in [format!("<title>{text}"), format!("<message>{text}</message"), format!("{{\"error\":{text}}}")] {
                let _ = error_words(ct, wrapped.as_bytes());
            }
        }
    }
}
