//! Export and import of connectors as JSON (`"format": "signet-connectors", "version": 1`; see
//! `EXPORT-FORMAT.md`). Secrets stay out unless asked for, and then travel encrypted under a
//! passphrase. Import checks every field and reports every problem at once, with its JSON path;
//! it imports everything or nothing.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use signet_oauth1::{CallbackMode, Placement, Secret, SignatureMethod};

use crate::connectors::ConnectorSpec;
use crate::credentials::{
    ClientSecret, ClientSecretKind, Credentials, TokenCredentials, credential_problems,
};
use crate::crypto::{BoxError, PassphraseBox};
use crate::error::{Error, Problem, Problems, Result};
use crate::keys::ConnectorId;
use crate::store::Store;
use crate::time::Timestamp;

/// The `format` field's value.
pub const FORMAT: &str = "signet-connectors";
/// The newest format version written and read.
pub const FORMAT_VERSION: u64 = 1;
const SECRETS_AAD: &[u8] = b"signet-connectors/1/secrets";

/// Whether an export carries secrets.
#[derive(Debug, Clone, Default)]
pub enum ExportSecrets {
    /// No secrets, no consumer keys, no tokens (the default).
    #[default]
    Exclude,
    /// Consumer keys in the clear; consumer secrets, RSA keys and token credentials encrypted
    /// under this passphrase (Argon2id + XChaCha20-Poly1305).
    EncryptWith(Secret),
}

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Only these connectors; `None` for all.
    pub only: Option<Vec<ConnectorId>>,
    /// Secrets or not.
    pub secrets: ExportSecrets,
}

