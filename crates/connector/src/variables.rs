//! `{{variables}}`: every field a person types may name a variable, and this module is the one
//! place that finds its value and writes it in, encoded once for where it lands.
//!
//! - **Syntax**: `{{name}}` (spaces inside the braces are allowed: `{{ name }}`). A name starts
//!   with a letter or `_` and goes on with letters, digits, `_`, `-` and `.`
//!   (`{{account_id.realm}}`); built-ins start with `$`. To write two opening braces literally,
//!   put a backslash before them: `\{{` gives `{{`. Anything else that starts with `{{` but is
//!   not a reference is an error, never sent as text.
//! - **Precedence**, highest first: the endpoint (values given for one call, then the endpoint's
//!   variable defaults), the authentication method (fields of the access-token response, such as
//!   `user_id`), the connector (the instance's values, then the connector's defaults), and the
//!   built-ins (`$timestamp`, `$isoTimestamp`, `$uuid`, `$randomInt`).
//! - **Values may name other variables** (`{{base}}/v2`); a value that comes back to itself is
//!   refused, naming the loop.
//! - **Encoded once, where it lands**: in a URL a value is inserted as typed before the path (so
//!   `{{base_url}}` may hold `https://shop.example`), percent-encoded in the path (except `/`)
//!   and fully percent-encoded in the query and fragment; in a JSON body it is escaped when it
//!   stands inside a string and inserted as typed outside one (numbers, booleans); in an XML body
//!   it is escaped as XML text; in a header it must not hold a line break. Everywhere else
//!   (parameter lists, form fields, the realm) it is inserted as typed and the code that builds
//!   the request encodes it.
//! - Nothing here reads a clock or draws a random number: the built-ins' values are inputs.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use signet_oauth1::encoding::{encode, is_unreserved};

/// The longest chain of variables naming variables that is followed.
pub const MAX_DEPTH: usize = 16;

/// The most references one template may fill in, counting those inside variables' values.
pub const MAX_REFERENCES: usize = 100_000;

/// The most text one template may grow to once filled in (16 MiB).
pub const MAX_EXPANDED_BYTES: usize = 16 * 1024 * 1024;

/// What one expansion may still spend: variables that name variables many times over grow
/// exponentially with depth, and a value from a file or a provider must not exhaust memory.
struct Budget {
    references: usize,
    bytes: usize,
}

impl Budget {
    fn new() -> Self {
        Self {
            references: MAX_REFERENCES,
            bytes: MAX_EXPANDED_BYTES,
        }
    }

    fn reference(&mut self, name: &str) -> Result<(), TemplateError> {
        self.references = self
            .references
            .checked_sub(1)
            .ok_or_else(|| TemplateError::TooLarge { name: name.into() })?;
        Ok(())
    }

    fn grow(&mut self, name: &str, len: usize) -> Result<(), TemplateError> {
        self.bytes = self
            .bytes
            .checked_sub(len)
            .ok_or_else(|| TemplateError::TooLarge { name: name.into() })?;
        Ok(())
    }
}

/// The built-in variables, by name.
pub const BUILTINS: [&str; 4] = ["$timestamp", "$isoTimestamp", "$uuid", "$randomInt"];

/// Where a variable's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Given for this call (`--var`, the Send form).
    Input,
    /// The endpoint variable's default.
    Endpoint,
    /// The authentication method: a field of the access-token response.
    Auth,
    /// The instance's value of a connector variable.
    Instance,
    /// The connector variable's default.
    Connector,
    /// A built-in (`$timestamp`, ...).
    Builtin,
}

impl Origin {
    /// In plain words, for the trace.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Input => "given for this call",
            Self::Endpoint => "the endpoint's default",
            Self::Auth => "the access-token response",
            Self::Instance => "the connector's variables",
            Self::Connector => "the connector's default",
            Self::Builtin => "built in",
        }
    }
}

/// The values of the built-in variables for one request (the engine draws them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Builtins {
    /// `{{$timestamp}}`: seconds since the Unix epoch (the request's `oauth_timestamp`).
    pub timestamp: u64,
    /// `{{$uuid}}`: a random UUID, version 4.
    pub uuid: String,
    /// `{{$randomInt}}`: a random whole number from 0 to 1000.
    pub random_int: u32,
}

