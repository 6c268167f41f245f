//! Connectors: everything about a provider except its secrets (step 1's registration).

use serde::{Deserialize, Serialize};
use signet_oauth1::{CallbackMode, Placement, SignatureMethod};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use crate::error::{Error, Problem, Problems, Result};
use crate::keys::{self, ConnectorId};
use crate::schema;
use crate::store::Store;
use crate::time::Timestamp;

/// The longest connector name accepted.
pub const MAX_NAME_LEN: usize = 100;

/// What the user edits: a connector without its id and timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorSpec {
    /// Unique (case-insensitively), shown to the user.
    pub name: String,
    /// The preset it started from (`twitter`, `jira`, ...), if any.
    pub preset: Option<String>,
    /// Step 3's endpoint (temporary credentials).
    pub request_token_url: String,
    /// Step 6's page (resource owner authorization).
    pub authorize_url: String,
    /// Step 8's endpoint (token credentials).
    pub access_token_url: String,
    /// Step 10's protected resource, if one is set.
    pub resource_url: Option<String>,
    /// How requests are signed.
    pub signature_method: SignatureMethod,
    /// Where the OAuth parameters go.
    pub placement: Placement,
    /// `realm` for the Authorization header, if the provider wants one.
    pub realm: Option<String>,
    /// How the redirect reaches Signet.
    pub callback_mode: CallbackMode,
    /// The loopback URL (port and path) or a custom callback URL; `None` for the default.
    pub callback_url: Option<String>,
    /// Whether to send `oauth_version=1.0`.
    pub include_version: bool,
    /// Extra parameters for step 3 (`scope`, `x_auth_access_type`, ...).
    pub extra_request_token_params: Vec<(String, String)>,
    /// Extra query parameters for step 6's page.
    pub extra_authorize_params: Vec<(String, String)>,
    /// Extra parameters for step 8.
    pub extra_access_token_params: Vec<(String, String)>,
}

impl ConnectorSpec {
    /// A spec with the given name and endpoints and the usual defaults (HMAC-SHA1, header,
    /// deep link, `oauth_version` sent).
    pub fn new(
        name: impl Into<String>,
        request_token_url: impl Into<String>,
        authorize_url: impl Into<String>,
        access_token_url: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            preset: None,
            request_token_url: request_token_url.into(),
            authorize_url: authorize_url.into(),
            access_token_url: access_token_url.into(),
            resource_url: None,
            signature_method: SignatureMethod::HmacSha1,
            placement: Placement::Header,
            realm: None,
            callback_mode: CallbackMode::DeepLink,
            callback_url: None,
            include_version: true,
            extra_request_token_params: Vec::new(),
            extra_authorize_params: Vec::new(),
            extra_access_token_params: Vec::new(),
        }
    }

    /// Every problem with the spec; `prefix` is put before each field name (`connectors[2].`).
    pub fn problems(&self, prefix: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let p = |field: &str| format!("{prefix}{field}");
        let name = self.name.trim();
        if name.is_empty() {
            out.push(Problem::new(p("name"), "must not be empty"));
        } else if name.chars().count() > MAX_NAME_LEN {
            out.push(Problem::new(
                p("name"),
                format!("must be at most {MAX_NAME_LEN} characters"),
            ));
        } else if name.chars().any(char::is_control) {
            out.push(Problem::new(
                p("name"),
                "must not contain control characters",
            ));
        }
        if let Some(preset) = &self.preset
            && preset.trim().is_empty()
        {
            out.push(Problem::new(p("preset"), "must not be empty when given"));
        }
        for (field, url) in [
            ("request_token_url", Some(&self.request_token_url)),
            ("authorize_url", Some(&self.authorize_url)),
            ("access_token_url", Some(&self.access_token_url)),
            ("resource_url", self.resource_url.as_ref()),
        ] {
            if let Some(url) = url
                && let Err(m) = check_http_url(url)
            {
                out.push(Problem::new(p(field), m));
            }
        }
        if let Some(realm) = &self.realm
            && realm.contains('"')
        {
            out.push(Problem::new(p("realm"), "must not contain a double quote"));
        }
        if let Some(url) = &self.callback_url {
            match self.callback_mode {
                CallbackMode::Loopback => {
                    if let Err(m) = check_loopback_url(url) {
                        out.push(Problem::new(p("callback_url"), m));
                    }
                }
                CallbackMode::DeepLink => {
                    if !url.contains("://") || url.chars().any(char::is_whitespace) {
                        out.push(Problem::new(
                            p("callback_url"),
                            format!(
                                "{url:?} is not a URL (expected something like signet://callback)"
                            ),
                        ));
                    }
                }
                CallbackMode::Oob => out.push(Problem::new(
                    p("callback_url"),
                    "must be empty when the callback mode is oob (the provider shows a PIN)",
                )),
            }
        }
        for (field, list) in [
            (
                "extra_request_token_params",
                &self.extra_request_token_params,
            ),
            ("extra_authorize_params", &self.extra_authorize_params),
            ("extra_access_token_params", &self.extra_access_token_params),
        ] {
            for (i, (name, _)) in list.iter().enumerate() {
                if name.trim().is_empty() {
                    out.push(Problem::new(
                        format!("{prefix}{field}[{i}]"),
                        "parameter name must not be empty",
                    ));
                } else if name.starts_with("oauth_") {
                    out.push(Problem::new(
                        format!("{prefix}{field}[{i}]"),
                        format!("{name:?} is an oauth_ parameter, which signet sets itself"),
                    ));
                }
            }
        }
        out
    }

    fn validate(&self) -> Result<()> {
        let problems = self.problems("");
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid {
                what: "connector",
                problems: Problems(problems),
            })
        }
    }
}

