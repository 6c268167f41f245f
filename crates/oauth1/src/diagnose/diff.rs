//! "Paste what the provider expected": our signature base string (RFC 5849 section 3.4.1)
//! against the provider's, taken apart into method, base string URI and normalized parameters,
//! compared parameter by parameter, with the first difference named in plain words.
//!
//! Providers that help echo their base string (Flickr's `debug_sbs`, the demo provider's
//! `debug_base_string`); otherwise the user pastes it from the provider's logs or docs.
//! [`extract_base_string`] finds it inside whatever was pasted.

use serde::{Deserialize, Serialize};

use crate::encoding::{decode, encode, form_decode, lossy};
use crate::parameters::split_pairs;

/// One way the two base strings differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// The HTTP methods differ.
    Method {
        /// Ours.
        ours: String,
        /// Theirs.
        theirs: String,
    },
    /// The base string URIs differ.
    Uri {
        /// Ours, decoded.
        ours: String,
        /// Theirs, decoded.
        theirs: String,
        /// What exactly differs.
        note: String,
    },
    /// A parameter we signed that the provider did not see.
    OnlyOurs {
        /// The name, decoded.
        name: String,
        /// Its value as encoded in the base string.
        value: String,
    },
    /// A parameter the provider saw that we did not sign.
    OnlyTheirs {
        /// The name, decoded.
        name: String,
        /// Its value as encoded in the base string.
        value: String,
    },
    /// Both have the parameter with different values.
    Value {
        /// The name, decoded.
        name: String,
        /// Our value as encoded.
        ours: String,
        /// Theirs as encoded.
        theirs: String,
        /// What differs (encoding, a `+`, double encoding, or simply another value).
        note: String,
    },
    /// Theirs is not a base string at all.
    Unreadable {
        /// Why.
        reason: String,
    },
}

impl Difference {
    /// In plain words.
    pub fn describe(&self) -> String {
        match self {
            Self::Method { ours, theirs } => {
                format!("the method differs: Signet signed {ours}, the provider expected {theirs}")
            }
            Self::Uri { ours, theirs, note } => {
                format!(
                    "the URL differs ({note}): Signet signed {ours}, the provider expected {theirs}"
                )
            }
            Self::OnlyOurs { name, value } => format!(
                "Signet signed the parameter {name}={value} but the provider did not see it: it may have been dropped on the way, or sent where the provider does not look"
            ),
            Self::OnlyTheirs { name, value } => format!(
                "the provider saw the parameter {name}={value} that Signet did not sign: add it to the request, or check that it is part of what gets sent"
            ),
            Self::Value {
                name,
                ours,
                theirs,
                note,
            } => format!(
                "{name} differs ({note}): Signet signed {ours}, the provider expected {theirs}"
            ),
            Self::Unreadable { reason } => {
                format!("the pasted text is not a signature base string: {reason}")
            }
        }
    }
}

/// Two base strings compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BaseStringDiff {
    /// Byte for byte the same.
    pub identical: bool,
    /// Every difference, in base-string order (method, URI, parameters by name).
    pub differences: Vec<Difference>,
    /// The first difference, in plain words; "the base strings are identical" when there is
    /// none (then the secrets differ).
    pub summary: String,
    /// Our base string.
    pub ours: String,
    /// Theirs, as extracted.
    pub theirs: String,
}

impl BaseStringDiff {
    /// The first difference.
    pub fn first(&self) -> Option<&Difference> {
        self.differences.first()
    }
}

const DEBUG_FIELDS: [&str; 4] = [
    "debug_base_string",
    "debug_sbs",
    "oauth_signature_base_string",
    "base_string",
];

/// Finds a signature base string in pasted text: a `debug_sbs=` / `debug_base_string=` field
/// of a problem report (decoded), or a `METHOD&http…` run of text (once more decoded if the
/// whole thing arrived encoded). `None` when there is none.
pub fn extract_base_string(text: &str) -> Option<String> {
    let text = text.trim();
    if !text.starts_with(['<', '{']) {
        for (k, v) in split_pairs(text) {
            if DEBUG_FIELDS.contains(&k) {
                let v = lossy(&form_decode(v)).into_owned();
                if looks_like_base_string(&v) {
                    return Some(v);
                }
            }
        }
    }
    // JSON: "debug_base_string": "..."
    for field in DEBUG_FIELDS {
        let key = format!("\"{field}\"");
        if let Some(i) = text.find(&key) {
            let rest = &text[i + key.len()..];
            let rest = rest.trim_start().strip_prefix(':')?.trim_start();
            let rest = rest.strip_prefix('"')?;
            let end = rest.find('"')?;
            let v = &rest[..end];
            if looks_like_base_string(v) {
                return Some(v.to_owned());
            }
        }
    }
    for (marker, encoded) in [("&http", false), ("%26http", true)] {
        let lower = text.to_ascii_lowercase();
        let Some(at) = lower.find(marker) else {
            continue;
        };
        // The method runs back from the marker over upper-case letters; stop after the
        // first other character, however many bytes it takes (the text may be any UTF-8).
        let start = text[..at]
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_ascii_uppercase())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = text[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | ','))
            .map_or(text.len(), |i| at + i);
        let run = &text[start..end];
        let run = if encoded {
            lossy(&decode(run)).into_owned()
        } else {
            run.to_owned()
        };
        if looks_like_base_string(&run) {
            return Some(run);
        }
    }
    None
}

