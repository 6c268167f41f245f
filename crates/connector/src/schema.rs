//! An endpoint's response schema: learnt from its responses, shown as a foldable tree with
//! examples, tagged by the user with a small built-in [`taxonomy`], compared with a fresh one
//! when the endpoint is sent again ([`drift`]) and exported as JSON Schema draft 2020-12
//! ([`Schema::to_json_schema`]).
//!
//! # Inference
//!
//! A [`SchemaBuilder`] takes samples — whole responses ([`SchemaBuilder::add_json`],
//! [`SchemaBuilder::add`]) or, for a paginated endpoint, each item of an array of items
//! ([`SchemaBuilder::add_array_elements`]) — and merges them into one tree of [`SchemaNode`]s:
//!
//! - **Types are unioned**, in [`JsonType`]'s order. A number written with a fraction or an
//!   exponent (`12.5`, `1e3`, `2.0`) is [`JsonType::Number`], any other is
//!   [`JsonType::Integer`]; a place that holds both is `number` alone (an integer is a number,
//!   so `integer` is absorbed).
//! - **Optional is about presence, nullable about `null`.** A field's `present` counts the
//!   objects it was in; it is optional when that is less than its parent's `objects` (an object
//!   missing from some samples leaves its own fields required relative to the objects there
//!   were). A field that is present but `null` is nullable: its types include `null`; it is not
//!   optional.
//! - **Arrays merge elementwise**: every element of every array at a place is merged into that
//!   place's one `items` node, so arrays of objects, arrays of arrays (`matrix[][]`) and mixed
//!   arrays all work.
//! - **Formats** are kept only when every string seen at a place matches the same one
//!   ([`StringFormat`]); they are checked by hand, cheaply, on the way through.
//! - **Examples** are the first non-null scalar seen at a place, kept as the JSON text of the
//!   value (`"\"paid\""`, `12.5`, `true`) so the export can give it back as the value it was.
//!   A string longer than [`EXAMPLE_CHARS`] characters is cut to that many, the last being `…`
//!   (on a character boundary). A field whose name looks secret (`password`, `secret`, `token`,
//!   `api_key`, `authorization`, `cookie`, ...) has no example, nor has anything inside it.
//!
//! One set of merge rules serves every entry point: a [`serde::de::Visitor`] that updates the
//! tree in place while the JSON is read, driven by `serde_json`'s reader for bytes (no
//! [`serde_json::Value`] is built: one pass, memory for the schema only) and by the
//! [`serde_json::Value`] itself for [`SchemaBuilder::add`]. Fields are kept in the order they
//! were read: the document's for bytes, the map's for a `Value` (by name, as `serde_json`
//! builds maps without its `preserve_order` feature). A failed `add_json` or
//! `add_array_elements` leaves the builder as it was before the call.
//!
//! # Bounds
//!
//! Responses are untrusted input, so the tree is bounded:
//!
//! - at most [`MAX_FIELDS`] (1,000) distinct fields per object node: later new names are not
//!   recorded, their values are skipped, and each occurrence is counted in that node's
//!   `skipped_fields`;
//! - at most [`MAX_NODES`] (20,000) nodes in the whole tree: a field or an array's items that
//!   would need a node past that is likewise counted (`skipped_fields`, or `unexplored` for
//!   items) and skipped;
//! - nodes go at most [`MAX_DEPTH`] (64) levels below the root: an object or array found at
//!   that depth is typed and counted but its contents are not descended into (`unexplored`).
//!   They are still read to the end, to check the JSON, by `serde_json`'s skipping reader,
//!   which keeps its place in a byte per level instead of recursing: no input, however deep,
//!   uses more stack than 64 levels of the visitor, and `serde_json`'s own limit of 128
//!   levels of recursion is never the one reached.
//!
//! Nothing panics on any input; bytes that are not JSON are an error.
//!
//! # Paths
//!
//! A node is named by a path from the root, the same in [`Schema::node`],
//! [`Schema::set_tag`], [`Schema::paths`] and [`drift`]:
//!
//! - the root is `""`;
//! - a field is its name, after a `.` unless it comes first: `customer.email`;
//! - `[]` is every element of an array: `lines[].sku`, `[].id` (the root is an array),
//!   `matrix[][]`;
//! - a name that is empty or holds `.`, `[`, `]`, `"`, `\`, whitespace or a control character
//!   is written as a JSON string in brackets, without a `.` before it: `["odd name"]`,
//!   `meta["a.b"].c`, `[""]`.
//!
//! [`parse_path`] and [`path_of`] convert between the text and its [`PathStep`]s.
//!
//! # Drift
//!
//! [`drift`] compares a saved schema with a fresh one, usually from the same endpoint, and
//! lists what changed, sorted by path (several changes at one path in the order of
//! [`DriftKind`]). A field or items that appeared or disappeared is reported once, at its
//! top-most path, not for everything inside it. Changes that show something new — a type not
//! seen before, a field absent from an object, a string that breaks the saved format — are
//! always reported. Changes that only show less — a type or a field no longer seen, a field
//! that was sometimes absent and now always there, a format that now fits every string — are
//! reported only when the fresh schema saw at least as many values there as the saved one
//! (fewer samples cannot show that something stopped happening). A field is missing only
//! where the fresh schema saw its parent as an object and recorded all that object's fields
//! (no [`MAX_FIELDS`] cut); an array whose elements the fresh schema never saw (only empty
//! arrays) says nothing about its items. "Sorted by path" is the paths' text order.
//!
//! # JSON Schema
//!
//! [`Schema::to_json_schema`] writes draft 2020-12: `type` (a string, or an array of strings
//! when several), `properties`, `required` (the fields present in every object), `items`,
//! `format`, `examples` and the tag as the annotation `x-signet-tag`. It describes what was
//! seen; it does not forbid other properties. An example is given back as the JSON value it
//! was (a number stays a number); a string example that was cut ends with `…`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Most distinct fields recorded in one object node.
pub const MAX_FIELDS: usize = 1_000;
/// Most nodes in one schema, the root included.
pub const MAX_NODES: usize = 20_000;
/// Deepest a node may be below the root; containers found there are not descended into.
pub const MAX_DEPTH: usize = 64;
/// Longest example, in characters.
pub const EXAMPLE_CHARS: usize = 80;

/// Objects with more fields than this look names up in an index instead of a scan.
const INDEX_FROM: usize = 24;

/// What the responses of an endpoint look like.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Schema {
    /// The shape of one sample.
    pub root: SchemaNode,
    /// How many values it was inferred from (responses, or items of paginated responses).
    pub samples: u64,
}

/// One place in the responses: the root, a field or an array's elements.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct SchemaNode {
    /// The types seen here, each once, in [`JsonType`]'s order (`integer` absorbed by
    /// `number`).
    pub types: Vec<JsonType>,
    /// How many values were here (`null` included).
    pub seen: u64,
    /// How many of them were `null`.
    #[serde(default)]
    pub nulls: u64,
    /// How many of them were objects: the count a field's `present` is measured against.
    #[serde(default)]
    pub objects: u64,
    /// How many of them were arrays.
    #[serde(default)]
    pub arrays: u64,
    /// The format every string here matched, if they all matched one.
    #[serde(default)]
    pub format: Option<StringFormat>,
    /// The objects' fields, in the order first seen.
    #[serde(default)]
    pub fields: Vec<SchemaField>,
    /// Every element of the arrays here, merged; `None` when no array had an element.
    #[serde(default)]
    pub items: Option<Box<SchemaNode>>,
    /// The first non-null scalar seen here, as JSON text (`"\"paid\""`, `12.5`), cut to
    /// [`EXAMPLE_CHARS`] characters; never for secret-looking fields.
    #[serde(default)]
    pub example: Option<String>,
    /// The user's tag: a [`Tag`] id from the [`taxonomy`].
    #[serde(default)]
    pub tag: Option<String>,
    /// Occurrences of fields not recorded here because of [`MAX_FIELDS`] or [`MAX_NODES`].
    #[serde(default)]
    pub skipped_fields: u64,
    /// Objects or arrays here whose contents were not described: found [`MAX_DEPTH`] levels
    /// down, or with elements past [`MAX_NODES`].
    #[serde(default)]
    pub unexplored: u64,
}

/// A property of the objects at a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct SchemaField {
    /// The name, as in the JSON.
    pub name: String,
    /// How many of the parent's objects had it: optional when less than the parent's
    /// `objects`.
    pub present: u64,
    /// Its values.
    pub node: SchemaNode,
}

/// A JSON type, as JSON Schema names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A number without a fraction or exponent.
    Integer,
    /// Any other number.
    Number,
    /// A string.
    String,
    /// An object.
    Object,
    /// An array.
    Array,
}

impl JsonType {
    /// Every type, in order.
    pub const ALL: [Self; 7] = [
        Self::Null,
        Self::Boolean,
        Self::Integer,
        Self::Number,
        Self::String,
        Self::Object,
        Self::Array,
    ];

