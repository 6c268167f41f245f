//! Postman's `{{variables}}` as Signet's: names Signet cannot use are renamed (once, the same
//! everywhere), Postman's dynamic variables become Signet's built-ins where one matches, and a
//! `{{` that is no reference is escaped so it is sent as text, as Postman sends it.

use std::collections::{BTreeMap, BTreeSet};

use signet_connector::variables::is_valid_name;

/// Postman's dynamic variables Signet has a built-in for.
const DYNAMIC: &[(&str, &str)] = &[
    ("$guid", "$uuid"),
    ("$randomUUID", "$uuid"),
    ("$timestamp", "$timestamp"),
    ("$isoTimestamp", "$isoTimestamp"),
    ("$randomInt", "$randomInt"),
    // Signet's own (an exported collection says `$guid` for it; this reads it back either way).
    ("$uuid", "$uuid"),
];

/// A Postman name as Signet names it: letters, digits, `_`, `-` and `.`, starting with a letter
/// or `_`, at most 64 bytes.
pub(crate) fn sanitize(name: &str) -> String {
    let mut out: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while out.ends_with('.') {
        out.pop();
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out.truncate(64);
    out
}

/// The names in use, and the Postman names renamed.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Postman name → Signet name, for every name met.
    map: BTreeMap<String, String>,
    taken: BTreeSet<String>,
}

impl Names {
    /// The Signet name of Postman's `name` (the same every time).
    pub(crate) fn of(&mut self, name: &str) -> String {
        if let Some(n) = self.map.get(name) {
            return n.clone();
        }
        let base = if is_valid_name(name) {
            name.to_owned()
        } else {
            sanitize(name)
        };
        let mut candidate = base.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{}_{n}", &base[..base.len().min(60)]);
            n += 1;
        }
        self.taken.insert(candidate.clone());
        self.map.insert(name.to_owned(), candidate.clone());
        candidate
    }

    /// Postman names that changed, with their Signet names.
    pub(crate) fn renamed(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map
            .iter()
            .filter(|(a, b)| a != b)
            .map(|(a, b)| (a.as_str(), b.as_str()))
    }
}

/// A reference met while rewriting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Used {
    /// A variable, by its Postman name.
    Var(String),
    /// A dynamic variable Signet has no built-in for (`$randomEmail`), by the Signet name of the
    /// variable that stands in for it.
    Dynamic { postman: String, signet: String },
}

/// `text` with Postman's references rewritten for Signet; every reference met goes to `used`.
pub(crate) fn rewrite(text: &str, names: &mut Names, used: &mut Vec<Used>) -> String {
    if !text.contains("{{") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let Some(start) = rest.find('{') else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if !rest.starts_with("{{") {
            out.push('{');
            rest = &rest[1..];
            continue;
        }
        let inner_end = rest[2..].find("}}").map(|i| i + 2);
        let inner = inner_end.map(|e| rest[2..e].trim());
        match (inner_end, inner) {
            (Some(end), Some(inner))
                if !inner.is_empty() && !inner.contains(['{', '}']) && inner.len() <= 256 =>
            {
                if let Some(dynamic) = inner.strip_prefix('$') {
                    match DYNAMIC.iter().find(|(p, _)| p[1..] == *dynamic) {
                        Some((_, builtin)) => out.push_str(&format!("{{{{{builtin}}}}}")),
                        None => {
                            let signet = names.of(&format!("postman_{dynamic}"));
                            used.push(Used::Dynamic {
                                postman: inner.to_owned(),
                                signet: signet.clone(),
                            });
                            out.push_str(&format!("{{{{{signet}}}}}"));
                        }
                    }
                } else {
                    let signet = names.of(inner);
                    used.push(Used::Var(inner.to_owned()));
                    out.push_str(&format!("{{{{{signet}}}}}"));
                }
                rest = &rest[end + 2..];
            }
            _ => {
                // Not a reference: Postman sends it as it is, so Signet must too.
                out.push_str("\\{{");
                rest = &rest[2..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_connector::variables::{Piece, parse};

    fn rw(text: &str) -> (String, Vec<Used>) {
        let mut names = Names::default();
        let mut used = Vec::new();
        (rewrite(text, &mut names, &mut used), used)
    }

    #[test]
    fn names_signet_cannot_use_are_renamed_the_same_everywhere() {
        let mut names = Names::default();
        let mut used = Vec::new();
        let a = rewrite("{{base url}}/x/{{ id }}", &mut names, &mut used);
        let b = rewrite("{{base url}}", &mut names, &mut used);
        assert_eq!(a, "{{base_url}}/x/{{id}}");
        assert_eq!(b, "{{base_url}}");
        assert_eq!(
            names.renamed().collect::<Vec<_>>(),
            vec![("base url", "base_url")]
        );
        assert_eq!(sanitize("1st.value."), "_1st.value");
        assert_eq!(sanitize("über"), "_ber");
        // Two Postman names that sanitize alike stay apart.
        let mut names = Names::default();
        assert_eq!(names.of("a b"), "a_b");
        assert_eq!(names.of("a_b"), "a_b_2");
    }

    #[test]
    fn dynamic_variables_become_built_ins_or_stand_ins() {
        let (text, used) = rw("{{$guid}}-{{$timestamp}}-{{$randomEmail}}");
        assert_eq!(text, "{{$uuid}}-{{$timestamp}}-{{postman_randomEmail}}");
        assert_eq!(
            used,
            vec![Used::Dynamic {
                postman: "$randomEmail".into(),
                signet: "postman_randomEmail".into()
            }]
        );
    }

    #[test]
    fn text_that_is_no_reference_is_sent_as_text() {
        for text in ["{{}}", "a {{ b", "{{a{b}}", r"C:\path{", "{ {x} }", "}}{{"] {
            let (out, _) = rw(text);
            // Signet reads the rewritten text back as exactly Postman's text, or with the
            // references Postman would fill in.
            let pieces = parse(&out).unwrap_or_else(|e| panic!("{text:?} → {out:?}: {e}"));
            let literal: String = pieces
                .iter()
                .map(|p| match p {
                    Piece::Literal(l) => l.to_string(),
                    Piece::Reference(r) => format!("{{{{{r}}}}}"),
                })
                .collect();
            assert_eq!(literal, text, "{out:?}");
        }
    }
}