fn looks_like_base_string(s: &str) -> bool {
    let mut parts = s.splitn(3, '&');
    let (Some(m), Some(u)) = (parts.next(), parts.next()) else {
        return false;
    };
    !m.is_empty()
        && m.bytes().all(|b| b.is_ascii_alphabetic())
        && u.to_ascii_lowercase().starts_with("http")
}

struct Parts {
    method: String,
    uri: String,
    params: Vec<(String, String)>,
}

fn split(base: &str) -> Result<Parts, String> {
    let mut parts = base.trim().splitn(3, '&');
    let (Some(method), Some(uri)) = (parts.next(), parts.next()) else {
        return Err("it has no & between the method and the URL".into());
    };
    let params = parts.next().unwrap_or("");
    if !looks_like_base_string(base.trim()) {
        return Err("it does not start with METHOD&http".into());
    }
    let decoded = lossy(&decode(params)).into_owned();
    let params = if decoded.is_empty() {
        Vec::new()
    } else {
        decoded
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (p.to_owned(), String::new()),
            })
            .collect()
    };
    Ok(Parts {
        method: method.to_owned(),
        uri: lossy(&decode(uri)).into_owned(),
        params,
    })
}

fn uri_note(ours: &str, theirs: &str) -> String {
    let split = |u: &str| -> (String, String) {
        match u.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest.to_owned()),
            None => (String::new(), u.to_owned()),
        }
    };
    let ((s1, r1), (s2, r2)) = (split(ours), split(theirs));
    let host = |r: &str| r.split('/').next().unwrap_or("").to_owned();
    let path = |r: &str| r.find('/').map_or(String::new(), |i| r[i..].to_owned());
    if s1 != s2 {
        return format!("{s1} versus {s2}");
    }
    if host(&r1) != host(&r2) {
        if host(&r1).eq_ignore_ascii_case(&host(&r2)) {
            return "the host's letter case".into();
        }
        let strip = |h: String| {
            h.trim_end_matches(":80")
                .trim_end_matches(":443")
                .to_owned()
        };
        if strip(host(&r1)) == strip(host(&r2)) {
            return "a default port written out".into();
        }
        return "another host".into();
    }
    let (p1, p2) = (path(&r1), path(&r2));
    if p1.trim_end_matches('/') == p2.trim_end_matches('/') {
        return "a trailing slash".into();
    }
    if p1.eq_ignore_ascii_case(&p2) {
        return "the path's letter case".into();
    }
    if lossy(&decode(&p1)) == lossy(&decode(&p2)) {
        return "the path's percent-encoding".into();
    }
    "another path".into()
}

fn value_note(ours: &str, theirs: &str) -> String {
    if encode(ours) == theirs {
        return "encoded twice by the provider".into();
    }
    if encode(theirs) == ours {
        return "encoded twice by Signet".into();
    }
    let (d1, d2) = (
        lossy(&decode(ours)).into_owned(),
        lossy(&decode(theirs)).into_owned(),
    );
    if d1 == d2 {
        return "the same value, encoded differently".into();
    }
    if d1.replace('+', " ") == d2 || d2.replace('+', " ") == d1 {
        return "a + read as a space on one side: write %20 for a space and %2B for a plus".into();
    }
    if d1.trim() == d2.trim() {
        return "spaces at the start or end".into();
    }
    "another value".into()
}