impl Builtins {
    fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "$timestamp" => self.timestamp.to_string(),
            "$isoTimestamp" => iso_timestamp(self.timestamp),
            "$uuid" => self.uuid.clone(),
            "$randomInt" => self.random_int.to_string(),
            _ => return None,
        })
    }
}

/// `2023-11-14T22:13:20Z` for a Unix time in seconds (the proleptic Gregorian calendar, UTC).
pub fn iso_timestamp(unix: u64) -> String {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    // Howard Hinnant's civil-from-days, for days since 1970-01-01 (never negative here).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// One variable's value in a [`Scope`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// `None`: declared (so known by name) but without a value.
    text: Option<String>,
    secret: bool,
    origin: Origin,
}

/// The variables one request can see, each from the layer with the highest precedence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    entries: BTreeMap<String, Entry>,
    builtins: Builtins,
}

impl Scope {
    /// An empty scope with these built-in values.
    pub fn new(builtins: Builtins) -> Self {
        Self {
            entries: BTreeMap::new(),
            builtins,
        }
    }

    /// Sets `name` from `origin` unless a layer of higher precedence has already set it.
    /// `text` `None` declares the name without a value (a required variable left empty).
    pub fn set(&mut self, name: &str, text: Option<&str>, secret: bool, origin: Origin) {
        let entry = Entry {
            text: text.map(str::to_owned),
            secret,
            origin,
        };
        match self.entries.get_mut(name) {
            // A value wins over a bare declaration; otherwise the higher precedence (the
            // smaller `Origin`) wins.
            Some(old)
                if (old.text.is_none() && entry.text.is_some())
                    || (entry.origin < old.origin
                        && (entry.text.is_some() || old.text.is_none())) =>
            {
                *old = entry;
            }
            Some(_) => {}
            None => {
                self.entries.insert(name.to_owned(), entry);
            }
        }
    }

    /// Whether `name` is known (declared, set, or a built-in).
    pub fn knows(&self, name: &str) -> bool {
        self.entries.contains_key(name) || BUILTINS.contains(&name)
    }

    /// Every name the scope knows, built-ins included.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries
            .keys()
            .map(String::as_str)
            .chain(BUILTINS.iter().copied())
    }

    /// The value of `name` as typed (its own references not yet expanded), with its origin.
    pub fn raw(&self, name: &str) -> Option<(&str, Origin, bool)> {
        let e = self.entries.get(name)?;
        Some((e.text.as_deref()?, e.origin, e.secret))
    }
}

/// Where a template's text lands, which decides how values are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// As typed: parameter lists, form fields, the realm, names. The request builder encodes.
    Text,
    /// A URL: as typed before the path, path-encoded in the path, fully encoded after `?`.
    Url,
    /// An HTTP header value: as typed, but no line breaks.
    Header,
    /// A JSON body: escaped inside strings, as typed outside them.
    Json,
    /// An XML body: escaped as XML text.
    Xml,
}

/// A variable a template used, for the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VariableUse {
    /// Its name (`account_id`, `$timestamp`).
    pub name: String,
    /// Where the value came from.
    pub origin: Origin,
    /// The value, or `<redacted>` for a secret.
    pub value: String,
    /// Whether it is secret (masked everywhere it is shown).
    pub secret: bool,
}

/// A template with its variables filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The text, encoded for its context.
    pub text: String,
    /// The variables used, in order of first use (those named by other variables too).
    pub uses: Vec<VariableUse>,
}

