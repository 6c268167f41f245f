//! Export and import of connectors as JSON (`"format": "signet-connectors"`, version 2; see
//! `EXPORT-FORMAT.md`): each connector's definition with its instances' names and plain
//! values. Secrets — consumer keys and secrets, RSA keys, tokens, secret variables' values —
//! stay out unless asked for, and then travel encrypted under a passphrase. Import reads
//! versions 1 (Signet 0.1's files, converted like a schema-2 database) and 2, checks every
//! field, reports every problem at once with its JSON path, and imports everything or nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use signet_oauth1::Secret;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use crate::connectors::{StoredConnector, definition_problems};
use crate::credentials::{ClientSecret, ClientSecretKind, Credentials, TokenCredentials};
use crate::crypto::{BoxError, PassphraseBox};
use crate::error::{Error, Problem, Problems, Result};
use crate::instances::{DEFAULT_INSTANCE, NewInstance};
use crate::keys::{self, ConnectorId, InstanceId};
use crate::schema;
use crate::store::Store;
use crate::time::Timestamp;

/// The `format` field's value.
pub const FORMAT: &str = "signet-connectors";
/// The newest format version written and read.
pub const FORMAT_VERSION: u64 = 2;
const SECRETS_AAD_V1: &[u8] = b"signet-connectors/1/secrets";
const SECRETS_AAD: &[u8] = b"signet-connectors/2/secrets";

/// Whether an export carries secrets.
#[derive(Debug, Clone, Default)]
pub enum ExportSecrets {
    /// No secrets, no consumer keys, no tokens (the default).
    #[default]
    Exclude,
    /// Consumer keys, consumer secrets, RSA keys, token credentials and secret variables'
    /// values, encrypted under this passphrase (Argon2id + XChaCha20-Poly1305).
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
    /// Overwrite the existing connector's definition; instances with the same name get the
    /// file's values (and credentials, when it brings them), keeping their ids and runs.
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
struct ConnectorEntry {
    definition: signet_connector::Connector,
    #[serde(default)]
    instances: Vec<InstanceEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceEntry {
    name: String,
    #[serde(default)]
    values: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct SecretConnector {
    name: String,
    instances: Vec<SecretInstance>,
}

#[derive(Serialize, Deserialize)]
struct SecretInstance {
    name: String,
    #[serde(default)]
    consumer_key: Option<String>,
    #[serde(default)]
    client_secret_kind: Option<ClientSecretKind>,
    #[serde(default, with = "opt_exposed")]
    client_secret: Option<Secret>,
    #[serde(default)]
    token: Option<TokenEntry>,
    #[serde(default)]
    values: BTreeMap<String, ExposedSecret>,
}

#[derive(Serialize, Deserialize)]
struct TokenEntry {
    token: String,
    #[serde(serialize_with = "signet_oauth1::secret::exposed::serialize")]
    token_secret: Secret,
    extra: Vec<(String, String)>,
    obtained_at: Timestamp,
}

/// A secret that serializes as its value (inside the encrypted block only).
#[derive(Deserialize)]
#[serde(transparent)]
struct ExposedSecret(Secret);

impl Serialize for ExposedSecret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

mod opt_exposed {
    use serde::{Deserialize, Deserializer, Serializer};
    use signet_oauth1::Secret;

    pub fn serialize<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(secret) => s.serialize_some(secret.expose()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(Secret::new))
    }
}

/// One connector to import, checked.
struct Item {
    /// Its position in the file's `connectors`.
    index: usize,
    definition: signet_connector::Connector,
    instances: Vec<NewInstance>,
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
        let with_secrets = matches!(options.secrets, ExportSecrets::EncryptWith(_));
        let mut entries = Vec::with_capacity(connectors.len());
        let mut secrets = Vec::new();
        for c in &connectors {
            let instances = self.instances_of(c.id)?;
            let mut secret_instances = Vec::new();
            for i in &instances {
                if !with_secrets {
                    continue;
                }
                let creds = self.credentials(i.id)?;
                let values = self
                    .instance_secrets(i.id)?
                    .into_iter()
                    .map(|(k, v)| (k, ExposedSecret(v)))
                    .collect();
                secret_instances.push(SecretInstance {
                    name: i.name.clone(),
                    consumer_key: creds.as_ref().map(|c| c.consumer_key.clone()),
                    client_secret_kind: creds.as_ref().map(|c| c.client_secret.kind()),
                    client_secret: creds.as_ref().map(|c| c.client_secret.secret().clone()),
                    token: creds.and_then(|c| c.token).map(|t| TokenEntry {
                        token: t.token,
                        token_secret: t.token_secret,
                        extra: t.extra,
                        obtained_at: t.obtained_at,
                    }),
                    values,
                });
            }
            entries.push(ConnectorEntry {
                definition: c.definition.clone(),
                instances: instances
                    .iter()
                    .map(|i| InstanceEntry {
                        name: i.name.clone(),
                        values: i.values.clone(),
                    })
                    .collect(),
            });
            if with_secrets {
                secrets.push(SecretConnector {
                    name: c.name().to_owned(),
                    instances: secret_instances,
                });
            }
        }
        let mut doc = json!({
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": Timestamp::now().to_string(),
            "connectors": entries,
        });
        if let ExportSecrets::EncryptWith(passphrase) = &options.secrets {
            let plaintext = serde_json::to_vec(&json!({ "connectors": secrets }))
                .map_err(|e| Error::Database(e.to_string()))?;
            let sealed = PassphraseBox::seal(passphrase, &plaintext, SECRETS_AAD)?;
            doc["secrets"] =
                serde_json::to_value(sealed).map_err(|e| Error::Database(e.to_string()))?;
        }
        serde_json::to_string_pretty(&doc).map_err(|e| Error::Database(e.to_string()))
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
        for item in parsed.items {
            let i = item.index;
            let name = item.definition.details.name.trim().to_owned();
            let existing = self.connector_by_name(&name)?;
            match (existing, options.on_conflict) {
                (Some(_), OnConflict::Fail) => problems.push(Problem::new(
                    format!("connectors[{i}].definition.details.name"),
                    format!(
                        "a connector named {name:?} already exists (choose skip or replace to import anyway)"
                    ),
                )),
                (Some(_), OnConflict::Skip) => report.skipped.push(name),
                (Some(e), OnConflict::Replace) => {
                    report.replaced.push(name);
                    items.push((Some(e), item));
                }
                (None, _) => {
                    report.added.push(name);
                    items.push((None, item));
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Import {
                problems: Problems(problems),
            });
        }
        if !items.is_empty() {
            self.put_imported(items)?;
        }
        Ok(report)
    }