    /// The name JSON Schema gives it (`"integer"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::String => "string",
            Self::Object => "object",
            Self::Array => "array",
        }
    }

    /// The name with an article, for messages ("an object").
    fn described(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Boolean => "a boolean",
            Self::Integer => "an integer",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Object => "an object",
            Self::Array => "an array",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A string format, as JSON Schema names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum StringFormat {
    /// RFC 3339 date and time with an offset: `2026-03-01T10:00:00Z`,
    /// `2026-03-01T10:00:00.123+01:00`.
    #[serde(rename = "date-time")]
    DateTime,
    /// RFC 3339 full date: `2026-03-01`.
    Date,
    /// A plain `local@domain.tld` address.
    Email,
    /// An `http://` or `https://` address (other schemes are left unformatted).
    Uri,
    /// `8-4-4-4-12` hexadecimal digits.
    Uuid,
}

impl StringFormat {
    /// The name JSON Schema gives it (`"date-time"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::DateTime => "date-time",
            Self::Date => "date",
            Self::Email => "email",
            Self::Uri => "uri",
            Self::Uuid => "uuid",
        }
    }

    /// The format `s` has, if any.
    pub fn detect(s: &str) -> Option<Self> {
        [
            Self::Uuid,
            Self::Date,
            Self::DateTime,
            Self::Email,
            Self::Uri,
        ]
        .into_iter()
        .find(|f| f.matches(s))
    }

    /// Whether `s` has this format.
    pub fn matches(self, s: &str) -> bool {
        let b = s.as_bytes();
        match self {
            Self::DateTime => is_date_time(b),
            Self::Date => b.len() == 10 && is_date(b),
            Self::Email => is_email(b),
            Self::Uri => is_http_uri(b),
            Self::Uuid => is_uuid(b),
        }
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// `YYYY-MM-DD` at the start of `b` (10 bytes), with a real day of that month.
fn is_date(b: &[u8]) -> bool {
    let (Some(y), Some(m), Some(d)) = (
        b.get(0..4).and_then(digits),
        b.get(5..7).and_then(digits),
        b.get(8..10).and_then(digits),
    ) else {
        return false;
    };
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    b[4] == b'-' && b[7] == b'-' && (1..=days).contains(&d)
}

/// RFC 3339 `date-time`: `full-date "T" HH:MM:SS [.fraction] ("Z" / ±HH:MM)`.
fn is_date_time(b: &[u8]) -> bool {
    let two = |at: usize, max: u32| b.get(at..at + 2).and_then(digits).is_some_and(|n| n <= max);
    if b.len() < 20 || !is_date(b) || !matches!(b[10], b'T' | b't') {
        return false;
    }
    if !(two(11, 23) && b[13] == b':' && two(14, 59) && b[16] == b':' && two(17, 60)) {
        return false;
    }
    let mut rest = &b[19..];
    if let [b'.', tail @ ..] = rest {
        let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &tail[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            digits(&[*h1, *h2]).is_some_and(|h| h <= 23)
                && digits(&[*m1, *m2]).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// `local@domain.tld`: one `@`, no spaces or quotes, at least two dot-separated domain
/// labels of letters, digits and inner `-`, the last of two or more letters.
fn is_email(b: &[u8]) -> bool {
    if b.len() > 254 {
        return false;
    }
    let Some(at) = b.iter().position(|&c| c == b'@') else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.iter().all(|&c| {
            c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&c) || c >= 0x80
        })
        && local[0] != b'.'
        && local[local.len() - 1] != b'.';
    if !local_ok {
        return false;
    }
    let mut labels = 0;
    let mut last: &[u8] = &[];
    for label in domain.split(|&c| c == b'.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
            && label[0] != b'-'
            && label[label.len() - 1] != b'-';
        if !ok {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && last.len() >= 2 && last.iter().all(u8::is_ascii_alphabetic)
}

/// `http://host...` or `https://host...`: a host, then no spaces or control characters.
fn is_http_uri(b: &[u8]) -> bool {
    let after = |scheme: &[u8]| {
        b.get(..scheme.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
            .then(|| &b[scheme.len()..])
    };
    let Some(rest) = after(b"http://").or_else(|| after(b"https://")) else {
        return false;
    };
    !matches!(rest.first(), None | Some(b'/' | b'?' | b'#' | b':'))
        && rest
            .iter()
            .all(|&c| c > b' ' && c != 0x7f && c != b'"' && c != b'<' && c != b'>')
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hexadecimal.
fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether a field name looks like it holds a secret; its values get no example.
pub fn looks_secret(name: &str) -> bool {
    const WORDS: [&str; 14] = [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "accesskey",
        "privatekey",
        "credential",
        "authorization",
        "cookie",
        "session",
        "signature",
        "cvv",
    ];
    let squashed: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    WORDS.iter().any(|w| squashed.contains(w))
}

/// A string cut to [`EXAMPLE_CHARS`] characters, the last one `…` when cut.
fn cut(s: &str) -> Cow<'_, str> {
    if s.char_indices().nth(EXAMPLE_CHARS).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out: String = s.chars().take(EXAMPLE_CHARS - 1).collect();
    out.push('…');
    Cow::Owned(out)
}

// ---------------------------------------------------------------------------------------------
// Building

/// What the strings at a node have had in common so far.
#[derive(Debug, Clone, Copy, Default)]
enum Formats {
    /// No string yet.
    #[default]
    Unseen,
    /// Every string so far had this format.
    All(StringFormat),
    /// Strings without one common format.
    Mixed,
}

impl Formats {
    fn add(self, s: &str) -> Self {
        match self {
            Self::Unseen => StringFormat::detect(s).map_or(Self::Mixed, Self::All),
            Self::All(f) if !f.matches(s) => Self::Mixed,
            other => other,
        }
    }
}

/// A node while it is being inferred: [`SchemaNode`] plus what merging needs.
#[derive(Debug, Clone, Default)]
struct Node {
    /// [`JsonType::bit`]s.
    types: u8,
    seen: u64,
    nulls: u64,
    objects: u64,
    arrays: u64,
    formats: Formats,
    fields: Vec<Field>,
    /// Name → position in `fields`, once there are more than [`INDEX_FROM`].
    index: Option<HashMap<String, usize>>,
    /// Where the next key is looked for first: the one after the last found (objects mostly
    /// come in the same order).
    next: usize,
    items: Option<Box<Node>>,
    example: Option<String>,
    /// No examples here or below.
    secret: bool,
    skipped_fields: u64,
    unexplored: u64,
}

#[derive(Debug, Clone)]
struct Field {
    name: String,
    present: u64,
    /// The parent's `objects` when last counted: a key repeated in one object counts once.
    stamp: u64,
    node: Node,
}

impl Node {
    fn new(secret: bool) -> Self {
        Self {
            secret,
            ..Self::default()
        }
    }

    fn scalar(&mut self, ty: JsonType, example: impl FnOnce() -> Option<String>) {
        self.seen += 1;
        self.types |= ty.bit();
        if self.example.is_none() && !self.secret {
            self.example = example();
        }
    }

    fn find(&mut self, name: &str) -> Option<usize> {
        if let Some(index) = &self.index {
            return index.get(name).copied();
        }
        let n = self.fields.len();
        let start = self.next.min(n);
        let found = (start..n)
            .chain(0..start)
            .find(|&i| self.fields[i].name == name);
        if let Some(i) = found {
            self.next = i + 1;
        }
        found
    }

    /// A new field, unless a bound is reached.
    fn add_field(&mut self, name: &str, nodes: &mut usize) -> Option<usize> {
        if self.fields.len() >= MAX_FIELDS || *nodes >= MAX_NODES {
            return None;
        }
        *nodes += 1;
        let i = self.fields.len();
        self.fields.push(Field {
            name: name.to_owned(),
            present: 0,
            stamp: 0,
            node: Node::new(self.secret || looks_secret(name)),
        });
        if let Some(index) = &mut self.index {
            index.insert(name.to_owned(), i);
        } else if self.fields.len() > INDEX_FROM {
            let index = self
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.clone(), i))
                .collect();
            self.index = Some(index);
        }
        self.next = i + 1;
        Some(i)
    }

    fn finish(self) -> SchemaNode {
        let mut bits = self.types;
        if bits & JsonType::Number.bit() != 0 {
            bits &= !JsonType::Integer.bit();
        }
        SchemaNode {
            types: JsonType::ALL
                .into_iter()
                .filter(|t| bits & t.bit() != 0)
                .collect(),
            seen: self.seen,
            nulls: self.nulls,
            objects: self.objects,
            arrays: self.arrays,
            format: match self.formats {
                Formats::All(f) => Some(f),
                _ => None,
            },
            fields: self
                .fields
                .into_iter()
                .map(|f| SchemaField {
                    name: f.name,
                    present: f.present,
                    node: f.node.finish(),
                })
                .collect(),
            items: self.items.map(|n| Box::new(n.finish())),
            example: self.example,
            tag: None,
            skipped_fields: self.skipped_fields,
            unexplored: self.unexplored,
        }
    }
}

/// Merges one value into `node`: the one implementation of the merge rules.
struct Infer<'a> {
    node: &'a mut Node,
    /// Nodes in the whole tree.
    nodes: &'a mut usize,
    /// `node`'s depth below the root.
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Infer<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Infer<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.node.seen += 1;
        self.node.nulls += 1;
        self.node.types |= JsonType::Null.bit();
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.node.scalar(JsonType::Boolean, || Some(v.to_string()));
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.node.scalar(JsonType::Integer, || Some(v.to_string()));
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.node.scalar(JsonType::Integer, || Some(v.to_string()));
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.node.scalar(JsonType::Number, || {
            serde_json::Number::from_f64(v).map(|n| n.to_string())
        });
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        let node = self.node;
        node.formats = node.formats.add(v);
        node.scalar(JsonType::String, || Some(json_string(&cut(v))));
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Infer { node, nodes, depth } = self;
        node.seen += 1;
        node.objects += 1;
        node.types |= JsonType::Object.bit();
        if depth >= MAX_DEPTH {
            node.unexplored += 1;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let stamp = node.objects;
        while let Some(slot) = map.next_key_seed(Key {
            node: &mut *node,
            nodes: &mut *nodes,
        })? {
            match slot.and_then(|i| node.fields.get_mut(i)) {
                Some(field) => {
                    if field.stamp != stamp {
                        field.stamp = stamp;
                        field.present += 1;
                    }
                    map.next_value_seed(Infer {
                        node: &mut field.node,
                        nodes: &mut *nodes,
                        depth: depth + 1,
                    })?;
                }
                None => {
                    node.skipped_fields += 1;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Infer { node, nodes, depth } = self;
        node.seen += 1;
        node.arrays += 1;
        node.types |= JsonType::Array.bit();
        if depth >= MAX_DEPTH {
            node.unexplored += 1;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let mut skipped = false;
        while seq
            .next_element_seed(Element {
                items: &mut node.items,
                secret: node.secret,
                skipped: &mut skipped,
                nodes: &mut *nodes,
                depth: depth + 1,
            })?
            .is_some()
        {}
        if skipped {
            node.unexplored += 1;
        }
        Ok(())
    }
}

/// A key of an object: its field's position, made on first sight (`None`: over a bound).
struct Key<'a> {
    node: &'a mut Node,
    nodes: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(match self.node.find(v) {
            Some(i) => Some(i),
            None => self.node.add_field(v, self.nodes),
        })
    }
}

/// An element of an array: merged into the array's `items`, made on the first element.
struct Element<'a> {
    items: &'a mut Option<Box<Node>>,
    secret: bool,
    /// Set when an element could not be described ([`MAX_NODES`]).
    skipped: &'a mut bool,
    nodes: &'a mut usize,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Element<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.items.is_none() {
            if *self.nodes >= MAX_NODES {
                *self.skipped = true;
                return IgnoredAny::deserialize(d).map(|_| ());
            }
            *self.nodes += 1;
            *self.items = Some(Box::new(Node::new(self.secret)));
        }
        match self.items {
            Some(node) => d.deserialize_any(Infer {
                node,
                nodes: self.nodes,
                depth: self.depth,
            }),
            None => IgnoredAny::deserialize(d).map(|_| ()),
        }
    }
}

/// The elements of a top-level array, each one sample.
struct Elements<'a> {
    root: &'a mut Node,
    nodes: &'a mut usize,
    samples: &'a mut u64,
    /// What the top level was, when not an array.
    found: &'a mut Option<JsonType>,
}

impl Elements<'_> {
    fn not_array<E: de::Error>(self, ty: JsonType) -> Result<(), E> {
        *self.found = Some(ty);
        Err(E::custom("not an array"))
    }
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Infer {
                node: &mut *self.root,
                nodes: &mut *self.nodes,
                depth: 0,
            })?
            .is_some()
        {
            *self.samples += 1;
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_array(JsonType::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_array(JsonType::Boolean)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_array(JsonType::Integer)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_array(JsonType::Integer)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_array(JsonType::Number)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_array(JsonType::String)
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.not_array(JsonType::Object)
    }
}

