//! Request parameters (RFC 5849 section 3.4.1.3): collection from the query, a form body and
//! the protocol parameters, then normalization.
//!
//! Parameters are kept as an ordered multimap of their *encoded* names and values: duplicates
//! stay, and sorting compares the encoded forms byte by byte, as section 3.4.1.3.2 requires.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::encoding::{canonical, contains_byte, find_eq, reencode};

/// Where a parameter came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Name and value hold no `%`, so the base string's second encoding copies them as they are.
    pub plain: bool,
}

impl<'a> Param<'a> {
    /// A parameter from its encoded name and value.
    pub fn new(name: Cow<'a, str>, value: Cow<'a, str>, source: Source) -> Self {
        let plain = !contains_byte(name.as_bytes(), b'%') && !contains_byte(value.as_bytes(), b'%');
        Self {
            name,
            value,
            source,
            plain,
        }
    }
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
pub fn collect_form<'a>(out: &mut impl Extend<Param<'a>>, component: &'a str, source: Source) {
    out.extend(
        FormPairs::new(component)
            .filter(|pair| pair.name != "oauth_signature")
            .map(|pair| pair.into_param(source)),
    );
}

/// One `name=value` segment as it was sent, with what one look at its bytes found.
pub(crate) struct RawPair<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
    /// Each side is already in section 3.6 encoding (see [`crate::encoding::is_canonical`]).
    pub(crate) name_canonical: bool,
    pub(crate) value_canonical: bool,
    /// Some side holds a `%`.
    pub(crate) has_escape: bool,
}

impl<'a> RawPair<'a> {
    fn into_param(self, source: Source) -> Param<'a> {
        if self.name_canonical && self.value_canonical {
            // Already canonical: borrow, and the `%` scan is done.
            return Param {
                name: Cow::Borrowed(self.name),
                value: Cow::Borrowed(self.value),
                source,
                plain: !self.has_escape,
            };
        }
        let name = if self.name_canonical {
            Cow::Borrowed(self.name)
        } else {
            reencode(self.name, true)
        };
        let value = if self.value_canonical {
            Cow::Borrowed(self.value)
        } else {
            reencode(self.value, true)
        };
        Param::new(name, value, source)
    }
}

/// The segments of a query or form body, as [`split_pairs`] gives them, each side checked for
/// canonical encoding (see [`crate::encoding::is_canonical`]) with vector-friendly scans.
pub(crate) struct FormPairs<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> FormPairs<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }
}

impl<'a> Iterator for FormPairs<'a> {
    type Item = RawPair<'a>;

    fn next(&mut self) -> Option<RawPair<'a>> {
        loop {
            let rest = &self.text[self.at..];
            if rest.is_empty() {
                return None;
            }
            let end = find_eq(rest.as_bytes(), b'&').unwrap_or(rest.len());
            self.at = (self.at + end + 1).min(self.text.len());
            let segment = &rest[..end];
            if segment.is_empty() {
                continue;
            }
            let (name, value) = match find_eq(segment.as_bytes(), b'=') {
                Some(eq) => (&segment[..eq], &segment[eq + 1..]),
                None => (segment, ""),
            };
            let (name_canonical, name_plain) = classify(name);
            let (value_canonical, value_plain) = classify(value);
            return Some(RawPair {
                name,
                value,
                name_canonical,
                value_canonical,
                has_escape: !(name_plain && value_plain),
            });
        }
    }
}

/// Whether a wire component is canonical, and whether it is plain (holds no `%`; only
/// meaningful when canonical).
#[inline]
fn classify(s: &str) -> (bool, bool) {
    match canonical(s.as_bytes()) {
        Some(escaped) => (true, !escaped),
        None => (false, false),
    }
}

/// Sorts by encoded name, then encoded value (section 3.4.1.3.2, step 2).
pub fn sort(params: &mut [Param<'_>]) {
    // Few parameters, often nearly sorted: a stable insertion sort beats the general sort here.
    for i in 1..params.len() {
        let mut j = i;
        while j > 0 && cmp_params(&params[j - 1], &params[j]) == Ordering::Greater {
            params.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// The order of section 3.4.1.3.2: encoded name, then encoded value, byte by byte.
#[inline]
pub(crate) fn cmp_params(a: &Param<'_>, b: &Param<'_>) -> Ordering {
    cmp_bytes(a.name.as_bytes(), b.name.as_bytes())
        .then_with(|| cmp_bytes(a.value.as_bytes(), b.value.as_bytes()))
}

/// Byte-wise comparison that settles most parameter names on their first eight bytes in
/// registers before calling `memcmp`.
#[inline]
pub(crate) fn cmp_bytes(a: &[u8], b: &[u8]) -> Ordering {
    // Names mostly differ in their first byte.
    if let (Some(x), Some(y)) = (a.first(), b.first())
        && x != y
    {
        return x.cmp(y);
    }
    if let (Some(x), Some(y)) = (a.first_chunk::<8>(), b.first_chunk::<8>()) {
        let (x, y) = (u64::from_be_bytes(*x), u64::from_be_bytes(*y));
        if x != y {
            return x.cmp(&y);
        }
    }
    a.cmp(b)
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
    use crate::encoding::is_canonical;

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
            params.push(Param::new(n.into(), v.into(), Source::OAuth));
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
    fn one_pass_reading_agrees_with_split_and_canonical_check() {
        let pieces = [
            "",
            "a",
            "A9-._~",
            "%20",
            "%2B",
            "%2b",
            "%41",
            "%",
            "%2",
            "+",
            "=",
            "&",
            "==",
            "é",
            "%C3%A9",
            "x%zz",
            "long-unreserved-value-of-more-than-sixteen-bytes",
            "Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21",
        ];
        for a in pieces {
            for b in pieces {
                for text in [
                    format!("{a}={b}"),
                    format!("{a}&{b}"),
                    format!("&{a}={b}&&{b}"),
                ] {
                    let fast: Vec<_> = FormPairs::new(&text)
                        .map(|p| (p.name, p.value, p.name_canonical, p.value_canonical))
                        .collect();
                    let slow: Vec<_> = split_pairs(&text)
                        .map(|(n, v)| (n, v, is_canonical(n), is_canonical(v)))
                        .collect();
                    assert_eq!(fast, slow, "{text:?}");
                    let mut collected = Vec::new();
                    collect_form(&mut collected, &text, Source::Query);
                    for p in &collected {
                        let expected = Param::new(p.name.clone(), p.value.clone(), Source::Query);
                        assert_eq!(p.plain, expected.plain, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn duplicates_are_kept_and_signature_dropped() {
        let mut params = Vec::new();
        collect_form(&mut params, "a=1&a=1&oauth_signature=x&&b", Source::Query);
        sort(&mut params);
        assert_eq!(normalize(&params), "a=1&a=1&b=");
    }
}
