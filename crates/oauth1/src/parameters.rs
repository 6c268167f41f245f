//! Request parameters (RFC 5849 section 3.4.1.3): collection from the query, a form body and
//! the protocol parameters, then normalization.
//!
//! Parameters are kept as an ordered multimap of their *encoded* names and values: duplicates
//! stay, and sorting compares the encoded forms byte by byte, as section 3.4.1.3.2 requires.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::encoding::reencode;

/// Where a parameter came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The URL's query string.
    Query,
    /// An `application/x-www-form-urlencoded` body.
    Body,
    /// A protocol parameter Signet adds (`oauth_*`).
    #[serde(rename = "oauth")]
    OAuth,
    /// The `Authorization` header of a received request.
    Header,
}

/// One parameter, name and value in RFC 5849 section 3.6 encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param<'a> {
    /// Encoded name.
    pub name: Cow<'a, str>,
    /// Encoded value.
    pub value: Cow<'a, str>,
    /// Where it came from.
    pub source: Source,
}

/// Splits an `a=1&b&c=` component into raw `(name, value)` pairs: empty segments are skipped
/// and a segment without `=` has an empty value (as `c2` in section 3.4.1.3.1's example).
pub fn split_pairs(component: &str) -> impl Iterator<Item = (&str, &str)> {
    component
        .split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| seg.split_once('=').unwrap_or((seg, "")))
}

/// Adds the parameters of a query string or form body (form-decoded: `+` is a space). The
/// `oauth_signature` parameter is never collected.
pub fn collect_form<'a>(out: &mut Vec<Param<'a>>, component: &'a str, source: Source) {
    for (name, value) in split_pairs(component) {
        if name == "oauth_signature" {
            continue;
        }
        out.push(Param {
            name: reencode(name, true),
            value: reencode(value, true),
            source,
        });
    }
}

/// Sorts by encoded name, then encoded value (section 3.4.1.3.2, step 2).
pub fn sort(params: &mut [Param<'_>]) {
    // Few parameters, often nearly sorted: a stable insertion sort beats the general sort here.
    for i in 1..params.len() {
        let mut j = i;
        while j > 0 && key(&params[j - 1]) > key(&params[j]) {
            params.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[inline]
fn key<'p>(p: &'p Param<'_>) -> (&'p [u8], &'p [u8]) {
    (p.name.as_bytes(), p.value.as_bytes())
}

/// The normalized parameter string: `name=value` pairs of sorted, encoded parameters joined
/// with `&` (section 3.4.1.3.2, steps 3 and 4).
pub fn normalize(sorted: &[Param<'_>]) -> String {
    let mut out = String::with_capacity(
        sorted
            .iter()
            .map(|p| p.name.len() + p.value.len() + 2)
            .sum(),
    );
    for (i, p) in sorted.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&p.name);
        out.push('=');
        out.push_str(&p.value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_3_4_1_3_example_normalizes() {
        // RFC 5849 section 3.4.1.3.2's example.
        let mut params = Vec::new();
        collect_form(
            &mut params,
            "b5=%3D%253D&a3=a&c%40=&a2=r%20b",
            Source::Query,
        );
        collect_form(&mut params, "c2&a3=2+q", Source::Body);
        for (n, v) in [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
        ] {
            params.push(Param {
                name: n.into(),
                value: v.into(),
                source: Source::OAuth,
            });
        }
        sort(&mut params);
        assert_eq!(
            normalize(&params),
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
        );
    }

    #[test]
    fn sorting_compares_encoded_bytes_not_raw_text() {
        // Raw '-' (0x2D) sorts before '/' (0x2F), but encoded "%2F" sorts before "-".
        let mut params = Vec::new();
        collect_form(&mut params, "k=-&k=%2F&k=%20", Source::Query);
        sort(&mut params);
        let values: Vec<_> = params.iter().map(|p| p.value.as_ref()).collect();
        assert_eq!(values, ["%20", "%2F", "-"]);
    }

    #[test]
    fn duplicates_are_kept_and_signature_dropped() {
        let mut params = Vec::new();
        collect_form(&mut params, "a=1&a=1&oauth_signature=x&&b", Source::Query);
        sort(&mut params);
        assert_eq!(normalize(&params), "a=1&a=1&b=");
    }
}
