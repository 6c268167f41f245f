//! Instances: a connector installed with the values of its variables (secret ones sealed under
//! the data key), its consumer credentials and token (`crate::credentials`) and its runs
//! (`crate::runs`), all keyed by the instance's id. One NetSuite connector, two instances:
//! sandbox and production.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use signet_connector::VariableKind;
use signet_oauth1::Secret;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use crate::connectors::StoredConnector;
use crate::credentials::Credentials;
use crate::crypto::Sealed;
use crate::error::{Error, Problem, Problems, Result};
use crate::keys::{self, ConnectorId, InstanceId};
use crate::schema;
use crate::store::Store;
use crate::time::Timestamp;

/// The name the first instance of a connector gets.
pub const DEFAULT_INSTANCE: &str = "Default";

/// An instance as stored, secret values left sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InstanceRecord {
    pub(crate) id: InstanceId,
    pub(crate) connector_id: ConnectorId,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) values: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) secrets: BTreeMap<String, Sealed>,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
}

/// An instance: what can be shown without decrypting anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instance {
    /// Stable id.
    pub id: InstanceId,
    /// The connector it installs.
    pub connector_id: ConnectorId,
    /// Unique among the connector's instances ("Default", "Sandbox").
    pub name: String,
    /// The values of the connector's variables that are not secret.
    pub values: BTreeMap<String, String>,
    /// The names of the secret variables that have a value stored.
    pub secret_names: Vec<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// A new instance.
#[derive(Debug, Clone, Default)]
pub struct NewInstance {
    /// Its name; empty means [`DEFAULT_INSTANCE`].
    pub name: String,
    /// Values of the variables that are not secret.
    pub values: BTreeMap<String, String>,
    /// Values of the secret variables.
    pub secrets: BTreeMap<String, Secret>,
    /// Consumer credentials (and a token), for a connector with an OAuth 1.0a method.
    pub credentials: Option<Credentials>,
}

/// Changes to an instance; `None` keeps what is stored.
#[derive(Debug, Clone, Default)]
pub struct InstanceChanges {
    /// A new name.
    pub name: Option<String>,
    /// New values of the variables that are not secret (all of them).
    pub values: Option<BTreeMap<String, String>>,
    /// Secret values to set (`Some`) or remove (`None`); secrets not named stay.
    pub secrets: BTreeMap<String, Option<Secret>>,
}

