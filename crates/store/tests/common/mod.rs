//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;

use signet_connector::{AuthKind, AuthMethod, AuthOptions, Connector, OAuth1};
use signet_oauth1::{Secret, SignatureMethod, TokenResponse};
use signet_store::{Instance, NewInstance, OpenOptions, Store, StoredConnector};

/// A test RSA key (1024 bits, made for these tests only).
pub const RSA_PEM: &str = include_str!("../data/test-rsa-key.pem");

/// Opens `dir` as on a machine without a system keyring (the key goes to a key file).
#[track_caller]
pub fn open(dir: &Path) -> Store {
    Store::open(&OpenOptions::new(dir).without_system_keyring()).expect("store opens")
}

/// A connector with one OAuth 1.0a method (HMAC-SHA1) at photos.example.net.
pub fn spec(name: &str) -> Connector {
    spec_with(name, SignatureMethod::HmacSha1)
}

/// [`spec`] signing with `method`.
pub fn spec_with(name: &str, method: SignatureMethod) -> Connector {
    let mut c = Connector::named(name);
    let mut o = OAuth1::three_legged(
        "https://photos.example.net/initiate",
        "https://photos.example.net/authorize",
        "https://photos.example.net/token",
    );
    o.signature_method = method;
    c.auth_methods.push(AuthMethod {
        id: "oauth1".into(),
        name: "OAuth 1.0a".into(),
        kind: AuthKind::OAuth1(Box::new(o)),
        options: AuthOptions::default(),
    });
    c
}

/// Saves `def` with an empty default instance.
#[track_caller]
pub fn create(store: &Store, def: Connector) -> (StoredConnector, Instance) {
    store
        .create_connector(def, NewInstance::default())
        .expect("the connector saves")
}

pub fn token(token: &str, secret: &str) -> TokenResponse {
    TokenResponse {
        token: token.into(),
        token_secret: Secret::new(secret),
        callback_confirmed: None,
        extra: vec![("user_id".into(), "42".into())],
    }
}

/// Every regular file under `dir`, recursively.
pub fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `(path, contents)` for every file under `dir`.
pub fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|p| {
            let c = std::fs::read(&p).unwrap();
            (p, c)
        })
        .collect()
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