/// Why a template could not be filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A name no layer defines.
    Undefined {
        /// The name as written.
        name: String,
        /// A defined name it is probably a misspelling of.
        suggestion: Option<String>,
    },
    /// A declared variable without a value.
    Missing {
        /// The name.
        name: String,
        /// Where it is declared.
        origin: Origin,
    },
    /// `{{` that does not start a reference.
    Malformed {
        /// The character position of the `{{` (from 1).
        at: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A variable whose value comes back to itself.
    Cycle {
        /// The names in the loop, the first repeated last.
        chain: Vec<String>,
    },
    /// Variables naming variables more than [`MAX_DEPTH`] deep.
    TooDeep {
        /// Where the chain started.
        name: String,
    },
    /// Filled in, the template would name more than [`MAX_REFERENCES`] variables or grow past
    /// [`MAX_EXPANDED_BYTES`] (variables that name variables many times over).
    TooLarge {
        /// The variable being filled in when the limit was reached.
        name: String,
    },
    /// A `$name` that is not a built-in.
    UnknownBuiltin {
        /// The name as written.
        name: String,
    },
    /// A value with a line break or another control character where none may be (a header).
    ControlCharacter {
        /// The variable whose value has it.
        name: String,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Undefined {
                name,
                suggestion: Some(s),
            } => write!(
                f,
                "{{{{{name}}}}} is not defined; did you mean {{{{{s}}}}}?"
            ),
            Self::Undefined {
                name,
                suggestion: None,
            } => write!(
                f,
                "{{{{{name}}}}} is not defined: add it to the connector's or the endpoint's variables"
            ),
            Self::Missing { name, origin } => match origin {
                Origin::Endpoint | Origin::Input => write!(
                    f,
                    "{{{{{name}}}}} has no value: give it one for this call (or a default in the endpoint's variables)"
                ),
                _ => write!(
                    f,
                    "{{{{{name}}}}} has no value: set it in the connector's variables"
                ),
            },
            Self::Malformed { at, reason } => write!(
                f,
                "the {{{{ at character {at} {reason}: write {{{{name}}}}, or \\{{{{ for two literal braces"
            ),
            Self::Cycle { chain } => {
                let names: Vec<String> = chain.iter().map(|n| format!("{{{{{n}}}}}")).collect();
                write!(
                    f,
                    "{{{{{}}}}} refers to itself: {}",
                    chain.first().map_or("", String::as_str),
                    names.join(" → ")
                )
            }
            Self::TooDeep { name } => write!(
                f,
                "{{{{{name}}}}} names variables that name variables more than {MAX_DEPTH} deep"
            ),
            Self::TooLarge { name } => write!(
                f,
                "filling in {{{{{name}}}}} would name more than {MAX_REFERENCES} variables or grow past {} MiB: its value names variables that name variables many times over",
                MAX_EXPANDED_BYTES / (1024 * 1024)
            ),
            Self::UnknownBuiltin { name } => write!(
                f,
                "{{{{{name}}}}} is not a built-in: the built-ins are {}",
                BUILTINS.join(", ")
            ),
            Self::ControlCharacter { name } => write!(
                f,
                "the value of {{{{{name}}}}} has a line break or another control character, which a header cannot carry"
            ),
        }
    }
}

impl std::error::Error for TemplateError {}

impl TemplateError {
    /// A stable kind for the UI.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Undefined { .. } => "variable_undefined",
            Self::Missing { .. } => "variable_missing",
            Self::Malformed { .. } => "template_malformed",
            Self::Cycle { .. } => "variable_cycle",
            Self::TooDeep { .. } => "variable_too_deep",
            Self::TooLarge { .. } => "template_too_large",
            Self::UnknownBuiltin { .. } => "builtin_unknown",
            Self::ControlCharacter { .. } => "variable_control_character",
        }
    }
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text as written (`\{{` already turned into `{{`).
    Literal(Cow<'a, str>),
    /// `{{name}}`.
    Reference(&'a str),
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Whether `name` is a valid variable name (not a built-in).
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start)
        && chars.all(is_name_char)
        && !name.ends_with('.')
        && name.len() <= 64
}

