//! Connectors in and out as Postman collections (`signet_interchange::postman`): an imported
//! collection becomes a saved connector with its instance (secrets encrypted like any typed
//! in) and the import's report; a connector goes out as a v2.1 collection, its secrets left as
//! `{{variables}}` unless the user asks for them.

use serde::{Deserialize, Serialize};
use signet_connector::ClientSecret;
use signet_interchange::postman::{self, ExportOptions, InstanceValues};
use signet_oauth1::ErrorKind;
use signet_oauth1::flow::FieldProblem;
use ts_rs::TS;

use crate::api::{ConnectorDocument, ConnectorView, InstanceDraft, PostmanFile, TokenInput};
use crate::error::{AppError, Result};
use crate::reports::{SavedReport, save_new};
use crate::{App, ids};

pub use signet_interchange::postman::{ImportNote, NoteKind};

/// Result of `postman_import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PostmanImported {
    /// The connector saved.
    pub view: ConnectorView,
    /// Every choice the import made: what Signet does differently, what it left out, the
    /// scripts kept as text.
    pub notes: Vec<ImportNote>,
}

impl App {
    /// `postman_import`: reads a Postman collection (v2.0 or v2.1), with an environment whose
    /// values win, and saves it as a new connector (its name made unique) with one instance.
    /// A file that cannot be imported changes nothing; every problem is named where it is.
    pub fn postman_import(
        &self,
        collection: &str,
        environment: Option<&str>,
    ) -> Result<PostmanImported> {
        let imported = postman::import(collection, environment).map_err(|e| {
            let first = e.problems.first().map(|(p, m)| {
                if p.is_empty() {
                    m.clone()
                } else {
                    format!("{p}: {m}")
                }
            });
            let mut err = AppError::new(
                ErrorKind::InvalidInputs,
                format!(
                    "the Postman file cannot be imported: {}",
                    first.unwrap_or_default()
                ),
            )
            .hint("nothing was changed; fix the file (or export it again from Postman as Collection v2.1) and import it again");
            err.0.fields = e
                .problems
                .into_iter()
                .map(|(field, message)| FieldProblem { field, message })
                .collect();
            err
        })?;
        let mut connector = imported.connector;
        connector.details.name = self.free_name(&connector.details.name)?;
        let i = imported.instance;
        let doc = ConnectorDocument {
            id: None,
            connector,
            instance: InstanceDraft {
                id: None,
                name: "Default".into(),
                values: i.values,
                secrets: i.secrets,
                consumer_key: i.consumer_key,
                consumer_secret: i.consumer_secret,
                rsa_private_key_pem: i.rsa_private_key_pem,
                token: i.token.map(|(token, secret)| TokenInput {
                    token,
                    secret: Some(secret),
                }),
            },
        };
        let view = self.connector_save(doc)?;
        Ok(PostmanImported {
            view,
            notes: imported.notes,
        })
    }

    /// `postman_import` of files chosen or dropped in the app: one collection and at most one
    /// environment, told apart by their content (an environment has `values` and no `item`).
    pub fn postman_import_files(&self, files: &[PostmanFile]) -> Result<PostmanImported> {
        let is_environment = |text: &str| {
            serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| {
                v.get("values").is_some_and(serde_json::Value::is_array)
                    && v.get("item").is_none()
                    && v.get("info").is_none()
            })
        };
        let (environments, collections): (Vec<&PostmanFile>, Vec<&PostmanFile>) =
            files.iter().partition(|f| is_environment(&f.text));
        let refuse = |message: String, hint: &str| {
            Err(AppError::new(ErrorKind::InvalidInputs, message).hint(hint))
        };
        let collection = match collections.as_slice() {
            [one] => *one,
            [] if environments.is_empty() => {
                return refuse(
                    "no file was given".into(),
                    "choose a Postman collection (a .json file exported from Postman)",
                );
            }
            [] => {
                return refuse(
                    format!(
                        "{:?} is a Postman environment, not a collection",
                        environments[0].name
                    ),
                    "choose the collection too (both files at once): the environment only gives its variables values",
                );
            }
            many => {
                return refuse(
                    format!(
                        "{} collections were given ({}); Signet imports one at a time",
                        many.len(),
                        many.iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "import them one after the other",
                );
            }
        };
        if environments.len() > 1 {
            return refuse(
                "more than one environment was given".into(),
                "choose the collection and the one environment whose values it should use",
            );
        }
        self.postman_import(
            &collection.text,
            environments.first().map(|e| e.text.as_str()),
        )
    }

    /// `name`, or `name (2)`, `name (3)`... whichever no saved connector has.
    fn free_name(&self, name: &str) -> Result<String> {
        let taken: Vec<String> = self
            .store()
            .list_connector_heads()?
            .into_iter()
            .map(|c| c.name)
            .collect();
        let mut candidate = name.to_owned();
        let mut n = 2;
        while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
            candidate = format!("{name} ({n})");
            n += 1;
        }
        Ok(candidate)
    }

    /// A connector (with an instance's values; its first when `instance` is `None`) as a
    /// Postman v2.1 collection, as JSON text. Secrets only with `include_secrets`.
    pub fn postman_collection(
        &self,
        connector: &str,
        instance: Option<&str>,
        include_secrets: bool,
    ) -> Result<(String, String)> {
        let view = self.connector_get(connector, instance)?;
        let instance_id = view.document.instance.id.clone().ok_or_else(|| {
            AppError::new(ErrorKind::InvalidInputs, "the connector has no instance")
        })?;
        let installed = self.store().installed(ids::instance(&instance_id)?)?;
        let (consumer_secret, rsa) = match installed.client_secret {
            Some(ClientSecret::Shared(s)) => (Some(s), None),
            Some(ClientSecret::RsaPrivateKey(k)) => (None, Some(k)),
            None => (None, None),
        };
        let exported = InstanceValues {
            values: installed.values,
            secrets: if include_secrets {
                installed.secrets
            } else {
                Default::default()
            },
            consumer_key: installed.consumer_key,
            consumer_secret,
            rsa_private_key_pem: rsa,
            token: installed.token.map(|t| (t.token, t.secret)),
        };
        let doc = postman::export(
            &view.document.connector,
            &exported,
            &ExportOptions { include_secrets },
        );
        let text = serde_json::to_string_pretty(&doc).map_err(|e| {
            AppError::new(
                ErrorKind::Internal,
                format!("the collection cannot be written: {e}"),
            )
        })?;
        Ok((view.document.connector.details.name.clone(), text))
    }

    /// `postman_export`: the connector as a Postman v2.1 collection saved in the Downloads
    /// folder (`<name>.postman_collection.json`, never over another file).
    pub fn postman_export(
        &self,
        connector: &str,
        instance: Option<&str>,
        include_secrets: bool,
    ) -> Result<SavedReport> {
        let (name, text) = self.postman_collection(connector, instance, include_secrets)?;
        let file = format!("{}.postman_collection.json", file_stem(&name));
        let saved = save_new(&self.exports_dir()?, &file, text.as_bytes())?;
        self.remember_saved(&saved);
        Ok(saved)
    }
}

/// A connector's name as a file name: letters, digits, `-` and `_`, the rest `-`.
fn file_stem(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "connector".into()
    } else {
        out.chars().take(80).collect()
    }
}