/// Infers a [`Schema`] from samples, one at a time.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    root: Node,
    nodes: usize,
    samples: u64,
}

impl Default for SchemaBuilder {
    fn default() -> Self {
        Self {
            root: Node::default(),
            nodes: 1,
            samples: 0,
        }
    }
}

impl SchemaBuilder {
    /// A builder with no sample yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many samples it has taken.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Adds one sample.
    pub fn add(&mut self, value: &Value) {
        let seed = Infer {
            node: &mut self.root,
            nodes: &mut self.nodes,
            depth: 0,
        };
        // A `Value` always reads back whole, and merging never fails.
        if seed.deserialize(value).is_ok() {
            self.samples += 1;
        }
    }

    /// Adds one sample from JSON text, reading it once without building a
    /// [`serde_json::Value`]. On error the builder is left as it was.
    pub fn add_json(&mut self, bytes: &[u8]) -> Result<(), SchemaError> {
        let before = self.clone();
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let seed = Infer {
            node: &mut self.root,
            nodes: &mut self.nodes,
            depth: 0,
        };
        match seed.deserialize(&mut de).and_then(|()| de.end()) {
            Ok(()) => {
                self.samples += 1;
                Ok(())
            }
            Err(e) => {
                *self = before;
                Err(SchemaError::from_json(&e))
            }
        }
    }

    /// Adds each element of a JSON array as one sample (a page of items), reading it once
    /// without building a [`serde_json::Value`]. On error, such as the text not being an
    /// array, the builder is left as it was.
    pub fn add_array_elements(&mut self, bytes: &[u8]) -> Result<(), SchemaError> {
        let before = self.clone();
        let mut found = None;
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let visitor = Elements {
            root: &mut self.root,
            nodes: &mut self.nodes,
            samples: &mut self.samples,
            found: &mut found,
        };
        match de::Deserializer::deserialize_any(&mut de, visitor).and_then(|()| de.end()) {
            Ok(()) => Ok(()),
            Err(e) => {
                *self = before;
                Err(match found {
                    Some(found) => SchemaError::NotAnArray { found },
                    None => SchemaError::from_json(&e),
                })
            }
        }
    }

    /// The schema.
    pub fn finish(self) -> Schema {
        Schema {
            root: self.root.finish(),
            samples: self.samples,
        }
    }
}

/// The schema of these samples.
pub fn infer(values: &[Value]) -> Schema {
    let mut b = SchemaBuilder::new();
    for v in values {
        b.add(v);
    }
    b.finish()
}

// ---------------------------------------------------------------------------------------------
// Paths

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// Into the field of this name.
    Field(String),
    /// Into an array's elements: `[]`.
    Items,
}

/// Whether `name` is written as is in a path (else as `["name"]`).
fn is_plain(name: &str) -> bool {
    !name.is_empty() && name.chars().all(plain_char)
}

fn plain_char(c: char) -> bool {
    !matches!(c, '.' | '[' | ']' | '"' | '\\') && !c.is_whitespace() && !c.is_control()
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn push_step(out: &mut String, step: &PathStep) {
    match step {
        PathStep::Items => out.push_str("[]"),
        PathStep::Field(name) if is_plain(name) => {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(name);
        }
        PathStep::Field(name) => {
            out.push('[');
            out.push_str(&json_string(name));
            out.push(']');
        }
    }
}

/// The path of these steps (see the module docs).
pub fn path_of(steps: &[PathStep]) -> String {
    let mut out = String::new();
    for s in steps {
        push_step(&mut out, s);
    }
    out
}

/// The steps of a path (see the module docs); `""` is the root, no steps.
pub fn parse_path(path: &str) -> Result<Vec<PathStep>, SchemaError> {
    let bad = |at: usize, reason: &'static str| SchemaError::BadPath {
        path: path.to_owned(),
        at: path.get(..at).map_or(at, |p| p.chars().count()) + 1,
        reason,
    };
    let b = path.as_bytes();
    let mut steps = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'[' => match b.get(i + 1) {
                Some(b']') => {
                    steps.push(PathStep::Items);
                    i += 2;
                }
                Some(b'"') => {
                    let start = i + 1;
                    let mut j = start + 1;
                    let end = loop {
                        match b.get(j) {
                            None => return Err(bad(i, "the quoted name has no closing `\"`")),
                            Some(b'\\') => j += 2,
                            Some(b'"') => break j,
                            Some(_) => j += 1,
                        }
                    };
                    let name = path
                        .get(start..=end)
                        .and_then(|lit| serde_json::from_str::<String>(lit).ok())
                        .ok_or_else(|| bad(start, "the quoted name is not a JSON string"))?;
                    if b.get(end + 1) != Some(&b']') {
                        return Err(bad(end + 1, "expected `]` after the quoted name"));
                    }
                    steps.push(PathStep::Field(name));
                    i = end + 2;
                }
                _ => return Err(bad(i + 1, "expected `]` or a quoted name after `[`")),
            },
            b'.' if steps.is_empty() => return Err(bad(i, "a path does not start with `.`")),
            _ if c != b'.' && !steps.is_empty() => {
                return Err(bad(i, "expected `.`, `[]` or `[\"name\"]`"));
            }
            _ => {
                let start = if c == b'.' { i + 1 } else { i };
                let rest = path.get(start..).unwrap_or_default();
                let len = rest.find(['.', '[']).unwrap_or(rest.len());
                let name = &rest[..len];
                if name.is_empty() {
                    return Err(bad(start, "expected a name after `.`"));
                }
                if let Some((k, _)) = name.char_indices().find(|&(_, c)| !plain_char(c)) {
                    return Err(bad(
                        start + k,
                        "a name with `]`, quotes, backslashes or spaces is written [\"name\"]",
                    ));
                }
                steps.push(PathStep::Field(name.to_owned()));
                i = start + len;
            }
        }
    }
    Ok(steps)
}

impl SchemaNode {
    /// The field `name`.
    pub fn field(&self, name: &str) -> Option<&SchemaField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Whether `null` was seen here.
    pub fn nullable(&self) -> bool {
        self.nulls > 0
    }

    /// Whether `field` (one of this node's) was absent from some of its objects.
    pub fn is_optional(&self, field: &SchemaField) -> bool {
        field.present < self.objects
    }

    fn step(&self, step: &PathStep) -> Option<&SchemaNode> {
        match step {
            PathStep::Items => self.items.as_deref(),
            PathStep::Field(name) => self.field(name).map(|f| &f.node),
        }
    }

    fn step_mut(&mut self, step: &PathStep) -> Option<&mut SchemaNode> {
        match step {
            PathStep::Items => self.items.as_deref_mut(),
            PathStep::Field(name) => self
                .fields
                .iter_mut()
                .find(|f| f.name == *name)
                .map(|f| &mut f.node),
        }
    }

    /// Calls `f` with each node below this one and its path (`path` is this node's), depth
    /// first: fields in order, then items.
    fn walk<'a>(&'a self, path: &mut String, f: &mut impl FnMut(&str, &'a SchemaNode)) {
        let len = path.len();
        let children = self
            .fields
            .iter()
            .map(|c| (PathStep::Field(c.name.clone()), &c.node))
            .chain(self.items.as_deref().map(|n| (PathStep::Items, n)));
        for (step, node) in children {
            push_step(path, &step);
            f(path, node);
            node.walk(path, f);
            path.truncate(len);
        }
    }
}

impl Schema {
    /// The node at `path` (see the module docs), if any.
    pub fn node(&self, path: &str) -> Option<&SchemaNode> {
        parse_path(path)
            .ok()?
            .iter()
            .try_fold(&self.root, |n, s| n.step(s))
    }

    fn node_mut(&mut self, path: &str) -> Result<&mut SchemaNode, SchemaError> {
        let steps = parse_path(path)?;
        let mut node = &mut self.root;
        for (k, step) in steps.iter().enumerate() {
            node = match node.step_mut(step) {
                Some(n) => n,
                None => {
                    return Err(SchemaError::UnknownPath {
                        path: path.to_owned(),
                        found: path_of(&steps[..k]),
                    });
                }
            };
        }
        Ok(node)
    }

    /// Tags the node at `path` with a [`taxonomy`] tag id, or clears its tag.
    pub fn set_tag(&mut self, path: &str, tag: Option<&str>) -> Result<(), SchemaError> {
        if let Some(t) = tag
            && find_tag(t).is_none()
        {
            return Err(SchemaError::UnknownTag { tag: t.to_owned() });
        }
        self.node_mut(path)?.tag = tag.map(str::to_owned);
        Ok(())
    }

    /// Every tagged node's path and tag, depth first (the root first).
    pub fn tags(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(t) = &self.root.tag {
            out.push((String::new(), t.clone()));
        }
        self.root.walk(&mut String::new(), &mut |p, n| {
            if let Some(t) = &n.tag {
                out.push((p.to_owned(), t.clone()));
            }
        });
        out
    }

    /// Gives this schema (typically re-inferred) the tags of `saved` at the same paths, where
    /// it has none of its own. Returns the paths of tags that could not be carried because
    /// this schema has no node there.
    pub fn carry_tags_from(&mut self, saved: &Schema) -> Vec<String> {
        let mut lost = Vec::new();
        for (path, tag) in saved.tags() {
            match self.node_mut(&path) {
                Ok(node) => {
                    if node.tag.is_none() {
                        node.tag = Some(tag);
                    }
                }
                Err(_) => lost.push(path),
            }
        }
        lost
    }