/// Splits a template into literal text and references.
pub fn parse(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut borrowed_from: Option<usize> = Some(0);
    let bytes = template.as_bytes();
    let mut i = 0;
    let flush = |out: &mut Vec<Piece<'_>>, literal: &mut String| {
        if !literal.is_empty() {
            out.push(Piece::Literal(Cow::Owned(std::mem::take(literal))));
        }
    };
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'{') && bytes.get(i + 2) == Some(&b'{') {
            borrowed_from = None;
            literal.push_str("{{");
            i += 3;
            continue;
        }
        if bytes[i] == b'{' && bytes.get(i + 1) == Some(&b'{') {
            borrowed_from = None;
            let at = template[..i].chars().count() + 1;
            let rest = &template[i + 2..];
            let Some(close) = rest.find("}}") else {
                return Err(TemplateError::Malformed {
                    at,
                    reason: "is never closed with }}",
                });
            };
            let inner = rest[..close].trim_matches(|c: char| c == ' ' || c == '\t');
            let name_ok = match inner.strip_prefix('$') {
                Some(b) => !b.is_empty() && b.chars().all(|c| c.is_ascii_alphanumeric()),
                None => is_valid_name(inner),
            };
            if !name_ok {
                return Err(TemplateError::Malformed {
                    at,
                    reason: if inner.is_empty() {
                        "has no name inside"
                    } else {
                        "holds something that is not a variable name"
                    },
                });
            }
            flush(&mut out, &mut literal);
            out.push(Piece::Reference(inner));
            i += 2 + close + 2;
            continue;
        }
        // Copy one character.
        let ch_len = template[i..].chars().next().map_or(1, char::len_utf8);
        literal.push_str(&template[i..i + ch_len]);
        i += ch_len;
    }
    if borrowed_from.is_some() {
        // No braces at all: one borrowed literal (or nothing).
        return Ok(if template.is_empty() {
            Vec::new()
        } else {
            vec![Piece::Literal(Cow::Borrowed(template))]
        });
    }
    flush(&mut out, &mut literal);
    Ok(out)
}

/// The names a template refers to, in order, each once.
pub fn references(template: &str) -> Result<Vec<&str>, TemplateError> {
    let mut out: Vec<&str> = Vec::new();
    for p in parse(template)? {
        if let Piece::Reference(n) = p
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    Ok(out)
}

/// Whether the template holds any reference (a quick test before parsing).
pub fn has_references(template: &str) -> bool {
    template.contains("{{")
}

/// Checks a template's references against the names `known`: the first problem, with a
/// "did you mean" for a misspelling. Used to lint while editing, before any value exists.
pub fn check<'a>(
    template: &str,
    known: impl Fn(&str) -> bool,
    candidates: impl Iterator<Item = &'a str> + Clone,
) -> Result<(), TemplateError> {
    for name in references(template)? {
        if name.starts_with('$') {
            if !BUILTINS.contains(&name) {
                return Err(TemplateError::UnknownBuiltin { name: name.into() });
            }
        } else if !known(name) {
            return Err(TemplateError::Undefined {
                name: name.into(),
                suggestion: suggest(name, candidates.clone()),
            });
        }
    }
    Ok(())
}

/// The candidate `name` is most likely a misspelling of: the same ignoring case, or at most
/// two edits away (one for names of four letters or fewer).
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let limit = if name.len() <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = if c.eq_ignore_ascii_case(name) {
            0
        } else {
            distance(&lower, &c.to_ascii_lowercase())
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions), over chars.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Fills in `template` for `context` from `scope`.
pub fn expand(template: &str, context: Context, scope: &Scope) -> Result<Expanded, TemplateError> {
    // Text without a brace or a backslash is only literal text, the same in every context.
    if !template.contains(['{', '\\']) {
        return Ok(Expanded {
            text: template.to_owned(),
            uses: Vec::new(),
        });
    }
    let pieces = parse(template)?;
    let mut out = Expanded {
        text: String::with_capacity(template.len()),
        uses: Vec::new(),
    };
    let mut url = UrlState::Start;
    let mut json = JsonState::default();
    let mut budget = Budget::new();
    for piece in pieces {
        match piece {
            Piece::Literal(text) => {
                match context {
                    Context::Url => url.advance(&text),
                    Context::Json => json.advance(&text),
                    _ => {}
                }
                out.text.push_str(&text);
            }
            Piece::Reference(name) => {
                let mut stack = Vec::new();
                let (value, secret) =
                    value_of(name, scope, &mut stack, &mut out.uses, &mut budget)?;
                budget.grow(name, value.len())?;
                match context {
                    Context::Text => out.text.push_str(&value),
                    Context::Header => {
                        if value.chars().any(|c| c.is_control() && c != '\t') {
                            return Err(TemplateError::ControlCharacter { name: name.into() });
                        }
                        out.text.push_str(&value);
                    }
                    Context::Url => match url {
                        UrlState::Start | UrlState::Authority => {
                            url.advance(&value);
                            out.text.push_str(&value);
                        }
                        UrlState::Path => encode_path_into(&mut out.text, &value),
                        UrlState::Query | UrlState::Fragment => {
                            out.text.push_str(&encode(&value));
                        }
                    },
                    Context::Json => {
                        if json.in_string {
                            json_escape_into(&mut out.text, &value);
                        } else {
                            json.advance(&value);
                            out.text.push_str(&value);
                        }
                    }
                    Context::Xml => xml_escape_into(&mut out.text, &value),
                }
                let _ = secret;
            }
        }
    }
    Ok(out)
}

