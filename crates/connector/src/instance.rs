//! An instance: a connector installed with its variables' values and its own consumer
//! credentials and tokens. One NetSuite connector, two instances (sandbox and production), each
//! with its account id and token. This module holds what resolving needs of an instance, secrets
//! decrypted, and the checks of a value against its variable's kind.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use signet_oauth1::Secret;
use signet_oauth1::flow::TokenCredentials;

use crate::model::{Variable, VariableKind};

/// The consumer's signing secret: a shared secret (HMAC, PLAINTEXT) or an RSA private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientSecret {
    /// The consumer secret.
    Shared(Secret),
    /// A PKCS#1 or PKCS#8 PEM private key.
    RsaPrivateKey(Secret),
}

impl ClientSecret {
    /// Which kind it is.
    pub fn kind(&self) -> ClientSecretKind {
        match self {
            Self::Shared(_) => ClientSecretKind::Shared,
            Self::RsaPrivateKey(_) => ClientSecretKind::RsaPrivateKey,
        }
    }

    /// The secret itself.
    pub fn secret(&self) -> &Secret {
        match self {
            Self::Shared(s) | Self::RsaPrivateKey(s) => s,
        }
    }
}

/// [`ClientSecret`]'s kind, safe to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ClientSecretKind {
    /// A consumer secret.
    Shared,
    /// An RSA private key.
    RsaPrivateKey,
}

/// An instance as resolving sees it: every value and secret it holds, decrypted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installed {
    /// Values of the connector's variables that are not secret, by name.
    pub values: BTreeMap<String, String>,
    /// Values of its secret variables.
    pub secrets: BTreeMap<String, Secret>,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The consumer secret or RSA private key.
    pub client_secret: Option<ClientSecret>,
    /// The token credentials the dance issued (or that were entered).
    pub token: Option<TokenCredentials>,
}

/// Token-response fields that are never offered as variables (they are secrets of the protocol).
const NEVER_VARIABLES: [&str; 3] = [
    "oauth_token_secret",
    "oauth_verifier",
    "oauth_callback_confirmed",
];

/// Whether a token-response field's value should be masked when shown (a session handle
/// lets whoever holds it refresh the token).
pub fn is_sensitive_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "secret",
        "session_handle",
        "password",
        "private",
        "verifier",
    ]
    .iter()
    .any(|s| n.contains(s))
}

impl Installed {
    /// The auth variables the instance's token offers: `oauth_token` and every extra field of
    /// the access-token response (name, value, sensitive).
    pub fn auth_variables(&self) -> Vec<(String, String, bool)> {
        let Some(t) = &self.token else {
            return Vec::new();
        };
        let mut out = vec![("oauth_token".to_owned(), t.token.clone(), false)];
        for (k, v) in &t.extra {
            if NEVER_VARIABLES.contains(&k.as_str()) || out.iter().any(|(n, _, _)| n == k) {
                continue;
            }
            out.push((k.clone(), v.clone(), is_sensitive_field(k)));
        }
        out
    }
}

/// A NetSuite account id in its two forms: (host form, realm form). `1234567-sb1` and
/// `1234567_SB1` both give (`1234567-sb1`, `1234567_SB1`).
pub fn netsuite_account(id: &str) -> Result<(String, String), String> {
    let id = id.trim();
    if id.is_empty() {
        return Err("the account id is empty".into());
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "{id:?} is not a NetSuite account id: it has only letters, digits, - and _ (1234567 or 1234567-sb1)"
        ));
    }
    Ok((
        id.to_ascii_lowercase().replace('_', "-"),
        id.to_ascii_uppercase().replace('-', "_"),
    ))
}