/// What to do when an imported connector's name is already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnConflict {
    /// Report it as a problem; import nothing (the default).
    #[default]
    Fail,
    /// Leave the existing connector alone and skip the imported one.
    Skip,
    /// Overwrite the existing connector (its id and run history stay).
    Replace,
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The passphrase for the file's secrets; without it, secrets are not imported.
    pub passphrase: Option<Secret>,
    /// Name clashes.
    pub on_conflict: OnConflict,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ImportReport {
    /// Names of connectors added.
    pub added: Vec<String>,
    /// Names of existing connectors overwritten.
    pub replaced: Vec<String>,
    /// Names skipped because they already existed.
    pub skipped: Vec<String>,
    /// Whether secrets were imported.
    pub secrets_imported: bool,
    /// Things worth telling the user (secrets left out, and why).
    pub notes: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct SecretEntry {
    name: String,
    client_secret_kind: ClientSecretKind,
    #[serde(serialize_with = "signet_oauth1::secret::exposed::serialize")]
    client_secret: Secret,
    token: Option<TokenEntry>,
}

#[derive(Serialize, Deserialize)]
struct TokenEntry {
    token: String,
    #[serde(serialize_with = "signet_oauth1::secret::exposed::serialize")]
    token_secret: Secret,
    extra: Vec<(String, String)>,
    obtained_at: Timestamp,
}

fn spec_json(spec: &ConnectorSpec) -> Map<String, Value> {
    match serde_json::to_value(spec).expect("specs serialize") {
        Value::Object(m) => m,
        _ => unreachable!("a struct serializes to an object"),
    }
}

impl Store {
    /// Writes connectors as an export file's text (pretty JSON).
    pub fn export(&self, options: &ExportOptions) -> Result<String> {
        let mut connectors = self.list_connectors()?;
        if let Some(only) = &options.only {
            for id in only {
                if !connectors.iter().any(|c| c.id == *id) {
                    return Err(crate::connectors::not_found(*id));
                }
            }
            connectors.retain(|c| only.contains(&c.id));
        }
        let mut entries = Vec::with_capacity(connectors.len());
        let mut secrets = Vec::new();
        for c in &connectors {
            let mut entry = spec_json(&c.spec);
            if let ExportSecrets::EncryptWith(_) = options.secrets
                && let Some(creds) = self.credentials(c.id)?
            {
                entry.insert("consumer_key".into(), Value::String(creds.consumer_key));
                secrets.push(SecretEntry {
                    name: c.spec.name.clone(),
                    client_secret_kind: creds.client_secret.kind(),
                    client_secret: creds.client_secret.secret().clone(),
                    token: creds.token.map(|t| TokenEntry {
                        token: t.token,
                        token_secret: t.token_secret,
                        extra: t.extra,
                        obtained_at: t.obtained_at,
                    }),
                });
            }
            entries.push(Value::Object(entry));
        }
        let mut doc = json!({
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": Timestamp::now().to_string(),
            "connectors": entries,
        });
        if let ExportSecrets::EncryptWith(passphrase) = &options.secrets {
            let plaintext = serde_json::to_vec(&json!({ "connectors": secrets_json(&secrets) }))
                .expect("secrets serialize");
            let sealed = PassphraseBox::seal(passphrase, &plaintext, SECRETS_AAD)?;
            doc["secrets"] = serde_json::to_value(sealed).expect("box serializes");
        }
        Ok(serde_json::to_string_pretty(&doc).expect("json serializes"))
    }

    /// Reads an export file's text, checks all of it, and imports all of it in one transaction
    /// (or nothing, with every problem listed in [`Error::Import`]).
    pub fn import(&self, text: &str, options: &ImportOptions) -> Result<ImportReport> {
        let parsed = parse_export(text, options.passphrase.as_ref())?;
        let mut problems = parsed.problems;
        let mut report = ImportReport {
            notes: parsed.notes,
            secrets_imported: parsed.secrets_imported,
            ..Default::default()
        };
        let mut items = Vec::new();
        for (i, (spec, creds)) in parsed.items.into_iter().enumerate() {
            let exists = self.connector_by_name(&spec.name)?.is_some();
            match (exists, options.on_conflict) {
                (true, OnConflict::Fail) => problems.push(Problem::new(
                    format!("connectors[{i}].name"),
                    format!(
                        "a connector named {:?} already exists (choose skip or replace to import anyway)",
                        spec.name.trim()
                    ),
                )),
                (true, OnConflict::Skip) => report.skipped.push(spec.name.trim().to_owned()),
                (true, OnConflict::Replace) => {
                    report.replaced.push(spec.name.trim().to_owned());
                    items.push((spec, creds));
                }
                (false, _) => {
                    report.added.push(spec.name.trim().to_owned());
                    items.push((spec, creds));
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Import {
                problems: Problems(problems),
            });
        }
        if !items.is_empty() {
            self.put_connector_with_credentials(
                &items,
                options.on_conflict == OnConflict::Replace,
            )?;
        }
        Ok(report)
    }
}

fn secrets_json(secrets: &[SecretEntry]) -> Value {
    serde_json::to_value(secrets).expect("secrets serialize")
}

struct Parsed {
    items: Vec<(ConnectorSpec, Option<Credentials>)>,
    problems: Vec<Problem>,
    notes: Vec<String>,
    secrets_imported: bool,
}

/// Reads the fields of one JSON object, recording problems under `prefix`.
struct Fields<'a> {
    obj: &'a Map<String, Value>,
    prefix: String,
    problems: &'a mut Vec<Problem>,
}

impl Fields<'_> {
    fn path(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    fn string(&mut self, field: &str) -> Option<String> {
        match self.obj.get(field) {
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) => {
                self.problems
                    .push(Problem::new(self.path(field), "is missing"));
                None
            }
            Some(other) => {
                let p = Problem::new(
                    self.path(field),
                    format!("must be a string, not {}", kind(other)),
                );
                self.problems.push(p);
                None
            }
        }
    }

    fn opt_string(&mut self, field: &str) -> Option<String> {
        match self.obj.get(field) {
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) => None,
            Some(other) => {
                let p = Problem::new(
                    self.path(field),
                    format!("must be a string or null, not {}", kind(other)),
                );
                self.problems.push(p);
                None
            }
        }
    }

    fn parsed<T: std::str::FromStr>(&mut self, field: &str, default: Option<T>) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.obj.get(field) {
            Some(Value::String(s)) => match s.parse() {
                Ok(v) => Some(v),
                Err(e) => {
                    self.problems
                        .push(Problem::new(self.path(field), e.to_string()));
                    None
                }
            },
            None | Some(Value::Null) if default.is_some() => default,
            None | Some(Value::Null) => {
                self.problems
                    .push(Problem::new(self.path(field), "is missing"));
                None
            }
            Some(other) => {
                let p = Problem::new(
                    self.path(field),
                    format!("must be a string, not {}", kind(other)),
                );
                self.problems.push(p);
                None
            }
        }
    }

    fn bool(&mut self, field: &str, default: bool) -> bool {
        match self.obj.get(field) {
            Some(Value::Bool(b)) => *b,
            None | Some(Value::Null) => default,
            Some(other) => {
                let p = Problem::new(
                    self.path(field),
                    format!("must be true or false, not {}", kind(other)),
                );
                self.problems.push(p);
                default
            }
        }
    }

    fn pairs(&mut self, field: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match self.obj.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    match item.as_array().map(|a| a.as_slice()) {
                        Some([Value::String(n), Value::String(v)]) => {
                            out.push((n.clone(), v.clone()))
                        }
                        _ => {
                            let p = Problem::new(
                                format!("{}[{i}]", self.path(field)),
                                "must be a [name, value] pair of strings",
                            );
                            self.problems.push(p);
                        }
                    }
                }
            }
            Some(other) => {
                let p = Problem::new(
                    self.path(field),
                    format!("must be a list of [name, value] pairs, not {}", kind(other)),
                );
                self.problems.push(p);
            }
        }
        out
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