/// Fills in a template whose text is used as typed ([`Context::Text`]); a template without
/// references is returned without looking at the scope.
pub fn expand_text(template: &str, scope: &Scope) -> Result<Expanded, TemplateError> {
    expand(template, Context::Text, scope)
}

/// A variable's value with its own references filled in (as typed), and whether any secret
/// went into it. Records every variable used in `uses`. What the provider sent (auth
/// variables) is used as it came: a `{{...}}` in it is text, never a reference.
fn value_of(
    name: &str,
    scope: &Scope,
    stack: &mut Vec<String>,
    uses: &mut Vec<VariableUse>,
    budget: &mut Budget,
) -> Result<(String, bool), TemplateError> {
    budget.reference(name)?;
    if let Some(pos) = stack.iter().position(|n| n == name) {
        let mut chain = stack[pos..].to_vec();
        chain.push(name.to_owned());
        return Err(TemplateError::Cycle { chain });
    }
    if stack.len() >= MAX_DEPTH {
        return Err(TemplateError::TooDeep {
            name: stack.first().cloned().unwrap_or_else(|| name.to_owned()),
        });
    }
    if name.starts_with('$') {
        let value = scope
            .builtins
            .get(name)
            .ok_or_else(|| TemplateError::UnknownBuiltin { name: name.into() })?;
        record(uses, name, Origin::Builtin, &value, false);
        return Ok((value, false));
    }
    let Some(entry) = scope.entries.get(name) else {
        return Err(TemplateError::Undefined {
            name: name.into(),
            suggestion: suggest(name, scope.names()),
        });
    };
    let Some(text) = &entry.text else {
        return Err(TemplateError::Missing {
            name: name.into(),
            origin: entry.origin,
        });
    };
    let mut secret = entry.secret;
    let value = if entry.origin != Origin::Auth && has_references(text) {
        stack.push(name.to_owned());
        let mut value = String::new();
        for piece in parse(text)? {
            match piece {
                Piece::Literal(t) => value.push_str(&t),
                Piece::Reference(inner) => {
                    let (v, s) = value_of(inner, scope, stack, uses, budget)?;
                    secret |= s;
                    budget.grow(inner, v.len())?;
                    value.push_str(&v);
                }
            }
        }
        stack.pop();
        value
    } else {
        text.clone()
    };
    record(uses, name, entry.origin, &value, secret);
    Ok((value, secret))
}

fn record(uses: &mut Vec<VariableUse>, name: &str, origin: Origin, value: &str, secret: bool) {
    if uses.iter().any(|u| u.name == name) {
        return;
    }
    uses.push(VariableUse {
        name: name.to_owned(),
        origin,
        value: if secret {
            signet_oauth1::secret::REDACTED.to_owned()
        } else {
            value.to_owned()
        },
        secret,
    });
}

/// Where in a URL the text written so far ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrlState {
    /// Before `://`.
    Start,
    /// Between `://` and the path.
    Authority,
    Path,
    Query,
    Fragment,
}

impl UrlState {
    fn advance(&mut self, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            match *self {
                Self::Start => match rest.find("://") {
                    Some(i) => {
                        *self = Self::Authority;
                        rest = &rest[i + 3..];
                    }
                    None => {
                        // A relative start, or a scheme split across pieces: a `/`, `?` or
                        // `#` still moves on.
                        match rest.find(['?', '#']) {
                            Some(i) => {
                                *self = if rest.as_bytes()[i] == b'?' {
                                    Self::Query
                                } else {
                                    Self::Fragment
                                };
                                rest = &rest[i + 1..];
                            }
                            None => return,
                        }
                    }
                },
                Self::Authority => match rest.find(['/', '?', '#']) {
                    Some(i) => {
                        *self = match rest.as_bytes()[i] {
                            b'/' => Self::Path,
                            b'?' => Self::Query,
                            _ => Self::Fragment,
                        };
                        rest = &rest[i + 1..];
                    }
                    None => return,
                },
                Self::Path => match rest.find(['?', '#']) {
                    Some(i) => {
                        *self = if rest.as_bytes()[i] == b'?' {
                            Self::Query
                        } else {
                            Self::Fragment
                        };
                        rest = &rest[i + 1..];
                    }
                    None => return,
                },
                Self::Query => match rest.find('#') {
                    Some(i) => {
                        *self = Self::Fragment;
                        rest = &rest[i + 1..];
                    }
                    None => return,
                },
                Self::Fragment => return,
            }
        }
    }
}

