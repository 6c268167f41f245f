//! Copy as curl: a request as a POSIX shell command that sends the same bytes — the method, the
//! URL exactly as signed (curl neither globs it nor tidies its path), every header Signet sets,
//! the content type and the body byte for byte — and the masking rules for the secrets a signed
//! call carries (an API key, a Basic password, a PLAINTEXT signature), which the app, the CLI and
//! the recorded history share.
//!
//! curl adds its own `User-Agent`, `Accept` and `Content-Length`; none of them is signed.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use signet_oauth1::SignatureMethod;
use signet_oauth1::secret::REDACTED;

use crate::resolve::{PreparedCall, SignedCall};

/// A request as curl is to send it.
#[derive(Debug, Clone, Copy)]
pub struct Wire<'a> {
    /// The upper-case method.
    pub method: &'a str,
    /// The URL, query included.
    pub url: &'a str,
    /// Headers, in order (a `Content-Type` among them is left to `content_type`).
    pub headers: &'a [(String, String)],
    /// The body's content type.
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: Option<&'a [u8]>,
}

/// A curl command and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CurlCommand {
    /// The command, one option a line (`\` continues it), quoted for POSIX shells.
    pub command: String,
    /// What is masked as `<redacted>` in it, in plain words; empty when it is complete.
    pub masked: Vec<String>,
}

/// Quotes `s` for a POSIX shell: single quotes, a single quote itself as `'\''`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The curl command that sends `w`.
pub fn render(w: &Wire<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut first = String::from("curl");
    // curl reads `[]{}` in a URL as a glob and tidies `/./` and `/../`: neither is wanted of a
    // URL whose every byte is signed.
    if w.url.contains(['[', ']', '{', '}']) {
        first.push_str(" --globoff");
    }
    if has_dot_segment(w.url) {
        first.push_str(" --path-as-is");
    }
    let has_body = w.body.is_some();
    match (w.method, has_body) {
        ("GET", false) => {}
        ("HEAD", false) => first.push_str(" --head"),
        ("POST", true) => {}
        (m, _) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            let _ = write!(first, " -X {m}");
        }
        (m, _) => {
            let _ = write!(first, " -X {}", quote(m));
        }
    }
    let _ = write!(first, " {}", quote(w.url));
    parts.push(first);
    for (name, value) in w.headers {
        if name.eq_ignore_ascii_case("content-type") && w.content_type.is_some() {
            continue;
        }
        parts.push(format!("-H {}", quote(&format!("{name}: {value}"))));
    }
    match (w.content_type, w.body) {
        (Some(ct), _) => parts.push(format!("-H {}", quote(&format!("Content-Type: {ct}")))),
        // curl would call a body a form.
        (None, Some(_)) => parts.push(format!("-H {}", quote("Content-Type:"))),
        (None, None) => {}
    }
    match w.body {
        Some(b) => parts.push(format!(
            "--data-binary {}",
            quote(&String::from_utf8_lossy(b))
        )),
        // As Signet sends it: servers may refuse a bodiless POST without a length.
        None if w.method != "GET" && w.method != "HEAD" => {
            parts.push(format!("-H {}", quote("Content-Length: 0")));
        }
        None => {}
    }
    parts.join(" \\\n  ")
}

fn has_dot_segment(url: &str) -> bool {
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    path.split('/').skip(1).any(|s| s == "." || s == "..")
}

