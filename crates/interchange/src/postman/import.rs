//! Reading a Postman collection (v2.0 or v2.1) into a connector.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use signet_connector::validate::{is_valid_id, slug};
use signet_connector::{
    AuthKind, AuthMethod, AuthOptions, Body, CallbackSettings, Connector, Details, Endpoint,
    KeyPlacement, OAuth1, Param, Variable, VariableKind,
};
use signet_oauth1::flow::{Endpoint as HttpEndpoint, FlowMode};
use signet_oauth1::{CallbackMode, Placement, Secret, SignatureMethod};

use super::templates::{Names, Used, rewrite};
use super::{
    ImportError, ImportNote, Imported, InstanceValues, MAX_FILE_BYTES, MAX_FOLDER_DEPTH,
    MAX_REQUESTS, MAX_TEXT_BYTES, NoteKind,
};

/// Which collection format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V20,
    V21,
}

/// A Postman variable (collection or environment).
#[derive(Debug, Clone)]
struct PmVar {
    key: String,
    value: String,
    secret: bool,
    path: String,
    /// The collection's own value, when an environment's wins over it.
    collection_value: Option<String>,
}

/// Where an auth setting came from.
#[derive(Debug, Clone)]
struct AuthAt<'a> {
    /// The auth object; `None`: no auth.
    auth: Option<&'a Value>,
    path: String,
    /// The folder or request that set it (`None`: the collection).
    owner: Option<String>,
}

/// A request found in the collection.
struct Request<'a> {
    item: &'a Value,
    request: &'a Value,
    path: String,
    /// `Folder / Request`.
    name: String,
    /// The auth in force, and whether the request itself (or a folder) set it rather than the
    /// collection.
    auth: AuthAt<'a>,
    own_auth: bool,
    /// Scripts of the request's folders (kept as text).
    scripts: Vec<String>,
}

/// What an OAuth 1.0 auth block says.
#[derive(Debug, Clone, Default, PartialEq)]
struct PmOAuth1 {
    fields: BTreeMap<String, Value>,
}

impl PmOAuth1 {
    fn text(&self, key: &str) -> String {
        match self.fields.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }
    fn flag(&self, key: &str) -> Option<bool> {
        match self.fields.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) if s == "true" => Some(true),
            Some(Value::String(s)) if s == "false" => Some(false),
            _ => None,
        }
    }
}

/// The import under way.
struct Importer<'a> {
    version: Version,
    notes: Vec<ImportNote>,
    problems: Vec<(String, String)>,
    names: Names,
    vars: BTreeMap<String, PmVar>,
    /// Postman names referenced by the connector's fields (not only by credentials).
    used: BTreeSet<String>,
    requests: Vec<Request<'a>>,
    /// Scripts at the collection level.
    collection_scripts: Vec<String>,
    instance: InstanceValues,
}

/// Reads a Postman collection (v2.0 or v2.1), and optionally a Postman environment whose
/// values win over the collection's, into one connector and its instance's values. Every
/// choice the import made is in the returned notes; a file that cannot be read is refused
/// with every problem named, where it is.
pub fn import(collection: &str, environment: Option<&str>) -> Result<Imported, ImportError> {
    let root = parse_file(collection, "the collection")?;
    let env = match environment {
        Some(text) => Some(parse_file(text, "the environment")?),
        None => None,
    };
    let version = detect_version(&root)?;
    check_hostile(&root)?;
    if let Some(e) = &env {
        check_hostile(e).map_err(|mut e| {
            for p in &mut e.problems {
                p.0 = format!("environment.{}", p.0);
            }
            e
        })?;
    }
    let mut im = Importer {
        version,
        notes: Vec::new(),
        problems: Vec::new(),
        names: Names::default(),
        vars: BTreeMap::new(),
        used: BTreeSet::new(),
        requests: Vec::new(),
        collection_scripts: Vec::new(),
        instance: InstanceValues::default(),
    };
    im.read_variables(&root, env.as_ref());
    if let Some(a) = root.get("auth") {
        im.check_auth(a, "auth");
    }
    let collection_auth = AuthAt {
        auth: root.get("auth").filter(|a| !a.is_null()),
        path: "auth".into(),
        owner: None,
    };
    im.collection_scripts = scripts_of(&root, "collection");
    let items = match root.get("item") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            return Err(ImportError::one(
                "item",
                "is not a list of requests and folders",
            ));
        }
        None => &[],
    };
    im.walk(items, "item", &[], &collection_auth, false, &[], 1);
    if !im.problems.is_empty() {
        return Err(ImportError {
            problems: im.problems,
        });
    }
    im.build(&root, &collection_auth)
}

/// The file as JSON, within the size limit.
fn parse_file(text: &str, what: &str) -> Result<Value, ImportError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ImportError::one(
            "",
            format!(
                "{what} is {:.1} MB; Signet imports files of at most {} MB (a collection that large is usually full of saved responses: export it without them)",
                text.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| {
        let why = if e.to_string().contains("recursion limit") {
            "is nested more than 128 levels deep".to_owned()
        } else {
            format!("is not JSON: {e}")
        };
        ImportError::one("", format!("{what} {why}"))
    })
}