/// Percent-encodes a path value: everything but the unreserved characters and `/`.
fn encode_path_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        if is_unreserved(b) || b == b'/' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Whether the JSON written so far ends inside a string.
#[derive(Debug, Clone, Copy, Default)]
struct JsonState {
    in_string: bool,
    escaped: bool,
}

impl JsonState {
    fn advance(&mut self, text: &str) {
        for b in text.bytes() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
            } else if b == b'"' {
                self.in_string = true;
            }
        }
    }
}

fn json_escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

fn xml_escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        let mut s = Scope::new(Builtins {
            timestamp: 1_700_000_000,
            uuid: "3b241101-e2bb-4255-8caf-4136c566a962".into(),
            random_int: 42,
        });
        s.set("account_id", Some("1234567-sb1"), false, Origin::Instance);
        s.set(
            "base_url",
            Some("https://shop.example"),
            false,
            Origin::Connector,
        );
        s.set("api", Some("{{base_url}}/api/v2"), false, Origin::Connector);
        s.set("api_key", Some("k3y&=/ \"x\""), true, Origin::Instance);
        s.set("order_id", None, false, Origin::Endpoint);
        s
    }

    #[track_caller]
    fn url(t: &str, s: &Scope) -> String {
        expand(t, Context::Url, s).unwrap().text
    }

    #[test]
    fn precedence_is_endpoint_then_auth_then_connector_then_builtin() {
        let mut s = Scope::new(Builtins::default());
        s.set("x", Some("connector default"), false, Origin::Connector);
        s.set("x", Some("instance"), false, Origin::Instance);
        assert_eq!(expand_text("{{x}}", &s).unwrap().text, "instance");
        s.set("x", Some("auth"), false, Origin::Auth);
        assert_eq!(expand_text("{{x}}", &s).unwrap().text, "auth");
        s.set("x", Some("endpoint default"), false, Origin::Endpoint);
        s.set("x", Some("input"), false, Origin::Input);
        // A lower layer set later does not win.
        s.set("x", Some("late connector"), false, Origin::Connector);
        let e = expand_text("{{x}}", &s).unwrap();
        assert_eq!(e.text, "input");
        assert_eq!(e.uses[0].origin, Origin::Input);
        // A declaration without a value does not hide a value below it.
        let mut s = Scope::new(Builtins::default());
        s.set("y", Some("instance"), false, Origin::Instance);
        s.set("y", None, false, Origin::Endpoint);
        assert_eq!(expand_text("{{y}}", &s).unwrap().text, "instance");
    }

    #[test]
    fn builtins_come_from_the_inputs() {
        let e = expand_text(
            "{{$timestamp}} {{$isoTimestamp}} {{$uuid}} {{ $randomInt }}",
            &scope(),
        )
        .unwrap();
        assert_eq!(
            e.text,
            "1700000000 2023-11-14T22:13:20Z 3b241101-e2bb-4255-8caf-4136c566a962 42"
        );
        assert!(e.uses.iter().all(|u| u.origin == Origin::Builtin));
        assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            expand_text("{{$now}}", &scope()).unwrap_err().to_string(),
            "{{$now}} is not a built-in: the built-ins are $timestamp, $isoTimestamp, $uuid, $randomInt"
        );
    }

    #[test]
    fn literal_braces_are_written_with_a_backslash() {
        let s = scope();
        assert_eq!(
            expand_text(r"\{{account_id}} is {{account_id}}", &s)
                .unwrap()
                .text,
            "{{account_id}} is 1234567-sb1"
        );
        assert_eq!(
            expand_text("a } b }} c {", &s).unwrap().text,
            "a } b }} c {"
        );
        assert_eq!(
            expand_text(r"C:\path", &s).unwrap().text,
            r"C:\path",
            "a backslash before anything else is kept"
        );
        let e = expand_text("x {{ }} y", &s).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the {{ at character 3 has no name inside: write {{name}}, or \\{{ for two literal braces"
        );
        assert!(matches!(
            expand_text("{{not closed", &s),
            Err(TemplateError::Malformed { at: 1, .. })
        ));
        assert!(matches!(
            expand_text("é{{a b}}", &s),
            Err(TemplateError::Malformed { at: 2, .. })
        ));
    }

    #[test]
    fn values_are_encoded_once_where_they_land_in_a_url() {
        let mut s = scope();
        s.set("id", Some("a b/c?d%20"), false, Origin::Input);
        s.set("q", Some("x&y=z é"), false, Origin::Input);
        assert_eq!(
            url("{{base_url}}/orders/{{id}}?q={{q}}#{{q}}", &s),
            "https://shop.example/orders/a%20b/c%3Fd%2520?q=x%26y%3Dz%20%C3%A9#x%26y%3Dz%20%C3%A9"
        );
        // A base URL that already holds a path: what follows is in the path.
        assert_eq!(
            url("{{api}}/customer/{{id}}", &s),
            "https://shop.example/api/v2/customer/a%20b/c%3Fd%2520"
        );
        // In the host, as typed.
        assert_eq!(
            url("https://{{account_id}}.restlets.api.netsuite.com/rest", &s),
            "https://1234567-sb1.restlets.api.netsuite.com/rest"
        );
        // Literal text stays as typed, already-encoded escapes included.
        assert_eq!(
            url("https://x.example/a%2Fb?x=%20", &s),
            "https://x.example/a%2Fb?x=%20"
        );
    }

    #[test]
    fn json_xml_and_headers_get_their_own_escaping() {
        let s = scope();
        let e = expand(
            r#"{"key": "{{api_key}}", "n": {{$randomInt}}, "s": "a\"{{account_id}}"}"#,
            Context::Json,
            &s,
        )
        .unwrap();
        assert_eq!(
            e.text,
            r#"{"key": "k3y&=/ \"x\"", "n": 42, "s": "a\"1234567-sb1"}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&e.text).is_ok());
        assert_eq!(
            expand("<k>{{api_key}}</k>", Context::Xml, &s).unwrap().text,
            "<k>k3y&amp;=/ &quot;x&quot;</k>"
        );
        let mut s = scope();
        s.set("evil", Some("a\r\nX-Injected: 1"), false, Origin::Input);
        assert_eq!(
            expand("{{evil}}", Context::Header, &s).unwrap_err(),
            TemplateError::ControlCharacter {
                name: "evil".into()
            }
        );
    }

    #[test]
    fn unknown_and_misspelt_names_are_refused_by_name() {
        let s = scope();
        assert_eq!(
            expand_text("{{acount_id}}", &s).unwrap_err().to_string(),
            "{{acount_id}} is not defined; did you mean {{account_id}}?"
        );
        assert_eq!(
            expand_text("{{Account_ID}}", &s).unwrap_err().to_string(),
            "{{Account_ID}} is not defined; did you mean {{account_id}}?"
        );
        assert_eq!(
            expand_text("{{shop}}", &s).unwrap_err().to_string(),
            "{{shop}} is not defined: add it to the connector's or the endpoint's variables"
        );
        assert_eq!(
            expand(r#"{"id": {{order_id}}}"#, Context::Json, &s)
                .unwrap_err()
                .to_string(),
            "{{order_id}} has no value: give it one for this call (or a default in the endpoint's variables)"
        );
        // Linting before any value exists.
        let known = ["account_id", "base_url"];
        assert_eq!(
            check(
                "{{base_ur}}/x",
                |n| known.contains(&n),
                known.iter().copied()
            )
            .unwrap_err()
            .to_string(),
            "{{base_ur}} is not defined; did you mean {{base_url}}?"
        );
        assert!(
            check(
                "{{$uuid}}/{{account_id}}",
                |n| known.contains(&n),
                known.iter().copied()
            )
            .is_ok()
        );
    }

    #[test]
    fn recursion_is_followed_and_loops_are_refused() {
        let mut s = scope();
        let e = expand_text("{{api}}", &s).unwrap();
        assert_eq!(e.text, "https://shop.example/api/v2");
        assert_eq!(
            e.uses.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
            ["base_url", "api"]
        );
        s.set("a", Some("x{{b}}"), false, Origin::Input);
        s.set("b", Some("{{c}}"), false, Origin::Input);
        s.set("c", Some("{{a}}"), false, Origin::Input);
        assert_eq!(
            expand_text("{{a}}", &s).unwrap_err().to_string(),
            "{{a}} refers to itself: {{a}} → {{b}} → {{c}} → {{a}}"
        );
        s.set("self", Some("{{self}}"), false, Origin::Input);
        assert!(matches!(
            expand_text("{{self}}", &s),
            Err(TemplateError::Cycle { .. })
        ));
        let mut deep = Scope::new(Builtins::default());
        for i in 0..40 {
            deep.set(
                &format!("v{i}"),
                Some(&format!("{{{{v{}}}}}", i + 1)),
                false,
                Origin::Input,
            );
        }
        deep.set("v40", Some("end"), false, Origin::Input);
        assert!(matches!(
            expand_text("{{v0}}", &deep),
            Err(TemplateError::TooDeep { .. })
        ));
    }

    /// Variables that name variables many times over (from an imported file, say) grow
    /// exponentially: the expansion stops at its budget, quickly, with a clear error.
    #[test]
    fn an_expansion_that_would_explode_stops_at_its_budget() {
        for leaf in ["", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"] {
            let mut s = Scope::new(Builtins::default());
            for i in 0..15 {
                let refs = format!("{{{{a{}}}}}", i + 1).repeat(8);
                s.set(&format!("a{i}"), Some(&refs), false, Origin::Instance);
            }
            s.set("a15", Some(leaf), false, Origin::Instance);
            let e = expand_text("{{a0}}", &s).unwrap_err();
            assert!(matches!(e, TemplateError::TooLarge { .. }), "{e}");
            assert_eq!(e.kind(), "template_too_large");
            assert!(e.to_string().contains("many times over"), "{e}");
        }
        // Within the budget, all is filled in.
        let mut s = Scope::new(Builtins::default());
        s.set("a", Some("{{b}}{{b}}"), false, Origin::Instance);
        s.set("b", Some("xy"), false, Origin::Instance);
        assert_eq!(expand_text("{{a}}{{a}}", &s).unwrap().text, "xyxyxyxy");
    }

    /// What the provider sent (a token's extra fields) is text: a `{{name}}` in it names
    /// nothing, so a provider cannot pull a secret variable into a request.
    #[test]
    fn auth_values_from_the_provider_are_used_as_they_came() {
        let mut s = scope();
        s.set("user_id", Some("{{api_key}}"), false, Origin::Auth);
        let e = expand("/users/{{user_id}}", Context::Text, &s).unwrap();
        assert_eq!(e.text, "/users/{{api_key}}");
        assert!(e.uses.iter().all(|u| u.name != "api_key"));
        s.set("screen_name", Some("{{unclosed"), false, Origin::Auth);
        assert_eq!(
            expand_text("{{screen_name}}", &s).unwrap().text,
            "{{unclosed"
        );
    }

    #[test]
    fn secrets_are_masked_in_the_uses_and_taint_what_they_reach() {
        let mut s = scope();
        s.set("auth", Some("Bearer {{api_key}}"), false, Origin::Connector);
        let e = expand("{{auth}}", Context::Header, &s);
        // The header value itself has no line break: fine.
        let e = e.unwrap();
        assert!(e.text.starts_with("Bearer k3y"));
        for u in &e.uses {
            assert!(u.secret, "{u:?}");
            assert_eq!(u.value, "<redacted>");
        }
    }

    #[test]
    fn parsing_never_panics_on_odd_text() {
        for t in [
            "{",
            "{{",
            "}}",
            "\\",
            "\\{",
            "\\{{",
            "{{{{a}}}}",
            "é{{é}}",
            "{{a}}}",
            "{{{a}}",
        ] {
            let _ = parse(t);
            let _ = expand(t, Context::Url, &scope());
            let _ = expand(t, Context::Json, &scope());
        }
        assert_eq!(
            parse("plain").unwrap(),
            vec![Piece::Literal(Cow::Borrowed("plain"))]
        );
        assert_eq!(parse("").unwrap(), vec![]);
    }
}
