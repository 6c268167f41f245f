//! Where the protocol parameters travel (RFC 5849 section 3.5): the `Authorization` header,
//! the query string, or a form body. Also the parser for received `Authorization` headers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::encoding::{decode, encode, lossy};
use crate::error::{Error, Result};

/// The three transmission methods of section 3.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// `Authorization: OAuth ...` (section 3.5.1), the one providers prefer.
    #[default]
    Header,
    /// Appended to the URL's query (section 3.5.3).
    Query,
    /// Appended to a form-encoded body (section 3.5.2).
    Body,
}

impl Placement {
    /// All three, header first.
    pub const ALL: [Placement; 3] = [Placement::Header, Placement::Query, Placement::Body];

    /// `header`, `query` or `body`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Query => "query",
            Self::Body => "body",
        }
    }
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Placement {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::UnknownPlacement(s.to_owned()))
    }
}

/// Appends `OAuth realm="...", name="value", ...` (realm first, values quoted) from names and
/// values already in section 3.6 encoding.
pub(crate) fn write_header<'p>(
    out: &mut String,
    realm: Option<&str>,
    params: impl Iterator<Item = (&'p str, &'p str)>,
) {
    out.push_str("OAuth ");
    let mut first = true;
    if let Some(realm) = realm {
        write_realm(out, realm);
        first = false;
    }
    for (name, value) in params {
        if !first {
            out.push_str(", ");
        }
        first = false;
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(value);
        out.push('"');
    }
}

/// Appends already-encoded `name=value` pairs to a query or form body, `&`-separated.
pub(crate) fn append_pairs<'p>(out: &mut String, params: impl Iterator<Item = (&'p str, &'p str)>) {
    for (name, value) in params {
        if !out.is_empty() && !out.ends_with('&') && !out.ends_with('?') {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
}

/// A parsed `Authorization: OAuth ...` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthorizationHeader {
    /// The realm, when present (never signed).
    pub realm: Option<String>,
    /// Every other parameter, decoded, in the order sent.
    pub params: Vec<(String, String)>,
}

impl AuthorizationHeader {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Writes the header value back: `OAuth realm="...", name="value", ...`.
    pub fn to_header_value(&self) -> String {
        let encoded: Vec<_> = self
            .params
            .iter()
            .map(|(n, v)| (encode(n), encode(v)))
            .collect();
        let mut out = String::new();
        write_header(
            &mut out,
            self.realm.as_deref(),
            encoded.iter().map(|(n, v)| (n.as_ref(), v.as_ref())),
        );
        out
    }

    /// Parses the header value. The scheme `OAuth` is case-insensitive; parameters are
    /// `name="value"` separated by commas with optional whitespace; values are percent-decoded.
    pub fn parse(header: &str) -> Result<Self> {
        let bad = |why: String| Error::MalformedAuthorization(why);
        let header = header.trim();
        let rest = match header.split_once(|c: char| c.is_ascii_whitespace()) {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("oauth") => rest,
            None if header.eq_ignore_ascii_case("oauth") => "",
            _ => {
                let scheme: String = header
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .take(20)
                    .collect();
                return Err(bad(format!("the scheme is {scheme:?}, not OAuth")));
            }
        };
        let mut out = Self::default();
        let mut s = rest.trim_start();
        while !s.is_empty() {
            let eq = s
                .find('=')
                .ok_or_else(|| bad(format!("expected name=\"value\" at {:?}", head(s))))?;
            let name = s[..eq].trim();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b',')
            {
                return Err(bad(format!("invalid parameter name {:?}", head(name))));
            }
            s = s[eq + 1..].trim_start();
            let raw = if let Some(body) = s.strip_prefix('"') {
                let (value, after) = quoted(body)
                    .ok_or_else(|| bad(format!("the value of {name} has no closing quote")))?;
                s = after;
                value
            } else {
                // Tolerate unquoted tokens, as some clients send them.
                let end = s.find(',').unwrap_or(s.len());
                let v = s[..end].trim_end().to_owned();
                s = &s[end..];
                v
            };
            s = s.trim_start();
            if let Some(after) = s.strip_prefix(',') {
                s = after.trim_start();
            } else if !s.is_empty() {
                return Err(bad(format!(
                    "expected a comma after {name}, found {:?}",
                    head(s)
                )));
            }
            if name == "realm" {
                out.realm = Some(raw);
            } else {
                out.params.push((
                    lossy(&decode(name)).into_owned(),
                    lossy(&decode(&raw)).into_owned(),
                ));
            }
        }
        Ok(out)
    }
}

/// Reads a quoted-string body up to its closing quote, resolving `\` escapes.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &s[i + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

fn head(s: &str) -> String {
    s.chars().take(32).collect()
}

/// Appends the realm parameter: a quoted-string, not encoded (section 3.5.1), with what would
/// break the quoting escaped.
pub(crate) fn write_realm(out: &mut String, realm: &str) {
    out.push_str("realm=\"");
    for c in realm.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_realm_first_quoted_and_encoded() {
        let h = AuthorizationHeader {
            realm: Some("Photos".into()),
            params: vec![
                ("oauth_callback".into(), "http://x/y?a=1".into()),
                ("oauth_nonce".into(), "n".into()),
            ],
        };
        assert_eq!(
            h.to_header_value(),
            "OAuth realm=\"Photos\", oauth_callback=\"http%3A%2F%2Fx%2Fy%3Fa%3D1\", oauth_nonce=\"n\""
        );
    }

    #[test]
    fn parses_what_it_writes_and_common_variants() {
        let h = AuthorizationHeader::parse(
            "OAuth realm=\"Example\",oauth_consumer_key=\"0685bd9184jfhq22\", oauth_signature=\"wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D\" ,oauth_version=1.0",
        )
        .unwrap();
        assert_eq!(h.realm.as_deref(), Some("Example"));
        assert_eq!(h.get("oauth_consumer_key"), Some("0685bd9184jfhq22"));
        assert_eq!(
            h.get("oauth_signature"),
            Some("wOJIO9A2W5mFwDgiDvZbTSMK/PY=")
        );
        assert_eq!(h.get("oauth_version"), Some("1.0"));
        assert_eq!(
            AuthorizationHeader::parse("oauth").unwrap(),
            AuthorizationHeader::default()
        );
    }

    #[test]
    fn malformed_headers_are_explained() {
        let e = |h: &str| AuthorizationHeader::parse(h).unwrap_err().to_string();
        assert_eq!(
            e("Bearer abc"),
            "malformed oauth authorization header: the scheme is \"Bearer\", not OAuth"
        );
        assert_eq!(
            e("OAuth a=\"b"),
            "malformed oauth authorization header: the value of a has no closing quote"
        );
        assert!(e("OAuth a=\"b\" c=\"d\"").contains("expected a comma after a"));
        assert!(e("OAuth novalue").contains("expected name=\"value\""));
    }

    #[test]
    fn placement_names() {
        assert_eq!("Query".parse::<Placement>().unwrap(), Placement::Query);
        assert_eq!(
            "cookie".parse::<Placement>().unwrap_err().to_string(),
            "unknown parameter placement \"cookie\": use header, query or body"
        );
    }
}