    /// Every node's path but the root's, depth first: an object's fields in the order first
    /// seen (each followed by what is inside it), then its array items.
    pub fn paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.root
            .walk(&mut String::new(), &mut |p, _| out.push(p.to_owned()));
        out
    }

    /// Whether a bound left something undescribed (see the module docs).
    pub fn truncated(&self) -> bool {
        let cut = |n: &SchemaNode| n.skipped_fields > 0 || n.unexplored > 0;
        let mut any = cut(&self.root);
        self.root
            .walk(&mut String::new(), &mut |_, n| any = any || cut(n));
        any
    }

    /// The schema as JSON Schema draft 2020-12, titled `title`.
    pub fn to_json_schema(&self, title: &str) -> Value {
        let mut m = Map::new();
        m.insert(
            "$schema".into(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        m.insert("title".into(), title.into());
        json_schema(&self.root, &mut m);
        Value::Object(m)
    }
}

fn json_schema(n: &SchemaNode, m: &mut Map<String, Value>) {
    match n.types.as_slice() {
        [] => {}
        [t] => {
            m.insert("type".into(), t.name().into());
        }
        ts => {
            m.insert(
                "type".into(),
                ts.iter().map(|t| Value::from(t.name())).collect(),
            );
        }
    }
    if let Some(f) = n.format {
        m.insert("format".into(), f.name().into());
    }
    if !n.fields.is_empty() {
        let props = n
            .fields
            .iter()
            .map(|f| {
                let mut p = Map::new();
                json_schema(&f.node, &mut p);
                (f.name.clone(), Value::Object(p))
            })
            .collect();
        m.insert("properties".into(), Value::Object(props));
        let required: Vec<Value> = n
            .fields
            .iter()
            .filter(|f| !n.is_optional(f))
            .map(|f| f.name.as_str().into())
            .collect();
        if !required.is_empty() {
            m.insert("required".into(), required.into());
        }
    }
    if let Some(items) = &n.items {
        let mut i = Map::new();
        json_schema(items, &mut i);
        m.insert("items".into(), Value::Object(i));
    }
    if let Some(example) = n
        .example
        .as_deref()
        .and_then(|e| serde_json::from_str::<Value>(e).ok())
    {
        m.insert("examples".into(), Value::Array(vec![example]));
    }
    if let Some(tag) = &n.tag {
        m.insert("x-signet-tag".into(), tag.as_str().into());
    }
}

// ---------------------------------------------------------------------------------------------
// Drift

/// One difference between a saved schema and a fresh one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Drift {
    /// Where (see the module docs).
    pub path: String,
    /// What changed.
    pub change: DriftKind,
}

/// What changed at a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DriftKind {
    /// A field or array items the saved schema did not have.
    Added {
        /// Its types now.
        types: Vec<JsonType>,
    },
    /// A field the saved schema had, in none of the fresh objects.
    Missing,
    /// Different types.
    TypeChanged {
        /// Saved.
        from: Vec<JsonType>,
        /// Fresh.
        to: Vec<JsonType>,
    },
    /// Was in every object, now absent from some.
    BecameOptional,
    /// Was absent from some objects, now in every one.
    BecameRequired,
    /// The strings' common format changed.
    FormatChanged {
        /// Saved.
        from: Option<StringFormat>,
        /// Fresh.
        to: Option<StringFormat>,
    },
}

/// What changed from `saved` to `fresh`, sorted by path (see the module docs for what is
/// reported).
pub fn drift(saved: &Schema, fresh: &Schema) -> Vec<Drift> {
    let mut out = Vec::new();
    compare(&saved.root, &fresh.root, &mut String::new(), &mut out);
    out.sort_by(|a, b| (&a.path, a.change.rank()).cmp(&(&b.path, b.change.rank())));
    out
}

impl DriftKind {
    /// Its place in the declaration's order.
    fn rank(&self) -> u8 {
        match self {
            Self::Added { .. } => 0,
            Self::Missing => 1,
            Self::TypeChanged { .. } => 2,
            Self::BecameOptional => 3,
            Self::BecameRequired => 4,
            Self::FormatChanged { .. } => 5,
        }
    }
}

/// Whether every type in `a` is one of `b`'s (an integer is a number).
fn covered(a: &[JsonType], b: &[JsonType]) -> bool {
    a.iter()
        .all(|t| b.contains(t) || (*t == JsonType::Integer && b.contains(&JsonType::Number)))
}

fn note(out: &mut Vec<Drift>, path: &str, change: DriftKind) {
    out.push(Drift {
        path: path.to_owned(),
        change,
    });
}

fn compare(s: &SchemaNode, f: &SchemaNode, path: &mut String, out: &mut Vec<Drift>) {
    // Enough fresh values here to show that something stopped happening.
    let enough = f.seen >= s.seen;
    if s.types != f.types && (!covered(&f.types, &s.types) || enough) {
        let (from, to) = (s.types.clone(), f.types.clone());
        note(out, path, DriftKind::TypeChanged { from, to });
    }
    let strings = |n: &SchemaNode| n.types.contains(&JsonType::String);
    if strings(s) && strings(f) && s.format != f.format && (s.format.is_some() || enough) {
        let (from, to) = (s.format, f.format);
        note(out, path, DriftKind::FormatChanged { from, to });
    }
    let len = path.len();
    for sf in &s.fields {
        push_step(path, &PathStep::Field(sf.name.clone()));
        match f.field(&sf.name) {
            Some(ff) => {
                let (was, is) = (s.is_optional(sf), f.is_optional(ff));
                if !was && is {
                    note(out, path, DriftKind::BecameOptional);
                } else if was && !is && f.objects >= s.objects {
                    note(out, path, DriftKind::BecameRequired);
                }
                compare(&sf.node, &ff.node, path, out);
            }
            None => {
                // Absent from fresh objects (not merely unseen: no objects, or over a bound).
                let evidence = f.objects > 0
                    && f.skipped_fields == 0
                    && (!s.is_optional(sf) || f.objects >= s.objects);
                if evidence {
                    note(out, path, DriftKind::Missing);
                }
            }
        }
        path.truncate(len);
    }
    for ff in f.fields.iter().filter(|ff| s.field(&ff.name).is_none()) {
        push_step(path, &PathStep::Field(ff.name.clone()));
        let types = ff.node.types.clone();
        note(out, path, DriftKind::Added { types });
        path.truncate(len);
    }
    match (&s.items, &f.items) {
        (Some(si), Some(fi)) => {
            push_step(path, &PathStep::Items);
            compare(si, fi, path, out);
            path.truncate(len);
        }
        (None, Some(fi)) => {
            push_step(path, &PathStep::Items);
            let types = fi.types.clone();
            note(out, path, DriftKind::Added { types });
            path.truncate(len);
        }
        // No elements in the fresh arrays: nothing to say about them.
        (_, None) => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Tags

/// A group of tags in the taxonomy ("Orders").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct TagGroup {
    /// `orders`.
    pub id: String,
    /// "Orders".
    pub label: String,
    /// Its tags.
    pub tags: Vec<Tag>,
}

/// A tag a field can carry: what the field means, in the taxonomy's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Tag {
    /// `order.id`.
    pub id: String,
    /// "Order ID".
    pub label: String,
    /// What it is, in plain words.
    pub hint: String,
}

type TagRow = (&'static str, &'static str, &'static str);

/// The taxonomy: (group id, group label, [(tag id, label, hint)]).
#[rustfmt::skip]
const TAXONOMY: [(&str, &str, &[TagRow]); 6] = [
    ("orders", "Orders", &[
        ("order.id", "Order ID",
            "The code the system uses to tell this order apart from every other."),
        ("order.number", "Order number",
            "The number people see and quote, such as #1001."),
        ("order.created_at", "Order placed",
            "When the order was placed."),
        ("order.updated_at", "Order last changed",
            "When anything about the order last changed."),
        ("order.status", "Order status",
            "Where the order is: for example pending, paid, shipped or cancelled."),
        ("order.total", "Order total",
            "What the customer pays for the whole order, with tax and shipping."),
        ("order.currency", "Currency",
            "The currency of the order's amounts, such as EUR or USD."),
        ("order.customer_email", "Customer email",
            "The email address of the person who placed the order."),
        ("order.customer_name", "Customer name",
            "The name of the person who placed the order."),
    ]),
    ("customers", "Customers", &[
        ("customer.id", "Customer ID",
            "The code the system uses to tell this customer apart from every other."),
        ("customer.email", "Email",
            "The customer's email address."),
        ("customer.name", "Name",
            "The customer's full name."),
        ("customer.phone", "Phone",
            "The customer's phone number."),
        ("customer.company", "Company",
            "The business the customer buys for, if any."),
        ("customer.created_at", "Customer since",
            "When the customer's account was made."),
    ]),
    ("products", "Products", &[
        ("product.id", "Product ID",
            "The code the system uses to tell this product apart from every other."),
        ("product.sku", "SKU",
            "The stock-keeping code the shop uses for the product."),
        ("product.name", "Product name",
            "The name customers see."),
        ("product.price", "Price",
            "What one item costs."),
        ("product.barcode", "Barcode",
            "The number under the barcode, such as an EAN or UPC."),
        ("product.updated_at", "Product last changed",
            "When anything about the product last changed."),
    ]),
    ("inventory", "Inventory", &[
        ("inventory.sku", "SKU",
            "Which product the stock figure is for."),
        ("inventory.quantity", "Quantity in stock",
            "How many items are there to sell."),
        ("inventory.reserved", "Quantity reserved",
            "How many items are held for orders not yet shipped."),
        ("inventory.location", "Location",
            "The warehouse or shop the stock is in."),
        ("inventory.updated_at", "Counted at",
            "When the stock figure was last updated."),
    ]),
    ("fulfilments", "Fulfilments", &[
        ("fulfilment.id", "Fulfilment ID",
            "The code the system uses for this shipment."),
        ("fulfilment.order_id", "Order",
            "Which order the shipment is for."),
        ("fulfilment.status", "Shipment status",
            "Where the shipment is: for example packed, shipped or delivered."),
        ("fulfilment.carrier", "Carrier",
            "The company delivering it, such as DHL or UPS."),
        ("fulfilment.tracking_number", "Tracking number",
            "The number to follow the parcel with."),
        ("fulfilment.tracking_url", "Tracking link",
            "The web page that shows where the parcel is."),
        ("fulfilment.shipped_at", "Shipped at",
            "When the parcel left."),
    ]),
    ("refunds", "Refunds", &[
        ("refund.id", "Refund ID",
            "The code the system uses for this refund."),
        ("refund.order_id", "Order",
            "Which order the money goes back for."),
        ("refund.amount", "Amount",
            "How much is paid back."),
        ("refund.currency", "Currency",
            "The currency of the amount, such as EUR or USD."),
        ("refund.reason", "Reason",
            "Why the money was paid back, in the shop's words."),
        ("refund.created_at", "Refunded at",
            "When the refund was made."),
    ]),
];

fn find_tag(id: &str) -> Option<&'static TagRow> {
    TAXONOMY
        .iter()
        .flat_map(|(_, _, tags)| tags.iter())
        .find(|(t, _, _)| *t == id)
}