/// A site's base address without a trailing `/`.
pub fn base_url(value: &str) -> Result<String, String> {
    let v = value.trim().trim_end_matches('/');
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or_else(|| format!("{v:?} must start with https:// (or http://)"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{v:?} has no host"));
    }
    if v.contains(['?', '#', ' ']) {
        return Err(format!("{v:?} must be a plain address, without ? or #"));
    }
    Ok(v.to_owned())
}

/// The value a variable's kind makes of what was typed, with the names it defines: for most
/// kinds just `(name, value)`; a NetSuite account also defines `name.realm`. `Err` says what is
/// wrong in plain words (it reads after the variable's name).
pub fn check_value(var: &Variable, typed: &str) -> Result<Vec<(String, String)>, String> {
    let name = var.name.clone();
    let one = |v: String| Ok(vec![(name.clone(), v)]);
    match var.kind {
        VariableKind::Text | VariableKind::Secret => one(typed.to_owned()),
        VariableKind::Number => {
            let t = typed.trim();
            if t.parse::<f64>().is_ok_and(f64::is_finite) && !t.contains(['e', 'E', 'x']) {
                one(t.to_owned())
            } else {
                Err(format!("{t:?} is not a number"))
            }
        }
        VariableKind::Boolean => match typed.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => one("true".into()),
            "false" | "no" | "0" | "off" => one("false".into()),
            other => Err(format!("{other:?} is not true or false")),
        },
        VariableKind::Choice => {
            let t = typed.trim();
            if var.choices.iter().any(|c| c.value == t) {
                one(t.to_owned())
            } else {
                let list: Vec<&str> = var.choices.iter().map(|c| c.value.as_str()).collect();
                Err(format!("{t:?} is not one of {}", list.join(", ")))
            }
        }
        VariableKind::Url => base_url(typed).map(|v| vec![(name.clone(), v)]),
        VariableKind::NetsuiteAccount => {
            let (host, realm) = netsuite_account(typed)?;
            Ok(vec![(name.clone(), host), (format!("{name}.realm"), realm)])
        }
    }
}

/// The names a variable of this kind defines (`account_id`, and `account_id.realm` for a
/// NetSuite account).
pub fn defined_names(var: &Variable) -> Vec<String> {
    match var.kind {
        VariableKind::NetsuiteAccount => vec![var.name.clone(), format!("{}.realm", var.name)],
        _ => vec![var.name.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Choice;

    fn var(kind: VariableKind) -> Variable {
        Variable {
            kind,
            choices: vec![
                Choice {
                    value: "sandbox".into(),
                    label: "Sandbox".into(),
                },
                Choice {
                    value: "www".into(),
                    label: "Production".into(),
                },
            ],
            ..Variable::text("v", "V")
        }
    }

    #[test]
    fn values_are_checked_by_kind() {
        assert_eq!(
            check_value(&var(VariableKind::Number), " 42.5 "),
            Ok(vec![("v".into(), "42.5".into())])
        );
        assert_eq!(
            check_value(&var(VariableKind::Number), "1e9"),
            Err("\"1e9\" is not a number".into())
        );
        assert_eq!(
            check_value(&var(VariableKind::Boolean), "Yes"),
            Ok(vec![("v".into(), "true".into())])
        );
        assert!(check_value(&var(VariableKind::Choice), "prod").is_err());
        assert_eq!(
            check_value(&var(VariableKind::Url), "https://shop.example/"),
            Ok(vec![("v".into(), "https://shop.example".into())])
        );
        assert_eq!(
            check_value(&var(VariableKind::NetsuiteAccount), "1234567_SB1"),
            Ok(vec![
                ("v".into(), "1234567-sb1".into()),
                ("v.realm".into(), "1234567_SB1".into())
            ])
        );
        assert!(check_value(&var(VariableKind::NetsuiteAccount), "12 34").is_err());
    }

    #[test]
    fn token_fields_become_auth_variables_but_never_the_secret() {
        let i = Installed {
            token: Some(TokenCredentials {
                token: "tok".into(),
                secret: Secret::new("s"),
                extra: vec![
                    ("user_id".into(), "12".into()),
                    ("oauth_token_secret".into(), "s".into()),
                    ("oauth_session_handle".into(), "h".into()),
                ],
            }),
            ..Installed::default()
        };
        assert_eq!(
            i.auth_variables(),
            vec![
                ("oauth_token".into(), "tok".into(), false),
                ("user_id".into(), "12".into(), false),
                ("oauth_session_handle".into(), "h".into(), true),
            ]
        );
    }
}
