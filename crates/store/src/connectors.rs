//! Connectors: definitions (the model in `signet-connector`: details, variables, authentication
//! methods, endpoints), unique by name. What an installation supplies — variable values,
//! consumer credentials, tokens, runs — belongs to its instances (`crate::instances`).

use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use crate::error::{Error, Problem, Problems, Result};
use crate::instances::{Instance, NewInstance};
use crate::keys::{self, ConnectorId, InstanceId};
use crate::schema;
use crate::store::Store;
use crate::time::Timestamp;

pub use signet_connector::validate::MAX_NAME_LEN;

/// A saved connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredConnector {
    /// Stable id.
    pub id: ConnectorId,
    /// The definition.
    pub definition: signet_connector::Connector,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

impl StoredConnector {
    /// Its name.
    pub fn name(&self) -> &str {
        &self.definition.details.name
    }
}

/// What a list of connectors shows of one, kept beside it (in the same transaction) so that
/// listing hundreds of connectors reads a few hundred bytes each, not their whole definitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorHead {
    /// Its id.
    pub id: ConnectorId,
    /// Its name.
    pub name: String,
    /// The system it connects to.
    pub system: String,
    /// What it is for.
    pub description: String,
    /// The preset it was made from, if any.
    pub preset: Option<String>,
    /// Its authentication methods' kinds (`oauth1`, `api_key`, `basic`, `none`), in order.
    pub auth_types: Vec<String>,
    /// Its OAuth 1.0a method's signature method, when it has one.
    pub signature_method: Option<signet_oauth1::SignatureMethod>,
    /// How many endpoints it has.
    pub endpoint_count: u32,
    /// The provider's host: its request-token address's, else its first endpoint's with one.
    pub provider_host: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

impl ConnectorHead {
    /// The head of a stored connector.
    pub fn of(c: &StoredConnector) -> Self {
        let d = &c.definition;
        let oauth1 = d.oauth1().map(|(_, _, o)| o);
        Self {
            id: c.id,
            name: d.details.name.clone(),
            system: d.details.system.clone(),
            description: d.details.description.clone(),
            preset: d.details.preset.clone(),
            auth_types: d
                .auth_methods
                .iter()
                .map(|m| m.kind.type_name().to_owned())
                .collect(),
            signature_method: oauth1.map(|o| o.signature_method),
            endpoint_count: u32::try_from(d.endpoints.len()).unwrap_or(u32::MAX),
            provider_host: oauth1
                .and_then(|o| host_of(&o.request_token.url))
                .or_else(|| d.endpoints.iter().find_map(|e| host_of(&e.url)))
                .unwrap_or_default(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        schema::encode(HEAD_VERSION, self)
    }
}

/// The version of a [`ConnectorHead`] record: a head that does not read is made again from its
/// connector.
const HEAD_VERSION: u8 = 1;

/// An address's host, unless it has none or it is still a `{{variable}}`.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains("{{")).then(|| host.to_owned())
}

/// Every problem with a definition, as the store reports them (`connectors[2].` before each
/// field when `prefix` says so).
pub fn definition_problems(def: &signet_connector::Connector, prefix: &str) -> Vec<Problem> {
    signet_connector::validate(def)
        .into_iter()
        .map(|p| Problem::new(format!("{prefix}{}", p.field), p.message))
        .collect()
}

fn validate(def: &signet_connector::Connector) -> Result<()> {
    let problems = definition_problems(def, "");
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid {
            what: "connector",
            problems: Problems(problems),
        })
    }
}

pub(crate) fn decode_connector(key: &[u8], bytes: &[u8]) -> Result<StoredConnector> {
    schema::decode(
        "connector",
        || ConnectorId::from_key(key).map_or_else(|| format!("{key:?}"), |id| id.to_string()),
        bytes,
        schema::CONNECTOR_VERSION,
        schema::upgrade_connector,
    )
}

impl Store {
    /// Saves a new connector with its first instance, in one transaction; its name must be
    /// unused.
    pub fn create_connector(
        &self,
        definition: signet_connector::Connector,
        instance: NewInstance,
    ) -> Result<(StoredConnector, Instance)> {
        self.create_connector_at(definition, instance, Timestamp::now())
    }