const CONNECTOR_FIELDS: &[&str] = &[
    "name",
    "preset",
    "request_token_url",
    "authorize_url",
    "access_token_url",
    "resource_url",
    "signature_method",
    "placement",
    "realm",
    "callback_mode",
    "callback_url",
    "include_version",
    "extra_request_token_params",
    "extra_authorize_params",
    "extra_access_token_params",
    "consumer_key",
];

fn parse_export(text: &str, passphrase: Option<&Secret>) -> Result<Parsed> {
    let fail = |path: &str, message: String| Error::Import {
        problems: Problems(vec![Problem::new(path, message)]),
    };
    let root: Value =
        serde_json::from_str(text).map_err(|e| fail("(file)", format!("is not JSON: {e}")))?;
    let Value::Object(root) = root else {
        return Err(fail("(file)", "must be a JSON object".into()));
    };
    let mut problems = Vec::new();
    match root.get("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(other) => problems.push(Problem::new(
            "format",
            format!("must be {FORMAT:?}, not {other}: this is not a signet connectors file"),
        )),
        None => problems.push(Problem::new(
            "format",
            format!("is missing (expected {FORMAT:?}): this is not a signet connectors file"),
        )),
    }
    match root.get("version").and_then(Value::as_u64) {
        Some(FORMAT_VERSION) => {}
        Some(v) if v > FORMAT_VERSION => {
            return Err(fail(
                "version",
                format!(
                    "version {v} was written by a newer version of signet, which this one cannot read; update signet"
                ),
            ));
        }
        _ => problems.push(Problem::new("version", format!("must be {FORMAT_VERSION}"))),
    }
    let entries = match root.get("connectors") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(other) => {
            problems.push(Problem::new(
                "connectors",
                format!("must be a list, not {}", kind(other)),
            ));
            &[]
        }
        None => {
            problems.push(Problem::new("connectors", "is missing"));
            &[]
        }
    };

    let mut specs: Vec<Option<(ConnectorSpec, Option<String>)>> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let prefix = format!("connectors[{i}].");
        let Value::Object(obj) = entry else {
            problems.push(Problem::new(
                format!("connectors[{i}]"),
                format!("must be an object, not {}", kind(entry)),
            ));
            specs.push(None);
            continue;
        };
        for k in obj.keys() {
            if !CONNECTOR_FIELDS.contains(&k.as_str()) {
                problems.push(Problem::new(
                    format!("{prefix}{k}"),
                    "is not a connector field",
                ));
            }
        }
        let before = problems.len();
        let mut f = Fields {
            obj,
            prefix: prefix.clone(),
            problems: &mut problems,
        };
        let name = f.string("name");
        let preset = f.opt_string("preset");
        let request_token_url = f.string("request_token_url");
        let authorize_url = f.string("authorize_url");
        let access_token_url = f.string("access_token_url");
        let resource_url = f.opt_string("resource_url");
        let signature_method = f.parsed::<SignatureMethod>("signature_method", None);
        let placement = f.parsed("placement", Some(Placement::Header));
        let realm = f.opt_string("realm");
        let callback_mode = f.parsed("callback_mode", Some(CallbackMode::DeepLink));
        let callback_url = f.opt_string("callback_url");
        let include_version = f.bool("include_version", true);
        let extra_request_token_params = f.pairs("extra_request_token_params");
        let extra_authorize_params = f.pairs("extra_authorize_params");
        let extra_access_token_params = f.pairs("extra_access_token_params");
        let consumer_key = f.opt_string("consumer_key");
        let complete = (|| {
            Some(ConnectorSpec {
                name: name?.trim().to_owned(),
                preset,
                request_token_url: request_token_url?,
                authorize_url: authorize_url?,
                access_token_url: access_token_url?,
                resource_url,
                signature_method: signature_method?,
                placement: placement?,
                realm,
                callback_mode: callback_mode?,
                callback_url,
                include_version,
                extra_request_token_params,
                extra_authorize_params,
                extra_access_token_params,
            })
        })();
        match complete {
            Some(spec) if problems.len() == before => {
                problems.extend(spec.problems(&prefix));
                specs.push(Some((spec, consumer_key)));
            }
            Some(spec) => {
                // Field-level problems already; still check the rest of the spec.
                problems.extend(spec.problems(&prefix));
                specs.push(None);
            }
            None => specs.push(None),
        }
    }
    for (i, s) in specs.iter().enumerate() {
        let Some((spec, _)) = s else { continue };
        let key = crate::keys::name_key(&spec.name);
        if let Some(first) = specs[..i].iter().position(|o| {
            o.as_ref()
                .is_some_and(|(s, _)| crate::keys::name_key(&s.name) == key)
        }) {
            problems.push(Problem::new(
                format!("connectors[{i}].name"),
                format!(
                    "{:?} is also the name of connectors[{first}]; names must be unique",
                    spec.name
                ),
            ));
        }
    }

    // Secrets.
    let mut notes = Vec::new();
    let mut secrets: Option<Vec<SecretEntry>> = None;
    match (root.get("secrets"), passphrase) {
        (None | Some(Value::Null), None) => {}
        (None | Some(Value::Null), Some(_)) => {
            notes.push("the file holds no secrets; the passphrase was not needed".into())
        }
        (Some(_), None) => notes.push(
            "the file holds encrypted secrets; they were not imported because no passphrase was given"
                .into(),
        ),
        (Some(value), Some(passphrase)) => {
            match serde_json::from_value::<PassphraseBox>(value.clone()) {
                Err(e) => problems.push(Problem::new("secrets", format!("is not a secrets block: {e}"))),
                Ok(b) => match b.open(passphrase, SECRETS_AAD) {
                    Err(BoxError::WrongPassphrase) => return Err(Error::WrongPassphrase),
                    Err(BoxError::Invalid(m)) => problems.push(Problem::new("secrets", m)),
                    Ok(plain) => {
                        #[derive(Deserialize)]
                        struct Payload {
                            connectors: Vec<SecretEntry>,
                        }
                        match serde_json::from_slice::<Payload>(&plain) {
                            Ok(p) => secrets = Some(p.connectors),
                            Err(e) => problems.push(Problem::new(
                                "secrets",
                                format!("the decrypted secrets are not valid: {e}"),
                            )),
                        }
                    }
                },
            }
        }
    }

    let mut items = Vec::new();
    let secrets_imported = secrets.is_some();
    let mut secrets = secrets.unwrap_or_default();
    for (i, s) in specs.into_iter().enumerate() {
        let Some((spec, consumer_key)) = s else {
            continue;
        };
        let pos = secrets
            .iter()
            .position(|e| crate::keys::name_key(&e.name) == crate::keys::name_key(&spec.name));
        let creds = match (pos.map(|p| secrets.swap_remove(p)), consumer_key) {
            (Some(entry), Some(consumer_key)) => {
                let client_secret = match entry.client_secret_kind {
                    ClientSecretKind::Shared => ClientSecret::Shared(entry.client_secret),
                    ClientSecretKind::RsaPrivateKey => {
                        ClientSecret::RsaPrivateKey(entry.client_secret)
                    }
                };
                problems.extend(credential_problems(
                    &format!("connectors[{i}]."),
                    &consumer_key,
                    &client_secret,
                    spec.signature_method,
                ));
                Some(Credentials {
                    consumer_key: consumer_key.trim().to_owned(),
                    client_secret,
                    token: entry.token.map(|t| TokenCredentials {
                        token: t.token,
                        token_secret: t.token_secret,
                        extra: t.extra,
                        obtained_at: t.obtained_at,
                    }),
                })
            }
            (Some(_), None) => {
                problems.push(Problem::new(
                    format!("connectors[{i}].consumer_key"),
                    "is missing, but the secrets block has a secret for this connector",
                ));
                None
            }
            (None, Some(_)) if secrets_imported => {
                problems.push(Problem::new(
                    format!("connectors[{i}].consumer_key"),
                    "has no secret in the secrets block",
                ));
                None
            }
            (None, Some(_)) => None,
            (None, None) => None,
        };
        items.push((spec, creds));
    }
    for e in &secrets {
        problems.push(Problem::new(
            "secrets",
            format!(
                "holds a secret for {:?}, which is not among the connectors",
                e.name
            ),
        ));
    }
    Ok(Parsed {
        items,
        problems,
        notes,
        secrets_imported,
    })
}