/// Compares our base string with theirs and names the first difference.
pub fn diff_base_strings(ours: &str, theirs: &str) -> BaseStringDiff {
    let (ours_s, theirs_s) = (ours.trim().to_owned(), theirs.trim().to_owned());
    let mut differences = Vec::new();
    match (split(&ours_s), split(&theirs_s)) {
        (Ok(a), Ok(b)) => {
            if a.method != b.method {
                differences.push(Difference::Method {
                    ours: a.method.clone(),
                    theirs: b.method.clone(),
                });
            }
            if a.uri != b.uri {
                differences.push(Difference::Uri {
                    note: uri_note(&a.uri, &b.uri),
                    ours: a.uri.clone(),
                    theirs: b.uri.clone(),
                });
            }
            // Each side grouped once by name (a provider's base string can hold many
            // parameters: comparing name by name against whole lists would be quadratic).
            let (ga, gb) = (grouped(&a.params), grouped(&b.params));
            let mut names: Vec<&str> = ga.keys().chain(gb.keys()).copied().collect();
            names.sort_unstable();
            names.dedup();
            let none = Vec::new();
            for name in names {
                if differences.len() >= MAX_DIFFERENCES {
                    break;
                }
                let va = ga.get(name).unwrap_or(&none);
                let vb = gb.get(name).unwrap_or(&none);
                let shown = lossy(&decode(name)).into_owned();
                for i in 0..va.len().max(vb.len()).min(MAX_DIFFERENCES) {
                    match (va.get(i), vb.get(i)) {
                        (Some(x), Some(y)) if x != y => differences.push(Difference::Value {
                            name: shown.clone(),
                            ours: (*x).to_owned(),
                            theirs: (*y).to_owned(),
                            note: value_note(x, y),
                        }),
                        (Some(x), None) => differences.push(Difference::OnlyOurs {
                            name: shown.clone(),
                            value: (*x).to_owned(),
                        }),
                        (None, Some(y)) => differences.push(Difference::OnlyTheirs {
                            name: shown.clone(),
                            value: (*y).to_owned(),
                        }),
                        _ => {}
                    }
                }
            }
        }
        (Err(reason), _) => differences.push(Difference::Unreadable {
            reason: format!("Signet's own base string is unreadable: {reason}"),
        }),
        (_, Err(reason)) => differences.push(Difference::Unreadable { reason }),
    }
    let identical = ours_s == theirs_s;
    let summary = match differences.first() {
        Some(d) => d.describe(),
        None if identical => "the base strings are identical, so the secrets differ: check the consumer secret and the token secret (or the RSA key pair)".into(),
        None => "the base strings say the same thing in different order or encoding".into(),
    };
    BaseStringDiff {
        identical,
        differences,
        summary,
        ours: ours_s,
        theirs: theirs_s,
    }
}

/// The most differences one comparison lists (the first is what matters).
const MAX_DIFFERENCES: usize = 200;