    /// [`Store::create_connector`] with the creation time given.
    pub fn create_connector_at(
        &self,
        definition: signet_connector::Connector,
        instance: NewInstance,
        now: Timestamp,
    ) -> Result<(StoredConnector, Instance)> {
        validate(&definition)?;
        let id = ConnectorId(self.db.generate_id().map_err(|e| self.sled_err(e))?);
        let instance_id = InstanceId(self.db.generate_id().map_err(|e| self.sled_err(e))?);
        let connector = StoredConnector {
            id,
            definition,
            created_at: now,
            updated_at: now,
        };
        let instance = self.prepare_instance(&connector, instance_id, instance, now)?;
        let bytes = schema::encode(schema::CONNECTOR_VERSION, &connector);
        let head = ConnectorHead::of(&connector).encode();
        let instance_bytes = schema::encode(schema::INSTANCE_VERSION, &instance.record);
        let name_key = keys::name_key(connector.name());
        let index_key = keys::instance_index_key(id, instance_id);
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
                    if names.get(&name_key)?.is_some() {
                        return Err(ConflictableTransactionError::Abort(Error::DuplicateName(
                            connector.name().trim().to_owned(),
                        )));
                    }
                    names.insert(name_key.as_slice(), &id.to_key())?;
                    connectors.insert(&id.to_key(), bytes.as_slice())?;
                    heads.insert(&id.to_key(), head.as_slice())?;
                    instances.insert(&instance_id.to_key(), instance_bytes.as_slice())?;
                    index.insert(&index_key, &[])?;
                    if let Some(c) = &instance.credentials {
                        credentials.insert(&instance_id.to_key(), c.as_slice())?;
                    }
                    Ok(())
                },
            )
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        let instance = self
            .instance(instance_id)?
            .ok_or_else(|| crate::instances::not_found(instance_id))?;
        Ok((connector, instance))
    }

    /// Replaces a connector's definition (renaming it if the name changed). Its instances,
    /// credentials and runs stay.
    pub fn update_connector(
        &self,
        id: ConnectorId,
        definition: signet_connector::Connector,
    ) -> Result<StoredConnector> {
        validate(&definition)?;
        let old = self.connector(id)?.ok_or_else(|| not_found(id))?;
        let connector = StoredConnector {
            id,
            definition,
            created_at: old.created_at,
            updated_at: Timestamp::now().max(old.updated_at),
        };
        let bytes = schema::encode(schema::CONNECTOR_VERSION, &connector);
        let head = ConnectorHead::of(&connector).encode();
        let old_name = keys::name_key(old.name());
        let new_name = keys::name_key(connector.name());
        (&self.connectors, &self.names, &self.connector_heads)
            .transaction(|(connectors, names, heads)| {
                if connectors.get(id.to_key())?.is_none() {
                    return Err(ConflictableTransactionError::Abort(not_found(id)));
                }
                if new_name != old_name {
                    if names.get(&new_name)?.is_some() {
                        return Err(ConflictableTransactionError::Abort(Error::DuplicateName(
                            connector.name().trim().to_owned(),
                        )));
                    }
                    names.remove(old_name.as_slice())?;
                    names.insert(new_name.as_slice(), &id.to_key())?;
                }
                connectors.insert(&id.to_key(), bytes.as_slice())?;
                heads.insert(&id.to_key(), head.as_slice())?;
                Ok(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        Ok(connector)
    }

    /// A connector by id.
    pub fn connector(&self, id: ConnectorId) -> Result<Option<StoredConnector>> {
        let key = id.to_key();
        match self.connectors.get(key).map_err(|e| self.sled_err(e))? {
            Some(v) => decode_connector(&key, &v).map(Some),
            None => Ok(None),
        }
    }

    /// A connector by name (case-insensitive, surrounding spaces ignored).
    pub fn connector_by_name(&self, name: &str) -> Result<Option<StoredConnector>> {
        match self
            .names
            .get(keys::name_key(name))
            .map_err(|e| self.sled_err(e))?
        {
            Some(id) => match ConnectorId::from_key(&id) {
                Some(id) => self.connector(id),
                None => Ok(None),
            },
            None => Ok(None),
        }
    }

    /// Every connector, sorted by name. Damaged records are left out (and left alone);
    /// [`Store::verify`] names them.
    pub fn list_connectors(&self) -> Result<Vec<StoredConnector>> {
        let mut out = Vec::with_capacity(self.connectors.len());
        for item in self.connectors.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if let Ok(c) = decode_connector(&k, &v) {
                out.push(c);
            }
        }
        out.sort_by_cached_key(|c| (c.name().to_lowercase(), c.id));
        Ok(out)
    }

    /// What the list of connectors shows of each, by name: read from their heads, never from
    /// their definitions (a head that does not read is made again from its connector).
    pub fn list_connector_heads(&self) -> Result<Vec<ConnectorHead>> {
        let mut out = Vec::new();
        for item in self.connector_heads.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let head = schema::decode(
                "connector head",
                || format!("{k:?}"),
                &v,
                HEAD_VERSION,
                |_, _| Err("no older version".into()),
            );
            match head {
                Ok(h) => out.push(h),
                Err(_) => {
                    if let Some(c) =
                        ConnectorId::from_key(&k).and_then(|id| self.connector(id).ok().flatten())
                    {
                        out.push(ConnectorHead::of(&c));
                    }
                }
            }
        }
        out.sort_by_cached_key(|c| (c.name.to_lowercase(), c.id));
        Ok(out)
    }

    /// One connector's head (see [`Store::list_connector_heads`]).
    pub fn connector_head(&self, id: ConnectorId) -> Result<Option<ConnectorHead>> {
        if let Some(v) = self
            .connector_heads
            .get(id.to_key())
            .map_err(|e| self.sled_err(e))?
            && let Ok(h) = schema::decode(
                "connector head",
                || id.to_string(),
                &v,
                HEAD_VERSION,
                |_, _| Err("no older version".into()),
            )
        {
            return Ok(Some(h));
        }
        Ok(self.connector(id)?.as_ref().map(ConnectorHead::of))
    }

    /// Makes every connector's head from its definition, once: a database written before the
    /// heads were kept (or just migrated) gets them on its first open.
    pub(crate) fn make_heads_once(&self) -> Result<()> {
        if self.marked(keys::META_CONNECTOR_HEADS)? {
            return Ok(());
        }
        let mut heads = Vec::new();
        for item in self.connectors.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if let Ok(c) = decode_connector(&k, &v) {
                heads.push((k, ConnectorHead::of(&c).encode()));
            }
        }
        // Until the marker is written, a stop here only means making them again next time.
        self.connector_heads.clear().map_err(|e| self.sled_err(e))?;
        (&self.connector_heads, &self.meta)
            .transaction(|(tree, meta)| {
                for (k, h) in &heads {
                    tree.insert(k, h.as_slice())?;
                }
                meta.insert(keys::META_CONNECTOR_HEADS, &[1u8])?;
                Ok::<_, ConflictableTransactionError<Error>>(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()
    }

    /// How many connectors are saved.
    pub fn connector_count(&self) -> usize {
        self.connectors.len()
    }

    /// Removes a connector with its instances, their credentials, tokens and run history, in
    /// one transaction. Returns whether it existed.
    pub fn remove_connector(&self, id: ConnectorId) -> Result<bool> {
        let Some(old) = self.connector(id)? else {
            return Ok(false);
        };
        let instances: Vec<InstanceId> = self.instances_of(id)?.into_iter().map(|i| i.id).collect();
        let mut run_keys: Vec<sled::IVec> = Vec::new();
        for i in &instances {
            run_keys.extend(
                self.runs
                    .scan_prefix(i.to_key())
                    .keys()
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| self.sled_err(e))?,
            );
        }
        let name = keys::name_key(old.name());
        (
            &self.connectors,
            &self.names,
            &self.instances,
            &self.instance_index,
            &self.credentials,
            &self.runs,
            &self.run_counts,
            &self.connector_heads,
            &self.run_heads,
        )
            .transaction(
                |(connectors, names, inst, index, credentials, runs, counts, heads, run_heads)| {
                    connectors.remove(&id.to_key())?;
                    heads.remove(&id.to_key())?;
                    names.remove(name.as_slice())?;
                    for i in &instances {
                        inst.remove(&i.to_key())?;
                        index.remove(&keys::instance_index_key(id, *i))?;
                        credentials.remove(&i.to_key())?;
                        counts.remove(&i.to_key())?;
                    }
                    for k in &run_keys {
                        runs.remove(k)?;
                        run_heads.remove(k)?;
                    }
                    Ok::<_, ConflictableTransactionError<Error>>(())
                },
            )
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        Ok(true)
    }

    /// Scans every tree and returns a message for each record that cannot be read.
    pub fn verify(&self) -> Result<Vec<Error>> {
        let mut out = Vec::new();
        for item in self.connectors.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if let Err(e) = decode_connector(&k, &v) {
                out.push(e);
            }
        }
        for item in self.instances.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if let Err(e) = crate::instances::decode_instance(&k, &v) {
                out.push(e);
            }
        }
        for item in self.credentials.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if let Err(e) = crate::credentials::decode_record(&k, &v) {
                out.push(e);
            }
        }
        for item in self.runs.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if let Err(e) = crate::runs::decode_run(&k, &v) {
                out.push(e);
            }
        }
        Ok(out)
    }
}

pub(crate) fn not_found(id: ConnectorId) -> Error {
    Error::NotFound {
        what: "connector",
        name: format!("with id {id}"),
    }
}