/// The built-in tags, by group.
pub fn taxonomy() -> Vec<TagGroup> {
    TAXONOMY
        .iter()
        .map(|(id, label, tags)| TagGroup {
            id: (*id).into(),
            label: (*label).into(),
            tags: tags
                .iter()
                .map(|(id, label, hint)| Tag {
                    id: (*id).into(),
                    label: (*label).into(),
                    hint: (*hint).into(),
                })
                .collect(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Why a schema could not be learnt or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaError {
    /// The bytes are not JSON.
    InvalidJson {
        /// `serde_json`'s words, with the line and column.
        detail: String,
    },
    /// The JSON stops before its value ends.
    CutOff {
        /// `serde_json`'s words, with the line and column.
        detail: String,
    },
    /// [`SchemaBuilder::add_array_elements`] on something that is not an array.
    NotAnArray {
        /// What it is.
        found: JsonType,
    },
    /// A path that does not parse.
    BadPath {
        /// The path.
        path: String,
        /// The character where it goes wrong (from 1).
        at: usize,
        /// What is wrong there.
        reason: &'static str,
    },
    /// A path that names no node of the schema.
    UnknownPath {
        /// The path.
        path: String,
        /// The longest part of it that is in the schema (`""`: the root).
        found: String,
    },
    /// A tag id that is not in the [`taxonomy`].
    UnknownTag {
        /// The id.
        tag: String,
    },
}

impl SchemaError {
    fn from_json(e: &serde_json::Error) -> Self {
        let detail = e.to_string();
        if e.is_eof() {
            Self::CutOff { detail }
        } else {
            Self::InvalidJson { detail }
        }
    }

    /// A stable kind for the UI.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidJson { .. } => "schema_invalid_json",
            Self::CutOff { .. } => "schema_json_cut_off",
            Self::NotAnArray { .. } => "schema_not_an_array",
            Self::BadPath { .. } => "schema_bad_path",
            Self::UnknownPath { .. } => "schema_unknown_path",
            Self::UnknownTag { .. } => "schema_unknown_tag",
        }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidJson { detail } => write!(
                f,
                "the response is not valid JSON ({detail}): check that the endpoint answers with JSON, not a web page or plain text"
            ),
            Self::CutOff { detail } => write!(
                f,
                "the response ends in the middle of its JSON ({detail}): it was probably cut off; send the endpoint again"
            ),
            Self::NotAnArray { found } => write!(
                f,
                "expected a JSON array of items but the response is {}: learn the schema from the whole response, or from the array in it that holds the items",
                found.described()
            ),
            Self::BadPath { path, at, reason } => write!(
                f,
                "`{path}` is not a field path (at character {at}: {reason}); fields are joined with `.`, `[]` means every element of an array"
            ),
            Self::UnknownPath { path, found } if found.is_empty() => write!(
                f,
                "`{path}` is not in this schema: pick a field from the schema's tree (send the endpoint again if its response has changed)"
            ),
            Self::UnknownPath { path, found } => write!(
                f,
                "`{path}` is not in this schema, which goes only as far as `{found}`: pick a field from the schema's tree (send the endpoint again if its response has changed)"
            ),
            Self::UnknownTag { tag } => write!(
                f,
                "`{tag}` is not one of Signet's tags: pick one from the tag list (such as `order.id`), or clear the tag"
            ),
        }
    }
}

impl std::error::Error for SchemaError {}

#[cfg(test)]
mod tests {
    use super::*;
    use JsonType as T;
    use serde_json::json;

    #[track_caller]
    fn from_json(samples: &[&str]) -> Schema {
        let mut b = SchemaBuilder::new();
        for s in samples {
            b.add_json(s.as_bytes()).unwrap();
        }
        b.finish()
    }

    #[track_caller]
    fn at<'a>(s: &'a Schema, path: &str) -> &'a SchemaNode {
        s.node(path)
            .unwrap_or_else(|| panic!("no node at `{path}` in {:?}", s.paths()))
    }

    #[track_caller]
    fn field<'a>(s: &'a Schema, parent: &str, name: &str) -> &'a SchemaField {
        at(s, parent)
            .field(name)
            .unwrap_or_else(|| panic!("no field `{name}` at `{parent}`"))
    }

    #[test]
    fn types_are_unioned_across_pages() {
        let mut b = SchemaBuilder::new();
        b.add_array_elements(br#"[{"id": 1, "ref": "a"}, {"id": 2, "ref": 7}]"#)
            .unwrap();
        b.add_array_elements(br#"[{"id": 3, "ref": null, "flag": true}]"#)
            .unwrap();
        b.add_array_elements(b"[]").unwrap();
        let s = b.finish();
        assert_eq!(s.samples, 3);
        assert_eq!(s.root.seen, 3);
        assert_eq!(s.root.objects, 3);
        assert_eq!(at(&s, "ref").types, [T::Null, T::Integer, T::String]);
        assert_eq!(at(&s, "id").types, [T::Integer]);
        assert_eq!(at(&s, "flag").types, [T::Boolean]);
        assert_eq!(field(&s, "", "flag").present, 1);
        assert!(s.root.is_optional(field(&s, "", "flag")));
        assert!(!s.root.is_optional(field(&s, "", "ref")));
    }

    #[test]
    fn fields_absent_from_some_objects_are_optional() {
        let s = from_json(&[
            r#"{"a": 1, "b": {"x": 1}}"#,
            r#"{"a": 2}"#,
            r#"{"a": 3, "b": {"x": 2, "y": 3}}"#,
        ]);
        assert_eq!(field(&s, "", "a").present, 3);
        assert!(!s.root.is_optional(field(&s, "", "a")));
        assert!(s.root.is_optional(field(&s, "", "b")));
        // `b`'s fields are measured against the objects `b` was.
        let b = at(&s, "b");
        assert_eq!(b.objects, 2);
        assert!(!b.is_optional(field(&s, "b", "x")));
        assert!(b.is_optional(field(&s, "b", "y")));
        let js = s.to_json_schema("t");
        assert_eq!(js["required"], json!(["a"]));
        assert_eq!(js["properties"]["b"]["required"], json!(["x"]));
    }

    #[test]
    fn null_makes_a_field_nullable_not_optional() {
        let s = from_json(&[r#"{"a": null}"#, r#"{"a": "x"}"#, r#"{"a": "y"}"#]);
        let a = field(&s, "", "a");
        assert_eq!(a.present, 3);
        assert!(!s.root.is_optional(a));
        assert_eq!(a.node.types, [T::Null, T::String]);
        assert_eq!(a.node.nulls, 1);
        assert!(a.node.nullable());
        assert_eq!(a.node.example.as_deref(), Some(r#""x""#));
        assert_eq!(
            s.to_json_schema("t")["properties"]["a"]["type"],
            json!(["null", "string"])
        );
    }

    #[test]
    fn nested_arrays_merge_into_items_of_items() {
        let s = from_json(&[r#"{"matrix": [[1, 2], [3.5], []]}"#, r#"{"matrix": []}"#]);
        assert_eq!(at(&s, "matrix").types, [T::Array]);
        assert_eq!(at(&s, "matrix").arrays, 2);
        assert_eq!(at(&s, "matrix[]").types, [T::Array]);
        assert_eq!(at(&s, "matrix[]").arrays, 3);
        assert_eq!(at(&s, "matrix[][]").types, [T::Number]);
        assert_eq!(at(&s, "matrix[][]").seen, 3);
        assert!(s.node("matrix[][][]").is_none());

        let root = from_json(&["[[1], [2, [3]]]"]);
        assert_eq!(at(&root, "[]").types, [T::Array]);
        assert_eq!(at(&root, "[][]").types, [T::Integer, T::Array]);
        assert_eq!(at(&root, "[][][]").types, [T::Integer]);
        assert_eq!(
            root.paths(),
            ["[]", "[][]", "[][][]"].map(String::from).to_vec()
        );
    }

    #[test]
    fn arrays_of_objects_merge_elementwise() {
        let s = from_json(&[
            r#"{"lines": [{"sku": "A", "qty": 1}, {"sku": "B"}]}"#,
            r#"{"lines": [{"sku": "C", "qty": 2, "gift": true}]}"#,
            r#"{"lines": []}"#,
        ]);
        let lines = at(&s, "lines[]");
        assert_eq!(lines.objects, 3);
        assert_eq!(at(&s, "lines").arrays, 3);
        assert_eq!(field(&s, "lines[]", "sku").present, 3);
        assert!(!lines.is_optional(field(&s, "lines[]", "sku")));
        assert!(lines.is_optional(field(&s, "lines[]", "qty")));
        assert_eq!(field(&s, "lines[]", "gift").present, 1);
        assert_eq!(
            s.paths(),
            [
                "lines",
                "lines[]",
                "lines[].sku",
                "lines[].qty",
                "lines[].gift"
            ]
            .map(String::from)
            .to_vec()
        );
    }

    #[test]
    fn formats_are_recognised() {
        use StringFormat as F;
        for (s, f) in [
            ("2026-03-01T10:00:00Z", F::DateTime),
            ("2026-03-01T10:00:00.123+01:00", F::DateTime),
            ("2024-02-29T23:59:60-05:30", F::DateTime),
            ("2026-03-01t10:00:00.5z", F::DateTime),
            ("2026-03-01", F::Date),
            ("2024-02-29", F::Date),
            ("ada@example.com", F::Email),
            ("first.last+tag@mail.example.co.uk", F::Email),
            ("https://shop.example/orders/1?x=y#top", F::Uri),
            ("HTTP://localhost:8080", F::Uri),
            ("3b241101-e2bb-4255-8caf-4136c566a962", F::Uuid),
            ("3B241101-E2BB-4255-8CAF-4136C566A962", F::Uuid),
        ] {
            assert_eq!(StringFormat::detect(s), Some(f), "{s}");
        }
    }

    #[test]
    fn near_misses_have_no_format() {
        for s in [
            "",
            "hello",
            "2026-13-01",
            "2023-02-29",
            "2026-03-32",
            "2026-3-01",
            "2026-03-01T10:00:00",
            "2026-03-01 10:00:00Z",
            "2026-03-01T24:00:00Z",
            "2026-03-01T10:60:00Z",
            "2026-03-01T10:00:00.Z",
            "2026-03-01T10:00:00+0100",
            "2026-03-01T10:00:00+01:00 ",
            "ada@",
            "@example.com",
            "ada@localhost",
            "ada@example.c0m",
            "ada@example..com",
            "ada@-example.com",
            "a b@example.com",
            "ada@@example.com",
            ".ada@example.com",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "http//example.com",
            "3b241101-e2bb-4255-8caf-4136c566a96g",
            "3b241101e-2bb-4255-8caf-4136c566a962",
            "3b241101-e2bb-4255-8caf-4136c566a96",
            "2026-03-01T10:00:00Zé",
        ] {
            assert_eq!(StringFormat::detect(s), None, "{s:?}");
        }
    }

    #[test]
    fn a_format_holds_only_while_every_string_matches() {
        let s = from_json(&[
            r#"{"when": "2026-03-01T10:00:00Z", "day": "2026-03-01", "n": "2026-03-01"}"#,
            r#"{"when": "2026-03-02T10:00:00+02:00", "day": 5, "n": "soon"}"#,
            r#"{"when": null, "day": null}"#,
        ]);
        assert_eq!(at(&s, "when").format, Some(StringFormat::DateTime));
        // Only strings count: numbers and nulls do not break a format.
        assert_eq!(at(&s, "day").format, Some(StringFormat::Date));
        assert_eq!(at(&s, "n").format, None);
        // A date is not a date-time: the two together have no format.
        let mixed = from_json(&[r#"["2026-03-01T10:00:00Z", "2026-03-01"]"#]);
        assert_eq!(at(&mixed, "[]").format, None);
    }

    #[test]
    fn integers_are_absorbed_by_numbers() {
        let s = from_json(&[
            r#"{"t": 1, "i": 10, "f": 2.0, "e": 1e3, "big": 18446744073709551615, "neg": -5}"#,
            r#"{"t": 2.5, "i": 11}"#,
            r#"{"t": 3}"#,
        ]);
        assert_eq!(at(&s, "t").types, [T::Number]);
        assert_eq!(at(&s, "i").types, [T::Integer]);
        assert_eq!(at(&s, "f").types, [T::Number]);
        assert_eq!(at(&s, "e").types, [T::Number]);
        assert_eq!(at(&s, "big").types, [T::Integer]);
        assert_eq!(at(&s, "neg").types, [T::Integer]);
        // The first value stays the example.
        assert_eq!(at(&s, "t").example.as_deref(), Some("1"));
        assert_eq!(at(&s, "f").example.as_deref(), Some("2.0"));
        let js = s.to_json_schema("t");
        assert_eq!(js["properties"]["i"]["type"], "integer");
        assert_eq!(js["properties"]["t"]["type"], "number");
        assert_eq!(js["properties"]["f"]["examples"], json!([2.0]));
    }

    #[test]
    fn examples_are_cut_on_a_character_boundary() {
        let long = "é".repeat(200);
        let s = infer(&[json!({"long": long, "short": "paid", "n": 12.5, "b": true})]);
        let example: String =
            serde_json::from_str(at(&s, "long").example.as_deref().unwrap()).unwrap();
        assert_eq!(example.chars().count(), EXAMPLE_CHARS);
        assert!(example.ends_with('…'));
        assert!(example.starts_with("éé"));
        assert_eq!(at(&s, "short").example.as_deref(), Some(r#""paid""#));
        assert_eq!(at(&s, "n").example.as_deref(), Some("12.5"));
        assert_eq!(at(&s, "b").example.as_deref(), Some("true"));
        let exact = "x".repeat(EXAMPLE_CHARS);
        let s = infer(&[json!({ "exact": exact })]);
        assert_eq!(
            at(&s, "exact").example.as_deref(),
            Some(json_string(&exact).as_str())
        );
    }

    #[test]
    fn secret_looking_fields_have_no_example() {
        let s = from_json(&[r#"{
            "password": "hunter2", "api_key": "k", "oauth_token_secret": "s",
            "Authorization": "Bearer x", "credentials": {"user": "u"},
            "accessTokens": ["a"], "author": "Ada", "X-Session-Id": 7
        }"#]);
        for path in [
            "password",
            "api_key",
            "oauth_token_secret",
            "Authorization",
            "credentials.user",
            "accessTokens[]",
            "X-Session-Id",
        ] {
            assert_eq!(at(&s, path).example, None, "{path}");
        }
        assert_eq!(at(&s, "author").example.as_deref(), Some(r#""Ada""#));
        let js = s.to_json_schema("t");
        assert!(js["properties"]["password"].get("examples").is_none());
        assert!(!js.to_string().contains("hunter2"));
    }

    #[test]
    fn a_key_repeated_in_one_object_counts_once() {
        let s = from_json(&[r#"{"a": 1, "a": "x"}"#, r#"{"b": 1}"#]);
        assert_eq!(field(&s, "", "a").present, 1);
        assert_eq!(at(&s, "a").types, [T::Integer, T::String]);
    }

    fn saved_and_fresh() -> (Schema, Schema) {
        let saved = from_json(&[
            r#"{"id": 1, "status": "paid", "created": "2026-03-01T10:00:00Z", "note": "x", "sometimes": 1, "lines": [{"sku": "A"}]}"#,
            r#"{"id": 2, "status": "paid", "created": "2026-03-02T10:00:00Z", "note": "y", "lines": [{"sku": "B"}]}"#,
        ]);
        let fresh = from_json(&[
            r#"{"id": "A1", "status": "paid", "created": "yesterday", "sometimes": 1, "new": true, "lines": [{"sku": "A", "qty": 1}]}"#,
            r#"{"id": "A2", "created": "2026-03-02T10:00:00Z", "sometimes": 2, "new": false, "lines": [{"sku": "B", "qty": 2}]}"#,
        ]);
        (saved, fresh)
    }

    #[test]
    fn drift_reports_each_kind_sorted_by_path() {
        let (saved, fresh) = saved_and_fresh();
        let d = drift(&saved, &fresh);
        let want = [
            (
                "created",
                DriftKind::FormatChanged {
                    from: Some(StringFormat::DateTime),
                    to: None,
                },
            ),
            (
                "id",
                DriftKind::TypeChanged {
                    from: vec![T::Integer],
                    to: vec![T::String],
                },
            ),
            (
                "lines[].qty",
                DriftKind::Added {
                    types: vec![T::Integer],
                },
            ),
            (
                "new",
                DriftKind::Added {
                    types: vec![T::Boolean],
                },
            ),
            ("note", DriftKind::Missing),
            ("sometimes", DriftKind::BecameRequired),
            ("status", DriftKind::BecameOptional),
        ]
        .map(|(path, change)| Drift {
            path: path.into(),
            change,
        });
        assert_eq!(d, want);
        assert!(drift(&saved, &saved).is_empty());
        assert!(drift(&fresh, &fresh).is_empty());
    }

    #[test]
    fn drift_does_not_read_too_much_into_few_samples() {
        let many: Vec<Value> = (0..10u32)
            .map(|i| {
                if i.is_multiple_of(2) {
                    json!({"x": 1, "t": null, "n": 1.5, "s": "2026-03-01", "opt": 1, "tags": ["a"]})
                } else {
                    json!({"t": "a", "n": 2, "s": "soon", "tags": ["b"]})
                }
            })
            .collect();
        let saved = infer(&many);
        // One response with everything present and only one kind of each value.
        let fresh = infer(&[json!({"x": 1, "t": "b", "n": 3, "s": "2026-03-02", "tags": []})]);
        assert_eq!(drift(&saved, &fresh), []);
        // The same seen as often as before does show it.
        let fresh_many = infer(&vec![
            json!({"x": 1, "t": "b", "n": 3, "s": "2026-03-02", "tags": []});
            10
        ]);
        let kinds: Vec<(String, DriftKind)> = drift(&saved, &fresh_many)
            .into_iter()
            .map(|d| (d.path, d.change))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    "n".into(),
                    DriftKind::TypeChanged {
                        from: vec![T::Number],
                        to: vec![T::Integer]
                    }
                ),
                ("opt".into(), DriftKind::Missing),
                (
                    "s".into(),
                    DriftKind::FormatChanged {
                        from: None,
                        to: Some(StringFormat::Date)
                    }
                ),
                (
                    "t".into(),
                    DriftKind::TypeChanged {
                        from: vec![T::Null, T::String],
                        to: vec![T::String]
                    }
                ),
                ("x".into(), DriftKind::BecameRequired),
            ]
        );
    }

    #[test]
    fn changes_at_one_path_come_in_the_kinds_order() {
        let saved = from_json(&[r#"{"a": "2026-03-01", "b": 1}"#, r#"{"a": "2026-03-02"}"#]);
        let fresh = from_json(&[r#"{"a": 5, "b": 1}"#, r#"{"a": "soon", "b": 2}"#]);
        let kinds: Vec<(String, DriftKind)> = drift(&saved, &fresh)
            .into_iter()
            .map(|d| (d.path, d.change))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    "a".into(),
                    DriftKind::TypeChanged {
                        from: vec![T::String],
                        to: vec![T::Integer, T::String]
                    }
                ),
                (
                    "a".into(),
                    DriftKind::FormatChanged {
                        from: Some(StringFormat::Date),
                        to: None
                    }
                ),
                ("b".into(), DriftKind::BecameRequired),
            ]
        );
        // An optional flip is found from the parent, a type change at the field: still in
        // the kinds' order.
        let fresh = from_json(&[r#"{"b": "x"}"#, r#"{"a": 7}"#, r#"{}"#]);
        let kinds: Vec<DriftKind> = drift(&saved, &fresh)
            .into_iter()
            .map(|d| d.change)
            .collect();
        assert_eq!(
            kinds,
            [
                DriftKind::TypeChanged {
                    from: vec![T::String],
                    to: vec![T::Integer]
                },
                DriftKind::BecameOptional,
                DriftKind::TypeChanged {
                    from: vec![T::Integer],
                    to: vec![T::String]
                },
            ]
        );
    }

    #[test]
    fn drift_serializes_with_a_kind() {
        let d = Drift {
            path: "id".into(),
            change: DriftKind::TypeChanged {
                from: vec![T::Integer],
                to: vec![T::String],
            },
        };
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!({"path": "id", "change": {"kind": "type_changed", "from": ["integer"], "to": ["string"]}})
        );
        let f = DriftKind::FormatChanged {
            from: Some(StringFormat::DateTime),
            to: None,
        };
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({"kind": "format_changed", "from": "date-time", "to": null})
        );
        assert_eq!(
            serde_json::to_value(DriftKind::BecameOptional).unwrap(),
            json!({"kind": "became_optional"})
        );
    }

    #[test]
    fn tags_are_set_checked_and_cleared() {
        let mut s = from_json(&[r#"{"id": 1, "customer": {"email": "a@example.com"}}"#]);
        s.set_tag("id", Some("order.id")).unwrap();
        s.set_tag("customer.email", Some("order.customer_email"))
            .unwrap();
        assert_eq!(at(&s, "id").tag.as_deref(), Some("order.id"));
        assert_eq!(
            s.tags(),
            [
                ("id".to_owned(), "order.id".to_owned()),
                (
                    "customer.email".to_owned(),
                    "order.customer_email".to_owned()
                )
            ]
        );
        let e = s.set_tag("customer.emial", Some("order.id")).unwrap_err();
        assert_eq!(e.kind(), "schema_unknown_path");
        assert_eq!(
            e.to_string(),
            "`customer.emial` is not in this schema, which goes only as far as `customer`: pick a field from the schema's tree (send the endpoint again if its response has changed)"
        );
        let e = s.set_tag("total", None).unwrap_err();
        assert_eq!(
            e,
            SchemaError::UnknownPath {
                path: "total".into(),
                found: String::new()
            }
        );
        let e = s.set_tag("id", Some("order.identifier")).unwrap_err();
        assert_eq!(e.kind(), "schema_unknown_tag");
        assert_eq!(
            e.to_string(),
            "`order.identifier` is not one of Signet's tags: pick one from the tag list (such as `order.id`), or clear the tag"
        );
        // The failed call changed nothing.
        assert_eq!(at(&s, "id").tag.as_deref(), Some("order.id"));
        s.set_tag("id", None).unwrap();
        assert_eq!(at(&s, "id").tag, None);
    }

    #[test]
    fn tags_carry_over_to_a_re_inferred_schema() {
        let mut saved =
            from_json(&[r#"{"id": 1, "lines": [{"sku": "A"}], "old": 1, "odd name": 2}"#]);
        saved.set_tag("id", Some("order.id")).unwrap();
        saved.set_tag("lines[].sku", Some("product.sku")).unwrap();
        saved.set_tag("old", Some("order.number")).unwrap();
        saved
            .set_tag(r#"["odd name"]"#, Some("order.total"))
            .unwrap();
        let mut fresh = from_json(&[
            r#"{"id": 2, "lines": [{"sku": "B", "qty": 1}], "odd name": 3, "new": 1}"#,
        ]);
        fresh.set_tag("new", Some("order.status")).unwrap();
        let lost = fresh.carry_tags_from(&saved);
        assert_eq!(lost, ["old"]);
        assert_eq!(at(&fresh, "id").tag.as_deref(), Some("order.id"));
        assert_eq!(
            at(&fresh, "lines[].sku").tag.as_deref(),
            Some("product.sku")
        );
        assert_eq!(
            at(&fresh, r#"["odd name"]"#).tag.as_deref(),
            Some("order.total")
        );
        assert_eq!(at(&fresh, "new").tag.as_deref(), Some("order.status"));
        assert_eq!(at(&fresh, "lines[].qty").tag, None);
    }

    #[test]
    fn odd_names_round_trip_through_paths() {
        let s = from_json(&[
            r#"{"plain": 1, "a.b": {"c d": [{"[x]": 1}]}, "": 2, "quo\"te": 3, "back\\slash": 4,
                "tab\there": 5, "prénom": 6, "matrix": [[1]], "a]b": 7}"#,
        ]);
        let want = [
            "plain",
            r#"["a.b"]"#,
            r#"["a.b"]["c d"]"#,
            r#"["a.b"]["c d"][]"#,
            r#"["a.b"]["c d"][]["[x]"]"#,
            r#"[""]"#,
            r#"["quo\"te"]"#,
            r#"["back\\slash"]"#,
            r#"["tab\there"]"#,
            "prénom",
            "matrix",
            "matrix[]",
            "matrix[][]",
            r#"["a]b"]"#,
        ];
        assert_eq!(s.paths(), want.map(String::from).to_vec());
        for p in want {
            assert!(s.node(p).is_some(), "{p}");
            assert_eq!(path_of(&parse_path(p).unwrap()), p);
        }
        assert_eq!(at(&s, r#"["a.b"]["c d"][]["[x]"]"#).types, [T::Integer]);
        assert_eq!(at(&s, r#"[""]"#).example.as_deref(), Some("2"));
        assert_eq!(
            parse_path(r#"["a.b"]["c d"][].x"#).unwrap(),
            [
                PathStep::Field("a.b".into()),
                PathStep::Field("c d".into()),
                PathStep::Items,
                PathStep::Field("x".into())
            ]
        );
        assert_eq!(parse_path("").unwrap(), []);
        assert_eq!(at(&s, "").objects, 1);
        let mut s = s;
        s.set_tag(r#"["quo\"te"]"#, Some("order.number")).unwrap();
        assert_eq!(s.tags()[0].0, r#"["quo\"te"]"#);
    }

    #[test]
    fn malformed_paths_are_refused_with_the_place() {
        for (path, at) in [
            (".a", 1),
            ("a.", 3),
            ("a..b", 3),
            ("a[", 3),
            ("a[x]", 3),
            (r#"a["x""#, 6),
            (r#"a["x"]b"#, 7),
            ("a]b", 2),
            ("a b", 2),
            ("é b", 2),
            (r#"a["x]"#, 2),
            (r#"a["\q"]"#, 3),
        ] {
            match parse_path(path) {
                Err(SchemaError::BadPath { at: got, .. }) => assert_eq!(got, at, "{path}"),
                other => panic!("{path}: {other:?}"),
            }
        }
        assert_eq!(
            parse_path("a b").unwrap_err().to_string(),
            "`a b` is not a field path (at character 2: a name with `]`, quotes, backslashes or spaces is written [\"name\"]); fields are joined with `.`, `[]` means every element of an array"
        );
        let s = from_json(&["{}"]);
        assert!(s.node("a b").is_none());
    }

    #[test]
    fn fields_past_the_thousandth_are_counted_not_kept() {
        let keys: Vec<String> = (0..=MAX_FIELDS).map(|i| format!("\"k{i}\": {i}")).collect();
        let one = format!("{{{}}}", keys.join(","));
        let s = from_json(&[&one, &one]);
        assert_eq!(s.root.fields.len(), MAX_FIELDS);
        assert_eq!(s.root.skipped_fields, 2);
        assert_eq!(field(&s, "", "k0").present, 2);
        assert_eq!(field(&s, "", "k999").present, 2);
        assert!(s.node("k1000").is_none());
        assert!(s.truncated());
        assert!(!from_json(&["{\"a\": 1}"]).truncated());
    }

    #[test]
    fn the_tree_stops_at_twenty_thousand_nodes() {
        let mut b = SchemaBuilder::new();
        for o in 0..25 {
            let keys: Vec<String> = (0..MAX_FIELDS)
                .map(|i| format!("\"k{i}\": [{{\"o{o}\": 1}}]"))
                .collect();
            b.add_json(format!("{{{}}}", keys.join(",")).as_bytes())
                .unwrap();
        }
        let s = b.finish();
        assert_eq!(s.paths().len() + 1, MAX_NODES);
        assert!(s.truncated());
        // The 1,000 arrays took the budget: the later objects' fields were counted, not kept.
        let skipped: u64 = s.paths().iter().map(|p| at(&s, p).skipped_fields).sum();
        assert!(skipped > 0);
    }

    #[test]
    fn deep_nesting_stops_at_sixty_four_levels() {
        let arrays = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let s = from_json(&[&arrays]);
        let deepest = "[]".repeat(MAX_DEPTH);
        assert_eq!(at(&s, &deepest).types, [T::Array]);
        assert_eq!(at(&s, &deepest).unexplored, 1);
        assert!(at(&s, &deepest).items.is_none());
        assert!(s.node(&format!("{deepest}[]")).is_none());
        assert_eq!(s.paths().len(), MAX_DEPTH);

        let objects = format!("{}1{}", r#"{"a":"#.repeat(100), "}".repeat(100));
        let s = from_json(&[&objects]);
        let deepest = vec!["a"; MAX_DEPTH].join(".");
        assert_eq!(at(&s, &deepest).types, [T::Object]);
        assert_eq!(at(&s, &deepest).unexplored, 1);
        assert!(at(&s, &deepest).fields.is_empty());
        assert!(s.truncated());

        // What is below the limit is skipped without recursing, however deep.
        let very_deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let mut b = SchemaBuilder::new();
        b.add_json(very_deep.as_bytes()).unwrap();
        b.add_array_elements(very_deep.as_bytes()).unwrap();
        assert_eq!(b.finish().paths().len(), MAX_DEPTH);
        let unbalanced = "[".repeat(100_000);
        let e = SchemaBuilder::new()
            .add_json(unbalanced.as_bytes())
            .unwrap_err();
        assert_eq!(e.kind(), "schema_json_cut_off");
    }

    #[test]
    fn garbage_is_an_error_and_changes_nothing() {
        let mut b = SchemaBuilder::new();
        b.add_json(br#"{"a": 1}"#).unwrap();
        let before = b.clone().finish();
        for (bytes, kind) in [
            (&b""[..], "schema_json_cut_off"),
            (b"garbage", "schema_invalid_json"),
            (b"\xff\xfe\x00", "schema_invalid_json"),
            (br#"{"a": "#, "schema_json_cut_off"),
            (br#"{"a": 2, "b": [1, 2"#, "schema_json_cut_off"),
            (br#"{"a" 1}"#, "schema_invalid_json"),
            (br#"{"a": 1} x"#, "schema_invalid_json"),
            (b"\"\xff\"", "schema_invalid_json"),
            (b"01", "schema_invalid_json"),
            (b"[1e999]", "schema_invalid_json"),
        ] {
            let e = b.add_json(bytes).unwrap_err();
            assert_eq!(e.kind(), kind, "{:?}: {e}", String::from_utf8_lossy(bytes));
            assert_eq!(b.clone().finish(), before);
            let e = b.add_array_elements(bytes).unwrap_err();
            assert!(e.kind().starts_with("schema_"));
            assert_eq!(b.clone().finish(), before);
        }
        assert_eq!(
            b.add_json(b"garbage").unwrap_err().to_string(),
            "the response is not valid JSON (expected value at line 1 column 1): check that the endpoint answers with JSON, not a web page or plain text"
        );
        // A page that breaks half-way adds none of its items.
        b.add_array_elements(br#"[{"a": "x"}, {"b": 1}, {"#)
            .unwrap_err();
        assert_eq!(b.finish(), before);
    }

    /// Every byte of a realistic response changed in turn, and bytes cut: never a panic.
    #[test]
    fn mangled_responses_never_panic() {
        let good = br#"{"id": 1, "e": "a@example.com", "lines": [{"q": [1, 2.5, null]}], "n": {"x": "2026-03-01"}}"#;
        let mut seed = 0x2545_f491_u32;
        for i in 0..good.len() {
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let mut bytes = good.to_vec();
                bytes[i] = seed as u8;
                let mut b = SchemaBuilder::new();
                let _ = b.add_json(&bytes);
                let _ = b.add_array_elements(&bytes);
                let _ = b.finish();
            }
            let _ = SchemaBuilder::new().add_json(&good[..i]);
        }
    }

    const MIXED: &str = r#"[
        {"a": 1, "b": "2026-03-01T10:00:00Z", "c": [1, 2.5, "x", null, [true]], "d": {"e": null, "f": "é\n\"q\""}},
        {"a": 18446744073709551615, "b": null, "c": [], "d": {"f": "http://x.example", "g": -9223372036854775808}},
        {"a": 1.5e3, "c": [{"k": 1}, {"k": "v", "l": []}], "z": false},
        "scalar", 7, null, [[{"deep": 1}]]
    ]"#;

    #[test]
    fn reading_bytes_and_reading_a_value_agree() {
        // Keys in name order: a `Value`'s map gives them in that order.
        let value: Value = serde_json::from_str(MIXED).unwrap();
        let mut from_bytes = SchemaBuilder::new();
        from_bytes.add_json(MIXED.as_bytes()).unwrap();
        let mut from_value = SchemaBuilder::new();
        from_value.add(&value);
        assert_eq!(from_bytes.finish(), from_value.finish());

        let mut elements = SchemaBuilder::new();
        elements.add_array_elements(MIXED.as_bytes()).unwrap();
        let each = infer(value.as_array().unwrap());
        let elements = elements.finish();
        assert_eq!(elements.samples, 7);
        assert_eq!(elements, each);
        assert_eq!(
            at(&elements, "").types,
            [T::Null, T::Integer, T::String, T::Object, T::Array]
        );
        assert_eq!(at(&elements, "d.g").types, [T::Integer]);
        assert_eq!(at(&elements, "a").types, [T::Number]);
    }

    #[test]
    fn array_elements_need_an_array() {
        let mut b = SchemaBuilder::new();
        b.add_json(b"[1]").unwrap();
        let before = b.clone().finish();
        let e = b.add_array_elements(br#"{"items": [1, 2]}"#).unwrap_err();
        assert_eq!(e, SchemaError::NotAnArray { found: T::Object });
        assert_eq!(e.kind(), "schema_not_an_array");
        assert_eq!(
            e.to_string(),
            "expected a JSON array of items but the response is an object: learn the schema from the whole response, or from the array in it that holds the items"
        );
        for (bytes, found) in [
            (&b"42"[..], T::Integer),
            (b"null", T::Null),
            (b"\"x\"", T::String),
            (b"1.5", T::Number),
            (b"true", T::Boolean),
        ] {
            assert_eq!(
                b.add_array_elements(bytes).unwrap_err(),
                SchemaError::NotAnArray { found }
            );
        }
        assert_eq!(b.finish(), before);
    }

    /// Whether `v` conforms to the JSON Schema `s` (the keywords the export writes).
    fn conforms(s: &Value, v: &Value, at: &str) -> Result<(), String> {
        let ty = match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_f64() => "number",
            Value::Number(_) => "integer",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let allowed: Vec<&str> = match &s["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return Err(format!("{at}: no type")),
        };
        let ok = allowed.contains(&ty) || (ty == "integer" && allowed.contains(&"number"));
        if !ok {
            return Err(format!("{at}: {ty} is not {allowed:?}"));
        }
        if let (Some(f), Value::String(text)) = (s["format"].as_str(), v) {
            let f = [
                StringFormat::DateTime,
                StringFormat::Date,
                StringFormat::Email,
                StringFormat::Uri,
                StringFormat::Uuid,
            ]
            .into_iter()
            .find(|x| x.name() == f)
            .ok_or(format!("{at}: unknown format {f}"))?;
            if !f.matches(text) {
                return Err(format!("{at}: {text} is not {}", f.name()));
            }
        }
        if let Value::Object(o) = v {
            for r in s["required"].as_array().into_iter().flatten() {
                if !o.contains_key(r.as_str().unwrap_or_default()) {
                    return Err(format!("{at}: {r} is required"));
                }
            }
            if let Some(props) = s["properties"].as_object() {
                for (k, sub) in props {
                    if let Some(x) = o.get(k) {
                        conforms(sub, x, &format!("{at}.{k}"))?;
                    }
                }
            }
        }
        if let (Value::Array(a), Some(items)) = (v, s.get("items")) {
            for x in a {
                conforms(items, x, &format!("{at}[]"))?;
            }
        }
        Ok(())
    }

    /// Only the keywords the export writes, each of the right JSON type.
    fn well_formed(s: &Value, root: bool) {
        let o = s.as_object().expect("a schema is an object");
        for (k, v) in o {
            match k.as_str() {
                "$schema" | "title" => {
                    assert!(root, "{k} only at the root");
                    assert!(v.is_string());
                }
                "type" => {
                    let names: Vec<&str> = match v {
                        Value::String(t) => vec![t],
                        Value::Array(ts) => {
                            assert!(ts.len() > 1);
                            ts.iter().map(|t| t.as_str().unwrap()).collect()
                        }
                        _ => panic!("type is {v}"),
                    };
                    for n in names {
                        assert!(JsonType::ALL.iter().any(|t| t.name() == n), "{n}");
                    }
                }
                "properties" => {
                    for sub in v.as_object().unwrap().values() {
                        well_formed(sub, false);
                    }
                }
                "required" => {
                    let props = o["properties"].as_object().unwrap();
                    for r in v.as_array().unwrap() {
                        assert!(props.contains_key(r.as_str().unwrap()));
                    }
                }
                "items" => well_formed(v, false),
                "format" => assert!(
                    ["date-time", "date", "email", "uri", "uuid"].contains(&v.as_str().unwrap())
                ),
                "examples" => assert_eq!(v.as_array().unwrap().len(), 1),
                "x-signet-tag" => assert!(find_tag(v.as_str().unwrap()).is_some()),
                other => panic!("unexpected keyword {other}"),
            }
        }
    }

    #[test]
    fn json_schema_export() {
        let samples = [
            r#"{"id": 1, "email": "a@example.com", "tags": ["x"], "total": 12.5, "note": null, "password": "p"}"#,
            r#"{"id": 2, "email": "b@example.com", "tags": [], "total": 3, "note": "gift", "password": "q"}"#,
        ];
        let mut s = from_json(&samples);
        s.set_tag("id", Some("order.id")).unwrap();
        let js = s.to_json_schema("Orders");
        assert_eq!(
            js,
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": "Orders",
                "type": "object",
                "properties": {
                    "id": {"type": "integer", "examples": [1], "x-signet-tag": "order.id"},
                    "email": {"type": "string", "format": "email", "examples": ["a@example.com"]},
                    "tags": {"type": "array", "items": {"type": "string", "examples": ["x"]}},
                    "total": {"type": "number", "examples": [12.5]},
                    "note": {"type": ["null", "string"], "examples": ["gift"]},
                    "password": {"type": "string"}
                },
                "required": ["id", "email", "tags", "total", "note", "password"]
            })
        );
        well_formed(&js, true);
        for sample in samples {
            conforms(&js, &serde_json::from_str(sample).unwrap(), "").unwrap();
        }
    }

    #[test]
    fn every_sample_conforms_to_the_exported_schema() {
        let value: Value = serde_json::from_str(MIXED).unwrap();
        let mut b = SchemaBuilder::new();
        b.add_array_elements(MIXED.as_bytes()).unwrap();
        let js = b.finish().to_json_schema("Mixed");
        well_formed(&js, true);
        for v in value.as_array().unwrap() {
            conforms(&js, v, "").unwrap();
        }
        // And an instance that does not fit is caught by the check.
        assert!(conforms(&js, &json!({"a": "text"}), "").is_err());
    }

    #[test]
    fn a_schema_round_trips_through_json() {
        let mut s = from_json(&[MIXED]);
        s.set_tag("[].a", Some("order.total")).unwrap();
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Schema>(&text).unwrap(), s);
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["root"]["types"], json!(["array"]));
        assert_eq!(
            v["root"]["items"]["fields"][1]["node"]["format"],
            "date-time"
        );
        assert_eq!(
            serde_json::to_value(StringFormat::DateTime).unwrap(),
            "date-time"
        );
    }

    #[test]
    fn the_taxonomy_is_small_and_unique() {
        let groups = taxonomy();
        assert_eq!(
            groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
            [
                "orders",
                "customers",
                "products",
                "inventory",
                "fulfilments",
                "refunds"
            ]
        );
        let orders: Vec<&str> = groups[0].tags.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            orders,
            [
                "order.id",
                "order.number",
                "order.created_at",
                "order.updated_at",
                "order.status",
                "order.total",
                "order.currency",
                "order.customer_email",
                "order.customer_name"
            ]
        );
        let mut ids = std::collections::BTreeSet::new();
        for g in &groups {
            assert!((4..=9).contains(&g.tags.len()), "{}", g.id);
            for t in &g.tags {
                assert!(ids.insert(t.id.clone()), "{} twice", t.id);
                assert!(!t.label.is_empty() && t.hint.ends_with('.'), "{}", t.id);
            }
        }
    }
}
