//! Credentials of an instance: the consumer key with its secret (or RSA private key), and the
//! token credentials step 9 issued. Secret parts are sealed under the data key; the rest is
//! stored plainly so it stays usable when the key is missing.

use serde::{Deserialize, Serialize};
use signet_oauth1::{RsaPrivateKeyPem, Secret, TokenResponse};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use crate::crypto::{DataKey, Sealed};
use crate::error::{Error, Problem, Problems, Result};
use crate::keys::{self, InstanceId};
use crate::schema;
use crate::store::Store;
use crate::time::Timestamp;

pub use signet_connector::{ClientSecret, ClientSecretKind};

/// Token credentials as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCredentials {
    /// `oauth_token` (the access token).
    pub token: String,
    /// `oauth_token_secret`.
    pub token_secret: Secret,
    /// The other fields the provider sent (`user_id`, `screen_name`, ...), in order.
    pub extra: Vec<(String, String)>,
    /// When step 9 issued them.
    pub obtained_at: Timestamp,
}

/// A connector's credentials, secrets included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The consumer key (public).
    pub consumer_key: String,
    /// The consumer secret or RSA private key.
    pub client_secret: ClientSecret,
    /// The token credentials, once a flow reached step 9.
    pub token: Option<TokenCredentials>,
}

/// What can be shown about credentials without the data key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialsSummary {
    /// The consumer key.
    pub consumer_key: String,
    /// Whether the secret is a consumer secret or an RSA key.
    pub client_secret_kind: ClientSecretKind,
    /// The access token and its extra fields (no secret), if any.
    pub token: Option<TokenSummary>,
    /// Whether this store can decrypt the secrets.
    pub secrets_readable: bool,
}