fn grouped(params: &[(String, String)]) -> std::collections::BTreeMap<&str, Vec<&str>> {
    let mut out: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for (k, v) in params {
        out.entry(k.as_str()).or_default().push(v.as_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 5849 section 3.4.1.1's example, shortened.
    const OURS: &str = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3Da%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_timestamp%3D137131201";

    /// Issue 18: a 401 whose text puts a multi-byte character right before `&http` made the
    /// extraction slice inside that character (`signet flow` died with "start byte index 41 is
    /// not a char boundary"; the app ran the same diagnosis on every failed run).
    #[test]
    fn a_multi_byte_character_before_the_base_string_does_not_panic() {
        let body = "signature_invalid: expected base string é&http%3A%2F%2F127.0.0.1 but got something else";
        assert_eq!(extract_base_string(body), None);
        // The method runs back to the first character that is not an upper-case letter,
        // whatever its width.
        let body = "expected: éPOST&http%3A%2F%2Fexample.com%2Fr&a%3D1 — got another one";
        assert_eq!(
            extract_base_string(body).as_deref(),
            Some("POST&http%3A%2F%2Fexample.com%2Fr&a%3D1")
        );
        let body = "東京POST&http%3A%2F%2Fexample.com%2Fr&a%3D1";
        assert_eq!(
            extract_base_string(body).as_deref(),
            Some("POST&http%3A%2F%2Fexample.com%2Fr&a%3D1")
        );
    }

    /// A provider's base string with a hundred thousand parameters is compared in one pass
    /// (name by name against whole lists took minutes), and at most 200 differences are listed.
    #[test]
    fn a_huge_base_string_is_compared_at_once_and_its_differences_bounded() {
        let params = |prefix: &str| {
            (0..100_000)
                .map(|i| format!("{prefix}{i}%3D{i}"))
                .collect::<Vec<_>>()
                .join("%26")
        };
        let ours = format!("GET&http%3A%2F%2Fexample.com%2F&{}", params("a"));
        let theirs = format!("GET&http%3A%2F%2Fexample.com%2F&{}", params("b"));
        let d = diff_base_strings(&ours, &theirs);
        assert!(!d.identical);
        assert_eq!(d.differences.len(), MAX_DIFFERENCES);
        assert!(
            matches!(d.first(), Some(Difference::OnlyOurs { name, .. }) if name == "a0"),
            "{:?}",
            d.first()
        );
    }

    #[test]
    fn extraction_and_comparison_never_panic_on_any_text() {
        use proptest::prelude::*;
        let pieces = prop::sample::select(vec![
            "&http",
            "%26http",
            "POST",
            "GET",
            "é",
            "東",
            "😀",
            "&",
            "%",
            "%2",
            "=",
            "\"",
            "{",
            "debug_sbs=",
            "debug_base_string",
            "\"debug_base_string\": \"",
            ":",
            " ",
            "a",
            "\u{0}",
        ]);
        proptest!(ProptestConfig::with_cases(2000), |(parts in prop::collection::vec(pieces, 0..24))| {
            let text: String = parts.concat();
            if let Some(theirs) = extract_base_string(&text) {
                let _ = diff_base_strings(OURS, &theirs);
            }
            let _ = diff_base_strings(OURS, &text);
            let _ = diff_base_strings(&text, OURS);
        });
    }

    #[test]
    fn identical_strings_point_at_the_secrets() {
        let d = diff_base_strings(OURS, OURS);
        assert!(d.identical);
        assert_eq!(d.first(), None);
        assert!(d.summary.contains("secrets differ"), "{}", d.summary);
    }

    #[test]
    fn the_first_difference_is_named_parameter_by_parameter() {
        let theirs = OURS.replace("a2%3Dr%2520b", "a2%3Dr%252Bb");
        let d = diff_base_strings(OURS, &theirs);
        assert_eq!(d.differences.len(), 1);
        assert_eq!(
            d.first(),
            Some(&Difference::Value {
                name: "a2".into(),
                ours: "r%20b".into(),
                theirs: "r%2Bb".into(),
                note: "a + read as a space on one side: write %20 for a space and %2B for a plus"
                    .into()
            })
        );
        assert!(d.summary.starts_with("a2 differs"), "{}", d.summary);
    }

    #[test]
    fn method_uri_and_missing_parameters() {
        let theirs = OURS
            .replace("POST&", "GET&")
            .replace("http%3A%2F%2Fexample.com", "https%3A%2F%2Fexample.com")
            .replace("%26a3%3Da", "");
        let d = diff_base_strings(OURS, &theirs);
        assert!(matches!(d.differences[0], Difference::Method { .. }));
        assert!(
            matches!(&d.differences[1], Difference::Uri { note, .. } if note == "http versus https")
        );
        assert_eq!(
            d.differences[2],
            Difference::OnlyOurs {
                name: "a3".into(),
                value: "a".into()
            }
        );
        let d = diff_base_strings(&theirs.replace("GET&", "POST&"), OURS);
        assert!(matches!(&d.differences[1], Difference::OnlyTheirs { name, .. } if name == "a3"));
    }

    #[test]
    fn uri_notes() {
        assert_eq!(
            uri_note("http://a.com/x", "http://A.com/x"),
            "the host's letter case"
        );
        assert_eq!(
            uri_note("http://a.com/x", "http://a.com:80/x"),
            "a default port written out"
        );
        assert_eq!(
            uri_note("http://a.com/x", "http://a.com/x/"),
            "a trailing slash"
        );
        assert_eq!(
            uri_note("http://a.com/x", "http://a.com/X"),
            "the path's letter case"
        );
        assert_eq!(uri_note("http://a.com/x", "http://b.com/x"), "another host");
    }

    #[test]
    fn value_notes() {
        assert_eq!(
            value_note("a%20b", "a%2520b"),
            "encoded twice by the provider"
        );
        assert_eq!(value_note("a%2520b", "a%20b"), "encoded twice by Signet");
        assert_eq!(
            value_note("%7E", "~"),
            "the same value, encoded differently"
        );
        assert_eq!(value_note("1", "2"), "another value");
    }

    #[test]
    fn base_strings_are_found_in_pasted_text() {
        let form = format!("oauth_problem=signature_invalid&debug_sbs={}", encode(OURS));
        assert_eq!(extract_base_string(&form).as_deref(), Some(OURS));
        let form = format!(
            "oauth_problem=signature_invalid&debug_base_string={}",
            encode(OURS)
        );
        assert_eq!(extract_base_string(&form).as_deref(), Some(OURS));
        let prose = format!("Expected signature base string: {OURS}\nCheck your key.");
        assert_eq!(extract_base_string(&prose).as_deref(), Some(OURS));
        let json = format!("{{\"debug_base_string\": \"{OURS}\"}}");
        assert_eq!(extract_base_string(&json).as_deref(), Some(OURS));
        let encoded = format!("sbs: {}", encode(OURS));
        assert_eq!(extract_base_string(&encoded).as_deref(), Some(OURS));
        assert_eq!(extract_base_string("nothing here"), None);
    }

    #[test]
    fn garbage_is_reported_not_compared() {
        let d = diff_base_strings(OURS, "hello");
        assert!(matches!(d.first(), Some(Difference::Unreadable { .. })));
        assert!(!d.identical);
    }
}