/// Masks the value of query parameter `name` in `url` (its encoded name too).
pub fn mask_query(url: &str, name: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let encoded = signet_oauth1::encoding::encode(name);
    let parts: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k == encoded || k == name => format!("{k}={REDACTED}"),
            _ => p.to_owned(),
        })
        .collect();
    let mut out = format!("{base}?{}", parts.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// A signed call with its secrets masked — what the app shows, records and copies unless the
/// user reveals them — and what was masked, in plain words.
#[derive(Debug, Clone)]
pub struct Masked {
    /// The URL (secret query values and a PLAINTEXT signature masked).
    pub url: String,
    /// The headers (secret ones masked; `Authorization` as the trace shows it).
    pub headers: Vec<(String, String)>,
    /// The body as text (a PLAINTEXT signature masked).
    pub body: Option<String>,
    /// What was masked.
    pub masked: Vec<String>,
}

/// `signed` with every secret of `call` masked: the values of secret headers and query
/// parameters, and a PLAINTEXT signature (which is the consumer secret and the token secret)
/// wherever it travels.
pub fn mask(call: &PreparedCall, signed: &SignedCall) -> Masked {
    let mut masked = Vec::new();
    let plaintext = signed
        .trace
        .as_ref()
        .is_some_and(|t| t.signature_method == SignatureMethod::Plaintext);
    if plaintext {
        masked.push(
            "the PLAINTEXT signature (it is the consumer secret and the token secret)".to_owned(),
        );
    }
    let mut url = match &signed.trace {
        Some(t) => t.signed_url.clone(),
        None => signed.url.clone(),
    };
    let named = signet_oauth1::response::redact_secret_values(&url);
    if named != url {
        masked.push("query values named …secret".to_owned());
        url = named;
    }
    for name in &call.secret_query {
        let before = url.clone();
        url = mask_query(&url, name);
        if url != before {
            masked.push(format!("the query parameter {name}"));
        }
    }
    let headers = signed
        .headers
        .iter()
        .map(|(k, v)| {
            let secret = call
                .secret_headers
                .iter()
                .any(|m| m.eq_ignore_ascii_case(k));
            let value = if secret {
                masked.push(format!("the header {k}"));
                REDACTED.to_owned()
            } else if k.eq_ignore_ascii_case("authorization") {
                match signed
                    .trace
                    .as_ref()
                    .and_then(|t| t.authorization_header.clone())
                {
                    Some(shown) => shown,
                    None => {
                        masked.push(format!("the header {k}"));
                        REDACTED.to_owned()
                    }
                }
            } else {
                v.clone()
            };
            (k.clone(), value)
        })
        .collect();
    let body = signed.body.as_deref().map(|b| match &signed.trace {
        // A form body carries the oauth parameters for body placement: as the trace shows.
        Some(t) if t.signed_body.is_some() => t.signed_body.clone().unwrap_or_default(),
        _ => String::from_utf8_lossy(b).into_owned(),
    });
    Masked {
        url,
        headers,
        body,
        masked,
    }
}

/// A signed endpoint call as curl: its secrets masked unless `reveal`.
pub fn of_call(call: &PreparedCall, signed: &SignedCall, reveal: bool) -> CurlCommand {
    if reveal {
        return CurlCommand {
            command: render(&Wire {
                method: &signed.method,
                url: &signed.url,
                headers: &signed.headers,
                content_type: signed.content_type.as_deref(),
                body: signed.body.as_deref(),
            }),
            masked: Vec::new(),
        };
    }
    let m = mask(call, signed);
    CurlCommand {
        command: render(&Wire {
            method: &signed.method,
            url: &m.url,
            headers: &m.headers,
            content_type: signed.content_type.as_deref(),
            body: m.body.as_deref().map(str::as_bytes),
        }),
        masked: m.masked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire<'a>(
        method: &'a str,
        url: &'a str,
        headers: &'a [(String, String)],
        ct: Option<&'a str>,
        body: Option<&'a [u8]>,
    ) -> String {
        render(&Wire {
            method,
            url,
            headers,
            content_type: ct,
            body,
        })
    }

    #[test]
    fn a_get_is_the_url_and_its_headers() {
        let h = vec![(
            "Authorization".to_owned(),
            r#"OAuth oauth_consumer_key="k", oauth_signature="a%2Bb""#.to_owned(),
        )];
        assert_eq!(
            wire("GET", "https://api.example.com/x?a=1&b=%20", &h, None, None),
            "curl 'https://api.example.com/x?a=1&b=%20' \\\n  -H 'Authorization: OAuth oauth_consumer_key=\"k\", oauth_signature=\"a%2Bb\"'"
        );
    }

    #[test]
    fn a_form_post_sends_its_body_byte_for_byte() {
        let out = wire(
            "POST",
            "https://api.example.com/x",
            &[],
            Some("application/x-www-form-urlencoded"),
            Some(b"status=it's%20here&x=%2A"),
        );
        assert_eq!(
            out,
            "curl 'https://api.example.com/x' \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  --data-binary 'status=it'\\''s%20here&x=%2A'"
        );
    }

    #[test]
    fn other_methods_globs_and_dot_segments_are_kept_as_signed() {
        let out = wire("DELETE", "https://h/a/../b?f[x]=1", &[], None, None);
        assert!(
            out.starts_with("curl --globoff --path-as-is -X DELETE 'https://h/a/../b?f[x]=1'"),
            "{out}"
        );
        assert!(out.ends_with("-H 'Content-Length: 0'"), "{out}");
        assert_eq!(
            wire("HEAD", "https://h/", &[], None, None),
            "curl --head 'https://h/'"
        );
        let put = wire(
            "PUT",
            "https://h/",
            &[],
            Some("application/json"),
            Some(b"{}"),
        );
        assert!(put.starts_with("curl -X PUT 'https://h/'"), "{put}");
        let odd = wire("M;rm -rf", "https://h/", &[], None, None);
        assert!(odd.starts_with("curl -X 'M;rm -rf' "), "{odd}");
        // A path that only looks like dots is left alone.
        assert!(!has_dot_segment("https://h/a.b/..c?x=/../"));
    }

    #[test]
    fn a_content_type_among_the_headers_is_said_once() {
        let h = vec![("content-type".to_owned(), "text/plain".to_owned())];
        let out = wire("POST", "https://h/", &h, Some("text/csv"), Some(b"a,b"));
        assert_eq!(out.matches("ontent-Type").count(), 1, "{out}");
        assert!(out.contains("Content-Type: text/csv"));
    }

    #[test]
    fn quoting_survives_every_shell_character() {
        let nasty = "a'b\"c$d`e\\f!g\nh";
        let q = quote(nasty);
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {q}"))
            .output()
            .expect("sh runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), nasty);
        assert_eq!(quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn query_values_are_masked_by_name_encoded_or_not() {
        assert_eq!(
            mask_query("https://h/x?api_key=s3&b=1#f", "api_key"),
            "https://h/x?api_key=<redacted>&b=1#f"
        );
        assert_eq!(
            mask_query("https://h/x?a%20b=s3", "a b"),
            "https://h/x?a%20b=<redacted>"
        );
        assert_eq!(mask_query("https://h/x", "a"), "https://h/x");
    }
}
