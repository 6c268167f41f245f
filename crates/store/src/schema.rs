//! Versions and migrations.
//!
//! Two levels: the database carries a schema version in its `meta` tree, and every record starts
//! with one byte giving its own record version, followed by the record as JSON. Opening an older
//! database upgrades it in one transaction; a newer one is refused before anything is written.
//! Records are also upgraded as they are read, so an interrupted upgrade cannot strand a record.
//!
//! History:
//! - schema 1 (pre-release): connector records version 1, without `include_version` and the
//!   three `extra_*_params` lists.
//! - schema 2: connector records version 2; credentials, runs and settings version 1.
//! - schema 3 (current): connector records version 3 hold the connector model
//!   (`signet-connector`); instances (version 1) hold what an installation supplies; runs
//!   version 2 name their instance and kind; credentials and runs are keyed by instance. A
//!   schema-2 connector becomes a connector plus an instance with the same id (`crate::migrate`).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};

/// The newest database schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 3;

/// Record versions, per kind.
pub(crate) const CONNECTOR_VERSION: u8 = 3;
pub(crate) const INSTANCE_VERSION: u8 = 1;
pub(crate) const CREDENTIALS_VERSION: u8 = 1;
pub(crate) const RUN_VERSION: u8 = 2;
pub(crate) const SETTING_VERSION: u8 = 1;

/// A record's bytes: its version, then its JSON.
pub(crate) fn encode<T: Serialize>(version: u8, value: &T) -> Vec<u8> {
    let mut out = vec![version];
    serde_json::to_writer(&mut out, value).expect("records serialize to JSON");
    out
}

/// An upgrade step: takes a record of `from` and returns the next version's JSON.
pub(crate) type Upgrade = fn(from: u8, Value) -> Result<Value, String>;

/// No earlier versions exist.
pub(crate) fn no_upgrade(from: u8, _: Value) -> Result<Value, String> {
    Err(format!("unknown record version {from}"))
}

/// Decodes a record, upgrading it from older record versions.
pub(crate) fn decode<T: DeserializeOwned>(
    what: &'static str,
    key: impl Fn() -> String,
    bytes: &[u8],
    current: u8,
    upgrade: Upgrade,
) -> Result<T> {
    let damaged = |detail: String, key: String| Error::DamagedRecord { what, key, detail };
    let Some((&version, json)) = bytes.split_first() else {
        return Err(damaged("empty".into(), key()));
    };
    if version > current {
        return Err(damaged(
            format!("record version {version} was written by a newer version of signet"),
            key(),
        ));
    }
    if version == current {
        return serde_json::from_slice(json).map_err(|e| damaged(e.to_string(), key()));
    }
    let mut value: Value =
        serde_json::from_slice(json).map_err(|e| damaged(e.to_string(), key()))?;
    for v in version..current {
        value = upgrade(v, value).map_err(|e| damaged(e, key()))?;
    }
    serde_json::from_value(value).map_err(|e| damaged(e.to_string(), key()))
}

/// The version byte of a stored record.
pub(crate) fn record_version(bytes: &[u8]) -> Option<u8> {
    bytes.first().copied()
}

/// Connector record 1 → 2: `include_version` (default true, as RFC 5849 recommends sending
/// `oauth_version`) and empty extra-parameter lists. 2 → 3: the connector model
/// (`crate::migrate`); the desktop app's side record, when there was one, is passed in the
/// record's JSON as `desktop_draft` by the schema migration.
pub(crate) fn upgrade_connector(from: u8, mut value: Value) -> Result<Value, String> {
    match from {
        1 => {
            let obj = value
                .as_object_mut()
                .ok_or_else(|| "a version 1 connector must be a JSON object".to_owned())?;
            obj.entry("include_version").or_insert(Value::Bool(true));
            for list in [
                "extra_request_token_params",
                "extra_authorize_params",
                "extra_access_token_params",
            ] {
                obj.entry(list).or_insert(Value::Array(Vec::new()));
            }
            Ok(value)
        }
        2 => {
            let side = value
                .as_object_mut()
                .and_then(|o| o.remove("desktop_draft"));
            let definition = crate::migrate::connector_from_v2(&value, side.as_ref())?;
            let field = |k: &str| value.get(k).cloned().unwrap_or(Value::Null);
            Ok(serde_json::json!({
                "id": field("id"),
                "definition": definition,
                "created_at": field("created_at"),
                "updated_at": field("updated_at"),
            }))
        }
        other => Err(format!("unknown connector record version {other}")),
    }
}

/// Run record 1 → 2: the instance is the connector's own (schema 2 had one per connector, and
/// the migrated instance keeps its id); every run was a flow.
pub(crate) fn upgrade_run(from: u8, mut value: Value) -> Result<Value, String> {
    match from {
        1 => {
            let obj = value
                .as_object_mut()
                .ok_or_else(|| "a version 1 run must be a JSON object".to_owned())?;
            let connector = obj.get("connector_id").cloned().unwrap_or(Value::Null);
            obj.entry("instance_id").or_insert(connector);
            obj.entry("kind").or_insert(Value::String("flow".into()));
            // Schema 2 redacted every value under a secret-looking key, a token's `secret_len`
            // (a number) too, which then no longer read as a snapshot: its length is unknown.
            if let Some(snapshot) = obj.get_mut("snapshot") {
                repair_secret_lengths(snapshot);
            }
            Ok(value)
        }
        other => Err(format!("unknown run record version {other}")),
    }
}

fn repair_secret_lengths(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if k == "secret_len" && x.is_string() {
                    *x = Value::from(0u64);
                } else {
                    repair_secret_lengths(x);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(repair_secret_lengths),
        _ => {}
    }
}

/// Encodes a schema version for the meta tree.
pub(crate) fn encode_schema(version: u32) -> [u8; 4] {
    version.to_be_bytes()
}

/// Decodes the meta tree's schema version.
pub(crate) fn decode_schema(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct C {
        name: String,
        include_version: bool,
        extra_authorize_params: Vec<(String, String)>,
    }

    #[test]
    fn old_connector_records_are_upgraded_on_read() {
        let mut bytes = vec![1u8];
        bytes.extend_from_slice(br#"{"name":"x"}"#);
        let c: C = decode("connector", || "1".into(), &bytes, 2, upgrade_connector).unwrap();
        assert_eq!(
            c,
            C {
                name: "x".into(),
                include_version: true,
                extra_authorize_params: vec![]
            }
        );
    }

    #[test]
    fn newer_records_are_refused_by_name() {
        let mut bytes = vec![9u8];
        bytes.extend_from_slice(b"{}");
        let e = decode::<C>("connector", || "7".into(), &bytes, 2, upgrade_connector).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the stored connector record 7 is damaged (record version 9 was written by a newer version of signet)"
        );
    }
}