fn check_http_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("{url:?} is not an http or https URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("{url:?} has no host"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{url:?} contains spaces"));
    }
    Ok(())
}

fn check_loopback_url(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        format!("{url:?} is not a loopback URL (expected http://127.0.0.1:PORT/PATH)")
    })?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            authority
        }
    });
    if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        return Err(format!(
            "{url:?} is not a loopback URL (expected http://127.0.0.1:PORT/PATH)"
        ));
    }
    Ok(())
}

/// A saved connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connector {
    /// Stable id.
    pub id: ConnectorId,
    /// What the user set.
    #[serde(flatten)]
    pub spec: ConnectorSpec,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

pub(crate) fn decode_connector(key: &[u8], bytes: &[u8]) -> Result<Connector> {
    schema::decode(
        "connector",
        || ConnectorId::from_key(key).map_or_else(|| format!("{key:?}"), |id| id.to_string()),
        bytes,
        schema::CONNECTOR_VERSION,
        schema::upgrade_connector,
    )
}

impl Store {
    /// Saves a new connector; its name must be unused.
    pub fn create_connector(&self, spec: ConnectorSpec) -> Result<Connector> {
        self.create_connector_at(spec, Timestamp::now())
    }

    /// [`Store::create_connector`] with the creation time given.
    pub fn create_connector_at(&self, spec: ConnectorSpec, now: Timestamp) -> Result<Connector> {
        spec.validate()?;
        let id = ConnectorId(self.db.generate_id().map_err(|e| self.sled_err(e))?);
        let connector = Connector {
            id,
            spec,
            created_at: now,
            updated_at: now,
        };
        let bytes = schema::encode(schema::CONNECTOR_VERSION, &connector);
        let name_key = keys::name_key(&connector.spec.name);
        (&self.connectors, &self.names)
            .transaction(|(connectors, names)| {
                if names.get(&name_key)?.is_some() {
                    return Err(ConflictableTransactionError::Abort(Error::DuplicateName(
                        connector.spec.name.trim().to_owned(),
                    )));
                }
                names.insert(name_key.as_slice(), &id.to_key())?;
                connectors.insert(&id.to_key(), bytes.as_slice())?;
                Ok(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        Ok(connector)
    }

    /// Replaces a connector's spec (renaming it if the name changed).
    pub fn update_connector(&self, id: ConnectorId, spec: ConnectorSpec) -> Result<Connector> {
        spec.validate()?;
        let old = self.connector(id)?.ok_or_else(|| not_found(id))?;
        let connector = Connector {
            id,
            spec,
            created_at: old.created_at,
            updated_at: Timestamp::now().max(old.updated_at),
        };
        let bytes = schema::encode(schema::CONNECTOR_VERSION, &connector);
        let old_name = keys::name_key(&old.spec.name);
        let new_name = keys::name_key(&connector.spec.name);
        (&self.connectors, &self.names)
            .transaction(|(connectors, names)| {
                if connectors.get(id.to_key())?.is_none() {
                    return Err(ConflictableTransactionError::Abort(not_found(id)));
                }
                if new_name != old_name {
                    if names.get(&new_name)?.is_some() {
                        return Err(ConflictableTransactionError::Abort(Error::DuplicateName(
                            connector.spec.name.trim().to_owned(),
                        )));
                    }
                    names.remove(old_name.as_slice())?;
                    names.insert(new_name.as_slice(), &id.to_key())?;
                }
                connectors.insert(&id.to_key(), bytes.as_slice())?;
                Ok(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        Ok(connector)
    }

    /// A connector by id.
    pub fn connector(&self, id: ConnectorId) -> Result<Option<Connector>> {
        let key = id.to_key();
        match self.connectors.get(key).map_err(|e| self.sled_err(e))? {
            Some(v) => decode_connector(&key, &v).map(Some),
            None => Ok(None),
        }
    }

    /// A connector by name (case-insensitive, surrounding spaces ignored).
    pub fn connector_by_name(&self, name: &str) -> Result<Option<Connector>> {
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
    pub fn list_connectors(&self) -> Result<Vec<Connector>> {
        let mut out = Vec::with_capacity(self.connectors.len());
        for item in self.connectors.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if let Ok(c) = decode_connector(&k, &v) {
                out.push(c);
            }
        }
        out.sort_by_cached_key(|c| (c.spec.name.to_lowercase(), c.id));
        Ok(out)
    }

    /// How many connectors are saved.
    pub fn connector_count(&self) -> usize {
        self.connectors.len()
    }

    /// Removes a connector with its credentials, tokens and run history, in one transaction.
    /// Returns whether it existed.
    pub fn remove_connector(&self, id: ConnectorId) -> Result<bool> {
        let Some(old) = self.connector(id)? else {
            return Ok(false);
        };
        let run_keys: Vec<sled::IVec> = self
            .runs
            .scan_prefix(id.to_key())
            .keys()
            .collect::<Result<_, _>>()
            .map_err(|e| self.sled_err(e))?;
        let name = keys::name_key(&old.spec.name);
        (&self.connectors, &self.names, &self.credentials, &self.runs)
            .transaction(|(connectors, names, credentials, runs)| {
                connectors.remove(&id.to_key())?;
                names.remove(name.as_slice())?;
                credentials.remove(&id.to_key())?;
                for k in &run_keys {
                    runs.remove(k)?;
                }
                Ok::<_, ConflictableTransactionError<Error>>(())
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ConnectorSpec {
        ConnectorSpec::new(
            "Photos",
            "https://photos.example.net/initiate",
            "https://photos.example.net/authorize",
            "https://photos.example.net/token",
        )
    }

    #[test]
    fn valid_spec_has_no_problems() {
        assert_eq!(spec().problems(""), vec![]);
    }

    #[test]
    fn problems_name_each_field() {
        let mut s = spec();
        s.name = " ".into();
        s.request_token_url = "ftp://x".into();
        s.callback_mode = CallbackMode::Loopback;
        s.callback_url = Some("http://example.com:8080/cb".into());
        s.extra_authorize_params = vec![("oauth_token".into(), "x".into())];
        let got: Vec<String> = s
            .problems("connectors[1].")
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            got,
            vec![
                "connectors[1].name: must not be empty",
                "connectors[1].request_token_url: \"ftp://x\" is not an http or https URL",
                "connectors[1].callback_url: \"http://example.com:8080/cb\" is not a loopback URL (expected http://127.0.0.1:PORT/PATH)",
                "connectors[1].extra_authorize_params[0]: \"oauth_token\" is an oauth_ parameter, which signet sets itself",
            ]
        );
    }

    #[test]
    fn loopback_urls_accept_ports_and_paths() {
        assert_eq!(
            check_loopback_url("http://127.0.0.1:53682/callback"),
            Ok(())
        );
        assert_eq!(check_loopback_url("http://localhost/cb"), Ok(()));
        assert_eq!(check_loopback_url("http://[::1]:8080/"), Ok(()));
        assert!(check_loopback_url("https://127.0.0.1/").is_err());
    }
}