/// The public half of token credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenSummary {
    /// `oauth_token`.
    pub token: String,
    /// Extra fields.
    pub extra: Vec<(String, String)>,
    /// When they were issued.
    pub obtained_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CredentialsRecord {
    consumer_key: String,
    client_secret_kind: ClientSecretKind,
    client_secret: Sealed,
    token: Option<TokenRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenRecord {
    token: String,
    token_secret: Sealed,
    /// The extra fields that are not sensitive, in clear.
    extra: Vec<(String, String)>,
    /// The sensitive ones (`oauth_session_handle`, ...: whoever holds one can refresh the
    /// token), sealed like the token secret. Older records have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sealed_extra: Vec<(String, Sealed)>,
    obtained_at: Timestamp,
}

/// The sealed field of a sensitive extra.
fn extra_field(name: &str) -> String {
    format!("extra.{name}")
}

const CLIENT_SECRET_FIELD: &str = "client_secret";
const TOKEN_SECRET_FIELD: &str = "token_secret";

pub(crate) fn decode_record(key: &[u8], bytes: &[u8]) -> Result<CredentialsRecord> {
    schema::decode(
        "credentials",
        || InstanceId::from_key(key).map_or_else(|| format!("{key:?}"), |id| id.to_string()),
        bytes,
        schema::CREDENTIALS_VERSION,
        schema::no_upgrade,
    )
}

fn seal_token(key: &DataKey, id: InstanceId, token: &TokenCredentials) -> Result<TokenRecord> {
    let mut extra = Vec::new();
    let mut sealed_extra = Vec::new();
    for (k, v) in &token.extra {
        if signet_connector::instance::is_sensitive_field(k) {
            sealed_extra.push((
                k.clone(),
                key.seal(v.as_bytes(), &keys::secret_aad(id, &extra_field(k)))?,
            ));
        } else {
            extra.push((k.clone(), v.clone()));
        }
    }
    Ok(TokenRecord {
        token: token.token.clone(),
        token_secret: key.seal(
            token.token_secret.expose().as_bytes(),
            &keys::secret_aad(id, TOKEN_SECRET_FIELD),
        )?,
        extra,
        sealed_extra,
        obtained_at: token.obtained_at,
    })
}

/// Checks credentials against the connector's OAuth 1.0a method (a connector without one has
/// no consumer credentials).
pub(crate) fn credential_problems_for(
    prefix: &str,
    consumer_key: &str,
    secret: &ClientSecret,
    definition: &signet_connector::Connector,
) -> Vec<Problem> {
    match definition.oauth1() {
        Some((_, _, o)) => credential_problems(prefix, consumer_key, secret, o.signature_method),
        None => vec![Problem::new(
            format!("{prefix}credentials"),
            "the connector has no OAuth 1.0a method, so it has no consumer key or secret",
        )],
    }
}

/// Checks credentials against the connector's signature method.
pub(crate) fn credential_problems(
    prefix: &str,
    consumer_key: &str,
    secret: &ClientSecret,
    method: signet_oauth1::SignatureMethod,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if consumer_key.trim().is_empty() {
        out.push(Problem::new(
            format!("{prefix}consumer_key"),
            "must not be empty",
        ));
    }
    match (secret, method.is_rsa()) {
        (ClientSecret::Shared(_), true) => out.push(Problem::new(
            format!("{prefix}client_secret"),
            format!("{method} signs with an RSA private key, not a consumer secret"),
        )),
        (ClientSecret::RsaPrivateKey(_), false) => out.push(Problem::new(
            format!("{prefix}client_secret"),
            format!("{method} signs with a consumer secret, not an RSA private key"),
        )),
        (ClientSecret::RsaPrivateKey(pem), true) => {
            if RsaPrivateKeyPem::parse(pem.expose()).is_err() {
                out.push(Problem::new(
                    format!("{prefix}client_secret"),
                    "is not a PEM RSA private key (PKCS#1 or PKCS#8)",
                ));
            }
        }
        (ClientSecret::Shared(_), false) => {}
    }
    out
}

impl Store {
    /// Saves (or replaces) an instance's consumer key and secret. Existing token credentials
    /// are dropped when the consumer key changes (they belong to the old consumer), kept
    /// otherwise.
    pub fn set_client_credentials(
        &self,
        id: InstanceId,
        consumer_key: &str,
        client_secret: ClientSecret,
    ) -> Result<()> {
        let instance = self
            .instance(id)?
            .ok_or_else(|| crate::instances::not_found(id))?;
        let connector = self
            .connector(instance.connector_id)?
            .ok_or_else(|| crate::connectors::not_found(instance.connector_id))?;
        let problems =
            credential_problems_for("", consumer_key, &client_secret, &connector.definition);
        if !problems.is_empty() {
            return Err(Error::Invalid {
                what: "credentials",
                problems: Problems(problems),
            });
        }
        let key = self.data_key()?;
        let sealed = key.seal(
            client_secret.secret().expose().as_bytes(),
            &keys::secret_aad(id, CLIENT_SECRET_FIELD),
        )?;
        let kind = client_secret.kind();
        let consumer_key = consumer_key.trim().to_owned();
        (&self.instances, &self.credentials)
            .transaction(|(instances, credentials)| {
                if instances.get(id.to_key())?.is_none() {
                    return Err(ConflictableTransactionError::Abort(
                        crate::instances::not_found(id),
                    ));
                }
                let old = match credentials.get(id.to_key())? {
                    Some(v) => decode_record(&id.to_key(), &v).ok(),
                    None => None,
                };
                let token = old
                    .filter(|o| o.consumer_key == consumer_key)
                    .and_then(|o| o.token);
                let record = CredentialsRecord {
                    consumer_key: consumer_key.clone(),
                    client_secret_kind: kind,
                    client_secret: sealed.clone(),
                    token,
                };
                credentials.insert(
                    &id.to_key(),
                    schema::encode(schema::CREDENTIALS_VERSION, &record),
                )?;
                Ok(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()
    }

    /// Saves token credentials from step 9's response, replacing earlier ones, and flushes.
    /// `obtained_at` defaults to now. The connector must already have client credentials.
    pub fn save_token(
        &self,
        id: InstanceId,
        response: &TokenResponse,
        obtained_at: Option<Timestamp>,
    ) -> Result<()> {
        let token = TokenCredentials {
            token: response.token.clone(),
            token_secret: response.token_secret.clone(),
            extra: response.extra.clone(),
            obtained_at: obtained_at.unwrap_or_else(Timestamp::now),
        };
        self.set_token(id, Some(&token))
    }

    /// Forgets an instance's token credentials (disconnect), keeping its client credentials.
    pub fn clear_token(&self, id: InstanceId) -> Result<()> {
        self.set_token(id, None)
    }

    fn set_token(&self, id: InstanceId, token: Option<&TokenCredentials>) -> Result<()> {
        let sealed = match token {
            Some(t) => Some(seal_token(self.data_key()?, id, t)?),
            None => None,
        };
        self.credentials
            .transaction(|credentials| {
                let Some(v) = credentials.get(id.to_key())? else {
                    return Err(ConflictableTransactionError::Abort(Error::NotFound {
                        what: "credentials",
                        name: format!("for instance {id}; save the consumer key and secret first"),
                    }));
                };
                let mut record =
                    decode_record(&id.to_key(), &v).map_err(ConflictableTransactionError::Abort)?;
                record.token = sealed.clone();
                credentials.insert(
                    &id.to_key(),
                    schema::encode(schema::CREDENTIALS_VERSION, &record),
                )?;
                Ok(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()
    }

    /// An instance's credentials with their secrets decrypted. Fails with
    /// [`Error::SecretsUnreadable`] when the data key is missing; see
    /// [`Store::credentials_summary`] for what can be shown anyway.
    pub fn credentials(&self, id: InstanceId) -> Result<Option<Credentials>> {
        let Some(record) = self.credentials_record(id)? else {
            return Ok(None);
        };
        let key = self.data_key()?;
        let open = |sealed: &Sealed, field: &str| -> Result<Secret> {
            let bytes = key
                .open(sealed, &keys::secret_aad(id, field))
                .map_err(|e| self.unreadable(e))?;
            String::from_utf8(bytes)
                .map(Secret::new)
                .map_err(|_| Error::SecretsUnreadable("a stored secret is not text".into()))
        };
        let secret = open(&record.client_secret, CLIENT_SECRET_FIELD)?;
        let client_secret = match record.client_secret_kind {
            ClientSecretKind::Shared => ClientSecret::Shared(secret),
            ClientSecretKind::RsaPrivateKey => ClientSecret::RsaPrivateKey(secret),
        };
        let token = match record.token {
            Some(t) => {
                let mut extra = t.extra;
                for (k, sealed) in &t.sealed_extra {
                    let v = open(sealed, &extra_field(k))?;
                    extra.push((k.clone(), v.expose().to_owned()));
                }
                Some(TokenCredentials {
                    token_secret: open(&t.token_secret, TOKEN_SECRET_FIELD)?,
                    token: t.token,
                    extra,
                    obtained_at: t.obtained_at,
                })
            }
            None => None,
        };
        Ok(Some(Credentials {
            consumer_key: record.consumer_key,
            client_secret,
            token,
        }))
    }

    /// What can be shown about an instance's credentials without decrypting anything.
    pub fn credentials_summary(&self, id: InstanceId) -> Result<Option<CredentialsSummary>> {
        let Some(record) = self.credentials_record(id)? else {
            return Ok(None);
        };
        let secrets_readable = self.key.as_ref().is_some_and(|k| {
            k.id() == record.client_secret.key_id
                && record
                    .token
                    .as_ref()
                    .is_none_or(|t| t.token_secret.key_id == k.id())
        });
        Ok(Some(CredentialsSummary {
            consumer_key: record.consumer_key,
            client_secret_kind: record.client_secret_kind,
            token: record.token.map(|t| TokenSummary {
                token: t.token,
                extra: t
                    .extra
                    .into_iter()
                    .chain(
                        t.sealed_extra
                            .into_iter()
                            .map(|(k, _)| (k, signet_oauth1::secret::REDACTED.to_owned())),
                    )
                    .collect(),
                obtained_at: t.obtained_at,
            }),
            secrets_readable,
        }))
    }

    fn credentials_record(&self, id: InstanceId) -> Result<Option<CredentialsRecord>> {
        match self
            .credentials
            .get(id.to_key())
            .map_err(|e| self.sled_err(e))?
        {
            Some(v) => decode_record(&id.to_key(), &v).map(Some),
            None => Ok(None),
        }
    }

    /// Seals credentials for instance `id` under the data key.
    pub(crate) fn seal_credentials(
        &self,
        id: InstanceId,
        c: &Credentials,
    ) -> Result<CredentialsRecord> {
        let key = self.data_key()?;
        Ok(CredentialsRecord {
            consumer_key: c.consumer_key.trim().to_owned(),
            client_secret_kind: c.client_secret.kind(),
            client_secret: key.seal(
                c.client_secret.secret().expose().as_bytes(),
                &keys::secret_aad(id, CLIENT_SECRET_FIELD),
            )?,
            token: match &c.token {
                Some(t) => Some(seal_token(key, id, t)?),
                None => None,
            },
        })
    }
}