    /// Writes checked connectors with their instances in one transaction.
    fn put_imported(&self, items: Vec<(Option<StoredConnector>, Item)>) -> Result<()> {
        let now = Timestamp::now();
        struct Write {
            id: ConnectorId,
            name: Vec<u8>,
            old_name: Option<Vec<u8>>,
            bytes: Vec<u8>,
            head: Vec<u8>,
            instances: Vec<(InstanceId, Vec<u8>, Option<Vec<u8>>)>,
        }
        let mut writes = Vec::new();
        for (existing, item) in items {
            let (id, created_at) = match &existing {
                Some(c) => (c.id, c.created_at),
                None => (
                    ConnectorId(self.db.generate_id().map_err(|e| self.sled_err(e))?),
                    now,
                ),
            };
            let connector = StoredConnector {
                id,
                definition: item.definition,
                created_at,
                updated_at: now,
            };
            let current = match &existing {
                Some(c) => self.instances_of(c.id)?,
                None => Vec::new(),
            };
            let mut instances = Vec::new();
            for new in item.instances {
                let same = current
                    .iter()
                    .find(|i| i.name.eq_ignore_ascii_case(new.name.trim()));
                let (iid, created) = match same {
                    Some(i) => (i.id, i.created_at),
                    None => (
                        InstanceId(self.db.generate_id().map_err(|e| self.sled_err(e))?),
                        now,
                    ),
                };
                let mut prepared = self.prepare_instance(&connector, iid, new, now)?;
                prepared.record.created_at = created;
                instances.push((
                    iid,
                    schema::encode(schema::INSTANCE_VERSION, &prepared.record),
                    prepared.credentials,
                ));
            }
            writes.push(Write {
                id,
                name: keys::name_key(connector.name()),
                old_name: existing.as_ref().map(|e| keys::name_key(e.name())),
                bytes: schema::encode(schema::CONNECTOR_VERSION, &connector),
                head: crate::connectors::ConnectorHead::of(&connector).encode(),
                instances,
            });
        }
        (
            &self.connectors,
            &self.names,
            &self.instances,
            &self.instance_index,
            &self.credentials,
            &self.connector_heads,
        )
            .transaction(
                |(connectors, names, instances, index, credentials, heads)| {
                    for w in &writes {
                        if let Some(old) = &w.old_name {
                            names.remove(old.as_slice())?;
                        }
                        if let Some(other) = names.get(&w.name)?
                            && other.as_ref() != w.id.to_key()
                        {
                            return Err(ConflictableTransactionError::Abort(Error::DuplicateName(
                                String::from_utf8_lossy(&w.name).into_owned(),
                            )));
                        }
                        names.insert(w.name.as_slice(), &w.id.to_key())?;
                        connectors.insert(&w.id.to_key(), w.bytes.as_slice())?;
                        heads.insert(&w.id.to_key(), w.head.as_slice())?;
                        for (iid, bytes, creds) in &w.instances {
                            instances.insert(&iid.to_key(), bytes.as_slice())?;
                            index.insert(&keys::instance_index_key(w.id, *iid), &[])?;
                            if let Some(c) = creds {
                                credentials.insert(&iid.to_key(), c.as_slice())?;
                            }
                        }
                    }
                    Ok(())
                },
            )
            .map_err(|e| self.tx_err(e))?;
        self.flush()
    }
}

struct Parsed {
    items: Vec<Item>,
    problems: Vec<Problem>,
    notes: Vec<String>,
    secrets_imported: bool,
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

/// The fields a version 1 connector object may have.
const V1_FIELDS: &[&str] = &[
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

/// A version 1 connector object: checked field by field, then converted like a schema-2
/// record. Returns the definition and its consumer key.
fn parse_v1(
    obj: &serde_json::Map<String, Value>,
    prefix: &str,
    problems: &mut Vec<Problem>,
) -> Option<(signet_connector::Connector, Option<String>)> {
    let before = problems.len();
    for k in obj.keys() {
        if !V1_FIELDS.contains(&k.as_str()) {
            problems.push(Problem::new(
                format!("{prefix}{k}"),
                "is not a connector field",
            ));
        }
    }
    for required in [
        "name",
        "request_token_url",
        "authorize_url",
        "access_token_url",
        "signature_method",
    ] {
        match obj.get(required) {
            Some(Value::String(_)) => {}
            None | Some(Value::Null) => {
                problems.push(Problem::new(format!("{prefix}{required}"), "is missing"))
            }
            Some(other) => problems.push(Problem::new(
                format!("{prefix}{required}"),
                format!("must be a string, not {}", kind(other)),
            )),
        }
    }
    // Forgiving spellings of the method, as version 1 allowed.
    let mut obj = obj.clone();
    if let Some(Value::String(m)) = obj.get("signature_method") {
        match m.parse::<signet_oauth1::SignatureMethod>() {
            Ok(parsed) => {
                obj.insert(
                    "signature_method".into(),
                    Value::String(parsed.as_str().to_owned()),
                );
            }
            Err(e) => problems.push(Problem::new(
                format!("{prefix}signature_method"),
                e.to_string(),
            )),
        }
    }
    if problems.len() > before {
        return None;
    }
    let consumer_key = obj
        .get("consumer_key")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match crate::migrate::connector_from_v2(&Value::Object(obj), None) {
        Ok(def) => Some((def, consumer_key)),
        Err(e) => {
            problems.push(Problem::new(prefix.trim_end_matches('.'), e));
            None
        }
    }
}

/// Reads an export file's text and checks all of it, without a database: the number of
/// connectors it holds, or every problem in [`Error::Import`] (as [`Store::import`] would list
/// them, but for name clashes with saved connectors).
pub fn check_export(text: &str, passphrase: Option<&Secret>) -> Result<usize> {
    let parsed = parse_export(text, passphrase)?;
    if !parsed.problems.is_empty() {
        return Err(Error::Import {
            problems: Problems(parsed.problems),
        });
    }
    Ok(parsed.items.len())
}

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
    let version = match root.get("version").and_then(Value::as_u64) {
        Some(v @ (1 | 2)) => v,
        Some(v) if v > FORMAT_VERSION => {
            return Err(fail(
                "version",
                format!(
                    "version {v} was written by a newer version of signet, which this one cannot read; update signet"
                ),
            ));
        }
        _ => {
            problems.push(Problem::new("version", "must be 1 or 2"));
            FORMAT_VERSION
        }
    };
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

    // Each entry: the definition, its instances (name, values), and for version 1 the consumer
    // key of its one instance.
    type Entry = (
        signet_connector::Connector,
        Vec<InstanceEntry>,
        Option<String>,
    );
    let mut parsed_entries: Vec<Option<Entry>> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(obj) = entry else {
            problems.push(Problem::new(
                format!("connectors[{i}]"),
                format!("must be an object, not {}", kind(entry)),
            ));
            parsed_entries.push(None);
            continue;
        };
        if version == 1 {
            let prefix = format!("connectors[{i}].");
            let parsed = parse_v1(obj, &prefix, &mut problems).map(|(def, key)| {
                problems.extend(definition_problems(&def, &prefix));
                (
                    def,
                    vec![InstanceEntry {
                        name: DEFAULT_INSTANCE.into(),
                        values: BTreeMap::new(),
                    }],
                    key,
                )
            });
            parsed_entries.push(parsed);
            continue;
        }
        for k in obj.keys() {
            if k != "definition" && k != "instances" {
                problems.push(Problem::new(
                    format!("connectors[{i}].{k}"),
                    "is not a field of a connector entry (definition, instances)",
                ));
            }
        }
        let def = match obj.get("definition") {
            Some(v) => match serde_json::from_value::<signet_connector::Connector>(v.clone()) {
                Ok(def) => Some(def),
                Err(e) => {
                    problems.push(Problem::new(
                        format!("connectors[{i}].definition"),
                        format!("is not a connector: {e}"),
                    ));
                    None
                }
            },
            None => {
                problems.push(Problem::new(
                    format!("connectors[{i}].definition"),
                    "is missing",
                ));
                None
            }
        };
        let instances = match obj.get("instances") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => match serde_json::from_value::<Vec<InstanceEntry>>(v.clone()) {
                Ok(list) => list,
                Err(e) => {
                    problems.push(Problem::new(
                        format!("connectors[{i}].instances"),
                        format!("is not a list of instances (name, values): {e}"),
                    ));
                    Vec::new()
                }
            },
        };
        if let Some(def) = &def {
            problems.extend(definition_problems(
                def,
                &format!("connectors[{i}].definition."),
            ));
        }
        let mut names = Vec::new();
        for (j, inst) in instances.iter().enumerate() {
            let key = inst.name.trim().to_lowercase();
            if inst.name.trim().is_empty() {
                problems.push(Problem::new(
                    format!("connectors[{i}].instances[{j}].name"),
                    "must not be empty",
                ));
            } else if names.contains(&key) {
                problems.push(Problem::new(
                    format!("connectors[{i}].instances[{j}].name"),
                    format!("{:?} names two instances", inst.name),
                ));
            }
            names.push(key);
        }
        parsed_entries.push(def.map(|d| {
            let instances = if instances.is_empty() {
                vec![InstanceEntry {
                    name: DEFAULT_INSTANCE.into(),
                    values: BTreeMap::new(),
                }]
            } else {
                instances
            };
            (d, instances, None)
        }));
    }
    for (i, e) in parsed_entries.iter().enumerate() {
        let Some((def, _, _)) = e else { continue };
        let key = keys::name_key(&def.details.name);
        if let Some(first) = parsed_entries[..i].iter().position(|o| {
            o.as_ref()
                .is_some_and(|(d, _, _)| keys::name_key(&d.details.name) == key)
        }) {
            problems.push(Problem::new(
                format!("connectors[{i}].name"),
                format!(
                    "{:?} is also the name of connectors[{first}]; names must be unique",
                    def.details.name
                ),
            ));
        }
    }