fn detect_version(root: &Value) -> Result<Version, ImportError> {
    let Some(obj) = root.as_object() else {
        return Err(ImportError::one(
            "",
            "this is not a Postman collection: the file is not a JSON object",
        ));
    };
    let schema = obj
        .get("info")
        .and_then(|i| i.get("schema"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if schema.contains("/v2.1") {
        return Ok(Version::V21);
    }
    if schema.contains("/v2.0") {
        return Ok(Version::V20);
    }
    let how = "in Postman, export it again: ⋯ → Export → Collection v2.1";
    if schema.contains("/v1") || (obj.contains_key("requests") && obj.contains_key("order")) {
        return Err(ImportError::one(
            "info.schema",
            format!("this is a Postman v1 collection, which Signet does not read: {how}"),
        ));
    }
    if obj.contains_key("values") && obj.contains_key("name") && !obj.contains_key("item") {
        return Err(ImportError::one(
            "",
            "this is a Postman environment, not a collection: import the collection, with this file as its environment",
        ));
    }
    if schema.is_empty() {
        return Err(ImportError::one(
            "info.schema",
            format!(
                "is missing: this is not a Postman collection (or not one Signet reads: {how})"
            ),
        ));
    }
    Err(ImportError::one(
        "info.schema",
        format!("{schema:?} is not a collection format Signet reads (v2.0 and v2.1): {how}"),
    ))
}

/// Refuses texts and nestings no real collection has, naming where.
fn check_hostile(root: &Value) -> Result<(), ImportError> {
    fn walk(v: &Value, path: &mut String, problems: &mut Vec<(String, String)>) {
        if problems.len() >= 10 {
            return;
        }
        match v {
            Value::String(s) if s.len() > MAX_TEXT_BYTES => problems.push((
                path.clone(),
                format!(
                    "is a text of {:.1} MB; Signet imports texts of at most {} MB",
                    s.len() as f64 / 1_048_576.0,
                    MAX_TEXT_BYTES / 1_048_576
                ),
            )),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path, problems);
                    path.truncate(len);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(item, path, problems);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    walk(root, &mut String::new(), &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ImportError { problems })
    }
}

/// A description: a text, or `{ content }`.
fn description(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// A scalar as text (`true`, `12`); none for objects and lists.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// The pre-request and test scripts of an item, folder or collection, as text.
fn scripts_of(v: &Value, whose: &str) -> Vec<String> {
    let Some(Value::Array(events)) = v.get("event") else {
        return Vec::new();
    };
    events
        .iter()
        .filter_map(|e| {
            let listen = e.get("listen").and_then(Value::as_str).unwrap_or("script");
            let exec = e.get("script").and_then(|s| s.get("exec"))?;
            let text = match exec {
                Value::String(s) => s.clone(),
                Value::Array(lines) => lines
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => return None,
            };
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let kind = match listen {
                "prerequest" => "pre-request script",
                "test" => "test script",
                other => other,
            };
            Some(format!(
                "Postman {kind} of {whose} (kept as text; Signet does not run it):\n\n```js\n{text}\n```"
            ))
        })
        .collect()
}

/// Whether a variable name looks like it holds a secret.
fn secret_looking(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['-', '_', ' ', '.'], "");
    [
        "secret",
        "password",
        "passwd",
        "pwd",
        "token",
        "apikey",
        "privatekey",
        "credential",
        "signature",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// The one reference a text consists of (`{{consumer_key}}` → `consumer_key`).
fn sole_reference(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    (!inner.is_empty() && !inner.contains(['{', '}'])).then_some(inner)
}

/// Percent-decodes valid `%XX` sequences (Postman shows a query as it goes on the wire; Signet
/// keeps values decoded and encodes them once). Invalid or non-UTF-8 sequences stay as they are.
fn decode_query(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
            out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// Splits a URL at its query's `?` (one inside a `{{…}}` reference does not count).
fn split_query(url: &str) -> (&str, Option<&str>) {
    let mut i = 0;
    while i < url.len() {
        let rest = &url[i..];
        if rest.starts_with("{{")
            && let Some(close) = rest[2..].find("}}")
            && !rest[2..2 + close].contains("{{")
        {
            i += 2 + close + 2;
            continue;
        }
        if rest.starts_with('?') {
            return (&url[..i], Some(&url[i + 1..]));
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    (url, None)
}

impl<'a> Importer<'a> {
    fn note(&mut self, path: &str, item: Option<&str>, kind: NoteKind, message: impl Into<String>) {
        self.notes.push(ImportNote {
            path: path.to_owned(),
            item: item.map(str::to_owned),
            kind,
            message: message.into(),
        });
    }

    /// Collection variables, then the environment's (which win, as in Postman).
    fn read_variables(&mut self, root: &Value, env: Option<&Value>) {
        let read =
            |list: Option<&Value>, path: &str, enabled_key: &str, notes: &mut Vec<ImportNote>| {
                let mut out = Vec::new();
                let Some(Value::Array(items)) = list else {
                    return out;
                };
                for (i, v) in items.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    let Some(key) = v.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    let off = match enabled_key {
                        "enabled" => v.get("enabled").and_then(Value::as_bool) == Some(false),
                        _ => v.get("disabled").and_then(Value::as_bool) == Some(true),
                    };
                    if off {
                        notes.push(ImportNote {
                            path: p,
                            item: None,
                            kind: NoteKind::Dropped,
                            message: format!("the variable {key} is disabled in Postman: left out"),
                        });
                        continue;
                    }
                    let value = v.get("value").and_then(scalar).unwrap_or_default();
                    let secret = v.get("type").and_then(Value::as_str) == Some("secret");
                    out.push(PmVar {
                        key: key.to_owned(),
                        value,
                        secret,
                        path: p,
                        collection_value: None,
                    });
                }
                out
            };
        let mut notes = Vec::new();
        let collection = read(root.get("variable"), "variable", "disabled", &mut notes);
        let environment = env
            .map(|e| read(e.get("values"), "environment.values", "enabled", &mut notes))
            .unwrap_or_default();
        self.notes.extend(notes);
        for v in collection {
            self.vars.insert(v.key.clone(), v);
        }
        // The environment's values win; the collection's stay the variables' defaults.
        for mut v in environment {
            match self.vars.get(&v.key) {
                Some(c) => {
                    v.collection_value = Some(c.value.clone());
                    v.secret |= c.secret;
                }
                None => v.collection_value = Some(String::new()),
            }
            self.vars.insert(v.key.clone(), v);
        }
    }

    /// Walks the items, carrying the auth in force and the folders' names and scripts.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &mut self,
        items: &'a [Value],
        path: &str,
        folders: &[String],
        auth: &AuthAt<'a>,
        own: bool,
        scripts: &[String],
        depth: usize,
    ) {
        if depth > MAX_FOLDER_DEPTH {
            self.problems.push((
                path.to_owned(),
                format!("folders are nested more than {MAX_FOLDER_DEPTH} deep"),
            ));
            return;
        }
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let Some(obj) = item.as_object() else {
                self.problems
                    .push((p, "is not a request or a folder (an object)".into()));
                continue;
            };
            let name = obj
                .get("name")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or("Untitled")
                .to_owned();
            let mut names = folders.to_vec();
            names.push(name.clone());
            let full = names.join(" / ");
            if let Some(children) = obj.get("item") {
                let Some(children) = children.as_array() else {
                    self.problems
                        .push((format!("{p}.item"), "is not a list".into()));
                    continue;
                };
                let (folder_auth, folder_own) =
                    self.auth_here(obj.get("auth"), format!("{p}.auth"), &full, auth, own);
                let mut folder_scripts = scripts.to_vec();
                folder_scripts.extend(scripts_of(item, &format!("the folder {full}")));
                self.walk(
                    children,
                    &format!("{p}.item"),
                    &names,
                    &folder_auth,
                    folder_own,
                    &folder_scripts,
                    depth + 1,
                );
                continue;
            }
            let Some(request) = obj.get("request") else {
                self.note(
                    &p,
                    Some(&full),
                    NoteKind::Dropped,
                    "has no request: left out",
                );
                continue;
            };
            if self.requests.len() >= MAX_REQUESTS {
                self.problems.push((
                    p,
                    format!("the collection has more than {MAX_REQUESTS} requests; split it"),
                ));
                return;
            }
            let (auth_at, own_auth) = self.auth_here(
                request.get("auth"),
                format!("{p}.request.auth"),
                &full,
                auth,
                own,
            );
            self.requests.push(Request {
                item,
                request,
                path: p,
                name: full,
                auth: auth_at,
                own_auth,
                scripts: scripts.to_vec(),
            });
        }
    }

    /// The auth in force for a folder or request: its own `auth` (checked) when it sets one,
    /// else the one it inherits; and whether a folder or the request set it.
    fn auth_here(
        &mut self,
        auth: Option<&'a Value>,
        path: String,
        owner: &str,
        inherited: &AuthAt<'a>,
        inherited_own: bool,
    ) -> (AuthAt<'a>, bool) {
        if let Some(a) = auth {
            self.check_auth(a, &path);
        }
        match auth {
            Some(a) if !a.is_null() && !is_inherit(a) => (
                AuthAt {
                    auth: Some(a),
                    path,
                    owner: Some(owner.to_owned()),
                },
                true,
            ),
            _ => (inherited.clone(), inherited_own),
        }
    }

    /// Refuses an auth block that is none Postman writes: not an object, or a type Postman
    /// does not have (a type Signet has no method for is not refused: it is reported).
    fn check_auth(&mut self, auth: &Value, path: &str) {
        if auth.is_null() {
            return;
        }
        let Some(ty) = auth.as_object().map(|o| o.get("type")) else {
            self.problems
                .push((path.to_owned(), "is not an auth setting (an object)".into()));
            return;
        };
        match ty.and_then(Value::as_str) {
            Some(t) if POSTMAN_AUTH_TYPES.contains(&t) => {}
            Some(t) => self.problems.push((
                format!("{path}.type"),
                format!(
                    "{t:?} is not an auth type Postman has ({}): the file was not written by Postman, or is damaged",
                    POSTMAN_AUTH_TYPES.join(", ")
                ),
            )),
            None => self.problems.push((
                format!("{path}.type"),
                "is missing: an auth setting says its type (oauth1, basic, noauth, ...)".into(),
            )),
        }
    }

    /// The OAuth 1.0 settings of an auth block, v2.0 (an object) or v2.1 (a list).
    fn oauth1_of(&mut self, auth: &Value, path: &str) -> PmOAuth1 {
        let mut fields = BTreeMap::new();
        match auth.get("oauth1") {
            Some(Value::Array(list)) => {
                for a in list {
                    if let (Some(k), Some(v)) =
                        (a.get("key").and_then(Value::as_str), a.get("value"))
                    {
                        fields.insert(k.to_owned(), v.clone());
                    }
                }
            }
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    fields.insert(k.clone(), v.clone());
                }
            }
            _ => {}
        }
        if self.version == Version::V21 && matches!(auth.get("oauth1"), Some(Value::Object(_))) {
            self.note(
                path,
                None,
                NoteKind::Info,
                "the OAuth 1.0 settings are written the v2.0 way (an object) in a v2.1 collection: read as such",
            );
        }
        PmOAuth1 { fields }
    }

    /// A template from Postman text: references renamed; the names used remembered.
    fn tpl(&mut self, text: &str, dynamics: &mut Vec<(String, String)>) -> String {
        let mut used = Vec::new();
        let out = rewrite(text, &mut self.names, &mut used);
        for u in used {
            match u {
                Used::Var(n) => {
                    self.used.insert(n);
                }
                Used::Dynamic { postman, signet } => {
                    if !dynamics.iter().any(|(_, s)| *s == signet) {
                        dynamics.push((postman, signet));
                    }
                }
            }
        }
        out
    }

    /// A credential field's value: a variable's value when it names one (the variable then
    /// serves only as this credential), else the text.
    fn credential(&mut self, text: &str) -> (String, Option<String>) {
        if let Some(name) = sole_reference(text)
            && !name.starts_with('$')
        {
            let value = self
                .vars
                .get(name)
                .map(|v| v.value.clone())
                .unwrap_or_default();
            return (value, Some(name.to_owned()));
        }
        (text.to_owned(), None)
    }

    fn build(
        mut self,
        root: &'a Value,
        collection_auth: &AuthAt<'a>,
    ) -> Result<Imported, ImportError> {
        let ext = root.get("_signet").and_then(Value::as_object);
        let info = root.get("info").cloned().unwrap_or(Value::Null);
        let mut details = Details {
            name: info
                .get("name")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or("Imported from Postman")
                .to_owned(),
            description: description(info.get("description")),
            version: match info.get("version") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Object(o)) => ["major", "minor", "patch"]
                    .iter()
                    .filter_map(|k| o.get(*k).and_then(scalar))
                    .collect::<Vec<_>>()
                    .join("."),
                _ => String::new(),
            },
            ..Details::default()
        };
        if let Some(d) = ext
            .and_then(|e| e.get("details"))
            .and_then(Value::as_object)
        {
            let text = |k: &str| d.get(k).and_then(Value::as_str).map(str::to_owned);
            details.system = text("system").unwrap_or_default();
            details.documentation_url = text("documentation_url");
            details.preset = text("preset");
        }
        let scripts = std::mem::take(&mut self.collection_scripts);
        if !scripts.is_empty() {
            self.note("event", None, NoteKind::NotRun, "the collection's scripts are kept as text in the connector's description; Signet does not run them");
            for s in scripts {
                if !details.description.is_empty() {
                    details.description.push_str("\n\n");
                }
                details.description.push_str(&s);
            }
        }

        // The authentication methods: each distinct auth in force, the collection's first.
        let mut methods: Vec<(Option<Value>, AuthMethod)> = Vec::new();
        let mut oauth_seen: Option<(PmOAuth1, String)> = None;
        let mut credential_vars: BTreeSet<String> = BTreeSet::new();
        let token_roles = self.token_roles();
        let mut method_of_request: Vec<Option<usize>> = Vec::new();
        let collection_key = collection_auth.auth.cloned();
        let auths: Vec<(AuthAt<'a>, bool)> = std::iter::once((collection_auth.clone(), false))
            .chain(self.requests.iter().map(|r| (r.auth.clone(), r.own_auth)))
            .collect();
        for (k, (at, _)) in auths.iter().enumerate() {
            let request_index = k.checked_sub(1);
            if request_index.is_some_and(|i| token_roles.contains_key(&i)) {
                method_of_request.push(None);
                continue;
            }
            if k == 0 && at.auth.is_none() {
                continue;
            }
            let key = at.auth.cloned();
            let found = methods.iter().position(|(v, _)| *v == key);
            let index = match found {
                Some(i) => Some(i),
                None => match self.method(at, &mut oauth_seen, &mut credential_vars) {
                    Some(mut m) => {
                        m.id = unique_id(&m.id, methods.iter().map(|(_, x)| x.id.as_str()));
                        methods.push((key.clone(), m));
                        Some(methods.len() - 1)
                    }
                    // A second, different OAuth 1.0 setting: the connector's one method.
                    None => methods
                        .iter()
                        .position(|(_, m)| matches!(m.kind, AuthKind::OAuth1(_))),
                },
            };
            if request_index.is_some() {
                method_of_request.push(index);
            }
        }
        // The token requests, when found, make the OAuth 1.0a method three-legged.
        if let Some(pos) = methods
            .iter()
            .position(|(_, m)| matches!(m.kind, AuthKind::OAuth1(_)))
        {
            self.apply_token_requests(&token_roles, &mut methods[pos].1);
        }

        // Endpoints.
        let mut endpoints: Vec<Endpoint> = Vec::new();
        let mut ids: BTreeSet<String> = BTreeSet::new();
        let requests = std::mem::take(&mut self.requests);
        for (i, r) in requests.iter().enumerate() {
            if token_roles.contains_key(&i) {
                continue;
            }
            let method_index = method_of_request.get(i).copied().flatten();
            let auth = match method_index {
                // Inherited from the collection: the connector's first method.
                Some(0) if !r.own_auth && collection_key.is_some() => None,
                Some(m) => Some(methods[m].1.id.clone()),
                None => None,
            };
            if let Some(e) = self.endpoint(r, auth, &mut ids) {
                endpoints.push(e);
            }
        }

        // Variables: what the connector's fields name, except credentials.
        let mut variables: Vec<Variable> = Vec::new();
        let mut secret_names: BTreeSet<String> = BTreeSet::new();
        let used: Vec<String> = self.used.iter().cloned().collect();
        for name in &used {
            let signet = self.names.of(name);
            let var = self.vars.get(name).cloned();
            let secret = var.as_ref().is_some_and(|v| v.secret) || secret_looking(name);
            let mut v = Variable {
                label: name.clone(),
                kind: if secret {
                    VariableKind::Secret
                } else {
                    VariableKind::Text
                },
                required: true,
                ..Variable::text(&signet, name)
            };
            match &var {
                Some(pv) if secret => {
                    if !pv.value.is_empty() {
                        self.instance
                            .secrets
                            .insert(signet.clone(), Secret::new(pv.value.clone()));
                        self.note(&pv.path, None, NoteKind::Info, format!("{name} looks secret: a secret variable, its value kept encrypted with the instance"));
                    }
                    secret_names.insert(signet.clone());
                }
                Some(pv) => match &pv.collection_value {
                    // From an environment: the instance's value.
                    Some(default) => {
                        if !default.is_empty() {
                            v.default = Some(default.clone());
                        }
                        if !pv.value.is_empty() && pv.value != *default {
                            self.instance
                                .values
                                .insert(signet.clone(), pv.value.clone());
                        }
                    }
                    None => {
                        if !pv.value.is_empty() {
                            v.default = Some(pv.value.clone());
                        }
                    }
                },
                None => {
                    self.note(
                        "",
                        None,
                        NoteKind::Info,
                        format!("{{{{{name}}}}} has no value in the collection (it was probably in a Postman environment): give it one in the instance"),
                    );
                }
            }
            variables.push(v);
        }
        for (postman, signet) in self
            .names
            .renamed()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect::<Vec<_>>()
        {
            if used.contains(&postman) {
                self.note("", None, NoteKind::Changed, format!("the variable {postman:?} is called {signet} in Signet (a name is letters, digits, _, - and .)"));
            }
        }
        let unused: Vec<(String, String)> = self
            .vars
            .iter()
            .filter(|(name, _)| !self.used.contains(*name) && !credential_vars.contains(*name))
            .map(|(name, v)| (name.clone(), v.path.clone()))
            .collect();
        for (name, path) in unused {
            self.note(
                &path,
                None,
                NoteKind::Dropped,
                format!("the variable {name} is not used by any request: left out"),
            );
        }

        let mut connector = Connector {
            details,
            variables,
            auth_methods: methods.into_iter().map(|(_, m)| m).collect(),
            endpoints,
        };
        if let Some(ext) = ext {
            apply_extension(&mut connector, ext);
        }
        let problems = signet_connector::validate(&connector);
        if !problems.is_empty() {
            return Err(ImportError {
                problems: problems
                    .into_iter()
                    .map(|p| (describe_field(&connector, &p.field), p.message))
                    .collect(),
            });
        }
        Ok(Imported {
            connector,
            instance: self.instance,
            notes: self.notes,
        })
    }

    /// Which requests are the OAuth 1.0a token requests (steps 3, 6 and 8), by their URL's
    /// last path segment (or an exported collection's `_signet.role`).
    fn token_roles(&self) -> BTreeMap<usize, Role> {
        let mut out = BTreeMap::new();
        for (i, r) in self.requests.iter().enumerate() {
            let marked = r
                .item
                .get("_signet")
                .and_then(|s| s.get("role"))
                .and_then(Value::as_str);
            let role = match marked {
                Some("request_token") => Some(Role::RequestToken),
                Some("authorize") => Some(Role::Authorize),
                Some("access_token") => Some(Role::AccessToken),
                Some(_) => None,
                None => {
                    let url = raw_url(r.request);
                    let (base, _) = split_query(&url);
                    let last = base
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase()
                        .replace(['-', '_'], "");
                    let oauth = r
                        .auth
                        .auth
                        .and_then(|a| a.get("type"))
                        .and_then(Value::as_str)
                        == Some("oauth1");
                    let verifier = r.auth.auth.is_some_and(|a| {
                        !attributes(a, "oauth1")
                            .get("verifier")
                            .is_none_or(String::is_empty)
                    });
                    match last.as_str() {
                        "requesttoken"
                        | "initiate"
                        | "temporarycredentials"
                        | "getrequesttoken"
                            if oauth =>
                        {
                            Some(Role::RequestToken)
                        }
                        "accesstoken" | "tokencredentials" | "getaccesstoken" if oauth => {
                            Some(Role::AccessToken)
                        }
                        "token" if oauth && verifier => Some(Role::AccessToken),
                        l if l.ends_with("authorize")
                            || l.ends_with("authorise")
                            || l == "authenticate" =>
                        {
                            Some(Role::Authorize)
                        }
                        _ => None,
                    }
                }
            };
            if let Some(role) = role
                && !out.values().any(|r| *r == role)
            {
                out.insert(i, role);
            }
        }
        // An authorize page alone is an endpoint like any other.
        if !out.values().any(|r| *r == Role::RequestToken) {
            out.clear();
        }
        out
    }

    /// Sets the OAuth 1.0a method's steps 3, 6 and 8 from the token requests found.
    fn apply_token_requests(&mut self, roles: &BTreeMap<usize, Role>, method: &mut AuthMethod) {
        let AuthKind::OAuth1(o) = &mut method.kind else {
            return;
        };
        let mut no_dynamics = Vec::new();
        let mut found = BTreeMap::new();
        for (i, role) in roles {
            let r = &self.requests[*i];
            let url = raw_url(r.request);
            let method_name = r
                .request
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or("POST")
                .to_ascii_uppercase();
            found.insert(*role, (url, method_name, r.name.clone(), r.path.clone()));
        }
        let Some((rt_url, rt_method, rt_name, rt_path)) = found.get(&Role::RequestToken).cloned()
        else {
            return;
        };
        o.mode = FlowMode::ThreeLegged;
        // The callback is the request-token request's (Postman sends it only there).
        let rt_index = roles
            .iter()
            .find(|(_, r)| **r == Role::RequestToken)
            .map(|(i, _)| *i);
        if let Some(auth) = rt_index.and_then(|i| self.requests[i].auth.auth) {
            let callback = attributes(auth, "oauth1")
                .get("callback")
                .cloned()
                .unwrap_or_default();
            o.callback = self.callback_of(&callback, &rt_path, Some(&rt_name));
        }
        let url = self.tpl(&with_scheme(&rt_url), &mut no_dynamics);
        o.request_token = HttpEndpoint {
            url,
            method: rt_method,
        };
        self.note(
            &rt_path,
            Some(&rt_name),
            NoteKind::Info,
            "this request is the OAuth 1.0a request-token request (step 3), not an endpoint",
        );
        match found.get(&Role::AccessToken).cloned() {
            Some((url, m, name, path)) => {
                let url = self.tpl(&with_scheme(&url), &mut no_dynamics);
                o.access_token = HttpEndpoint { url, method: m };
                self.note(
                    &path,
                    Some(&name),
                    NoteKind::Info,
                    "this request is the OAuth 1.0a access-token request (step 8), not an endpoint",
                );
            }
            None => {
                let guess = sibling(&o.request_token.url, "access_token");
                self.note(&rt_path, Some(&rt_name), NoteKind::Changed, format!("no access-token request was found: step 8 goes to {guess}, next to the request-token URL — check it"));
                o.access_token = HttpEndpoint::post(&guess);
            }
        }
        match found.get(&Role::Authorize).cloned() {
            Some((url, _, name, path)) => {
                let (base, query) = split_query(&url);
                let base = self.tpl(&with_scheme(base), &mut no_dynamics);
                o.authorize_url = base;
                o.authorize_params.clear();
                for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let k = decode_query(k);
                    if k == "oauth_token" || k == "oauth_callback" {
                        continue;
                    }
                    let v = self.tpl(&decode_query(v), &mut no_dynamics);
                    o.authorize_params.push(Param::new(k, v));
                }
                self.note(&path, Some(&name), NoteKind::Info, "this request is the OAuth 1.0a consent page (step 6), opened in the browser, not an endpoint");
            }
            None => {
                let guess = sibling(&o.request_token.url, "authorize");
                self.note(&rt_path, Some(&rt_name), NoteKind::Changed, format!("no authorization page was found among the requests: step 6 opens {guess}, next to the request-token URL — check it"));
                o.authorize_url = guess;
            }
        }
    }

    /// An authentication method from an auth block; `None` for an auth Signet has no method
    /// for (noted).
    fn method(
        &mut self,
        at: &AuthAt<'a>,
        oauth_seen: &mut Option<(PmOAuth1, String)>,
        credential_vars: &mut BTreeSet<String>,
    ) -> Option<AuthMethod> {
        let owner = at.owner.clone();
        let Some(auth) = at.auth else {
            return Some(AuthMethod {
                id: "none".into(),
                name: "No auth".into(),
                kind: AuthKind::None,
                options: AuthOptions::default(),
            });
        };
        let ty = auth.get("type").and_then(Value::as_str).unwrap_or("");
        let attrs = attributes(auth, ty);
        let mut dyns = Vec::new();
        match ty {
            "noauth" => Some(AuthMethod {
                id: "none".into(),
                name: "No auth".into(),
                kind: AuthKind::None,
                options: AuthOptions::default(),
            }),
            "oauth1" => {
                let o = self.oauth1_of(auth, &at.path);
                if let Some((first, first_path)) = oauth_seen {
                    if *first != o {
                        let first_path = first_path.clone();
                        self.note(&at.path, owner.as_deref(), NoteKind::Changed, format!("a Signet connector has one OAuth 1.0a method: these OAuth 1.0 settings differ from those at {first_path}, whose settings are used instead"));
                    }
                    return None;
                }
                *oauth_seen = Some((o.clone(), at.path.clone()));
                Some(self.oauth1_method(&o, &at.path, owner.as_deref(), credential_vars))
            }
            "basic" => {
                let username = self.tpl(
                    &attrs.get("username").cloned().unwrap_or_default(),
                    &mut dyns,
                );
                let password = attrs.get("password").cloned().unwrap_or_default();
                let password = self.secret_reference(&password, "basic_password", &at.path);
                Some(AuthMethod {
                    id: "basic".into(),
                    name: "Basic".into(),
                    kind: AuthKind::Basic { username, password },
                    options: AuthOptions::default(),
                })
            }
            "apikey" => {
                let name = attrs
                    .get("key")
                    .cloned()
                    .unwrap_or_else(|| "X-Api-Key".into());
                let value = attrs.get("value").cloned().unwrap_or_default();
                let value = self.secret_reference(&value, "api_key", &at.path);
                let placement = if attrs.get("in").map(String::as_str) == Some("query") {
                    KeyPlacement::Query
                } else {
                    KeyPlacement::Header
                };
                Some(AuthMethod {
                    id: "api-key".into(),
                    name: "API key".into(),
                    kind: AuthKind::ApiKey {
                        name,
                        value,
                        placement,
                    },
                    options: AuthOptions::default(),
                })
            }
            "bearer" => {
                let token = attrs.get("token").cloned().unwrap_or_default();
                let token = self.secret_reference(&token, "bearer_token", &at.path);
                Some(AuthMethod {
                    id: "bearer".into(),
                    name: "Bearer token".into(),
                    kind: AuthKind::ApiKey {
                        name: "Authorization".into(),
                        value: format!("Bearer {token}"),
                        placement: KeyPlacement::Header,
                    },
                    options: AuthOptions::default(),
                })
            }
            other => {
                let what = if other.is_empty() {
                    "an auth without a type".to_owned()
                } else {
                    format!("{other} auth")
                };
                self.note(&at.path, owner.as_deref(), NoteKind::Dropped, format!("Signet has no method for {what}: the requests that use it are sent without authentication — add the header the provider wants by hand"));
                Some(AuthMethod {
                    id: "none".into(),
                    name: "No auth".into(),
                    kind: AuthKind::None,
                    options: AuthOptions::default(),
                })
            }
        }
    }

    /// A secret field as a reference to a secret variable: the variable it names (made
    /// secret), or a new one holding the literal value.
    fn secret_reference(&mut self, text: &str, default_name: &str, path: &str) -> String {
        let mut dyns = Vec::new();
        if let Some(name) = sole_reference(text)
            && !name.starts_with('$')
        {
            let name = name.to_owned();
            let entry = self.vars.entry(name.clone()).or_insert_with(|| PmVar {
                key: name.clone(),
                value: String::new(),
                secret: true,
                path: path.to_owned(),
                collection_value: None,
            });
            entry.secret = true;
            return self.tpl(text, &mut dyns);
        }
        let signet = self.names.of(default_name);
        self.vars.insert(
            default_name.to_owned(),
            PmVar {
                key: default_name.to_owned(),
                value: text.to_owned(),
                secret: true,
                path: path.to_owned(),
                collection_value: None,
            },
        );
        self.used.insert(default_name.to_owned());
        if !text.is_empty() {
            self.note(path, None, NoteKind::Info, format!("the secret typed here became the secret variable {signet}, kept encrypted with the instance"));
        }
        format!("{{{{{signet}}}}}")
    }

    /// The OAuth 1.0a method of a Postman OAuth 1.0 block.
    fn oauth1_method(
        &mut self,
        o: &PmOAuth1,
        path: &str,
        owner: Option<&str>,
        credential_vars: &mut BTreeSet<String>,
    ) -> AuthMethod {
        let mut dyns = Vec::new();
        let method_text = o.text("signatureMethod");
        let signature_method = if method_text.is_empty() {
            SignatureMethod::HmacSha1
        } else {
            match method_text.parse::<SignatureMethod>() {
                Ok(m) => m,
                Err(_) => {
                    self.note(path, owner, NoteKind::Changed, format!("the signature method {method_text:?} is not one of OAuth 1.0a's: HMAC-SHA1 is used — pick the right one in the method"));
                    SignatureMethod::HmacSha1
                }
            }
        };
        let header = o.flag("addParamsToHeader").unwrap_or(true);
        let placement = if header {
            Placement::Header
        } else {
            self.note(path, owner, NoteKind::Changed, "\"Add auth data to\" is the URL or body: Signet sends the oauth_* parameters in the query (Postman puts them in a POST or PUT form body when there is one); the signature is the same either way — pick Body in the method to match exactly");
            Placement::Query
        };
        let version = o.text("version");
        let include_version = match version.as_str() {
            "1.0" => true,
            "" => false,
            other => {
                self.note(
                    path,
                    owner,
                    NoteKind::Changed,
                    format!("oauth_version {other:?} is not 1.0: Signet sends oauth_version=1.0"),
                );
                true
            }
        };
        let realm = o.text("realm");
        let realm = (!realm.is_empty()).then(|| self.tpl(&realm, &mut dyns));
        for (key, what) in [("timestamp", "timestamp"), ("nonce", "nonce")] {
            let v = o.text(key);
            if !v.is_empty() {
                self.note(path, owner, NoteKind::Changed, format!("a fixed oauth_{what} ({v:?}) is set: Signet makes a fresh one for every request (a fixed one is refused as a replay after its first use)"));
            }
        }
        if o.flag("encodeOAuthSign") == Some(false) {
            self.note(path, owner, NoteKind::Changed, "\"Encode OAuth signature\" is off: Signet always percent-encodes the signature (RFC 5849 section 3.5)");
        }
        if o.flag("disableHeaderEncoding") == Some(true) {
            self.note(path, owner, NoteKind::Changed, "\"Disable header encoding\" is on: Signet always percent-encodes the Authorization header's values (RFC 5849 section 3.5.1)");
        }
        let verifier = o.text("verifier");
        if !verifier.is_empty() {
            self.note(
                path,
                owner,
                NoteKind::Info,
                "the verifier is not kept: each run of the ten steps gets its own at step 7",
            );
        }
        // Credentials go to the instance.
        let (consumer_key, var) = self.credential(&o.text("consumerKey"));
        credential_vars.extend(var);
        self.instance.consumer_key = consumer_key;
        if signature_method.is_rsa() {
            let (key, var) = self.credential(&o.text("privateKey"));
            credential_vars.extend(var);
            if !key.is_empty() {
                self.instance.rsa_private_key_pem = Some(Secret::new(key));
            }
        } else {
            let (secret, var) = self.credential(&o.text("consumerSecret"));
            credential_vars.extend(var);
            if !secret.is_empty() {
                self.instance.consumer_secret = Some(Secret::new(secret));
            }
        }
        let (token, var) = self.credential(&o.text("token"));
        credential_vars.extend(var);
        let (token_secret, var) = self.credential(&o.text("tokenSecret"));
        credential_vars.extend(var);
        let mode = if token.is_empty() {
            FlowMode::OneLegged
        } else {
            self.instance.token = Some((token, Secret::new(token_secret)));
            FlowMode::PreIssuedToken
        };
        self.note(path, owner, NoteKind::Info, "the consumer key, the consumer secret or RSA key and the token went into the instance (secrets encrypted), not into the connector");
        let callback_text = o.text("callback");
        let callback = self.callback_of(&callback_text, path, owner);
        let mut oauth = OAuth1 {
            mode,
            signature_method,
            placement,
            include_version,
            body_hash: o.flag("includeBodyHash").unwrap_or(false),
            include_empty: o.flag("addEmptyParamsToSign").unwrap_or(false),
            realm,
            callback,
            ..OAuth1::three_legged("", "", "")
        };
        if oauth.body_hash && signature_method == SignatureMethod::Plaintext {
            oauth.body_hash = false;
            self.note(path, owner, NoteKind::Changed, "a body hash with PLAINTEXT means nothing (RFC 5849 body hash needs a hash): left out");
        }
        AuthMethod {
            id: "oauth1".into(),
            name: "OAuth 1.0a".into(),
            kind: AuthKind::OAuth1(Box::new(oauth)),
            options: AuthOptions::default(),
        }
    }

    /// Step 7's settings from Postman's callback URL.
    fn callback_of(&mut self, text: &str, path: &str, owner: Option<&str>) -> CallbackSettings {
        let mut c = CallbackSettings::default();
        let t = text.trim();
        if t.is_empty() || t.starts_with("signet://") {
            return c;
        }
        if t == "oob" {
            c.mode = CallbackMode::Oob;
            return c;
        }
        let lower = t.to_ascii_lowercase();
        for host in ["http://127.0.0.1", "http://localhost"] {
            if let Some(rest) = lower.strip_prefix(host) {
                let (port, path_part) = match rest.strip_prefix(':') {
                    Some(r) => {
                        let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
                        (
                            digits.parse::<u16>().unwrap_or(0),
                            r[digits.len()..].to_owned(),
                        )
                    }
                    None => (0, rest.to_owned()),
                };
                c.mode = CallbackMode::Loopback;
                c.loopback_port = port;
                let p = path_part.split(['?', '#']).next().unwrap_or("").to_owned();
                c.loopback_path = if p.is_empty() { "/callback".into() } else { p };
                if port == 0 {
                    self.note(path, owner, NoteKind::Changed, format!("the callback {t} names no port: Signet listens on a free port it picks when the flow starts"));
                }
                return c;
            }
        }
        c.mode = CallbackMode::Oob;
        c.oob_url = Some(t.to_owned());
        self.note(path, owner, NoteKind::Changed, format!("the callback {t} is a web address Signet cannot listen on: it is sent as registered, and after allowing you paste the address the browser ends up at"));
        c
    }

    /// An endpoint from a request.
    fn endpoint(
        &mut self,
        r: &Request<'a>,
        auth: Option<String>,
        ids: &mut BTreeSet<String>,
    ) -> Option<Endpoint> {
        let used_before = self.used.clone();
        let mut dyns: Vec<(String, String)> = Vec::new();
        let req = r.request;
        let name = r.name.clone();
        let p = &r.path;
        let method = req
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .trim()
            .to_ascii_uppercase();
        let raw = raw_url(req);
        if raw.trim().is_empty() {
            self.note(p, Some(&name), NoteKind::Dropped, "has no URL: left out");
            return None;
        }
        let (base, raw_query) = split_query(raw.trim());
        let (base, fragment) = match base.split_once('#') {
            Some((b, f)) => (b.to_owned(), Some(f)),
            None => (base.to_owned(), None),
        };
        if fragment.is_some() {
            self.note(
                p,
                Some(&name),
                NoteKind::Dropped,
                "the URL's #fragment is never sent: left out",
            );
        }
        let mut base = with_scheme(&base);
        if base != raw.trim().split(['?', '#']).next().unwrap_or("") {
            self.note(
                p,
                Some(&name),
                NoteKind::Changed,
                "the URL has no scheme: http:// is put before it, as Postman does",
            );
        }
        // Path variables (`:id`) become endpoint variables.
        let path_vars: BTreeMap<String, String> = req
            .get("url")
            .and_then(|u| u.get("variable"))
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| {
                        Some((
                            v.get("key").and_then(Value::as_str)?.to_owned(),
                            v.get("value").and_then(scalar).unwrap_or_default(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut endpoint_vars: Vec<Variable> = Vec::new();
        let mut rebuilt = String::new();
        // `scheme://host` or a leading `{{base_url}}`, then the path.
        let after = match base.find("://") {
            Some(i) => i + 3,
            None if base.starts_with("{{") => base.find("}}").map_or(0, |i| i + 2),
            None => 0,
        };
        let (scheme_host, path) = match base[after..].find('/') {
            Some(j) => base.split_at(after + j),
            None => (base.as_str(), ""),
        };
        rebuilt.push_str(scheme_host);
        let mut encoded_spaces = false;
        for seg in path.split('/').skip(1) {
            rebuilt.push('/');
            if let Some(var) = seg
                .strip_prefix(':')
                .filter(|v| !v.is_empty() && !v.contains(['{', '}']))
            {
                let signet = self.names.of(var);
                rebuilt.push_str(&format!("{{{{{signet}}}}}"));
                let default = path_vars.get(var).cloned().filter(|d| !d.is_empty());
                endpoint_vars.push(Variable {
                    default,
                    ..Variable::text(&signet, var)
                });
            } else {
                let mut s = seg.to_owned();
                if s.contains(' ') {
                    encoded_spaces = true;
                    s = s.replace(' ', "%20");
                }
                rebuilt.push_str(&s);
            }
        }
        if encoded_spaces {
            self.note(
                p,
                Some(&name),
                NoteKind::Changed,
                "spaces in the URL's path are sent as %20",
            );
        }
        base = rebuilt;
        let url = self.tpl(&base, &mut dyns);

        // Query: the structured list when there is one (it keeps disabled parameters).
        let mut query = Vec::new();
        let listed = req
            .get("url")
            .and_then(|u| u.get("query"))
            .and_then(Value::as_array);
        match listed {
            Some(list) => {
                for (j, q) in list.iter().enumerate() {
                    let Some(k) = q.get("key").and_then(scalar) else {
                        continue;
                    };
                    if q.get("disabled").and_then(Value::as_bool) == Some(true) {
                        self.note(
                            &format!("{p}.request.url.query[{j}]"),
                            Some(&name),
                            NoteKind::Dropped,
                            format!("the query parameter {k} is disabled in Postman: left out"),
                        );
                        continue;
                    }
                    let v = q.get("value").and_then(scalar).unwrap_or_default();
                    let k = self.tpl(&decode_query(&k), &mut dyns);
                    let v = self.tpl(&decode_query(&v), &mut dyns);
                    query.push(Param::new(k, v));
                }
            }
            None => {
                for pair in raw_query.unwrap_or("").split('&').filter(|x| !x.is_empty()) {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let k = self.tpl(&decode_query(k), &mut dyns);
                    let v = self.tpl(&decode_query(v), &mut dyns);
                    query.push(Param::new(k, v));
                }
            }
        }

        // Headers.
        let mut headers = Vec::new();
        let mut content_type: Option<String> = None;
        match req.get("header") {
            Some(Value::Array(list)) => {
                for (j, h) in list.iter().enumerate() {
                    let Some(k) = h.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    if h.get("disabled").and_then(Value::as_bool) == Some(true) {
                        self.note(
                            &format!("{p}.request.header[{j}]"),
                            Some(&name),
                            NoteKind::Dropped,
                            format!("the header {k} is disabled in Postman: left out"),
                        );
                        continue;
                    }
                    let v = h.get("value").and_then(scalar).unwrap_or_default();
                    if k.eq_ignore_ascii_case("content-type") {
                        content_type = Some(v);
                        continue;
                    }
                    let k = k.trim().to_owned();
                    let v = self.tpl(&v, &mut dyns);
                    headers.push(Param::new(k, v));
                }
            }
            Some(Value::String(text)) => {
                for line in text.lines() {
                    if let Some((k, v)) = line.split_once(':') {
                        if k.trim().eq_ignore_ascii_case("content-type") {
                            content_type = Some(v.trim().to_owned());
                            continue;
                        }
                        let v = self.tpl(v.trim(), &mut dyns);
                        headers.push(Param::new(k.trim(), v));
                    }
                }
            }
            _ => {}
        }

        // Body.
        let body = self.body(r, content_type.as_deref(), &mut headers, &mut dyns);

        // Description and scripts.
        let mut description = description(req.get("description"));
        if description.is_empty() {
            description = self::description(r.item.get("description"));
        }
        let mut scripts = r.scripts.clone();
        scripts.extend(scripts_of(r.item, &format!("the request {name}")));
        if !scripts.is_empty() {
            self.note(p, Some(&name), NoteKind::NotRun, "its Postman scripts are kept as text in the endpoint's description; Signet does not run them");
            for s in scripts {
                if !description.is_empty() {
                    description.push_str("\n\n");
                }
                description.push_str(&s);
            }
        }
        for (postman, signet) in dyns {
            self.note(p, Some(&name), NoteKind::Changed, format!("Postman's {{{{{postman}}}}} has no Signet built-in: it is the endpoint variable {signet}, given a value for each call"));
            if !endpoint_vars.iter().any(|v| v.name == signet) {
                endpoint_vars.push(Variable::text(&signet, &postman));
            }
        }
        // The endpoint's id: its own when exported by Signet, else from its name.
        let ext = r.item.get("_signet");
        let wanted = ext
            .and_then(|e| e.get("id"))
            .and_then(Value::as_str)
            .filter(|id| is_valid_id(id))
            .map(str::to_owned)
            .unwrap_or_else(|| slug(&name));
        let id = unique_id(&wanted, ids.iter().map(String::as_str));
        ids.insert(id.clone());
        let mut e = Endpoint {
            id,
            name,
            description,
            method,
            url,
            query,
            headers,
            body,
            auth,
            variables: endpoint_vars,
            pagination: None,
            schema: None,
        };
        if let Some(ext) = ext.and_then(Value::as_object) {
            if let Some(v) = ext
                .get("variables")
                .and_then(|v| serde_json::from_value::<Vec<Variable>>(v.clone()).ok())
            {
                e.variables = v;
            }
            e.pagination = ext
                .get("pagination")
                .and_then(|v| serde_json::from_value(v.clone()).ok());
            e.schema = ext
                .get("schema")
                .and_then(|v| serde_json::from_value(v.clone()).ok());
        }
        if let Some(ext) = ext.and_then(Value::as_object)
            && let Some(a) = ext.get("auth")
        {
            e.auth = a.as_str().map(str::to_owned);
        }
        // Names only this endpoint's variables answer are not the connector's.
        let added: Vec<String> = self.used.difference(&used_before).cloned().collect();
        for postman in added {
            let signet = self.names.of(&postman);
            if e.variables.iter().any(|v| v.name == signet) {
                self.used.remove(&postman);
            }
        }
        Some(e)
    }

    /// A request's body.
    fn body(
        &mut self,
        r: &Request<'a>,
        content_type: Option<&str>,
        headers: &mut Vec<Param>,
        dyns: &mut Vec<(String, String)>,
    ) -> Body {
        let name = r.name.clone();
        let p = format!("{}.request.body", r.path);
        let Some(body) = r.request.get("body").filter(|b| b.is_object()) else {
            if let Some(ct) = content_type {
                headers.push(Param::new("Content-Type", ct));
            }
            return Body::None;
        };
        if body.get("disabled").and_then(Value::as_bool) == Some(true) {
            self.note(
                &p,
                Some(&name),
                NoteKind::Dropped,
                "the body is disabled in Postman: none is sent",
            );
            return Body::None;
        }
        let mode = body.get("mode").and_then(Value::as_str).unwrap_or("");
        let ct_essence = content_type
            .map(|c| {
                c.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        match mode {
            "urlencoded" | "formdata" => {
                let mut fields = Vec::new();
                if let Some(Value::Array(list)) = body.get(mode) {
                    for (j, f) in list.iter().enumerate() {
                        let Some(k) = f.get("key").and_then(scalar) else {
                            continue;
                        };
                        if f.get("disabled").and_then(Value::as_bool) == Some(true) {
                            self.note(
                                &format!("{p}.{mode}[{j}]"),
                                Some(&name),
                                NoteKind::Dropped,
                                format!("the form field {k} is disabled in Postman: left out"),
                            );
                            continue;
                        }
                        if f.get("type").and_then(Value::as_str) == Some("file") {
                            self.note(&format!("{p}.{mode}[{j}]"), Some(&name), NoteKind::Dropped, format!("the file field {k} cannot be sent by Signet (no multipart bodies yet): left out"));
                            continue;
                        }
                        let v = f.get("value").and_then(scalar).unwrap_or_default();
                        let k = self.tpl(&k, dyns);
                        let v = self.tpl(&v, dyns);
                        fields.push(Param::new(k, v));
                    }
                }
                if mode == "formdata" {
                    self.note(&p, Some(&name), NoteKind::Changed, "the multipart form (form-data) is sent as a URL-encoded form: its text fields, signed by OAuth 1.0a (a multipart body never is)");
                }
                Body::Form { fields }
            }
            "raw" => {
                let text = body.get("raw").and_then(scalar).unwrap_or_default();
                let language = body
                    .get("options")
                    .and_then(|o| o.get("raw"))
                    .and_then(|r| r.get("language"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let text = self.tpl(&text, dyns);
                if ct_essence.ends_with("json") || (ct_essence.is_empty() && language == "json") {
                    Body::Json { text }
                } else if ct_essence.ends_with("/xml")
                    || (ct_essence.is_empty() && language == "xml")
                {
                    Body::Xml { text }
                } else if ct_essence == "application/x-www-form-urlencoded" {
                    let fields = text
                        .split('&')
                        .filter(|x| !x.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                            Param::new(form_decode(k), form_decode(v))
                        })
                        .collect();
                    Body::Form { fields }
                } else {
                    Body::Text {
                        content_type: content_type
                            .map(str::to_owned)
                            .unwrap_or_else(|| "text/plain".into()),
                        text,
                    }
                }
            }
            "graphql" => {
                let g = body.get("graphql").cloned().unwrap_or(Value::Null);
                let query = g.get("query").and_then(Value::as_str).unwrap_or_default();
                let variables = g
                    .get("variables")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim();
                let variables = if variables.is_empty() {
                    "{}"
                } else {
                    variables
                };
                let text = format!(
                    "{{\"query\": {}, \"variables\": {variables}}}",
                    serde_json::to_string(query).unwrap_or_default()
                );
                self.note(
                    &p,
                    Some(&name),
                    NoteKind::Changed,
                    "the GraphQL body is sent as the JSON body Postman builds from it",
                );
                Body::Json {
                    text: self.tpl(&text, dyns),
                }
            }
            "file" => {
                self.note(&p, Some(&name), NoteKind::Dropped, "a body read from a file cannot be imported: none is sent — paste its text as a raw body");
                Body::None
            }
            "" => Body::None,
            other => {
                self.note(
                    &p,
                    Some(&name),
                    NoteKind::Dropped,
                    format!("the body mode {other:?} is not one Signet knows: none is sent"),
                );
                Body::None
            }
        }
    }
}

fn form_decode(s: &str) -> String {
    decode_query(&s.replace('+', " "))
}

/// The role of a token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    RequestToken,
    Authorize,
    AccessToken,
}

/// The auth types Postman writes (`inherit` included).
const POSTMAN_AUTH_TYPES: &[&str] = &[
    "noauth", "inherit", "apikey", "awsv4", "basic", "bearer", "digest", "edgegrid", "akamai",
    "hawk", "jwt", "asap", "ntlm", "oauth1", "oauth2",
];

/// Whether an auth block says "inherit from the parent".
fn is_inherit(auth: &Value) -> bool {
    auth.get("type").and_then(Value::as_str) == Some("inherit")
}

/// An auth's attributes as texts, v2.0 (an object) or v2.1 (a list of `{ key, value }`).
fn attributes(auth: &Value, ty: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match auth.get(ty) {
        Some(Value::Array(list)) => {
            for a in list {
                if let (Some(k), Some(v)) = (
                    a.get("key").and_then(Value::as_str),
                    a.get("value").and_then(scalar),
                ) {
                    out.insert(k.to_owned(), v);
                }
            }
        }
        Some(Value::Object(map)) => {
            for (k, v) in map {
                if let Some(v) = scalar(v) {
                    out.insert(k.clone(), v);
                }
            }
        }
        _ => {}
    }
    out
}

/// A request's URL as text: the string, or the object's `raw`, or its parts put together.
fn raw_url(request: &Value) -> String {
    let url = match request {
        Value::String(s) => return s.clone(),
        _ => request.get("url"),
    };
    match url {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => {
            if let Some(raw) = o.get("raw").and_then(Value::as_str) {
                return raw.to_owned();
            }
            assemble(o)
        }
        _ => String::new(),
    }
}

/// A URL from Postman's parts (`protocol`, `host`, `port`, `path`, `query`).
fn assemble(o: &Map<String, Value>) -> String {
    let join = |v: Option<&Value>, sep: &str| match v {
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| match p {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(sep),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let mut out = String::new();
    if let Some(p) = o.get("protocol").and_then(Value::as_str) {
        out.push_str(p);
        out.push_str("://");
    }
    out.push_str(&join(o.get("host"), "."));
    if let Some(port) = o.get("port").and_then(scalar) {
        out.push(':');
        out.push_str(&port);
    }
    let path = join(o.get("path"), "/");
    if !path.is_empty() {
        out.push('/');
        out.push_str(path.trim_start_matches('/'));
    }
    out
}

/// `http://` before a URL without a scheme (Postman's default); a URL starting with a
/// variable is left alone.
fn with_scheme(url: &str) -> String {
    let t = url.trim_start();
    let has_scheme = t.find("://").is_some_and(|i| {
        i > 0
            && t[..i].starts_with(|c: char| c.is_ascii_alphabetic())
            && t[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if has_scheme || t.starts_with("{{") {
        url.trim().to_owned()
    } else {
        format!("http://{}", url.trim())
    }
}

/// `url` with its last path segment replaced by `segment`.
fn sibling(url: &str, segment: &str) -> String {
    match url.rfind('/') {
        Some(i) if i > url.find("://").map_or(0, |s| s + 2) => format!("{}/{segment}", &url[..i]),
        _ => format!("{}/{segment}", url.trim_end_matches('/')),
    }
}

/// `wanted`, or `wanted-2`, `wanted-3`... whichever is not taken.
fn unique_id<'b>(wanted: &str, taken: impl Iterator<Item = &'b str> + Clone) -> String {
    let mut id = wanted.to_owned();
    let mut n = 2;
    while taken.clone().any(|t| t == id) {
        id = format!("{wanted}-{n}");
        n += 1;
    }
    id
}

/// What Signet keeps of an exported collection's `_signet` object that Postman has no field
/// for: the details, the variables' kinds and help, the methods' settings beyond Postman's.
fn apply_extension(c: &mut Connector, ext: &Map<String, Value>) {
    if let Some(methods) = ext
        .get("auth_methods")
        .and_then(|v| serde_json::from_value::<Vec<AuthMethod>>(v.clone()).ok())
    {
        let imported = std::mem::take(&mut c.auth_methods);
        let methods_all = methods.clone();
        let mut out = Vec::new();
        for mut m in methods {
            // Postman's fields win where it has them (they may have been edited there).
            let of_type = |list: &[AuthMethod]| {
                list.iter()
                    .filter(|i| i.kind.type_name() == m.kind.type_name())
                    .count()
            };
            let now = imported.iter().find(|i| i.id == m.id).or_else(|| {
                (of_type(&imported) == 1 && of_type(&methods_all) == 1)
                    .then(|| {
                        imported
                            .iter()
                            .find(|i| i.kind.type_name() == m.kind.type_name())
                    })
                    .flatten()
            });
            if let Some(now) = now {
                merge_method(&mut m, now);
            }
            out.push(m);
        }
        for m in imported {
            if !out.iter().any(|o| o.id == m.id)
                && !out.iter().any(|o| o.kind.type_name() == m.kind.type_name())
            {
                out.push(m);
            }
        }
        // Endpoints name methods by the ids Signet gave them.
        c.auth_methods = out;
    }
    if let Some(vars) = ext
        .get("variables")
        .and_then(|v| serde_json::from_value::<Vec<Variable>>(v.clone()).ok())
    {
        // The definitions as Signet wrote them, in its order; a variable Postman added since
        // stays as imported.
        let mut out: Vec<Variable> = vars;
        // Fields of the access-token response are the method's, not variables.
        let token_fields: Vec<String> = c
            .oauth1()
            .map(|(_, _, o)| o.token_fields.clone())
            .unwrap_or_default();
        for v in &c.variables {
            // `{{account.realm}}` is a form of the variable `account`.
            let derived = v
                .name
                .rsplit_once('.')
                .is_some_and(|(base, _)| out.iter().any(|o| o.name == base));
            if !out.iter().any(|o| o.name == v.name) && !token_fields.contains(&v.name) && !derived
            {
                out.push(v.clone());
            }
        }
        c.variables = out;
    }
}

/// Postman's fields of `now` over Signet's `m`.
fn merge_method(m: &mut AuthMethod, now: &AuthMethod) {
    match (&mut m.kind, &now.kind) {
        (AuthKind::OAuth1(o), AuthKind::OAuth1(n)) => {
            o.signature_method = n.signature_method;
            if n.placement == Placement::Header || o.placement == Placement::Header {
                o.placement = n.placement;
            }
            o.include_version = n.include_version;
            o.body_hash = n.body_hash;
            o.include_empty = n.include_empty;
            o.realm = n.realm.clone();
            if n.mode == FlowMode::ThreeLegged {
                o.request_token = n.request_token.clone();
                o.access_token = n.access_token.clone();
                o.authorize_url = n.authorize_url.clone();
            }
        }
        (a, b) if a.type_name() == b.type_name() => *a = b.clone(),
        _ => {}
    }
}

/// A field of the connector as a person finds it: `endpoints[2] (Orders / Get order).url`.
fn describe_field(c: &Connector, field: &str) -> String {
    if let Some(rest) = field.strip_prefix("endpoints[")
        && let Some((i, tail)) = rest.split_once(']')
        && let Ok(i) = i.parse::<usize>()
        && let Some(e) = c.endpoints.get(i)
    {
        return format!("the request {:?}{tail}", e.name);
    }
    field.to_owned()
}
