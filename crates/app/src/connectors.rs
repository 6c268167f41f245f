//! Connectors and their instances as the builder edits them: list, new (blank or from a
//! preset), get, validate, lint, save, delete; instances; secrets revealed on request; tokens.

use std::collections::BTreeMap;

use signet_connector::{Builtins, ClientSecret, Installed, VariableKind};
use signet_oauth1::diagnose::{Lint, LintOptions, lint_config};
use signet_oauth1::flow::{FieldProblem, FlowMode, TokenCredentials};
use signet_oauth1::{ErrorKind, Secret, TokenResponse};
use signet_store::{
    ConnectorHead, Credentials, InstanceChanges, InstanceId, NewInstance, StoredConnector,
};

use crate::api::{
    ConnectorDocument, ConnectorSummary, ConnectorView, InstanceDraft, InstanceSummary,
    NewConnector, SecretRef, StoredSecrets, TokenInput, TokenSummary,
};
use crate::error::{AppError, Result};
use crate::{App, ids};

/// A secret the UI sent back as it was shown (`<redacted>`) means "not typed".
fn typed(s: &Option<Secret>) -> Option<&Secret> {
    s.as_ref()
        .filter(|s| !s.is_empty() && s.expose() != signet_oauth1::secret::REDACTED)
}

/// The blank instance of a new connector: its variables' defaults.
pub(crate) fn blank_instance(connector: &signet_connector::Connector) -> InstanceDraft {
    InstanceDraft {
        id: None,
        name: signet_store::DEFAULT_INSTANCE.into(),
        values: connector
            .variables
            .iter()
            .filter(|v| v.kind != VariableKind::Secret)
            .filter_map(|v| Some((v.name.clone(), v.default.clone()?)))
            .collect(),
        secrets: BTreeMap::new(),
        consumer_key: String::new(),
        consumer_secret: None,
        rsa_private_key_pem: None,
        token: None,
    }
}

impl App {
    fn stored_connector(&self, id: &str) -> Result<StoredConnector> {
        let cid = ids::connector(id)?;
        self.store()
            .connector(cid)?
            .ok_or_else(|| AppError::new(ErrorKind::NotFound, format!("no connector {id}")))
    }