impl InstanceRecord {
    fn public(&self) -> Instance {
        Instance {
            id: self.id,
            connector_id: self.connector_id,
            name: self.name.clone(),
            values: self.values.clone(),
            secret_names: self.secrets.keys().cloned().collect(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

pub(crate) fn decode_instance(key: &[u8], bytes: &[u8]) -> Result<InstanceRecord> {
    schema::decode(
        "instance",
        || InstanceId::from_key(key).map_or_else(|| format!("{key:?}"), |id| id.to_string()),
        bytes,
        schema::INSTANCE_VERSION,
        schema::no_upgrade,
    )
}

pub(crate) fn not_found(id: InstanceId) -> Error {
    Error::NotFound {
        what: "instance",
        name: format!("with id {id}"),
    }
}

fn secret_field(name: &str) -> String {
    format!("variable/{name}")
}

/// What goes in the trees for a new instance.
pub(crate) struct PreparedInstance {
    pub(crate) record: InstanceRecord,
    pub(crate) credentials: Option<Vec<u8>>,
}

fn check_name(name: &str, problems: &mut Vec<Problem>) {
    let name = name.trim();
    if name.is_empty() {
        problems.push(Problem::new("instance.name", "must not be empty"));
    } else if name.chars().count() > 100 {
        problems.push(Problem::new(
            "instance.name",
            "must be at most 100 characters",
        ));
    } else if name.chars().any(char::is_control) {
        problems.push(Problem::new(
            "instance.name",
            "must not contain control characters",
        ));
    }
}

/// Secret variables' values belong in the secrets, never among the plain values.
fn check_values(
    connector: &StoredConnector,
    values: &BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) {
    for name in values.keys() {
        if connector
            .definition
            .variables
            .iter()
            .any(|v| &v.name == name && v.kind == VariableKind::Secret)
        {
            problems.push(Problem::new(
                format!("values.{name}"),
                "is a secret variable: its value is stored encrypted, not as plain text",
            ));
        }
    }
}

impl Store {
    pub(crate) fn prepare_instance(
        &self,
        connector: &StoredConnector,
        id: InstanceId,
        new: NewInstance,
        now: Timestamp,
    ) -> Result<PreparedInstance> {
        let name = if new.name.trim().is_empty() {
            DEFAULT_INSTANCE.to_owned()
        } else {
            new.name.trim().to_owned()
        };
        let mut problems = Vec::new();
        check_name(&name, &mut problems);
        check_values(connector, &new.values, &mut problems);
        if let Some(c) = &new.credentials {
            problems.extend(crate::credentials::credential_problems_for(
                "",
                &c.consumer_key,
                &c.client_secret,
                &connector.definition,
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid {
                what: "instance",
                problems: Problems(problems),
            });
        }
        let mut secrets = BTreeMap::new();
        if !new.secrets.is_empty() {
            let key = self.data_key()?;
            for (n, v) in &new.secrets {
                secrets.insert(
                    n.clone(),
                    key.seal(
                        v.expose().as_bytes(),
                        &keys::secret_aad(id, &secret_field(n)),
                    )?,
                );
            }
        }
        let credentials = match &new.credentials {
            Some(c) => Some(schema::encode(
                schema::CREDENTIALS_VERSION,
                &self.seal_credentials(id, c)?,
            )),
            None => None,
        };
        Ok(PreparedInstance {
            record: InstanceRecord {
                id,
                connector_id: connector.id,
                name,
                values: new.values,
                secrets,
                created_at: now,
                updated_at: now,
            },
            credentials,
        })
    }

    /// Adds an instance to a connector; its name must be unused among the connector's.
    pub fn create_instance(&self, connector_id: ConnectorId, new: NewInstance) -> Result<Instance> {
        let connector = self
            .connector(connector_id)?
            .ok_or_else(|| crate::connectors::not_found(connector_id))?;
        let id = InstanceId(self.db.generate_id().map_err(|e| self.sled_err(e))?);
        let prepared = self.prepare_instance(&connector, id, new, Timestamp::now())?;
        if self
            .instances_of(connector_id)?
            .iter()
            .any(|i| i.name.eq_ignore_ascii_case(&prepared.record.name))
        {
            return Err(Error::DuplicateName(prepared.record.name));
        }
        let bytes = schema::encode(schema::INSTANCE_VERSION, &prepared.record);
        let index_key = keys::instance_index_key(connector_id, id);
        (&self.instances, &self.instance_index, &self.credentials)
            .transaction(|(instances, index, credentials)| {
                instances.insert(&id.to_key(), bytes.as_slice())?;
                index.insert(&index_key, &[])?;
                if let Some(c) = &prepared.credentials {
                    credentials.insert(&id.to_key(), c.as_slice())?;
                }
                Ok::<_, ConflictableTransactionError<Error>>(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        Ok(prepared.record.public())
    }

    fn instance_record(&self, id: InstanceId) -> Result<Option<InstanceRecord>> {
        match self
            .instances
            .get(id.to_key())
            .map_err(|e| self.sled_err(e))?
        {
            Some(v) => decode_instance(&id.to_key(), &v).map(Some),
            None => Ok(None),
        }
    }

    /// An instance.
    pub fn instance(&self, id: InstanceId) -> Result<Option<Instance>> {
        Ok(self.instance_record(id)?.map(|r| r.public()))
    }

    /// A connector's instances, oldest first. Damaged records are left out.
    pub fn instances_of(&self, connector_id: ConnectorId) -> Result<Vec<Instance>> {
        let mut out = Vec::new();
        for item in self.instance_index.scan_prefix(connector_id.to_key()) {
            let (k, _) = item.map_err(|e| self.sled_err(e))?;
            let Some(id) = k.get(8..16).and_then(InstanceId::from_key) else {
                continue;
            };
            if let Ok(Some(r)) = self.instance_record(id) {
                out.push(r.public());
            }
        }
        out.sort_by_key(|i| (i.created_at, i.id));
        Ok(out)
    }

    /// Changes an instance's name, values or secrets.
    pub fn update_instance(&self, id: InstanceId, changes: InstanceChanges) -> Result<Instance> {
        let mut record = self.instance_record(id)?.ok_or_else(|| not_found(id))?;
        let connector = self
            .connector(record.connector_id)?
            .ok_or_else(|| crate::connectors::not_found(record.connector_id))?;
        let mut problems = Vec::new();
        if let Some(name) = &changes.name {
            check_name(name, &mut problems);
            let taken = self
                .instances_of(record.connector_id)?
                .iter()
                .any(|i| i.id != id && i.name.eq_ignore_ascii_case(name.trim()));
            if taken {
                return Err(Error::DuplicateName(name.trim().to_owned()));
            }
            record.name = name.trim().to_owned();
        }
        if let Some(values) = changes.values {
            check_values(&connector, &values, &mut problems);
            record.values = values;
        }
        if !problems.is_empty() {
            return Err(Error::Invalid {
                what: "instance",
                problems: Problems(problems),
            });
        }
        for (n, v) in &changes.secrets {
            match v {
                Some(v) => {
                    let key = self.data_key()?;
                    record.secrets.insert(
                        n.clone(),
                        key.seal(
                            v.expose().as_bytes(),
                            &keys::secret_aad(id, &secret_field(n)),
                        )?,
                    );
                }
                None => {
                    record.secrets.remove(n);
                }
            }
        }
        record.updated_at = Timestamp::now().max(record.updated_at);
        self.instances
            .insert(
                id.to_key(),
                schema::encode(schema::INSTANCE_VERSION, &record),
            )
            .map_err(|e| self.sled_err(e))?;
        self.flush()?;
        Ok(record.public())
    }

    /// The values of an instance's secret variables, decrypted.
    pub fn instance_secrets(&self, id: InstanceId) -> Result<BTreeMap<String, Secret>> {
        let record = self.instance_record(id)?.ok_or_else(|| not_found(id))?;
        let mut out = BTreeMap::new();
        if record.secrets.is_empty() {
            return Ok(out);
        }
        let key = self.data_key()?;
        for (n, sealed) in &record.secrets {
            let bytes = key
                .open(sealed, &keys::secret_aad(id, &secret_field(n)))
                .map_err(|e| self.unreadable(e))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Error::SecretsUnreadable("a stored secret is not text".into()))?;
            out.insert(n.clone(), Secret::new(text));
        }
        Ok(out)
    }

    /// Everything an instance holds, secrets decrypted, as resolving needs it.
    pub fn installed(&self, id: InstanceId) -> Result<signet_connector::Installed> {
        let record = self.instance_record(id)?.ok_or_else(|| not_found(id))?;
        let secrets = self.instance_secrets(id)?;
        let creds = self.credentials(id)?;
        Ok(signet_connector::Installed {
            values: record.values,
            secrets,
            consumer_key: creds
                .as_ref()
                .map(|c| c.consumer_key.clone())
                .unwrap_or_default(),
            client_secret: creds.as_ref().map(|c| c.client_secret.clone()),
            token: creds
                .and_then(|c| c.token)
                .map(|t| signet_oauth1::flow::TokenCredentials {
                    token: t.token,
                    secret: t.token_secret,
                    extra: t.extra,
                }),
        })
    }

    /// Removes an instance with its credentials, token and runs. A connector keeps at least one
    /// instance. Returns whether it existed.
    pub fn remove_instance(&self, id: InstanceId) -> Result<bool> {
        let Some(record) = self.instance_record(id)? else {
            return Ok(false);
        };
        if self.instances_of(record.connector_id)?.len() <= 1 {
            return Err(Error::Invalid {
                what: "instance",
                problems: Problems(vec![Problem::new(
                    "instance",
                    "is the connector's only instance: a connector keeps at least one (remove the connector instead)",
                )]),
            });
        }
        let run_keys: Vec<sled::IVec> = self
            .runs
            .scan_prefix(id.to_key())
            .keys()
            .collect::<Result<_, _>>()
            .map_err(|e| self.sled_err(e))?;
        let index_key = keys::instance_index_key(record.connector_id, id);
        (
            &self.instances,
            &self.instance_index,
            &self.credentials,
            &self.runs,
            &self.run_counts,
            &self.run_heads,
        )
            .transaction(|(instances, index, credentials, runs, counts, heads)| {
                instances.remove(&id.to_key())?;
                counts.remove(&id.to_key())?;
                index.remove(&index_key)?;
                credentials.remove(&id.to_key())?;
                for k in &run_keys {
                    runs.remove(k)?;
                    heads.remove(k)?;
                }
                Ok::<_, ConflictableTransactionError<Error>>(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        Ok(true)
    }
}