    // Secrets.
    let mut notes = Vec::new();
    let mut secrets: Option<Vec<SecretConnector>> = None;
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
            let aad = if version == 1 { SECRETS_AAD_V1 } else { SECRETS_AAD };
            match serde_json::from_value::<PassphraseBox>(value.clone()) {
                Err(e) => problems.push(Problem::new("secrets", format!("is not a secrets block: {e}"))),
                Ok(b) => match b.open(passphrase, aad) {
                    Err(BoxError::WrongPassphrase) => return Err(Error::WrongPassphrase),
                    Err(BoxError::Invalid(m)) => problems.push(Problem::new("secrets", m)),
                    Ok(plain) => match read_secrets(version, &plain) {
                        Ok(s) => secrets = Some(s),
                        Err(e) => problems.push(Problem::new(
                            "secrets",
                            format!("the decrypted secrets are not valid: {e}"),
                        )),
                    },
                },
            }
        }
    }

    let secrets_imported = secrets.is_some();
    let mut secrets = secrets.unwrap_or_default();
    let mut items = Vec::new();
    for (i, e) in parsed_entries.into_iter().enumerate() {
        let Some((definition, instances, v1_key)) = e else {
            continue;
        };
        let pos = secrets
            .iter()
            .position(|s| keys::name_key(&s.name) == keys::name_key(&definition.details.name));
        let mut secret = pos.map(|p| secrets.swap_remove(p));
        let mut news = Vec::new();
        for (j, inst) in instances.into_iter().enumerate() {
            let mut new = NewInstance {
                name: inst.name.clone(),
                values: inst.values,
                ..NewInstance::default()
            };
            let s = secret.as_mut().and_then(|s| {
                let p = s
                    .instances
                    .iter()
                    .position(|x| x.name.eq_ignore_ascii_case(inst.name.trim()))?;
                Some(s.instances.swap_remove(p))
            });
            if let Some(s) = s {
                let path = format!("connectors[{i}].instances[{j}]");
                new.secrets = s.values.into_iter().map(|(k, v)| (k, v.0)).collect();
                let consumer_key = s.consumer_key.or_else(|| v1_key.clone());
                match (consumer_key, s.client_secret_kind, s.client_secret) {
                    (Some(key), Some(kind), Some(secret)) => {
                        let client_secret = match kind {
                            ClientSecretKind::Shared => ClientSecret::Shared(secret),
                            ClientSecretKind::RsaPrivateKey => ClientSecret::RsaPrivateKey(secret),
                        };
                        problems.extend(crate::credentials::credential_problems_for(
                            &format!("{path}."),
                            &key,
                            &client_secret,
                            &definition,
                        ));
                        new.credentials = Some(Credentials {
                            consumer_key: key.trim().to_owned(),
                            client_secret,
                            token: s.token.map(|t| TokenCredentials {
                                token: t.token,
                                token_secret: t.token_secret,
                                extra: t.extra,
                                obtained_at: t.obtained_at,
                            }),
                        });
                    }
                    (None, None, None) => {}
                    (None, _, Some(_)) => problems.push(Problem::new(
                        format!("{path}.consumer_key"),
                        "is missing, but the secrets block has a consumer secret for this instance",
                    )),
                    _ => problems.push(Problem::new(
                        format!("{path}.client_secret"),
                        "the consumer key, the secret's kind and the secret come together",
                    )),
                }
            } else if v1_key.is_some() && secrets_imported {
                problems.push(Problem::new(
                    format!("connectors[{i}].consumer_key"),
                    "has no secret in the secrets block",
                ));
            }
            news.push(new);
        }
        if let Some(s) = secret {
            for left in s.instances {
                problems.push(Problem::new(
                    "secrets",
                    format!(
                        "holds secrets for the instance {:?} of {:?}, which the file does not have",
                        left.name, s.name
                    ),
                ));
            }
        }
        items.push(Item {
            index: i,
            definition,
            instances: news,
        });
    }
    for e in &secrets {
        problems.push(Problem::new(
            "secrets",
            format!(
                "holds secrets for {:?}, which is not among the connectors",
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

/// The decrypted secrets block, in the shape of `version`.
fn read_secrets(version: u64, plain: &[u8]) -> std::result::Result<Vec<SecretConnector>, String> {
    if version == 2 {
        #[derive(Deserialize)]
        struct Payload {
            connectors: Vec<SecretConnector>,
        }
        return serde_json::from_slice::<Payload>(plain)
            .map(|p| p.connectors)
            .map_err(|e| e.to_string());
    }
    // Version 1: one entry per connector, for its one instance.
    #[derive(Deserialize)]
    struct V1Entry {
        name: String,
        client_secret_kind: ClientSecretKind,
        client_secret: String,
        token: Option<TokenEntry>,
    }
    #[derive(Deserialize)]
    struct V1Payload {
        connectors: Vec<V1Entry>,
    }
    let p: V1Payload = serde_json::from_slice(plain).map_err(|e| e.to_string())?;
    Ok(p.connectors
        .into_iter()
        .map(|e| SecretConnector {
            name: e.name,
            instances: vec![SecretInstance {
                name: DEFAULT_INSTANCE.into(),
                consumer_key: None,
                client_secret_kind: Some(e.client_secret_kind),
                client_secret: Some(Secret::new(e.client_secret)),
                token: e.token,
                values: BTreeMap::new(),
            }],
        })
        .collect())
}
