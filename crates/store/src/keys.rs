//! Tree names and key encoding, in one place.
//!
//! Ids are `u64`s from sled's crash-safe `generate_id`, stored big-endian so that byte order is
//! numeric order (runs therefore list oldest first within a connector).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Connectors, keyed by [`ConnectorId`].
pub(crate) const CONNECTORS: &str = "connectors";
/// The unique-name index: folded name to [`ConnectorId`].
pub(crate) const CONNECTOR_NAMES: &str = "connector_names";
/// Instances, keyed by [`InstanceId`].
pub(crate) const INSTANCES: &str = "instances";
/// A connector's instances: `connector id ++ instance id`, empty values.
pub(crate) const INSTANCE_INDEX: &str = "instance_index";
/// Credentials (consumer and token), keyed by [`InstanceId`].
pub(crate) const CREDENTIALS: &str = "credentials";
/// Runs, keyed by [`InstanceId`] then [`RunId`].
pub(crate) const RUNS: &str = "runs";
/// How many runs each instance has, keyed by [`InstanceId`] (a `u64`, big-endian), kept in the
/// same transaction as the runs so a count never needs a scan.
pub(crate) const RUN_COUNTS: &str = "run_counts";
/// What a list shows of each connector ([`crate::ConnectorHead`]), keyed by [`ConnectorId`],
/// kept in the same transaction as the connector.
pub(crate) const CONNECTOR_HEADS: &str = "connector_heads";
/// What a list shows of each run ([`crate::RunHead`]), keyed like [`RUNS`] and kept in the
/// same transaction as its run: lists read these, not the runs' snapshots.
pub(crate) const RUN_HEADS: &str = "run_heads";
/// Settings, keyed by their UTF-8 name.
pub(crate) const SETTINGS: &str = "settings";
/// The database's own facts: schema version, where the data key lives, the key check.
pub(crate) const META: &str = "meta";

pub(crate) const META_SCHEMA_VERSION: &[u8] = b"schema_version";
pub(crate) const META_KEY_LOCATION: &[u8] = b"key_location";
pub(crate) const META_KEY_CHECK: &[u8] = b"key_check";
/// Present once [`RUN_COUNTS`] was counted from the runs (a database from before it had none).
pub(crate) const META_RUN_COUNTS: &[u8] = b"run_counts_built";
/// Present once [`RUN_HEADS`] was made from the runs.
pub(crate) const META_RUN_HEADS: &[u8] = b"run_heads_built";
/// Present once [`CONNECTOR_HEADS`] was made from the connectors.
pub(crate) const META_CONNECTOR_HEADS: &[u8] = b"connector_heads_built";

macro_rules! id_type {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            pub(crate) fn to_key(self) -> [u8; 8] {
                self.0.to_be_bytes()
            }

            pub(crate) fn from_key(key: &[u8]) -> Option<Self> {
                Some(Self(u64::from_be_bytes(key.get(..8)?.try_into().ok()?)))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map(Self)
            }
        }
    };
}

id_type!(
    ConnectorId,
    "A connector's stable id (its name can change)."
);
id_type!(
    InstanceId,
    "An instance's stable id. Ids come from one counter, so an instance migrated from a schema-2 connector keeps that connector's id (and with it its credentials and runs)."
);
id_type!(
    RunId,
    "A run's id (a flow or an endpoint call); later runs have larger ids."
);

/// The unique-name index key: trimmed and lower-cased, so "Twitter" and "twitter " clash.
pub(crate) fn name_key(name: &str) -> Vec<u8> {
    name.trim().to_lowercase().into_bytes()
}

/// `connector id ++ instance id`, the instance index's key.
pub(crate) fn instance_index_key(connector: ConnectorId, instance: InstanceId) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&connector.to_key());
    k[8..].copy_from_slice(&instance.to_key());
    k
}

/// `instance id ++ run id`.
pub(crate) fn run_key(instance: InstanceId, run: RunId) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&instance.to_key());
    k[8..].copy_from_slice(&run.to_key());
    k
}

/// Splits a run key.
pub(crate) fn split_run_key(key: &[u8]) -> Option<(InstanceId, RunId)> {
    Some((
        InstanceId::from_key(key.get(..8)?)?,
        RunId::from_key(key.get(8..16)?)?,
    ))
}

/// Additional authenticated data binding a sealed secret to its place, so a ciphertext copied
/// to another instance or field does not decrypt. (Schema 2 sealed under the connector's id,
/// which a migrated instance keeps.)
pub(crate) fn secret_aad(instance: InstanceId, field: &str) -> Vec<u8> {
    let mut aad = b"signet-store/credentials/".to_vec();
    aad.extend_from_slice(&instance.to_key());
    aad.push(b'/');
    aad.extend_from_slice(field.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_keys_sort_by_instance_then_run() {
        let a = run_key(InstanceId(1), RunId(300));
        let b = run_key(InstanceId(2), RunId(5));
        let c = run_key(InstanceId(2), RunId(6));
        assert!(a < b && b < c);
        assert_eq!(split_run_key(&c), Some((InstanceId(2), RunId(6))));
        assert_eq!(name_key(" Twitter "), name_key("twitter"));
    }
}