    /// The instance `id` with its connector.
    pub(crate) fn instance_and_connector(
        &self,
        id: &str,
    ) -> Result<(signet_store::Instance, StoredConnector)> {
        let iid = ids::instance(id)?;
        let instance = self
            .store()
            .instance(iid)?
            .ok_or_else(|| AppError::new(ErrorKind::NotFound, format!("no instance {id}")))?;
        let connector = self
            .store()
            .connector(instance.connector_id)?
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::NotFound,
                    format!("no connector {}", instance.connector_id),
                )
            })?;
        Ok((instance, connector))
    }

    /// `connectors_list`: read from the connectors' heads, not their definitions.
    pub fn connectors_list(&self) -> Result<Vec<ConnectorSummary>> {
        let store = self.store();
        let mut out = Vec::new();
        for c in store.list_connector_heads()? {
            let instances = store.instances_of(c.id)?;
            let token = match instances.first() {
                Some(i) => self.token_summary(&c, i)?,
                None => None,
            };
            let ids: Vec<_> = instances.iter().map(|i| i.id).collect();
            let last_run = self
                .summaries(store.runs_page(&ids, None, None, 1)?.runs)?
                .into_iter()
                .next();
            out.push(ConnectorSummary {
                id: c.id.to_string(),
                instance_count: u32::try_from(instances.len()).unwrap_or(u32::MAX),
                updated_ms: ids::millis(c.updated_at),
                token,
                last_run,
                name: c.name,
                system: c.system,
                description: c.description,
                preset: c.preset,
                auth_types: c.auth_types,
                signature_method: c.signature_method,
                endpoint_count: c.endpoint_count,
                provider_host: c.provider_host,
            });
        }
        Ok(out)
    }

    /// `connector_new` and `preset_apply`: a connector not saved yet, blank or from a preset.
    pub fn connector_new(&self, preset: Option<&str>) -> Result<NewConnector> {
        let (connector, explanations) = match preset {
            None => (signet_connector::Connector::named(""), Vec::new()),
            Some(id) => {
                let p = self
                    .catalog()
                    .find(id)
                    .map_err(|e| AppError::new(e.kind(), e.to_string()))?;
                let applied = p.connector();
                (applied.connector, applied.explanations)
            }
        };
        Ok(NewConnector {
            document: ConnectorDocument {
                id: None,
                instance: blank_instance(&connector),
                connector,
            },
            explanations,
        })
    }

    /// `connector_get`: a saved connector with one of its instances.
    pub fn connector_get(&self, id: &str, instance: Option<&str>) -> Result<ConnectorView> {
        let c = self.stored_connector(id)?;
        self.view(&c, instance.map(ids::instance).transpose()?)
    }

    pub(crate) fn view(
        &self,
        c: &StoredConnector,
        instance: Option<InstanceId>,
    ) -> Result<ConnectorView> {
        let store = self.store();
        let instances = store.instances_of(c.id)?;
        let current = match instance {
            Some(iid) => instances.iter().find(|i| i.id == iid).ok_or_else(|| {
                AppError::new(
                    ErrorKind::NotFound,
                    format!("connector {} has no instance {iid}", c.name()),
                )
            })?,
            None => instances.first().ok_or_else(|| {
                AppError::new(
                    ErrorKind::NotFound,
                    format!("connector {} has no instance", c.name()),
                )
            })?,
        };
        let summary = store.credentials_summary(current.id)?;
        let pre_issued = c.definition.oauth1().is_some_and(|(_, _, o)| {
            o.mode == FlowMode::PreIssuedToken && !o.consumer_key_as_token
        });
        let head = ConnectorHead::of(c);
        let token = self.token_summary(&head, current)?;
        let stored = StoredSecrets {
            consumer_secret: summary
                .as_ref()
                .is_some_and(|s| s.client_secret_kind == signet_store::ClientSecretKind::Shared),
            rsa_private_key: summary.as_ref().is_some_and(|s| {
                s.client_secret_kind == signet_store::ClientSecretKind::RsaPrivateKey
            }),
            token_secret: summary.as_ref().is_some_and(|s| s.token.is_some()),
            variables: current.secret_names.clone(),
        };
        let mut summaries = Vec::new();
        for i in &instances {
            summaries.push(InstanceSummary {
                id: i.id.to_string(),
                name: i.name.clone(),
                token: self.token_summary(&head, i)?,
            });
        }
        Ok(ConnectorView {
            id: c.id.to_string(),
            document: ConnectorDocument {
                id: Some(c.id.to_string()),
                connector: c.definition.clone(),
                instance: InstanceDraft {
                    id: Some(current.id.to_string()),
                    name: current.name.clone(),
                    values: current.values.clone(),
                    secrets: BTreeMap::new(),
                    consumer_key: summary
                        .as_ref()
                        .map(|s| s.consumer_key.clone())
                        .unwrap_or_default(),
                    consumer_secret: None,
                    rsa_private_key_pem: None,
                    token: pre_issued
                        .then(|| {
                            token.as_ref().map(|t| TokenInput {
                                token: t.token.clone(),
                                secret: None,
                            })
                        })
                        .flatten(),
                },
            },
            instances: summaries,
            stored,
            token,
            created_ms: ids::millis(c.created_at),
            updated_ms: ids::millis(c.updated_at),
        })
    }

    /// The public part of an instance's token.
    pub(crate) fn token_summary(
        &self,
        c: &ConnectorHead,
        i: &signet_store::Instance,
    ) -> Result<Option<TokenSummary>> {
        let Some(summary) = self.store().credentials_summary(i.id)? else {
            return Ok(None);
        };
        Ok(summary.token.map(|t| TokenSummary {
            connector_id: c.id.to_string(),
            connector_name: c.name().to_owned(),
            instance_id: i.id.to_string(),
            instance_name: i.name.clone(),
            token: t.token,
            issued_ms: ids::millis(t.obtained_at),
            extra: t
                .extra
                .into_iter()
                .map(|(k, v)| {
                    if signet_connector::instance::is_sensitive_field(&k) {
                        (k, signet_oauth1::secret::REDACTED.to_owned())
                    } else {
                        (k, v)
                    }
                })
                .collect(),
        }))
    }

    /// What the document's instance holds: what it types in over what is stored.
    pub(crate) fn installed_of(&self, doc: &ConnectorDocument) -> Result<Installed> {
        let stored = match doc.instance.id.as_deref() {
            Some(id) => {
                let iid = ids::instance(id)?;
                match self.store().instance(iid)? {
                    // The stored secrets, when they can be read; validation goes on without.
                    Some(_) => self.store().installed(iid).ok(),
                    None => None,
                }
            }
            None => None,
        };
        let stored = stored.unwrap_or_default();
        let method = doc.connector.oauth1().map(|(_, _, o)| o.signature_method);
        let client_secret = match method {
            Some(m) if m.is_rsa() => typed(&doc.instance.rsa_private_key_pem)
                .map(|s| ClientSecret::RsaPrivateKey(s.clone()))
                .or(stored
                    .client_secret
                    .filter(|c| matches!(c, ClientSecret::RsaPrivateKey(_)))),
            Some(_) => typed(&doc.instance.consumer_secret)
                .map(|s| ClientSecret::Shared(s.clone()))
                .or(stored
                    .client_secret
                    .filter(|c| matches!(c, ClientSecret::Shared(_)))),
            None => None,
        };
        let mut secrets = stored.secrets;
        for (k, v) in &doc.instance.secrets {
            if v.is_empty() {
                secrets.remove(k);
            } else if v.expose() != signet_oauth1::secret::REDACTED {
                secrets.insert(k.clone(), v.clone());
            }
        }
        let token = match &doc.instance.token {
            Some(t) if !t.token.trim().is_empty() => Some(TokenCredentials {
                token: t.token.trim().to_owned(),
                secret: typed(&t.secret)
                    .cloned()
                    .or_else(|| stored.token.as_ref().map(|s| s.secret.clone()))
                    .unwrap_or_default(),
                extra: stored
                    .token
                    .as_ref()
                    .map(|s| s.extra.clone())
                    .unwrap_or_default(),
            }),
            _ => stored.token,
        };
        Ok(Installed {
            values: doc.instance.values.clone(),
            secrets,
            consumer_key: doc.instance.consumer_key.trim().to_owned(),
            client_secret,
            token,
        })
    }

    /// `connector_validate`: every problem with the definition and with the instance (values,
    /// consumer credentials, what the OAuth 1.0a method resolves to); empty when it can run.
    pub fn connector_validate(&self, doc: &ConnectorDocument) -> Result<Vec<FieldProblem>> {
        let mut problems = signet_connector::validate(&doc.connector);
        if !problems.is_empty() {
            return Ok(problems);
        }
        let installed = self.installed_of(doc)?;
        let builtins = signet_engine::nonce::builtins(self.clock().timestamp());
        let more = if doc.connector.oauth1().is_some() {
            signet_connector::resolve_flow(&doc.connector, &installed, builtins)
                .err()
                .unwrap_or_default()
        } else {
            signet_connector::resolve::scope(
                &doc.connector,
                None,
                &installed,
                &BTreeMap::new(),
                builtins,
                false,
            )
            .err()
            .unwrap_or_default()
        };
        for p in more {
            if !problems.contains(&p) {
                problems.push(p);
            }
        }
        Ok(problems)
    }

    /// `connector_lint`: what is likely to go wrong before Connect — the core's lints and the
    /// preset's when the connector came from one — named by the connector's fields. Nothing
    /// while the OAuth 1.0a method does not resolve yet (validation says why).
    pub fn connector_lint(&self, doc: &ConnectorDocument) -> Result<Vec<Lint>> {
        let Some((index, _, o)) = doc.connector.oauth1() else {
            return Ok(Vec::new());
        };
        let mut installed = self.installed_of(doc)?;
        // Lints never read the key material: stand-ins where none is typed yet.
        if installed.client_secret.is_none() {
            installed.client_secret = Some(if o.signature_method.is_rsa() {
                ClientSecret::RsaPrivateKey(Secret::new(signet_provider::demo::RSA_PRIVATE_KEY_PEM))
            } else {
                ClientSecret::Shared(Secret::new("lint"))
            });
        }
        if installed.consumer_key.is_empty() {
            installed.consumer_key = "lint".into();
        }
        if installed.token.is_none() && o.mode == FlowMode::PreIssuedToken {
            installed.token = Some(TokenCredentials {
                token: "lint".into(),
                secret: Secret::new("lint"),
                extra: Vec::new(),
            });
        }
        let builtins = signet_engine::nonce::builtins(self.clock().timestamp());
        let Ok(config) = signet_connector::flow_config(&doc.connector, &installed, builtins) else {
            return Ok(Vec::new());
        };
        let preset = doc
            .connector
            .details
            .preset
            .as_deref()
            .and_then(|id| self.catalog().get(id));
        let mut lints = match preset {
            Some(p) => p.lints(&config),
            None => lint_config(&config, &LintOptions::default()),
        };
        for l in &mut lints {
            l.field = signet_connector::resolve::flow_field(index, &l.field);
        }
        Ok(lints)
    }

    /// `connector_save`: creates (id null) or updates a connector and its instance. The
    /// definition must be sound; the instance may still be incomplete (validation says what is
    /// missing). Secrets left out keep what is stored.
    pub fn connector_save(&self, doc: ConnectorDocument) -> Result<ConnectorView> {
        let problems = signet_connector::validate(&doc.connector);
        if !problems.is_empty() {
            return Err(AppError::invalid(problems));
        }
        let store = self.store();
        let d = &doc.instance;
        let method = doc.connector.oauth1().map(|(_, _, o)| o.clone());
        let new_secret = match &method {
            Some(o) if o.signature_method.is_rsa() => {
                typed(&d.rsa_private_key_pem).map(|s| ClientSecret::RsaPrivateKey(s.clone()))
            }
            Some(_) => typed(&d.consumer_secret).map(|s| ClientSecret::Shared(s.clone())),
            None => None,
        };
        let token_typed = d
            .token
            .as_ref()
            .filter(|t| !t.token.trim().is_empty() && typed(&t.secret).is_some());
        let secrets: BTreeMap<String, Option<Secret>> = d
            .secrets
            .iter()
            .filter(|(_, v)| v.expose() != signet_oauth1::secret::REDACTED)
            .map(|(k, v)| (k.clone(), (!v.is_empty()).then(|| v.clone())))
            .collect();
        let key = d.consumer_key.trim();
        let (connector_id, instance_id) = match doc.id.as_deref() {
            None => {
                let credentials = match (&new_secret, key.is_empty()) {
                    (Some(secret), false) => Some(Credentials {
                        consumer_key: key.to_owned(),
                        client_secret: secret.clone(),
                        token: token_typed.map(|t| signet_store::TokenCredentials {
                            token: t.token.trim().to_owned(),
                            token_secret: t.secret.clone().unwrap_or_default(),
                            extra: Vec::new(),
                            obtained_at: signet_store::Timestamp::now(),
                        }),
                    }),
                    _ => None,
                };
                let (c, i) = store.create_connector(
                    doc.connector.clone(),
                    NewInstance {
                        name: d.name.clone(),
                        values: d.values.clone(),
                        secrets: secrets
                            .iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                            .collect(),
                        credentials,
                    },
                )?;
                (c.id, i.id)
            }
            Some(id) => {
                let cid = ids::connector(id)?;
                store.update_connector(cid, doc.connector.clone())?;
                let iid = match d.id.as_deref() {
                    Some(iid) => {
                        let iid = ids::instance(iid)?;
                        store.update_instance(
                            iid,
                            InstanceChanges {
                                name: Some(d.name.clone()),
                                values: Some(d.values.clone()),
                                secrets,
                            },
                        )?;
                        iid
                    }
                    None => {
                        store
                            .create_instance(
                                cid,
                                NewInstance {
                                    name: d.name.clone(),
                                    values: d.values.clone(),
                                    secrets: secrets
                                        .iter()
                                        .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                                        .collect(),
                                    credentials: None,
                                },
                            )?
                            .id
                    }
                };
                // Consumer credentials: what was typed, else the stored secret under a changed
                // key (the store drops a token that belonged to another key).
                let summary = store.credentials_summary(iid)?;
                let secret = match new_secret {
                    Some(s) => Some(s),
                    None if summary.as_ref().is_some_and(|s| s.consumer_key != key) => {
                        store.credentials(iid)?.map(|c| c.client_secret)
                    }
                    None => None,
                };
                if let (Some(secret), false) = (secret, key.is_empty()) {
                    store.set_client_credentials(iid, key, secret)?;
                }
                if let Some(t) = token_typed
                    && store.credentials_summary(iid)?.is_some()
                {
                    store.save_token(
                        iid,
                        &TokenResponse {
                            token: t.token.trim().to_owned(),
                            token_secret: t.secret.clone().unwrap_or_default(),
                            callback_confirmed: None,
                            extra: Vec::new(),
                        },
                        None,
                    )?;
                }
                (cid, iid)
            }
        };
        let c = store.connector(connector_id)?.ok_or_else(|| {
            AppError::new(ErrorKind::Internal, "the connector just saved is gone")
        })?;
        self.view(&c, Some(instance_id))
    }

    /// `connector_delete`.
    pub fn connector_delete(&self, id: &str) -> Result<()> {
        let cid = ids::connector(id)?;
        if !self.store().remove_connector(cid)? {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("no connector {id}"),
            ));
        }
        Ok(())
    }

    /// `instance_create`: another instance of a connector, optionally with another's values and
    /// consumer credentials (never its token).
    pub fn instance_create(
        &self,
        connector: &str,
        name: &str,
        copy_from: Option<&str>,
    ) -> Result<ConnectorView> {
        let c = self.stored_connector(connector)?;
        let mut new = NewInstance {
            name: name.to_owned(),
            ..NewInstance::default()
        };
        if let Some(from) = copy_from {
            let (source, source_connector) = self.instance_and_connector(from)?;
            if source_connector.id != c.id {
                return Err(AppError::new(
                    ErrorKind::NotFound,
                    format!("instance {from} belongs to another connector"),
                ));
            }
            new.values = source.values.clone();
            new.secrets = self.store().instance_secrets(source.id)?;
            new.credentials = self.store().credentials(source.id)?.map(|mut c| {
                c.token = None;
                c
            });
        }
        let i = self.store().create_instance(c.id, new)?;
        self.view(&c, Some(i.id))
    }

    /// `instance_delete`.
    pub fn instance_delete(&self, instance: &str) -> Result<()> {
        let iid = ids::instance(instance)?;
        if !self.store().remove_instance(iid)? {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("no instance {instance}"),
            ));
        }
        Ok(())
    }

    /// `secret_reveal`: a stored secret's value, on the user's explicit request.
    pub fn secret_reveal(&self, instance: &str, which: &SecretRef) -> Result<String> {
        let iid = ids::instance(instance)?;
        let missing = |what: &str| {
            AppError::new(
                ErrorKind::SecretNotStored,
                format!("this instance has no {what} stored"),
            )
        };
        if let SecretRef::Variable { name } = which {
            return self
                .store()
                .instance_secrets(iid)?
                .remove(name)
                .map(|s| s.expose().to_owned())
                .ok_or_else(|| missing(&format!("value for {{{{{name}}}}}")));
        }
        let creds = self.store().credentials(iid)?;
        let value = match (which, creds.as_ref().map(|c| &c.client_secret)) {
            (SecretRef::ConsumerSecret, Some(ClientSecret::Shared(s)))
            | (SecretRef::RsaPrivateKey, Some(ClientSecret::RsaPrivateKey(s))) => {
                Some(s.expose().to_owned())
            }
            (SecretRef::TokenSecret, _) => creds
                .as_ref()
                .and_then(|c| c.token.as_ref())
                .map(|t| t.token_secret.expose().to_owned()),
            _ => None,
        };
        value.ok_or_else(|| {
            missing(match which {
                SecretRef::ConsumerSecret => "consumer secret",
                SecretRef::RsaPrivateKey => "RSA private key",
                _ => "token secret",
            })
        })
    }

    /// `tokens_list`: every stored access token.
    pub fn tokens_list(&self) -> Result<Vec<TokenSummary>> {
        let mut out = Vec::new();
        for c in self.store().list_connector_heads()? {
            for i in self.store().instances_of(c.id)? {
                out.extend(self.token_summary(&c, &i)?);
            }
        }
        Ok(out)
    }

    /// `token_forget`.
    pub fn token_forget(&self, instance: &str) -> Result<()> {
        let iid = ids::instance(instance)?;
        self.store().clear_token(iid)?;
        Ok(())
    }

    /// Resolution inputs for a request now.
    pub(crate) fn builtins_now(&self) -> Builtins {
        signet_engine::nonce::builtins(self.clock().timestamp())
    }
}

impl App {
    /// `schema_taxonomy`: the tags a schema's fields can carry.
    pub fn schema_taxonomy(&self) -> Vec<signet_connector::schema::TagGroup> {
        signet_connector::schema::taxonomy()
    }

    /// `schema_export`: a schema as JSON Schema (draft 2020-12), pretty-printed.
    pub fn schema_export(
        &self,
        schema: &signet_connector::schema::Schema,
        title: &str,
    ) -> Result<String> {
        serde_json::to_string_pretty(&schema.to_json_schema(title)).map_err(|e| {
            AppError::new(
                signet_oauth1::ErrorKind::Invalid,
                format!("the schema cannot be written as JSON Schema: {e}"),
            )
        })
    }
}
